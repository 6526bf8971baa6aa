"""Score a demo-trained model on the real-clip dev set's held-out groups (docs/results.md).

Reads the ``predictions.csv`` that ``eval.py`` writes for the dev set's feature file, joins each
row to its group (source) in the dev set's manifest, drops the groups the demo itself trains on
(``vidcls.demo.real.DEMO_DEVSET_GROUPS``) and prints held-out accuracy, macro-F1, per-class and
per-sub-kind recall with their counts, and per-group counts, with bootstrap intervals that
resample groups. ``--split tune`` or ``--split final`` keeps only that part of the protocol split
(the manifest's ``devset_split`` column; docs/results.md, "An honest protocol"); the default,
``all``, scores every held-out group. The class of a clip is the manifest's ``label`` (it follows
docs/classes.md, also for features extracted before a relabel). ``--compare`` adds the paired
difference against another run's predictions on the same clips::

    python scripts/score_devset.py logs/devset_eval/predictions.csv \\
        --manifest devset/manifest.csv [--split final] [--compare OTHER/predictions.csv] [--json out.json]
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

from vidcls.demo.real import DEMO_DEVSET_GROUPS, DEVSET_PARTS, DEVSET_SPLIT_COLUMN
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


#: The protocol's parts (the manifest's ``devset_split`` column); ``all`` = every held-out group.
SPLITS = ("all", *DEVSET_PARTS)
SPLIT_COLUMN = DEVSET_SPLIT_COLUMN


def manifest_columns(manifest: Path) -> list[str]:
    """The header of the manifest (which optional columns it has)."""
    if not manifest.is_file():
        raise VidclsError(f"{manifest} does not exist; pass --manifest devset/manifest.csv")
    with manifest.open(newline="") as handle:
        return next(csv.reader(handle), [])


def score(
    predictions: Path,
    manifest: Path,
    compare: Path | None = None,
    excluded: frozenset[str] = DEMO_DEVSET_GROUPS,
    num_samples: int = 2000,
    seed: int = 0,
    confidence: float = 0.95,
    split: str = "all",
) -> dict[str, Any]:
    """Held-out scores of ``predictions`` (and a paired difference to ``compare``) as a plain dict."""
    paths, labels, predicted = read_predictions(predictions)
    columns = manifest_columns(manifest)
    groups = match_manifest(paths, manifest, "group")
    if "label" in columns:
        labels = match_manifest(paths, manifest, "label")
    subkinds = match_manifest(paths, manifest, "subkind") if "subkind" in columns else None
    if split not in SPLITS:
        raise VidclsError(f"--split {split!r} is not one of {', '.join(SPLITS)}")
    if split != "all" and SPLIT_COLUMN not in columns:
        raise VidclsError(f"{manifest} has no {SPLIT_COLUMN} column for --split {split}; use devset/manifest.csv")
    parts = match_manifest(paths, manifest, SPLIT_COLUMN) if split != "all" else [split] * len(paths)
    keep = [i for i, g in enumerate(groups) if g not in excluded and parts[i] == split]
    if not keep:
        raise VidclsError(f"no held-out clip of {predictions} is in --split {split}; score the dev set's predictions")
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
        "split": split,
        "clips": len(keep),
        "groups": len(group_names),
        "excluded_groups": sorted(excluded & set(groups)),
        "accuracy": float(point["accuracy"]),
        "accuracy_ci": interval(resampled["accuracy"]),
        "macro_f1": float(point["macro_f1"]),
        "macro_f1_ci": interval(resampled["macro_f1"]),
        "recall": {c: float(point["recall"][i]) for i, c in enumerate(class_names)},
        "per_class": recall_table([labels[i] for i in keep], [predicted[i] for i in keep],
                                  [groups[i] for i in keep]),
        "per_subkind": None if subkinds is None else recall_table(
            [f"{labels[i]}/{subkinds[i]}" for i in keep], [predicted[i] for i in keep], [groups[i] for i in keep],
            truth=[labels[i] for i in keep]),
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


def recall_table(
    keys: list[str], predicted: list[str], groups: list[str], truth: list[str] | None = None
) -> dict[str, dict[str, Any]]:
    """Recall per key (a class, or ``Class/sub-kind`` with ``truth`` the class) with its clip and source counts."""
    truth = keys if truth is None else truth
    table: dict[str, dict[str, Any]] = {}
    for key in sorted(set(keys)):
        rows = [i for i, k in enumerate(keys) if k == key]
        right = sum(predicted[i] == truth[i] for i in rows)
        table[key] = {"recall": right / len(rows), "right": right, "clips": len(rows),
                      "groups": len({groups[i] for i in rows})}  # fmt: skip
    return table


def report(result: dict[str, Any]) -> str:
    """The numbers as a few plain lines (what docs/results.md rows quote)."""
    lo, hi = result["accuracy_ci"]
    flo, fhi = result["macro_f1_ci"]
    recall = " / ".join(f"{v:.2f}" for v in result["recall"].values())
    lines = [
        f"held-out ({'every split' if result['split'] == 'all' else 'split ' + result['split']}): "
        f"{result['clips']} clips, {result['groups']} groups (excluded: {', '.join(result['excluded_groups'])})",
        f"accuracy {100 * result['accuracy']:.1f}% [{100 * lo:.1f}, {100 * hi:.1f}]  "
        f"macro-F1 {result['macro_f1']:.3f} [{flo:.3f}, {fhi:.3f}]",
        f"recall {' / '.join(result['recall'])}: {recall}",
    ]
    for title, table in (("class", result["per_class"]), ("sub-kind", result["per_subkind"] or {})):
        lines.append(f"recall per {title} (right/clips, sources):")
        lines.extend(
            f"  {key:36s} {row['recall']:.2f}  {row['right']}/{row['clips']}, {row['groups']}"
            for key, row in table.items()
        )
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
    parser.add_argument(
        "--split",
        choices=SPLITS,
        default="all",
        help="score only the tune or the final part of the protocol split (default: all held-out)",
    )
    parser.add_argument("--compare", type=Path, help="another predictions.csv on the same clips (paired difference)")
    parser.add_argument("--json", type=Path, help="also write the numbers here")
    args = parser.parse_args(argv)
    try:
        result = score(args.predictions, args.manifest, args.compare, split=args.split)
    except VidclsError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(report(result))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
