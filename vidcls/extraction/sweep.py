"""Merge extraction shards when a Hydra multirun over ``shard=...`` ends (conf/hydra/callbacks/merge_shards.yaml).

``python extract.py -m num_shards=4 shard=0,1,2,3 hydra/launcher=joblib`` runs the shards through a
Hydra launcher (local processes, or SLURM jobs with ``submitit_slurm``); Hydra calls
``on_multirun_end`` in the submitting process only after every job returned without error. If by
then every shard of ``num_shards`` is finished (this sweep's or an earlier one's), the shards are
merged exactly as ``merge=true`` would; otherwise it says which shards are missing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hydra.core.hydra_config import HydraConfig
from hydra.experimental.callback import Callback
from omegaconf import DictConfig, OmegaConf, open_dict
from rich.markup import escape

from vidcls.errors import VidclsError
from vidcls.schema import SPLITS, read_meta, split_filename


def unfinished_shards(features_dir: Path, num_shards: int) -> list[int]:
    """Shards of ``num_shards`` whose three split files are not all present and marked complete."""
    from vidcls.extraction.run import shard_dir

    unfinished = []
    for shard in range(num_shards):
        paths = [shard_dir(features_dir, shard, num_shards) / split_filename(split) for split in SPLITS]
        try:
            done = all(path.is_file() and read_meta(path).complete for path in paths)
        except VidclsError:
            done = False
        if not done:
            unfinished.append(shard)
    return unfinished


class MergeAfterSweep(Callback):
    """After a multirun over ``shard=0..n-1``, run the command once more with ``merge=true``.

    Hydra calls ``on_multirun_end`` in the submitting process only once every job returned without
    error. The shards are merged only if all of them are finished (this sweep's or an earlier one's);
    otherwise the user is told which are missing. Subclasses say what their shards are.
    """

    #: What is merged, for the messages ("the shards", "the answers shards").
    what = "the shards"

    def applies(self, config: DictConfig) -> bool:
        """Whether this multirun writes shards this callback merges (beyond ``num_shards > 1``)."""
        return True

    def unfinished_note(self, cfg: DictConfig, num_shards: int) -> str | None:
        """Which shards are not finished and what to do, or None when all are."""
        raise NotImplementedError

    def run_merge(self, cfg: DictConfig) -> None:
        raise NotImplementedError

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        num_shards = int(config.get("num_shards", 1))
        if config.get("merge") or num_shards <= 1 or not self.applies(config):
            return
        # ${hydra:runtime.cwd} and friends in the paths need the (multirun) Hydra config set.
        HydraConfig.instance().set_config(config)
        cfg = OmegaConf.masked_copy(config, [k for k in config if k != "hydra"])
        with open_dict(cfg):
            cfg.merge = True
        from vidcls.extraction.run import console

        note = self.unfinished_note(cfg, num_shards)
        if note is not None:
            console.print(f"[yellow]not merging yet:[/] {note}")
            return
        try:
            self.run_merge(cfg)
        except VidclsError as err:
            console.print(f"[bold red]error:[/] merging {self.what} failed: {escape(str(err))}")
            raise SystemExit(2) from None


class MergeShardsAfterSweep(MergeAfterSweep):
    """After an extraction multirun, join ``shards/shard-*-of-N`` into the three split files."""

    def unfinished_note(self, cfg: DictConfig, num_shards: int) -> str | None:
        features_dir = Path(str(cfg.data.features_dir))
        unfinished = unfinished_shards(features_dir, num_shards)
        if not unfinished:
            return None
        return (
            f"shard(s) {unfinished} of {num_shards} are not finished under "
            f"{escape(str(features_dir / 'shards'))}; run them, then `python extract.py merge=true` with the "
            "same data.* settings"
        )

    def run_merge(self, cfg: DictConfig) -> None:
        from vidcls.tasks.extract import run

        run(cfg)
