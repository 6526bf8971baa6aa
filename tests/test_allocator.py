"""tune_malloc: large buffers freed and reallocated stop costing page faults (issue 13, item 1)."""

from __future__ import annotations

import logging
import os
import subprocess
import sys

import pytest

from vidcls.utils import allocator

_FAULTS = """
import resource, sys
import torch
import torch.nn.functional as F
from vidcls.utils.allocator import tune_malloc
applied = tune_malloc() if sys.argv[1] == "tuned" else False
x, w1, w2 = torch.rand(24, 3, 256, 256), torch.rand(32, 3, 3, 3), torch.rand(32, 1, 3, 3)
faults = []
with torch.inference_mode():  # a CNN-like batch: two 50 MB activations allocated and freed per call
    for _ in range(5):
        before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        F.relu6(F.conv2d(F.relu6(F.conv2d(x, w1, stride=2, padding=1)), w2, padding=1, groups=32)).mean((2, 3))
        faults.append(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
print(applied, sum(faults[2:]))  # after two warm-up batches
"""


def _minor_faults(mode: str) -> tuple[bool, int]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_")}
    out = subprocess.run(
        [sys.executable, "-c", _FAULTS, mode], capture_output=True, text=True, check=True, env=env, cwd=os.getcwd()
    ).stdout.split()
    return out[0] == "True", int(out[1])


@pytest.mark.skipif(allocator._glibc() is None, reason="the malloc thresholds exist only in glibc")
def test_tuned_malloc_reuses_large_buffers_instead_of_faulting_them_in_again() -> None:
    applied, tuned = _minor_faults("tuned")
    _, default = _minor_faults("default")
    assert applied
    # Default glibc: each activation is a fresh mmap whose pages fault in again every batch (~86k per
    # batch measured); tuned: the heap keeps them and later batches fault nothing in (0 measured).
    assert default > 100_000, default
    assert tuned < default / 4, (tuned, default)


def test_no_op_with_one_debug_line_without_glibc_or_when_the_user_chose(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger=allocator.__name__)
    monkeypatch.setattr(allocator, "_applied", None)
    monkeypatch.setattr(allocator, "_glibc", lambda: None)
    monkeypatch.delenv("MALLOC_MMAP_THRESHOLD_", raising=False)
    monkeypatch.delenv("MALLOC_TRIM_THRESHOLD_", raising=False)
    assert allocator.tune_malloc() is False
    assert [r.message for r in caplog.records] == ["not glibc: malloc thresholds left as they are"]
    caplog.clear()
    monkeypatch.setattr(allocator, "_applied", None)
    monkeypatch.setenv("MALLOC_TRIM_THRESHOLD_", "1000")
    assert allocator.tune_malloc() is False
    assert len(caplog.records) == 1 and "environment" in caplog.records[0].message


def test_every_entry_point_tunes_malloc_at_start_up(monkeypatch: pytest.MonkeyPatch) -> None:
    from vidcls.utils import cli

    calls: list[str] = []
    monkeypatch.setattr(cli, "tune_malloc", lambda: calls.append("tuned") or True)
    cli.run_hydra_cli(lambda: calls.append("main"))
    assert calls == ["tuned", "main"]
