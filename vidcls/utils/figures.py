"""The confusion-matrix figure, one drawing for TensorBoard during training and for eval reports.

Lives below both users (``vidcls.callbacks`` and ``vidcls.evaluation``) so neither imports the other.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.figure import Figure


def confusion_figure(matrix: Sequence[Sequence[int]], class_names: Sequence[str], title: str = "") -> Figure:
    """Counts and row share in each cell, colour = fraction of the true class (rows sum to 1)."""
    import matplotlib

    matplotlib.use("Agg", force=False)  # headless unless the caller already chose a backend
    import matplotlib.pyplot as plt

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
    if title:
        ax.set_title(title)
    for i in range(counts.shape[0]):
        for j in range(counts.shape[1]):
            color = "white" if fraction[i, j] > 0.5 else "black"
            ax.text(j, i, f"{counts[i, j]}\n{fraction[i, j]:.0%}", ha="center", va="center", color=color, fontsize=8)
    fig.tight_layout()
    return fig
