"""How an ensemble's members add up: an equal mean, unless some members carry an ``ensemble_share``.

A share is the fraction of the ensemble's probability one member gets (``model.ensemble_share`` at training,
stored in its checkpoint). Members without one split what the shares leave equally. So a deterministic
linear probe can weigh 0.5 beside eight seeds of the temporal model without being copied eight times.
With no shares the combination is the plain mean, bit for bit what it was before shares existed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

import numpy as np
import torch

from vidcls.errors import VidclsError

Probs = TypeVar("Probs", torch.Tensor, np.ndarray)


def member_weights(shares: Sequence[float | None], names: Sequence[str] | None = None) -> np.ndarray | None:
    """Each member's weight (summing to 1) from its share; ``None`` when no member has one (the plain mean)."""
    if all(s is None for s in shares):
        return None
    given = [float(s) for s in shares if s is not None]
    free = sum(s is None for s in shares)
    total = sum(given)
    if free == 0:
        return np.array([float(s) / total for s in shares])  # every member has a share: they set the ratios
    if total >= 1.0:
        named = ", ".join(f"{n}={s}" for n, s in zip(names or range(len(shares)), shares, strict=True) if s is not None)
        raise VidclsError(
            f"the checkpoints' ensemble shares sum to {total:g} ({named}), leaving nothing for the {free} member(s) "
            "without one. Ensemble fewer share-carrying checkpoints, or retrain them with a smaller "
            "model.ensemble_share."
        )
    rest = (1.0 - total) / free
    return np.array([rest if s is None else float(s) for s in shares])


def mean_over_members(probs: Probs, weights: np.ndarray | None) -> Probs:
    """``probs [M, ...]`` → the members' weighted mean ``[...]`` (the plain mean when ``weights`` is None)."""
    if weights is None:
        return probs.mean(0)
    shape = (len(weights),) + (1,) * (probs.ndim - 1)
    if isinstance(probs, torch.Tensor):
        w = torch.as_tensor(weights, dtype=probs.dtype, device=probs.device).reshape(shape)
        return (probs * w).sum(0)
    return (probs * weights.astype(probs.dtype).reshape(shape)).sum(0)
