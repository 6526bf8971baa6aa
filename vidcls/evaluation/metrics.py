"""Classification metrics, bootstrap confidence intervals and calibration for eval.py and cv.py.

The counts and per-class numbers come from torchmetrics' functional API, the library training logs
with (``vidcls/modules/classifier.py``): confusion matrix, accuracy, per-class precision/recall/F1
(0 where undefined) and the expected calibration error. The averages follow scikit-learn: macro =
unweighted mean over *all* classes (torchmetrics' own ``average="macro"`` skips a class absent from
both labels and predictions, so a split without some class would score higher), weighted = mean
weighted by true support. The bootstrap (paired across models) is NumPy.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import torch
import torchmetrics.functional.classification as tmf


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


def _tensors(labels: np.ndarray, predicted: np.ndarray) -> tuple[torch.Tensor, torch.Tensor]:
    labels = np.asarray(labels, dtype=np.int64)
    predicted = np.asarray(predicted, dtype=np.int64)
    if labels.shape != predicted.shape or labels.ndim != 1 or labels.size == 0:
        raise ValueError(f"need equal-length non-empty 1-D labels/predictions, got {labels.shape}, {predicted.shape}")
    return torch.from_numpy(labels), torch.from_numpy(predicted)


def confusion_matrix(labels: np.ndarray, predicted: np.ndarray, num_classes: int) -> np.ndarray:
    """``[C, C]`` counts, rows = true class, columns = predicted class."""
    target, preds = _tensors(labels, predicted)
    return tmf.multiclass_confusion_matrix(preds, target, num_classes).numpy().astype(np.int64)


def classification_metrics(labels: np.ndarray, predicted: np.ndarray, num_classes: int) -> ClassificationMetrics:
    target, preds = _tensors(labels, predicted)
    matrix = confusion_matrix(labels, predicted, num_classes)
    per_class = {
        name: fn(preds, target, num_classes, average=None).double().numpy()
        for name, fn in (
            ("precision", tmf.multiclass_precision),
            ("recall", tmf.multiclass_recall),
            ("f1", tmf.multiclass_f1_score),
        )
    }
    support = matrix.sum(axis=1)
    precision, recall, f1 = per_class["precision"], per_class["recall"], per_class["f1"]
    return ClassificationMetrics(
        accuracy=float(tmf.multiclass_accuracy(preds, target, num_classes, average="micro")),
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


def nll(probs: np.ndarray, labels: np.ndarray) -> float:
    """Mean negative log-likelihood of the true class (probabilities clipped at 1e-12)."""
    return float(-np.log(np.clip(probs[np.arange(len(labels)), labels], 1e-12, None)).mean())


def confidence_bins(confidence: torch.Tensor, num_bins: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Equal-width bin edges over [0, 1] and each confidence's bin (``[lo, hi)``, 1.0 in the top bin): the one
    binning of the reliability diagram and of :func:`ece_if_calibrated`, so both cut at the same edges."""
    edges = torch.linspace(0.0, 1.0, num_bins + 1, dtype=torch.float64)
    return edges, (torch.bucketize(confidence, edges, right=True) - 1).clamp(0, num_bins - 1)


def calibration(probs: np.ndarray, labels: np.ndarray, num_bins: int = 15) -> Calibration:
    """Expected calibration error of the top-1 confidence (torchmetrics, ``norm="l1"``) over equal-width
    bins, and the reliability bins for the diagram.

    Bins are ``[lo, hi)`` as torchmetrics cuts them; a confidence of exactly 1.0 is drawn in the top
    bin (torchmetrics scores it as a bin of its own, so ECE and the drawn bins differ only then).
    """
    probs_t = torch.as_tensor(np.asarray(probs, dtype=np.float64))
    target = torch.as_tensor(np.asarray(labels, dtype=np.int64))
    ece = tmf.multiclass_calibration_error(probs_t, target, probs_t.shape[1], n_bins=num_bins, norm="l1")
    confidence, predicted = probs_t.max(dim=1)
    correct = (predicted == target).double()
    edges, bins = confidence_bins(confidence, num_bins)
    counts = torch.bincount(bins, minlength=num_bins)
    conf_sum = torch.zeros(num_bins, dtype=torch.float64).scatter_add_(0, bins, confidence)
    acc_sum = torch.zeros(num_bins, dtype=torch.float64).scatter_add_(0, bins, correct)
    filled = [int(c) > 0 for c in counts]
    return Calibration(
        ece=float(ece),
        bin_edges=edges.tolist(),
        bin_confidence=[float(v / c) if f else None for v, c, f in zip(conf_sum, counts, filled, strict=True)],
        bin_accuracy=[float(v / c) if f else None for v, c, f in zip(acc_sum, counts, filled, strict=True)],
        bin_count=counts.tolist(),
    )


def ece_if_calibrated(
    probs: np.ndarray,
    labels: np.ndarray,
    num_bins: int = 15,
    draws: int = 2000,
    seed: int = 0,
    confidence: float = 0.95,
) -> dict[str, Any]:
    """What the ECE of ``probs`` would be if they were perfectly calibrated, on this many clips.

    Why: ECE over equal-width bins is biased upward on small sets (each bin's accuracy is a noisy
    count), so a model whose probabilities are exactly right still scores, e.g., ~0.08 on 155 clips.
    Each draw keeps every clip's top-1 confidence and makes it right with that probability; the
    observed ECE is then compared with these draws: ``p_value`` is the share of draws at least as
    large (small: the miscalibration is real; large: it is what chance alone gives). Clips are taken as
    independent; clips cut from one recording are not, so the true range is wider still.
    """
    probs = np.asarray(probs, dtype=np.float64)
    labels = np.asarray(labels, dtype=np.int64)
    top = probs.max(axis=1)
    correct = (probs.argmax(axis=1) == labels).astype(np.float64)
    bins = confidence_bins(torch.as_tensor(top), num_bins)[1].numpy()
    one_hot = np.eye(num_bins)[bins]  # [N, bins]

    def binned_ece(hits: np.ndarray) -> np.ndarray:  # hits [..., N] -> ECE per row
        return np.abs((hits - top) @ one_hot).sum(axis=-1) / len(top)

    rng = np.random.default_rng(seed)
    chunk = max(1, 2_000_000 // max(len(top), 1))  # draws per block: about 16 MB of hits at a time
    null = np.concatenate(
        [
            binned_ece((rng.random((min(chunk, draws - k), len(top))) < top).astype(np.float64))
            for k in range(0, draws, chunk)
        ]
    )
    observed = float(binned_ece(correct))
    alpha = (1 - confidence) / 2
    return {
        "observed": observed,
        "mean": float(null.mean()),
        "range": [float(v) for v in np.quantile(null, [alpha, 1 - alpha])],
        "p_value": float((null >= observed - 1e-12).mean()),
        "draws": int(draws),
    }
