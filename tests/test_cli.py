"""Every entry point turns a user's mistake into one `error:` line and exit status 2."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ENTRY_POINTS = ("extract.py", "train.py", "eval.py", "predict.py", "app.py")


def run(script: str, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, str(ROOT / script), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


def error_lines(result: subprocess.CompletedProcess[str]) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("error:")]


@pytest.mark.parametrize("script", ENTRY_POINTS)
def test_unknown_override_is_one_line_exit_2(script: str, tmp_path: Path) -> None:
    result = run(script, "no_such_key=1", cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert len(error_lines(result)) == 1
    assert "no_such_key" in error_lines(result)[0]
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(("script", "given"), [("eval.py", []), ("predict.py", ["video=clip.mp4"]), ("app.py", [])])
def test_missing_mandatory_checkpoints_say_which_key(script: str, given: list[str], tmp_path: Path) -> None:
    result = run(script, *given, f"hydra.run.dir={tmp_path / 'run'}", cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert len(error_lines(result)) == 1
    assert "ckpt_paths" in error_lines(result)[0]
    assert "Traceback" not in result.stderr
