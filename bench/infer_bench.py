"""Inference: a 4-member ensemble with ``temporal4`` TTA, batched views vs one forward per view and member.

The batched leg is the project's ``Ensemble.predict`` (all views stacked into one batch per member).
The baseline is the loop a first version would write: for each member, for each view, one forward
pass on that view alone (views built by the same ``build_views``), softmax, then the same averaging.
Both legs get identical inputs and their probabilities are compared, so the speed-up is for the
same answer. Both legs also do the same arithmetic, so the per-view loop's achieved FLOP/s against
the dense-matmul FLOP/s of this device bounds what any batching can buy: ``matmul / achieved``.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import lightning as L
import torch
from omegaconf import OmegaConf
from torch.utils.flop_counter import FlopCounterMode

from bench.common import ROOT, Results, interleaved, matmul_flops, median
from vidcls.inference import load_ensemble
from vidcls.inference.ensemble import Ensemble
from vidcls.inference.tta import build_views
from vidcls.modules import VideoClassifier
from vidcls.utils.config import to_plain

SECTION = "inference"
CLASS_NAMES = ["Animation", "Flat_Content", "Gaming", "Natural_Content"]


def tta_views(mode: str) -> list[str]:
    """View names from ``conf/tta/<mode>.yaml`` (the one place TTA modes are defined)."""
    return list(OmegaConf.load(Path(ROOT) / "conf" / "tta" / f"{mode}.yaml").views)


def write_checkpoints(folder: Path, members: int, feature_dim: int, size: dict[str, Any]) -> list[Path]:
    """``members`` differently seeded VideoClassifier checkpoints in the contract format (load_ensemble reads them)."""
    model_cfg = OmegaConf.load(Path(ROOT) / "conf" / "model" / "super_enhanced.yaml")
    recipe = OmegaConf.load(Path(ROOT) / "conf" / "model" / "recipe" / "predecessor.yaml")
    model_cfg = OmegaConf.merge(recipe, model_cfg, size)
    model_cfg.pop("defaults", None)
    tag = "_".join(f"{k}{v}" for k, v in sorted(size.items()))
    paths = []
    for seed in range(members):
        path = folder / f"ensemble_{tag}" / f"seed={seed}" / "checkpoints" / "best.ckpt"
        if not path.is_file():
            torch.manual_seed(seed)
            module = VideoClassifier.from_model_config(
                model_cfg,
                class_names=CLASS_NAMES,
                feature_dim=feature_dim,
                provenance={"backbone": "effnet_lite0", "feature_dim": feature_dim},
                class_counts=[10, 10, 10, 10],
            )
            path.parent.mkdir(parents=True, exist_ok=True)
            ckpt = {
                "hyper_parameters": to_plain(dict(module.hparams)),
                "state_dict": module.state_dict(),
                "pytorch-lightning_version": L.__version__,
            }
            torch.save(ckpt, path.with_suffix(".tmp"))
            path.with_suffix(".tmp").replace(path)
        paths.append(path)
    return paths


def autocast_for(device: torch.device) -> contextlib.AbstractContextManager[Any]:
    return torch.autocast("cuda", dtype=torch.bfloat16) if device.type == "cuda" else contextlib.nullcontext()


@torch.inference_mode()
def per_view_predict(ensemble: Ensemble, x: torch.Tensor, lengths: torch.Tensor, views: list[str]) -> torch.Tensor:
    """Baseline: one forward per (member, view); mean over views, then over members."""
    x = x.to(ensemble.device, torch.float32)
    member_probs = []
    for member in ensemble.members:
        view_probs = []
        for view in views:
            xv, lv = build_views(x, lengths, [view])
            view_probs.append(torch.softmax(member.model(xv, lv).float(), dim=-1))
        member_probs.append(torch.stack(view_probs).mean(dim=0))
    return torch.stack(member_probs).mean(dim=0).cpu()


def legs(ensemble: Ensemble, x: torch.Tensor, lengths: torch.Tensor, views: list[str], device: torch.device):
    def batched() -> torch.Tensor:
        with autocast_for(device):
            return ensemble.predict(x, lengths, tta=views).probs

    def per_view() -> torch.Tensor:
        with autocast_for(device):
            return per_view_predict(ensemble, x, lengths, views)

    return {"batched": batched, "per_view": per_view}


@contextlib.contextmanager
def _unfused_rnn() -> Iterator[None]:
    """oneDNN and cuDNN off, so the LSTM runs as countable matmuls (the flags warn about Intel-GPU TF32)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        with torch.backends.mkldnn.flags(enabled=False), torch.backends.cudnn.flags(enabled=False):
            yield


def loop_flops(ensemble: Ensemble, x: torch.Tensor, lengths: torch.Tensor, views: list[str]) -> int:
    """FLOPs of the per-view loop, counted op by op (fused oneDNN/cuDNN LSTMs are opaque to the counter)."""
    with _unfused_rnn(), FlopCounterMode(display=False) as counter:
        per_view_predict(ensemble, x, lengths, views)
    return int(counter.get_total_flops())


def ceiling_legs(ensemble: Ensemble, x: torch.Tensor, copies: int, device: torch.device):
    """The most batching can buy on this device: ``copies`` full-length copies of the batch in one
    forward per member, vs one forward per copy. No TTA, no padding, same rows and steps as the
    views (``temporal4``'s lengths t, t, t/2, 3t/2 sum to 4t), so the ratio bounds the real one.
    """
    x = x.to(ensemble.device, torch.float32)
    stacked = x.repeat(copies, 1, 1)

    @torch.inference_mode()
    def one_call() -> None:
        with autocast_for(device):
            for member in ensemble.members:
                member.model(stacked)

    @torch.inference_mode()
    def per_copy() -> None:
        with autocast_for(device):
            for member in ensemble.members:
                for _ in range(copies):
                    member.model(x)

    return {"one_call": one_call, "per_copy": per_copy}


def inputs(n: int, frames: int, feature_dim: int, device: torch.device) -> tuple[torch.Tensor, torch.Tensor]:
    gen = torch.Generator().manual_seed(n * 1000 + frames)
    x = torch.randn(n, frames, feature_dim, generator=gen).to(device)
    return x, torch.full((n,), frames, dtype=torch.int64)


def run(results: Results, device: torch.device, mode: dict[str, Any], work: Path, verbose: bool) -> None:
    """Measure the section: batched views vs one forward per view, per model size and batch size."""
    i = mode["infer"]
    views = tta_views(i["tta"])
    ensembles = {}
    peak = matmul_flops(
        device, torch.bfloat16 if device.type == "cuda" else torch.float32, size=mode["train"]["matmul_size"]
    )
    for label, size in i["models_gpu"] if device.type == "cuda" else i["models_cpu"]:
        paths = write_checkpoints(Path(mode["cache_dir"]), i["members"], i["feature_dim"], size)
        ensemble = ensembles[label] = load_ensemble([str(p) for p in paths], device=device)
        params = {
            "members": len(ensemble.members),
            "tta": i["tta"],
            "views": views,
            "model": size,
            "frames": i["frames"],
            "feature_dim": i["feature_dim"],
            "device": str(device),
        }
        for n in i["batch_sizes"]:
            x, lengths = inputs(n, i["frames"], i["feature_dim"], device)
            tag = f"{label} model, {n} video(s)/call"
            p_n = {**params, "videos_per_call": n}
            measure_call(results, ensemble, x, lengths, views, device, i["repeats"], peak, tag, p_n)
    g = mode.get("growth")
    if g and g.get("infer"):
        label, ensemble = next(iter(ensembles.items()))
        measure_growth(results, label, ensemble, views, device, i, g)


def measure_call(
    results: Results,
    ensemble: Ensemble,
    x: torch.Tensor,
    lengths: torch.Tensor,
    views: list[str],
    device: torch.device,
    repeats: int,
    peak: float,
    tag: str,
    p_n: dict[str, Any],
) -> None:
    """One model size and batch size: both legs' latency and rate, the batching ceiling and the FLOP bound."""
    n = int(x.shape[0])
    fns = legs(ensemble, x, lengths, views, device)
    diff = float((fns["batched"]() - fns["per_view"]()).abs().max())
    samples = interleaved(fns, repeats, device, warmup=1)
    b, p = median(samples["batched"]), median(samples["per_view"])
    for key, leg, note in (
        ("batched", "batched views", "Ensemble.predict"),
        ("per_view", "per-view loop", "one forward per view and member"),
    ):
        seconds = median(samples[key])
        latency_ms = [s * 1000 for s in samples[key]]
        results.add(SECTION, f"{leg}, {tag}: latency", seconds * 1000, "ms", params=p_n, samples=latency_ms, note=note)
        results.add(SECTION, f"{leg}, {tag}", n / seconds, "videos/s", params=p_n)
    results.add(SECTION, f"batched speed-up, {tag}", p / b, "x", params=p_n, note=f"max |probs difference| {diff:.1e}")
    ceiling = interleaved(ceiling_legs(ensemble, x, len(views), device), repeats, device, warmup=1)
    c1, cn = median(ceiling["one_call"]), median(ceiling["per_copy"])
    results.add(
        SECTION,
        f"batching ceiling, {tag}",
        cn / c1,
        "x",
        params=p_n,
        samples=[a / b for a, b in zip(ceiling["per_copy"], ceiling["one_call"], strict=True)],
        note=f"{len(views)} equal full-length copies in one forward vs one forward each: "
        f"{c1 * 1000:.0f} vs {cn * 1000:.0f} ms",
    )
    flops = loop_flops(ensemble, x, lengths, views)
    fraction = flops / p / peak
    results.add(
        SECTION,
        f"per-view loop achieved / matmul FLOP/s, {tag}",
        fraction,
        "fraction",
        params=p_n,
        note=f"{flops / 1e9:.2f} GFLOP in {p * 1000:.0f} ms = {flops / p / 1e9:.1f} GFLOP/s; "
        f"matmul {peak / 1e9:.1f} GFLOP/s",
    )
    results.add(
        SECTION,
        f"FLOP bound on any batched speed-up, {tag}",
        1.0 / fraction,
        "x",
        params=p_n,
        note="both legs do the same FLOPs; batching cannot beat dense matmul",
    )
    results.target(
        f"batched ensemble+TTA >= 2x per-view loop ({tag})",
        p / b,
        ">=",
        2.0,
        "x",
        detail=f"{b * 1000:.0f} ms vs {p * 1000:.0f} ms; this device's batching ceiling {cn / c1:.2f}x, "
        f"FLOP bound {1.0 / fraction:.2f}x",
    )


def measure_growth(
    results: Results,
    label: str,
    ensemble: Ensemble,
    views: list[str],
    device: torch.device,
    i: dict[str, Any],
    g: dict[str, Any],
) -> None:
    """Latency against frames per video and throughput against videos per call (the first model size)."""
    for frames in g["frames"]:
        x, lengths = inputs(1, frames, i["feature_dim"], device)
        fns = legs(ensemble, x, lengths, views, device)
        s = interleaved(fns, g["reps"], device, warmup=1)
        results.add(
            "growth",
            f"inference latency vs frames (1 video, {label} model)",
            median(s["batched"]) * 1000,
            "ms",
            params={"frames": frames, "per_view_ms": round(median(s["per_view"]) * 1000, 1)},
        )
    for n in g["infer_batch_sizes"]:
        x, lengths = inputs(n, i["frames"], i["feature_dim"], device)
        fns = legs(ensemble, x, lengths, views, device)
        s = interleaved({"batched": fns["batched"]}, g["reps"], device, warmup=1)
        results.add(
            "growth",
            f"inference throughput vs videos per call ({label} model)",
            n / median(s["batched"]),
            "videos/s",
            params={"videos_per_call": n, "frames": i["frames"]},
        )
