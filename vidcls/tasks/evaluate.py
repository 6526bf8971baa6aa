"""``eval.py``'s task: the ensemble with and without TTA on one feature split (:mod:`vidcls.evaluation`)."""

from __future__ import annotations

from typing import Any

from omegaconf import DictConfig

from vidcls.utils.cli import seed_from_config


def run(cfg: DictConfig) -> dict[str, Any]:
    """Score the ensemble with and without TTA; returns what ``eval_metrics.json`` holds."""
    from vidcls.evaluation.runner import evaluate

    seed_from_config(cfg)
    return evaluate(cfg)
