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
      backbone, backbone_weights, frame_size (JSON [H, W]), spatial_scales (JSON list; absent = [1.0]),
      scales (JSON list), sampling, schema_version, complete
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
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
#: Content hash (manifest.csv's ``hash``) of each row's video, written by extract.py: a resume or
#: merge keeps a row only while the plan still names that video with that content. Readers ignore it.
VIDEO_HASHES = "video_hashes"
SCHEMA_VERSION = 1


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


#: The predecessor's four content types in its ``category_mapping`` index order: the names its
#: checkpoints (which record none) mean, and the classes the demo-data builder renders.
PREDECESSOR_CLASS_NAMES: tuple[str, ...] = ("Animation", "Flat_Content", "Gaming", "Natural_Content")
#: What a recipe without spatial scales means: every frame through the CNN at ``frame_size`` only.
SINGLE_SPATIAL_SCALE: tuple[float, ...] = (1.0,)
_JSON_ATTRS = frozenset({"category_mapping", "frame_size", "spatial_scales", "scales"})


@dataclass(frozen=True, eq=False)
class Provenance(Mapping[str, Any]):
    """How features were made (the HDF5/checkpoint provenance attrs); ``None`` = not recorded.

    The one definition of these keys and of when two recipes agree (:meth:`mismatches`): the
    writer, merge, the datamodule (across splits), checkpoints, ensembles, predict and the web all
    compare through it. Values are canonical (tuples, ints), so ``[256, 256]`` from JSON equals
    ``(256, 256)`` from code; read as a mapping it shows only recorded keys, as plain JSON values
    (lists), which is what files, checkpoints and reports store.
    """

    backbone: str | None = None
    backbone_weights: str | None = None
    feature_dim: int | None = None
    frame_size: tuple[int, int] | None = None
    spatial_scales: tuple[float, ...] | None = None
    max_frames: int | None = None
    scales: tuple[float, ...] | None = None
    sampling: str | None = None

    def __post_init__(self) -> None:
        if self.frame_size is not None and self.spatial_scales is None:
            # Files and checkpoints from before spatial scales saw each frame at frame_size only.
            object.__setattr__(self, "spatial_scales", SINGLE_SPATIAL_SCALE)

    @classmethod
    def of(cls, value: Mapping[str, Any] | None, source: str = "") -> Provenance:
        """Canonical provenance from a mapping (HDF5 attrs, checkpoint hparams, a user override).

        ``source`` (e.g. the file) starts the error line when a key or value is unusable.
        """
        if isinstance(value, Provenance):
            return value
        where = f"{source}: " if source else ""
        raw = {str(k): v for k, v in dict(value or {}).items() if v is not None}
        unknown = sorted(set(raw) - set(PROVENANCE_KEYS))
        if unknown:
            raise VidclsError(f"{where}unknown provenance key(s) {unknown}; the keys are {', '.join(PROVENANCE_KEYS)}.")
        try:
            return cls(**{key: _CANONICAL[key](v) for key, v in raw.items()})
        except (TypeError, ValueError) as err:
            raise VidclsError(f"{where}bad provenance value ({err}) in {raw}; re-extract the features.") from None

    def _get(self, key: str) -> Any:
        return getattr(self, key) if key in PROVENANCE_KEYS else None

    def __getitem__(self, key: str) -> Any:
        value = self._get(key)
        if value is None:
            raise KeyError(key)
        return list(value) if isinstance(value, tuple) else value

    def __iter__(self) -> Iterator[str]:
        return (key for key in PROVENANCE_KEYS if getattr(self, key) is not None)

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Mapping):
            return NotImplemented
        try:
            other = Provenance.of(other)
        except VidclsError:
            return False
        return all(getattr(self, k) == getattr(other, k) for k in PROVENANCE_KEYS)

    __hash__ = None  # type: ignore[assignment]

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict of the recorded keys (checkpoints, reports, the web API)."""
        return dict(self.items())

    def missing(self, keys: Sequence[str] | None = None) -> list[str]:
        """The keys (default: all) this provenance does not record."""
        return [key for key in (keys or PROVENANCE_KEYS) if self._get(key) is None]

    def mismatches(self, other: Mapping[str, Any], missing_ok: bool = True) -> list[str]:
        """The compatibility rule: keys whose values differ, as ``"key mine != theirs"``.

        A key recorded on one side only is no conflict (predecessor files and checkpoints record
        nothing) unless ``missing_ok=False`` (appending to or merging files: both must say the same).
        """
        other = Provenance.of(other)
        out = []
        for key in PROVENANCE_KEYS:
            mine, theirs = getattr(self, key), getattr(other, key)
            if mine is None or theirs is None:
                if missing_ok or mine is theirs:
                    continue
            elif mine == theirs:
                continue
            shown = [repr(side[key]) if key in side else "not recorded" for side in (self, other)]
            out.append(f"{key} {shown[0]} != {shown[1]}")
        return out

    def require_compatible(self, other: Mapping[str, Any], what: str, fix: str, missing_ok: bool = True) -> None:
        """Raise one :class:`VidclsError` line ``"<what> (<differing keys>). <fix>"`` if they disagree."""
        conflicts = self.mismatches(other, missing_ok=missing_ok)
        if conflicts:
            raise VidclsError(f"{what} ({'; '.join(conflicts)}). {fix}")

    def merged(self, other: Mapping[str, Any]) -> Provenance:
        """These values, with the keys only ``other`` records filled in (check compatibility first)."""
        other = Provenance.of(other)
        return replace(self, **{k: getattr(other, k) for k in self.missing() if getattr(other, k) is not None})


def _floats(value: Any) -> tuple[float, ...]:
    return tuple(float(v) for v in value)


def _frame_size(value: Any) -> tuple[int, int]:
    values = [int(value)] if isinstance(value, int | np.integer | float) else [int(v) for v in value]
    return (values[0], values[0]) if len(values) == 1 else (values[0], values[1])


_CANONICAL: dict[str, Any] = {
    "backbone": str,
    "backbone_weights": str,
    "feature_dim": int,
    "frame_size": _frame_size,
    "spatial_scales": _floats,
    "max_frames": int,
    "scales": _floats,
    "sampling": str,
}
#: The provenance keys, in the order files and reports list them.
PROVENANCE_KEYS: tuple[str, ...] = tuple(f.name for f in fields(Provenance))
#: What a feature extractor needs to be rebuilt (``FeatureExtractor.from_provenance``).
EXTRACTION_KEYS: tuple[str, ...] = ("backbone", "frame_size", "spatial_scales", "max_frames", "scales", "sampling")


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
    provenance: Provenance = field(default_factory=Provenance)

    @property
    def num_classes(self) -> int:
        return len(self.class_names)


def decode_attr(value: Any, key: str) -> Any:
    """An HDF5 attr as plain Python: str not bytes, Python scalars, lists; JSON attrs parsed."""
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
            attrs = {k: decode_attr(v, k) for k, v in f.attrs.items()}
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
            recorded = {k: attrs[k] for k in PROVENANCE_KEYS if k in attrs}
            # the array's shape is the truth for feature_dim and max_frames
            provenance = Provenance.of({**recorded, "feature_dim": d, "max_frames": t}, source=str(path))
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
    for key, value in Provenance.of(provenance).items():
        if key not in ("feature_dim", "max_frames"):  # written above from the array's shape
            f.attrs[key] = json.dumps(value) if key in _JSON_ATTRS else value
    f.attrs["complete"] = bool(complete)


@dataclass
class FeatureRows:
    """Features streamed row by row (a merge of large shard files never holds them all in memory)."""

    shape: tuple[int, int, int]  # [N, T, D]
    dtype: str
    rows: Iterable[np.ndarray]  # N rows of [T, D], in file order


def write_feature_file(
    path: str | os.PathLike[str],
    features: np.ndarray | FeatureRows,
    labels: Sequence[int] | np.ndarray,
    num_frames: Sequence[int] | np.ndarray,
    class_names: Sequence[str],
    provenance: Mapping[str, Any] | None = None,
    video_paths: Sequence[str] | None = None,
    multi_scale: bool = True,
    groups: Sequence[str] | None = None,
    video_hashes: Sequence[str] | None = None,
    extra_attrs: Mapping[str, Any] | None = None,
) -> Path:
    """Write a whole feature file atomically (temp file + rename): readers never see half a file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not isinstance(features, FeatureRows):
        features = np.asarray(features)
    n, t, d = features.shape
    strings = {VIDEO_HASHES: video_hashes, VIDEO_PATHS: video_paths, GROUPS: groups}
    for name, values in strings.items():
        if values is not None and len(values) != n:
            raise ValueError(f"{name} has {len(values)} entries for {n} rows")
    with atomic_path(path) as tmp, h5py.File(tmp, "w") as f:
        chunks = (1, t, d) if n else None  # an empty split cannot have (1, T, D) chunks
        if isinstance(features, FeatureRows):
            out = f.create_dataset(FEATURES, shape=(n, t, d), dtype=features.dtype, chunks=chunks, compression="gzip")
            for i, row in enumerate(features.rows):
                out[i] = row
        else:
            f.create_dataset(FEATURES, data=features, compression="gzip", chunks=chunks)
        f.create_dataset(LABELS, data=np.asarray(labels, dtype=np.int64))
        f.create_dataset(NUM_FRAMES, data=np.asarray(num_frames, dtype=np.int64))
        for name, values in strings.items():
            if values is not None:
                f.create_dataset(name, data=[str(v) for v in values], dtype=h5py.string_dtype())
        write_attrs(f, class_names, d, t, multi_scale=multi_scale, provenance=provenance)
        for key, value in (extra_attrs or {}).items():
            f.attrs[key] = value
    return path


def _strings(values: Iterable[Any]) -> list[str]:
    return [v.decode() if isinstance(v, bytes) else str(v) for v in values]


def read_strings(f: h5py.File, name: str) -> list[str] | None:
    """A per-row string dataset (``video_paths``, ``groups``, ``video_hashes``) as ``str``, if the file has it."""
    return _strings(f[name][()]) if name in f else None


def read_video_paths(f: h5py.File) -> list[str] | None:
    return read_strings(f, VIDEO_PATHS)


def read_groups(f: h5py.File) -> list[str] | None:
    """The per-row source groups, if the file stores them."""
    return read_strings(f, GROUPS)


def read_row(f: h5py.File, index: int, length: int | None = None) -> np.ndarray:
    """Row ``index``'s true-length ``[t, D]`` features, without the zero padding past ``num_frames``."""
    length = int(f[NUM_FRAMES][index]) if length is None else int(length)
    return f[FEATURES][index, :length]
