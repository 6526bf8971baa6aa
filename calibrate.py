"""Fit one temperature for an ensemble on labelled features of unseen sources (or set one) and store it.

    python calibrate.py ckpt_paths=logs/train/multirun/<date> features_file=held_out/train_features_multiscale.h5
    python calibrate.py ckpt_paths=logs/train/multirun/<date> temperature=0.8

eval.py, predict.py and the web page apply the stored temperature. See docs/evaluation.md.
"""

from __future__ import annotations

import hydra
from omegaconf import DictConfig

from vidcls.utils.cli import report_user_errors, run_hydra_cli


@hydra.main(version_base="1.3", config_path="conf", config_name="calibrate")
@report_user_errors
def main(cfg: DictConfig) -> None:
    from vidcls.tasks.calibrate import run

    run(cfg)


if __name__ == "__main__":
    run_hydra_cli(main)
