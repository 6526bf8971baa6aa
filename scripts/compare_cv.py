"""Paired difference of two cv.py runs on the same dev set and folds: run A − run B, per model.

    python scripts/compare_cv.py logs/cv/t32 logs/cv/t16 [--columns ensemble/no_tta baseline/no_tta]
    python scripts/compare_cv.py logs/cv/mix_a logs/cv/mix_b --columns mixture/tta   (two cv_mix.py folders)

Two CV runs (e.g. features at T=32 and T=16) score the same clips in the same folds; their
difference is paired over the same group-bootstrap resamples as ``cv.py``'s own comparisons
(resampling sources; count and seed from run A's ``cv_metrics.json`` and ``.hydra/config.yaml``), so the interval is the
one for the *difference*, much narrower than comparing the two runs' separate intervals.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as `python scripts/compare_cv.py` from a source checkout
    sys.path.insert(0, str(ROOT))

from vidcls.errors import VidclsError  # noqa: E402
from vidcls.evaluation.cv import (  # noqa: E402
    _group_index,
    group_bootstrap,
    group_confusions,
    paired_group_difference,
)

KEY_COLUMNS = ("video_path", "group", "fold", "label")


def mixed_from(run_dir: Path) -> Path | None:
    """The cv.py run a ``cv_mix.py`` folder's mixture was built on (its run A), or None for a cv.py run."""
    mix_json = run_dir / "cv_mix.json"
    if not mix_json.is_file():
        return None
    run_a = Path(json.loads(mix_json.read_text())["run_a"])
    if not run_a.is_absolute() and not (run_a / "cv_metrics.json").is_file():
        raise VidclsError(
            f"{run_dir}'s run A ({run_a}) is a relative path not found from here; run this from the folder cv_mix.py "
            "was run in."
        )
    return run_a


def read_run(run_dir: Path) -> tuple[list[dict[str, str]], dict]:
    """Rows of ``cv_predictions.csv`` (in file order) and the run's ``cv_metrics.json``; for a ``cv_mix.py``
    folder, its ``cv_mix_predictions.csv`` (columns ``mixture/<mode>``) and its run A's metrics."""
    run_a = mixed_from(run_dir)
    predictions = run_dir / ("cv_predictions.csv" if run_a is None else "cv_mix_predictions.csv")
    metrics = (run_dir if run_a is None else run_a) / "cv_metrics.json"
    for path in (predictions, metrics):
        if not path.is_file():
            raise VidclsError(f"{path} is missing: {run_dir} is not a finished cv.py run or cv_mix.py folder.")
    with predictions.open(newline="") as f:
        rows = list(csv.DictReader(f))
    return rows, json.loads(metrics.read_text())


def bootstrap_seed(run_dir: Path) -> int:
    """``cv.bootstrap.seed`` of the run (of a mixture's run A), from the config Hydra saved with it (the seed
    cv.py resampled with)."""
    from omegaconf import OmegaConf

    config = (mixed_from(run_dir) or run_dir) / ".hydra" / "config.yaml"
    if not config.is_file():
        raise VidclsError(f"{config} is missing: cannot tell which bootstrap seed {run_dir} used.")
    return int(OmegaConf.load(config).cv.bootstrap.seed)


def compare(run_a: Path, run_b: Path, columns: list[str]) -> dict[str, dict]:
    """``{column: paired_group_difference(a, b)}`` for each ``<model>/<mode>`` column both runs have."""
    rows_a, metrics_a = read_run(run_a)
    rows_b, metrics_b = read_run(run_b)
    by_path = {r["video_path"]: r for r in rows_b}
    if len(by_path) != len(rows_a) or any(
        r["video_path"] not in by_path or any(r[k] != by_path[r["video_path"]][k] for k in KEY_COLUMNS) for r in rows_a
    ):
        raise VidclsError(
            f"{run_a} and {run_b} did not score the same clips in the same groups and folds; "
            "a paired comparison needs one dev set and one fold plan (same cv.fold_seed, cv.folds)."
        )
    rows_b = [by_path[r["video_path"]] for r in rows_a]
    class_names = list(metrics_a["class_names"])
    if class_names != list(metrics_b["class_names"]):
        raise VidclsError(f"class names differ: {class_names} vs {metrics_b['class_names']}")
    index = {name: i for i, name in enumerate(class_names)}
    labels = np.array([index[r["label"]] for r in rows_a])
    group_ids, num_groups = _group_index([r["group"] for r in rows_a])
    boot_cfg = metrics_a["bootstrap"]
    boot = group_bootstrap(num_groups, int(boot_cfg["num_samples"]), bootstrap_seed(run_a))
    out = {}
    for column in columns:
        key = f"{column}/predicted"
        if key not in rows_a[0] or key not in rows_b[0]:
            raise VidclsError(f"column {column!r} is not in both runs' cv_predictions.csv (e.g. ensemble/no_tta).")
        cms = [
            group_confusions(labels, np.array([index[r[key]] for r in rows]), group_ids, num_groups, len(index))
            for rows in (rows_a, rows_b)
        ]
        out[column] = paired_group_difference(cms[0], cms[1], boot, float(boot_cfg["confidence"]))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run_a", type=Path)
    parser.add_argument("run_b", type=Path)
    parser.add_argument("--columns", nargs="+", default=["ensemble/no_tta", "baseline/no_tta"])
    args = parser.parse_args(argv)
    try:
        result = compare(args.run_a, args.run_b, args.columns)
    except VidclsError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    for column, diff in result.items():
        acc, f1 = diff["accuracy"], diff["macro_f1"]
        print(
            f"{column}: accuracy {acc['difference'] * 100:+.1f} points [{acc['ci'][0] * 100:+.1f}, "
            f"{acc['ci'][1] * 100:+.1f}], macro-F1 {f1['difference']:+.3f} [{f1['ci'][0]:+.3f}, {f1['ci'][1]:+.3f}]"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
