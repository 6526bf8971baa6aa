"""Stage 1: videos -> per-frame multi-scale CNN features in HDF5 (see docs/extraction.md).

python extract.py data.videos_dir=VIDEOS data.features_dir=FEATURES [backbone=effnetv2_s]
python extract.py data=demo                     # build and extract the embedded demo
python extract.py shard=0 num_shards=4 ...      # one of four workers; then merge=true
"""

from __future__ import annotations

import hydra
from omegaconf import DictConfig

from vidcls.utils.cli import report_user_errors, run_hydra_cli


@hydra.main(version_base="1.3", config_path="conf", config_name="extract")
@report_user_errors
def main(cfg: DictConfig) -> None:
    from vidcls.tasks.extract import run

    run(cfg)


if __name__ == "__main__":
    run_hydra_cli(main)
