"""Train a video classifier on HDF5 features: `python train.py [overrides]` (docs/training.md).

A seed ensemble: `python train.py model=super_enhanced seed=0..3 -m` (or `seed=0,1,2,3`; flags may go anywhere).
"""

from __future__ import annotations

import hydra
from omegaconf import DictConfig

from vidcls.utils.cli import report_user_errors, run_hydra_cli


@hydra.main(version_base="1.3", config_path="conf", config_name="train")
@report_user_errors
def main(cfg: DictConfig) -> float | None:
    """Train, test the best checkpoint, write metrics.json; return ``cfg.optimized_metric`` for sweepers."""
    from vidcls.tasks.train import run

    value = run(cfg).get(cfg.get("optimized_metric") or "")
    return None if value is None else float(value)


if __name__ == "__main__":
    run_hydra_cli(main)
