"""Serve the web page: browse dataset videos, classify them or an upload with the ensemble (+ TTA).

    python app.py ckpt_paths=logs/train/runs/<run> data.videos_dir=data/videos [data.features_dir=data/features]

Then open http://127.0.0.1:5000/ . The JSON API and the safety rules are in docs/web.md.
"""

from __future__ import annotations

import hydra
from omegaconf import DictConfig

from vidcls.utils.cli import report_user_errors, run_hydra_cli


@hydra.main(version_base="1.3", config_path="conf", config_name="app")
@report_user_errors
def main(cfg: DictConfig) -> None:
    from vidcls.tasks.serve import run

    run(cfg)


if __name__ == "__main__":
    run_hydra_cli(main)
