"""Render the confusion matrix as an image in TensorBoard after every validation (and the test) epoch."""

from __future__ import annotations

from collections.abc import Sequence

import lightning as L
import numpy as np
from lightning.pytorch.loggers import TensorBoardLogger


def confusion_figure(matrix: Sequence[Sequence[int]], class_names: Sequence[str], title: str = ""):
    """A matplotlib figure of a confusion matrix: counts in cells, colour by row-normalised recall."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    counts = np.asarray(matrix, dtype=np.int64)
    recall = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)
    size = 1.2 + 0.9 * len(class_names)
    fig, ax = plt.subplots(figsize=(size + 1.5, size), dpi=100)
    image = ax.imshow(recall, cmap="Blues", vmin=0.0, vmax=1.0)
    fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04, label="fraction of true class")
    ax.set_xticks(range(len(class_names)), labels=class_names, rotation=45, ha="right")
    ax.set_yticks(range(len(class_names)), labels=class_names)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    if title:
        ax.set_title(title)
    for i in range(counts.shape[0]):
        for j in range(counts.shape[1]):
            ax.text(j, i, str(counts[i, j]), ha="center", va="center", color="white" if recall[i, j] > 0.5 else "black")
    fig.tight_layout()
    return fig


class ConfusionMatrixLogger(L.Callback):
    """Reads ``pl_module.confusion[stage]`` (computed by VideoClassifier) and logs it as a figure.

    Runs in ``on_*_end``, which Lightning calls after the module's epoch-end hook has computed the
    matrix for the epoch that just finished.
    """

    def __init__(self, log_test: bool = True) -> None:
        self.log_test = log_test

    def _log(self, trainer: L.Trainer, pl_module: L.LightningModule, stage: str) -> None:
        matrix = getattr(pl_module, "confusion", {}).get(stage)
        if matrix is None or trainer.sanity_checking or not trainer.is_global_zero:
            return
        for logger in trainer.loggers:
            if isinstance(logger, TensorBoardLogger):
                import matplotlib.pyplot as plt

                fig = confusion_figure(matrix, pl_module.class_names, f"{stage} · epoch {trainer.current_epoch}")
                logger.experiment.add_figure(f"{stage}/confusion_matrix", fig, global_step=trainer.current_epoch)
                plt.close(fig)

    def on_validation_end(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        self._log(trainer, pl_module, "val")

    def on_test_end(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        if self.log_test:
            self._log(trainer, pl_module, "test")
