"""The calibrate task (``calibrate.py``): one temperature for an ensemble, written into every member.

``train.py calibrate=true`` fits each member on its own validation split, which on small data shares
sources with training (and chose the checkpoint), so it sharpens the softmax where it should not
(docs/results.md#calibration-temperature-scaling). A temperature fitted on labelled videos from
*other* sources did lower ECE in every cross-validation run there. This task lets a user do that
with a finished ensemble: fit one shared temperature on such a feature file (``features_file``), or
write a known one (``temperature``, e.g. ``cv.py``'s out-of-fold temperature), into every member's
checkpoint. eval, predict and the web page then apply it, as they apply any stored temperature.
"""

from __future__ import annotations

from typing import Any

from omegaconf import DictConfig
from rich.console import Console

from vidcls.errors import VidclsError
from vidcls.inference.calibration import (
    TEMPERATURE_RANGE,
    ensemble_fit_stats,
    ensemble_logits,
    fit_temperature,
    store_temperature,
)
from vidcls.inference.ensemble import load_ensemble
from vidcls.schema import read_meta
from vidcls.utils.cli import seed_from_config

console = Console(stderr=True)


def run(cfg: DictConfig) -> dict[str, Any]:
    """Fit (or take) the temperature, store it in each checkpoint, and say what it does on the fit file."""
    seed_from_config(cfg)
    given, features_file = cfg.get("temperature"), cfg.get("features_file")
    if given is None and not features_file:
        raise VidclsError(
            "calibrate.py needs features_file=FILE (labelled features of sources the members never trained on) "
            "or temperature=T (a value to store as is, e.g. cv.py's out-of-fold temperature)"
        )
    ensemble = load_ensemble(
        cfg.ckpt_paths, device=cfg.device, allow_unsafe_load=bool(cfg.allow_unsafe_load), apply_temperature=False
    )
    not_vidcls = [m.name for m in ensemble.members if m.kind != "lightning"]
    if not_vidcls:
        raise VidclsError(f"only vidcls .ckpt files can carry a temperature; not: {', '.join(not_vidcls)}")
    stats: dict[str, Any] = {"members": ensemble.names}
    logits = labels = None
    if features_file:
        logits, labels = ensemble_logits(ensemble, read_meta(str(features_file)), int(cfg.batch_size))
        stats.update(fitted_on=str(features_file), num_videos=len(labels))
    if given is None:
        assert logits is not None and labels is not None
        temperature = fit_temperature(logits, labels, weights=ensemble.weights)
    else:
        temperature = _checked(given)
        stats["given"] = True
    stats["temperature"] = temperature
    if logits is not None and labels is not None:
        stats.update(ensemble_fit_stats(logits, labels, temperature, ensemble.weights))
    for member in ensemble.members:
        store_temperature(member.path, temperature, stats)
    _print(stats, len(ensemble.members))
    return stats


def _checked(value: Any) -> float:
    try:
        temperature = float(value)
    except (TypeError, ValueError):
        temperature = float("nan")
    low, high = TEMPERATURE_RANGE
    if not low <= temperature <= high:
        raise VidclsError(f"temperature={value!r} must be a number in [{low}, {high}]")
    return temperature


def _print(stats: dict[str, Any], count: int) -> None:
    line = f"temperature {stats['temperature']:.3f} written into {count} checkpoint(s)"
    if "nll_before" in stats:
        line += (
            f"; ensemble on {stats['num_videos']} videos of {stats['fitted_on']}: NLL {stats['nll_before']:.4f} -> "
            f"{stats['nll_after']:.4f}, ECE {stats['ece_before']:.4f} -> {stats['ece_after']:.4f}, accuracy "
            f"{stats['accuracy_before']:.1%} -> {stats['accuracy_after']:.1%}"
        )
    console.print(line)
