"""Classify video files with an ensemble of checkpoints (optionally with TTA).

    python predict.py video=PATH_OR_DIR ckpt_paths=logs/train/multirun/<date> [tta=none] [output=json]

Exit status 0 when at least one file got an answer; 2 when every file failed or the setup is wrong.
See docs/evaluation.md.
"""

from __future__ import annotations

import hydra
from omegaconf import DictConfig

from vidcls.utils.cli import report_user_errors, run_hydra_cli


@hydra.main(version_base="1.3", config_path="conf", config_name="predict")
@report_user_errors
def main(cfg: DictConfig) -> None:
    from vidcls.tasks.predict import run

    run(cfg)


if __name__ == "__main__":
    run_hydra_cli(main)
