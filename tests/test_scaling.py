"""Scale-out on Hydra's engines (docs/scaling.md): joblib shards merged at sweep end, submitit seeds,
Optuna search, and the SLURM launcher configs turned into real sbatch scripts."""

from __future__ import annotations

import json
import os
import stat
import subprocess
from pathlib import Path

import h5py
import numpy as np
import pytest
import yaml
from compose_configs import compose_config
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig
from run_python import run_python
from synth_video import write_test_video

from vidcls.extraction.sweep import MergeShardsAfterSweep, unfinished_shards
from vidcls.schema import SPLITS, split_filename

ROOT = Path(__file__).resolve().parents[1]
TINY_EXTRACT = ["backbone=tiny_cnn", "num_frames=8", "frame_size=32"]
TINY_TRAIN = ["experiment=tiny", "data.num_workers=0", "trainer.max_epochs=2"]


def compose_cfg(config_name: str, overrides: list[str]) -> DictConfig:
    return compose_config(config_name, overrides, hydra=True)


def run_py(script: str, *args: str, cwd: Path, timeout: int = 420) -> subprocess.CompletedProcess[str]:
    return run_python(str(ROOT / script), *args, cwd=cwd, timeout=timeout)


def write_videos(root: Path, per_class: int = 4) -> Path:
    for c, name in enumerate(("Cats", "Dogs")):
        for i in range(per_class):
            write_test_video(root / name / f"{i}.mp4", num_frames=10 + i, fps=10, seed=c * 10 + i)
    return root


def h5_contents(path: Path) -> dict[str, object]:
    with h5py.File(path, "r") as f:
        out: dict[str, object] = {
            f"attr:{k}": (v.tolist() if isinstance(v, np.ndarray) else v) for k, v in f.attrs.items()
        }
        for name, ds in f.items():
            out[name] = ds[()]
    return out


def assert_same_h5(a: Path, b: Path) -> None:
    left, right = h5_contents(a), h5_contents(b)
    assert sorted(left) == sorted(right), (sorted(left), sorted(right))
    for key, value in left.items():
        if isinstance(value, np.ndarray) and value.dtype.kind == "f":
            np.testing.assert_allclose(value, right[key], rtol=1e-5, atol=1e-6, err_msg=key)
        elif isinstance(value, np.ndarray):
            np.testing.assert_array_equal(value, right[key], err_msg=key)
        else:
            assert value == right[key], key


@pytest.mark.slow
def test_joblib_shard_sweep_merges_into_the_single_run_files(tmp_path: Path) -> None:
    videos = write_videos(tmp_path / "v")
    single = tmp_path / "single"
    proc = run_py(
        "extract.py", *TINY_EXTRACT, f"data.videos_dir={videos}", f"data.features_dir={single}",
        f"hydra.run.dir={tmp_path / 'run'}", cwd=tmp_path,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]

    sharded = tmp_path / "sharded"
    proc = run_py(
        "extract.py", "-m", *TINY_EXTRACT, f"data.videos_dir={videos}", f"data.features_dir={sharded}",
        "num_shards=2", "shard=0,1", "hydra/launcher=joblib", "hydra.launcher.n_jobs=2",
        f"hydra.sweep.dir={tmp_path / 'sweep'}", cwd=tmp_path,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Joblib" in proc.stdout + proc.stderr, "the shards must run through the joblib launcher"
    assert "merged shards into" in proc.stderr
    for split in SPLITS:
        assert_same_h5(single / split_filename(split), sharded / split_filename(split))
    # Job dirs are named after the shard only (paths are left out of the names).
    jobs = sorted(p.name for p in (tmp_path / "sweep").iterdir() if p.is_dir())
    assert jobs == ["backbone=tiny_cnn,frame_size=32,num_frames=8,num_shards=2,shard=0",
                    "backbone=tiny_cnn,frame_size=32,num_frames=8,num_shards=2,shard=1"]  # fmt: skip


def test_incomplete_shard_set_is_not_merged(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    features = tmp_path / "f"
    cfg = compose_cfg(
        "extract", [*TINY_EXTRACT, f"data.features_dir={features}", "num_shards=3", "hydra/launcher=basic"]
    )
    assert cfg.hydra.callbacks.merge_shards._target_ == "vidcls.extraction.sweep.MergeShardsAfterSweep"
    # Shard 1 finished, shards 0 and 2 never ran: nothing is merged and the note says which are missing.
    done = features / "shards" / "shard-001-of-003"
    done.mkdir(parents=True)
    from vidcls.synthetic import write_synthetic_splits

    write_synthetic_splits(done, {"train": 1, "val": 1, "test": 1}, max_frames=4, feature_dim=4)
    assert unfinished_shards(features, 3) == [0, 2]
    MergeShardsAfterSweep().on_multirun_end(config=cfg)
    err = capsys.readouterr().err
    assert "not merging yet" in err and "[0, 2]" in err
    assert not any((features / split_filename(s)).exists() for s in SPLITS)


def test_merge_callback_ignores_unsharded_and_merge_runs(tmp_path: Path) -> None:
    for extra in (["num_shards=1"], ["num_shards=2", "merge=true"]):
        cfg = compose_cfg("extract", [*TINY_EXTRACT, f"data.features_dir={tmp_path / 'f'}", *extra])
        MergeShardsAfterSweep().on_multirun_end(config=cfg)  # would raise on a missing shard set otherwise
        assert not (tmp_path / "f").exists()


@pytest.mark.slow
def test_submitit_local_trains_seed_members_in_parallel(synthetic_features_dir: Path, tmp_path: Path) -> None:
    sweep = tmp_path / "sweep"
    proc = run_py(
        "train.py", "-m", *TINY_TRAIN, f"data.features_dir={synthetic_features_dir}", "hydra/launcher=submitit_local",
        "hydra.launcher.cpus_per_task=1", "hydra.launcher.timeout_min=10", "seed=0,1", f"hydra.sweep.dir={sweep}",
        cwd=tmp_path,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert (sweep / ".submitit").is_dir(), "members must have run as submitit jobs"
    members = sorted(p for p in sweep.iterdir() if p.is_dir() and not p.name.startswith("."))
    assert [p.name.split("seed=")[1].split(",")[0] for p in members] == ["0", "1"]
    for member in members:
        report = json.loads((member / "metrics.json").read_text())
        assert report["epochs_trained"] == 2 and (member / "checkpoints" / "best.ckpt").is_file()
        assert 0.0 <= report["val/acc_best"] <= 1.0


@pytest.mark.slow
def test_optuna_search_runs_three_trials(synthetic_features_dir: Path, tmp_path: Path) -> None:
    sweep = tmp_path / "search"
    proc = run_py(
        "train.py", "-m", "hparams_search=optuna", *TINY_TRAIN, "trainer.max_epochs=1", "test=false",
        "callbacks=none", f"data.features_dir={synthetic_features_dir}", "hydra.sweeper.n_trials=3",
        "hydra.sweeper.sampler.n_startup_trials=2", f"hydra.sweep.dir={sweep}", cwd=tmp_path,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    trials = sorted(p for p in sweep.iterdir() if p.is_dir() and not p.name.startswith("."))
    assert [p.name for p in trials] == ["trial_0", "trial_1", "trial_2"]
    searched = ("model.optimizer.lr", "model.optimizer.weight_decay", "model.hidden_dim", "model.dropout")
    values = []
    for trial in trials:
        overrides = yaml.safe_load((trial / ".hydra" / "overrides.yaml").read_text())
        chosen = dict(o.split("=", 1) for o in overrides)
        assert all(key in chosen for key in searched), overrides
        values.append(tuple(chosen[k] for k in searched))
    assert len(set(values)) == 3, "each trial must try other hyper-parameters"
    result = yaml.safe_load((sweep / "optimization_results.yaml").read_text())
    assert result["name"] == "optuna" and 0.0 <= float(result["best_value"]) <= 1.0
    assert set(result["best_params"]) == set(searched)


def test_hparams_search_config_optimizes_val_acc_best() -> None:
    cfg = compose_cfg("train", ["hparams_search=optuna"])
    assert cfg.optimized_metric == "val/acc_best" and cfg.hydra.sweeper.direction == "maximize"
    assert cfg.hydra.sweeper._target_.endswith("OptunaSweeper") and cfg.hydra.sweeper.n_trials >= 10
    heads = cfg.model.num_attention_heads
    choices = str(cfg.hydra.sweeper.params["model.hidden_dim"])
    sizes = [int(v) for v in choices[choices.index("(") + 1 : choices.index(")")].split(",")]
    assert all(2 * h % heads == 0 for h in sizes), "every hidden size must split into the attention heads"


@pytest.fixture
def fake_srun(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """submitit only checks that ``srun`` exists before it writes an sbatch script."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    srun = bin_dir / "srun"
    srun.write_text("#!/bin/sh\nexit 1\n")
    srun.chmod(srun.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")


def sbatch_script(cfg: DictConfig, num_jobs: int, monkeypatch: pytest.MonkeyPatch) -> str:
    """The sbatch file the SLURM launcher would submit for ``num_jobs`` sweep jobs (nothing is submitted)."""
    import submitit
    from hydra.core.plugins import Plugins
    from hydra.core.utils import setup_globals
    from hydra.types import HydraContext

    setup_globals()
    HydraConfig.instance().set_config(cfg)
    captured: dict[str, str] = {}

    def map_array(self: submitit.AutoExecutor, fn: object, *args: object) -> list[object]:
        executor = self._executor
        executor.parameters["map_count"] = num_jobs
        captured["text"] = executor._make_submission_file_text("python -u -m submitit.core._submit", "uid")
        return []

    monkeypatch.setattr(submitit.AutoExecutor, "map_array", map_array)
    context = HydraContext(config_loader=None, callbacks=None)  # type: ignore[arg-type]  # launch() uses neither
    launcher = Plugins.instance().instantiate_launcher(config=cfg, hydra_context=context, task_function=lambda c: None)
    launcher.launch([[f"seed={i}"] for i in range(num_jobs)], initial_job_idx=0)
    return captured["text"]


def test_slurm_gpu_launcher_submits_an_array_of_one_gpu_jobs(
    tmp_path: Path, fake_srun: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    cfg = compose_cfg("train", ["hydra/launcher=slurm_gpu", "trainer=gpu", f"hydra.sweep.dir={tmp_path / 's'}"])
    text = sbatch_script(cfg, num_jobs=4, monkeypatch=monkeypatch)
    for line in ("--partition=gpu", "--gpus-per-node=1", "--ntasks-per-node=1", "--nodes=1", "--time=240",
                 "--array=0-3%4", "--cpus-per-task=8", "--mem=32GB"):  # fmt: skip
        assert f"#SBATCH {line}" in text, (line, text)


def test_slurm_ddp_launcher_follows_the_trainer(
    tmp_path: Path, fake_srun: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    overrides = ["trainer=ddp", "trainer.num_nodes=2", "trainer.devices=4", f"hydra.sweep.dir={tmp_path / 's'}"]
    cfg = compose_cfg("train", ["hydra/launcher=slurm_ddp", *overrides])
    text = sbatch_script(cfg, num_jobs=1, monkeypatch=monkeypatch)
    for line in ("--nodes=2", "--ntasks-per-node=4", "--gpus-per-node=4", "--partition=gpu"):
        assert f"#SBATCH {line}" in text, (line, text)


def test_ddp_under_slurm_tasks_is_allowed_in_a_multirun(monkeypatch: pytest.MonkeyPatch) -> None:
    """srun's tasks (one per device) are DDP's processes; the nested-launch guard must let them through."""
    from omegaconf import open_dict

    from vidcls.errors import VidclsError
    from vidcls.training import check_not_nested_ddp

    cfg = compose_cfg("train", ["trainer=ddp", "trainer.num_nodes=2", "trainer.devices=4"])
    with open_dict(cfg):
        cfg.hydra.mode = "MULTIRUN"
    HydraConfig.instance().set_config(cfg)
    for key in [k for k in os.environ if k.startswith("SLURM_")]:
        monkeypatch.delenv(key)
    with pytest.raises(VidclsError, match="slurm_ddp"):
        check_not_nested_ddp(cfg)
    monkeypatch.setenv("SLURM_NTASKS", "8")
    monkeypatch.setenv("SLURM_JOB_NAME", "train")
    check_not_nested_ddp(cfg)
    monkeypatch.setenv("SLURM_NTASKS", "1")  # one task would make Lightning spawn the ranks itself
    with pytest.raises(VidclsError):
        check_not_nested_ddp(cfg)
