"""The dev set's feature rows of one protocol part, without the demo's own sources, as one feature file.

The dev set's features are extracted once, every clip in one file; the protocol (docs/results.md,
"An honest protocol") makes choices on `tune` and scores `final` once. This script keeps the rows
whose manifest ``devset_split`` is ``--split``, drops the dev-set sources the demo itself trains on
(``vidcls.demo.real.DEMO_DEVSET_GROUPS``), checks that the file's labels are the manifest's, and
writes ``OUT/test_features_multiscale.h5`` (with each row's source), which ``eval.py
data.test_file=...`` scores and ``calibrate.py features_file=...`` fits on (``tune`` only)::

    python scripts/devset_rows.py data/devset/features_demo/train_features_multiscale.h5 \\
        --manifest devset/manifest.csv --split final --out data/devset/final_demo
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from vidcls.demo.real import DEMO_DEVSET_GROUPS, DEVSET_PARTS, DEVSET_SPLIT_COLUMN
from vidcls.errors import VidclsError
from vidcls.evaluation.cv import Pool, drop_groups, load_pool, match_manifest, subset_pool
from vidcls.schema import split_path

SPLITS = DEVSET_PARTS
SPLIT_COLUMN = DEVSET_SPLIT_COLUMN


def select_rows(
    features: Path, manifest: Path, split: str, excluded: frozenset[str] = DEMO_DEVSET_GROUPS
) -> tuple[Pool, list[str]]:
    """The feature file's rows of one protocol part without the demo's own sources (and which of those it had)."""
    if split not in SPLITS:
        raise VidclsError(f"--split {split!r} is not one of {', '.join(SPLITS)}")
    pool = subset_pool(load_pool(features, manifest, "group"), manifest, SPLIT_COLUMN, split)
    dropped = sorted(excluded & set(pool.groups))
    pool = drop_groups(pool, dropped)
    if not pool.video_paths:
        raise VidclsError(f"{features} has no clip of --split {split} outside the demo's own sources")
    # Fits and scores read the file's labels; a relabelled source must be re-extracted first (docs/results.md).
    truth = match_manifest(pool.video_paths, manifest, "label")
    stale = [v for v, y, t in zip(pool.video_paths, pool.labels, truth, strict=True) if pool.class_names[y] != t]
    if stale:
        raise VidclsError(
            f"{len(stale)} row(s) of {features} carry another label than {manifest} (first: {stale[0]}); "
            "re-extract the dev set's features from its current manifest"
        )
    return pool, dropped


def write_rows(pool: Pool, out_dir: Path) -> Path:
    """The rows as one feature file that eval.py and calibrate.py read (``OUT/test_features_multiscale.h5``)."""
    return pool.write(split_path(out_dir, "test"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("features", type=Path, help="the dev set's feature file (every clip)")
    parser.add_argument("--manifest", type=Path, default=Path("devset/manifest.csv"), help="the dev set's manifest")
    parser.add_argument("--split", choices=SPLITS, required=True, help="the protocol part to keep")
    parser.add_argument("--out", type=Path, required=True, help="folder for test_features_multiscale.h5")
    args = parser.parse_args(argv)
    try:
        pool, dropped = select_rows(args.features, args.manifest, args.split)
        path = write_rows(pool, args.out)
    except VidclsError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(
        f"{path}: {len(pool.video_paths)} clips, {len(set(pool.groups))} sources of --split {args.split} "
        f"(left out, the demo's own: {', '.join(dropped) or 'none'})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
