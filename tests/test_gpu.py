"""CUDA paths: ``trainer=gpu`` mixed-precision training, CUDA extraction, ensemble inference on CUDA.

Skipped without a GPU (``RunIf(min_gpus=1)``); on a GPU machine run them with ``pytest -m gpu``.
Each compares the CUDA result with the CPU one, so a silent fallback or a precision bug fails.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import h5py
import numpy as np
import torch
import yaml
from compose_configs import compose_config
from run_if import RunIf
from synth_video import write_test_video
from tiny_checkpoints import TINY_MODEL, train_tiny_checkpoints

from vidcls.schema import SPLITS, split_filename, split_path

ROOT = Path(__file__).resolve().parents[1]
DEVICE = "cuda"


@RunIf(min_gpus=1)
def test_trainer_gpu_trains_with_mixed_precision(synthetic_features_dir: Path, tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    proc = subprocess.run(
        [
            sys.executable,
            str(ROOT / "train.py"),
            "trainer=gpu",
            *TINY_MODEL,
            "data.batch_size=16",
            "data.num_workers=0",
            "trainer.max_epochs=3",
            f"data.features_dir={synthetic_features_dir}",
            f"hydra.run.dir={run_dir}",
        ],
        cwd=tmp_path,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    resolved = yaml.safe_load((run_dir / "resolved_config.yaml").read_text())
    assert resolved["trainer"]["accelerator"] == "gpu" and resolved["trainer"]["precision"] == "16-mixed"
    report = json.loads((run_dir / "metrics.json").read_text())
    assert report["epochs_trained"] == 3 and report["val/acc_best"] is not None
    # fp16 training must not diverge: the weights stay finite and the checkpoint serves on CPU.
    from vidcls.inference import load_ensemble

    ensemble = load_ensemble(run_dir, device="cpu")
    with h5py.File(split_path(synthetic_features_dir, "test"), "r") as f:
        x = torch.from_numpy(f["features"][:8]).float()
        lengths = torch.from_numpy(f["num_frames"][:8]).long()
    probs = ensemble.predict(x, lengths).probs
    assert torch.isfinite(probs).all()
    torch.testing.assert_close(probs.sum(-1), torch.ones(8))


def extract_with(device: str, videos: Path, out: Path) -> Path:
    from vidcls.tasks.extract import run

    cfg = compose_config(
        "extract",
        ["backbone=tiny_cnn", "num_frames=8", "frame_size=32", f"device={device}"],
        {"data.videos_dir": str(videos), "data.features_dir": str(out)},
    )
    run(cfg)
    return out


@RunIf(min_gpus=1)
def test_cuda_extraction_matches_cpu(tmp_path: Path) -> None:
    for c, name in enumerate(("Cats", "Dogs")):
        for i in range(3):
            write_test_video(tmp_path / "v" / name / f"{i}.mp4", num_frames=10 + i, fps=10, seed=c * 10 + i)
    cpu = extract_with("cpu", tmp_path / "v", tmp_path / "cpu")
    gpu = extract_with(DEVICE, tmp_path / "v", tmp_path / "gpu")
    for split in SPLITS:
        with h5py.File(cpu / split_filename(split), "r") as a, h5py.File(gpu / split_filename(split), "r") as b:
            np.testing.assert_array_equal(a["labels"][()], b["labels"][()])
            np.testing.assert_array_equal(a["num_frames"][()], b["num_frames"][()])
            # CUDA runs the CNN under fp16 autocast: close to float32, not bit-equal.
            np.testing.assert_allclose(a["features"][()], b["features"][()], rtol=2e-2, atol=2e-2)


@RunIf(min_gpus=1)
def test_ensemble_inference_on_cuda_matches_cpu(synthetic_features_dir: Path, tmp_path: Path) -> None:
    from vidcls.inference import load_ensemble

    run_dir = train_tiny_checkpoints(synthetic_features_dir, tmp_path / "ckpts", epochs=2)
    with h5py.File(split_path(synthetic_features_dir, "test"), "r") as f:
        x = torch.from_numpy(f["features"][()]).float()
        lengths = torch.from_numpy(f["num_frames"][()]).long()
    lengths[::3] = torch.clamp(lengths[::3] // 2, min=1)  # mixed lengths: the packed CUDA path
    cpu = load_ensemble(run_dir, device="cpu").predict(x, lengths, tta=["original", "reversed"], return_attention=True)
    gpu_ensemble = load_ensemble(run_dir, device=DEVICE)
    assert all(next(m.model.parameters()).device.type == DEVICE for m in gpu_ensemble.members)
    gpu = gpu_ensemble.predict(x, lengths, tta=["original", "reversed"], return_attention=True)
    assert gpu.probs.device.type == "cpu", "predictions come back on the CPU for the callers"
    torch.testing.assert_close(gpu.probs, cpu.probs, atol=1e-4, rtol=1e-3)
    torch.testing.assert_close(gpu.member_probs, cpu.member_probs, atol=1e-4, rtol=1e-3)
