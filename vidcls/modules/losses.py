"""Focal loss over label-smoothed targets, with per-class weights.

``loss_i = alpha[y_i] · Σ_c q_c · (1 − p_c)^γ · (−log p_c)`` with ``q`` the smoothed target
(1−ε on the true class, ε/(C−1) elsewhere) and ``p = softmax(logits)``. The predecessor used
``pt = exp(−CE_smoothed)``, which is not the true-class probability; here every class term is
modulated by its own probability, so γ=0, ε=0, alpha=None is exactly cross-entropy.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import nn


class FocalLoss(nn.Module):
    def __init__(
        self,
        gamma: float = 2.0,
        label_smoothing: float = 0.1,
        alpha: torch.Tensor | Sequence[float] | None = None,
    ) -> None:
        super().__init__()
        if gamma < 0:
            raise ValueError(f"gamma must be >= 0, got {gamma}")
        if not 0.0 <= label_smoothing < 1.0:
            raise ValueError(f"label_smoothing must be in [0, 1), got {label_smoothing}")
        self.gamma = float(gamma)
        self.label_smoothing = float(label_smoothing)
        self.register_buffer("alpha", None if alpha is None else torch.as_tensor(alpha, dtype=torch.float32))

    def smoothed_targets(self, target: torch.Tensor, num_classes: int) -> torch.Tensor:
        eps = self.label_smoothing
        off = eps / (num_classes - 1) if num_classes > 1 else 0.0
        q = torch.full((target.shape[0], num_classes), off, device=target.device)
        return q.scatter_(1, target.unsqueeze(1), 1.0 - eps)

    def forward(self, logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        log_p = F.log_softmax(logits.float(), dim=1)
        q = self.smoothed_targets(target, logits.shape[1])
        per_class = -log_p
        if self.gamma:
            per_class = per_class * (1.0 - log_p.exp()).clamp(min=0.0).pow(self.gamma)
        loss = (q * per_class).sum(dim=1)
        if self.alpha is not None:
            loss = loss * self.alpha.to(loss.device)[target]
        return loss.mean()


def class_weights_from_labels(
    labels: Sequence[int] | torch.Tensor,
    num_classes: int,
    clamp: tuple[float, float] = (0.5, 10.0),
) -> torch.Tensor:
    """Inverse-frequency weights ``N / (C · count_c)`` clamped; an absent class gets the upper bound."""
    labels = torch.as_tensor(labels, dtype=torch.long)
    counts = torch.bincount(labels, minlength=num_classes).float()
    weights = labels.numel() / (num_classes * counts)
    return weights.nan_to_num(posinf=clamp[1]).clamp(*clamp)
