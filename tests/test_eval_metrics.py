"""Metrics against hand computation, bootstrap CIs, calibration, member selection on val."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from vidcls.errors import VidclsError
from vidcls.evaluation import bootstrap_ci, bootstrap_indices, calibration, classification_metrics
from vidcls.evaluation.metrics import ece_if_calibrated
from vidcls.evaluation.runner import paired_difference, select_members, tta_modes
from vidcls.inference import Ensemble, Member
from vidcls.modules import MeanPoolBaseline

LABELS = np.array([0, 0, 0, 1, 1, 2, 2, 2, 2, 3])
PREDICTED = np.array([0, 0, 1, 1, 2, 2, 2, 0, 2, 1])


def test_metrics_equal_hand_computation() -> None:
    m = classification_metrics(LABELS, PREDICTED, 4)
    assert m.confusion_matrix == [[2, 1, 0, 0], [0, 1, 1, 0], [1, 0, 3, 0], [0, 1, 0, 0]]
    assert m.accuracy == pytest.approx(0.6)
    assert m.support == [3, 2, 4, 1]
    assert m.precision == pytest.approx([2 / 3, 1 / 3, 3 / 4, 0.0])
    assert m.recall == pytest.approx([2 / 3, 1 / 2, 3 / 4, 0.0])
    assert m.f1 == pytest.approx([2 / 3, 0.4, 0.75, 0.0])
    assert m.macro_f1 == pytest.approx((2 / 3 + 0.4 + 0.75 + 0.0) / 4)
    assert m.weighted_f1 == pytest.approx((3 * 2 / 3 + 2 * 0.4 + 4 * 0.75 + 0) / 10)  # 0.58
    assert m.macro_precision == pytest.approx(0.4375)
    assert m.macro_recall == pytest.approx((2 / 3 + 0.5 + 0.75) / 4)


def test_metrics_class_never_predicted_or_absent() -> None:
    m = classification_metrics(np.array([0, 0, 1]), np.array([0, 0, 0]), 3)
    assert m.precision == pytest.approx([2 / 3, 0.0, 0.0])  # undefined → 0, like sklearn's zero_division=0
    assert m.support == [2, 1, 0]
    assert m.weighted_f1 == pytest.approx(2 / 3 * 0.8)
    with pytest.raises(ValueError):
        classification_metrics(np.array([0, 1]), np.array([0]), 2)


def test_torchmetrics_path_keeps_the_numbers_of_the_numpy_one() -> None:
    """Values the former hand-written NumPy metrics gave on a fixed example (float32 rounding apart).

    Class 3 never occurs: its F1 of 0 still counts in the macro mean (scikit-learn's rule), which
    torchmetrics' own ``average="macro"`` would skip.
    """
    rng = np.random.default_rng(17)
    probs = rng.dirichlet(np.full(4, 0.7), size=60)
    labels = rng.integers(0, 3, 60)
    m = classification_metrics(labels, probs.argmax(axis=1), 4)
    assert m.confusion_matrix == [[8, 7, 9, 4], [6, 2, 2, 7], [5, 2, 3, 5], [0, 0, 0, 0]]
    old = (0.21666666666666667, 0.1725448066240436, 0.25106557663417534, 0.20428913192071088, 0.1508403361344538)
    assert (m.accuracy, m.macro_f1, m.weighted_f1, m.macro_precision, m.macro_recall) == pytest.approx(old, abs=1e-7)
    cal = calibration(probs, labels, num_bins=15)
    assert cal.ece == pytest.approx(0.4365218423920143, abs=1e-6)
    assert cal.bin_count == [0, 0, 0, 0, 2, 5, 9, 8, 14, 2, 5, 10, 3, 2, 0]


def test_bootstrap_ci_is_deterministic_and_sane() -> None:
    rng = np.random.default_rng(0)
    correct = (rng.random(400) < 0.9).astype(float)
    boot = bootstrap_indices(400, 1000, seed=3)
    assert np.array_equal(boot, bootstrap_indices(400, 1000, seed=3))
    low, high = bootstrap_ci(correct, boot, 0.95)
    assert (low, high) == bootstrap_ci(correct, bootstrap_indices(400, 1000, seed=3), 0.95)
    assert low < correct.mean() < high
    # ~±2.9 points for p=0.9, n=400: a 0.5-point difference is well inside the noise.
    assert 0.04 < high - low < 0.08
    assert (low, high) != bootstrap_ci(correct, bootstrap_indices(400, 1000, seed=4), 0.95)
    narrow = bootstrap_ci(correct, boot, 0.5)
    assert low < narrow[0] < narrow[1] < high
    assert bootstrap_ci(np.ones(50), bootstrap_indices(50, 200, 0)) == (1.0, 1.0)


def test_paired_difference_flags_noise_and_real_gaps() -> None:
    rng = np.random.default_rng(1)
    a = rng.random(400) < 0.9
    b = a.copy()
    b[np.flatnonzero(a)[:2]] = False  # b is 0.5 points worse
    boot = bootstrap_indices(400, 1000, seed=0)
    small = paired_difference(a, b, boot, 0.95)
    assert small["difference"] == pytest.approx(0.005)
    assert small["ci"][0] >= 0.0 and not small["significant"]  # a lower bound of 0: not a proven gain
    c = a.copy()
    c[np.flatnonzero(a)[:60]] = False  # 15 points worse
    assert paired_difference(a, c, boot, 0.95)["significant"]


def test_calibration_hand_computed() -> None:
    probs = np.array(
        [[0.9, 0.05, 0.05], [0.8, 0.1, 0.1], [0.2, 0.6, 0.2], [0.4, 0.3, 0.3], [0.3, 0.3, 0.4]],
    )
    labels = np.array([0, 1, 1, 0, 0])
    cal = calibration(probs, labels, num_bins=2)
    # bin (0, .5]: conf .4, acc .5 (2 videos); bin (.5, 1]: conf .7667, acc .6667 (3 videos)
    assert cal.bin_count == [2, 3]
    assert cal.bin_confidence == pytest.approx([0.4, (0.9 + 0.8 + 0.6) / 3])
    assert cal.bin_accuracy == pytest.approx([0.5, 2 / 3])
    assert cal.ece == pytest.approx(0.1)
    perfect = calibration(np.array([[1.0, 0.0], [0.0, 1.0]]), np.array([0, 1]), num_bins=10)
    assert perfect.ece == pytest.approx(0.0) and perfect.bin_count[-1] == 2


def _ensemble(num: int) -> Ensemble:
    members = [
        Member(name=f"m{i}", model=MeanPoolBaseline(4, 8, 2), path=Path(f"m{i}"), feature_dim=4, class_names=["x", "y"])
        for i in range(num)
    ]
    return Ensemble(members)


def test_ece_if_calibrated_separates_chance_from_real_miscalibration() -> None:
    rng = np.random.default_rng(1)
    n = 150
    top = rng.uniform(0.4, 0.95, n)
    probs = np.stack([top, 1 - top], axis=1)
    calibrated = np.where(rng.random(n) < top, 0, 1)  # right exactly as often as the model says
    check = ece_if_calibrated(probs, calibrated)
    assert check["observed"] == pytest.approx(calibration(probs, calibrated).ece, abs=1e-6)  # same bins
    # small sets: a calibrated model's ECE is well above 0, and this one sits inside its own range
    assert 0.03 < check["mean"] < 0.12 and check["range"][0] <= check["observed"] <= check["range"][1]
    assert check["p_value"] > 0.05
    overconfident = np.where(rng.random(n) < top - 0.25, 0, 1)
    assert ece_if_calibrated(probs, overconfident)["p_value"] < 0.01
    # the range shrinks as the set grows (the bias is a small-sample effect)
    big = np.repeat(probs, 20, axis=0)
    big_check = ece_if_calibrated(big, np.where(rng.random(len(big)) < big[:, 0], 0, 1))
    assert big_check["mean"] < check["mean"] / 3
    assert ece_if_calibrated(probs, calibrated) == check  # seeded


def test_select_members_on_val_accuracy() -> None:
    ensemble = _ensemble(3)
    labels = np.array([0, 1, 0, 1])
    onehot = np.eye(2)
    probs = np.stack(
        [onehot[[0, 1, 1, 1]], onehot[[0, 1, 0, 1]], onehot[[1, 0, 1, 1]]]  # val acc .75, 1.0, .25
    )
    keep, acc = select_members(ensemble, probs, labels, top_k=2, min_accuracy=None)
    assert keep == ["m0", "m1"] and acc == pytest.approx({"m0": 0.75, "m1": 1.0, "m2": 0.25})
    assert select_members(ensemble, probs, labels, None, 0.5)[0] == ["m0", "m1"]
    assert select_members(ensemble, probs, labels, 1, 0.5)[0] == ["m1"]
    with pytest.raises(VidclsError, match="no member reaches"):
        select_members(ensemble, probs, labels, None, 1.01)
    with pytest.raises(VidclsError, match=">= 1"):
        select_members(ensemble, probs, labels, 0, None)


def test_tta_modes_always_include_the_plain_pass() -> None:
    assert tta_modes(["original"]) == {"no_tta": ["original"]}
    assert tta_modes(["original", "reversed"]) == {"no_tta": ["original"], "tta": ["original", "reversed"]}


def test_ensemble_of_identical_members_equals_member() -> None:
    ensemble = _ensemble(2)
    ensemble.members[1].model.load_state_dict(ensemble.members[0].model.state_dict())
    x, lengths = torch.randn(3, 5, 4), torch.tensor([5, 2, 4])
    out = ensemble.predict(x, lengths)
    torch.testing.assert_close(out.probs, out.member_probs[0])


def test_one_confusion_figure_for_tensorboard_and_reports() -> None:
    """The training callback and the eval report draw the same figure: count and row share per cell."""
    import matplotlib.pyplot as plt

    from vidcls.callbacks import confusion as callback
    from vidcls.evaluation import runner
    from vidcls.utils.figures import confusion_figure

    assert callback.confusion_figure is runner.confusion_figure is confusion_figure
    fig = confusion_figure([[2, 1], [0, 0]], ["a", "b"], "t")
    assert [t.get_text() for t in fig.axes[0].texts] == ["2\n67%", "1\n33%", "0\n0%", "0\n0%"]
    plt.close(fig)
