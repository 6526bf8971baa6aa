"""The eval task (``eval.py``): ensemble × TTA on a feature split → metrics, CIs, plots, CSV, TensorBoard.

Four named steps: :func:`load` (checkpoints and the split's file, checked against each other),
:func:`predict` (every member with and without TTA from the same forward passes, after an optional
member selection that looks only at the validation split), :func:`score` (metrics, paired bootstrap
CIs, calibration) and :func:`write_report` (files, TensorBoard, console). The building blocks live in
:mod:`vidcls.evaluation.runner`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import h5py
import numpy as np
from omegaconf import DictConfig, OmegaConf
from rich.console import Console

from vidcls.datamodules.features import FeatureDataModule, check_class_coverage, feature_loader, require_rows
from vidcls.errors import VidclsError
from vidcls.evaluation.metrics import Calibration, bootstrap_indices
from vidcls.evaluation.runner import (
    ENSEMBLE,
    NO_TTA,
    TTA,
    log_tensorboard,
    model_probabilities,
    paired_difference,
    per_class_table,
    predict_split,
    results_table,
    select_members,
    temperature_report,
    tta_modes,
    write_outputs,
)
from vidcls.evaluation.runner import score as score_model
from vidcls.inference import Ensemble, load_ensemble, resolve_views
from vidcls.schema import SPLITS, FeatureFileMeta, read_video_paths
from vidcls.training import instantiate_checked
from vidcls.utils.cli import seed_from_config

log = logging.getLogger(__name__)


@dataclass
class Evaluation:
    """What the steps hand on: the loaded ensemble and split, then its predictions."""

    cfg: DictConfig
    split: str
    views: list[str]
    modes: dict[str, list[str]]  # mode -> TTA views (always no_tta; tta when it is more than the original)
    headline_mode: str
    ensemble: Ensemble
    datamodule: FeatureDataModule
    meta: FeatureFileMeta
    selection: dict[str, Any] | None = None
    labels: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    member_probs: dict[str, np.ndarray] = field(default_factory=dict)  # mode -> [M, N, C]
    probs_by_mode: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)  # mode -> model -> [N, C]
    raw_member_probs: dict[str, np.ndarray] = field(default_factory=dict)  # the same without temperatures

    def loader(self, meta: FeatureFileMeta) -> Any:
        return feature_loader(meta, int(self.cfg.batch_size), num_workers=self.datamodule.num_workers)


def run(cfg: DictConfig) -> dict[str, Any]:
    """The whole of ``eval.py``; returns what it writes to ``eval_metrics.json``."""
    seed_from_config(cfg)
    evaluation = load(cfg)
    predict(evaluation)
    report, calibrations = score(evaluation)
    write_report(evaluation, report, calibrations)
    return report


def load(cfg: DictConfig) -> Evaluation:
    """Checkpoints as an ensemble and the split's feature file, refused if they do not fit each other."""
    split = str(cfg.split)
    if split not in SPLITS:
        raise VidclsError(f"split must be train, val or test; got {split!r}.")
    views = resolve_views(list(cfg.tta.views))
    modes = tta_modes(views)
    ckpt_paths = OmegaConf.to_object(cfg.ckpt_paths) if OmegaConf.is_config(cfg.ckpt_paths) else cfg.ckpt_paths
    ensemble = load_ensemble(ckpt_paths, device=str(cfg.device), allow_unsafe_load=bool(cfg.allow_unsafe_load))
    datamodule = instantiate_checked(cfg.data)
    meta = datamodule.check_split(split)
    require_rows(meta, split)
    ensemble.check_feature_file(meta)
    headline_mode = TTA if TTA in modes else NO_TTA
    return Evaluation(cfg, split, views, modes, headline_mode, ensemble, datamodule, meta)


def predict(evaluation: Evaluation) -> None:
    """Select members on val if asked, then every mode's member probabilities on the evaluated split."""
    cfg = evaluation.cfg
    top_k, min_acc = cfg.get("select_members"), cfg.get("select_min_val_accuracy")
    if top_k is not None or min_acc is not None:
        evaluation.selection = select_on_val(evaluation, top_k, min_acc)
    evaluation.labels, evaluation.member_probs = predict_split(
        evaluation.ensemble,
        evaluation.loader(evaluation.meta),
        evaluation.modes,
        f"evaluating {evaluation.split}",
        raw_out=evaluation.raw_member_probs,
    )
    # A class with no videos here has no recall: say so once instead of a silent 0/0 in the per-class table.
    check_class_coverage(evaluation.labels, evaluation.meta, evaluation.split)


def select_on_val(evaluation: Evaluation, top_k: int | None, min_acc: float | None) -> dict[str, Any]:
    """Keep the members the validation split ranks best (never the evaluated split); narrows the ensemble."""
    ensemble, mode = evaluation.ensemble, evaluation.headline_mode
    val_meta = evaluation.datamodule.check_split("val")
    require_rows(val_meta, "val")
    ensemble.check_feature_file(val_meta)
    val_labels, val_probs = predict_split(
        ensemble, evaluation.loader(val_meta), {mode: evaluation.views}, "selecting members on val"
    )
    keep, val_acc = select_members(ensemble, val_probs[mode], val_labels, top_k, min_acc)
    if evaluation.split == "val":
        log.warning("members were selected on val and are evaluated on val: these numbers are optimistic")
    Console().print(f"kept {len(keep)}/{len(ensemble.members)} members by validation accuracy: {', '.join(keep)}")
    evaluation.ensemble = ensemble.subset(keep)
    return {
        "on_split": "val",
        "mode": mode,
        "select_members": top_k,
        "select_min_val_accuracy": min_acc,
        "val_accuracy": val_acc,
        "kept": keep,
    }


def score(evaluation: Evaluation) -> tuple[dict[str, Any], dict[str, dict[str, Calibration]]]:
    """Every model × mode scored on shared bootstrap resamples, the paired comparisons, the report dict."""
    cfg, labels, ensemble = evaluation.cfg, evaluation.labels, evaluation.ensemble
    confidence, bins = float(cfg.bootstrap.confidence), int(cfg.calibration_bins)
    boot = bootstrap_indices(len(labels), int(cfg.bootstrap.num_samples), int(cfg.bootstrap.seed))
    probs_by_mode = {mode: model_probabilities(ensemble, evaluation.member_probs[mode]) for mode in evaluation.modes}
    evaluation.probs_by_mode = probs_by_mode
    results: dict[str, dict[str, dict[str, Any]]] = {}
    calibrations: dict[str, dict[str, Calibration]] = {}
    for mode, by_model in probs_by_mode.items():
        for model, probs in by_model.items():
            result, cal = score_model(probs, labels, ensemble.class_names, boot, confidence, bins)
            results.setdefault(model, {})[mode] = result
            calibrations.setdefault(model, {})[mode] = cal
    headline = results[ENSEMBLE][evaluation.headline_mode]
    report: dict[str, Any] = {
        "split": evaluation.split,
        "features_file": str(evaluation.meta.path),
        "num_videos": len(labels),
        "class_names": ensemble.class_names,
        "checkpoints": [{"name": m.name, "path": str(m.path), "kind": m.kind} for m in ensemble.members],
        "provenance": ensemble.provenance,
        "tta": {"name": str(cfg.tta.get("name", "")), "views": evaluation.views, "modes": evaluation.modes},
        "selection": evaluation.selection,
        "bootstrap": {
            "num_samples": int(cfg.bootstrap.num_samples),
            "confidence": confidence,
            "seed": int(cfg.bootstrap.seed),
            "unit": "video",
        },
        "calibration_bins": bins,
        "headline": {
            "model": ENSEMBLE,
            "mode": evaluation.headline_mode,
            **{k: headline[k] for k in ("accuracy", "accuracy_ci", "macro_f1", "weighted_f1")},
        },
        "results": results,
        "comparisons": comparisons(evaluation, probs_by_mode, boot, confidence),
        # ensemble (headline mode) before/after the members' temperatures; null when none is fitted
        "temperature": temperature_report(
            ensemble,
            labels,
            evaluation.member_probs[evaluation.headline_mode],
            evaluation.raw_member_probs[evaluation.headline_mode],
            bins,
        )
        if ensemble.calibrated
        else None,
    }
    return report, calibrations


def comparisons(
    evaluation: Evaluation, probs_by_mode: dict[str, dict[str, np.ndarray]], boot: np.ndarray, confidence: float
) -> list[dict[str, Any]]:
    """Paired accuracy differences: TTA vs none per model, and the ensemble vs each member."""

    def correct(model: str, mode: str) -> np.ndarray:
        return probs_by_mode[mode][model].argmax(axis=1) == evaluation.labels

    pairs = []
    if TTA in evaluation.modes:
        pairs += [((model, TTA), (model, NO_TTA)) for model in probs_by_mode[TTA]]
    if len(evaluation.ensemble.members) > 1:
        mode = evaluation.headline_mode
        pairs += [((ENSEMBLE, mode), (name, mode)) for name in evaluation.ensemble.names]
    return [
        {"a": f"{a[0]}/{a[1]}", "b": f"{b[0]}/{b[1]}", **paired_difference(correct(*a), correct(*b), boot, confidence)}
        for a, b in pairs
    ]


def write_report(
    evaluation: Evaluation, report: dict[str, Any], calibrations: dict[str, dict[str, Calibration]]
) -> None:
    """``eval_metrics.json``, ``predictions.csv``, figures and TensorBoard into the run dir; a summary on screen."""
    out_dir = Path(evaluation.cfg.paths.output_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    meta, class_names, mode = evaluation.meta, evaluation.ensemble.class_names, evaluation.headline_mode
    with h5py.File(meta.path, "r") as f:
        video_paths = read_video_paths(f) or [f"{meta.path.name}#row{i}" for i in range(meta.num_samples)]
    probs_by_mode = evaluation.probs_by_mode
    write_outputs(out_dir, report, calibrations, video_paths, evaluation.labels, probs_by_mode, mode, class_names)
    log_tensorboard(out_dir / "tensorboard", report, calibrations, class_names, mode)
    print_summary(report, float(evaluation.cfg.bootstrap.confidence), Console())
    Console().print(f"report written to {out_dir}")


def print_summary(report: dict[str, Any], confidence: float, console: Console) -> None:
    """The results table, the headline's per-class table, the TTA verdict and the temperature effect."""
    split, mode = report["split"], report["headline"]["mode"]
    title = f"{split}: {report['num_videos']} videos, TTA views {report['tta']['views']}"
    console.print(results_table(report["results"], confidence, title))
    console.print(per_class_table(report["results"][ENSEMBLE][mode], f"ensemble ({mode}) per class"))
    for c in report["comparisons"]:
        if c["a"].startswith(ENSEMBLE) and c["b"].startswith(ENSEMBLE):
            lo, hi = c["ci"]
            verdict = "a real gain" if c["significant"] else "within noise"
            console.print(
                f"TTA vs no TTA (ensemble): {c['difference']:+.2%} accuracy, {confidence:.0%} CI [{lo:+.2%}, {hi:+.2%}]"
                f" → {verdict}"
            )
    check = report["results"][ENSEMBLE][mode]["ece_if_calibrated"]
    lo, hi = check["range"]
    console.print(
        f"calibration check (ensemble, {mode}): ECE {check['observed']:.3f}; exactly calibrated probabilities "
        f"would give {check['mean']:.3f} [{lo:.3f}, {hi:.3f}] on these {report['num_videos']} videos "
        f"(p = {check['p_value']:.2f}: {'miscalibrated' if check['p_value'] < 0.05 else 'within chance'})"
    )
    if report["temperature"] is not None:
        before, after = report["temperature"]["before"], report["temperature"]["after"]
        console.print(
            f"temperature scaling (ensemble, {mode}): ECE {before['ece']:.4f} -> {after['ece']:.4f}, "
            f"accuracy {before['accuracy']:.2%} -> {after['accuracy']:.2%}"
        )
