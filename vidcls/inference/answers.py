"""predict.py's answers file: one line per file as soon as it is done, resumable, shardable, mergeable.

``answers.jsonl`` holds one prediction record (:meth:`VideoPrediction.to_dict`) per line;
``answers.csv`` one flat row (path, ok, error, predicted, confidence, ``p_<class>``). Each line also
carries the file's ``size_bytes`` and ``mtime_ns``: with the path they are the resume key. The
settings that made the answers (a digest of the checkpoint files, the TTA views, the extraction
provenance, the class names) live in the sidecar ``<file>.meta.json``, so a resume with another
ensemble or settings is refused instead of mixing answers.

Durability: each line goes to the file in one ``write`` (a killed process loses only the files in
flight); ``fsync`` runs every ``sync_every`` lines or ``sync_interval_s`` seconds, and at the end. A
torn last line (a crash mid-write, power loss) has no newline and is dropped on resume.

Shards write ``<file>.shards/shard-<i>-of-<n><suffix>`` (each an answers file of its own);
:func:`merge_answer_shards` joins them into ``<file>`` in the order of a single run.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vidcls.errors import VidclsError
from vidcls.inference.predictor import VideoPrediction
from vidcls.utils.io import atomic_path, atomic_write_text

FORMAT = "vidcls-answers-1"
META_SUFFIX = ".meta.json"
SHARDS_SUFFIX = ".shards"
SUFFIXES = (".jsonl", ".csv")
KEY_FIELDS = ("size_bytes", "mtime_ns")


def meta_path(path: Path) -> Path:
    return path.with_name(path.name + META_SUFFIX)


def lock_path(path: Path) -> Path:
    """The lock file guarding one answers file (one writer per file; shards in one folder each have theirs)."""
    return path.with_name(f".{path.name}.lock")


def shard_path(path: Path, shard: int, num_shards: int) -> Path:
    return path.with_name(path.name + SHARDS_SUFFIX) / f"shard-{shard:03d}-of-{num_shards:03d}{path.suffix}"


def file_kind(path: Path) -> str:
    """``jsonl`` or ``csv`` from the file name; anything else is one user error."""
    if path.suffix.lower() not in SUFFIXES:
        raise VidclsError(f"output_file={path} must end in .jsonl (a JSON record per line) or .csv (a row per file)")
    return path.suffix.lower().lstrip(".")


def file_key(path: str | os.PathLike[str]) -> tuple[int | None, int | None]:
    """``(size_bytes, mtime_ns)`` of a file as it is now; ``(None, None)`` when it cannot be read."""
    try:
        st = os.stat(path)
    except OSError:
        return None, None
    return int(st.st_size), int(st.st_mtime_ns)


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def checkpoint_digests(checkpoints: Iterable[tuple[str, Path]]) -> list[dict[str, str]]:
    """``{name, sha256}`` of each checkpoint file (a second or two per GB: the caller overlaps it with set-up)."""
    return [{"name": name, "sha256": sha256_file(Path(path))} for name, path in checkpoints]


def answer_settings(
    checkpoints: Sequence[Mapping[str, str]],
    views: Sequence[str],
    provenance: Mapping[str, Any],
    class_names: Sequence[str],
    apply_temperature: bool = True,
    segment_s: float | None = None,
) -> dict[str, Any]:
    """Everything that decides an answer: each checkpoint's content digest (:func:`checkpoint_digests`), the
    TTA views, the extraction recipe, the classes, the timeline's window length (``segment_s``; absent from
    files written before timelines, which read as None). Equal settings give equal answers for an unchanged file."""
    settings: dict[str, Any] = {
        "checkpoints": [dict(c) for c in checkpoints],
        "tta": list(views),
        "provenance": json.loads(json.dumps(dict(provenance), default=list)),
        "class_names": list(class_names),
        "apply_temperature": bool(apply_temperature),
    }
    if segment_s is not None:  # only when set, so that answers files from before timelines keep resuming
        settings["segment_s"] = float(segment_s)
    return settings


def refuse_existing(path: Path, resume: bool) -> None:
    """An answers file that exists is continued with ``resume=true`` and otherwise never overwritten."""
    if path.exists() and not resume:
        raise VidclsError(
            f"{path} already exists; pass resume=true to add the missing answers to it, or delete it "
            "(it is never overwritten)."
        )


def settings_digest(settings: Mapping[str, Any]) -> str:
    return hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()


def csv_header(class_names: Sequence[str]) -> str:
    """The CSV header line, quoted as :func:`format_line` quotes rows (a class name may hold a comma)."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(csv_columns(class_names))
    return buffer.getvalue()


def csv_columns(class_names: Sequence[str]) -> list[str]:
    return ["path", "ok", "error", "predicted", "confidence", *[f"p_{c}" for c in class_names], *KEY_FIELDS]


def settings_difference(old: Mapping[str, Any], new: Mapping[str, Any]) -> str:
    """Which settings differ, in words, for the refusal."""
    differ = [key for key in sorted(set(old) | set(new)) if old.get(key) != new.get(key)]
    return ", ".join(differ) or "format"


@dataclass
class Answered:
    """What an answers file already holds: each path's resume key, and how many of its lines are errors."""

    keys: dict[str, tuple[int | None, int | None]] = field(default_factory=dict)
    failed: int = 0
    dropped_torn: bool = False


class AnswerWriter:
    """One answers file opened for appending (fresh, or resumed after checking its settings)."""

    def __init__(
        self,
        path: Path,
        settings: Mapping[str, Any],
        resume: bool,
        sync_every: int,
        sync_interval_s: float,
    ) -> None:
        self.path = Path(path)
        self.kind = file_kind(self.path)
        self.settings = dict(settings)
        self.digest = settings_digest(self.settings)
        self.class_names = list(self.settings["class_names"])
        self.sync_every = max(1, int(sync_every))
        self.sync_interval_s = float(sync_interval_s)
        self.answered = Answered()
        self.written = 0
        self._unsynced = 0
        self._last_sync = time.monotonic()
        if self.path.exists():
            refuse_existing(self.path, resume)
            self.answered = self._load()
        else:
            self._write_meta(complete=False)
            header = csv_header(self.class_names) if self.kind == "csv" else ""
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.path.write_text(header, encoding="utf-8")
        self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND)

    # -- reading back ---------------------------------------------------------------------------
    def _load(self) -> Answered:
        """Check the sidecar's settings, drop a torn last line, and collect the resume keys."""
        check_settings(self.path, self.digest, self.settings)
        data = self.path.read_bytes()
        answered = Answered()
        end = data.rfind(b"\n") + 1
        if end < len(data):  # a torn last line: cut it off before appending after it
            answered.dropped_torn = True
            with self.path.open("r+b") as f:
                f.truncate(end)
                os.fsync(f.fileno())
        if self.kind == "csv" and end == 0:  # the header itself was torn: write it again
            self.path.write_text(csv_header(self.class_names), encoding="utf-8")
            self._write_meta(complete=False)
            return answered
        for record in read_records(self.path, self.kind, self.class_names):
            answered.keys[str(record["path"])] = (record["size_bytes"], record["mtime_ns"])
            answered.failed += not record["ok"]
        self._write_meta(complete=False)
        return answered

    # -- writing --------------------------------------------------------------------------------
    def is_answered(self, path: str, key: tuple[int | None, int | None]) -> bool:
        return self.answered.keys.get(path) == key

    def write(self, prediction: VideoPrediction, key: tuple[int | None, int | None]) -> None:
        """Append one file's line in a single write; fsync when the batch is full or old enough."""
        line = format_line(prediction, key, self.kind)
        data = line.encode("utf-8")
        while data:
            data = data[os.write(self._fd, data) :]
        self.written += 1
        self._unsynced += 1
        if self._unsynced >= self.sync_every or time.monotonic() - self._last_sync >= self.sync_interval_s:
            self.sync()

    def forget(self, paths: Iterable[str]) -> None:
        """Remove the lines of ``paths`` (files changed since they were answered), atomically, so each
        file keeps one line once it is answered again."""
        gone = set(paths)
        if not gone:
            return
        records = read_records(self.path, self.kind, self.class_names)
        os.close(self._fd)
        with atomic_path(self.path) as tmp, tmp.open("w", encoding="utf-8") as f:
            if self.kind == "csv":
                f.write(csv_header(self.class_names))
            f.writelines(r["line"] for r in records if str(r["path"]) not in gone)
            f.flush()
            os.fsync(f.fileno())
        self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND)
        for path in gone:
            self.answered.keys.pop(path, None)
        self.answered.failed = sum(not r["ok"] for r in records if str(r["path"]) not in gone)

    def sync(self) -> None:
        os.fsync(self._fd)
        self._unsynced = 0
        self._last_sync = time.monotonic()

    def close(self, complete: bool) -> None:
        """fsync what is left; ``complete`` records in the sidecar that every input got its line."""
        try:
            self.sync()
        finally:
            os.close(self._fd)
        if complete:
            self._write_meta(complete=True)

    def _write_meta(self, complete: bool) -> None:
        write_meta(self.path, self.digest, self.settings, complete)


def write_meta(path: Path, digest: str, settings: Mapping[str, Any], complete: bool) -> None:
    meta = {"format": FORMAT, "settings_digest": digest, "complete": complete, "settings": settings}
    atomic_write_text(meta_path(path), json.dumps(meta, indent=2) + "\n")


def read_meta(path: Path) -> dict[str, Any]:
    """The sidecar of an answers file; a missing or unreadable one is one user error."""
    try:
        meta = json.loads(meta_path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise VidclsError(
            f"{path} has no {meta_path(path).name}, so which ensemble and settings made its answers is unknown; "
            "delete it or use another output_file."
        ) from None
    except (OSError, ValueError) as err:
        advice = f"delete it and {path}, or use another output_file"
        raise VidclsError(f"{meta_path(path)} cannot be read ({err}); {advice}.") from None
    if meta.get("format") != FORMAT:
        raise VidclsError(f"{meta_path(path)} is not a vidcls answers sidecar ({FORMAT}); use another output_file.")
    return meta


def check_settings(path: Path, digest: str, settings: Mapping[str, Any]) -> None:
    """Refuse answers made by another ensemble or with other TTA/extraction settings."""
    meta = read_meta(path)
    if meta["settings_digest"] != digest:
        what = settings_difference(meta.get("settings") or {}, settings)
        raise VidclsError(
            f"{path} holds answers of another ensemble or settings (differs in: {what}); resume only with the same "
            "checkpoints, tta and provenance, or write to another output_file."
        )


def format_line(prediction: VideoPrediction, key: tuple[int | None, int | None], kind: str) -> str:
    """One file's line: the JSON record (``to_dict`` plus the resume key), or the flat CSV row."""
    size, mtime = key
    if kind == "jsonl":
        record = {**prediction.to_dict(), "size_bytes": size, "mtime_ns": mtime}
        return json.dumps(record, separators=(",", ":"), ensure_ascii=False) + "\n"
    probs = [] if prediction.probs is None else [f"{float(p):.6g}" for p in prediction.probs]
    row = [
        prediction.path,
        "true" if prediction.ok else "false",
        " ".join((prediction.error or "").split()),  # one physical line per row: the torn-line rule holds
        prediction.predicted or "",
        "" if prediction.confidence is None else f"{prediction.confidence:.6g}",
        *(probs or [""] * len(prediction.class_names)),
        "" if size is None else str(size),
        "" if mtime is None else str(mtime),
    ]
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(row)
    return buffer.getvalue()


def _optional_int(value: Any) -> int | None:
    return None if value in (None, "") else int(value)


def read_records(path: Path, kind: str, class_names: Sequence[str]) -> list[dict[str, Any]]:
    """Every complete line as a dict with at least ``path``, ``ok``, ``size_bytes``, ``mtime_ns``, ``line``
    (the raw text, for merging). A damaged line other than a torn last one is one user error."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines = lines[:-1]  # torn: the writer cuts it off on resume; readers just skip it
    records: list[dict[str, Any]] = []
    if kind == "csv":
        columns = csv_columns(class_names)
        if lines and next(csv.reader([lines[0]])) != columns:
            raise VidclsError(f"{path}'s header is not {','.join(columns)}; use another output_file.")
        for number, line in enumerate(lines[1:], start=2):
            row = next(csv.reader([line]), [])
            if len(row) != len(columns):
                raise VidclsError(f"line {number} of {path} is damaged ({len(row)} fields); delete that line.")
            values = dict(zip(columns, row, strict=True))
            records.append(
                {
                    "path": values["path"],
                    "ok": values["ok"] == "true",
                    "size_bytes": _optional_int(values["size_bytes"]),
                    "mtime_ns": _optional_int(values["mtime_ns"]),
                    "line": line,
                }
            )
        return records
    for number, line in enumerate(lines, start=1):
        try:
            record = json.loads(line)
            records.append({**record, "line": line})
        except ValueError:
            raise VidclsError(f"line {number} of {path} is not a JSON record; delete that line.") from None
    return records


def merge_answer_shards(path: Path, num_shards: int, order: Sequence[str]) -> tuple[Path, int]:
    """Join the finished shard files of ``path`` into ``path`` (atomically), lines in ``order``.

    ``order`` is the single run's input order (paths as given); the result is what one process
    would have written. Returns ``(path, lines)``.
    """
    kind = file_kind(path)
    sources = [shard_path(path, i, num_shards) for i in range(num_shards)]
    missing = [i for i, s in enumerate(sources) if not s.is_file()]
    if missing:
        raise VidclsError(f"answers shard(s) {missing} of {num_shards} are missing next to {path}; run them first")
    metas = [read_meta(s) for s in sources]
    unfinished = [i for i, m in enumerate(metas) if not m.get("complete")]
    if unfinished:
        raise VidclsError(f"answers shard(s) {unfinished} of {num_shards} are unfinished; run them again (resume=true)")
    digests = {m["settings_digest"] for m in metas}
    if len(digests) != 1:
        raise VidclsError(f"the answers shards of {path} were made with different settings; delete them and rerun")
    settings = metas[0]["settings"]
    if path.exists():
        check_settings(path, metas[0]["settings_digest"], settings)
    rank = {p: i for i, p in enumerate(order)}
    records = [r for s in sources for r in read_records(s, kind, settings["class_names"])]
    records.sort(key=lambda r: rank.get(str(r["path"]), len(rank)))
    with atomic_path(path) as tmp, tmp.open("w", encoding="utf-8") as f:
        if kind == "csv":
            f.write(csv_header(settings["class_names"]))
        f.writelines(r["line"] for r in records)
        f.flush()
        os.fsync(f.fileno())
    write_meta(path, metas[0]["settings_digest"], settings, complete=True)
    return path, len(records)


def unfinished_answer_shards(path: Path, num_shards: int) -> list[int]:
    """Shards of ``num_shards`` whose answers file is missing or not marked complete."""
    unfinished = []
    for shard in range(num_shards):
        try:
            done = bool(read_meta(shard_path(path, shard, num_shards)).get("complete"))
        except VidclsError:
            done = False
        if not done:
            unfinished.append(shard)
    return unfinished
