"""``predict.py``'s task: files → :class:`VideoPredictor` → a rich table or JSON (+ attention plots).

Only this module prints; the predict core (:mod:`vidcls.inference.predictor`) stays UI-free for the web app.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from omegaconf import DictConfig
from rich.console import Console
from rich.markup import escape
from rich.progress import TaskID
from rich.table import Table

from vidcls.errors import VidclsError
from vidcls.inference.answers import (
    AnswerWriter,
    answer_settings,
    check_settings,
    checkpoint_digests,
    file_key,
    file_kind,
    lock_path,
    merge_answer_shards,
    refuse_existing,
    settings_digest,
    shard_path,
)
from vidcls.inference.ensemble import load_ensemble
from vidcls.inference.predictor import VideoPrediction, VideoPredictor
from vidcls.inference.stream import stream_predictions
from vidcls.inference.tta import resolve_views
from vidcls.utils.cli import seed_from_config
from vidcls.utils.config import to_plain
from vidcls.utils.lock import path_lock
from vidcls.utils.progress import progress_bar
from vidcls.utils.scan import walk_files

err_console = Console(stderr=True, highlight=False, soft_wrap=True)  # no hard wraps in log files


def collect_inputs(video: str | os.PathLike[str] | Sequence[str | os.PathLike[str]]) -> list[Path]:
    """Files to classify: each file as given (missing ones are kept, to be reported), each directory's
    non-hidden files recursively (symlinked folders followed). Dangling links and symlink loops are
    kept too, so each gets its error line. Whether a file is a video is decided by opening it."""
    items = [video] if isinstance(video, str | os.PathLike) else list(video)
    if not items:
        raise VidclsError("video= is empty; pass a video file, a directory of videos, or a list [a.mp4,b.mp4].")
    out: list[Path] = []
    for item in items:
        path = Path(os.path.expanduser(str(item)))
        if path.is_dir():
            files, problems = walk_files(path)
            found = sorted(files + [p for p, _ in problems])
            if not found:
                raise VidclsError(f"directory {path} holds no files to classify.")
            out.extend(found)
        else:
            out.append(path)
    return list(dict.fromkeys(out))


def attention_plot_names(paths: Sequence[str | os.PathLike[str]], folder: Path) -> list[Path]:
    """``<stem>.attention.png`` per input (``<i>_<stem>`` where two inputs share a stem)."""
    stems = [Path(p).stem for p in paths]
    return [
        folder / f"{stem if stems.count(stem) == 1 else f'{i:03d}_{stem}'}.attention.png"
        for i, stem in enumerate(stems)
    ]


def save_attention_plot(result: VideoPrediction, path: Path) -> Path | None:
    """One result's attention over time, with the thumbnails of its sampled frames when it kept them."""
    if not result.ok or result.attention is None or result.timestamps_s is None:
        return None
    from vidcls.evaluation import plots

    title = f"{Path(result.path).name}: {result.predicted} ({result.confidence:.1%})"
    fig = plots.attention_figure(result.timestamps_s, result.attention, title, frames=result.frames, spans=result.spans)
    try:
        return plots.save_figure(fig, path)
    finally:
        plots.close(fig)


def save_attention_plots(results: Sequence[VideoPrediction], folder: str | os.PathLike[str]) -> list[Path]:
    names = attention_plot_names([r.path for r in results], Path(folder))
    written = [save_attention_plot(result, path) for result, path in zip(results, names, strict=True)]
    return [p for p in written if p is not None]


def distinct_names(paths: Sequence[str | os.PathLike[str]]) -> list[str]:
    """Each path's shortest trailing part that no other path ends with: ``good0.mp4`` alone, but
    ``Cats/good0.mp4`` and ``Dogs/good0.mp4`` when two folders hold a ``good0.mp4``."""
    parts = [Path(p).parts or (str(p),) for p in paths]
    names: list[str | None] = [None] * len(parts)
    depth = 1
    while any(n is None for n in names):
        counts = Counter(tuple(q[-depth:]) for q in parts)
        for i, q in enumerate(parts):
            if names[i] is None and (counts[tuple(q[-depth:])] == 1 or depth >= len(q)):
                names[i] = str(Path(*q[-depth:]))
        depth += 1
    return [str(n) for n in names]


def results_table(results: Sequence[VideoPrediction], class_names: Sequence[str]) -> Table:
    """One row per file, named by its shortest distinguishing path suffix (errors follow on stderr)."""
    table = Table(title="predictions")
    table.add_column("file", overflow="fold")
    table.add_column("predicted")
    for name in class_names:
        table.add_column(name, justify="right")
    for r, shown in zip(results, distinct_names([r.path for r in results]), strict=True):
        if r.ok and r.probs is not None:
            best = r.predicted_index
            cells = [f"[bold]{p:.3f}[/]" if j == best else f"{p:.3f}" for j, p in enumerate(r.probs)]
            table.add_row(shown, f"[bold green]{r.predicted}[/]", *cells)
        else:
            table.add_row(shown, "[bold red]error[/]", *["-"] * len(class_names))
    return table


def run(cfg: DictConfig) -> dict[str, Any]:
    """Classify ``cfg.video``; the results dict is what ``output=json`` prints (one record per file, or
    with ``output_file`` a summary of what was written)."""
    seed_from_config(cfg)
    return classify(cfg)[1]


def classify(cfg: DictConfig) -> tuple[list[VideoPrediction], dict[str, Any]]:
    """Every file's prediction, printed as a table or JSON, or streamed to ``output_file`` (then the list
    is empty: nothing is held in memory); raises :class:`VidclsError` only if all failed."""
    output = str(cfg.output)
    if output not in ("table", "json"):
        raise VidclsError(f"output must be 'table' or 'json', got {output!r}.")
    shard, num_shards = int(cfg.shard), int(cfg.num_shards)
    if not 0 <= shard < num_shards:
        raise VidclsError(f"shard must be in 0..num_shards-1, got shard={shard} num_shards={num_shards}")
    output_file = Path(str(cfg.output_file)) if cfg.get("output_file") else None
    if output_file is None and (num_shards > 1 or cfg.get("merge")):
        raise VidclsError("shards write answers files: add output_file=answers.jsonl (or .csv).")
    if output_file is not None:
        file_kind(output_file)
        if cfg.get("merge"):
            return [], merge_shards(cfg, output_file, num_shards)
        target = output_file if num_shards == 1 else shard_path(output_file, shard, num_shards)
        refuse_existing(target, bool(cfg.get("resume")))  # before the models load; a merged file is not a shard's
    views = resolve_views(list(cfg.tta.views))
    inputs = collect_inputs(to_plain(cfg.video))
    ensemble = load_ensemble(
        to_plain(cfg.ckpt_paths), device=str(cfg.device), allow_unsafe_load=bool(cfg.allow_unsafe_load)
    )
    plot_folder = Path(cfg.attention_plot) if cfg.get("attention_plot") else None
    with ThreadPoolExecutor(1) as hasher:  # hash the checkpoints while the CNN runtime is set up
        members = [(m.name, m.path) for m in ensemble.members]
        digests = hasher.submit(checkpoint_digests, members if output_file is not None else [])
        predictor = VideoPredictor.from_ensemble(
            ensemble,
            tta=views,
            device=str(ensemble.device),
            batch_size=int(cfg.extractor_batch_size),
            runtime=str(cfg.extractor_runtime),
            provenance_override=to_plain(cfg.provenance),
            return_attention=True,
            thumbnail_px=int(cfg.attention_thumbnail_px) if plot_folder is not None else 0,
            segment_s=cfg.get("segment_s"),
        )
    workers = int(cfg.num_workers)
    batch_wait_s = float(cfg.batch_wait_s)
    if output_file is not None:
        mine = [p for i, p in enumerate(inputs) if i % num_shards == shard]
        settings = answer_settings(
            digests.result(),
            views,
            predictor.extractor.provenance,
            ensemble.class_names,
            ensemble.apply_temperature,
            predictor.segment_s,
        )
        # Plot names come from every input (as a single run names them), not from this shard's or resume's rest.
        plot_names = dict(zip(inputs, attention_plot_names(inputs, plot_folder), strict=True)) if plot_folder else None
        summary = stream_to_file(cfg, predictor, settings, mine, target, output_file, plot_names, workers, batch_wait_s)
        payload = {"class_names": ensemble.class_names, "checkpoints": ensemble.names, "tta": views, **summary}
        if output == "json":
            sys.stdout.write(json.dumps(payload, indent=2) + "\n")
            sys.stdout.flush()
        if summary["lines"] and summary["failed"] == summary["lines"]:
            raise VidclsError(f"none of the {summary['lines']} file(s) in {target} could be classified.")
        return [], payload
    results, plots_written = predict_files(predictor, inputs, plot_folder, workers, batch_wait_s)
    payload = {
        "class_names": ensemble.class_names,
        "checkpoints": ensemble.names,
        "tta": views,
        "results": [r.to_dict() for r in results],
    }
    if output == "json":
        sys.stdout.write(json.dumps(payload, indent=2) + "\n")
        sys.stdout.flush()
    else:
        print_results(results, ensemble.class_names, plots_written)
    failed = [r for r in results if not r.ok]
    if results and len(failed) == len(results):
        raise VidclsError(f"none of the {len(results)} file(s) could be classified (see the errors above).")
    return results, payload


def predict_files(
    predictor: VideoPredictor,
    inputs: Sequence[Path],
    plot_folder: Path | None,
    num_workers: int,
    batch_wait_s: float,
) -> tuple[list[VideoPrediction], list[Path]]:
    """Each file's prediction (with a progress bar), and the attention plots drawn on the way."""
    plot_names = attention_plot_names(inputs, plot_folder) if plot_folder is not None else None
    plots_written: list[Path] = []
    results: list[VideoPrediction] = []
    for result in _with_progress(predictor, inputs, num_workers, batch_wait_s, None):
        if plot_names is not None:
            written = save_attention_plot(result, plot_names[len(results)])
            plots_written += [written] if written is not None else []
            result.frames = None  # thumbnails are for the plot only: memory stays flat over many files
        results.append(result)
    return results, plots_written


def _with_progress(
    predictor: VideoPredictor,
    inputs: Sequence[Path],
    num_workers: int,
    batch_wait_s: float,
    errors: Console | None,
) -> Iterator[VideoPrediction]:
    """The pipelined predictions with an overall bar and one bar for the file in the CNN; each error printed
    at once to ``errors`` (above the bars) when given."""
    with progress_bar("files", Console(stderr=True), fractional=True) as progress:
        overall = progress.add_task(f"classifying {len(inputs)} file(s)", total=len(inputs))
        current: list[TaskID] = []

        def start(path: Path) -> Callable[[float], None]:
            while current:  # the file before is past the CNN (its answer may wait for a batch to fill)
                progress.remove_task(current.pop())
            current.append(progress.add_task(path.name, total=1.0))
            return lambda f, task=current[-1]: progress.update(task, completed=f)

        for result in stream_predictions(predictor, inputs, num_workers, batch_wait_s, on_start=start):
            progress.advance(overall)
            if errors is not None and not result.ok:
                progress.console.print(error_line(result), highlight=False, soft_wrap=True)
            yield result
        while current:
            progress.remove_task(current.pop())


def stream_to_file(
    cfg: DictConfig,
    predictor: VideoPredictor,
    settings: dict[str, Any],
    inputs: Sequence[Path],
    target: Path,
    output_file: Path,
    plot_names: dict[Path, Path] | None,
    num_workers: int,
    batch_wait_s: float,
) -> dict[str, Any]:
    """Append each input's line to ``target`` as it is done, skipping what a resumed file already answers."""
    resume = bool(cfg.get("resume"))
    if target != output_file and output_file.exists():
        check_settings(output_file, settings_digest(settings), settings)  # a shard must not feed another ensemble
    with path_lock(lock_path(target), target, "use another output_file"):
        writer = AnswerWriter(target, settings, resume, int(cfg.output_sync_every), float(cfg.output_sync_s))
        complete = False
        try:
            if writer.answered.dropped_torn:
                err_console.print(f"{target}: dropped a torn last line (a run was killed while writing it)")
            keys = {str(p): file_key(p) for p in inputs}
            writer.forget([p for p, k in keys.items() if p in writer.answered.keys and writer.answered.keys[p] != k])
            todo = [p for p in inputs if not writer.is_answered(str(p), keys[str(p)])]
            resumed = len(inputs) - len(todo)
            if resumed:
                err_console.print(f"resuming {target}: {resumed} file(s) already answered, {len(todo)} to go")
            failed = 0
            start = time.perf_counter()
            for i, result in enumerate(_with_progress(predictor, todo, num_workers, batch_wait_s, err_console)):
                writer.write(result, keys[result.path])
                failed += not result.ok
                if plot_names is not None:
                    save_attention_plot(result, plot_names[todo[i]])
                result.frames = None
            complete = True
        finally:
            writer.close(complete)
    lines = len(writer.answered.keys) + writer.written
    seconds = time.perf_counter() - start
    rate = writer.written / seconds if seconds > 0 else 0.0
    err_console.print(
        f"wrote {writer.written} answer(s) to {target} in {seconds:.1f}s ({rate:.2f} files/s; {resumed} resumed, "
        f"{failed} failed)"
    )
    return {
        "output_file": str(target),
        "seconds": seconds,
        "written": writer.written,
        "resumed": resumed,
        "failed": failed + writer.answered.failed,
        "lines": lines,
    }


def merge_shards(cfg: DictConfig, output_file: Path, num_shards: int) -> dict[str, Any]:
    """``merge=true``: the finished shard files of ``output_file`` joined in a single run's order."""
    if num_shards < 2:
        raise VidclsError("merge=true joins shard files: give num_shards=N as the shards were run with.")
    order = [str(p) for p in collect_inputs(to_plain(cfg.video))]
    with path_lock(lock_path(output_file), output_file, "merge after it"):
        path, lines = merge_answer_shards(output_file, num_shards, order)
    err_console.print(f"merged {num_shards} answers shards into {path} ({lines} line(s))")
    return {"output_file": str(path), "merged": True, "lines": lines}


def error_line(result: VideoPrediction) -> str:
    """One failed file's line, naming the file once."""
    message = result.error if result.error and result.path in result.error else f"{result.path}: {result.error}"
    return f"[red]error:[/] {escape(message)}"


def print_results(results: Sequence[VideoPrediction], class_names: Sequence[str], plots: Sequence[Path]) -> None:
    """The table on stdout, then each error in full on stderr, then where the attention plots went."""
    console = Console()
    console.print(results_table(results, class_names))
    for r in results:
        if not r.ok:
            err_console.print(error_line(r))
    for r in results:
        if r.ok and r.windows is not None:  # a timeline (segment_s): where each class runs
            runs = ", ".join(f"{s['start_s']:.0f}-{s['end_s']:.0f} s {s['predicted']}" for s in r.spans or [])
            count = f"{len(r.windows)} window{'s' if len(r.windows) != 1 else ''}"
            console.print(f"timeline of {Path(r.path).name} ({count}): {runs}", highlight=False)
    for path in plots:
        console.print(f"attention plot: {path}")
