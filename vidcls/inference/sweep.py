"""Merge predict's answers shards when a Hydra multirun over ``shard=...`` ends (hydra/callbacks/merge_answers).

``python predict.py -m video=DIR ckpt_paths=... output_file=answers.jsonl num_shards=4 shard=0,1,2,3
hydra/launcher=joblib`` runs the shards through a Hydra launcher (local processes, or SLURM jobs);
Hydra calls ``on_multirun_end`` in the submitting process only after every job returned without
error. If every shard's file is then finished, they are merged exactly as ``merge=true`` would;
otherwise it says which shards are missing. The same pattern as extraction's shards
(:mod:`vidcls.extraction.sweep`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hydra.core.hydra_config import HydraConfig
from hydra.experimental.callback import Callback
from omegaconf import DictConfig, OmegaConf, open_dict
from rich.console import Console
from rich.markup import escape

from vidcls.errors import VidclsError
from vidcls.inference.answers import unfinished_answer_shards

console = Console(stderr=True, highlight=False, soft_wrap=True)


class MergeAnswerShardsAfterSweep(Callback):
    """After a predict multirun, join ``<output_file>.shards/shard-*-of-N.*`` into ``output_file``."""

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        from vidcls.tasks.predict import run

        num_shards = int(config.get("num_shards", 1))
        if config.get("merge") or num_shards <= 1 or not config.get("output_file"):
            return
        HydraConfig.instance().set_config(config)  # ${hydra:...} in paths needs the (multirun) Hydra config
        cfg = OmegaConf.masked_copy(config, [k for k in config if k != "hydra"])
        with open_dict(cfg):
            cfg.merge = True
        output_file = Path(str(cfg.output_file))
        unfinished = unfinished_answer_shards(output_file, num_shards)
        if unfinished:
            console.print(
                f"[yellow]not merging yet:[/] answers shard(s) {unfinished} of {num_shards} are not finished for "
                f"{escape(str(output_file))}; run them (resume=true), then `python predict.py merge=true` with the "
                "same video, output_file and num_shards"
            )
            return
        try:
            run(cfg)
        except VidclsError as err:
            console.print(f"[bold red]error:[/] merging the answers shards failed: {escape(str(err))}")
            raise SystemExit(2) from None
