"""Small, learnable feature files in the predecessor's layout, for tests, benchmarks and a first run.

Each class has its own mean direction in feature space plus a class-specific temporal pattern
(a slow oscillation along a second direction), so a model that uses time can beat one that does
not, and a model that learns anything beats chance. Rows have random true lengths and are
zero-padded past them, exactly as extracted files are.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from vidcls.schema import SPLITS, split_path, write_feature_file

SYNTHETIC_CLASS_NAMES: tuple[str, ...] = ("ClassA", "ClassB", "ClassC", "ClassD")


@dataclass(frozen=True)
class ClassGeometry:
    """Where the synthetic classes sit: unit directions drawn from ``seed``, scaled to ``separation``."""

    separation: float = 1.5
    seed: int = 1234


def synthetic_features(
    num_per_class: int,
    class_names: Sequence[str] = SYNTHETIC_CLASS_NAMES,
    max_frames: int = 16,
    feature_dim: int = 32,
    min_frames: int = 4,
    *,
    noise: float = 1.0,
    seed: int = 0,
    geometry: ClassGeometry = ClassGeometry(),
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(features [N,T,D] float32, labels [N], num_frames [N])``; class geometry fixed by ``geometry``."""
    directions = np.random.default_rng(geometry.seed)
    num_classes = len(class_names)
    means = directions.normal(size=(num_classes, feature_dim))
    means *= geometry.separation / np.linalg.norm(means, axis=1, keepdims=True)
    motion = directions.normal(size=(num_classes, feature_dim))
    motion *= geometry.separation / np.linalg.norm(motion, axis=1, keepdims=True)
    freqs = 0.5 + np.arange(num_classes)

    rng = np.random.default_rng(seed)
    labels = np.repeat(np.arange(num_classes), num_per_class)
    rng.shuffle(labels)
    n = labels.size
    lengths = rng.integers(min_frames, max_frames + 1, size=n)
    features = np.zeros((n, max_frames, feature_dim), dtype=np.float32)
    for i, (label, length) in enumerate(zip(labels, lengths, strict=True)):
        t = np.linspace(0.0, 1.0, length)[:, None]
        row = means[label] + np.sin(2 * np.pi * freqs[label] * t) * motion[label]
        row = row + noise * rng.normal(size=(length, feature_dim))
        features[i, :length] = row
    return features, labels.astype(np.int64), lengths.astype(np.int64)


def write_synthetic_splits(
    features_dir: str | os.PathLike[str],
    num_per_class: dict[str, int] | int = 16,
    class_names: Sequence[str] = SYNTHETIC_CLASS_NAMES,
    max_frames: int = 16,
    feature_dim: int = 32,
    seed: int = 0,
    backbone: str = "synthetic",
    **kwargs: float | int,
) -> Path:
    """Write ``{train,val,test}_features_multiscale.h5`` with the same class geometry in each."""
    features_dir = Path(features_dir)
    counts = num_per_class if isinstance(num_per_class, dict) else dict.fromkeys(SPLITS, num_per_class)
    provenance = {
        "backbone": backbone,
        "backbone_weights": "none",
        "frame_size": [0, 0],
        "scales": [1.0],
        "sampling": "synthetic",
    }
    for offset, split in enumerate(SPLITS):
        feats, labels, lengths = synthetic_features(
            counts[split],
            class_names=class_names,
            max_frames=max_frames,
            feature_dim=feature_dim,
            seed=seed + offset,
            **kwargs,
        )
        paths = [f"synthetic/{split}/{class_names[y]}/{i:05d}.mp4" for i, y in enumerate(labels)]
        write_feature_file(
            split_path(features_dir, split),
            feats,
            labels,
            lengths,
            class_names,
            provenance=provenance,
            video_paths=paths,
        )
    return features_dir
