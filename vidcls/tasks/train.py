"""``train.py``'s task: config → data → model → fit → test the best checkpoint → metrics.json.

The pieces it composes (instantiation, resume and DDP checks, calibration, hparams logging) live
in :mod:`vidcls.training`; this module only puts them in order.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import lightning as L
from lightning.pytorch.utilities import rank_zero_info, rank_zero_warn
from omegaconf import DictConfig, OmegaConf

from vidcls.datamodules import FeatureDataModule
from vidcls.modules import VideoClassifier
from vidcls.training import (
    best_checkpoint,
    check_not_nested_ddp,
    check_resume_checkpoint,
    drop_callbacks_needing_logger,
    fit_checkpoint_temperature,
    instantiate_checked,
    instantiate_group,
    log_final_hparams,
    scalar_metrics,
    trainer_plugins,
)
from vidcls.utils.cli import seed_from_config
from vidcls.utils.io import atomic_write_text


def run(cfg: DictConfig) -> dict[str, Any]:
    """One training job; the results dict holds every final metric (``train.py`` returns ``optimized_metric``)."""
    metrics, _ = train(cfg)
    return dict(metrics)


def train(cfg: DictConfig) -> tuple[dict[str, float], dict[str, Any]]:
    """:func:`run`, also handing back ``trainer``, ``model`` and ``datamodule`` for callers that inspect them."""
    seed_from_config(cfg)
    check_not_nested_ddp(cfg)
    output_dir = Path(cfg.paths.output_dir)
    datamodule, test_skipped = setup_data(cfg)
    run_test = bool(cfg.get("test", True)) and test_skipped is None
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
    trainer: L.Trainer = instantiate_checked(
        cfg.trainer, callbacks=callbacks, logger=loggers or False, **trainer_plugins(cfg.trainer)
    )
    if trainer.is_global_zero:
        output_dir.mkdir(parents=True, exist_ok=True)
        # Hydra's .hydra/config.yaml keeps ${...} unresolved and is absent when train runs outside
        # hydra.main (cv.py's members, tests); this one is the config the run actually used.
        (output_dir / "resolved_config.yaml").write_text(OmegaConf.to_yaml(cfg, resolve=True))

    metrics: dict[str, float] = {}
    if cfg.get("train", True):
        trainer.fit(model, datamodule=datamodule, ckpt_path=cfg.get("ckpt_path"))
        metrics.update(scalar_metrics(trainer.callback_metrics))
    best_ckpt = best_checkpoint(trainer, cfg)
    if run_test:
        if best_ckpt is None:
            rank_zero_warn(
                "No best checkpoint was saved (fast_dev_run or no checkpoint callback); testing current weights."
            )
        trainer.test(model, datamodule=datamodule, ckpt_path=best_ckpt, verbose=False)
        metrics.update(scalar_metrics(trainer.callback_metrics))

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


def setup_data(cfg: DictConfig) -> tuple[FeatureDataModule, str | None]:
    """The checked datamodule, and why testing is skipped (an empty test split) or None."""
    datamodule: FeatureDataModule = instantiate_checked(cfg.data, _convert_="partial")
    datamodule.setup("fit" if cfg.get("train", True) else "validate")
    if not cfg.get("test", True):
        return datamodule, None
    datamodule.setup("test")
    if datamodule.num_samples("test") > 0:
        return datamodule, None
    skipped = f"the test split {datamodule.split_file('test')} is empty"
    rank_zero_warn(f"{skipped}: no test was run; metrics.json records test_skipped.")
    return datamodule, skipped
