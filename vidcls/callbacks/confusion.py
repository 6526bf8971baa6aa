"""Render the confusion matrix as an image in TensorBoard after every validation (and the test) epoch."""

from __future__ import annotations

import lightning as L
from lightning.pytorch.loggers import TensorBoardLogger

from vidcls.utils.figures import confusion_figure


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
