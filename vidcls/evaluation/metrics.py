"""Classification metrics, bootstrap confidence intervals and calibration, in plain NumPy.

Definitions follow scikit-learn's: per-class precision/recall/F1 with 0 where undefined, macro =
unweighted mean over classes, weighted = mean weighted by true support.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np


@dataclass
class ClassificationMetrics:
    accuracy: float
    macro_f1: float
    weighted_f1: float
    macro_precision: float
    macro_recall: float
    precision: list[float]
    recall: list[float]
    f1: list[float]
    support: list[int]
    confusion_matrix: list[list[int]]  # rows: true class, columns: predicted class

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def confusion_matrix(labels: np.ndarray, predicted: np.ndarray, num_classes: int) -> np.ndarray:
    matrix = np.zeros((num_classes, num_classes), dtype=np.int64)
    np.add.at(matrix, (np.asarray(labels, dtype=np.int64), np.asarray(predicted, dtype=np.int64)), 1)
    return matrix


def _safe_divide(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    out = np.zeros_like(num, dtype=np.float64)
    np.divide(num, den, out=out, where=den > 0)
    return out


def classification_metrics(labels: np.ndarray, predicted: np.ndarray, num_classes: int) -> ClassificationMetrics:
    labels = np.asarray(labels, dtype=np.int64)
    predicted = np.asarray(predicted, dtype=np.int64)
    if labels.shape != predicted.shape or labels.ndim != 1 or labels.size == 0:
        raise ValueError(f"need equal-length non-empty 1-D labels/predictions, got {labels.shape}, {predicted.shape}")
    matrix = confusion_matrix(labels, predicted, num_classes)
    true_positive = np.diag(matrix).astype(np.float64)
    support = matrix.sum(axis=1)
    predicted_count = matrix.sum(axis=0)
    precision = _safe_divide(true_positive, predicted_count.astype(np.float64))
    recall = _safe_divide(true_positive, support.astype(np.float64))
    f1 = _safe_divide(2 * precision * recall, precision + recall)
    return ClassificationMetrics(
        accuracy=float(true_positive.sum() / labels.size),
        macro_f1=float(f1.mean()),
        weighted_f1=float((f1 * support).sum() / support.sum()),
        macro_precision=float(precision.mean()),
        macro_recall=float(recall.mean()),
        precision=precision.tolist(),
        recall=recall.tolist(),
        f1=f1.tolist(),
        support=support.tolist(),
        confusion_matrix=matrix.tolist(),
    )


def bootstrap_indices(num_items: int, num_samples: int, seed: int) -> np.ndarray:
    """``[num_samples, num_items]`` resampled row indices (with replacement), reproducible from ``seed``.

    Share one draw across models so their intervals and differences are paired on the same resamples.
    """
    return np.random.default_rng(seed).integers(0, num_items, size=(num_samples, num_items))


def bootstrap_ci(values: np.ndarray, indices: np.ndarray, confidence: float = 0.95) -> tuple[float, float]:
    """Percentile interval for the mean of per-video ``values`` (e.g. 1/0 correctness) over videos."""
    values = np.asarray(values, dtype=np.float64)
    means = values[indices].mean(axis=1)
    alpha = (1.0 - confidence) / 2
    low, high = np.quantile(means, [alpha, 1.0 - alpha])
    return float(low), float(high)


@dataclass
class Calibration:
    ece: float
    bin_edges: list[float]
    bin_confidence: list[float | None]
    bin_accuracy: list[float | None]
    bin_count: list[int]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def calibration(probs: np.ndarray, labels: np.ndarray, num_bins: int = 15) -> Calibration:
    """Expected calibration error of the top-1 confidence over equal-width bins, and the reliability bins."""
    probs = np.asarray(probs, dtype=np.float64)
    labels = np.asarray(labels, dtype=np.int64)
    confidence = probs.max(axis=1)
    correct = (probs.argmax(axis=1) == labels).astype(np.float64)
    edges = np.linspace(0.0, 1.0, num_bins + 1)
    # Bin (lo, hi]; confidence 0 cannot occur for a softmax but clip keeps it in the first bin.
    bins = np.clip(np.searchsorted(edges, confidence, side="left") - 1, 0, num_bins - 1)
    ece = 0.0
    bin_conf: list[float | None] = []
    bin_acc: list[float | None] = []
    counts: list[int] = []
    for b in range(num_bins):
        in_bin = bins == b
        count = int(in_bin.sum())
        counts.append(count)
        if count == 0:
            bin_conf.append(None)
            bin_acc.append(None)
            continue
        conf_b, acc_b = float(confidence[in_bin].mean()), float(correct[in_bin].mean())
        bin_conf.append(conf_b)
        bin_acc.append(acc_b)
        ece += count / labels.size * abs(acc_b - conf_b)
    return Calibration(
        ece=float(ece), bin_edges=edges.tolist(), bin_confidence=bin_conf, bin_accuracy=bin_acc, bin_count=counts
    )
