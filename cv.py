"""Grouped k-fold cross-validation of the configured ensemble and the mean-pool baseline.

    python cv.py cv.features_file=data/devset/features/train_features_multiscale.h5 cv.manifest=devset/manifest.csv

See docs/evaluation.md#cross-validation for what it reports.
"""

from __future__ import annotations

import hydra
from omegaconf import DictConfig

from vidcls.utils.cli import report_user_errors, run_hydra_cli


@hydra.main(version_base="1.3", config_path="conf", config_name="cv")
@report_user_errors
def main(cfg: DictConfig) -> None:
    from vidcls.evaluation.cv import run_cv

    run_cv(cfg)


if __name__ == "__main__":
    run_hydra_cli(main)
