"""VideoClassifier: the checkpoint contract, loss/optimizer/scheduler wiring, metrics."""

from __future__ import annotations

import csv
import math
from pathlib import Path
from typing import Any

import lightning as L
import pytest
import torch
from omegaconf import OmegaConf

from vidcls.datamodules import FeatureDataModule
from vidcls.errors import VidclsError
from vidcls.modules import SuperEnhancedTemporalModel, VideoClassifier, build_net

NO_AUGMENT = {"subsample_p": 0.0, "shift_p": 0.0, "noise_p": 0.0}


def model_config(**overrides: Any) -> dict[str, Any]:
    """What conf/model/super_enhanced.yaml composes to, with the tiny test architecture."""
    cfg = OmegaConf.to_container(OmegaConf.load(Path(__file__).parents[1] / "conf/model/recipe/predecessor.yaml"))
    arch = OmegaConf.to_container(OmegaConf.load(Path(__file__).parents[1] / "conf/model/super_enhanced.yaml"))
    arch.pop("defaults")
    cfg |= arch | {"hidden_dim": 16, "num_lstm_layers": 1, "num_attention_heads": 2}
    return cfg | overrides


@pytest.fixture
def datamodule(synthetic_features_dir: Path) -> FeatureDataModule:
    dm = FeatureDataModule(features_dir=synthetic_features_dir, batch_size=32, num_workers=0, augment=NO_AUGMENT)
    dm.setup("fit")
    return dm


def classifier(dm: FeatureDataModule, **overrides: Any) -> VideoClassifier:
    return VideoClassifier.from_model_config(
        OmegaConf.create(model_config(**overrides)), dm.class_names, dm.feature_dim, dm.provenance, dm.class_counts
    )


def tiny_trainer(tmp_path: Path, **kwargs: Any) -> L.Trainer:
    settings = {
        "accelerator": "cpu",
        "max_epochs": 1,
        "logger": False,
        "enable_progress_bar": False,
        "enable_model_summary": False,
        "enable_checkpointing": False,
        "default_root_dir": tmp_path,
    }
    return L.Trainer(**(settings | kwargs))


def assert_plain(value: Any, where: str = "hparams") -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            assert isinstance(key, str), where
            assert_plain(item, f"{where}.{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            assert_plain(item, f"{where}[{i}]")
    else:
        assert value is None or type(value) in (str, int, float, bool), f"{where} is {type(value)}"


def test_checkpoint_contract(datamodule: FeatureDataModule, tmp_path: Path) -> None:
    torch.manual_seed(0)
    model = classifier(datamodule)
    trainer = tiny_trainer(tmp_path, limit_train_batches=1, limit_val_batches=1)
    trainer.fit(model, datamodule=datamodule)
    path = tmp_path / "model.ckpt"
    trainer.save_checkpoint(path)

    ckpt = torch.load(path, map_location="cpu", weights_only=True)
    hparams = ckpt["hyper_parameters"]
    assert_plain(hparams)
    assert hparams["net"] == {
        "_target_": "vidcls.modules.SuperEnhancedTemporalModel",
        "feature_dim": 32,
        "hidden_dim": 16,
        "num_classes": 4,
        "num_lstm_layers": 1,
        "num_attention_heads": 2,
        "dropout": 0.4,
        "bidirectional": True,
        "mask_padding": True,
    }
    assert hparams["class_names"] == ["ClassA", "ClassB", "ClassC", "ClassD"]
    assert hparams["feature_dim"] == 32
    assert hparams["provenance"]["backbone"] == "synthetic" and hparams["provenance"]["feature_dim"] == 32
    net_keys = {k for k in ckpt["state_dict"] if k.startswith("net.")}
    assert net_keys == {f"net.{k}" for k in model.net.state_dict()}
    assert set(ckpt["state_dict"]) - net_keys <= {"criterion.alpha"}

    net = build_net(hparams["net"])
    assert isinstance(net, SuperEnhancedTemporalModel)
    net.load_state_dict({k.removeprefix("net."): v for k, v in ckpt["state_dict"].items() if k in net_keys})
    x, lengths = torch.randn(2, 5, 32), torch.tensor([5, 3])
    model.eval()
    net.eval()
    torch.testing.assert_close(net(x, lengths), model(x, lengths))

    reloaded = VideoClassifier.load_from_checkpoint(path, map_location="cpu").eval()
    torch.testing.assert_close(reloaded(x, lengths), model(x, lengths))


def test_hparams_are_plain_even_from_omegaconf(datamodule: FeatureDataModule) -> None:
    model = VideoClassifier(
        net=OmegaConf.create({"_target_": "vidcls.modules.MeanPoolBaseline", "hidden_dim": 8}),
        class_names=OmegaConf.create(datamodule.class_names),
        feature_dim=datamodule.feature_dim,
        loss=OmegaConf.create({"gamma": 2.0, "label_smoothing": 0.1, "alpha": [1, 2, 3, 4]}),
        optimizer=OmegaConf.create({"_target_": "torch.optim.AdamW", "lr": 1e-3}),
        provenance=OmegaConf.create(datamodule.provenance),
    )
    assert_plain(dict(model.hparams))
    assert model.hparams["net"]["dropout"] == 0.3  # every constructor default is recorded
    torch.testing.assert_close(model.criterion.alpha, torch.tensor([1.0, 2.0, 3.0, 4.0]))


def test_auto_alpha_from_training_counts(datamodule: FeatureDataModule) -> None:
    model = VideoClassifier.from_model_config(
        model_config(), datamodule.class_names, 32, datamodule.provenance, class_counts=[60, 30, 9, 1]
    )
    torch.testing.assert_close(model.criterion.alpha, torch.tensor([0.5, 100 / 120, 100 / 36, 10.0]))
    off = classifier(datamodule, loss={"gamma": 2.0, "label_smoothing": 0.1, "alpha": None})
    assert off.criterion.alpha is None


def test_data_facts_must_agree_with_model_config(datamodule: FeatureDataModule) -> None:
    with pytest.raises(VidclsError, match="feature_dim=64"):
        classifier(datamodule, feature_dim=64)
    with pytest.raises(VidclsError, match="no argument"):
        classifier(datamodule, num_layers=3)
    with pytest.raises(VidclsError, match="cannot import"):
        build_net({"_target_": "vidcls.modules.NoSuchModel"})


def test_targets_are_found_by_one_rule_and_fail_in_one_line(caplog: pytest.LogCaptureFixture) -> None:
    """Model, optimizer and checkpoint targets share Hydra's get_class, without its ERROR log beside our line."""
    from vidcls.inference.checkpoints import _resolve_target

    with caplog.at_level("DEBUG"), pytest.raises(VidclsError, match=r"cannot import 'vidcls\.modules\.Nope'"):
        build_net({"_target_": "vidcls.modules.Nope"})
    assert not [r for r in caplog.records if r.name.startswith("hydra")], caplog.records
    with pytest.raises(VidclsError, match=r"not a torch\.nn\.Module class"):  # exists, but is a function
        build_net({"_target_": "vidcls.modules.temporal_model.padding_mask"})
    with pytest.raises(VidclsError, match=r"not a torch\.nn\.Module class; refusing"):
        _resolve_target("vidcls.modules.temporal_model.padding_mask", Path("x.ckpt"), allow_unsafe_load=False)
    assert _resolve_target("vidcls.modules.MeanPoolBaseline", Path("x.ckpt"), allow_unsafe_load=False).__name__ == (
        "MeanPoolBaseline"
    )


def test_optimizer_and_scheduler_follow_config(datamodule: FeatureDataModule) -> None:
    model = classifier(datamodule)
    config = model.configure_optimizers()
    optimizer, scheduler = config["optimizer"], config["lr_scheduler"]
    assert isinstance(optimizer, torch.optim.AdamW)
    assert optimizer.defaults["lr"] == 1e-3 and optimizer.defaults["weight_decay"] == 5e-4
    assert scheduler["interval"] == "epoch"
    sched = scheduler["scheduler"]
    assert isinstance(sched, torch.optim.lr_scheduler.CosineAnnealingWarmRestarts)
    assert (sched.T_0, sched.T_mult, sched.eta_min) == (20, 2, 1e-6)


def cosine_restart_lr(epoch: float, base: float = 1e-3, eta_min: float = 1e-6, t0: int = 20) -> float:
    return eta_min + (base - eta_min) * (1 + math.cos(math.pi * (epoch % t0) / t0)) / 2


@pytest.mark.parametrize("interval", ["epoch", "step"])
def test_warm_restarts_count_epochs_in_both_intervals(
    datamodule: FeatureDataModule, tmp_path: Path, interval: str
) -> None:
    """3 epochs of 3 batches: per-epoch → LR at epoch 3; per-step → the same (fractional epochs)."""
    scheduler = dict(model_config()["scheduler"], interval=interval)
    model = classifier(datamodule, scheduler=scheduler)
    datamodule.batch_size = 32  # 96 training rows → 3 steps per epoch
    trainer = tiny_trainer(tmp_path, max_epochs=3, limit_val_batches=0)
    trainer.fit(model, datamodule=datamodule)
    assert trainer.global_step == 9
    lr = trainer.optimizers[0].param_groups[0]["lr"]
    assert lr == pytest.approx(cosine_restart_lr(3), rel=1e-6)


def test_grad_norm_is_computed_only_on_logged_steps(
    datamodule: FeatureDataModule, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The norm is written at exactly the steps the logger writes, and skipped on the others."""
    from lightning.pytorch.loggers import CSVLogger

    model = classifier(datamodule)
    calls: list[int] = []
    original = torch.nn.utils.get_total_norm

    def counting(*args: Any, **kwargs: Any) -> torch.Tensor:
        calls.append(1)
        return original(*args, **kwargs)

    logger = CSVLogger(tmp_path, name="csv")
    trainer = tiny_trainer(
        tmp_path, max_epochs=3, limit_train_batches=3, limit_val_batches=0, log_every_n_steps=2, logger=logger
    )
    monkeypatch.setattr(torch.nn.utils, "get_total_norm", counting)
    trainer.fit(model, datamodule=datamodule)
    with open(Path(logger.log_dir) / "metrics.csv") as f:
        rows = list(csv.DictReader(f))
    norm_steps = [int(r["step"]) for r in rows if r.get("train/grad_norm")]
    loss_steps = [int(r["step"]) for r in rows if r.get("train/loss_step")]
    assert trainer.global_step == 9
    assert norm_steps == loss_steps == [1, 3, 5, 7]
    assert len(calls) == 4  # computed 4 times, not 9
    norms = [float(r["train/grad_norm"]) for r in rows if r.get("train/grad_norm")]
    assert all(math.isfinite(v) and v > 0 for v in norms)


def test_metrics_and_grad_norm_are_logged(datamodule: FeatureDataModule, tmp_path: Path) -> None:
    model = classifier(datamodule)
    trainer = tiny_trainer(tmp_path, max_epochs=2, limit_train_batches=2, log_every_n_steps=1)
    trainer.fit(model, datamodule=datamodule)
    logged = set(trainer.callback_metrics)
    for stage in ("train", "val"):
        expected = {f"{stage}/{m}" for m in ("loss", "acc", "f1_macro", "f1_weighted")}
        expected |= {f"{stage}/f1/{name}" for name in datamodule.class_names}
        assert expected <= logged
    assert {"val/acc_best", "train/grad_norm"} <= logged
    assert float(trainer.callback_metrics["val/acc_best"]) >= float(trainer.callback_metrics["val/acc"])
    matrix = model.confusion["val"]
    assert len(matrix) == 4 and sum(map(sum, matrix)) == 32


def test_resumed_training_keeps_the_best_val_acc_of_earlier_epochs(datamodule: FeatureDataModule) -> None:
    """metrics.json's val/acc_best (the sweepers' objective) after a resume covers the epochs before it too."""
    before = classifier(datamodule)
    before.val_acc_best.update(torch.tensor(0.9))
    checkpoint: dict[str, Any] = {}
    before.on_save_checkpoint(checkpoint)
    resumed = classifier(datamodule)
    resumed.on_load_checkpoint(checkpoint)
    resumed.on_train_start()
    resumed.val_acc_best.update(torch.tensor(0.5))  # a worse epoch after the resume
    assert float(resumed.val_acc_best.compute()) == pytest.approx(0.9)
    fresh = classifier(datamodule)
    fresh.on_train_start()
    assert not fresh.val_acc_best.update_called
