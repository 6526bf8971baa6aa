"""``eval.py``'s task (part B's delegation; issue 17 part A moves the evaluation steps here)."""

from __future__ import annotations

from typing import Any

from omegaconf import DictConfig

from vidcls.utils.cli import seed_from_config


def run(cfg: DictConfig) -> dict[str, Any]:
    """Score the ensemble with and without TTA; returns what ``eval_metrics.json`` holds."""
    from vidcls.evaluation.runner import evaluate

    seed_from_config(cfg)
    return evaluate(cfg)
