"""The CSV manifests of the real-video recipe (scripts/train_real_video.sh): what trains, what validates, what is final.

    python scripts/real_video_manifest.py --devset data/devset/manifest.csv \\
        --demo data/demo/features/manifest.csv --demo-videos data/demo/videos \\
        --out data/real_video/manifest.csv --final-out data/real_video/final.csv

``--out`` (for ``extract.py data.manifest=...``) holds every demo clip as ``train`` and the dev set's
``tune`` clips, whole sources at a time: about a quarter of each class's tune sources (``--val-fraction``)
are ``val`` (early stopping, the ensemble's temperature), the rest ``train``. The demo's own dev-set
sources (``vidcls.demo.real.DEMO_DEVSET_GROUPS``) always train: the demo already holds views of them.
``final`` rows never enter it; ``--final-out`` lists them alone (split ``test``), to be extracted and
scored once at the end (docs/results.md, "An honest protocol"). Paths are written absolute, so one
CSV can mix the demo's and the dev set's folders. Which sources validate is fixed by
``sha256(VAL_SALT + group)``, so a rebuild gives the same files.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import sys
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as `python scripts/real_video_manifest.py` from a source checkout
    sys.path.insert(0, str(ROOT))

from vidcls.demo.real import DEMO_DEVSET_GROUPS, DEVSET_PARTS, DEVSET_SPLIT_COLUMN  # noqa: E402
from vidcls.errors import VidclsError  # noqa: E402
from vidcls.utils.io import atomic_path  # noqa: E402

FIELDS = ("path", "label", "split", "group")
VAL_SALT = "vidcls-real-video-val-1:"
DEMO_GROUP = "demo"
TUNE, FINAL = DEVSET_PARTS


def read_rows(path: Path, needed: Sequence[str]) -> list[dict[str, str]]:
    """A CSV's rows; one clear error when it is missing or lacks a column."""
    if not path.is_file():
        raise VidclsError(f"{path} does not exist; build it first (see scripts/train_real_video.sh).")
    with path.open(newline="") as f:
        reader = csv.DictReader(f)
        missing = [c for c in needed if c not in (reader.fieldnames or [])]
        if missing:
            raise VidclsError(f"{path} lacks column(s) {missing}; found {reader.fieldnames}.")
        return list(reader)


def val_groups(tune_rows: Iterable[dict[str, str]], fraction: float) -> set[str]:
    """Per class, the first round(n * fraction) (at least one when n >= 2) of its n non-demo tune sources,
    in sha256 order: whole sources, so no validation source is in training."""
    sources: dict[str, set[str]] = defaultdict(set)
    for row in tune_rows:
        if row["group"] not in DEMO_DEVSET_GROUPS:
            sources[row["label"]].add(row["group"])
    chosen: set[str] = set()
    for groups in sources.values():
        if len(groups) < 2:
            continue  # a class's only source must train
        ordered = sorted(groups, key=lambda g: hashlib.sha256((VAL_SALT + g).encode()).hexdigest())
        chosen.update(ordered[: min(len(groups) - 1, max(1, round(len(groups) * fraction)))])
    return chosen


def _absolute(path: str, root: Path) -> str:
    p = Path(path)
    return str((p if p.is_absolute() else root / p).resolve())


def training_rows(
    devset_rows: Sequence[dict[str, str]],
    devset_dir: Path,
    demo_rows: Sequence[dict[str, str]],
    demo_videos: Path,
    val_fraction: float,
) -> list[dict[str, str]]:
    """Demo clips (all ``train``) + the dev set's ``tune`` clips (``train``/``val`` by source); never ``final``."""
    tune = [r for r in devset_rows if r[DEVSET_SPLIT_COLUMN] == TUNE]
    if not tune:
        raise VidclsError("the dev-set manifest has no devset_split=tune rows; rebuild it: scripts/build_devset.py.")
    val = val_groups(tune, val_fraction)
    rows = [
        {"path": _absolute(r["path"], demo_videos), "label": r["label"], "split": "train", "group": DEMO_GROUP}
        for r in demo_rows
    ]
    rows += [
        {
            "path": _absolute(r["path"], devset_dir),
            "label": r["label"],
            "split": "val" if r["group"] in val else "train",
            "group": r["group"],
        }
        for r in tune
    ]
    return rows


def final_rows(devset_rows: Sequence[dict[str, str]], devset_dir: Path) -> list[dict[str, str]]:
    """The ``final`` clips alone, as a test split: extracted and scored once, at the end."""
    return [
        {"path": _absolute(r["path"], devset_dir), "label": r["label"], "split": "test", "group": r["group"]}
        for r in devset_rows
        if r[DEVSET_SPLIT_COLUMN] == FINAL
    ]


def write_rows(path: Path, rows: Sequence[dict[str, str]]) -> None:
    with atomic_path(path) as tmp, tmp.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=FIELDS)
        writer.writeheader()
        writer.writerows(rows)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--devset", type=Path, default=Path("data/devset/manifest.csv"), help="build_devset.py's CSV")
    parser.add_argument("--devset-dir", type=Path, help="root of the dev set's paths (default: the CSV's folder)")
    parser.add_argument("--demo", type=Path, default=Path("data/demo/features/manifest.csv"), help="the demo's CSV")
    parser.add_argument("--demo-videos", type=Path, default=Path("data/demo/videos"), help="root of the demo's paths")
    parser.add_argument("--out", type=Path, default=Path("data/real_video/manifest.csv"), help="training CSV")
    parser.add_argument("--final-out", type=Path, help="also write the final clips here (split test)")
    parser.add_argument("--val-fraction", type=float, default=0.25, help="share of each class's tune sources")
    args = parser.parse_args(argv)
    try:
        devset = read_rows(args.devset, ("path", "label", "group", DEVSET_SPLIT_COLUMN))
        demo = read_rows(args.demo, ("path", "label"))
        rows = training_rows(devset, args.devset_dir or args.devset.parent, demo, args.demo_videos, args.val_fraction)
        write_rows(args.out, rows)
        counts = {s: sum(r["split"] == s for r in rows) for s in ("train", "val")}
        val = sorted({r["group"] for r in rows if r["split"] == "val"})
        print(f"{args.out}: {counts['train']} train clips, {counts['val']} val clips from {len(val)} tune sources")
        print(f"  val sources: {', '.join(val)}")
        if args.final_out:
            final = final_rows(devset, args.devset_dir or args.devset.parent)
            write_rows(args.final_out, final)
            print(f"{args.final_out}: {len(final)} final clips from {len({r['group'] for r in final})} sources")
    except VidclsError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
