"""The extract task (``extract.py``): videos -> multi-scale CNN features in the three split files.

Named steps: :func:`check_settings` (settings mistakes end the run before a scan that can take
minutes), the features folder's lock (:func:`vidcls.extraction.run.extraction_lock`: nothing in
the folder is read or written before it), :func:`plan_videos` (the demo clips if asked, then the
saved or a new split plan), then either :func:`vidcls.extraction.merge_shards` (``merge=true``) or
:func:`build_extractor` + :func:`vidcls.extraction.run_extraction`, and :func:`print_summary`. The
pipeline itself lives in :mod:`vidcls.extraction`; this module only composes it from the config.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from vidcls.errors import VidclsError
from vidcls.extraction.dataset import DatasetPlan
from vidcls.extraction.extractor import FeatureExtractor
from vidcls.extraction.run import (
    FAILURES_NAME,
    ExtractionSummary,
    console,
    extraction_lock,
    get_plan,
    merge_shards,
    print_first,
    run_extraction,
)
from vidcls.schema import SPLITS, read_meta
from vidcls.utils.cli import seed_from_config
from vidcls.utils.config import to_plain


def run(cfg: Mapping[str, Any]) -> dict[str, Any]:
    """Everything ``extract.py`` does, from its composed config; returns the run's results."""
    seed_from_config(cfg)
    device = check_settings(cfg)
    # The folder is this run's before anything in it is read or written (two runs at once: one stops).
    with extraction_lock(Path(str(cfg["data"]["features_dir"])), int(cfg["num_shards"]), bool(cfg.get("merge"))):
        return _run_locked(cfg, device)


def _run_locked(cfg: Mapping[str, Any], device: str) -> dict[str, Any]:
    """Plan, then merge or extract: the caller holds the features folder's lock."""
    features_dir, videos_dir, plan = plan_videos(cfg)
    if cfg.get("merge"):
        outputs = merge_shards(features_dir, plan)
        console.print(f"merged shards into {', '.join(str(p) for p in outputs)}")
        rows = {split: read_meta(path).num_samples for split, path in zip(SPLITS, outputs, strict=True)}
        return {"features_dir": str(features_dir), "merged": True, "files": [str(p) for p in outputs], "rows": rows}
    extractor = build_extractor(cfg, device)
    summary = run_extraction(
        extractor,
        plan,
        features_dir,
        dtype=str(cfg["dtype"]),
        shard=int(cfg["shard"]),
        num_shards=int(cfg["num_shards"]),
        num_workers=int(cfg["num_workers"]),
        videos_dir=videos_dir,
    )
    print_summary(summary, extractor, device)
    return results(summary)


def check_settings(cfg: Mapping[str, Any]) -> str:
    """Refuse an unknown sampling rule or an unusable CNN runtime before any scanning; the resolved device."""
    from vidcls.backbones.runtime import resolve_runtime
    from vidcls.utils.device import resolve_device
    from vidcls.video.sampling import SAMPLING_RULES

    if str(cfg["sampling"]) not in SAMPLING_RULES:
        raise VidclsError(f"unknown sampling={cfg['sampling']!r}; use one of {', '.join(SAMPLING_RULES)}")
    device = resolve_device(cfg["device"])
    resolve_runtime(cfg["backbone"].get("runtime", "auto"), device)
    return device


def plan_videos(cfg: Mapping[str, Any]) -> tuple[Path, str | None, DatasetPlan]:
    """``(features_dir, videos_dir, plan)``: builds the demo clips first when ``data.build_demo`` asks."""
    data = cfg["data"]
    features_dir = Path(str(data["features_dir"]))
    videos_dir = str(data["videos_dir"]) if data.get("videos_dir") else None
    seed = int(cfg.get("seed") or 0)
    if data.get("build_demo"):
        from vidcls.demo import build_demo_videos

        if not videos_dir:
            raise VidclsError("data.build_demo=true needs data.videos_dir")
        from vidcls.utils.resources import build_workers

        workers = build_workers(data.get("build_workers", "auto"))
        build_demo_videos(Path(videos_dir), clips_per_class=int(data["clips_per_class"]), seed=seed, workers=workers)
    split_ratios = list(to_plain(data["split_ratios"]))
    plan = get_plan(features_dir, videos_dir, data.get("manifest"), split_ratios, seed, int(cfg["num_workers"]))
    return features_dir, videos_dir, plan


def build_extractor(cfg: Mapping[str, Any], device: str) -> FeatureExtractor:
    """The configured backbone on ``device`` (CPU threads as ``cpu_threads`` says) inside a FeatureExtractor."""
    import hydra

    from vidcls.backbones.loader import ExportedBackbone
    from vidcls.utils.resources import cpu_threads

    threads = cpu_threads(cfg["cpu_threads"]) if device == "cpu" else None
    backbone = hydra.utils.instantiate(cfg["backbone"], device=device, threads=threads)
    if threads is not None and not isinstance(backbone, ExportedBackbone):
        import torch  # the torch runtime runs the CNN here: give it the configured threads

        torch.set_num_threads(threads)
    return FeatureExtractor(
        backbone=backbone,
        num_frames=int(cfg["num_frames"]),
        scales=list(to_plain(cfg["scales"])),
        frame_size=to_plain(cfg["frame_size"]),
        spatial_scales=list(to_plain(cfg["spatial_scales"])),
        batch_size=int(cfg["batch_size"]),
        min_duration_s=float(cfg["min_duration_s"]),
        sampling=str(cfg["sampling"]),
    )


def print_summary(summary: ExtractionSummary, extractor: FeatureExtractor, device: str) -> None:
    """Rate, rows per split, the first failures (all are in failures.csv) and the files written."""
    backbone = extractor.backbone
    rate = summary.extracted / summary.seconds if summary.seconds > 0 else 0.0
    console.print(
        f"extracted {summary.extracted} video(s) in {summary.seconds:.1f}s ({rate:.2f} videos/s) with "
        f"{backbone.name} on {device} ({backbone.runtime} runtime, sampling {extractor.sampling}); "
        f"rows: {', '.join(f'{s} {n}' for s, n in summary.written.items())}"
    )
    if summary.failures:
        console.print(
            f"[yellow]{len(summary.failures)} video(s) failed[/] and were left out; reasons in "
            f"{summary.features_dir / FAILURES_NAME}:"
        )
        print_first(
            [f"{path}: {reason}" for path, _, _, reason in summary.failures], summary.features_dir / FAILURES_NAME
        )
    for path in summary.files:
        console.print(f"wrote {path}")


def results(summary: ExtractionSummary) -> dict[str, Any]:
    """The run as a plain dict (one results dict per task, like eval's report)."""
    return {
        "features_dir": str(summary.features_dir),
        "merged": False,
        "files": [str(p) for p in summary.files],
        "rows": dict(summary.written),
        "extracted": summary.extracted,
        "resumed": summary.resumed,
        "failed": len(summary.failures),
        "seconds": summary.seconds,
    }
