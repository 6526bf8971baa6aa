"""Shared fixtures. Keep them cheap: the whole suite must run on 2 CPU cores in minutes."""

from __future__ import annotations

import os
from pathlib import Path

# One intra-op thread for the tests and every subprocess they start (train.py members, DDP ranks,
# extract.py). On a 2-core machine where anything else is running, OpenMP's spinning threads make a
# tiny training step 20-60x slower with 2 threads than with 1 (measured: 22 ms vs 1475 ms).
os.environ["OMP_NUM_THREADS"] = "1"
os.environ["MKL_NUM_THREADS"] = "1"

from collections.abc import Callable

import pytest
import torch
from compose_configs import compose_config
from omegaconf import DictConfig

from vidcls.synthetic import write_synthetic_splits

torch.set_num_threads(1)


@pytest.fixture(scope="session")
def synthetic_features_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Learnable seed-layout files: D=32, T=16, 4 classes, 24/8/8 per class. Treat as read-only."""
    out = tmp_path_factory.mktemp("synthetic_features")
    return write_synthetic_splits(out, {"train": 24, "val": 8, "test": 8}, max_frames=16, feature_dim=32)


@pytest.fixture(scope="session")
def compose_cfg() -> Callable[..., DictConfig]:
    """``compose_cfg("eval", [overrides], {"paths.output_dir": tmp})``: composed once per session, a copy per call."""
    return compose_config
