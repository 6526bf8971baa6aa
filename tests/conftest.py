"""Shared fixtures. Keep them cheap: the whole suite must run on 2 CPU cores in minutes."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from vidcls.synthetic import write_synthetic_splits

torch.set_num_threads(max(1, min(2, torch.get_num_threads())))


@pytest.fixture(scope="session")
def synthetic_features_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Learnable seed-layout files: D=32, T=16, 4 classes, 24/8/8 per class. Treat as read-only."""
    out = tmp_path_factory.mktemp("synthetic_features")
    return write_synthetic_splits(out, {"train": 24, "val": 8, "test": 8}, max_frames=16, feature_dim=32)
