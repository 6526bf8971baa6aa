"""train.py end to end: Hydra compose, fast_dev_run, learning, resume, determinism, multirun, DDP, errors."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from compose_configs import compose_config
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig, OmegaConf, open_dict
from run_python import run_python

from vidcls.errors import VidclsError
from vidcls.tasks.train import train
from vidcls.training import AtomicCheckpointIO, check_not_nested_ddp

ROOT = Path(__file__).resolve().parents[1]
TINY = ["experiment=tiny", "data.num_workers=0"]


def compose_train(overrides: list[str]) -> DictConfig:
    return compose_config("train", overrides, hydra=True)


@pytest.fixture(scope="module")
def cfg_tiny_global() -> DictConfig:
    """Composed once per module (composition is the slow part); tests get a copy with their own dirs."""
    return compose_train(TINY)


def with_dirs(cfg: DictConfig, out: Path, features_dir: Path, **values: object) -> DictConfig:
    cfg = cfg.copy()
    with open_dict(cfg):
        cfg.paths.root_dir = str(ROOT)
        cfg.paths.output_dir = str(out)
        cfg.paths.log_dir = str(out / "logs")
        cfg.data.features_dir = str(features_dir)
        for dotted, value in values.items():
            OmegaConf.update(cfg, dotted, value, merge=False)
    HydraConfig.instance().set_config(cfg)
    task_cfg = cfg.copy()
    with open_dict(task_cfg):
        del task_cfg["hydra"]  # a task function never sees the hydra node
    return task_cfg


def run_cli(*args: str, timeout: int = 240) -> subprocess.CompletedProcess[str]:
    return run_python(str(ROOT / "train.py"), *args, timeout=timeout)


def test_all_config_groups_compose() -> None:
    for overrides in (
        ["model=baseline"],
        ["trainer=gpu"],
        ["trainer=ddp"],
        ["trainer=cpu", "debug=limit"],
        ["debug=overfit"],
        ["experiment=ensemble"],
        ["model.hidden_dim=32", "model.num_lstm_layers=1", "model.num_attention_heads=2", "data.batch_size=4"],
    ):
        cfg = compose_train(overrides)
        assert cfg.data._target_ == "vidcls.datamodules.FeatureDataModule"
        assert cfg.seed == 0 and cfg.optimized_metric == "val/acc_best" and cfg.ckpt_path is None
    assert compose_train(["experiment=ensemble"]).hydra.sweeper.params.seed == "0,1,2,3"
    seed_cfg = compose_train([])
    assert seed_cfg.model.hidden_dim == 768 and seed_cfg.model.num_attention_heads == 12
    assert seed_cfg.model.optimizer.lr == 1e-3 and seed_cfg.model.scheduler.T_0 == 20
    assert seed_cfg.trainer.max_epochs == 150 and seed_cfg.trainer.gradient_clip_val == 1.0
    assert seed_cfg.callbacks.early_stopping.patience == 25 and seed_cfg.data.batch_size == 48
    assert compose_train(["trainer=gpu"]).trainer.precision == "16-mixed"


def test_fast_dev_run(cfg_tiny_global: DictConfig, synthetic_features_dir: Path, tmp_path: Path) -> None:
    cfg = with_dirs(cfg_tiny_global, tmp_path, synthetic_features_dir)
    with open_dict(cfg):
        cfg.trainer.fast_dev_run = True
    metrics, objects = train(cfg)
    assert "test/acc" in metrics and objects["trainer"].fast_dev_run
    assert not (tmp_path / "metrics.json").exists()  # fast_dev_run writes nothing that looks like a result


@pytest.mark.slow
def test_tiny_training_beats_chance(cfg_tiny_global: DictConfig, synthetic_features_dir: Path, tmp_path: Path) -> None:
    cfg = with_dirs(cfg_tiny_global, tmp_path, synthetic_features_dir, **{"trainer.max_epochs": 12, "calibrate": True})
    metrics, _ = train(cfg)
    report = json.loads((tmp_path / "metrics.json").read_text())
    # 4 balanced classes: chance is 0.25.
    assert report["val/acc_best"] >= 0.7 and report["test"]["test/acc"] >= 0.6, report
    assert report["best_ckpt"] == str((tmp_path / "checkpoints" / "best.ckpt").resolve())
    assert (tmp_path / "checkpoints" / "last.ckpt").is_file()
    assert sum(map(sum, report["test_confusion_matrix"])) == 32
    assert list((tmp_path / "tensorboard").glob("events.out.tfevents.*"))
    assert (tmp_path / "resolved_config.yaml").is_file()
    assert metrics["val/acc_best"] == report["val/acc_best"]
    # calibrate=true: the best checkpoint carries the temperature fitted on val
    stored = torch.load(tmp_path / "checkpoints" / "best.ckpt", map_location="cpu", weights_only=True)
    assert stored["hyper_parameters"]["temperature"] == report["temperature"]["temperature"] > 0
    assert report["temperature"]["nll_after"] <= report["temperature"]["nll_before"] + 1e-9


@pytest.mark.slow
@pytest.mark.parametrize("balance_classes", [True, False])
def test_resume_continues_from_last_checkpoint(
    cfg_tiny_global: DictConfig, synthetic_features_dir: Path, tmp_path: Path, balance_classes: bool
) -> None:
    # balance_classes=False (a plain shuffled loader) used to resume from the best epoch, not the last:
    # since Lightning 2.6 `save_last` writes last.ckpt only when val/acc improves (see callbacks/default.yaml).
    first = with_dirs(
        cfg_tiny_global, tmp_path, synthetic_features_dir,
        **{"trainer.max_epochs": 2, "test": False, "data.balance_classes": balance_classes},
    )  # fmt: skip
    train(first)
    last = tmp_path / "checkpoints" / "last.ckpt"
    steps_per_epoch = 96 // 16  # synthetic train split, experiment=tiny batch size
    assert torch.load(last, weights_only=True)["global_step"] == 2 * steps_per_epoch
    resumed = with_dirs(
        cfg_tiny_global, tmp_path, synthetic_features_dir,
        **{"trainer.max_epochs": 4, "ckpt_path": str(last), "data.balance_classes": balance_classes},
    )  # fmt: skip
    train(resumed)
    ckpt = torch.load(last, weights_only=True)
    assert ckpt["global_step"] == 4 * steps_per_epoch  # two more epochs, not four
    # saved at the end of the 4th epoch's validation (Lightning marks the epoch completed after that)
    assert ckpt["epoch"] == 3 and ckpt["loops"]["fit_loop"]["epoch_progress"]["total"]["processed"] == 4
    assert (tmp_path / "metrics.json").is_file()


def test_last_checkpoint_is_written_every_epoch(
    cfg_tiny_global: DictConfig, synthetic_features_dir: Path, tmp_path: Path
) -> None:
    """With lr=0 val/acc never improves after epoch 1; last.ckpt must still be the final epoch."""
    cfg = with_dirs(
        cfg_tiny_global, tmp_path, synthetic_features_dir,
        **{"trainer.max_epochs": 3, "test": False, "model.optimizer.lr": 0.0},
    )  # fmt: skip
    _, objects = train(cfg)
    assert isinstance(objects["trainer"].strategy.checkpoint_io, AtomicCheckpointIO)
    checkpoints = tmp_path / "checkpoints"
    assert torch.load(checkpoints / "last.ckpt", weights_only=True)["global_step"] == 3 * (96 // 16)
    assert torch.load(checkpoints / "best.ckpt", weights_only=True)["global_step"] == 96 // 16
    best = json.loads((tmp_path / "metrics.json").read_text())["best_ckpt"]
    assert best == str((checkpoints / "best.ckpt").resolve())


@pytest.mark.slow
def test_same_seed_same_weights(cfg_tiny_global: DictConfig, synthetic_features_dir: Path, tmp_path: Path) -> None:
    def weights(name: str, seed: int) -> dict[str, torch.Tensor]:
        out = tmp_path / name
        cfg = with_dirs(
            cfg_tiny_global, out, synthetic_features_dir, **{"trainer.max_epochs": 2, "test": False, "seed": seed}
        )
        train(cfg)
        return torch.load(out / "checkpoints" / "last.ckpt", weights_only=True)["state_dict"]

    a, b, c = weights("a", 0), weights("b", 0), weights("c", 1)
    assert all(torch.equal(a[k], b[k]) for k in a)
    assert not all(torch.equal(a[k], c[k]) for k in a)


def _final_weights(run_dir: Path) -> dict[str, torch.Tensor]:
    return torch.load(run_dir / "checkpoints" / "last.ckpt", weights_only=True)["state_dict"]


def _max_difference(a: dict[str, torch.Tensor], b: dict[str, torch.Tensor]) -> float:
    assert a.keys() == b.keys()
    return max(float((a[k].double() - b[k].double()).abs().max()) for k in a if a[k].numel())


@pytest.mark.parametrize("num_workers", [0, 2])
def test_resume_replays_the_uninterrupted_run(
    cfg_tiny_global: DictConfig, synthetic_features_dir: Path, tmp_path: Path, num_workers: int
) -> None:
    """Stop after 1 epoch, resume to 2: the weights of a 2-epoch run, bit for bit, with or without workers.

    It used to differ (max 0.01 here): the resumed epochs reshuffled and re-augmented from the seed, not
    from where the run was, and dropout restarted from the seed's RNG state.
    """
    data = {"data.num_workers": num_workers, "data.persistent_workers": num_workers > 0, "test": False, "logger": None}
    whole, parts = tmp_path / "whole", tmp_path / "parts"
    train(with_dirs(cfg_tiny_global, whole, synthetic_features_dir, **{"trainer.max_epochs": 2, **data}))
    train(with_dirs(cfg_tiny_global, parts, synthetic_features_dir, **{"trainer.max_epochs": 1, **data}))
    last = parts / "checkpoints" / "last.ckpt"
    resumed = {"trainer.max_epochs": 2, "ckpt_path": str(last), **data}
    train(with_dirs(cfg_tiny_global, parts, synthetic_features_dir, **resumed))
    assert torch.load(last, weights_only=True)["global_step"] == 2 * (96 // 16)
    assert _max_difference(_final_weights(whole), _final_weights(parts)) == 0.0


@pytest.mark.slow
def test_killed_run_resumes_to_the_same_weights(synthetic_features_dir: Path, tmp_path: Path) -> None:
    """kill -9 during training, then ckpt_path=last.ckpt: the final weights of a run never interrupted.

    The killed and the resumed run are train.py processes, as a user runs them; the steps since the
    last checkpoint die with the process and run again, to the same result. The uninterrupted run is a
    train.py process too: in-process, torch's thread count and global settings are whatever earlier tests
    left (in a full suite run that once moved a weight by 2e-4), so the comparison would not be like for like.
    """
    import os
    import signal
    import time

    common = [*TINY, "trainer.max_epochs=3", "test=false", f"data.features_dir={synthetic_features_dir}"]
    whole, killed = tmp_path / "whole", tmp_path / "killed"
    uninterrupted = run_cli(*common, f"hydra.run.dir={whole}")
    assert uninterrupted.returncode == 0, uninterrupted.stderr[-3000:]
    last = killed / "checkpoints" / "last.ckpt"
    env = dict(os.environ, OMP_NUM_THREADS="1", PYTHONPATH=str(ROOT))
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "train.py"), *common, f"hydra.run.dir={killed}"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    while process.poll() is None and not last.exists() and time.monotonic() < deadline:
        time.sleep(0.005)
    process.send_signal(signal.SIGKILL)
    assert process.wait(timeout=30) == -signal.SIGKILL
    steps_at_kill = torch.load(last, weights_only=True)["global_step"]
    assert 0 < steps_at_kill < 3 * (96 // 16)  # killed mid-training, after a checkpoint
    resumed = run_cli(*common, f"ckpt_path={last}", f"hydra.run.dir={killed}")
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert torch.load(last, weights_only=True)["global_step"] == 3 * (96 // 16)
    assert _max_difference(_final_weights(whole), _final_weights(killed)) == 0.0


def test_a_checkpoint_write_cut_short_leaves_the_previous_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A kill while last.ckpt is written must not leave a truncated last.ckpt (the resume could not read it)."""
    path = tmp_path / "checkpoints" / "last.ckpt"
    io = AtomicCheckpointIO()
    io.save_checkpoint({"global_step": 6}, path)
    real_save = torch.save

    def killed_mid_write(obj: object, f: Path) -> None:
        real_save(obj, f)
        Path(f).write_bytes(Path(f).read_bytes()[:10])  # what a kill would leave
        raise KeyboardInterrupt

    monkeypatch.setattr(torch, "save", killed_mid_write)
    with pytest.raises(KeyboardInterrupt):
        io.save_checkpoint({"global_step": 12}, path)
    assert torch.load(path, weights_only=True) == {"global_step": 6}
    assert [p.name for p in path.parent.iterdir()] == ["last.ckpt"]
    # A kill -9 skips the cleanup: its temp (named by the dead pid) is removed by the next write, not piled up.
    (path.parent / ".last.ckpt.999999.tmp").write_bytes(b"half a checkpoint")
    monkeypatch.setattr(torch, "save", real_save)
    io.save_checkpoint({"global_step": 18}, path)
    assert sorted(p.name for p in path.parent.iterdir()) == ["last.ckpt"]


def test_resume_from_missing_checkpoint_is_a_user_error(
    cfg_tiny_global: DictConfig, synthetic_features_dir: Path, tmp_path: Path
) -> None:
    cfg = with_dirs(cfg_tiny_global, tmp_path, synthetic_features_dir, ckpt_path=str(tmp_path / "nope.ckpt"))
    with pytest.raises(VidclsError, match="does not exist"):
        train(cfg)


@pytest.mark.slow
def test_user_errors_exit_2_with_one_line(tmp_path: Path) -> None:
    missing = run_cli(*TINY, f"data.features_dir={tmp_path / 'none'}", f"hydra.run.dir={tmp_path / 'run'}")
    assert missing.returncode == 2, missing.stderr[-2000:]
    lines = [line for line in missing.stderr.strip().splitlines() if line.strip()]
    assert lines[-1].startswith("error: train split missing") and "Traceback" not in missing.stderr

    unknown = run_cli("model.no_such_knob=1", f"hydra.run.dir={tmp_path / 'run2'}")
    assert unknown.returncode == 2
    lines = [line for line in unknown.stderr.strip().splitlines() if line.strip()]
    assert len(lines) == 1 and "no_such_knob" in lines[0] and lines[0].startswith("error:"), unknown.stderr


@pytest.mark.slow
def test_two_seed_multirun(synthetic_features_dir: Path, tmp_path: Path) -> None:
    sweep = tmp_path / "sweep"
    result = run_cli(  # as users type it: a range, and -m between the overrides
        *TINY,
        "seed=0..1",
        "-m",
        "trainer.max_epochs=2",
        f"data.features_dir={synthetic_features_dir}",
        f"hydra.sweep.dir={sweep}",
    )
    assert result.returncode == 0, result.stderr[-3000:]
    members = sorted(p.name for p in sweep.iterdir() if p.is_dir() and not p.name.startswith("."))
    assert members == ["experiment=tiny,seed=0,trainer.max_epochs=2", "experiment=tiny,seed=1,trainer.max_epochs=2"]
    state_dicts = []
    for name in members:
        member = sweep / name
        assert (member / "checkpoints" / "best.ckpt").is_file() and (member / "checkpoints" / "last.ckpt").is_file()
        report = json.loads((member / "metrics.json").read_text())
        assert report["seed"] == int(name.split("seed=")[1].split(",")[0]) and "test/acc" in report["test"]
        assert (member / ".hydra" / "config.yaml").is_file()
        state_dicts.append(torch.load(member / "checkpoints" / "best.ckpt", weights_only=True)["state_dict"])
    assert not torch.equal(state_dicts[0]["net.classifier.12.weight"], state_dicts[1]["net.classifier.12.weight"])


@pytest.mark.slow
def test_ddp_on_cpu_with_two_processes(synthetic_features_dir: Path, tmp_path: Path) -> None:
    run_dir = tmp_path / "ddp"
    result = run_cli(
        *TINY,
        "trainer=ddp",
        "trainer.accelerator=cpu",
        "trainer.devices=2",
        "trainer.precision=32-true",
        "trainer.max_epochs=2",
        f"data.features_dir={synthetic_features_dir}",
        f"hydra.run.dir={run_dir}",
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads((run_dir / "metrics.json").read_text())
    assert report["epochs_trained"] == 2 and 0.0 <= report["test"]["test/acc"] <= 1.0
    ckpt = torch.load(run_dir / "checkpoints" / "last.ckpt", weights_only=True)
    # 96 training rows, batch 16, 2 processes → 3 steps per epoch each.
    assert ckpt["global_step"] == 6


def test_ddp_inside_multirun_is_refused(synthetic_features_dir: Path, tmp_path: Path) -> None:
    cfg = compose_train([*TINY, "trainer=ddp", "trainer.accelerator=cpu", "trainer.devices=2"])
    with open_dict(cfg):
        cfg.hydra.mode = "MULTIRUN"
    task_cfg = with_dirs(cfg, tmp_path, synthetic_features_dir)
    with pytest.raises(VidclsError, match="one per GPU"):
        train(task_cfg)
    with open_dict(cfg):
        cfg.hydra.mode = "RUN"
    check_not_nested_ddp(with_dirs(cfg, tmp_path, synthetic_features_dir))


@pytest.fixture(scope="module")
def features_with_empty_splits(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Feature dirs where one split has no rows."""
    from vidcls.synthetic import write_synthetic_splits

    base = tmp_path_factory.mktemp("empty_splits")
    counts = {"train": {"train": 0, "val": 2, "test": 2}, "val": {"train": 4, "val": 0, "test": 2},
              "test": {"train": 4, "val": 2, "test": 0}}  # fmt: skip
    return {
        empty: write_synthetic_splits(base / empty, per_split, max_frames=8, feature_dim=32)
        for empty, per_split in counts.items()
    }


@pytest.fixture
def writable_features(tmp_path: Path) -> Path:
    """Small feature files a test may edit."""
    from vidcls.synthetic import write_synthetic_splits

    return write_synthetic_splits(tmp_path / "features", 1, max_frames=8, feature_dim=32)


@pytest.mark.parametrize("split", ["train", "val"])
def test_empty_train_or_val_split_is_a_user_error(
    cfg_tiny_global: DictConfig, features_with_empty_splits: dict[str, Path], tmp_path: Path, split: str
) -> None:
    cfg = with_dirs(cfg_tiny_global, tmp_path, features_with_empty_splits[split])
    with pytest.raises(VidclsError, match=rf"the {split} split is empty: .*{split}_features_multiscale\.h5"):
        train(cfg)


def test_empty_test_split_trains_and_says_no_test_ran(
    cfg_tiny_global: DictConfig, features_with_empty_splits: dict[str, Path], tmp_path: Path
) -> None:
    cfg = with_dirs(cfg_tiny_global, tmp_path, features_with_empty_splits["test"], **{"trainer.max_epochs": 1})
    with pytest.warns(UserWarning, match="test split .* is empty"):
        metrics, _ = train(cfg)
    report = json.loads((tmp_path / "metrics.json").read_text())
    assert report["test"] is None and "is empty" in report["test_skipped"]
    assert report["val/acc_best"] is not None and not any(k.startswith("test/") for k in metrics)


@pytest.mark.parametrize("overrides", [["logger=none"], ["callbacks=none"], ["logger=none", "callbacks=none"]])
def test_trains_without_logger_or_callbacks(synthetic_features_dir: Path, tmp_path: Path, overrides: list[str]) -> None:
    cfg = with_dirs(compose_train([*TINY, *overrides]), tmp_path, synthetic_features_dir, **{"trainer.max_epochs": 1})
    if overrides == ["logger=none"]:
        with pytest.warns(UserWarning, match="skipping LearningRateMonitor"):
            metrics, _ = train(cfg)
    else:
        metrics, _ = train(cfg)
    assert "test/acc" in metrics and (tmp_path / "metrics.json").is_file()
    assert not (tmp_path / "tensorboard").exists() or "logger=none" not in overrides


def test_plain_progress_lines_when_stderr_is_not_a_terminal(
    cfg_tiny_global: DictConfig, synthetic_features_dir: Path, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    from vidcls.callbacks.progress import PlainProgressBar

    cfg = with_dirs(
        cfg_tiny_global,
        tmp_path,
        synthetic_features_dir,
        **{"trainer.max_epochs": 1, "callbacks.progress_bar.interval_s": 1e-4},
    )
    _, objects = train(cfg)
    assert isinstance(objects["trainer"].progress_bar_callback, PlainProgressBar)  # pytest's stderr is no terminal
    err = capfd.readouterr().err
    assert re.search(
        r"^train epoch 1/1: \d+/6 steps \(\d+%\), ([\d.]+|--) steps/s, (eta to max_epochs \S+|done)", err, re.M
    ), err
    assert re.search(r"^test: \d+/\d+ batches", err, re.M), err
    assert "train: stopped after 1 epoch(s)" in err


class _RunsCode:
    """Stands in for code pickled into a checkpoint: unpickling it would call :func:`_mark_ran`."""

    ran = False

    def __reduce__(self):
        return (_mark_ran, ())


def _mark_ran() -> str:
    _RunsCode.ran = True
    return "ran"


def test_resume_refuses_a_code_executing_checkpoint_like_eval(
    cfg_tiny_global: DictConfig, synthetic_features_dir: Path, tmp_path: Path
) -> None:
    """ckpt_path= goes through eval's safe reader: one line saying not to open it, not torch's weights_only hint."""
    evil = tmp_path / "evil.ckpt"
    torch.save({"hyper_parameters": {"feature_dim": 32}, "state_dict": {}, "extra": _RunsCode()}, evil)
    _RunsCode.ran = False
    cfg = with_dirs(cfg_tiny_global, tmp_path / "run", synthetic_features_dir, ckpt_path=str(evil))
    with pytest.raises(VidclsError, match=r"would call .*_mark_ran when loaded.*Do not open it") as refused:
        train(cfg)
    message = str(refused.value)
    assert "weights_only" not in message and "allow_unsafe_load" not in message and "\n" not in message
    assert _RunsCode.ran is False


def test_train_split_of_one_class_is_a_user_error(
    cfg_tiny_global: DictConfig, writable_features: Path, tmp_path: Path
) -> None:
    """It used to train, exit 0 and score chance (test/acc 0.25) without a word."""
    import h5py

    from vidcls.schema import LABELS, split_path

    with h5py.File(split_path(writable_features, "train"), "r+") as f:
        f[LABELS][...] = 2
    cfg = with_dirs(cfg_tiny_global, tmp_path, writable_features)
    with pytest.raises(VidclsError, match=r"only one class \(ClassA=0, ClassB=0, ClassC=4, ClassD=0\)"):
        train(cfg)
