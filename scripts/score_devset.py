"""Score a demo-trained model on the real-clip dev set's held-out groups (docs/results.md).

Reads the ``predictions.csv`` that ``eval.py`` writes for the dev set's feature file, joins each
row to its group (source) in the dev set's manifest, drops the groups the demo itself trains on
(``vidcls.demo.real.DEMO_DEVSET_GROUPS``) and prints held-out accuracy, macro-F1, per-class
recall and per-group counts, with bootstrap intervals that resample groups. ``--compare`` adds
the paired difference against another run's predictions on the same clips::

    python scripts/score_devset.py logs/devset_eval/predictions.csv \\
        --manifest devset/manifest.csv [--compare OTHER/predictions.csv] [--json out.json]
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from vidcls.demo.real import DEMO_DEVSET_GROUPS
from vidcls.errors import VidclsError
from vidcls.evaluation.cv import (
    group_bootstrap,
    group_confusions,
    match_manifest,
    metrics_from_confusion,
    paired_group_difference,
)


def read_predictions(path: Path) -> tuple[list[str], list[str], list[str]]:
    """``video_path``, ``label`` and ``predicted`` (the ensemble's headline) columns of eval's CSV."""
    if not path.is_file():
        raise VidclsError(f"{path} does not exist; run eval.py on the dev set's features first (docs/results.md)")
    with path.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    if not rows or not {"video_path", "label", "predicted"} <= set(rows[0]):
        raise VidclsError(f"{path} is not an eval.py predictions.csv (needs video_path, label, predicted)")
    return [r["video_path"] for r in rows], [r["label"] for r in rows], [r["predicted"] for r in rows]


def score(
    predictions: Path,
    manifest: Path,
    compare: Path | None = None,
    excluded: frozenset[str] = DEMO_DEVSET_GROUPS,
    num_samples: int = 2000,
    seed: int = 0,
    confidence: float = 0.95,
) -> dict[str, Any]:
    """Held-out scores of ``predictions`` (and a paired difference to ``compare``) as a plain dict."""
    paths, labels, predicted = read_predictions(predictions)
    groups = match_manifest(paths, manifest, "group")
    keep = [i for i, g in enumerate(groups) if g not in excluded]
    class_names = sorted(set(labels) | set(predicted))
    group_names = sorted({groups[i] for i in keep})
    y = np.array([class_names.index(labels[i]) for i in keep])
    p = np.array([class_names.index(predicted[i]) for i in keep])
    gid = np.array([group_names.index(groups[i]) for i in keep])
    cms = group_confusions(y, p, gid, len(group_names), len(class_names))
    boot = group_bootstrap(len(group_names), num_samples, seed)
    point, resampled = metrics_from_confusion(cms.sum(axis=0)), metrics_from_confusion(cms[boot].sum(axis=1))
    alpha = (1 - confidence) / 2

    def interval(values: np.ndarray) -> list[float]:
        return [float(v) for v in np.quantile(values, [alpha, 1 - alpha], axis=0)]

    out: dict[str, Any] = {
        "clips": len(keep),
        "groups": len(group_names),
        "excluded_groups": sorted(excluded & set(groups)),
        "accuracy": float(point["accuracy"]),
        "accuracy_ci": interval(resampled["accuracy"]),
        "macro_f1": float(point["macro_f1"]),
        "macro_f1_ci": interval(resampled["macro_f1"]),
        "recall": {c: float(point["recall"][i]) for i, c in enumerate(class_names)},
        "per_group": {
            g: {"label": class_names[int(cms[k].sum(axis=1).argmax())], "right": int(np.trace(cms[k])),
                "clips": int(cms[k].sum()), "predicted": {class_names[j]: int(n) for j, n in
                                                          enumerate(cms[k].sum(axis=0)) if n}}
            for k, g in enumerate(group_names)
        },
    }  # fmt: skip
    if compare is not None:
        other_paths, _, other_predicted = read_predictions(compare)
        lookup = dict(zip(other_paths, other_predicted, strict=True))
        missing = [paths[i] for i in keep if paths[i] not in lookup]
        if missing:
            raise VidclsError(
                f"{compare} lacks {len(missing)} of the clips (first: {missing[0]}); compare runs on the same features"
            )
        if not set(lookup.values()) <= set(class_names):
            raise VidclsError(
                f"{compare} predicts classes {sorted(set(lookup.values()) - set(class_names))} unknown here"
            )
        q = np.array([class_names.index(lookup[paths[i]]) for i in keep])
        cms_b = group_confusions(y, q, gid, len(group_names), len(class_names))
        out["compare"] = {"against": str(compare), **paired_group_difference(cms, cms_b, boot, confidence)}
    return out


def report(result: dict[str, Any]) -> str:
    """The numbers as a few plain lines (what docs/results.md rows quote)."""
    lo, hi = result["accuracy_ci"]
    flo, fhi = result["macro_f1_ci"]
    recall = " / ".join(f"{v:.2f}" for v in result["recall"].values())
    lines = [
        f"held-out: {result['clips']} clips, {result['groups']} groups "
        f"(excluded: {', '.join(result['excluded_groups'])})",
        f"accuracy {100 * result['accuracy']:.1f}% [{100 * lo:.1f}, {100 * hi:.1f}]  "
        f"macro-F1 {result['macro_f1']:.3f} [{flo:.3f}, {fhi:.3f}]",
        f"recall {' / '.join(result['recall'])}: {recall}",
    ]
    for group, row in result["per_group"].items():
        wrong = ", ".join(f"{c} {n}" for c, n in row["predicted"].items() if c != row["label"])
        lines.append(
            f"  {group:36s} {row['label']:16s} {row['right']}/{row['clips']}" + (f"  ({wrong})" if wrong else "")
        )
    if "compare" in result:
        acc = result["compare"]["accuracy"]
        lines.append(
            f"paired difference vs {result['compare']['against']}: {100 * acc['difference']:+.1f} points "
            f"[{100 * acc['ci'][0]:+.1f}, {100 * acc['ci'][1]:+.1f}]"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("predictions", type=Path, help="eval.py's predictions.csv on the dev set's features")
    parser.add_argument("--manifest", type=Path, default=Path("devset/manifest.csv"), help="CSV with path,group")
    parser.add_argument("--compare", type=Path, help="another predictions.csv on the same clips (paired difference)")
    parser.add_argument("--json", type=Path, help="also write the numbers here")
    args = parser.parse_args(argv)
    try:
        result = score(args.predictions, args.manifest, args.compare)
    except VidclsError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(report(result))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
