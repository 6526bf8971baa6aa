"""extract.py as a user runs it: a tiny folder end to end, and a bad path that exits 2 with one line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import h5py
import numpy as np
import pytest
from synth_video import write_test_video

from vidcls.backbones import runtime as rt
from vidcls.schema import SPLITS, split_path, validate_contents

ROOT = Path(__file__).resolve().parents[1]


def run_extract(*overrides: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "extract.py"), f"hydra.run.dir={cwd / 'hydra'}", *overrides],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.slow
def test_extract_py_on_a_tiny_folder(tmp_path: Path) -> None:
    for c, name in enumerate(("Cats", "Dogs")):
        for i in range(3):
            write_test_video(tmp_path / "v" / name / f"{i}.mp4", num_frames=12 + i, fps=10, seed=c * 10 + i)
    proc = run_extract(
        "backbone=tiny_cnn",
        f"data.videos_dir={tmp_path / 'v'}",
        f"data.features_dir={tmp_path / 'f'}",
        "num_frames=8",
        "frame_size=32",
        "dtype=float16",
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    for split in SPLITS:
        meta = validate_contents(split_path(tmp_path / "f", split))
        assert meta.class_names == ["Cats", "Dogs"] and meta.max_frames == 8 and meta.dtype == "float16"
    assert (tmp_path / "f" / "manifest.csv").is_file() and (tmp_path / "f" / "failures.csv").is_file()
    assert "videos/s" in proc.stderr


@pytest.mark.slow
def test_extract_py_bad_path_exits_2_with_one_clear_line(tmp_path: Path) -> None:
    proc = run_extract(
        "backbone=tiny_cnn",
        f"data.videos_dir={tmp_path / 'missing'}",
        f"data.features_dir={tmp_path / 'f'}",
        cwd=tmp_path,
    )
    assert proc.returncode == 2
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "videos directory not found" in errors[0] and "Traceback" not in proc.stderr


#: Imported by Lightning (torchmetrics -> torchvision -> torch._dynamo): ~4 s of start-up on 2 cores.
HEAVY_MODULES = ("lightning", "pytorch_lightning", "torchmetrics", "torchvision", "torch._dynamo")


def test_extract_py_never_imports_lightning_or_torchvision(tmp_path: Path) -> None:
    """Start-up is part of every extract.py run; lite0/tiny_cnn need none of these (seeding included)."""
    write_test_video(tmp_path / "v" / "Cats" / "0.mp4", num_frames=12, fps=10)
    write_test_video(tmp_path / "v" / "Dogs" / "0.mp4", num_frames=12, fps=10, seed=1)
    probe = (
        "import atexit, runpy, sys\n"
        f"atexit.register(lambda: print('HEAVY', [m for m in {HEAVY_MODULES!r} if m in sys.modules]))\n"
        f"sys.path[0] = {str(ROOT)!r}  # as for `python extract.py`: this checkout's vidcls\n"
        f"sys.argv = [{str(ROOT / 'extract.py')!r}, *sys.argv[1:]]\n"
        "runpy.run_path(sys.argv[0], run_name='__main__')\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", probe, f"hydra.run.dir={tmp_path / 'hydra'}", "backbone=tiny_cnn",
         "backbone.runtime=torch", f"data.videos_dir={tmp_path / 'v'}", f"data.features_dir={tmp_path / 'f'}",
         "num_frames=8", "frame_size=32", "seed=3"],
        cwd=tmp_path, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "extracted 2 video(s)" in proc.stderr
    assert "HEAVY []" in proc.stdout, proc.stdout


@pytest.mark.skipif(not any(rt.runtime_available(r) for r in rt.FAST_CPU_RUNTIMES), reason="no fast runtime")
def test_extract_py_with_a_cached_export_never_imports_torch(tmp_path: Path) -> None:
    """torch's import is ~2 s of every start on 2 cores: once the CNN is exported, extraction runs without it."""
    import torch

    from vidcls.backbones.registry import TinyCNN

    weights = tmp_path / "tiny.pth"
    torch.save(TinyCNN().state_dict(), weights)
    write_test_video(tmp_path / "v" / "Cats" / "0.mp4", num_frames=12, fps=10)
    write_test_video(tmp_path / "v" / "Dogs" / "0.mp4", num_frames=12, fps=10, seed=1)
    probe = (
        "import atexit, runpy, sys\n"
        "atexit.register(lambda: print('TORCH', 'torch' in sys.modules))\n"
        f"sys.path[0] = {str(ROOT)!r}\n"
        f"sys.argv = [{str(ROOT / 'extract.py')!r}, *sys.argv[1:]]\n"
        "runpy.run_path(sys.argv[0], run_name='__main__')\n"
    )

    def extract(name: str) -> tuple[str, np.ndarray]:
        proc = subprocess.run(
            [sys.executable, "-c", probe, f"hydra.run.dir={tmp_path / name / 'hydra'}", "backbone=tiny_cnn",
             f"backbone.weights={weights}", f"backbone.cache_dir={tmp_path / 'cache'}", "backbone.runtime=onnx",
             f"data.videos_dir={tmp_path / 'v'}", f"data.features_dir={tmp_path / name}", "num_frames=8",
             "frame_size=32", "seed=3"],
            cwd=tmp_path, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert proc.returncode == 0, proc.stderr
        with h5py.File(tmp_path / name / "train_features_multiscale.h5") as f:
            return proc.stdout.strip().splitlines()[-1], f["features"][:]

    first, first_features = extract("first")  # exports the CNN through torch, and records it in the index
    again, again_features = extract("again")
    assert (first, again) == ("TORCH True", "TORCH False")
    np.testing.assert_array_equal(again_features, first_features)
