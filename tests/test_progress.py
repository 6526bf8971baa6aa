"""Progress in logs: when the console is not a terminal, plain timed lines (done/total, rate, ETA)."""

from __future__ import annotations

import io
import re
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
import torch
from rich.console import Console
from rich.progress import Progress
from synth_video import write_test_video

from vidcls.utils.progress import PlainProgress, format_duration, plain_line, progress_bar, set_plain_interval

ROOT = Path(__file__).resolve().parents[1]
LINE = re.compile(
    r"^extracting \(tiny_cnn\): \d+/6 videos \(\d+%\), ([\d.]+|--) videos/s, (eta \S+|done), elapsed \S+$"
)


def test_plain_lines_in_a_log_and_nothing_for_a_job_shorter_than_the_interval() -> None:
    buf = io.StringIO()
    with progress_bar("videos", Console(file=buf), interval_s=0.05) as progress:
        assert isinstance(progress, PlainProgress)
        task = progress.add_task("extracting", total=8)
        for _ in range(8):
            time.sleep(0.02)
            progress.advance(task)
    lines = buf.getvalue().splitlines()
    assert len(lines) >= 2, lines
    assert all(
        re.match(r"extracting: \d/8 videos \(\d+%\), ([\d.]+|--) videos/s, (eta \S+|done), elapsed", x) for x in lines
    )
    assert lines[-1].startswith("extracting: 8/8 videos (100%)") and "done" in lines[-1]
    quiet = io.StringIO()
    with progress_bar("videos", Console(file=quiet), interval_s=30) as progress:
        progress.advance(progress.add_task("extracting", total=2), 2)
    assert quiet.getvalue() == ""


def test_a_terminal_keeps_the_rich_bar() -> None:
    bar = progress_bar("videos", Console(file=io.StringIO(), force_terminal=True))
    assert isinstance(bar, Progress) and not isinstance(bar, PlainProgress)


def test_line_format() -> None:
    assert plain_line("eval", 25, 100, 10.0, "videos") == (
        "eval: 25/100 videos (25%), 2.50 videos/s, eta 30s, elapsed 10s"
    )
    assert plain_line("file.mp4", 0.5, 1.0, 3.0, "files", fractional=True) == "file.mp4: 50%, eta 3s, elapsed 3s"
    assert plain_line("scanning", 3, None, 1.0, "videos") == "scanning: 3 videos, 3.00 videos/s, eta --, elapsed 1s"
    assert format_duration(3725) == "1h02m" and format_duration(248) == "4m08s"
    with pytest.raises(ValueError):
        set_plain_interval(0)


def test_eval_prints_plain_lines(monkeypatch: pytest.MonkeyPatch) -> None:
    from vidcls.evaluation.runner import predict_split

    class SlowEnsemble:
        def predict(self, x, lengths, tta):
            time.sleep(0.03)
            return SimpleNamespace(member_probs=torch.full((1, len(x), 2), 0.5), raw_member_probs=None)

    batches = [(torch.zeros(2, 3, 4), torch.ones(2), torch.zeros(2, dtype=torch.long)) for _ in range(6)]
    loader = type("Loader", (), {"dataset": range(12), "__iter__": lambda self: iter(batches)})()
    buf = io.StringIO()
    set_plain_interval(0.04)
    try:
        labels, probs = predict_split(SlowEnsemble(), loader, {"no_tta": ["original"]}, "test", Console(file=buf))
    finally:
        set_plain_interval(None)
    assert labels.shape == (12,) and np.asarray(probs["no_tta"]).shape == (1, 12, 2)
    assert re.search(r"^test: \d+/12 videos \(\d+%\), [\d.]+ videos/s, eta", buf.getvalue(), re.M), buf.getvalue()


@pytest.mark.slow
def test_extract_py_with_stderr_in_a_file_logs_progress_lines(tmp_path: Path) -> None:
    for c, name in enumerate(("Cats", "Dogs")):
        for i in range(3):
            write_test_video(tmp_path / "v" / name / f"{i}.mp4", num_frames=12 + i, fps=10, seed=c * 10 + i)
    log = tmp_path / "stderr.log"
    with log.open("w") as stderr:
        proc = subprocess.run(
            [
                sys.executable,
                str(ROOT / "extract.py"),
                f"hydra.run.dir={tmp_path / 'hydra'}",
                "backbone=tiny_cnn",
                f"data.videos_dir={tmp_path / 'v'}",
                f"data.features_dir={tmp_path / 'f'}",
                "num_frames=8",
                "frame_size=32",
                "num_workers=1",
                "progress_interval_s=0.01",  # the ONNX runtime extracts these 6 tiny clips in about 0.2 s
            ],
            cwd=tmp_path,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            timeout=300,
        )
    text = log.read_text()
    assert proc.returncode == 0, text
    lines = [x for x in text.splitlines() if x.startswith("extracting (tiny_cnn)")]
    assert lines and all(LINE.match(x) for x in lines), text
    assert "\x1b[" not in text  # no terminal control codes in a log


def test_part_progress_maps_a_stage_onto_its_slice_of_the_file() -> None:
    from vidcls.utils.progress import part_progress

    seen: list[float] = []
    decode, encode = part_progress(seen.append, 0.0, 0.5), part_progress(seen.append, 0.5, 0.5)
    assert decode is not None and encode is not None
    for stage in (decode, encode):
        stage(0.0)
        stage(1.0)
    assert seen == [0.0, 0.5, 0.5, 1.0]
    assert part_progress(None, 0.25, 0.5) is None  # no bar: the stages get no callback either
