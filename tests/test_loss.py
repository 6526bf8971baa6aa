"""FocalLoss identities and the class-weight rule (issue 2: loss)."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F

from vidcls.errors import VidclsError
from vidcls.modules import FocalLoss, class_weights_from_labels
from vidcls.modules.classifier import resolve_alpha


def test_plain_settings_equal_cross_entropy() -> None:
    torch.manual_seed(0)
    logits, target = torch.randn(16, 4), torch.randint(0, 4, (16,))
    loss = FocalLoss(gamma=0.0, label_smoothing=0.0, alpha=None)(logits, target)
    torch.testing.assert_close(loss, F.cross_entropy(logits, target))


def test_gamma_zero_with_smoothing_equals_smoothed_cross_entropy() -> None:
    """Our smoothing puts ε/(C−1) off-target (the predecessor's), torch's puts ε/C everywhere: compare by hand."""
    torch.manual_seed(1)
    logits, target = torch.randn(8, 4), torch.randint(0, 4, (8,))
    eps = 0.1
    q = torch.full((8, 4), eps / 3).scatter_(1, target[:, None], 1 - eps)
    expected = -(q * F.log_softmax(logits, dim=1)).sum(dim=1).mean()
    torch.testing.assert_close(FocalLoss(gamma=0.0, label_smoothing=eps)(logits, target), expected)


def test_hand_computed_value() -> None:
    logits = torch.tensor([[math.log(0.5), math.log(0.25), math.log(0.25)]])
    target = torch.tensor([0])
    # q = [0.8, 0.1, 0.1]; p = [0.5, 0.25, 0.25]; γ = 2
    expected = 0.8 * 0.5**2 * -math.log(0.5) + 2 * 0.1 * 0.75**2 * -math.log(0.25)
    value = FocalLoss(gamma=2.0, label_smoothing=0.2)(logits, target)
    assert value.item() == pytest.approx(expected, rel=1e-6)


def test_focal_term_down_weights_easy_examples() -> None:
    confident = torch.tensor([[6.0, 0.0, 0.0]])
    unsure = torch.tensor([[0.5, 0.0, 0.0]])
    target = torch.tensor([0])
    focal, ce = FocalLoss(gamma=2.0, label_smoothing=0.0), FocalLoss(gamma=0.0, label_smoothing=0.0)
    assert focal(confident, target) / ce(confident, target) < focal(unsure, target) / ce(unsure, target)


def test_alpha_weights_each_row_by_its_class() -> None:
    torch.manual_seed(2)
    logits, target = torch.randn(6, 3), torch.tensor([0, 1, 2, 0, 1, 2])
    alpha = torch.tensor([1.0, 2.0, 0.5])
    per_row = F.cross_entropy(logits, target, reduction="none")
    expected = (alpha[target] * per_row).mean()
    torch.testing.assert_close(FocalLoss(gamma=0.0, label_smoothing=0.0, alpha=alpha)(logits, target), expected)


def test_loss_is_float32_and_finite_for_half_logits() -> None:
    logits = (torch.randn(4, 4) * 30).half()
    loss = FocalLoss()(logits, torch.tensor([0, 1, 2, 3]))
    assert loss.dtype == torch.float32 and torch.isfinite(loss)


def test_class_weights_rule_and_clamp() -> None:
    labels = [0] * 60 + [1] * 30 + [2] * 9 + [3] * 1
    weights = class_weights_from_labels(labels, 4)
    # N / (C · count): 100/240, 100/120, 100/36, 100/4 → clamped to [0.5, 10]
    torch.testing.assert_close(weights, torch.tensor([0.5, 100 / 120, 100 / 36, 10.0]))


def test_resolve_alpha_modes() -> None:
    assert resolve_alpha("auto", [10, 10, 20], 3) == pytest.approx([40 / 30, 40 / 30, 40 / 60])
    assert resolve_alpha(None, [1, 1], 2) is None
    assert resolve_alpha("none", [1, 1], 2) is None
    assert resolve_alpha([1, 2], None, 2) == [1.0, 2.0]
    with pytest.raises(VidclsError, match="3 classes"):
        resolve_alpha([1, 2], None, 3)
    with pytest.raises(VidclsError, match="auto"):
        resolve_alpha("balanced", [1, 1], 2)
