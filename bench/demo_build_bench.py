"""The demo build (``extract.py data=demo`` step 1) with one process vs ``data.build_workers`` processes.

Each round builds the same set (``--clips`` per class, seed 0) into a fresh temporary folder, once
per worker count, in turn (A B A B ...) so a drifting shared machine hits both legs alike. CPU time
is this process's plus its reaped children's (the spawned build workers), from ``getrusage``.

    python bench/demo_build_bench.py --clips 8 --workers 2 --rounds 3
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import tempfile
import time
from pathlib import Path

from vidcls.demo import build_demo_videos
from vidcls.utils.resources import usable_cores


def _cpu() -> tuple[float, float]:
    """(user, sys) seconds of this process and its reaped children."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + children.ru_utime, own.ru_stime + children.ru_stime


def build_once(clips: int, workers: int) -> dict[str, float]:
    """Wall, user and sys seconds of one build from an empty folder."""
    with tempfile.TemporaryDirectory(prefix="vidcls-demo-bench-") as tmp:
        user0, sys0 = _cpu()
        start = time.perf_counter()
        build_demo_videos(Path(tmp) / "videos", clips, seed=0, workers=workers, show_progress=False)
        wall = time.perf_counter() - start
        user1, sys1 = _cpu()
    return {"wall": wall, "user": user1 - user0, "sys": sys1 - sys0}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips", type=int, default=8, help="clips per class (default 8)")
    parser.add_argument("--workers", type=int, default=usable_cores(), help="the parallel leg's processes")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", type=Path, help="also write the runs here")
    args = parser.parse_args()
    legs = {1: [], args.workers: []}
    for _ in range(args.rounds):
        for workers, runs in legs.items():
            runs.append(build_once(args.clips, workers))
    print(f"demo build, {args.clips} clips per class, {args.rounds} rounds, {usable_cores()} usable cores (medians)")
    for workers, runs in legs.items():
        med = {k: statistics.median(r[k] for r in runs) for k in ("wall", "user", "sys")}
        print(f"  workers={workers}: wall {med['wall']:.1f} s  user {med['user']:.1f} s  sys {med['sys']:.1f} s")
    ratios = [one["wall"] / many["wall"] for one, many in zip(legs[1], legs[args.workers], strict=True)]
    print(f"  wall ratio 1 / {args.workers} workers, pair by pair: median {statistics.median(ratios):.2f}x "
          f"(min {min(ratios):.2f}, max {max(ratios):.2f})")  # fmt: skip
    if args.json:
        args.json.write_text(json.dumps({str(k): v for k, v in legs.items()}, indent=2))


if __name__ == "__main__":
    main()
