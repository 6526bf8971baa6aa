"""Report figures: confusion matrix, reliability diagram, attention over time (matplotlib, headless)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from vidcls.evaluation.metrics import Calibration
from vidcls.utils.io import atomic_path


def save_figure(fig: Figure, path: str | os.PathLike[str], dpi: int = 120) -> Path:
    """Write a PNG atomically (temp + rename) so a crashed run never leaves half an image."""
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=dpi, bbox_inches="tight", format="png")
    return Path(path)


def confusion_matrix_figure(matrix: Sequence[Sequence[int]], class_names: Sequence[str], title: str) -> Figure:
    """Counts in each cell, colour = fraction of the true class (rows sum to 1)."""
    counts = np.asarray(matrix, dtype=np.int64)
    rows = counts.sum(axis=1, keepdims=True)
    fraction = np.divide(counts, rows, out=np.zeros(counts.shape, dtype=np.float64), where=rows > 0)
    size = 1.2 + 0.9 * len(class_names)
    fig, ax = plt.subplots(figsize=(size + 1.5, size))
    image = ax.imshow(fraction, cmap="Blues", vmin=0.0, vmax=1.0)
    fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04, label="fraction of true class")
    ticks = np.arange(len(class_names))
    ax.set_xticks(ticks, labels=class_names, rotation=35, ha="right")
    ax.set_yticks(ticks, labels=class_names)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(title)
    for i in range(counts.shape[0]):
        for j in range(counts.shape[1]):
            color = "white" if fraction[i, j] > 0.5 else "black"
            ax.text(j, i, f"{counts[i, j]}\n{fraction[i, j]:.0%}", ha="center", va="center", color=color, fontsize=8)
    fig.tight_layout()
    return fig


def reliability_figure(curves: dict[str, Calibration], title: str = "Reliability diagram") -> Figure:
    """Accuracy vs confidence per bin for each named curve; the diagonal is perfect calibration."""
    fig, ax = plt.subplots(figsize=(5.5, 5))
    ax.plot([0, 1], [0, 1], linestyle="--", color="grey", linewidth=1, label="perfectly calibrated")
    for label, cal in curves.items():
        points = [(c, a) for c, a in zip(cal.bin_confidence, cal.bin_accuracy, strict=True) if c is not None]
        if points:
            conf, acc = zip(*points, strict=True)
            ax.plot(conf, acc, marker="o", label=f"{label} (ECE {cal.ece:.3f})")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("confidence (top-1 probability)")
    ax.set_ylabel("accuracy")
    ax.set_title(title)
    ax.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    return fig


def attention_figure(timestamps_s: np.ndarray, weights: np.ndarray, title: str) -> Figure:
    """Pooling weight of each sampled moment: which parts of the video drove the decision."""
    fig, ax = plt.subplots(figsize=(7, 2.8))
    timestamps_s = np.asarray(timestamps_s, dtype=np.float64)
    weights = np.asarray(weights, dtype=np.float64)
    width = float(np.median(np.diff(timestamps_s))) * 0.8 if timestamps_s.size > 1 else 0.5
    ax.bar(timestamps_s, weights, width=width, color="tab:orange")
    ax.axhline(1.0 / max(1, weights.size), color="grey", linestyle="--", linewidth=1, label="uniform")
    ax.set_xlabel("time in video (s)")
    ax.set_ylabel("attention weight")
    ax.set_title(title)
    ax.legend(loc="upper right", fontsize=8)
    fig.tight_layout()
    return fig


def close(fig: Figure) -> None:
    plt.close(fig)
