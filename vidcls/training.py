"""The training task behind ``train.py``: config → data → model → fit → test best → metrics.json."""

from __future__ import annotations

import json
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
from lightning.pytorch.utilities import rank_zero_info, rank_zero_warn
from omegaconf import DictConfig, OmegaConf

from vidcls.datamodules import FeatureDataModule
from vidcls.errors import VidclsError
from vidcls.modules import VideoClassifier
from vidcls.utils.cli import seed_from_config
from vidcls.utils.io import atomic_write_text


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
    try:
        hparams = torch.load(path, map_location="cpu", weights_only=True).get("hyper_parameters", {})
    except Exception as err:  # any unreadable file is the same user error
        raise VidclsError(f"cannot read checkpoint {path} ({err}). Is it a vidcls .ckpt file?") from None
    if hparams.get("feature_dim") != datamodule.feature_dim or hparams.get("class_names") != datamodule.class_names:
        raise VidclsError(
            f"{path} was trained on feature_dim={hparams.get('feature_dim')} classes={hparams.get('class_names')}, "
            f"but the data has feature_dim={datamodule.feature_dim} classes={datamodule.class_names}. "
            "Resume with the same feature files, or start a new run without ckpt_path."
        )


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


def _scalars(metrics: Mapping[str, Any]) -> dict[str, float]:
    return {
        k: float(v) for k, v in metrics.items() if isinstance(v, int | float) or getattr(v, "numel", lambda: 0)() == 1
    }


def train(cfg: DictConfig) -> tuple[dict[str, float], dict[str, Any]]:
    """Run one training job; return (all final metrics, objects) — the caller picks the optimized metric."""
    seed_from_config(cfg)
    check_not_nested_ddp(cfg)
    output_dir = Path(cfg.paths.output_dir)

    datamodule: FeatureDataModule = instantiate_checked(cfg.data, _convert_="partial")
    datamodule.setup("fit" if cfg.get("train", True) else "validate")
    run_test = bool(cfg.get("test", True))
    test_skipped: str | None = None
    if run_test:
        datamodule.setup("test")
        if datamodule.num_samples("test") == 0:
            test_skipped = f"the test split {datamodule.split_file('test')} is empty"
            rank_zero_warn(f"{test_skipped}: no test was run; metrics.json records test_skipped.")
            run_test = False

    if cfg.get("ckpt_path"):
        check_resume_checkpoint(cfg.ckpt_path, datamodule)

    model = VideoClassifier.from_model_config(
        cfg.model,
        class_names=datamodule.class_names,
        feature_dim=datamodule.feature_dim,
        provenance=datamodule.provenance,
        class_counts=datamodule.class_counts,
    )
    loggers = instantiate_group(cfg.get("logger"))
    callbacks = drop_callbacks_needing_logger(instantiate_group(cfg.get("callbacks")), loggers)
    trainer: L.Trainer = instantiate_checked(cfg.trainer, callbacks=callbacks, logger=loggers or False)

    if trainer.is_global_zero:
        output_dir.mkdir(parents=True, exist_ok=True)
        (output_dir / "resolved_config.yaml").write_text(OmegaConf.to_yaml(cfg, resolve=True))

    metrics: dict[str, float] = {}
    if cfg.get("train", True):
        trainer.fit(model, datamodule=datamodule, ckpt_path=cfg.get("ckpt_path"))
        metrics.update(_scalars(trainer.callback_metrics))

    best_ckpt = best_checkpoint(trainer, cfg)
    if run_test:
        if best_ckpt is None:
            rank_zero_warn(
                "No best checkpoint was saved (fast_dev_run or no checkpoint callback); testing current weights."
            )
        trainer.test(model, datamodule=datamodule, ckpt_path=best_ckpt, verbose=False)
        metrics.update(_scalars(trainer.callback_metrics))

    temperature = None
    if cfg.get("calibrate", False) and cfg.get("train", True) and trainer.is_global_zero and not trainer.fast_dev_run:
        temperature = fit_checkpoint_temperature(trainer, datamodule)

    if trainer.is_global_zero and not trainer.fast_dev_run:
        report = {
            "test": {k: v for k, v in metrics.items() if k.startswith("test/")} if run_test else None,
            "test_skipped": test_skipped,
            "val/acc_best": metrics.get("val/acc_best"),
            "best_ckpt": None if best_ckpt is None else str(Path(best_ckpt).resolve()),
            "class_names": datamodule.class_names,
            "test_confusion_matrix": model.confusion.get("test"),
            "seed": cfg.get("seed"),
            "epochs_trained": trainer.current_epoch,
            "temperature": temperature,
        }
        atomic_write_text(output_dir / "metrics.json", json.dumps(report, indent=2, sort_keys=True) + "\n")
        rank_zero_info(f"metrics: {output_dir / 'metrics.json'}")
        log_final_hparams(trainer, cfg, metrics)
    return metrics, {"trainer": trainer, "model": model, "datamodule": datamodule}


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
        "model": OmegaConf.to_container(cfg.model, resolve=True),
        "data": {k: v for k, v in OmegaConf.to_container(cfg.data, resolve=True).items() if not k.endswith("_file")},
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
