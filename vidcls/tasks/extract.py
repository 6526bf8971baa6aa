"""``extract.py``'s task: the pipeline of :mod:`vidcls.extraction` (plan, extract or merge), from the config."""

from __future__ import annotations

from typing import Any

from omegaconf import DictConfig

from vidcls.utils.cli import seed_from_config


def run(cfg: DictConfig) -> dict[str, Any]:
    """Extract (or merge) features as configured; the results dict names what was written."""
    from vidcls.extraction.run import run_from_config

    seed_from_config(cfg)
    return {"result": run_from_config(cfg)}
