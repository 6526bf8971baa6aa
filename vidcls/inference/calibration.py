"""Temperature scaling: one scalar per checkpoint, fitted on validation, stored in the checkpoint.

A member's logits are divided by its temperature before the softmax (Guo et al., 2017). The
argmax, so each member's accuracy, does not change; the ensemble's mean of softmaxes may. The
fitted value lives in the checkpoint's ``hyper_parameters["temperature"]`` (with the fit's
statistics in ``"temperature_fit"``), so eval, predict and the web page, which all load members
through :func:`vidcls.inference.load_member`, apply it without being told.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import torch

from vidcls.errors import VidclsError
from vidcls.inference.checkpoints import Member, load_member
from vidcls.inference.shares import mean_over_members
from vidcls.schema import FeatureFileMeta
from vidcls.utils.io import atomic_path

if TYPE_CHECKING:
    from vidcls.inference.ensemble import Ensemble

#: Temperatures are kept inside this range: a val set that the model fits perfectly would push T to 0.
TEMPERATURE_RANGE: tuple[float, float] = (0.05, 20.0)


def fit_temperature(
    logits: torch.Tensor, labels: torch.Tensor, max_iter: int = 200, weights: np.ndarray | None = None
) -> float:
    """The T > 0 minimising the mean NLL of ``softmax(logits / T)``.

    ``logits [N, C]`` for one model, or ``[M, N, C]`` for an ensemble sharing one T (NLL of the
    mean over members of ``softmax(logits_m / T)``; log-probabilities work as logits). One
    parameter, searched by golden section over log T in :data:`TEMPERATURE_RANGE`. ``weights``: the members'
    ensemble weights (:func:`vidcls.inference.shares.member_weights`; None = the plain mean).
    """
    logits = logits.detach().double()
    labels = labels.detach().long()
    if logits.ndim == 2:
        logits = logits[None]
    if logits.ndim != 3 or logits.shape[1] != len(labels) or len(labels) == 0:
        raise VidclsError(
            f"temperature fit needs logits [N, C] or [M, N, C] and N labels with N > 0; got {tuple(logits.shape)}."
        )
    lo, hi = (math.log(v) for v in TEMPERATURE_RANGE)

    def nll(log_t: float) -> float:
        return ensemble_nll(logits, labels, math.exp(log_t), weights)

    # Golden-section search on log T: robust, no learning rate, exact enough (1e-6 in log T).
    ratio = (math.sqrt(5) - 1) / 2
    a, b = lo, hi
    c, d = b - ratio * (b - a), a + ratio * (b - a)
    fc, fd = nll(c), nll(d)
    for _ in range(max_iter):
        if b - a < 1e-6:
            break
        if fc < fd:
            b, d, fd = d, c, fc
            c = b - ratio * (b - a)
            fc = nll(c)
        else:
            a, c, fc = c, d, fd
            d = a + ratio * (b - a)
            fd = nll(d)
    return float(math.exp((a + b) / 2))


def ensemble_probs(logits: torch.Tensor, temperature: float, weights: np.ndarray | None = None) -> torch.Tensor:
    """``logits [M, N, C]`` -> the (weighted) mean over members of ``softmax(logits_m / T)``, ``[N, C]`` in float64."""
    return mean_over_members(torch.softmax(logits.double() / temperature, dim=-1), weights)


def ensemble_nll(
    logits: torch.Tensor, labels: torch.Tensor, temperature: float, weights: np.ndarray | None = None
) -> float:
    """Mean NLL of the true class under :func:`ensemble_probs`: what :func:`fit_temperature` minimises."""
    return _true_class_nll(ensemble_probs(logits, temperature, weights), labels)


def _true_class_nll(probs: torch.Tensor, labels: torch.Tensor) -> float:
    return float(-torch.log(probs[torch.arange(len(labels)), labels.long()].clamp_min(1e-300)).mean())


@torch.inference_mode()
def member_logits(member: Member, meta: FeatureFileMeta, batch_size: int = 64) -> tuple[torch.Tensor, torch.Tensor]:
    """Raw logits (no temperature, original view) of one member on every row of a feature file."""
    from vidcls.datamodules.features import feature_loader

    loader = feature_loader(meta, batch_size)
    device = next(member.model.parameters()).device
    chunks, labels = [], []
    for x, lengths, y in loader:
        chunks.append(member.model(x.to(device, torch.float32), lengths).float().cpu())
        labels.append(y)
    return torch.cat(chunks), torch.cat(labels)


def ensemble_logits(
    ensemble: Ensemble, meta: FeatureFileMeta, batch_size: int = 64
) -> tuple[torch.Tensor, torch.Tensor]:
    """Every member's raw logits ``[M, N, C]`` on a labelled feature file the ensemble can read, and its labels."""
    if meta.num_samples == 0:
        raise VidclsError(f"{meta.path} holds no videos; calibrate on a file with labelled rows")
    ensemble.check_feature_file(meta)
    per_member = [member_logits(member, meta, batch_size) for member in ensemble.members]
    return torch.stack([logits for logits, _ in per_member]), per_member[0][1]


def _nll_ece(logits: torch.Tensor, labels: torch.Tensor, temperature: float) -> tuple[float, float]:
    from vidcls.evaluation.metrics import calibration

    scaled = logits.double() / temperature
    nll = float(torch.nn.functional.cross_entropy(scaled, labels.long()))
    ece = calibration(torch.softmax(scaled, dim=-1).numpy(), labels.numpy()).ece
    return nll, ece


def calibrate_checkpoint(
    path: str | os.PathLike[str], val_meta: FeatureFileMeta, batch_size: int = 64
) -> dict[str, Any]:
    """Fit a temperature on ``val_meta`` for the vidcls checkpoint at ``path`` and store it there (atomically)."""
    path = Path(path)
    member = load_member(path)
    if member.kind != "lightning":
        raise VidclsError(f"{path}: only vidcls .ckpt files can carry a temperature (predecessor files cannot).")
    logits, labels = member_logits(member, val_meta, batch_size)
    temperature = fit_temperature(logits, labels)
    nll_before, ece_before = _nll_ece(logits, labels, 1.0)
    nll_after, ece_after = _nll_ece(logits, labels, temperature)
    stats = {
        "temperature": temperature,
        "fitted_on": str(val_meta.path),
        "num_videos": len(labels),
        "accuracy": float((logits.argmax(dim=1) == labels).double().mean()),
        "nll_before": nll_before,
        "nll_after": nll_after,
        "ece_before": ece_before,
        "ece_after": ece_after,
    }
    store_temperature(path, temperature, stats)
    return stats


def store_temperature(path: Path, temperature: float, stats: dict[str, Any]) -> None:
    """Write a temperature (and how it was fitted) into a vidcls checkpoint, atomically."""
    ckpt = torch.load(path, map_location="cpu", weights_only=True)
    ckpt["hyper_parameters"]["temperature"] = float(temperature)
    ckpt["hyper_parameters"]["temperature_fit"] = stats
    with atomic_path(path) as tmp:
        torch.save(ckpt, tmp)


def ensemble_fit_stats(
    logits: torch.Tensor, labels: torch.Tensor, temperature: float, weights: np.ndarray | None = None
) -> dict[str, float]:
    """The ensemble's accuracy, NLL and ECE on ``logits [M, N, C]`` with every member at 1.0 and at ``temperature``."""
    from vidcls.evaluation.metrics import calibration

    stats: dict[str, float] = {}
    for tag, t in (("before", 1.0), ("after", float(temperature))):
        probs = ensemble_probs(logits, t, weights)
        stats[f"nll_{tag}"] = _true_class_nll(probs, labels)
        stats[f"ece_{tag}"] = calibration(probs.numpy(), labels.numpy()).ece
        stats[f"accuracy_{tag}"] = float((probs.argmax(dim=1) == labels).double().mean())
    return stats


def summary_line(stats: dict[str, Any]) -> str:
    return (
        f"temperature {stats['temperature']:.3f} fitted on {stats['num_videos']} val videos: "
        f"NLL {stats['nll_before']:.4f} -> {stats['nll_after']:.4f}, ECE {stats['ece_before']:.4f} -> "
        f"{stats['ece_after']:.4f}"
    )


def check_temperature(value: Any, path: Path) -> float:
    """A stored temperature must be a finite positive number; 1.0 when absent."""
    if value is None:
        return 1.0
    try:
        t = float(value)
    except (TypeError, ValueError):
        t = float("nan")
    if not np.isfinite(t) or t <= 0:
        raise VidclsError(f"checkpoint {path}: hyper_parameters.temperature={value!r} is not a positive number.")
    return t
