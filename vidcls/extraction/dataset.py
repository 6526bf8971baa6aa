"""Find the videos, label and split them, and keep that split stable in ``manifest.csv``.

Three input layouts: pre-split ``V/{train,val,test}/<Class>/**``, unsplit ``V/<Class>/**`` (split
70/20/10 stratified by class with a fixed seed), or a CSV manifest ``path,label[,split]``. Whether a
file is a video is decided by opening it with PyAV, not by its extension. Files with identical
content are detected by hash so the same clip can never sit in two splits (a leak that inflates
test scores); the copy in the later split is dropped and reported in ``duplicates.csv``.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
from collections import defaultdict
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from vidcls.errors import VidclsError
from vidcls.schema import SPLITS
from vidcls.utils.io import atomic_path
from vidcls.utils.scan import link_problem, walk_files
from vidcls.video import open_video

MANIFEST_NAME = "manifest.csv"
SKIPPED_NAME = "skipped.csv"
DUPLICATES_NAME = "duplicates.csv"
MANIFEST_FIELDS = ("path", "label", "split", "hash", "size", "mtime_ns")
#: Manifests written before sizes/mtimes were recorded (still read; their files are re-hashed on resume).
_LEGACY_FIELDS = MANIFEST_FIELDS[:4]
#: Where the plan came from (videos folder, CSV, the root of relative paths), next to manifest.csv.
SOURCE_NAME = "plan.json"
#: Files up to this size are hashed whole; larger ones by size + head/middle/tail blocks.
_FULL_HASH_BYTES = 64 << 20
_BLOCK = 4 << 20


@dataclass
class ManifestEntry:
    """One video: ``path`` as stored (relative to the videos dir when inside it), label, split, content hash."""

    path: str
    label: str
    split: str
    hash: str
    source: Path = field(compare=False, repr=False, default=Path())
    size: int | None = field(compare=False, repr=False, default=None)  # at planning time: a cheap
    mtime_ns: int | None = field(compare=False, repr=False, default=None)  # "unchanged" test before re-hashing


@dataclass
class DatasetPlan:
    entries: list[ManifestEntry]  # manifest order = processing and row order
    class_names: list[str]
    skipped: list[tuple[str, str]]  # (path, reason): not videos
    duplicates: list[tuple[str, str, str]]  # (dropped path, kept path, reason)
    layout: str
    source: dict[str, str | None] = field(default_factory=dict)  # plan_source(): where the videos came from


def content_hash(path: Path) -> str:
    """sha256 of the content (sampled blocks + size for files over 64 MiB, to keep I/O bounded)."""
    digest = hashlib.sha256()
    size = path.stat().st_size
    with path.open("rb") as f:
        if size <= _FULL_HASH_BYTES:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
        else:
            digest.update(str(size).encode())
            for offset in (0, size // 2 - _BLOCK // 2, size - _BLOCK):
                f.seek(offset)
                digest.update(f.read(_BLOCK))
    return digest.hexdigest()


def check_video(path: Path) -> str | None:
    """``None`` when PyAV opens a video stream in the file, else the reason it is not a video."""
    try:
        with open_video(path):
            return None
    except VidclsError as err:
        message = str(err)
        return message[len(str(path)) + 1 :] if message.startswith(f"{path} ") else message


def _stored_path(path: Path, root: Path) -> str:
    """Relative to ``root`` as found (a file under a symlinked class folder keeps its link path), else resolved."""
    try:
        rel = path.relative_to(root)
        if ".." not in rel.parts:
            return rel.as_posix()
    except ValueError:
        pass
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path.resolve())


def _files_under(folder: Path, videos_dir: Path, skipped: list[tuple[str, str]]) -> list[Path]:
    """Files under ``folder`` (symlinked folders followed); dangling links and loops go to ``skipped``."""
    files, problems = walk_files(folder)
    skipped.extend((_link_path(p, videos_dir), reason) for p, reason in problems)
    return files


def _link_path(path: Path, root: Path) -> str:
    """A link's own path relative to ``root`` (resolving it would fail or loop)."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def _scan_layout(videos_dir: Path) -> tuple[str, list[tuple[Path, str, str | None]], list[tuple[str, str]]]:
    """``(layout, [(file, label, split|None)], skipped)`` from the folder structure."""
    if not videos_dir.is_dir():
        raise VidclsError(
            f"videos directory not found: {videos_dir}. Set data.videos_dir=... to a folder of <Class>/<video> "
            "(or train|val|test/<Class>/<video>), or data.manifest=... to a CSV with path,label[,split]."
        )
    split_dirs = [videos_dir / s for s in SPLITS if (videos_dir / s).is_dir()]
    items: list[tuple[Path, str, str | None]] = []
    skipped: list[tuple[str, str]] = []
    if split_dirs:
        layout = "pre-split"
        roots = [(d, d.name) for d in split_dirs]
        for stray in sorted(p for p in videos_dir.iterdir() if p.name not in SPLITS and not p.name.startswith(".")):
            for f in [stray] if stray.is_file() else _files_under(stray, videos_dir, skipped):
                skipped.append((_stored_path(f, videos_dir), "outside train/val/test in a pre-split layout"))
    else:
        layout = "unsplit"
        roots = [(videos_dir, None)]
    for root, split in roots:
        for entry in sorted(p for p in root.iterdir() if not p.name.startswith(".")):
            problem = link_problem(entry)
            if problem is not None:
                skipped.append((_link_path(entry, videos_dir), problem))
            elif entry.is_file():
                skipped.append((_stored_path(entry, videos_dir), "not inside a <Class> folder"))
            else:
                for f in _files_under(entry, videos_dir, skipped):
                    items.append((f, entry.name, split))
    return layout, items, skipped


def _read_csv_manifest(csv_path: Path, videos_dir: Path | None) -> list[tuple[Path, str, str | None]]:
    if not csv_path.is_file():
        raise VidclsError(f"manifest CSV not found: {csv_path}; fix data.manifest=...")
    with csv_path.open(newline="") as f:
        reader = csv.DictReader(f)
        fields = [c.strip().lower() for c in (reader.fieldnames or [])]
        if "path" not in fields or "label" not in fields:
            raise VidclsError(f"{csv_path} needs a header with columns path,label[,split]; found {reader.fieldnames}")
        rows = [{k.strip().lower(): (v or "").strip() for k, v in row.items() if k} for row in reader]
    items = []
    base = videos_dir if videos_dir is not None and videos_dir.is_dir() else csv_path.parent
    for n, row in enumerate(rows, start=2):
        split = row.get("split") or None
        if split is not None and split not in SPLITS:
            raise VidclsError(f"{csv_path} line {n}: split {split!r} is not one of {', '.join(SPLITS)}")
        if not row["label"]:
            raise VidclsError(f"{csv_path} line {n}: empty label")
        path = Path(row["path"]).expanduser()
        items.append((path if path.is_absolute() else base / path, row["label"], split))
    return items


def stratified_split(labels: Sequence[str], ratios: Sequence[float], seed: int) -> list[str]:
    """Assign train/val/test per class by ``ratios`` (each split non-empty for classes with >= 3 items)."""
    if len(ratios) != 3 or any(r < 0 for r in ratios) or sum(ratios) <= 0:
        raise VidclsError(
            f"data.split_ratios must be three non-negative numbers (train, val, test), got {list(ratios)}"
        )
    total = float(sum(ratios))
    fractions = [r / total for r in ratios]
    rng = np.random.default_rng(seed)
    out = [""] * len(labels)
    by_class: dict[str, list[int]] = defaultdict(list)
    for i, label in enumerate(labels):
        by_class[label].append(i)
    for label in sorted(by_class):
        idx = by_class[label]
        order = [idx[j] for j in rng.permutation(len(idx))]
        n = len(order)
        n_val = round(n * fractions[1])
        n_test = round(n * fractions[2])
        if n >= 3:
            n_val = max(n_val, 1 if fractions[1] > 0 else 0)
            n_test = max(n_test, 1 if fractions[2] > 0 else 0)
        n_val = min(n_val, n)
        n_test = min(n_test, n - n_val)
        for rank, i in enumerate(order):
            out[i] = "val" if rank < n_val else "test" if rank < n_val + n_test else "train"
    return out


def build_plan(
    videos_dir: str | os.PathLike[str] | None,
    manifest_csv: str | os.PathLike[str] | None = None,
    split_ratios: Sequence[float] = (0.7, 0.2, 0.1),
    seed: int = 0,
    workers: int = 4,
    progress: Callable[[int, int], None] | None = None,
) -> DatasetPlan:
    """Scan, probe (PyAV), hash, dedupe and split; the result is what ``manifest.csv`` stores."""
    root = Path(videos_dir) if videos_dir else None
    if manifest_csv:
        layout, skipped = "csv", []
        items = _read_csv_manifest(Path(manifest_csv), root)
    else:
        if root is None:
            raise VidclsError("set data.videos_dir=... (a folder of videos) or data.manifest=... (a CSV)")
        layout, items, skipped = _scan_layout(root)
    store_root = root if root is not None else Path(manifest_csv).parent  # type: ignore[arg-type]

    videos = _probe_entries(items, store_root, skipped, workers, progress)
    if not videos:
        where = manifest_csv or videos_dir
        raise VidclsError(
            f"no decodable videos found in {where} ({len(skipped)} other file(s) skipped). Expected "
            "<Class>/<video> or train|val|test/<Class>/<video> folders, or a CSV path,label[,split]."
        )
    unique, duplicates = _drop_duplicates(videos)
    todo = [e for e in unique if not e.split]
    if todo:
        for entry, split in zip(todo, stratified_split([e.label for e in todo], split_ratios, seed), strict=True):
            entry.split = split
    class_names = sorted({e.label for e in unique})
    label_rank = {c: i for i, c in enumerate(class_names)}
    split_rank = {s: i for i, s in enumerate(SPLITS)}
    unique.sort(key=lambda e: (split_rank[e.split], label_rank[e.label], e.path))
    plan = DatasetPlan(unique, class_names, skipped, duplicates, layout)
    plan.source = plan_source(videos_dir, manifest_csv, store_root)
    return plan


def _probe_entries(
    items: Sequence[tuple[Path, str, str | None]],
    store_root: Path,
    skipped: list[tuple[str, str]],
    workers: int,
    progress: Callable[[int, int], None] | None,
) -> list[ManifestEntry]:
    """Probe and hash every file in parallel; decodable ones become entries, the rest go to ``skipped``."""

    def probe(item: tuple[Path, str, str | None]) -> tuple[str | None, str | None, os.stat_result | None]:
        path = item[0]
        if not path.is_file():
            return link_problem(path) or "file not found", None, None
        reason = check_video(path)
        if reason:
            return reason, None, None
        stat = path.stat()  # before hashing: a file changed meanwhile then fails the resume check, never passes it
        return None, content_hash(path), stat

    results = []
    with ThreadPoolExecutor(max(1, workers)) as pool:
        for n, result in enumerate(pool.map(probe, items), start=1):
            results.append(result)
            if progress is not None:
                progress(n, len(items))

    videos: list[ManifestEntry] = []
    for (path, label, split), (reason, digest, stat) in zip(items, results, strict=True):
        if reason is not None:
            where = _link_path(path, store_root) if path.is_symlink() else _stored_path(path, store_root)
            skipped.append((where, reason))
        else:
            entry = ManifestEntry(_stored_path(path, store_root), label, split or "", digest or "", source=path)
            if stat is not None:
                entry.size, entry.mtime_ns = stat.st_size, stat.st_mtime_ns
            videos.append(entry)
    return videos


def _drop_duplicates(videos: list[ManifestEntry]) -> tuple[list[ManifestEntry], list[tuple[str, str, str]]]:
    """Same content twice: keep the copy in the earliest split (train < val < test < unassigned), then by path."""
    rank = {s: i for i, s in enumerate(SPLITS)}
    videos.sort(key=lambda e: (rank.get(e.split, len(SPLITS)), e.path))
    kept: dict[str, ManifestEntry] = {}
    duplicates: list[tuple[str, str, str]] = []
    unique: list[ManifestEntry] = []
    for entry in videos:
        first = kept.get(entry.hash)
        if first is None:
            kept[entry.hash] = entry
            unique.append(entry)
            continue
        reason = "same content"
        if entry.split and first.split and entry.split != first.split:
            reason += f" in {first.split} and {entry.split}: dropped from {entry.split}"
        if entry.label != first.label:
            reason += f"; conflicting labels {first.label!r} (kept) vs {entry.label!r}"
        duplicates.append((entry.path, first.path, reason))
    return unique, duplicates


def _write_csv(path: Path, header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    """Atomic CSV write: a killed run never leaves half a manifest."""
    with atomic_path(path) as tmp, tmp.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)


def _manifest_row(e: ManifestEntry) -> tuple[str, ...]:
    size = "" if e.size is None else str(e.size)
    mtime = "" if e.mtime_ns is None else str(e.mtime_ns)
    return (e.path, e.label, e.split, e.hash, size, mtime)


def save_plan(plan: DatasetPlan, features_dir: Path) -> None:
    features_dir.mkdir(parents=True, exist_ok=True)
    _write_csv(features_dir / MANIFEST_NAME, MANIFEST_FIELDS, [_manifest_row(e) for e in plan.entries])
    save_source(plan, features_dir)
    _write_csv(features_dir / SKIPPED_NAME, ("path", "reason"), plan.skipped)
    _write_csv(features_dir / DUPLICATES_NAME, ("path", "duplicate_of", "reason"), plan.duplicates)


def load_manifest(
    features_dir: Path,
    videos_dir: str | os.PathLike[str] | None,
    manifest_csv: str | os.PathLike[str] | None = None,
) -> DatasetPlan | None:
    """The saved split, or ``None`` when there is none yet.

    Refuses (one clear error) when the saved plan came from another videos folder or CSV than the
    one given now: reusing it would finish or keep rows of the other folder's files.
    """
    path = features_dir / MANIFEST_NAME
    if not path.is_file():
        return None
    source = load_source(features_dir)
    check_source(features_dir, source, videos_dir, manifest_csv)
    recorded_root = source.get("root")
    root = Path(videos_dir) if videos_dir else Path(recorded_root) if recorded_root else features_dir
    with path.open(newline="") as f:
        reader = csv.DictReader(f)
        if tuple(reader.fieldnames or ()) not in (MANIFEST_FIELDS, _LEGACY_FIELDS):
            raise VidclsError(f"{path} is not a vidcls manifest (header {reader.fieldnames}); move it away to re-plan")
        entries = []
        for row in reader:
            if row["split"] not in SPLITS:
                raise VidclsError(f"{path}: bad split {row['split']!r} for {row['path']}; fix or delete the manifest")
            source = Path(row["path"])
            entries.append(
                ManifestEntry(
                    row["path"],
                    row["label"],
                    row["split"],
                    row["hash"],
                    source=source if source.is_absolute() else root / source,
                    size=int(row["size"]) if row.get("size") else None,
                    mtime_ns=int(row["mtime_ns"]) if row.get("mtime_ns") else None,
                )
            )
    if not entries:
        raise VidclsError(f"{path} lists no videos; delete it to re-scan {videos_dir}")

    def read_rows(name: str) -> list[list[str]]:
        p = features_dir / name
        if not p.is_file():
            return []
        with p.open(newline="") as f:
            return list(csv.reader(f))[1:]

    skipped = [(r[0], r[1]) for r in read_rows(SKIPPED_NAME)]
    duplicates = [(r[0], r[1], r[2]) for r in read_rows(DUPLICATES_NAME)]
    plan = DatasetPlan(entries, sorted({e.label for e in entries}), skipped, duplicates, "manifest")
    plan.source = source or plan_source(videos_dir, manifest_csv, root)
    return plan


# -- resume safety: the same source, the same contents -------------------------------------------


def _resolved(path: str | os.PathLike[str] | None) -> str | None:
    return str(Path(path).expanduser().resolve()) if path else None


def plan_source(
    videos_dir: str | os.PathLike[str] | None, manifest_csv: str | os.PathLike[str] | None, root: Path
) -> dict[str, str | None]:
    """What a plan was made from, as absolute paths (``root``: what the manifest's relative paths hang on)."""
    return {"videos_dir": _resolved(videos_dir), "manifest": _resolved(manifest_csv), "root": _resolved(root)}


def save_source(plan: DatasetPlan, features_dir: Path) -> None:
    record = dict(plan.source)
    with atomic_path(features_dir / SOURCE_NAME) as tmp:
        tmp.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")


def load_source(features_dir: Path) -> dict[str, str | None]:
    """``plan.json`` (empty for folders made before it existed: then only the content check guards them)."""
    path = features_dir / SOURCE_NAME
    if not path.is_file():
        return {}
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise VidclsError(f"{path} is unreadable ({err}); delete it (the next run re-checks file contents)") from None
    return record if isinstance(record, dict) else {}


def check_source(
    features_dir: Path,
    recorded: dict[str, str | None],
    videos_dir: str | os.PathLike[str] | None,
    manifest_csv: str | os.PathLike[str] | None,
) -> None:
    """Refuse a videos folder or CSV other than the one the saved plan was made from (``None`` = not given)."""
    checks = (("videos_dir", videos_dir, "data.videos_dir"), ("manifest", manifest_csv, "data.manifest"))
    for key, given, option in checks:
        if key not in recorded or given is None:
            continue
        was, now = recorded[key], _resolved(given)
        if was != now:
            raise VidclsError(
                f"{features_dir} was planned from {option}={was}, not {now} (see {features_dir / MANIFEST_NAME}); "
                f"its rows must not mix with another source. To resume it pass {option}={was}; to extract {now} "
                f"use another data.features_dir (or delete {features_dir}). If these are the same videos, moved, "
                f"delete {features_dir / SOURCE_NAME}: the next run checks every file's content against the manifest."
            )


def find_changed(
    entries: Sequence[ManifestEntry], workers: int = 2
) -> tuple[list[tuple[str, str]], list[ManifestEntry]]:
    """``(changed, refreshed)``: files whose content no longer matches the manifest's hash, and files only touched.

    A file whose size and mtime equal the manifest's is taken as unchanged (one ``stat``); any
    other present file is hashed again (the same ``content_hash`` as planning), so a touched or
    copied file passes and a replaced one is caught. ``refreshed`` entries get their new
    size/mtime (saving them spares the next resume the hashing). Missing files are not listed:
    they fail their own decode with "video not found" in ``failures.csv``.
    """

    def check(entry: ManifestEntry) -> tuple[str | None, os.stat_result | None]:
        try:
            stat = entry.source.stat()
        except OSError:
            return None, None
        if entry.size == stat.st_size and entry.mtime_ns == stat.st_mtime_ns:
            return None, None
        if entry.size is not None and entry.size != stat.st_size:
            return f"size {stat.st_size} bytes, manifest says {entry.size}", None
        if content_hash(entry.source) != entry.hash:
            return "content hash differs from the manifest's", None
        return None, stat

    changed: list[tuple[str, str]] = []
    refreshed: list[ManifestEntry] = []
    with ThreadPoolExecutor(max(1, workers)) as pool:
        for entry, (reason, stat) in zip(entries, pool.map(check, entries), strict=True):
            if reason is not None:
                changed.append((entry.path, reason))
            elif stat is not None:
                entry.size, entry.mtime_ns = stat.st_size, stat.st_mtime_ns
                refreshed.append(entry)
    return changed, refreshed


def changed_error(features_dir: Path, changed: Sequence[tuple[str, str]]) -> VidclsError:
    examples = "; ".join(f"{p}: {r}" for p, r in changed[:3]) + ("; ..." if len(changed) > 3 else "")
    return VidclsError(
        f"{len(changed)} video(s) changed since {features_dir / MANIFEST_NAME} was made ({examples}); "
        "resuming would mix features of the old and new files. Restore them, or extract into another "
        f"data.features_dir (or delete {features_dir} to re-extract everything)."
    )
