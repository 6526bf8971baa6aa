"""Training: the real ``train.py`` loop (Lightning + FeatureDataModule on HDF5) vs a plain PyTorch loop.

The Lightning leg runs :func:`vidcls.tasks.train.train` on a config composed from ``conf/train.yaml``
exactly as ``train.py`` would (default callbacks, TensorBoard logger, DataLoader workers), plus a
timing callback. The plain leg is the minimal loop a user would write by hand: the same network,
loss, optimizer and gradient clipping on the same rows, pre-read into memory. The two legs alternate
step by step and are timed over the same steady-state steps (the first step of each epoch and the
whole first epoch are excluded from both).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import h5py
import lightning as L
import numpy as np
import torch
from hydra import compose, initialize_config_dir
from hydra.core.global_hydra import GlobalHydra
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig, open_dict
from torch.utils.flop_counter import FlopCounterMode

from bench.common import ROOT, Results, matmul_flops, median, quiet, sync
from vidcls.modules import VideoClassifier
from vidcls.schema import FEATURES, LABELS, NUM_FRAMES, split_path
from vidcls.synthetic import write_synthetic_splits
from vidcls.utils.resources import loader_workers

SECTION = "training"


#: Set by :func:`run_lightning`: one step of the plain loop, run after every Lightning step (interleaved timing).
_PLAIN_HOOK: Callable[[], tuple[float, int]] | None = None


class BatchTimer(L.Callback):
    """Times each Lightning step and runs one plain-loop step right after it, per epoch.

    Alternating step by step (Lightning, plain, Lightning, plain, ...) in one process exposes both legs
    to the same machine state within about a second, which is what makes their ratio hold on a
    shared, noisy machine: whole-epoch blocks drifted by up to 20% between neighbours' bursts. A
    Lightning step is timed from the end of the previous plain step to the end of its own batch, so it
    includes fetching the batch from the DataLoader, logging and every callback. The first step of
    each epoch (loader start-up) is not timed, for either leg.
    """

    def __init__(self) -> None:
        self.epochs: list[list[tuple[float, int]]] = []
        self.plain: list[list[tuple[float, int]]] = []
        self._mark: float | None = None

    def on_train_epoch_start(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        self.epochs.append([])
        self.plain.append([])
        self._mark = None

    def on_train_batch_end(self, trainer: L.Trainer, pl_module: L.LightningModule, outputs, batch, batch_idx) -> None:
        sync(pl_module.device)
        now = time.perf_counter()
        if self._mark is not None:
            self.epochs[-1].append((now - self._mark, int(batch[2].shape[0])))
        if _PLAIN_HOOK is not None:
            step = _PLAIN_HOOK()
            if self._mark is not None:
                self.plain[-1].append(step)
        self._mark = time.perf_counter()

    @staticmethod
    def _totals(epochs: list[list[tuple[float, int]]]) -> list[tuple[float, int]]:
        return [(sum(s for s, _ in steps), sum(n for _, n in steps)) for steps in epochs[1:] if steps]

    def per_epoch(self) -> list[tuple[float, int]]:
        """``(seconds, videos)`` of the timed Lightning steps per epoch (epoch 0 is warm-up)."""
        return self._totals(self.epochs)

    def plain_per_epoch(self) -> list[tuple[float, int]]:
        """``(seconds, videos)`` of the plain steps interleaved with each epoch's timed steps."""
        return self._totals(self.plain)


def make_feature_files(directory: Path, rows_train: int, max_frames: int, feature_dim: int, min_frames: int) -> Path:
    """HDF5 feature splits (realistic T and D) via the project's synthetic writer; cached by settings."""
    tag = directory / f"T{max_frames}_D{feature_dim}_n{rows_train}_min{min_frames}"
    if not split_path(tag, "test").is_file():
        per_class = max(1, rows_train // 4)
        write_synthetic_splits(
            tag,
            {"train": per_class, "val": max(2, per_class // 8), "test": 2},
            max_frames=max_frames,
            feature_dim=feature_dim,
            min_frames=min_frames,
        )
    return tag


def compose_train(overrides: list[str], out_dir: Path) -> DictConfig:
    """``conf/train.yaml`` + overrides, with the run directories Hydra would have set."""
    GlobalHydra.instance().clear()
    with initialize_config_dir(config_dir=str(Path(ROOT) / "conf"), version_base="1.3"):
        cfg = compose(config_name="train", overrides=overrides, return_hydra_config=True)
    with open_dict(cfg):
        cfg.paths.root_dir = ROOT
        cfg.paths.output_dir = str(out_dir)
        cfg.paths.log_dir = str(out_dir / "logs")
    HydraConfig.instance().set_config(cfg)
    task_cfg = cfg.copy()
    with open_dict(task_cfg):
        del task_cfg["hydra"]
    return task_cfg


def run_lightning(cfg: DictConfig, verbose: bool, plain: Callable[[], tuple[float, int]] | None = None) -> dict:
    """``vidcls.tasks.train.train`` (what train.py calls) with the bench's timing callback added."""
    global _PLAIN_HOOK
    from vidcls.tasks.train import train

    with open_dict(cfg):
        cfg.callbacks.bench_timer = {"_target_": "bench.train_bench.BatchTimer"}
    wall = time.perf_counter()
    _PLAIN_HOOK = plain
    try:
        with quiet(not verbose):
            _, objects = train(cfg)
    finally:
        _PLAIN_HOOK = None
    wall = time.perf_counter() - wall
    timer = next(cb for cb in objects["trainer"].callbacks if isinstance(cb, BatchTimer))
    epochs = timer.per_epoch()
    plain_epochs = timer.plain_per_epoch()
    return {
        "lightning": epochs,
        "plain": plain_epochs,
        "seconds": sum(e[0] for e in epochs),
        "videos": sum(e[1] for e in epochs),
        "wall_s": wall,
    }


def load_rows(features_dir: Path) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    with h5py.File(split_path(features_dir, "train"), "r") as f:
        x = torch.from_numpy(np.asarray(f[FEATURES][()], dtype=np.float32))
        y = torch.from_numpy(f[LABELS][()].astype(np.int64))
        lengths = torch.from_numpy(f[NUM_FRAMES][()].astype(np.int64))
    return x, lengths, y


def make_batches(
    rows: tuple[torch.Tensor, torch.Tensor, torch.Tensor], batch_size: int, count: int, seed: int = 0
) -> list[tuple[torch.Tensor, torch.Tensor, torch.Tensor]]:
    """Random batches trimmed to their longest row (what the DataModule's collate produces)."""
    x, lengths, y = rows
    gen = torch.Generator().manual_seed(seed)
    batches = []
    for _ in range(count):
        idx = torch.randint(len(y), (batch_size,), generator=gen)
        steps = int(lengths[idx].max())
        batches.append((x[idx, :steps].contiguous(), lengths[idx], y[idx]))
    return batches


def build_module(cfg: DictConfig, features_dir: Path) -> VideoClassifier:
    """The same LightningModule train.py builds (network, focal loss, optimizer settings)."""
    from vidcls.datamodules import FeatureDataModule

    dm = FeatureDataModule(features_dir=features_dir, check_values=False)
    dm.setup("fit")
    return VideoClassifier.from_model_config(
        cfg.model,
        class_names=dm.class_names,
        feature_dim=dm.feature_dim,
        provenance=dm.provenance,
        class_counts=dm.class_counts,
    )


class PlainLoop:
    """forward → focal loss → backward → clip → AdamW step, nothing else; one step per call."""

    def __init__(
        self,
        module: VideoClassifier,
        batches: list[tuple[torch.Tensor, torch.Tensor, torch.Tensor]],
        device: torch.device,
        precision: str,
        clip: float | None,
    ) -> None:
        self.net, self.criterion = module.net.to(device).train(), module.criterion.to(device)
        optimizer = module.configure_optimizers()
        self.optimizer = optimizer["optimizer"] if isinstance(optimizer, dict) else optimizer
        self.batches, self.device, self.clip = batches, device, clip
        self.bf16 = precision.startswith("bf16")
        self._next = 0

    def step(self, x: torch.Tensor, lengths: torch.Tensor, y: torch.Tensor) -> None:
        x, y = x.to(self.device, non_blocking=True), y.to(self.device, non_blocking=True)
        autocast = torch.autocast(self.device.type, dtype=torch.bfloat16) if self.bf16 else contextlib.nullcontext()
        with autocast:
            loss = self.criterion(self.net(x, lengths), y)
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        if self.clip:
            torch.nn.utils.clip_grad_norm_(self.net.parameters(), self.clip)
        self.optimizer.step()

    def __call__(self) -> tuple[float, int]:
        """``(seconds, videos)`` of the next step, cycling through the batches."""
        x, lengths, y = self.batches[self._next % len(self.batches)]
        self._next += 1
        start = time.perf_counter()
        self.step(x, lengths, y)
        sync(self.device)
        return time.perf_counter() - start, int(y.shape[0])


def step_flops(net: torch.nn.Module, batch: tuple[torch.Tensor, torch.Tensor, torch.Tensor]) -> int:
    """FLOPs of one forward + backward, counted op by op on CPU (cuDNN's fused LSTM is not countable)."""
    net = net.to("cpu").train()
    x, lengths, y = batch
    with FlopCounterMode(display=False) as counter:
        torch.nn.functional.cross_entropy(net(x, lengths), y).backward()
    net.zero_grad(set_to_none=True)
    return int(counter.get_total_flops())


def step_time(
    net: torch.nn.Module, batch: tuple[torch.Tensor, torch.Tensor, torch.Tensor], device: torch.device, reps: int
) -> float:
    """Median seconds of one fwd+bwd (no optimizer) — the growth curves."""
    net = net.to(device).train()
    x, lengths, y = (t.to(device) if i != 1 else t for i, t in enumerate(batch))
    samples = []
    for i in range(reps + 1):
        sync(device)
        start = time.perf_counter()
        torch.nn.functional.cross_entropy(net(x, lengths), y).backward()
        sync(device)
        if i:
            samples.append(time.perf_counter() - start)
        net.zero_grad(set_to_none=True)
    return median(samples)


def run(results: Results, device: torch.device, mode: dict[str, Any], work: Path, verbose: bool) -> None:
    """Measure the section and add its numbers and its target to ``results``."""
    t = mode["train"]
    features_dir = make_feature_files(
        work / "features", t["batch_size"] * t["steps_per_epoch"], t["max_frames"], t["feature_dim"], t["min_frames"]
    )
    precisions = t["precisions_gpu"] if device.type == "cuda" else ["32-true"]
    size = t["model_gpu"] if device.type == "cuda" else t["model_cpu"]
    base = base_overrides(t, device, features_dir, size)
    params_common = {
        "batch_size": t["batch_size"],
        "max_frames": t["max_frames"],
        "feature_dim": t["feature_dim"],
        "min_frames": t["min_frames"],
        "model": size,
        "train_rows": t["batch_size"] * t["steps_per_epoch"],
        "epochs": t["epochs"],
    }
    rows = load_rows(features_dir)
    for precision in precisions:
        run_dir = work / f"train-{precision}"
        cfg = compose_train([*base, f"trainer.precision={precision}"], run_dir)
        params = {**params_common, "precision": precision, "num_workers": loader_workers(cfg.data.num_workers)}
        # The plain leg cycles through as many batches as a Lightning epoch has, one step per Lightning step.
        batches = make_batches(rows, t["batch_size"], t["steps_per_epoch"])
        torch.manual_seed(0)
        plain = PlainLoop(
            build_module(cfg, features_dir), batches, device, precision, cfg.trainer.get("gradient_clip_val")
        )
        light_rate = measure_lightning_vs_plain(results, cfg, plain, t, precision, params, verbose)
        for extra in t.get("variants", []) if precision == precisions[0] else []:
            cfg_v = compose_train([*base, f"trainer.precision={precision}", *extra["overrides"]], run_dir / "variant")
            out_v = run_lightning(cfg_v, verbose, plain)
            rate_v = out_v["videos"] / out_v["seconds"]
            plain_v = sum(v for _, v in out_v["plain"]) / sum(s for s, _ in out_v["plain"])
            results.add(
                SECTION,
                f"lightning / plain, {extra['name']} ({precision})",
                rate_v / plain_v,
                "ratio",
                params={**params, "overrides": extra["overrides"]},
                note=f"diagnostic variant: {rate_v:.2f} vs {plain_v:.2f} videos/s",
            )
        measure_flops(results, build_module(cfg, features_dir), batches[0], device, t, precision, light_rate, params)
    if mode.get("growth"):
        cfg = compose_train([*base, "trainer.precision=32-true"], work / "train-growth")
        measure_growth(results, build_module(cfg, features_dir), device, t, mode["growth"])


def base_overrides(t: dict[str, Any], device: torch.device, features_dir: Path, size: dict[str, Any]) -> list[str]:
    """``conf/train.yaml`` overrides shared by every leg: default callbacks and logger, the bench's sizes."""
    return [
        f"trainer={'gpu' if device.type == 'cuda' else 'cpu'}",
        "logger=tensorboard",
        "callbacks=default",
        f"trainer.max_epochs={t['epochs']}",
        f"trainer.min_epochs={t['epochs']}",
        f"data.batch_size={t['batch_size']}",
        # Subsampling shortens sequences (less compute); off so both legs do the same work per step.
        "data.augment.subsample_p=0.0",
        "test=false",
        f"data.features_dir={features_dir}",
        *[f"model.{k}={v}" for k, v in size.items()],
        *t.get("extra_overrides", []),
    ]


def measure_lightning_vs_plain(
    results: Results,
    cfg: DictConfig,
    plain: PlainLoop,
    t: dict[str, Any],
    precision: str,
    params: dict[str, Any],
    verbose: bool,
) -> float:
    """train.py's loop interleaved step by step with the plain loop; returns Lightning's videos/s."""
    out = run_lightning(cfg, verbose, plain)
    light_rate = out["videos"] / out["seconds"]
    plain_rate = sum(v for _, v in out["plain"]) / sum(s for s, _ in out["plain"])
    pairs = [(lv / ls) / (pv / ps) for (ls, lv), (ps, pv) in zip(out["lightning"], out["plain"], strict=False)]
    steps = (t["epochs"] - 1) * (t["steps_per_epoch"] - 1)
    results.add(
        SECTION,
        f"lightning videos/s ({precision})",
        light_rate,
        "videos/s",
        params={**params, "steps": steps, "fit_wall_s": round(out["wall_s"], 2)},
        samples=[v / s for s, v in out["lightning"]],
        note="train.py loop: FeatureDataModule + VideoClassifier + default callbacks + TensorBoard",
    )
    results.add(
        SECTION,
        f"plain loop videos/s ({precision})",
        plain_rate,
        "videos/s",
        params={**params, "steps": steps},
        samples=[v / s for s, v in out["plain"]],
        note="hand-written loop, batches pre-read into memory; one step after each Lightning step",
    )
    ratio = light_rate / plain_rate
    results.add(
        SECTION,
        f"lightning / plain ({precision})",
        ratio,
        "ratio",
        params=params,
        samples=pairs,
        note="samples: per-epoch ratios of the step-interleaved legs",
    )
    results.target(
        f"trainer within 5% of plain loop ({precision})",
        ratio,
        ">=",
        0.95,
        "ratio",
        detail=f"{light_rate:.2f} vs {plain_rate:.2f} videos/s",
    )
    return light_rate


def measure_flops(
    results: Results,
    module: VideoClassifier,
    batch: tuple[torch.Tensor, torch.Tensor, torch.Tensor],
    device: torch.device,
    t: dict[str, Any],
    precision: str,
    light_rate: float,
    params: dict[str, Any],
) -> None:
    """FLOP/s of the trainer against the dense-matmul limit of this device and precision."""
    flops = step_flops(module.net, batch)
    mm_dtype = torch.bfloat16 if precision.startswith("bf16") else torch.float32
    peak = matmul_flops(device, mm_dtype, size=t["matmul_size"])
    achieved = flops / (t["batch_size"] / light_rate)
    results.add(
        SECTION,
        f"model FLOPs per step ({precision})",
        flops / 1e9,
        "GFLOP",
        params=params,
        note="fwd+bwd of one batch, torch.utils.flop_counter (optimizer excluded)",
    )
    results.add(
        SECTION,
        f"dense matmul ({mm_dtype})",
        peak / 1e9,
        "GFLOP/s",
        params={"size": t["matmul_size"], "dtype": str(mm_dtype)},
    )
    results.add(SECTION, f"achieved model FLOP/s, lightning ({precision})", achieved / 1e9, "GFLOP/s", params=params)
    results.add(
        SECTION,
        f"achieved / matmul FLOP/s ({precision})",
        achieved / peak,
        "fraction",
        params=params,
        note="how close the trainer runs to this machine's dense-matmul limit",
    )


def measure_growth(
    results: Results, module: VideoClassifier, device: torch.device, t: dict[str, Any], g: dict[str, Any]
) -> None:
    """fwd+bwd time against frames per video and against batch size (plain, no optimizer)."""
    for steps in g["frames"]:
        batch = (
            torch.randn(t["batch_size"], steps, t["feature_dim"]),
            torch.full((t["batch_size"],), steps),
            torch.randint(0, 4, (t["batch_size"],)),
        )
        sec = step_time(module.net, batch, device, g["reps"])
        results.add(
            "growth",
            "train fwd+bwd vs frames",
            t["batch_size"] / sec,
            "videos/s",
            params={"frames": steps, "batch_size": t["batch_size"], "step_s": round(sec, 4)},
        )
    for bs in g["batch_sizes"]:
        steps = t["max_frames"]
        batch = (torch.randn(bs, steps, t["feature_dim"]), torch.full((bs,), steps), torch.randint(0, 4, (bs,)))
        sec = step_time(module.net, batch, device, g["reps"])
        results.add(
            "growth",
            "train fwd+bwd vs batch size",
            bs / sec,
            "videos/s",
            params={"frames": steps, "batch_size": bs, "step_s": round(sec, 4)},
        )
