"""Corpus extraction: plan -> decode (threads) overlapped with the CNN -> incremental HDF5 -> merge.

``run_extraction`` is what ``extract.py`` runs (composed by :mod:`vidcls.tasks.extract`). Work is
split by manifest row (``index % num_shards == shard``) so shards can run as separate processes or
machines; ``merge_shards`` joins their files back into the three split files in manifest order,
identical to a single run.
"""

from __future__ import annotations

import contextlib
import csv
import functools
import re
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import h5py
from rich.console import Console
from rich.progress import Progress

from vidcls.errors import VidclsError
from vidcls.extraction.dataset import (
    DUPLICATES_NAME,
    MANIFEST_FIELDS,
    MANIFEST_NAME,
    SKIPPED_NAME,
    DatasetPlan,
    ManifestEntry,
    _manifest_row,
    _write_csv,
    build_plan,
    changed_error,
    find_changed,
    load_manifest,
    save_plan,
)
from vidcls.extraction.extractor import DecodedVideo, FeatureExtractor
from vidcls.extraction.writer import IncrementalWriter
from vidcls.schema import (
    FEATURES,
    LABELS,
    NUM_FRAMES,
    SPLITS,
    VIDEO_HASHES,
    VIDEO_PATHS,
    FeatureFileMeta,
    FeatureRows,
    decode_attr,
    read_meta,
    read_strings,
    split_filename,
    write_feature_file,
)
from vidcls.utils.lock import folder_lock
from vidcls.utils.progress import progress_bar

FAILURES_NAME = "failures.csv"
FAILURE_FIELDS = ("path", "split", "label", "reason")
SHARDS_DIR = "shards"
#: Serialises planning (writing or reading ``manifest.csv``) between the shards of one set.
PLAN_LOCK_NAME = ".vidcls.plan.lock"
#: What a run refused by a held features folder can do besides waiting.
FOLDER_ADVICE = "use another data.features_dir"
T = TypeVar("T")
R = TypeVar("R")
_DONE = object()
console = Console(stderr=True, highlight=False, soft_wrap=True)  # no hard wraps in log files


@dataclass
class ExtractionSummary:
    features_dir: Path
    written: dict[str, int] = field(default_factory=dict)  # rows per split file (after the run)
    extracted: int = 0  # videos encoded in this run
    resumed: int = 0  # videos skipped because a previous run finished them
    failures: list[tuple[str, str, str, str]] = field(default_factory=list)
    seconds: float = 0.0
    files: list[Path] = field(default_factory=list)


def make_progress() -> Progress:
    return progress_bar("videos", console)


def shard_dir(features_dir: Path, shard: int, num_shards: int) -> Path:
    return features_dir / SHARDS_DIR / f"shard-{shard:03d}-of-{num_shards:03d}"


@contextlib.contextmanager
def extraction_lock(features_dir: Path, num_shards: int = 1, merge: bool = False) -> Iterator[Path]:
    """The features folder's lock for a whole run, taken before anything in the folder is read or written.

    A single run or a merge holds it alone; the shards of one set share it (each also holds its own
    shard folder's lock), so a run, a shard set and a merge never overlap in one folder, and a
    second run stops at once with one error instead of writing its own plan beside the first's.
    """
    shared = num_shards > 1 and not merge
    with folder_lock(features_dir, "merge after it" if merge else FOLDER_ADVICE, shared=shared) as path:
        yield path


def get_plan(
    features_dir: Path,
    videos_dir: str | None,
    manifest_csv: str | None,
    split_ratios: Sequence[float],
    seed: int,
    workers: int,
) -> DatasetPlan:
    """Reuse ``manifest.csv`` when present (stable splits across runs and shards), else build and save it.

    Hold :func:`extraction_lock` around this and the extraction (extract.py does), so that the plan
    and the rows are one run's. Shards of one set may start together: the first plans, the others
    wait for its manifest.
    """

    def waiting(holder: str) -> None:
        console.print(f"waiting for another shard ({holder}) to finish planning {features_dir / MANIFEST_NAME}")

    with folder_lock(features_dir, FOLDER_ADVICE, name=PLAN_LOCK_NAME, on_wait=waiting):
        return _load_or_plan(features_dir, videos_dir, manifest_csv, split_ratios, seed, workers)


def _load_or_plan(
    features_dir: Path,
    videos_dir: str | None,
    manifest_csv: str | None,
    split_ratios: Sequence[float],
    seed: int,
    workers: int,
) -> DatasetPlan:
    plan = load_manifest(features_dir, videos_dir, manifest_csv)
    if plan is not None:
        console.print(f"using the saved split {features_dir / 'manifest.csv'} ({len(plan.entries)} videos)")
        return plan
    with make_progress() as progress:
        task = progress.add_task("scanning", total=None)

        def tick(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        plan = build_plan(videos_dir, manifest_csv, split_ratios, seed, workers, tick)
    save_plan(plan, features_dir)
    counts = {s: sum(e.split == s for e in plan.entries) for s in SPLITS}
    console.print(
        f"{plan.layout} layout: {len(plan.entries)} videos in {len(plan.class_names)} classes "
        f"({', '.join(f'{s} {n}' for s, n in counts.items())}); split saved to {features_dir / 'manifest.csv'}"
    )
    if plan.skipped:
        console.print(
            f"[yellow]skipped {len(plan.skipped)} non-video file(s)[/], listed in {features_dir / SKIPPED_NAME}:"
        )
        print_first([f"{path}: {reason}" for path, reason in plan.skipped], features_dir / SKIPPED_NAME)
    if plan.duplicates:
        console.print(
            f"[yellow]{len(plan.duplicates)} duplicate file(s) by content hash were dropped[/] "
            f"(kept one copy each; see {features_dir / DUPLICATES_NAME}):"
        )
        print_first(
            [f"{path} == {kept}: {reason}" for path, kept, reason in plan.duplicates], features_dir / DUPLICATES_NAME
        )
    return plan


def print_first(lines: Sequence[str], listing: Path, limit: int = 5) -> None:
    """The first ``limit`` lines, indented, then how many more there are and the file that lists them all."""
    for line in lines[:limit]:
        console.print(f"  {line}", markup=False)
    if len(lines) > limit:
        console.print(f"  ... and {len(lines) - limit} more, all listed in {listing}", markup=False)


def _decode_safely(extractor: FeatureExtractor, entry: ManifestEntry) -> DecodedVideo | str:
    """Decode in a worker thread; a bad file becomes a reason string, never a crashed run."""
    try:
        return extractor.decode(entry.source)
    except VidclsError as err:
        return str(err)
    except Exception as err:  # any decoder surprise on one file must not stop an hours-long run
        return f"{type(err).__name__}: {err}"


def prefetch(
    pool: ThreadPoolExecutor, decode: Callable[[T], R], items: Iterable[T], depth: int
) -> Iterator[tuple[T, R]]:
    """``decode`` each item in ``pool`` ahead of the consumer, yielding in order, at most ``depth`` in flight.

    The decode/CNN overlap of ``extract.py`` (``decode`` = :func:`_decode_safely`) and ``predict.py``.
    """
    queue: deque[tuple[T, Future[R]]] = deque()
    pending = iter(items)
    for item in pending:
        queue.append((item, pool.submit(decode, item)))
        if len(queue) >= depth:
            break
    while queue:
        item, future = queue.popleft()
        nxt = next(pending, _DONE)
        if nxt is not _DONE:
            queue.append((nxt, pool.submit(decode, nxt)))  # type: ignore[arg-type]
        yield item, future.result()


def run_extraction(
    extractor: FeatureExtractor,
    plan: DatasetPlan,
    features_dir: Path,
    dtype: str = "float32",
    shard: int = 0,
    num_shards: int = 1,
    num_workers: int = 2,
    videos_dir: str | None = None,
    max_videos: int | None = None,
) -> ExtractionSummary:
    """Extract this shard's videos into per-split files, resuming whatever a previous run finished.

    ``max_videos`` stops after that many newly encoded videos (leaving files incomplete), which is
    how tests simulate a killed run.
    """
    if not 0 <= shard < num_shards:
        raise VidclsError(f"shard must be in 0..num_shards-1, got shard={shard} num_shards={num_shards}")
    out_dir = features_dir if num_shards == 1 else shard_dir(features_dir, shard, num_shards)
    with extraction_lock(features_dir, num_shards), folder_lock(out_dir, FOLDER_ADVICE):
        guard_resume(plan, features_dir, out_dir, shard, num_shards, videos_dir, num_workers)
        return _run_locked(extractor, plan, out_dir, dtype, shard, num_shards, num_workers, videos_dir, max_videos)


def _run_locked(
    extractor: FeatureExtractor,
    plan: DatasetPlan,
    out_dir: Path,
    dtype: str,
    shard: int,
    num_shards: int,
    num_workers: int,
    videos_dir: str | None,
    max_videos: int | None,
) -> ExtractionSummary:
    """The extraction proper; the caller holds ``out_dir``'s lock and has checked the resume."""
    mine = [e for i, e in enumerate(plan.entries) if i % num_shards == shard]
    labels = {c: i for i, c in enumerate(plan.class_names)}
    summary = ExtractionSummary(features_dir=out_dir)
    start = time.perf_counter()
    extra = {"videos_dir": str(Path(videos_dir).resolve())} if videos_dir else {}
    writers = {
        split: IncrementalWriter(
            out_dir / split_filename(split),
            plan.class_names,
            extractor.feature_dim,
            extractor.num_frames,
            extractor.provenance,
            dtype,
            extra,
        )
        for split in SPLITS
    }
    stopped_early = False
    try:
        todo = [e for e in mine if e.path not in writers[e.split].done]
        summary.resumed = len(mine) - len(todo)
        if summary.resumed:
            console.print(f"resuming: {summary.resumed} video(s) already extracted, {len(todo)} to go")
        with make_progress() as progress, ThreadPoolExecutor(max(1, num_workers)) as pool:
            task = progress.add_task(f"extracting ({extractor.backbone.name})", total=len(todo))
            decode = functools.partial(_decode_safely, extractor)
            for entry, decoded in prefetch(pool, decode, todo, depth=max(2, 2 * num_workers)):
                if max_videos is not None and summary.extracted >= max_videos:
                    stopped_early = True
                    break
                if isinstance(decoded, str):
                    summary.failures.append((entry.path, entry.split, entry.label, decoded))
                else:
                    try:
                        result = extractor.encode(decoded)
                    except VidclsError as err:
                        summary.failures.append((entry.path, entry.split, entry.label, str(err)))
                    else:
                        writers[entry.split].append(entry.path, labels[entry.label], result.features, entry.hash)
                        summary.extracted += 1
                progress.advance(task)
        if not stopped_early:
            for writer in writers.values():
                writer.finish()
    finally:
        for split, writer in writers.items():
            summary.written[split] = writer.num_rows
            writer.close()
    _write_csv(out_dir / FAILURES_NAME, FAILURE_FIELDS, summary.failures)
    summary.seconds = time.perf_counter() - start
    summary.files = [writers[s].path for s in SPLITS]
    return summary


# -- resume safety: never rows from two sources ------------------------------------------------


def guard_resume(
    plan: DatasetPlan,
    features_dir: Path,
    out_dir: Path,
    shard: int,
    num_shards: int,
    videos_dir: str | None,
    workers: int,
) -> None:
    """Refuse (one clear error) to add rows to files that hold rows of other videos, or from changed videos.

    Both checks run before any file is opened for writing: every row already in a split file of
    ``out_dir`` must be a video the plan puts in that split, with the content hash the plan records
    (files written before rows kept their hash: with the same ``videos_dir``), and, for a plan
    loaded from ``manifest.csv``, this shard's videos must still have the content it records
    (size+mtime, else re-hashed).
    """
    for split in SPLITS:
        path = out_dir / split_filename(split)
        if path.is_file():
            check_rows_belong(path, split, plan, videos_dir, features_dir)
    if plan.layout != "manifest":
        return  # planned just now (hashes fresh) or built in code (bench): nothing saved to compare with
    mine = [e for i, e in enumerate(plan.entries) if i % num_shards == shard]
    changed, refreshed = find_changed(mine, workers)
    if changed:
        raise changed_error(features_dir, changed)
    if refreshed and num_shards == 1:
        # Touched but identical files: record their new size/mtime so the next resume skips the hashing.
        _write_csv(features_dir / MANIFEST_NAME, MANIFEST_FIELDS, [_manifest_row(e) for e in plan.entries])


def check_rows_belong(path: Path, split: str, plan: DatasetPlan, videos_dir: str | None, features_dir: Path) -> None:
    """Every row of ``path`` must be a video the plan puts in ``split``, with the same content hash."""
    advice = (
        f"Delete {features_dir}'s *_features_multiscale.h5 (and shards/) to re-extract with the current "
        f"{MANIFEST_NAME}, or use another data.features_dir."
    )
    try:
        with h5py.File(path, "r") as f:
            made_from = decode_attr(f.attrs["videos_dir"], "videos_dir") if "videos_dir" in f.attrs else None
            paths = read_strings(f, VIDEO_PATHS) or []
            hashes = read_strings(f, VIDEO_HASHES)
    except OSError:
        return  # unreadable: the writer moves a corrupt file aside (or reports a file in use)
    wanted = {e.path: e.hash for e in plan.entries if e.split == split}
    strangers = [p for p in paths if p and p not in wanted]
    if strangers:
        raise VidclsError(
            f"{path} holds {len(strangers)} row(s) of videos that {MANIFEST_NAME} does not put in {split} "
            f"(e.g. {strangers[0]}): adding rows would mix two plans. {advice}"
        )
    if hashes is None:
        # Written before rows kept their content hash: the videos folder must be the same one.
        if made_from is not None and videos_dir and str(made_from) != str(Path(videos_dir).resolve()):
            raise VidclsError(f"{path} was extracted from {made_from}, not data.videos_dir={videos_dir}. {advice}")
        return
    other = [p for p, h in zip(paths, hashes, strict=False) if p and h and h != wanted[p]]
    if other:
        raise VidclsError(
            f"{path} holds rows of {len(other)} video(s) whose content differs from {MANIFEST_NAME}'s "
            f"(e.g. {other[0]}): the videos were replaced since those rows were written. {advice}"
        )


def merge_shards(features_dir: Path, plan: DatasetPlan) -> list[Path]:
    """Join ``shards/shard-*-of-N`` files into the three split files, rows in manifest order."""
    with extraction_lock(features_dir, merge=True):
        num_shards = _complete_shard_set(features_dir)
        outputs = [_merge_split(features_dir, plan, split, num_shards) for split in SPLITS]
        _merge_failures(features_dir, num_shards)
        return outputs


def _complete_shard_set(features_dir: Path) -> int:
    """The number of shards of the one shard set under ``shards/``, all of whose folders exist."""
    root = features_dir / SHARDS_DIR
    dirs = sorted(root.glob("shard-*-of-*")) if root.is_dir() else []
    if not dirs:
        raise VidclsError(f"no shards under {root}; run extract.py with shard=i num_shards=n first")
    counts = {re.sub(r"shard-\d+-of-", "", d.name) for d in dirs}
    if len(counts) != 1:
        raise VidclsError(f"{root} mixes shard sets ({sorted(counts)}); remove the stale shard folders")
    num_shards = int(counts.pop())
    missing = [i for i in range(num_shards) if not shard_dir(features_dir, i, num_shards).is_dir()]
    if missing:
        raise VidclsError(f"shards {missing} of {num_shards} are missing under {root}; run them before merge=true")
    return num_shards


def _check_shard_files(sources: Sequence[Path], split: str, plan: DatasetPlan, features_dir: Path) -> FeatureFileMeta:
    """Every shard file finished, holding only this plan's videos, made with the same settings; the first's meta."""
    metas = [read_meta(p) for p in sources]
    incomplete = [str(m.path) for m in metas if not m.complete]
    if incomplete:
        raise VidclsError(f"shard file(s) not finished: {', '.join(incomplete)}; re-run those shards to completion")
    for source in sources:
        check_rows_belong(source, split, plan, None, features_dir)
    first = metas[0]
    for meta in metas[1:]:
        what = f"{meta.path} was made with other settings than {first.path}"
        first.provenance.require_compatible(meta.provenance, what, "Re-extract that shard.", missing_ok=False)
        if meta.class_names != first.class_names or meta.dtype != first.dtype:
            raise VidclsError(
                f"{what} (classes {meta.class_names}, dtype {meta.dtype} != {first.class_names}, {first.dtype}). "
                "Re-extract that shard."
            )
    return first


def _merge_split(features_dir: Path, plan: DatasetPlan, split: str, num_shards: int) -> Path:
    """One split's shard files -> ``features_dir/<split file>``, rows in manifest order, written by the schema."""
    sources = [shard_dir(features_dir, i, num_shards) / split_filename(split) for i in range(num_shards)]
    first = _check_shard_files(sources, split, plan, features_dir)
    order = {e.path: i for i, e in enumerate(plan.entries)}
    with contextlib.ExitStack() as stack:
        handles = [stack.enter_context(h5py.File(p, "r")) for p in sources]
        paths = [read_strings(h, VIDEO_PATHS) or [] for h in handles]
        rows = sorted((order.get(p, len(order)), s, r) for s, shard in enumerate(paths) for r, p in enumerate(shard))
        hashes = [read_strings(h, VIDEO_HASHES) for h in handles]
        small = {name: [h[name][()] for h in handles] for name in (LABELS, NUM_FRAMES)}

        def column(values: Sequence[Any]) -> list[Any]:
            return [values[s][r] for _, s, r in rows]

        features = FeatureRows(
            (len(rows), first.max_frames, first.feature_dim), first.dtype, (handles[s][FEATURES][r] for _, s, r in rows)
        )
        videos_dir = handles[0].attrs.get("videos_dir")
        return write_feature_file(
            features_dir / split_filename(split),
            features,
            column(small[LABELS]),
            column(small[NUM_FRAMES]),
            first.class_names,
            provenance=first.provenance,
            video_paths=column(paths),
            multi_scale=first.multi_scale,
            video_hashes=column(hashes) if all(h is not None for h in hashes) else None,
            extra_attrs=None if videos_dir is None else {"videos_dir": videos_dir},
        )


def _merge_failures(features_dir: Path, num_shards: int) -> None:
    """The shards' ``failures.csv`` rows, joined into the merged folder's."""
    failures: list[list[str]] = []
    for i in range(num_shards):
        fpath = shard_dir(features_dir, i, num_shards) / FAILURES_NAME
        if fpath.is_file():
            with fpath.open(newline="") as f:
                failures.extend(list(csv.reader(f))[1:])
    _write_csv(features_dir / FAILURES_NAME, FAILURE_FIELDS, failures)
