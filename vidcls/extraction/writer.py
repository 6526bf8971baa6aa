"""Append rows to an HDF5 feature file one video at a time, and resume after a kill.

The file is created with resizable datasets and ``complete=False``; every row is flushed as soon
as it is written, and ``video_paths`` is written last so a row without its path is known to be
half-written and is dropped on resume. Only :meth:`IncrementalWriter.finish` sets ``complete=True``.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import h5py
import numpy as np

from vidcls.errors import VidclsError
from vidcls.schema import (
    FEATURES,
    LABELS,
    NUM_FRAMES,
    PROVENANCE_KEYS,
    VIDEO_HASHES,
    VIDEO_PATHS,
    Provenance,
    decode_attr,
    parse_category_mapping,
    read_strings,
    write_attrs,
)

_STR = h5py.string_dtype()


def _in_use(err: OSError) -> bool:
    """HDF5 refused the file because another process holds its lock (not because the file is damaged)."""
    text = str(err).lower()
    return "unable to lock file" in text or "resource temporarily unavailable" in text


class IncrementalWriter:
    """One split's feature file, opened for appending (fresh or resumed)."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        class_names: Sequence[str],
        feature_dim: int,
        max_frames: int,
        provenance: Mapping[str, Any],
        dtype: str = "float32",
        extra_attrs: Mapping[str, Any] | None = None,
    ) -> None:
        if dtype not in ("float32", "float16"):
            raise VidclsError(f"dtype must be float32 or float16, got {dtype!r}")
        self.path = Path(path)
        self.class_names = list(class_names)
        self.feature_dim = int(feature_dim)
        self.max_frames = int(max_frames)
        self.provenance = Provenance.of(provenance)
        self.extra_attrs = dict(extra_attrs or {})
        self.dtype = np.dtype(dtype)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.file = self._open()
        self.done: set[str] = set(self._paths())
        self._rows = len(self.done)

    # -- opening / resuming -------------------------------------------------------------------
    def _open(self) -> h5py.File:
        if self.path.exists():
            try:
                f = h5py.File(self.path, "r+")
            except OSError as err:
                if _in_use(err):
                    # Another process has it open for writing: its rows are live, never move them aside.
                    raise VidclsError(
                        f"{self.path} is open in another process ({err}); wait for that run to finish, "
                        "or use another data.features_dir"
                    ) from None
                aside = self.path.with_name(f"{self.path.name}.corrupt-{int(time.time())}")
                os.replace(self.path, aside)
                print(f"warning: {self.path} could not be opened ({err}); moved to {aside.name}, starting afresh")
                return self._create()
            self._check_compatible(f)
            self._truncate_partial(f)
            for key, value in self.extra_attrs.items():  # e.g. videos_dir after a checked move
                f.attrs[key] = value
            f.attrs["complete"] = False
            f.flush()
            return f
        return self._create()

    def _create(self) -> h5py.File:
        t, d = self.max_frames, self.feature_dim
        f = h5py.File(self.path, "w")
        f.create_dataset(
            FEATURES, shape=(0, t, d), maxshape=(None, t, d), dtype=self.dtype, chunks=(1, t, d), compression="gzip"
        )
        f.create_dataset(LABELS, shape=(0,), maxshape=(None,), dtype=np.int64, chunks=(1024,))
        f.create_dataset(NUM_FRAMES, shape=(0,), maxshape=(None,), dtype=np.int64, chunks=(1024,))
        f.create_dataset(VIDEO_HASHES, shape=(0,), maxshape=(None,), dtype=_STR, chunks=(1024,))
        f.create_dataset(VIDEO_PATHS, shape=(0,), maxshape=(None,), dtype=_STR, chunks=(1024,))
        write_attrs(
            f,
            self.class_names,
            d,
            t,
            multi_scale=len(self.provenance.scales or (1.0,)) > 1,
            provenance=self.provenance,
            complete=False,
        )
        for key, value in self.extra_attrs.items():
            f.attrs[key] = value
        f.flush()
        return f

    def _check_compatible(self, f: h5py.File) -> None:
        """Refuse to append rows made with other settings: a file must hold one kind of feature."""
        problems = []
        if FEATURES not in f or VIDEO_PATHS not in f or f[FEATURES].maxshape[0] is not None:
            problems.append("it was not written incrementally by extract.py")
        else:
            if f[FEATURES].shape[1:] != (self.max_frames, self.feature_dim):
                problems.append(
                    f"features are [N,{f[FEATURES].shape[1]},{f[FEATURES].shape[2]}], "
                    f"not [N,{self.max_frames},{self.feature_dim}]"
                )
            if f[FEATURES].dtype != self.dtype:
                problems.append(f"dtype {f[FEATURES].dtype} != {self.dtype}")
            try:
                if parse_category_mapping(f.attrs["category_mapping"]) != self.class_names:
                    problems.append("different class names")
            except (KeyError, ValueError):
                problems.append("no readable category_mapping")
            shape = {"feature_dim": None, "max_frames": None}  # compared above, as the array's shape
            recorded = {k: decode_attr(f.attrs[k], k) for k in PROVENANCE_KEYS if k in f.attrs}
            try:
                have = replace(Provenance.of(recorded), **shape)
            except VidclsError as err:
                problems.append(str(err))
            else:  # "file: now" per key; a key only one side records counts too (one kind of feature per file)
                problems += have.mismatches(replace(self.provenance, **shape), missing_ok=False)
        if problems:
            have_sampling = str(decode_attr(f.attrs["sampling"], "sampling")) if "sampling" in f.attrs else ""
            rule = have_sampling.split("(")[0]
            resume = (
                f"To finish it as it was started, add sampling={rule} (the rule it was made with); or use another "
                if rule and rule != str(self.provenance.get("sampling", "")).split("(")[0]
                else "Use another "
            )
            raise VidclsError(
                f"{self.path} already exists with other settings ({'; '.join(problems)}). {resume}"
                "data.features_dir, or delete the file to re-extract with the new settings."
            )

    @staticmethod
    def _truncate_partial(f: h5py.File) -> None:
        """Drop trailing rows a kill left half-written (their path, written last, is empty)."""
        names = [k for k in (FEATURES, LABELS, NUM_FRAMES, VIDEO_HASHES, VIDEO_PATHS) if k in f]
        n = min(f[name].shape[0] for name in names)
        paths = f[VIDEO_PATHS][:n]
        lengths = f[NUM_FRAMES][:n]
        valid = 0
        while valid < n and paths[valid] not in (b"", "") and lengths[valid] >= 1:
            valid += 1
        for name in names:
            if f[name].shape[0] != valid:
                f[name].resize(valid, axis=0)

    def _paths(self) -> list[str]:
        return read_strings(self.file, VIDEO_PATHS) or []

    # -- writing ---------------------------------------------------------------------------------
    @property
    def num_rows(self) -> int:
        """Rows written so far (still valid after :meth:`close`)."""
        return self._rows

    def append(self, video_path: str, label: int, features: np.ndarray, content_hash: str = "") -> None:
        """Write one row (zero-padded to max_frames) and flush it to disk; the path goes last."""
        t = int(features.shape[0])
        if not 1 <= t <= self.max_frames or features.shape[1] != self.feature_dim:
            raise ValueError(f"row shape {features.shape} does not fit [1..{self.max_frames}, {self.feature_dim}]")
        row = np.zeros((self.max_frames, self.feature_dim), dtype=self.dtype)
        row[:t] = features
        n = self.num_rows
        names = [k for k in (FEATURES, LABELS, NUM_FRAMES, VIDEO_HASHES, VIDEO_PATHS) if k in self.file]
        for name in names:
            self.file[name].resize(n + 1, axis=0)
        self.file[FEATURES][n] = row
        self.file[LABELS][n] = int(label)
        self.file[NUM_FRAMES][n] = t
        if VIDEO_HASHES in self.file:  # files written before hashes were kept stay without them
            self.file[VIDEO_HASHES][n] = content_hash
        self.file[VIDEO_PATHS][n] = video_path
        self.file.flush()
        self.done.add(video_path)
        self._rows = n + 1

    def finish(self) -> None:
        """Mark the file complete; call only when every video of the split was processed."""
        self.file.attrs["complete"] = True
        self.file.flush()
        self.close()

    def close(self) -> None:
        if self.file.id.valid:
            self.file.close()
