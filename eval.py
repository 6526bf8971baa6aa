"""Evaluate checkpoints (an ensemble, with and without TTA) on a feature split and write a report.

    python eval.py ckpt_paths=logs/train/multirun/<date> data.features_dir=data/features split=test tta=temporal4

See docs/evaluation.md for what the report contains.
"""

from __future__ import annotations

import hydra
from omegaconf import DictConfig

from vidcls.utils.cli import report_user_errors, run_hydra_cli


@hydra.main(version_base="1.3", config_path="conf", config_name="eval")
@report_user_errors
def main(cfg: DictConfig) -> None:
    from vidcls.tasks.evaluate import run

    run(cfg)


if __name__ == "__main__":
    run_hydra_cli(main)
