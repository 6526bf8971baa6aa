"""Issue 13's done-when, as a user runs it: ``extract.py`` at defaults vs ``sampling=uniform-aligned-v1
backbone.runtime=torch``, on 8 clips of 10 s, 640x360, 30 fps H.264, in the same run.

    python -m bench.issue13_check                       # clips generated once into /tmp/vidcls-issue13
    python -m bench.issue13_check --videos V --repeats 3

Each repeat runs the two commands one after the other (alternating which goes first), each into a
new features folder, and takes wall time from the clock and user/sys CPU time from ``getrusage``
of the finished child (it includes the grandchildren it waited for: the OpenVINO worker). The
exported CNN is cached per machine like any user's, so one untimed warm-up run exports it first.
Prints one line per command and repeat, then min/median of wall, the ratio per repeat, the sys
share of CPU time and the ``sampling`` attribute of the default's files. Exit status 0 when the
median ratio is >= 3, sys < 15% of CPU time and the files say v2; 1 otherwise.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import h5py

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ()
BASELINE = ("sampling=uniform-aligned-v1", "backbone.runtime=torch")
TARGET_RATIO = 3.0
MAX_SYS_SHARE = 0.15


def make_clips(folder: Path) -> Path:
    """8 clips of 10 s, 640x360, 30 fps H.264 (keyframe every 5 s), 4 per class; reused when present."""
    from bench.extract_bench import make_video

    for seed in range(8):
        path = folder / ("Animation" if seed < 4 else "Gaming") / f"clip{seed}.mp4"
        if not path.is_file():
            path.parent.mkdir(parents=True, exist_ok=True)
            make_video(path, seconds=10.0, size=(640, 360), fps=30, gop=150, seed=seed)
    return folder


def run(videos: Path, features: Path, overrides: tuple[str, ...], log: Path) -> dict[str, float]:
    """One ``extract.py`` run: wall, user and sys seconds (its children included)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    with log.open("w") as out:
        proc = subprocess.run(
            [sys.executable, str(ROOT / "extract.py"), f"data.videos_dir={videos}", f"data.features_dir={features}",
             f"hydra.run.dir={features}/hydra", *overrides],
            cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"extract.py {' '.join(overrides)} failed (exit {proc.returncode}); see {log}")
    return {"wall": wall, "user": after.ru_utime - before.ru_utime, "sys": after.ru_stime - before.ru_stime}


def sampling_attr(features: Path) -> str:
    with h5py.File(features / "train_features_multiscale.h5", "r") as f:
        value = f.attrs["sampling"]
    return value.decode() if isinstance(value, bytes) else str(value)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--videos", type=Path, help="folder of <Class>/<clip> videos (default: generate 8 clips)")
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "vidcls-issue13")
    args = parser.parse_args()
    videos = args.videos or make_clips(args.work / "videos")
    runs = args.work / "runs"
    shutil.rmtree(runs, ignore_errors=True)
    runs.mkdir(parents=True)
    run(videos, runs / "warmup", DEFAULT, runs / "warmup.log")  # exports the CNN once (cached per machine)
    results: dict[str, list[dict[str, float]]] = {"default": [], "v1+torch": []}
    for rep in range(args.repeats):
        order = [("default", DEFAULT), ("v1+torch", BASELINE)]
        for name, overrides in order if rep % 2 == 0 else order[::-1]:
            r = run(videos, runs / f"{name}-{rep}", overrides, runs / f"{name}-{rep}.log")
            results[name].append(r)
            cpu = r["user"] + r["sys"]
            print(f"repeat {rep} {name:9s} wall {r['wall']:6.1f} s  user {r['user']:6.1f} s  sys {r['sys']:5.1f} s  "
                  f"sys/CPU {r['sys'] / cpu:5.1%}", flush=True)  # fmt: skip
    ratios = [b["wall"] / d["wall"] for d, b in zip(results["default"], results["v1+torch"], strict=True)]
    for name, rs in results.items():
        walls = [r["wall"] for r in rs]
        print(f"{name:9s} wall min {min(walls):.1f} s, median {statistics.median(walls):.1f} s")
    sys_share = max(r["sys"] / (r["user"] + r["sys"]) for r in results["default"])
    sampling = sampling_attr(runs / "default-0")
    median_ratio = statistics.median(ratios)
    print(f"ratio v1+torch / default (wall, per repeat): {', '.join(f'{x:.2f}' for x in ratios)}; "
          f"median {median_ratio:.2f} (target >= {TARGET_RATIO:g})")  # fmt: skip
    print(f"default: sys share of CPU time at most {sys_share:.1%} (target < {MAX_SYS_SHARE:.0%}); "
          f"files' sampling attr: {sampling}")  # fmt: skip
    ok = median_ratio >= TARGET_RATIO and sys_share < MAX_SYS_SHARE and sampling.startswith("uniform-aligned-v2")
    print("issue 13 done-when:", "met" if ok else "NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
