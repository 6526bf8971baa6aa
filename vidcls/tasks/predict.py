"""``predict.py``'s task: files → :class:`VideoPredictor` → a rich table or JSON (+ attention plots).

Only this module prints; the predict core (:mod:`vidcls.inference.predictor`) stays UI-free for the web app.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from omegaconf import DictConfig
from rich.console import Console
from rich.table import Table

from vidcls.errors import VidclsError
from vidcls.inference.ensemble import load_ensemble
from vidcls.inference.predictor import VideoPrediction, VideoPredictor
from vidcls.inference.tta import resolve_views
from vidcls.utils.cli import seed_from_config
from vidcls.utils.config import to_plain
from vidcls.utils.progress import progress_bar
from vidcls.utils.scan import walk_files


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
    spans = result.to_dict().get("spans")
    fig = plots.attention_figure(result.timestamps_s, result.attention, title, frames=result.frames, spans=spans)
    try:
        return plots.save_figure(fig, path)
    finally:
        plots.close(fig)


def save_attention_plots(results: Sequence[VideoPrediction], folder: str | os.PathLike[str]) -> list[Path]:
    names = attention_plot_names([r.path for r in results], Path(folder))
    written = [save_attention_plot(result, path) for result, path in zip(results, names, strict=True)]
    return [p for p in written if p is not None]


def results_table(results: Sequence[VideoPrediction], class_names: Sequence[str]) -> Table:
    """One row per file (name only; errors are listed in full below the table)."""
    table = Table(title="predictions")
    table.add_column("file", overflow="fold")
    table.add_column("predicted")
    for name in class_names:
        table.add_column(name, justify="right")
    for r in results:
        if r.ok and r.probs is not None:
            best = r.predicted_index
            cells = [f"[bold]{p:.3f}[/]" if j == best else f"{p:.3f}" for j, p in enumerate(r.probs)]
            table.add_row(Path(r.path).name, f"[bold green]{r.predicted}[/]", *cells)
        else:
            table.add_row(Path(r.path).name, "[bold red]error[/]", *["-"] * len(class_names))
    return table


def run(cfg: DictConfig) -> dict[str, Any]:
    """Classify ``cfg.video``; the results dict is what ``output=json`` prints (one record per file)."""
    seed_from_config(cfg)
    return classify(cfg)[1]


def classify(cfg: DictConfig) -> tuple[list[VideoPrediction], dict[str, Any]]:
    """Every file's prediction, printed as a table or JSON; raises :class:`VidclsError` only if all failed."""
    output = str(cfg.output)
    if output not in ("table", "json"):
        raise VidclsError(f"output must be 'table' or 'json', got {output!r}.")
    views = resolve_views(list(cfg.tta.views))
    inputs = collect_inputs(to_plain(cfg.video))
    ensemble = load_ensemble(
        to_plain(cfg.ckpt_paths), device=str(cfg.device), allow_unsafe_load=bool(cfg.allow_unsafe_load)
    )
    predictor = VideoPredictor.from_ensemble(
        ensemble,
        tta=views,
        device=str(ensemble.device),
        batch_size=int(cfg.extractor_batch_size),
        runtime=str(cfg.extractor_runtime),
        provenance_override=to_plain(cfg.provenance),
        return_attention=True,
        thumbnail_px=int(cfg.attention_thumbnail_px) if cfg.get("attention_plot") else 0,
        segment_s=cfg.get("segment_s"),
    )
    plot_folder = Path(cfg.attention_plot) if cfg.get("attention_plot") else None
    results, plots_written = predict_files(predictor, inputs, plot_folder)
    payload: dict[str, Any] = {
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
    predictor: VideoPredictor, inputs: Sequence[Path], plot_folder: Path | None
) -> tuple[list[VideoPrediction], list[Path]]:
    """Each file's prediction (with a progress bar), and the attention plots drawn on the way."""
    plot_names = attention_plot_names(inputs, plot_folder) if plot_folder is not None else None
    plots_written: list[Path] = []
    results: list[VideoPrediction] = []
    with progress_bar("files", Console(stderr=True), fractional=True) as progress:
        overall = progress.add_task(f"classifying {len(inputs)} file(s)", total=len(inputs))
        for path in inputs:
            current = progress.add_task(path.name, total=1.0)
            result = predictor.predict_file(path, progress=lambda f, task=current: progress.update(task, completed=f))
            progress.remove_task(current)
            progress.advance(overall)
            if plot_names is not None:
                written = save_attention_plot(result, plot_names[len(results)])
                plots_written += [written] if written is not None else []
                result.frames = None  # thumbnails are for the plot only: memory stays flat over many files
            results.append(result)
    return results, plots_written


def print_results(results: Sequence[VideoPrediction], class_names: Sequence[str], plots: Sequence[Path]) -> None:
    """The table, then each error in full, then where the attention plots went."""
    console = Console()
    console.print(results_table(results, class_names))
    for r in results:
        if not r.ok:
            message = r.error if r.error and r.path in r.error else f"{r.path}: {r.error}"
            console.print(f"[red]error:[/] {message}", highlight=False)
    for r in results:
        if r.ok and r.windows is not None:  # a timeline (segment_s): where each class runs
            runs = ", ".join(f"{s['start_s']:.0f}-{s['end_s']:.0f} s {s['predicted']}" for s in r.to_dict()["spans"])
            count = f"{len(r.windows)} window{'s' if len(r.windows) != 1 else ''}"
            console.print(f"timeline of {Path(r.path).name} ({count}): {runs}", highlight=False)
    for path in plots:
        console.print(f"attention plot: {path}")
