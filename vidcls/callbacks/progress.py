"""Training progress that also reaches log files.

Lightning's rich bar draws nothing until the run ends when stderr is not a terminal (nohup, SLURM,
CI). :func:`progress_bar` (``conf/callbacks/default.yaml``) keeps the rich bar on a terminal and
otherwise installs :class:`PlainProgressBar`: one plain line at most every ``interval_s`` seconds
with epoch, step/total, steps/s, ETA and the progress-bar metrics.
"""

from __future__ import annotations

import sys
import time
from typing import Any

import lightning as L
from lightning.pytorch.callbacks import ProgressBar, RichProgressBar

from vidcls.utils.progress import format_duration, plain_line


def progress_bar(interval_s: float) -> ProgressBar:
    """The rich bar (on stderr) when stderr is a terminal, else plain lines every ``interval_s`` seconds."""
    if sys.stderr.isatty():
        return RichProgressBar(console_kwargs={"stderr": True})
    return PlainProgressBar(interval_s)


def _fmt(value: Any) -> str:
    try:
        return f"{float(value):.4g}"
    except (TypeError, ValueError):
        return str(value)


class PlainProgressBar(ProgressBar):
    """Plain, timed progress lines on stderr for training and testing (rank zero only)."""

    def __init__(self, interval_s: float) -> None:
        super().__init__()
        if interval_s <= 0:
            raise ValueError(f"interval_s must be > 0, got {interval_s}")
        self.interval_s = float(interval_s)
        self._enabled = True
        self._last = 0.0
        self._start = 0.0
        self._start_step = 0
        self._printed = False

    def disable(self) -> None:
        self._enabled = False

    def enable(self) -> None:
        self._enabled = True

    def _emit(self, trainer: L.Trainer, line: str) -> None:
        if self._enabled and trainer.is_global_zero:
            print(line, file=sys.stderr, flush=True)
            self._printed = True

    def _due(self) -> bool:
        now = time.monotonic()
        if now - self._last < self.interval_s:
            return False
        self._last = now
        return True

    def train_line(self, trainer: L.Trainer, pl_module: L.LightningModule) -> str:
        total = trainer.estimated_stepping_batches
        total = float(total) if total not in (None, float("inf")) else None
        line = plain_line(
            f"train epoch {trainer.current_epoch + 1}/{trainer.max_epochs}",
            trainer.global_step - self._start_step,
            total - self._start_step if total is not None else None,
            time.monotonic() - self._start,
            "steps",
        )
        metrics = {k: v for k, v in self.get_metrics(trainer, pl_module).items() if k != "v_num"}
        extra = ", ".join(f"{k} {_fmt(v)}" for k, v in metrics.items())
        line = line.replace(", eta ", ", eta to max_epochs ", 1)  # early stopping may end sooner
        return f"{line}, {extra}" if extra else line

    def on_train_start(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        self._start = self._last = time.monotonic()
        self._start_step = trainer.global_step
        self._printed = False

    def on_train_batch_end(self, trainer: L.Trainer, pl_module: L.LightningModule, *args: Any) -> None:
        if self._due():
            self._emit(trainer, self.train_line(trainer, pl_module))

    def on_validation_batch_end(self, trainer: L.Trainer, pl_module: L.LightningModule, *args: Any) -> None:
        if not trainer.sanity_checking and self._start and self._due():
            self._emit(trainer, self.train_line(trainer, pl_module) + " (validating)")

    def on_train_end(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        if self._printed:
            elapsed = format_duration(time.monotonic() - self._start)
            self._emit(trainer, f"train: stopped after {trainer.current_epoch} epoch(s), {elapsed}")

    def on_test_start(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        self._test_start = self._last = time.monotonic()

    def on_test_batch_end(self, trainer: L.Trainer, pl_module: L.LightningModule, *args: Any) -> None:
        if self._due():
            done = trainer.test_loop.batch_progress.current.completed
            total = sum(float(n) for n in trainer.num_test_batches)
            self._emit(trainer, plain_line("test", done, total, time.monotonic() - self._test_start, "batches"))
