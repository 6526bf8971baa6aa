"""What the page can browse: dataset videos by split and class, joined with their HDF5 feature rows.

Two sources, either or both:

* ``data.videos_dir`` laid out as ``{split}/<Class>/...`` or ``<Class>/...`` (files you can play and
  extract on the fly);
* ``data.features_dir`` with ``{split}_features_multiscale.h5`` whose ``video_paths`` + ``labels`` name
  the videos that already have features (classified instantly, even when the file itself is absent).

A video's ``id`` is its POSIX path relative to the videos root, or ``h5:<split>/<row>`` for a feature
row whose source file is not under the root.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import h5py
import numpy as np

from vidcls.errors import VidclsError
from vidcls.schema import LABELS, SPLITS, FeatureFileMeta, read_meta, read_row, read_video_paths, split_path
from vidcls.web.safety import VideoNotFoundError, clean_relative, relative_key, resolve_under, unservable_reason

log = logging.getLogger(__name__)

#: Container suffixes listed when scanning the videos root (case-insensitive).
VIDEO_SUFFIXES = frozenset({".mp4", ".m4v", ".mov", ".mkv", ".webm", ".avi", ".mpg", ".mpeg", ".flv", ".wmv", ".ts"})
FEATURE_ID_PREFIX = "h5:"


@dataclass(frozen=True)
class FeatureRow:
    """Where a video's precomputed features live."""

    file: Path
    split: str
    row: int


@dataclass
class VideoEntry:
    """One browsable video; ``path`` is ``None`` when only its features are available."""

    id: str
    name: str
    split: str | None
    label: str | None
    path: str | None = None
    features: FeatureRow | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "split": self.split,
            "label": self.label,
            "path": self.path,
            "playable": self.path is not None,
            "has_features": self.features is not None,
        }


class CatalogError(VidclsError):
    """A filter named a split or class the dataset does not have (answered with 404)."""


class VideoCatalog:
    """An index built once at start-up; lookups and filters are in-memory and thread-safe (read-only)."""

    def __init__(
        self,
        videos_dir: str | os.PathLike[str] | None,
        features_dir: str | os.PathLike[str] | None = None,
        *,
        check_features: Callable[[FeatureFileMeta], None] | None = None,
    ) -> None:
        self.videos_root: Path | None = None
        if videos_dir is not None:
            root = Path(videos_dir).expanduser()
            if not root.is_dir():
                raise VidclsError(
                    f"data.videos_dir={videos_dir} is not a directory. Point it at the folder holding "
                    "{split}/<Class>/<video> or <Class>/<video> (or leave it unset and use data.features_dir)."
                )
            self.videos_root = root.resolve()
        self.features_dir = Path(features_dir).expanduser() if features_dir is not None else None
        self.skipped_feature_files: dict[str, str] = {}
        self._entries: dict[str, VideoEntry] = {}
        if self.videos_root is not None:
            self._scan_videos(self.videos_root)
        if self.features_dir is not None:
            self._scan_features(self.features_dir, check_features)
        self.classes: list[str] = []
        self.order_classes(())
        found = {e.split for e in self._entries.values() if e.split is not None}
        self.splits = [s for s in SPLITS if s in found] + sorted(found - set(SPLITS))

    # --- building ------------------------------------------------------------------------------
    def _scan_videos(self, root: Path) -> None:
        top = {p.name for p in root.iterdir() if p.is_dir()}
        split_layout = bool(top & set(SPLITS))
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames.sort()
            for filename in sorted(filenames):
                if Path(filename).suffix.lower() not in VIDEO_SUFFIXES or filename.startswith("."):
                    continue
                key = relative_key(root, Path(dirpath) / filename)
                if key is None:  # a symlink pointing outside the root: never listed, never served
                    log.warning("skipping %s: it resolves outside the videos root", Path(dirpath) / filename)
                    continue
                rel = PurePosixPath(Path(dirpath).relative_to(root).as_posix(), filename)
                why = unservable_reason(rel.as_posix())
                if why is not None:  # listed means playable: a name no URL can reach is left out
                    log.warning("skipping %r: %s; rename it to list it", rel.as_posix(), why)
                    continue
                parts = rel.parts
                split, label = None, None
                if split_layout and len(parts) >= 3 and parts[0] in SPLITS:
                    split, label = parts[0], parts[1]
                elif not split_layout and len(parts) >= 2:
                    label = parts[0]
                ident = rel.as_posix()
                self._entries[ident] = VideoEntry(id=ident, name=filename, split=split, label=label, path=ident)

    def _match_file(self, stored: str) -> str | None:
        """The catalog id of the file a HDF5 ``video_paths`` entry names, if it is under the videos root."""
        if self.videos_root is None or not stored:
            return None
        candidates = [Path(stored)] if os.path.isabs(stored) else [self.videos_root / stored, Path(stored)]
        for candidate in candidates:
            key = relative_key(self.videos_root, candidate)
            if key is not None and key in self._entries:
                return key
        return None

    def _scan_features(self, features_dir: Path, check: Callable[[FeatureFileMeta], None] | None) -> None:
        """Attach feature rows; a file the models cannot read (other backbone, classes...) is skipped, not fatal."""
        if not features_dir.is_dir():
            raise VidclsError(f"data.features_dir={features_dir} is not a directory. Fix the path or leave it unset.")
        for split in SPLITS:
            file = split_path(features_dir, split)
            if not file.is_file():
                continue
            meta = read_meta(file)
            try:
                if not meta.complete:
                    raise VidclsError(f"{file} is marked incomplete; finish it by re-running the same extract.py.")
                if check is not None:
                    check(meta)
            except VidclsError as err:
                self.skipped_feature_files[split] = str(err)
                log.warning("not using %s for instant classification: %s", file, err)
                continue
            with h5py.File(file, "r") as f:
                labels = f[LABELS][()]
                stored = read_video_paths(f) or [""] * meta.num_samples
            for row, (label_index, video_path) in enumerate(zip(labels, stored, strict=True)):
                label = meta.class_names[int(label_index)] if 0 <= int(label_index) < meta.num_classes else None
                where = FeatureRow(file=file, split=split, row=row)
                key = self._match_file(video_path)
                if key is not None:
                    entry = self._entries[key]
                    entry.features = where
                    entry.split = split
                    entry.label = label if label is not None else entry.label
                    continue
                ident = f"{FEATURE_ID_PREFIX}{split}/{row}"
                name = PurePosixPath(video_path).name if video_path else f"{split} row {row}"
                self._entries[ident] = VideoEntry(id=ident, name=name, split=split, label=label, features=where)

    def order_classes(self, class_order: Iterable[str]) -> None:
        """List classes in the models' order (then any others alphabetically) for the browse menu."""
        order = list(class_order)
        labels = {e.label for e in self._entries.values() if e.label is not None}
        self.classes = [c for c in order if c in labels] + sorted(labels - set(order))

    # --- queries -------------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._entries)

    def filter(self, split: str | None = None, label: str | None = None, query: str | None = None) -> list[VideoEntry]:
        """Entries in one split / class (names must exist, else :class:`CatalogError`), optional substring."""
        if split is not None and split not in self.splits:
            raise CatalogError(f"unknown split {split!r}; this dataset has {self.splits or 'no splits'}.")
        if label is not None and label not in self.classes:
            raise CatalogError(f"unknown class {label!r}; this dataset has {self.classes or 'no classes'}.")
        needle = (query or "").lower()
        return [
            entry
            for entry in self._entries.values()
            if (split is None or entry.split == split)
            and (label is None or entry.label == label)
            and (not needle or needle in entry.id.lower())
        ]

    def counts(self) -> dict[str, dict[str, int]]:
        """``{split: {class: n}}`` for the browse menus (``"*"`` holds videos without a split)."""
        table: dict[str, dict[str, int]] = {}
        for entry in self._entries.values():
            row = table.setdefault(entry.split or "*", {})
            row[entry.label or "?"] = row.get(entry.label or "?", 0) + 1
        return table

    def get(self, ident: str) -> VideoEntry:
        """The entry for an id (or for a listed video's path in another spelling, e.g. ``./``)."""
        entry = self._entries.get(ident)
        if entry is not None:
            return entry
        if ident.startswith(FEATURE_ID_PREFIX) or self.videos_root is None:
            raise VideoNotFoundError(f"no video {ident!r} in this dataset. List the available ones with /api/videos.")
        return self._listed(ident)

    def file_path(self, entry_or_path: VideoEntry | str) -> Path:
        """The real, checked file path of a playable entry, or of a client path naming a listed video."""
        if isinstance(entry_or_path, str) and self.videos_root is not None:
            entry_or_path = self._listed(entry_or_path)
        rel = entry_or_path.path if isinstance(entry_or_path, VideoEntry) else None
        if rel is None or self.videos_root is None:
            ident = entry_or_path.id if isinstance(entry_or_path, VideoEntry) else entry_or_path
            raise VideoNotFoundError(
                f"video {ident!r} has features but no file under data.videos_dir, so it cannot be played or "
                "re-extracted. Set data.videos_dir to the folder holding it."
            )
        return self._video_file(rel)

    def _listed(self, rel: str) -> VideoEntry:
        """The listed entry a client path names: only what /api/videos lists is ever served or classified.

        The path is checked first (an escape is a 400, a missing file a 404), then looked up: a file
        the scan left out (a hidden ``.name``, one added after start-up) is a 404 like a missing one.
        """
        self._video_file(rel)
        entry = self._entries.get(clean_relative(rel).as_posix())
        if entry is None or entry.path is None:
            raise VideoNotFoundError(
                f"no video {rel!r} in this dataset (hidden files and files added after start-up are not served). "
                "List the available ones with /api/videos."
            )
        return entry

    def _video_file(self, rel: str) -> Path:
        """Only video files are ever served or decoded: notes, feature files or keys next to them are not."""
        assert self.videos_root is not None
        real = resolve_under(self.videos_root, rel)
        if real.suffix.lower() not in VIDEO_SUFFIXES:
            raise VideoNotFoundError(
                f"{rel!r} is not a video file (allowed: {', '.join(sorted(VIDEO_SUFFIXES))}). "
                "List the available videos with /api/videos."
            )
        return real

    def load_features(self, entry: VideoEntry) -> np.ndarray:
        """The true-length ``[t, D]`` float32 features of a row (opened per call: safe across threads)."""
        if entry.features is None:
            raise VidclsError(f"video {entry.id!r} has no precomputed features.")
        where = entry.features
        with h5py.File(where.file, "r") as f:
            return np.asarray(read_row(f, where.row), dtype=np.float32)
