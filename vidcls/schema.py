"""The HDF5 feature-file layout: the one module that both the writer and every reader use.

Layout (the predecessor's layout, read as-is, plus optional provenance written by ``extract.py``)::

    features     float32|float16 [N, T, D]   zero-padded per-frame features (gzip)
    labels       int64 [N]                   class index
    num_frames   int64 [N]                   valid length of each row (1..T)
    video_paths  str [N]                     optional: source video of each row
    groups       str [N]                     optional: independent source of each row (grouped CV, vidcls.evaluation.cv)
    attrs:
      category_mapping  JSON {"ClassName": index, ...}  (the predecessor's format; {index: name} also read)
      feature_dim       D
      max_frames        T
      multi_scale       bool
      # provenance written by vidcls (absent in predecessor files):
      backbone, backbone_weights, frame_size (JSON [H, W]), scales (JSON list),
      sampling, schema_version, complete
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import h5py
import numpy as np

from vidcls.errors import VidclsError
from vidcls.utils.io import atomic_path

SPLITS: tuple[str, ...] = ("train", "val", "test")
FEATURES = "features"
LABELS = "labels"
NUM_FRAMES = "num_frames"
VIDEO_PATHS = "video_paths"
GROUPS = "groups"
SCHEMA_VERSION = 1

#: Attributes that record how features were made; training and inference must agree on them.
PROVENANCE_KEYS: tuple[str, ...] = (
    "backbone",
    "backbone_weights",
    "feature_dim",
    "frame_size",
    "max_frames",
    "scales",
    "sampling",
)
_JSON_ATTRS = frozenset({"category_mapping", "frame_size", "scales"})


def split_filename(split: str) -> str:
    """The predecessor's file name for a split, e.g. ``train_features_multiscale.h5``."""
    return f"{split}_features_multiscale.h5"


def split_path(features_dir: str | os.PathLike[str], split: str) -> Path:
    return Path(features_dir) / split_filename(split)


def parse_category_mapping(raw: Any) -> list[str]:
    """Class names ordered by index from a ``category_mapping`` attr in either direction."""
    if isinstance(raw, bytes):
        raw = raw.decode()
    mapping = json.loads(raw) if isinstance(raw, str) else dict(raw)
    if not mapping:
        raise ValueError("category_mapping is empty")
    keys, values = list(mapping.keys()), list(mapping.values())
    if all(isinstance(v, int) or (isinstance(v, str) and v.lstrip("-").isdigit()) for v in values) and not all(
        str(k).lstrip("-").isdigit() for k in keys
    ):
        by_index = {int(v): str(k) for k, v in mapping.items()}
    else:
        by_index = {int(k): str(v) for k, v in mapping.items()}
    if sorted(by_index) != list(range(len(by_index))):
        raise ValueError(f"category_mapping indices must be 0..C-1, got {sorted(by_index)}")
    return [by_index[i] for i in range(len(by_index))]


def category_mapping_json(class_names: Sequence[str]) -> str:
    """The predecessor's direction: ``{"ClassName": index}``."""
    return json.dumps({name: i for i, name in enumerate(class_names)})


@dataclass
class FeatureFileMeta:
    """Everything a reader needs to know about a feature file without loading features."""

    path: Path
    class_names: list[str]
    num_samples: int
    max_frames: int
    feature_dim: int
    dtype: str
    multi_scale: bool = True
    has_video_paths: bool = False
    complete: bool = True
    provenance: dict[str, Any] = field(default_factory=dict)

    @property
    def num_classes(self) -> int:
        return len(self.class_names)


def _attr(value: Any, key: str) -> Any:
    if isinstance(value, bytes):
        value = value.decode()
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if key in _JSON_ATTRS and isinstance(value, str):
        with contextlib.suppress(json.JSONDecodeError):
            value = json.loads(value)
    return value


def read_meta(path: str | os.PathLike[str]) -> FeatureFileMeta:
    """Read and structurally check a feature file's header; raise :class:`VidclsError` if unusable."""
    path = Path(path)
    if not path.is_file():
        raise VidclsError(
            f"feature file not found: {path}. Run `python extract.py data.features_dir={path.parent}` "
            "to create it, or point data.features_dir / data.<split>_file at an existing file."
        )
    try:
        with h5py.File(path, "r") as f:
            missing = [name for name in (FEATURES, LABELS, NUM_FRAMES) if name not in f]
            if missing:
                raise VidclsError(
                    f"{path} is not a vidcls feature file: missing dataset(s) {missing}. "
                    "Expected 'features' [N,T,D], 'labels' [N], 'num_frames' [N]; re-run extract.py."
                )
            feats = f[FEATURES]
            if feats.ndim != 3:
                raise VidclsError(f"{path}: 'features' must be [N, T, D], got shape {feats.shape}.")
            n, t, d = feats.shape
            for name in (LABELS, NUM_FRAMES):
                if f[name].shape != (n,):
                    raise VidclsError(f"{path}: '{name}' has shape {f[name].shape}, expected ({n},).")
            attrs = {k: _attr(v, k) for k, v in f.attrs.items()}
            if "category_mapping" not in attrs:
                raise VidclsError(
                    f"{path} has no 'category_mapping' attribute, so class names are unknown. Add it with "
                    'h5py (JSON {"ClassName": index}) or re-run extract.py.'
                )
            try:
                class_names = parse_category_mapping(f.attrs["category_mapping"])
            except (ValueError, TypeError) as err:
                raise VidclsError(f"{path}: bad 'category_mapping' attribute ({err}).") from None
            if int(attrs.get("feature_dim", d)) != d:
                raise VidclsError(
                    f"{path}: attr feature_dim={attrs['feature_dim']} disagrees with features shape {feats.shape}."
                )
            provenance = {k: attrs[k] for k in PROVENANCE_KEYS if k in attrs}
            provenance["feature_dim"] = d
            provenance["max_frames"] = t
            return FeatureFileMeta(
                path=path,
                class_names=class_names,
                num_samples=n,
                max_frames=t,
                feature_dim=d,
                dtype=str(feats.dtype),
                multi_scale=bool(attrs.get("multi_scale", True)),
                has_video_paths=VIDEO_PATHS in f,
                complete=bool(attrs.get("complete", True)),
                provenance=provenance,
            )
    except OSError as err:
        raise VidclsError(f"cannot read {path} as HDF5 ({err}). Is it truncated? Re-run extract.py.") from None


def validate_contents(
    path: str | os.PathLike[str],
    meta: FeatureFileMeta | None = None,
    chunk_rows: int = 256,
) -> FeatureFileMeta:
    """Check values, not only shapes: label range, lengths in 1..T, finite features."""
    meta = meta or read_meta(path)
    if not meta.complete:
        raise VidclsError(
            f"{meta.path} is marked incomplete (an extraction was interrupted). Re-run the same extract.py "
            "command to resume it."
        )
    with h5py.File(meta.path, "r") as f:
        labels = f[LABELS][()]
        lengths = f[NUM_FRAMES][()]
        bad = np.flatnonzero((labels < 0) | (labels >= meta.num_classes))
        if bad.size:
            raise VidclsError(
                f"{meta.path}: {bad.size} label(s) outside 0..{meta.num_classes - 1} (first at row {bad[0]}: "
                f"{labels[bad[0]]}). Fix 'labels' or 'category_mapping'."
            )
        bad = np.flatnonzero((lengths < 1) | (lengths > meta.max_frames))
        if bad.size:
            raise VidclsError(
                f"{meta.path}: {bad.size} 'num_frames' value(s) outside 1..{meta.max_frames} (first at row "
                f"{bad[0]}: {lengths[bad[0]]}). Each row needs a true length no larger than T."
            )
        feats = f[FEATURES]
        for start in range(0, meta.num_samples, chunk_rows):
            block = feats[start : start + chunk_rows]
            if not np.isfinite(block).all():
                row = start + int(np.flatnonzero(~np.isfinite(block).reshape(len(block), -1).all(axis=1))[0])
                raise VidclsError(
                    f"{meta.path}: non-finite (NaN/inf) features in row {row}. Re-extract that video or drop it."
                )
    return meta


def write_attrs(
    f: h5py.File,
    class_names: Sequence[str],
    feature_dim: int,
    max_frames: int,
    multi_scale: bool = True,
    provenance: Mapping[str, Any] | None = None,
    complete: bool = True,
) -> None:
    """Write the header attrs; JSON-encode structured provenance so any HDF5 tool can read it."""
    f.attrs["category_mapping"] = category_mapping_json(class_names)
    f.attrs["feature_dim"] = int(feature_dim)
    f.attrs["max_frames"] = int(max_frames)
    f.attrs["multi_scale"] = bool(multi_scale)
    f.attrs["schema_version"] = SCHEMA_VERSION
    for key, value in (provenance or {}).items():
        if key in ("feature_dim", "max_frames"):
            continue
        f.attrs[key] = json.dumps(value) if key in _JSON_ATTRS or isinstance(value, list | dict) else value
    f.attrs["complete"] = bool(complete)


def write_feature_file(
    path: str | os.PathLike[str],
    features: np.ndarray,
    labels: Sequence[int] | np.ndarray,
    num_frames: Sequence[int] | np.ndarray,
    class_names: Sequence[str],
    provenance: Mapping[str, Any] | None = None,
    video_paths: Sequence[str] | None = None,
    multi_scale: bool = True,
    groups: Sequence[str] | None = None,
) -> Path:
    """Write a whole feature file atomically (temp file + rename): readers never see half a file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    features = np.asarray(features)
    n, t, d = features.shape
    with atomic_path(path) as tmp, h5py.File(tmp, "w") as f:
        f.create_dataset(FEATURES, data=features, compression="gzip", chunks=(1, t, d) if n else None)
        f.create_dataset(LABELS, data=np.asarray(labels, dtype=np.int64))
        f.create_dataset(NUM_FRAMES, data=np.asarray(num_frames, dtype=np.int64))
        if video_paths is not None:
            f.create_dataset(VIDEO_PATHS, data=[str(p) for p in video_paths], dtype=h5py.string_dtype())
        if groups is not None:
            if len(groups) != n:
                raise ValueError(f"groups has {len(groups)} entries for {n} rows")
            f.create_dataset(GROUPS, data=[str(g) for g in groups], dtype=h5py.string_dtype())
        write_attrs(f, class_names, d, t, multi_scale=multi_scale, provenance=provenance)
    return path


def read_video_paths(f: h5py.File) -> list[str] | None:
    if VIDEO_PATHS not in f:
        return None
    return [p.decode() if isinstance(p, bytes) else str(p) for p in f[VIDEO_PATHS][()]]


def read_groups(f: h5py.File) -> list[str] | None:
    """The per-row source groups, if the file stores them."""
    if GROUPS not in f:
        return None
    return [g.decode() if isinstance(g, bytes) else str(g) for g in f[GROUPS][()]]


def read_row(f: h5py.File, index: int, length: int | None = None) -> np.ndarray:
    """Row ``index``'s true-length ``[t, D]`` features, without the zero padding past ``num_frames``."""
    length = int(f[NUM_FRAMES][index]) if length is None else int(length)
    return f[FEATURES][index, :length]
