"""The pieces :mod:`vidcls.tasks.train` puts in order: instantiation, resume and DDP checks, calibration, hparams.

Kept apart from the task so ``eval.py`` (``instantiate_checked``) and ``cv.py`` reuse them without the task.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import lightning as L
import torch
from hydra.errors import InstantiationException
from hydra.utils import instantiate
from lightning.pytorch.callbacks import Callback, DeviceStatsMonitor, LearningRateMonitor, ModelCheckpoint
from lightning.pytorch.loggers import TensorBoardLogger
from lightning.pytorch.plugins.io import TorchCheckpointIO
from lightning.pytorch.utilities import rank_zero_info, rank_zero_warn
from omegaconf import DictConfig

from vidcls.datamodules import FeatureDataModule
from vidcls.errors import VidclsError
from vidcls.utils.config import to_plain
from vidcls.utils.io import atomic_path


def instantiate_checked(cfg: Any, **kwargs: Any) -> Any:
    """``hydra.utils.instantiate`` that lets a :class:`VidclsError` from the target through unwrapped."""
    try:
        return instantiate(cfg, **kwargs)
    except InstantiationException as err:
        cause = err.__cause__
        if isinstance(cause, VidclsError):
            raise cause from None
        raise


def instantiate_group(group: DictConfig | None) -> list[Any]:
    """Every ``_target_`` entry of a group like ``callbacks`` or ``logger`` (null entries skipped)."""
    if not group:
        return []
    return [instantiate_checked(entry) for entry in group.values() if entry and "_target_" in entry]


#: Lightning callbacks that refuse to run without a logger; ``logger=none`` skips them.
CALLBACKS_NEEDING_A_LOGGER: tuple[type[Callback], ...] = (LearningRateMonitor, DeviceStatsMonitor)


def drop_callbacks_needing_logger(callbacks: list[Any], loggers: list[Any]) -> list[Any]:
    """Without a logger, leave out the callbacks that would stop the run, saying so in one line."""
    if loggers:
        return callbacks
    skipped = [c for c in callbacks if isinstance(c, CALLBACKS_NEEDING_A_LOGGER)]
    if skipped:
        names = ", ".join(type(c).__name__ for c in skipped)
        rank_zero_warn(f"no logger configured (logger=none): skipping {names}, which needs a logger.")
    return [c for c in callbacks if c not in skipped]


def check_resume_checkpoint(ckpt_path: str | os.PathLike[str], datamodule: FeatureDataModule) -> None:
    """A checkpoint to resume from must exist and match the data's classes and feature dim."""
    path = Path(ckpt_path)
    if not path.is_file():
        raise VidclsError(f"ckpt_path={path} does not exist. Point it at a run's checkpoints/last.ckpt.")
    # The reader eval/predict/app/calibrate use: a file that would run code is refused in the same words.
    from vidcls.inference.checkpoints import read_checkpoint  # inference sits after training (architecture.md)

    ckpt = read_checkpoint(path, setting="ckpt_path")
    hparams = ckpt.get("hyper_parameters") if isinstance(ckpt, dict) else None
    if not isinstance(hparams, dict):
        raise VidclsError(
            f"{path} is not a checkpoint written by train.py (no hyper_parameters). Point ckpt_path at a run's "
            "checkpoints/last.ckpt."
        )
    if hparams.get("feature_dim") != datamodule.feature_dim or hparams.get("class_names") != datamodule.class_names:
        raise VidclsError(
            f"{path} was trained on feature_dim={hparams.get('feature_dim')} classes={hparams.get('class_names')}, "
            f"but the data has feature_dim={datamodule.feature_dim} classes={datamodule.class_names}. "
            "Resume with the same feature files, or start a new run without ckpt_path."
        )


class AtomicCheckpointIO(TorchCheckpointIO):
    """Each checkpoint written to a hidden sibling file, then renamed over the old one.

    Lightning's own write goes through a file in the system's temporary directory; where that is
    another filesystem (a tmpfs ``/tmp``), its final move is a copy that a kill can cut short,
    leaving a truncated ``last.ckpt`` no resume can read. A sibling's rename is atomic.
    """

    def save_checkpoint(self, checkpoint: dict[str, Any], path: Any, storage_options: Any | None = None) -> None:
        if storage_options is not None or "://" in str(path):  # remote storage: Lightning's own way
            super().save_checkpoint(checkpoint, path, storage_options)
            return
        # A kill -9 mid-write leaves atomic_path's temp (named by the dead pid): remove such leftovers first.
        for stale in Path(path).parent.glob(f".{Path(path).name}.*.tmp"):
            stale.unlink(missing_ok=True)
        with atomic_path(path) as tmp:
            torch.save(checkpoint, tmp)


def trainer_plugins(trainer_cfg: DictConfig) -> dict[str, Any]:
    """``plugins=`` for the Trainer: atomic checkpoint writes, unless the config brings its own plugins."""
    return {} if trainer_cfg.get("plugins") else {"plugins": [AtomicCheckpointIO()]}


def slurm_runs_ddp_tasks(cfg: DictConfig) -> bool:
    """True when SLURM started one task per device of this DDP run (as Lightning requires to use them)."""
    from lightning.fabric.plugins.environments import SLURMEnvironment

    devices, nodes = cfg.trainer.get("devices", 1), cfg.trainer.get("num_nodes", 1)
    if not SLURMEnvironment.detect() or not isinstance(devices, int) or not isinstance(nodes, int):
        return False
    return int(os.environ.get("SLURM_NTASKS", "0")) == devices * nodes


def check_not_nested_ddp(cfg: DictConfig) -> None:
    """DDP re-launches the script per device; inside a Hydra multirun those launches would collide.

    Under SLURM (``hydra/launcher=slurm_ddp``) srun starts one task per device and Lightning's
    SLURMEnvironment joins them without re-launching anything, so that case is allowed.
    """
    if slurm_runs_ddp_tasks(cfg):
        return
    try:
        from hydra.core.hydra_config import HydraConfig
        from hydra.types import RunMode

        multirun = HydraConfig.initialized() and HydraConfig.get().mode == RunMode.MULTIRUN
    except ValueError:
        multirun = False
    strategy = str(cfg.trainer.get("strategy", "auto"))
    devices = cfg.trainer.get("devices", 1)
    if multirun and strategy.startswith("ddp") and devices not in (1, "1", [0]):
        raise VidclsError(
            "trainer=ddp inside a multirun (-m) is not supported: run sweep members one per GPU instead, e.g. "
            "`CUDA_VISIBLE_DEVICES=$i python train.py trainer=gpu seed=$i ...`, or under SLURM with "
            "hydra/launcher=slurm_ddp (see docs/scaling.md)."
        )


def best_checkpoint(trainer: L.Trainer, cfg: DictConfig) -> str | None:
    """The checkpoint to test and report: the given one when not training, else the best saved."""
    if not cfg.get("train", True):
        return cfg.get("ckpt_path")
    checkpoint = trainer.checkpoint_callback if isinstance(trainer.checkpoint_callback, ModelCheckpoint) else None
    return checkpoint.best_model_path if checkpoint is not None and checkpoint.best_model_path else None


def scalar_metrics(metrics: Mapping[str, Any]) -> dict[str, float]:
    """The one-number entries of ``trainer.callback_metrics`` as floats (what metrics.json and sweepers read)."""
    return {
        k: float(v) for k, v in metrics.items() if isinstance(v, int | float) or getattr(v, "numel", lambda: 0)() == 1
    }


def fit_checkpoint_temperature(trainer: L.Trainer, datamodule: FeatureDataModule) -> dict[str, Any] | None:
    """Fit the best checkpoint's temperature on the val split and store it in the checkpoint (``calibrate``)."""
    from vidcls.inference.calibration import calibrate_checkpoint, summary_line

    checkpoint = trainer.checkpoint_callback if isinstance(trainer.checkpoint_callback, ModelCheckpoint) else None
    if checkpoint is None or not checkpoint.best_model_path:
        rank_zero_warn("calibrate=true but no best checkpoint was saved; no temperature fitted.")
        return None
    stats = calibrate_checkpoint(checkpoint.best_model_path, datamodule.check_split("val"))
    rank_zero_info(summary_line(stats))
    return stats


def log_final_hparams(trainer: L.Trainer, cfg: DictConfig, metrics: Mapping[str, float]) -> None:
    """One hparams entry per run in TensorBoard, with the final metrics as its columns."""
    params = {
        "model": to_plain(cfg.model),
        "data": {k: v for k, v in to_plain(cfg.data).items() if not k.endswith("_file")},
        "trainer": {k: cfg.trainer.get(k) for k in ("max_epochs", "precision", "gradient_clip_val", "accelerator")},
        "seed": cfg.get("seed"),
    }
    final = {
        f"final/{key.replace('/', '_')}": value
        for key, value in metrics.items()
        if key in ("val/acc_best", "test/acc", "test/f1_macro", "test/f1_weighted", "test/loss")
    }
    for logger in trainer.loggers:
        if isinstance(logger, TensorBoardLogger):
            logger.log_hyperparams(params, metrics=final or None)
        else:
            logger.log_hyperparams(params)
        logger.save()
