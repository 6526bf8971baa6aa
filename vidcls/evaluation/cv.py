"""Grouped k-fold cross-validation: ``cv.py``'s one function (docs/evaluation.md#cross-validation).

One feature file holds every clip; each row belongs to a *group* (its independent source: one film,
one recording, one game), read from the file's ``groups`` dataset or joined from a manifest CSV by
video path. Groups, never clips, are dealt into k folds (stratified by class), so no source is in
two folds. For fold i the held-out test set is fold i, the validation set (early stopping,
checkpoint choice, temperature fit) is fold i+1, and the rest trains. The configured ensemble (one
``train.py`` run per seed) and the mean-pool baseline are trained on the same folds and each
held-out fold is scored by the eval code (:func:`vidcls.evaluation.runner.predict_split`).

Pooled over all held-out folds, accuracy, macro-F1 and per-class recall get bootstrap intervals
that resample *groups* (clips of one source are not independent), and model differences are
paired on the same resamples.
"""

from __future__ import annotations

import csv
import io
import json
import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import h5py
import numpy as np
from omegaconf import DictConfig, open_dict
from rich.console import Console
from rich.table import Table

from vidcls.errors import VidclsError
from vidcls.evaluation.metrics import calibration, nll
from vidcls.schema import (
    FEATURES,
    LABELS,
    NUM_FRAMES,
    Provenance,
    read_groups,
    read_video_paths,
    split_path,
    validate_contents,
    write_feature_file,
)
from vidcls.utils.config import to_plain
from vidcls.utils.io import atomic_write_text

log = logging.getLogger(__name__)

#: The group written for ``cv.extra_train_files``' rows in the fold files (they are in every fold's training split).
EXTRA_GROUP = "extra-train"


@dataclass
class Pool:
    """Every clip of the dev set: features and what grouped CV needs about each row."""

    features: np.ndarray  # [N, T, D]
    labels: np.ndarray  # [N]
    lengths: np.ndarray  # [N]
    video_paths: list[str]
    groups: list[str]
    class_names: list[str]
    provenance: dict[str, Any]

    @classmethod
    def concat(cls, parts: Sequence[Pool]) -> Pool:
        """The rows of every part, in order (the first part's classes and provenance)."""
        return cls(
            np.concatenate([p.features for p in parts]),
            np.concatenate([p.labels for p in parts]),
            np.concatenate([p.lengths for p in parts]),
            [v for p in parts for v in p.video_paths],
            [g for p in parts for g in p.groups],
            parts[0].class_names,
            parts[0].provenance,
        )

    def rows(self, keep: Sequence[int]) -> Pool:
        """The pool of just the rows ``keep`` (in that order)."""
        return Pool(
            self.features[keep],
            self.labels[keep],
            self.lengths[keep],
            [self.video_paths[i] for i in keep],
            [self.groups[i] for i in keep],
            self.class_names,
            self.provenance,
        )

    def write(self, path: Path) -> Path:
        """The rows as one feature file (extract.py's schema, with each row's group) that eval/train/calibrate read."""
        return write_feature_file(
            path,
            self.features,
            self.labels,
            self.lengths,
            self.class_names,
            provenance=self.provenance,
            video_paths=self.video_paths,
            groups=self.groups,
        )


def match_manifest(video_paths: Sequence[str], manifest: Path, group_column: str) -> list[str]:
    """Each row's group from a CSV with ``path`` and ``group_column``: exact path, else path suffix, else file name."""
    if not manifest.is_file():
        raise VidclsError(f"cv.manifest={manifest} does not exist; point it at the dev set's manifest.csv.")
    with manifest.open(newline="") as f:
        reader = csv.DictReader(f)
        if "path" not in (reader.fieldnames or []) or group_column not in (reader.fieldnames or []):
            raise VidclsError(
                f"{manifest} needs columns 'path' and '{group_column}' (cv.group_column); found {reader.fieldnames}."
            )
        by_path = {row["path"].strip(): row[group_column].strip() for row in reader}
    by_name: dict[str, str | None] = {}
    for path, group in by_path.items():
        name = Path(path).name
        by_name[name] = group if by_name.get(name, group) == group else None  # ambiguous names match nothing
    out, missing = [], []
    for video in video_paths:
        group = by_path.get(video)
        if group is None:
            group = next((g for p, g in by_path.items() if video.endswith("/" + p) or p.endswith("/" + video)), None)
        if group is None:
            group = by_name.get(Path(video).name)
        if not group:
            missing.append(video)
        out.append(group or "")
    if missing:
        raise VidclsError(
            f"{len(missing)} feature row(s) have no '{group_column}' in {manifest} (first: {missing[0]}). "
            "Use the manifest the features were extracted from."
        )
    return out


def load_pool(features_file: str | Path, manifest: str | Path | None = None, group_column: str = "group") -> Pool:
    """Read one feature file and each row's group (stored ``groups`` dataset first, else the manifest)."""
    meta = validate_contents(Path(features_file))
    with h5py.File(meta.path, "r") as f:
        features = f[FEATURES][()]
        labels = f[LABELS][()].astype(np.int64)
        lengths = f[NUM_FRAMES][()].astype(np.int64)
        video_paths = read_video_paths(f) or [f"row{i}" for i in range(meta.num_samples)]
        groups = read_groups(f) if manifest is None else None
    if groups is None:
        if manifest is None:
            raise VidclsError(
                f"{meta.path} stores no per-row groups; pass cv.manifest=<CSV with path,{group_column}> "
                "(e.g. the dev set's manifest.csv) so rows can be grouped by source."
            )
        groups = match_manifest(video_paths, Path(manifest), group_column)
    return Pool(features, labels, lengths, video_paths, groups, meta.class_names, dict(meta.provenance))


def subset_pool(pool: Pool, manifest: str | Path | None, column: str, value: str) -> Pool:
    """The rows whose manifest ``column`` equals ``value`` (e.g. the dev set's ``devset_split`` = ``tune``)."""
    if manifest is None:
        raise VidclsError(f"cv.subset={value} needs cv.manifest=<the dev set's manifest.csv> with a '{column}' column.")
    values = match_manifest(pool.video_paths, Path(manifest), column)
    keep = [i for i, v in enumerate(values) if v == value]
    if not keep:
        raise VidclsError(f"no row has {column}={value} in {manifest}; it has {sorted(set(values))} (cv.subset).")
    return pool.rows(keep)


def load_extra_train(paths: Sequence[str | Path], pool: Pool) -> Pool | None:
    """Clips added to every fold's training split and never validated or scored (e.g. the demo's clips beside
    the dev set's tune sources): features made the pool's way, with its classes. ``None`` when no file is given."""
    parts = [_read_extra(Path(p), pool) for p in paths]
    if not parts:
        return None
    return replace(Pool.concat(parts), class_names=pool.class_names, provenance=pool.provenance)


def _read_extra(path: Path, pool: Pool) -> Pool:
    where = f"cv.extra_train_files entry {path}"
    meta = validate_contents(path)
    if meta.class_names != pool.class_names:
        raise VidclsError(f"{where} has classes {meta.class_names} but cv.features_file has {pool.class_names}.")
    Provenance.of(pool.provenance).require_compatible(
        meta.provenance,
        f"{where} was extracted differently from cv.features_file",
        "Extract both with the same backbone, frames and sizes (e.g. the demo's settings).",
    )
    with h5py.File(meta.path, "r") as f:
        features = f[FEATURES][()]
        labels = f[LABELS][()].astype(np.int64)
        lengths = f[NUM_FRAMES][()].astype(np.int64)
        video_paths = read_video_paths(f) or [f"{path.name}:row{i}" for i in range(meta.num_samples)]
    if features.shape[1:] != pool.features.shape[1:]:
        raise VidclsError(
            f"{where} has features of shape [T, D] = {list(features.shape[1:])} but cv.features_file has "
            f"{list(pool.features.shape[1:])}; extract both the same way."
        )
    return Pool(features, labels, lengths, video_paths, [EXTRA_GROUP] * len(labels), meta.class_names, {})


def known_groups(named: Sequence[str], groups: Sequence[str], setting: str) -> set[str]:
    """``named`` as a set, each checked to be one of ``groups`` (a misspelt source fails before anything trains)."""
    unknown = sorted(set(named) - set(groups))
    if unknown:
        raise VidclsError(f"{setting} names group(s) not in the data: {unknown}.")
    return set(named)


def drop_groups(pool: Pool, groups: Sequence[str]) -> Pool:
    """The pool without the rows of ``groups`` (e.g. the demo's own dev-set sources when the demo trains too)."""
    excluded = known_groups(groups, pool.groups, "cv.exclude_groups")
    keep = [i for i, g in enumerate(pool.groups) if g not in excluded]
    return pool.rows(keep)


def assign_folds(groups: Sequence[str], labels: np.ndarray, k: int, seed: int = 0) -> np.ndarray:
    """Fold index per row: whole groups dealt (largest first, seeded tie order) to the fold with the
    fewest rows of the group's class, so classes spread evenly and no group is in two folds."""
    names = sorted(set(groups))
    if k < 2:
        raise VidclsError(f"cv.folds must be at least 2, got {k}.")
    if len(names) < k:
        raise VidclsError(f"cv.folds={k} but the data has only {len(names)} groups; use at most {len(names)} folds.")
    rows_of: dict[str, list[int]] = {g: [] for g in names}
    for i, g in enumerate(groups):
        rows_of[g].append(i)
    label_of = {g: Counter(labels[rows_of[g]].tolist()).most_common(1)[0][0] for g in names}
    order = [names[i] for i in np.random.default_rng(seed).permutation(len(names))]
    order.sort(key=lambda g: -len(rows_of[g]))  # stable: ties keep the seeded order
    per_class = np.zeros((k, int(labels.max()) + 1), dtype=np.int64)
    per_fold = np.zeros(k, dtype=np.int64)
    groups_per_fold = np.zeros(k, dtype=np.int64)
    fold_of_group: dict[str, int] = {}
    for g in order:
        c = label_of[g]
        fold = min(range(k), key=lambda i: (per_class[i, c], int(groups_per_fold[i] > 0), per_fold[i], i))
        fold_of_group[g] = fold
        per_class[fold, c] += len(rows_of[g])
        per_fold[fold] += len(rows_of[g])
        groups_per_fold[fold] += 1
    return np.array([fold_of_group[g] for g in groups], dtype=np.int64)


def unseen_rows(groups: Sequence[str], unseen: Sequence[str]) -> np.ndarray:
    """Mask of the rows of ``unseen`` groups: scored in their own fold, never trained or validated on.

    Why: leaving sources out of training while the folds stay the same (they are dealt on every group) is a
    paired ablation of those sources; ``drop_groups`` changes the folds and stops scoring them.
    """
    hidden = known_groups(unseen, groups, "cv.unseen_groups")
    return np.array([g in hidden for g in groups], dtype=bool)


def fold_roles(folds: np.ndarray, fold: int, k: int, unseen: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Row indices of train / val / test for one fold: test = fold, val = the next fold, train = the rest;
    rows marked ``unseen`` are only ever test rows."""
    val_fold = (fold + 1) % k
    seen = np.ones(len(folds), dtype=bool) if unseen is None else ~unseen
    return {
        "train": np.flatnonzero((folds != fold) & (folds != val_fold) & seen),
        "val": np.flatnonzero((folds == val_fold) & seen),
        "test": np.flatnonzero(folds == fold),
    }


# ---------------------------------------------------------------------------------------------- metrics
def _group_index(groups: Sequence[str]) -> tuple[np.ndarray, int]:
    names = sorted(set(groups))
    lookup = {g: i for i, g in enumerate(names)}
    return np.array([lookup[g] for g in groups], dtype=np.int64), len(names)


def group_confusions(labels: np.ndarray, predicted: np.ndarray, group_ids: np.ndarray, num_groups: int, c: int):
    """``[G, C, C]``: one confusion matrix per group (rows = true class)."""
    out = np.zeros((num_groups, c, c), dtype=np.int64)
    np.add.at(out, (group_ids, labels, predicted), 1)
    return out


def metrics_from_confusion(cm: np.ndarray) -> dict[str, np.ndarray]:
    """Accuracy, macro-F1 and per-class recall from ``[..., C, C]`` confusion matrices (0 where undefined)."""
    cm = cm.astype(np.float64)
    tp = np.diagonal(cm, axis1=-2, axis2=-1)
    support = cm.sum(axis=-1)
    predicted = cm.sum(axis=-2)
    recall = np.divide(tp, support, out=np.zeros_like(tp), where=support > 0)
    precision = np.divide(tp, predicted, out=np.zeros_like(tp), where=predicted > 0)
    denom = precision + recall
    f1 = np.divide(2 * precision * recall, denom, out=np.zeros_like(tp), where=denom > 0)
    total = cm.sum(axis=(-2, -1))
    accuracy = np.divide(tp.sum(axis=-1), total, out=np.zeros_like(total), where=total > 0)
    return {"accuracy": accuracy, "macro_f1": f1.mean(axis=-1), "recall": recall}


def group_bootstrap(num_groups: int, num_samples: int, seed: int) -> np.ndarray:
    """``[B, G]`` resampled group indices, shared by every model so differences are paired."""
    return np.random.default_rng(seed).integers(0, num_groups, size=(num_samples, num_groups))


def _interval(values: np.ndarray, confidence: float) -> list[float]:
    alpha = (1.0 - confidence) / 2
    return [float(v) for v in np.quantile(values, [alpha, 1.0 - alpha], axis=0)]


def score_pooled(
    probs: np.ndarray,
    labels: np.ndarray,
    group_ids: np.ndarray,
    num_groups: int,
    class_names: Sequence[str],
    boot: np.ndarray,
    confidence: float,
    bins: int,
) -> tuple[dict[str, Any], np.ndarray]:
    """Pooled numbers with group-bootstrap CIs; also the per-group confusions for paired comparisons."""
    c = len(class_names)
    rows_of = [np.flatnonzero(group_ids == g) for g in range(num_groups)]
    eces = np.array(
        [calibration(probs[r], labels[r], bins).ece for r in (np.concatenate([rows_of[g] for g in b]) for b in boot)]
    )
    cms = group_confusions(labels, probs.argmax(axis=1), group_ids, num_groups, c)
    point = metrics_from_confusion(cms.sum(axis=0))
    resampled = metrics_from_confusion(cms[boot].sum(axis=1))  # [B, ...]
    recall_ci = np.quantile(resampled["recall"], [(1 - confidence) / 2, (1 + confidence) / 2], axis=0)
    return {
        "accuracy": float(point["accuracy"]),
        "accuracy_ci": _interval(resampled["accuracy"], confidence),
        "macro_f1": float(point["macro_f1"]),
        "macro_f1_ci": _interval(resampled["macro_f1"], confidence),
        "recall": {
            name: {"value": float(point["recall"][i]), "ci": [float(recall_ci[0, i]), float(recall_ci[1, i])]}
            for i, name in enumerate(class_names)
        },
        "ece": calibration(probs, labels, bins).ece,
        "ece_ci": _interval(eces, confidence),
        "nll": nll(probs, labels),
        "confusion_matrix": cms.sum(axis=0).tolist(),
    }, cms


def paired_group_difference(cm_a: np.ndarray, cm_b: np.ndarray, boot: np.ndarray, confidence: float) -> dict:
    """a − b in accuracy and macro-F1, with intervals over the same group resamples."""
    out = {}
    pa, pb = metrics_from_confusion(cm_a.sum(axis=0)), metrics_from_confusion(cm_b.sum(axis=0))
    ra, rb = metrics_from_confusion(cm_a[boot].sum(axis=1)), metrics_from_confusion(cm_b[boot].sum(axis=1))
    for key in ("accuracy", "macro_f1"):
        low, high = _interval(ra[key] - rb[key], confidence)
        out[key] = {
            "difference": float(pa[key] - pb[key]),
            "ci": [low, high],
            "significant": bool(low > 0 or high < 0),
        }
    return out


# ---------------------------------------------------------------------------------------------- running
def _write_fold_files(
    pool: Pool, roles: dict[str, np.ndarray], features_dir: Path, extra_train: Pool | None = None
) -> None:
    """The fold's train/val/test files; ``extra_train``'s rows are appended to train (never validated or scored)."""
    for split, rows in roles.items():
        part = pool.rows(rows)
        if split == "train" and extra_train is not None:
            part = Pool.concat([part, extra_train])
        part.write(split_path(features_dir, split))


def _member_cfg(cfg: DictConfig, model_cfg: DictConfig, features_dir: Path, run_dir: Path, seed: int) -> DictConfig:
    """The training config of one member: the composed training config with this fold's data and dirs."""
    member = cfg.copy()
    with open_dict(member):
        member.model = model_cfg
        member.seed = seed
        member.paths.output_dir = str(run_dir)
        member.data.features_dir = str(features_dir)
        for split in ("train", "val", "test"):
            member.data[f"{split}_file"] = None
        member.test = False  # the held-out fold is scored below, by the eval code, once per ensemble
        member.ckpt_path = None
        for key in ("cv", "tta"):
            member.pop(key, None)
    return member


def _check_fold_plan(out_dir: Path, plan: dict[str, Any]) -> None:
    """A resumed run must use the same folds; otherwise its checkpoints belong to other data."""
    path = out_dir / "folds.json"
    if path.is_file():
        if json.loads(path.read_text()) != plan:
            raise VidclsError(
                f"{out_dir} holds a cross-validation with other folds or data; resume it with the same settings "
                "or choose a new run directory (hydra.run.dir=...)."
            )
    else:
        atomic_write_text(path, json.dumps(plan, indent=2, sort_keys=True) + "\n")


def _fold_plan(
    features_file: str,
    pool: Pool,
    folds: np.ndarray,
    k: int,
    seeds: list[int],
    models: dict[str, DictConfig],
    extra_train_files: Sequence[str] = (),
    unseen_groups: Sequence[str] = (),
) -> dict[str, Any]:
    """What a cross-validation run's folders hold; a resumed run must have the same plan."""
    plan = {
        "features_file": str(Path(features_file).resolve()),
        "folds": k,
        "fold_of_group": {g: int(f) for g, f in sorted(zip(pool.groups, folds.tolist(), strict=True))},
        "seeds": seeds,
        "models": {name: to_plain(m) for name, m in models.items()},
    }
    if extra_train_files:  # only when set, so runs from before the option resume unchanged
        plan["extra_train_files"] = [str(Path(p).resolve()) for p in extra_train_files]
    if unseen_groups:  # likewise
        plan["unseen_groups"] = sorted(unseen_groups)
    return plan


def _train_members(
    cfg: DictConfig, model_cfg: DictConfig, features_dir: Path, model_dir: Path, seeds: Sequence[int]
) -> None:
    """Train one member per seed into ``model_dir/seed=<s>``, skipping members an interrupted run finished."""
    from vidcls.tasks.train import train

    for seed in seeds:
        run_dir = model_dir / f"seed={seed}"
        if (run_dir / "metrics.json").is_file() and (run_dir / "checkpoints" / "best.ckpt").is_file():
            continue  # finished in an earlier, interrupted run
        train(_member_cfg(cfg, model_cfg, features_dir, run_dir, seed))
        if not (run_dir / "checkpoints" / "best.ckpt").is_file():
            raise VidclsError(
                f"training wrote no {run_dir}/checkpoints/best.ckpt; cross-validation needs the "
                "model_checkpoint callback (callbacks=default)."
            )


def _score_fold(
    cfg: DictConfig, model_dir: Path, features_dir: Path, seeds: Sequence[int], modes: dict[str, list[str]], label: str
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Member probabilities [M, n_test, C] per TTA mode on the fold's test split: scaled, and raw."""
    from vidcls.datamodules.features import feature_loader
    from vidcls.evaluation.runner import predict_split
    from vidcls.inference import load_ensemble
    from vidcls.schema import read_meta

    ensemble = load_ensemble(
        [model_dir / f"seed={s}" / "checkpoints" / "best.ckpt" for s in seeds], device=str(cfg.cv.device)
    )
    meta = read_meta(split_path(features_dir, "test"))
    ensemble.check_feature_file(meta)
    raw_out: dict[str, np.ndarray] = {}
    _, fold_probs = predict_split(ensemble, feature_loader(meta, int(cfg.cv.batch_size)), modes, label, raw_out=raw_out)
    return fold_probs, raw_out


def run_cv(cfg: DictConfig) -> dict[str, Any]:
    """Train and score the configured ensemble and the baseline on grouped folds; write cv_metrics.json."""
    from vidcls.evaluation.runner import ENSEMBLE, NO_TTA, TTA, tta_modes
    from vidcls.inference import resolve_views

    console = Console()
    cv = cfg.cv
    if not cv.get("features_file"):
        raise VidclsError("set cv.features_file=<one HDF5 of all clips> (e.g. from extract.py on the dev set).")
    out_dir = Path(cfg.paths.output_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    pool = load_pool(cv.features_file, cv.get("manifest"), str(cv.group_column))
    if cv.get("subset") is not None:
        pool = subset_pool(pool, cv.get("manifest"), str(cv.subset_column), str(cv.subset))
    if cv.get("exclude_groups"):
        pool = drop_groups(pool, [str(g) for g in cv.exclude_groups])
    extra_files = [str(p) for p in (cv.get("extra_train_files") or [])]
    extra_train = load_extra_train(extra_files, pool)
    k = int(cv.folds)
    folds = assign_folds(pool.groups, pool.labels, k, int(cv.fold_seed))
    unseen_groups = [str(g) for g in (cv.get("unseen_groups") or [])]
    unseen = unseen_rows(pool.groups, unseen_groups) if unseen_groups else None
    seeds = [int(s) for s in cv.seeds]
    models: dict[str, DictConfig] = {"ensemble": cfg.model}
    if cv.get("baseline", True):
        models["baseline"] = cv.baseline_model
    _check_fold_plan(out_dir, _fold_plan(cv.features_file, pool, folds, k, seeds, models, extra_files, unseen_groups))
    views = resolve_views(list(cv.tta.views))
    modes = tta_modes(views)
    n, c = len(pool.labels), len(pool.class_names)
    # probs[model][mode] -> [M, N, C] member probabilities in pool row order (raw: without temperature)
    probs = {m: {mode: np.zeros((len(seeds), n, c)) for mode in modes} for m in models}
    raw = {m: {mode: np.zeros((len(seeds), n, c)) for mode in modes} for m in models}
    for fold in range(k):
        roles = fold_roles(folds, fold, k, unseen)
        fold_dir = out_dir / f"fold_{fold}"
        features_dir = fold_dir / "features"
        _write_fold_files(pool, roles, features_dir, extra_train)
        extra_note = f" + {len(extra_train.labels)} extra" if extra_train is not None else ""
        console.print(
            f"fold {fold}: train {len(roles['train'])}{extra_note}, val {len(roles['val'])}, "
            f"test {len(roles['test'])} clips "
            f"({len({pool.groups[i] for i in roles['test']})} held-out groups)"
        )
        for name, model_cfg in models.items():
            _train_members(cfg, model_cfg, features_dir, fold_dir / name, seeds)
            fold_probs, raw_out = _score_fold(cfg, fold_dir / name, features_dir, seeds, modes, f"fold {fold} {name}")
            for mode in modes:
                probs[name][mode][:, roles["test"]] = fold_probs[mode]
                raw[name][mode][:, roles["test"]] = raw_out[mode]

    report = pooled_report(cfg, pool, folds, probs, raw, modes, seeds, ENSEMBLE, NO_TTA, TTA)
    atomic_write_text(out_dir / "cv_metrics.json", json.dumps(report, indent=2) + "\n")
    columns = {
        name: {**by_mode, **{f"{m}/uncalibrated": raw[name][m] for m in modes}} for name, by_mode in probs.items()
    }
    atomic_write_text(out_dir / "cv_predictions.csv", predictions_csv(pool, folds, columns))
    print_report(console, report)
    console.print(f"cross-validation report written to {out_dir}")
    return report


def pooled_report(
    cfg: DictConfig,
    pool: Pool,
    folds: np.ndarray,
    probs: dict[str, dict[str, np.ndarray]],
    raw: dict[str, dict[str, np.ndarray]],
    modes: dict[str, list[str]],
    seeds: Sequence[int],
    ensemble_key: str,
    no_tta: str,
    tta: str,
) -> dict[str, Any]:
    """Every model × mode pooled over the held-out folds, with group-bootstrap CIs and paired comparisons."""
    cv = cfg.cv
    confidence = float(cv.bootstrap.confidence)
    bins = int(cv.calibration_bins)
    group_ids, num_groups = _group_index(pool.groups)
    boot = group_bootstrap(num_groups, int(cv.bootstrap.num_samples), int(cv.bootstrap.seed))
    headline = tta if tta in modes else no_tta
    results: dict[str, dict[str, Any]] = {}
    cms: dict[str, np.ndarray] = {}

    def add(key: str, p: np.ndarray) -> None:
        results[key], cms[key] = score_pooled(
            p, pool.labels, group_ids, num_groups, pool.class_names, boot, confidence, bins
        )

    for name in probs:
        for mode in modes:
            add(f"{name}/{mode}", probs[name][mode].mean(axis=0))
            if len(seeds) > 1:
                for i, seed in enumerate(seeds):
                    add(f"{name}/{mode}/seed={seed}", probs[name][mode][i])
        add(f"{name}/{headline}/uncalibrated", raw[name][headline].mean(axis=0))
    temperatures: dict[str, list[float]] = {}
    for name in probs:
        oof, temperatures[name] = out_of_fold_temperature(raw[name][headline], pool.labels, folds, int(cv.folds))
        add(f"{name}/{headline}/oof_temperature", oof)
    per_fold = {
        key: [
            float((results_probs.argmax(axis=1)[folds == f] == pool.labels[folds == f]).mean())
            for f in range(int(cv.folds))
        ]
        for key, results_probs in ((f"{n}/{headline}", probs[n][headline].mean(axis=0)) for n in probs)
    }
    comparisons = _comparisons(probs, cms, boot, confidence, headline, no_tta, tta if tta in modes else None)
    return {
        "features_file": str(cv.features_file),
        "num_videos": len(pool.labels),
        "num_groups": num_groups,
        "folds": int(cv.folds),
        "seeds": list(seeds),
        "class_names": pool.class_names,
        "class_counts": np.bincount(pool.labels, minlength=len(pool.class_names)).tolist(),
        "headline_mode": headline,
        "tta_views": modes.get(tta, ["original"]),
        "bootstrap": {"num_samples": int(cv.bootstrap.num_samples), "confidence": confidence, "unit": "group"},
        "results": results,
        "per_fold_accuracy": per_fold,
        # one temperature per held-out fold, fitted on the other folds' out-of-fold predictions
        "oof_temperatures": temperatures,
        "comparisons": comparisons,
        "model": to_plain(cfg.model),
    }


def _comparisons(
    probs: dict[str, dict[str, np.ndarray]],
    cms: dict[str, np.ndarray],
    boot: np.ndarray,
    confidence: float,
    headline: str,
    no_tta: str,
    tta: str | None,
) -> dict[str, Any]:
    """Paired group-bootstrap differences: each model vs its uncalibrated self, ensemble vs baseline,
    and (when a TTA mode ran) TTA vs the plain pass, with the largest probability change it caused."""
    comparisons: dict[str, Any] = {}
    for name in probs:
        key = f"{name}/{headline}"
        comparisons[f"{key} - {key}/uncalibrated"] = paired_group_difference(
            cms[key], cms[f"{key}/uncalibrated"], boot, confidence
        )
    if "baseline" in probs:
        comparisons[f"ensemble/{headline} - baseline/{headline}"] = paired_group_difference(
            cms[f"ensemble/{headline}"], cms[f"baseline/{headline}"], boot, confidence
        )
    if tta is None:
        return comparisons
    for name in probs:
        comparisons[f"{name}/{tta} - {name}/{no_tta}"] = paired_group_difference(
            cms[f"{name}/{tta}"], cms[f"{name}/{no_tta}"], boot, confidence
        )
        comparisons[f"{name}: max |p_tta - p_no_tta|"] = float(np.abs(probs[name][tta] - probs[name][no_tta]).max())
        comparisons[f"{name}: predictions changed by tta"] = int(
            (probs[name][tta].mean(axis=0).argmax(1) != probs[name][no_tta].mean(axis=0).argmax(1)).sum()
        )
    return comparisons


def out_of_fold_temperature(
    member_probs: np.ndarray, labels: np.ndarray, folds: np.ndarray, k: int, weights: np.ndarray | None = None
) -> tuple[np.ndarray, list[float]]:
    """Nested, honest calibration: for each fold, one ensemble temperature fitted on the *other*
    folds' held-out (raw) predictions, applied to this fold. Returns the scaled probabilities and the Ts.
    ``weights``: the members' ensemble weights (vidcls/inference/shares.py; None = the plain mean)."""
    import torch

    from vidcls.inference.calibration import fit_temperature
    from vidcls.inference.shares import mean_over_members

    log_p = torch.from_numpy(np.log(np.clip(member_probs, 1e-12, None)))  # [M, N, C]; log-probs act as logits
    out = np.zeros(member_probs.shape[1:])
    temps = []
    for fold in range(k):
        fit_rows = torch.from_numpy(np.flatnonzero(folds != fold))
        rows = np.flatnonzero(folds == fold)
        t = fit_temperature(log_p[:, fit_rows], torch.from_numpy(labels)[fit_rows], weights=weights)
        out[rows] = mean_over_members(torch.softmax(log_p[:, rows] / t, dim=-1), weights).numpy()
        temps.append(t)
    return out, temps


def predictions_csv(pool: Pool, folds: np.ndarray, probs: dict[str, dict[str, np.ndarray]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    columns = [(name, mode) for name in probs for mode in probs[name]]
    header = ["video_path", "group", "fold", "label"]
    for name, mode in columns:
        header += [f"{name}/{mode}/predicted", *[f"{name}/{mode}/p_{c}" for c in pool.class_names]]
    writer.writerow(header)
    for i, path in enumerate(pool.video_paths):
        row: list[Any] = [path, pool.groups[i], int(folds[i]), pool.class_names[pool.labels[i]]]
        for name, mode in columns:
            p = probs[name][mode].mean(axis=0)[i]
            row += [pool.class_names[int(p.argmax())], *[f"{v:.6f}" for v in p]]
        writer.writerow(row)
    return buffer.getvalue()


def print_report(console: Console, report: dict[str, Any]) -> None:
    conf = report["bootstrap"]["confidence"]
    table = Table(
        title=f"grouped {report['folds']}-fold CV: {report['num_videos']} clips, {report['num_groups']} groups "
        f"({conf:.0%} CIs over groups)"
    )
    for column in ("model", "accuracy", "CI", "macro F1", "CI", "ECE", *report["class_names"]):
        table.add_column(column, justify="left" if column == "model" else "right")
    for key, r in report["results"].items():
        if "/seed=" in key:
            continue
        recalls = [f"{r['recall'][c]['value']:.2f}" for c in report["class_names"]]
        table.add_row(
            key, f"{r['accuracy']:.1%}", "{:.1%}–{:.1%}".format(*r["accuracy_ci"]), f"{r['macro_f1']:.3f}",
            "{:.3f}–{:.3f}".format(*r["macro_f1_ci"]), f"{r['ece']:.3f}", *recalls,
        )  # fmt: skip
    console.print(table)
    for key, value in report["comparisons"].items():
        if isinstance(value, dict):
            acc = value["accuracy"]
            console.print(
                f"{key}: accuracy {acc['difference']:+.1%} [{acc['ci'][0]:+.1%}, {acc['ci'][1]:+.1%}]"
                f"{' (significant)' if acc['significant'] else ' (within noise)'}"
            )
        else:
            console.print(f"{key}: {value}")
