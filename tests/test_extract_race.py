"""Two extract.py runs started at once into one features folder: one wins it whole, the other writes nothing.

Each run is its own process executing ``extract.py`` as ``__main__`` (through ``runpy``, as the
other CLI tests do), forked from one launcher that has already imported torch, Hydra and vidcls
(~3 s a process on 2 cores, paid once). Both runs of a pair wait where the task starts, after
Hydra's start-up, until both are there, so they plan at the same moment: on the code before the
lock moved, 7 and 9 of the 10 pairs (two runs of the test) left a mixed folder. The ten pairs
take ~12 s of CPU in all (Hydra's config composition, ~0.5 s a run, is most of it).
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import h5py
import pytest
from synth_video import write_test_video

from vidcls.extraction.dataset import MANIFEST_NAME, SOURCE_NAME, build_plan
from vidcls.schema import SPLITS, read_meta, split_path

ROOT = Path(__file__).resolve().parents[1]
RATIOS = (0.7, 0.2, 0.1)
TRIES = 10
#: All a finished run leaves in its features folder.
FOLDER = sorted(
    [".vidcls.lock", ".vidcls.plan.lock", "duplicates.csv", "failures.csv", "manifest.csv", "plan.json", "skipped.csv"]
    + [split_path(Path(), s).name for s in SPLITS]
)

#: Forks, per try, the two runs of that try; both wait at the task's start until both are there.
LAUNCHER = r"""
import json, os, runpy, sys, traceback
sys.path[0] = {root!r}
import torch, hydra, av, h5py  # the imports every run would pay for, paid once here
import vidcls.tasks.extract, vidcls.backbones.registry, vidcls.utils.cli
tries = json.loads(sys.argv[1])
codes = []
for runs in tries:
    ready_r, ready_w = os.pipe()
    go_r, go_w = os.pipe()
    pids = []
    for run in runs:
        pid = os.fork()
        if pid == 0:
            os.close(ready_r)
            os.close(go_w)
            out = os.open(run["log"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
            os.dup2(out, 1)
            os.dup2(out, 2)
            import vidcls.tasks.extract as task
            def gated(cfg, run=task.run):  # Hydra has composed the config: wait here for the other run
                os.write(ready_w, b".")
                os.close(ready_w)
                os.read(go_r, 1)  # returns at EOF: when the launcher lets both go
                return run(cfg)
            task.run = gated
            sys.argv = [{extract!r}, *run["args"]]
            code = 1
            try:
                runpy.run_path(sys.argv[0], run_name="__main__")
                code = 0
            except SystemExit as stop:
                code = stop.code if isinstance(stop.code, int) else 1
            except BaseException:
                traceback.print_exc()
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
        pids.append(pid)
    os.close(ready_w)
    os.close(go_r)
    while os.read(ready_r, 1):  # EOF once each run has arrived at the task (or exited before it)
        pass
    os.close(ready_r)
    os.close(go_w)
    codes.append([os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) for pid in pids])
print(json.dumps(codes))
"""


def make_videos(root: Path, variant: int) -> Path:
    """Ten clips per class, the same file names in every ``variant``; no two files alike (length, size)."""
    for c, name in enumerate(("Alpha", "Beta")):
        for i in range(10):
            size = (32 + 2 * c, 24 + 2 * variant)
            write_test_video(root / name / f"clip{i}.mp4", num_frames=8 + i, fps=8, size=size, seed=variant + i)
    return root


def planned(videos: Path, seed: int) -> list[tuple[str, str, str, str]]:
    """(path, label, split, hash) as a run with this videos folder and seed plans them."""
    plan = build_plan(str(videos), None, RATIOS, seed, 1)
    return [(e.path, e.label, e.split, e.hash) for e in plan.entries]


def read_manifest(features: Path) -> list[tuple[str, str, str, str]]:
    with (features / MANIFEST_NAME).open(newline="") as f:
        return [(r["path"], r["label"], r["split"], r["hash"]) for r in csv.DictReader(f)]


def feature_rows(features: Path) -> list[tuple[str, str, str]]:
    """(path, split, hash) of every row of the three split files, which must all be finished."""
    rows = []
    for split in SPLITS:
        assert read_meta(split_path(features, split)).complete
        with h5py.File(split_path(features, split), "r") as f:
            paths = [p.decode() for p in f["video_paths"][()]]
            hashes = [h.decode() for h in f["video_hashes"][()]]
        rows += [(p, split, h) for p, h in zip(paths, hashes, strict=True)]
    return sorted(rows)


@pytest.mark.slow
def test_two_runs_started_at_once_leave_the_folder_wholly_the_winners(tmp_path: Path) -> None:
    videos = {"v1": make_videos(tmp_path / "v1", 0), "v2": make_videos(tmp_path / "v2", 1)}
    expected = {(v, s): planned(videos[v], s) for v in videos for s in (0, 5)}
    # The pairs must disagree, or a mixed folder would look consistent.
    assert expected["v1", 0] != expected["v1", 5] and {e[2] for e in expected["v1", 0]} == set(SPLITS)
    assert {e[3] for e in expected["v1", 0]}.isdisjoint({e[3] for e in expected["v2", 0]})
    # Run A is v1 with seed 0; run B another seed, another videos folder (same names), or both.
    others = [("v1", 5), ("v2", 0), ("v2", 5)]
    tries = []
    for t in range(TRIES):
        pair = {"A": ("v1", 0), "B": others[t % len(others)]}
        runs = []
        for name in "AB" if t % 2 == 0 else "BA":  # who is forked first alternates
            v, seed = pair[name]
            args = [
                f"hydra.run.dir={tmp_path / f'try{t}' / f'hydra-{name}'}", "backbone=tiny_cnn",
                "backbone.runtime=torch", "device=cpu", "cpu_threads=1", "num_workers=1", "num_frames=4",
                "frame_size=16", f"data.videos_dir={videos[v]}", f"data.features_dir={tmp_path / f'try{t}' / 'f'}",
                f"seed={seed}",
            ]  # fmt: skip
            runs.append({"name": name, "config": (v, seed), "args": args, "log": str(tmp_path / f"{t}-{name}.log")})
        tries.append(runs)
    launcher = LAUNCHER.format(root=str(ROOT), extract=str(ROOT / "extract.py"))
    proc = subprocess.run(
        [sys.executable, "-c", launcher, json.dumps(tries)], cwd=tmp_path, capture_output=True, text=True, timeout=240
    )
    assert proc.returncode == 0, proc.stderr
    codes = json.loads(proc.stdout.strip().splitlines()[-1])

    lost_to_the_lock = 0
    for t, (runs, exits) in enumerate(zip(tries, codes, strict=True)):
        features = tmp_path / f"try{t}" / "f"
        logs = [Path(run["log"]).read_text() for run in runs]
        where = f"try {t}: " + " | ".join(
            f"{r['name']} {r['config']} exit {c}: {log}" for r, c, log in zip(runs, exits, logs, strict=True)
        )
        assert all("Traceback" not in log for log in logs), where
        extracted = [i for i, log in enumerate(logs) if "extracted 20 video(s)" in log]
        assert len(extracted) == 1 and exits[extracted[0]] == 0, where
        winner = runs[extracted[0]]
        loser_log, loser_exit = logs[1 - extracted[0]], exits[1 - extracted[0]]
        v, seed = winner["config"]
        # Everything in the folder is the winner's: its source, its split, its rows with its hashes.
        assert json.loads((features / SOURCE_NAME).read_text())["videos_dir"] == str(videos[v].resolve()), where
        assert read_manifest(features) == expected[v, seed], where
        assert feature_rows(features) == sorted((p, s, h) for p, _, s, h in expected[v, seed]), where
        assert sorted(p.name for p in features.iterdir()) == FOLDER, where  # nothing half-written or moved aside
        assert "split saved to" not in loser_log, where  # the loser planned nothing (and wrote no manifest)
        errors = [line for line in loser_log.splitlines() if line.startswith("error:")]
        if loser_exit == 2 and len(errors) == 1 and "in use by another run" in errors[0]:
            lost_to_the_lock += 1
            assert "wait for it to finish, or use another data.features_dir" in errors[0], where
            assert "extract.py" in errors[0], where  # names the run that holds the folder
        elif loser_exit == 2:  # it came after the winner had finished: the saved plan's check refused it
            assert len(errors) == 1 and "was planned from data.videos_dir" in errors[0], where
        else:  # after the winner, the same videos: it resumed the saved split and added nothing
            assert loser_exit == 0 and "extracted 0 video(s)" in loser_log, where
    assert lost_to_the_lock >= TRIES // 2, f"only {lost_to_the_lock} of {TRIES} pairs overlapped"
