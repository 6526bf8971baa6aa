"""Report figures: reliability diagram, attention over time (matplotlib, headless); the confusion matrix is
:func:`vidcls.utils.figures.confusion_figure`, shared with the TensorBoard callback."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

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


def attention_figure(
    timestamps_s: np.ndarray,
    weights: np.ndarray,
    title: str,
    frames: np.ndarray | None = None,
    spans: Sequence[Mapping[str, Any]] | None = None,
) -> Figure:
    """Pooling weight of each sampled moment: which parts of the video drove the decision.

    With ``frames`` (``[t, h, w, 3]`` uint8, the thumbnails of the frames the model saw, see
    :mod:`vidcls.inference.frames`) a strip of them sits above the bars, each over its own moment; the
    three most attended are framed in the bars' colour. With ``spans`` (a timeline's
    ``{start_s, end_s, predicted}``, :mod:`vidcls.inference.timeline`) each span is a background band
    in its class's colour, named in the legend; each window's weights then sum to 1 on their own.
    """
    timestamps_s = np.asarray(timestamps_s, dtype=np.float64)
    weights = np.asarray(weights, dtype=np.float64)
    width = float(np.median(np.diff(timestamps_s))) * 0.8 if timestamps_s.size > 1 else 0.5
    if frames is None or len(frames) != weights.size:
        fig, ax = plt.subplots(figsize=(7, 2.8))
        ax.set_title(title)
    else:
        span = float(np.ptp(timestamps_s)) + 2 * width if timestamps_s.size else 1.0
        fig_w = min(24.0, max(7.0, 0.3 * weights.size))
        aspect = frames.shape[1] / max(1, frames.shape[2])
        strip_h = float(np.clip(0.85 * fig_w * width / span * aspect, 0.3, 2.0))
        fig, (strip, ax) = plt.subplots(
            2, 1, sharex=True, figsize=(fig_w, 2.8 + strip_h), gridspec_kw={"height_ratios": [strip_h, 2.2]}
        )
        top = set(np.argsort(weights)[-3:].tolist())
        for i, (t, image) in enumerate(zip(timestamps_s, frames, strict=True)):
            strip.imshow(image, extent=(t - width / 2, t + width / 2, 0, 1), aspect="auto", interpolation="nearest")
            if i in top:
                strip.add_patch(
                    plt.Rectangle((t - width / 2, 0), width, 1, fill=False, edgecolor="tab:orange", linewidth=2)
                )
        strip.set_ylim(0, 1)
        strip.set_yticks([])
        strip.set_title(title)
        strip.set_xlim(timestamps_s.min() - width, timestamps_s.max() + width)
    if spans:
        _span_bands(ax, spans)
    ax.bar(timestamps_s, weights, width=width, color="tab:orange")
    ax.axhline(1.0 / max(1, weights.size), color="grey", linestyle="--", linewidth=1, label="uniform")
    ax.set_xlabel("time in video (s)")
    ax.set_ylabel("attention weight")
    ax.legend(loc="upper right", fontsize=8)
    fig.tight_layout()
    return fig


#: Background colours of a timeline's classes (matplotlib's pastel qualitative map, in first-seen order).
SPAN_COLOURS = plt.get_cmap("Pastel1").colors


def _span_bands(ax: Any, spans: Sequence[Mapping[str, Any]]) -> None:
    """One shaded band per span, coloured by its class (one legend entry per class)."""
    colours: dict[str, Any] = {}
    for span in spans:
        label = str(span["predicted"])
        named = label not in colours
        colour = colours.setdefault(label, SPAN_COLOURS[len(colours) % len(SPAN_COLOURS)])
        ax.axvspan(
            float(span["start_s"]),
            float(span["end_s"]),
            color=colour,
            alpha=0.8,
            zorder=0,
            linewidth=0,
            label=label if named else None,
        )


def close(fig: Figure) -> None:
    plt.close(fig)
