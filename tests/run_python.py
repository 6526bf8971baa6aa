"""Run this repository's Python in a child process, as a user's shell would: one place for the env."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_python(*argv: str, cwd: Path = ROOT, timeout: int = 240) -> subprocess.CompletedProcess[str]:
    """``python ARGV...`` with this interpreter, the repo on ``PYTHONPATH`` and one OpenMP thread."""
    env = dict(os.environ, OMP_NUM_THREADS="1", PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, *argv], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
