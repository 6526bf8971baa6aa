"""Two cv.py runs on the same folds, scored as one ensemble: does adding run B's members to run A's help?

    python scripts/cv_mix.py logs/cv/style_raw8b logs/cv/probe_style --out logs/cv/mix_raw8b_probe

In every fold, run A's members and run B's members (e.g. `experiment=real_video_probe`, whose checkpoints carry
an ``ensemble_share``) form one ensemble, weighted as eval.py, predict.py and the web page weigh it
(vidcls/inference/shares.py), and predict that fold's held-out clips with run A's TTA views. Pooled over folds:
the mixture's accuracy, macro-F1, per-class recall and ECE with source-bootstrap intervals, its paired difference
from run A's members alone (the same bootstrap resamples, seed and count as run A), and the out-of-fold temperature
by cv.py's rule (one temperature per fold, fitted on the other folds' raw predictions). Writes
``OUT/cv_mix.json`` and ``OUT/cv_mix_predictions.csv`` (run A's columns: ``ensemble/<mode>/...``).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from pathlib import Path
from typing import Any

import h5py
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as `python scripts/cv_mix.py` from a source checkout
    sys.path.insert(0, str(ROOT))

from vidcls.errors import VidclsError  # noqa: E402
from vidcls.evaluation.cv import (  # noqa: E402
    _group_index,
    group_bootstrap,
    out_of_fold_temperature,
    paired_group_difference,
    score_pooled,
)
from vidcls.inference.shares import mean_over_members  # noqa: E402
from vidcls.modules.classifier import check_ensemble_share  # noqa: E402

CHECKPOINT = "best.ckpt"


def _run_facts(run_dir: Path) -> tuple[list[dict[str, str]], dict[str, Any], Any]:
    """A finished cv.py run: its prediction rows (pool order), cv_metrics.json and saved config."""
    from omegaconf import OmegaConf

    paths = [run_dir / "cv_predictions.csv", run_dir / "cv_metrics.json", run_dir / ".hydra" / "config.yaml"]
    for path in paths:
        if not path.is_file():
            raise VidclsError(f"{path} is missing: {run_dir} is not a finished cv.py run directory.")
    with paths[0].open(newline="") as f:
        rows = list(csv.DictReader(f))
    return rows, json.loads(paths[1].read_text()), OmegaConf.load(paths[2])


def _fold_members(run_dir: Path, fold: int) -> list[Path]:
    found = sorted((run_dir / f"fold_{fold}").glob(f"*/seed=*/checkpoints/{CHECKPOINT}"))
    if not found:
        raise VidclsError(f"no {CHECKPOINT} under {run_dir}/fold_{fold}: was that cv.py run finished?")
    return found


def mix_runs(run_a: Path, run_b: Path, share_b: float | None = None) -> dict[str, Any]:
    """Member probabilities ``[M_a + M_b, N, C]`` per mode (scaled and raw) in run A's pool order, and the facts.

    ``share_b``: each of run B's members' ensemble share, in place of what their checkpoints carry (to choose one).
    """
    from vidcls.datamodules.features import feature_loader
    from vidcls.evaluation.runner import predict_split, tta_modes
    from vidcls.inference import Ensemble, load_ensemble
    from vidcls.schema import read_meta, read_video_paths, split_path

    rows_a, metrics_a, config_a = _run_facts(run_a)
    rows_b, _, _ = _run_facts(run_b)
    key = [(r["video_path"], r["fold"]) for r in rows_a]
    if key != [(r["video_path"], r["fold"]) for r in rows_b]:
        raise VidclsError(
            f"{run_a} and {run_b} did not score the same clips in the same folds; run cv.py with the same "
            "cv.features_file, cv.subset, cv.exclude_groups, cv.folds and cv.fold_seed."
        )
    row_of = {path: i for i, (path, _) in enumerate(key)}
    modes = tta_modes(metrics_a["tta_views"])
    class_names = list(metrics_a["class_names"])
    n, c = len(rows_a), len(class_names)
    probs: dict[str, np.ndarray] = {}
    raw: dict[str, np.ndarray] = {}
    weights: np.ndarray | None = None
    num_a = 0
    for fold in range(int(metrics_a["folds"])):
        members_a = _fold_members(run_a, fold)
        ensemble = load_ensemble([*members_a, *_fold_members(run_b, fold)], device="cpu")
        if share_b is not None:  # the ensemble's own rule (and its checks) on the overridden shares
            for member in ensemble.members[len(members_a) :]:
                member.ensemble_share = check_ensemble_share(share_b, "--share")
            ensemble = Ensemble(ensemble.members, device="cpu")
        fold_weights = np.array(list(ensemble.member_weights.values()))
        if weights is not None and not np.allclose(weights, fold_weights):
            raise VidclsError(f"fold {fold}'s members weigh differently from fold 0's: {fold_weights} vs {weights}.")
        weights, num_a = fold_weights, len(members_a)
        meta = read_meta(split_path(run_a / f"fold_{fold}" / "features", "test"))
        ensemble.check_feature_file(meta)
        raw_fold: dict[str, np.ndarray] = {}
        labels, fold_probs = predict_split(ensemble, feature_loader(meta, 64), modes, f"fold {fold}", raw_out=raw_fold)
        with h5py.File(meta.path, "r") as f:
            paths = read_video_paths(f)
        if paths is None or any(p not in row_of for p in paths):
            raise VidclsError(f"{meta.path}'s video paths do not match {run_a}'s predictions.")
        rows = np.array([row_of[p] for p in paths])
        for mode in modes:
            probs.setdefault(mode, np.zeros((len(weights), n, c)))[:, rows] = fold_probs[mode]
            raw.setdefault(mode, np.zeros((len(weights), n, c)))[:, rows] = raw_fold[mode]
        expected = np.array([class_names.index(rows_a[i]["label"]) for i in rows])
        if not np.array_equal(labels, expected):
            raise VidclsError(f"fold {fold}: the test file's labels disagree with {run_a}'s predictions.")
    assert weights is not None
    return {
        "rows": rows_a,
        "class_names": class_names,
        "modes": modes,
        "probs": probs,
        "raw": raw,
        "weights": weights,
        "num_a": num_a,
        "bootstrap": (int(metrics_a["bootstrap"]["num_samples"]), int(config_a.cv.bootstrap.seed)),
        "confidence": float(metrics_a["bootstrap"]["confidence"]),
        "bins": int(config_a.cv.calibration_bins),
        "folds": int(metrics_a["folds"]),
    }


def score(mixed: dict[str, Any]) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """The mixture vs run A's members alone, per mode, and the mixture's out-of-fold-temperature probabilities."""
    rows, class_names = mixed["rows"], mixed["class_names"]
    labels = np.array([class_names.index(r["label"]) for r in rows])
    folds = np.array([int(r["fold"]) for r in rows])
    group_ids, num_groups = _group_index([r["group"] for r in rows])
    boot = group_bootstrap(num_groups, *mixed["bootstrap"])
    weights, num_a = mixed["weights"], mixed["num_a"]
    headline = "tta" if "tta" in mixed["modes"] else "no_tta"
    columns: dict[str, np.ndarray] = {}
    report: dict[str, Any] = {"weights": [float(w) for w in weights], "members_a": num_a, "results": {}}
    cms = {}
    for mode in mixed["modes"]:
        columns[f"mixture/{mode}"] = mean_over_members(mixed["probs"][mode], weights)
        columns[f"a_alone/{mode}"] = mixed["probs"][mode][:num_a].mean(axis=0)
    oof, temperatures = out_of_fold_temperature(mixed["raw"][headline], labels, folds, mixed["folds"], weights)
    columns[f"mixture/{headline}/oof_temperature"] = oof
    for name, p in columns.items():
        result, cms[name] = score_pooled(
            p, labels, group_ids, num_groups, class_names, boot, mixed["confidence"], mixed["bins"]
        )
        del result["confusion_matrix"]
        report["results"][name] = result
    report["mixture - a_alone"] = {
        mode: paired_group_difference(cms[f"mixture/{mode}"], cms[f"a_alone/{mode}"], boot, mixed["confidence"])
        for mode in mixed["modes"]
    }
    report["oof_temperatures"] = temperatures
    report["mean_oof_temperature"] = float(np.mean(temperatures))
    return report, columns


def predictions_csv(rows: list[dict[str, str]], class_names: list[str], columns: dict[str, np.ndarray]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    head = ["video_path", "group", "fold", "label"]
    writer.writerow(head + [f"{name}/{x}" for name in columns for x in ("predicted", *(f"p_{c}" for c in class_names))])
    for i, row in enumerate(rows):
        cells = [row[k] for k in head]
        for p in columns.values():
            cells += [class_names[int(p[i].argmax())], *(f"{v:.6f}" for v in p[i])]
        writer.writerow(cells)
    return buffer.getvalue()


def summary(report: dict[str, Any]) -> str:
    lines = [f"weights: {np.round(report['weights'], 4).tolist()} (run A's {report['members_a']} members first)"]
    for name, r in report["results"].items():
        low, high = r["accuracy_ci"]
        lines.append(
            f"{name:34s} accuracy {100 * r['accuracy']:.1f}% [{100 * low:.1f}, {100 * high:.1f}]  "
            f"macro-F1 {r['macro_f1']:.3f}  ECE {r['ece']:.3f}  NLL {r['nll']:.3f}  recall "
            + " / ".join(f"{v['value']:.2f}" for v in r["recall"].values())
        )
    for mode, d in report["mixture - a_alone"].items():
        acc = d["accuracy"]
        lines.append(
            f"mixture - a_alone ({mode}): accuracy {100 * acc['difference']:+.1f} points "
            f"[{100 * acc['ci'][0]:+.1f}, {100 * acc['ci'][1]:+.1f}]"
        )
    lines.append(
        "out-of-fold temperature per fold: "
        + ", ".join(f"{t:.3f}" for t in report["oof_temperatures"])
        + f"; mean {report['mean_oof_temperature']:.3f}"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    from vidcls.utils.io import atomic_write_text

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("run_a", type=Path, help="a finished cv.py run (e.g. the seed ensemble)")
    parser.add_argument("run_b", type=Path, help="a finished cv.py run on the same folds (e.g. the linear probe)")
    parser.add_argument("--out", type=Path, required=True, help="folder for cv_mix.json and cv_mix_predictions.csv")
    parser.add_argument(
        "--share", type=float, default=None, help="each of run B's members' ensemble share (default: their own)"
    )
    args = parser.parse_args(argv)
    try:
        mixed = mix_runs(args.run_a, args.run_b, args.share)
        report, columns = score(mixed)
    except VidclsError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    report |= {"run_a": str(args.run_a), "run_b": str(args.run_b), "share_b": args.share}
    args.out.mkdir(parents=True, exist_ok=True)
    atomic_write_text(args.out / "cv_mix.json", json.dumps(report, indent=2) + "\n")
    atomic_write_text(
        args.out / "cv_mix_predictions.csv", predictions_csv(mixed["rows"], mixed["class_names"], columns)
    )
    print(summary(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
