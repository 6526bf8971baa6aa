"""Merge predict's answers shards when a Hydra multirun over ``shard=...`` ends (hydra/callbacks/merge_answers).

``python predict.py -m video=DIR ckpt_paths=... output_file=answers.jsonl num_shards=4 shard=0,1,2,3
hydra/launcher=joblib`` runs the shards through a Hydra launcher (local processes, or SLURM jobs);
Hydra calls ``on_multirun_end`` in the submitting process only after every job returned without
error. If every shard's file is then finished, they are merged exactly as ``merge=true`` would;
otherwise it says which shards are missing: extraction's callback (:class:`vidcls.extraction.sweep.MergeAfterSweep`)
with answers files for shards.
"""

from __future__ import annotations

from pathlib import Path

from omegaconf import DictConfig
from rich.markup import escape

from vidcls.extraction.sweep import MergeAfterSweep
from vidcls.inference.answers import unfinished_answer_shards


class MergeAnswerShardsAfterSweep(MergeAfterSweep):
    """After a predict multirun, join ``<output_file>.shards/shard-*-of-N.*`` into ``output_file``."""

    what = "the answers shards"

    def applies(self, config: DictConfig) -> bool:
        return bool(config.get("output_file"))

    def unfinished_note(self, cfg: DictConfig, num_shards: int) -> str | None:
        output_file = Path(str(cfg.output_file))
        unfinished = unfinished_answer_shards(output_file, num_shards)
        if not unfinished:
            return None
        return (
            f"answers shard(s) {unfinished} of {num_shards} are not finished for {escape(str(output_file))}; "
            "run them (resume=true), then `python predict.py merge=true` with the same video, output_file and "
            "num_shards"
        )

    def run_merge(self, cfg: DictConfig) -> None:
        from vidcls.tasks.predict import run

        run(cfg)
