"""model=linear_probe (LinearProbe + full-batch LBFGS) and ensemble shares (vidcls/inference/shares.py)."""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import replace
from pathlib import Path

import h5py
import numpy as np
import pytest
import torch
from compose_configs import compose_config
from omegaconf import DictConfig, open_dict
from test_train import with_dirs
from tiny_checkpoints import train_tiny_checkpoints

from vidcls.errors import VidclsError
from vidcls.evaluation.runner import ENSEMBLE, model_probabilities
from vidcls.inference import Ensemble, load_ensemble
from vidcls.inference.calibration import ensemble_probs, fit_temperature
from vidcls.inference.predictor import VideoPredictor
from vidcls.inference.shares import mean_over_members, member_weights
from vidcls.modules import LinearProbe
from vidcls.tasks.train import train


def probe_cfg(out: Path, features_dir: Path, **values: object) -> DictConfig:
    """experiment=demo_probe on other features, without TensorBoard, as train.py's task function sees it."""
    return with_dirs(
        compose_config("train", ["experiment=demo_probe"], hydra=True), out, features_dir, logger=None, **values
    )


def pooled_rows(path: Path, pooling: str = "mean") -> tuple[np.ndarray, np.ndarray]:
    """Each row's mean over its valid frames (float64; ``mean_std``: then its population std), and the labels."""
    with h5py.File(path, "r") as f:
        features, frames, labels = f["features"][:], f["num_frames"][:], f["labels"][:]
    rows = [features[i, : frames[i]].astype(np.float64) for i in range(len(features))]
    if pooling == "mean_std":
        return np.stack([np.concatenate([r.mean(0), r.std(0)]) for r in rows]), labels
    return np.stack([r.mean(0) for r in rows]), labels


def reference_fit(x: np.ndarray, y: np.ndarray, l2: float) -> tuple[torch.Tensor, torch.Tensor, np.ndarray, np.ndarray]:
    """The probe's objective solved directly in float64: mean cross-entropy + l2 * |W|^2 on standardised inputs."""
    mean, std = x.mean(0), x.std(0) + 1e-6
    a = torch.from_numpy((x - mean) / std)
    w = torch.zeros(x.shape[1], int(y.max()) + 1, dtype=torch.float64, requires_grad=True)
    b = torch.zeros(int(y.max()) + 1, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.LBFGS([w, b], max_iter=500, line_search_fn="strong_wolfe", tolerance_grad=1e-10)
    target = torch.from_numpy(y).long()

    def closure() -> torch.Tensor:
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(a @ w + b, target) + l2 * (w**2).sum()
        loss.backward()
        return loss

    opt.step(closure)
    return w.detach(), b.detach(), mean, std


# ---------------------------------------------------------------------------------------------- the network
def test_probe_reads_only_valid_steps_and_standardises() -> None:
    torch.manual_seed(0)
    probe = LinearProbe(feature_dim=6, num_classes=3, l2_penalty=0.1)
    assert not probe.is_standardised and float(probe.penalty().detach()) == 0.0  # zero-initialised: every class equal
    pooled = torch.randn(20, 6) * 3 + 5
    probe.fit_standardisation(pooled)
    assert probe.is_standardised
    torch.testing.assert_close(probe.feature_mean, pooled.mean(0))
    torch.testing.assert_close(probe.feature_std, pooled.std(0, correction=0) + 1e-6)
    torch.nn.init.normal_(probe.classifier.weight)
    assert float(probe.penalty().detach()) == pytest.approx(0.1 * float(probe.classifier.weight.detach().pow(2).sum()))
    x = torch.randn(2, 5, 6)
    lengths = torch.tensor([5, 3])
    padded = x.clone()
    padded[1, 3:] = 1e6  # whatever sits in the padding
    logits, weights = probe(padded, lengths, return_attention=True)
    expected = probe.classifier((x[1, :3].mean(0) - probe.feature_mean) / probe.feature_std)
    torch.testing.assert_close(logits[1], expected)
    torch.testing.assert_close(weights[1], torch.tensor([1 / 3, 1 / 3, 1 / 3, 0.0, 0.0]))
    with pytest.raises(ValueError, match="pooled features"):
        probe.fit_standardisation(torch.zeros(0, 6))


def test_mean_std_pooling_reads_only_valid_steps_and_doubles_the_width() -> None:
    """pooling=mean_std: each feature's mean, then its population std, over the valid steps alone."""
    torch.manual_seed(0)
    probe = LinearProbe(feature_dim=6, num_classes=3, pooling="mean_std")
    assert probe.classifier.in_features == 12 and probe.feature_mean.shape == (12,) and probe.hidden_dim == 12
    x = torch.randn(3, 5, 6)
    lengths = torch.tensor([5, 3, 1])
    padded = x.clone()
    padded[1, 3:] = 1e6  # whatever sits in the padding
    padded[2, 1:] = -1e6
    pooled = probe.pool(padded, lengths)
    for row, length in enumerate(lengths.tolist()):
        valid = x[row, :length]
        expected = torch.cat([valid.mean(0), valid.std(0, correction=0)])
        torch.testing.assert_close(pooled[row], expected, atol=1e-5, rtol=1e-5)
    assert torch.all(pooled[2, 6:] == 0)  # one frame: nothing changes
    probe.fit_standardisation(pooled)
    torch.nn.init.normal_(probe.classifier.weight)
    logits = probe(padded, lengths)
    torch.testing.assert_close(logits, probe.classifier((pooled - probe.feature_mean) / probe.feature_std))
    # the mean pooling is the first half of it, so the two settings read the same clip the same way
    torch.testing.assert_close(LinearProbe(feature_dim=6, num_classes=3).pool(padded, lengths), pooled[:, :6])
    with pytest.raises(VidclsError, match=r"model\.pooling must be one of mean, mean_std"):
        LinearProbe(feature_dim=6, pooling="max")
    with pytest.raises(VidclsError, match=r"model\.l2_penalty must be a number >= 0"):
        LinearProbe(feature_dim=6, l2_penalty=-1.0)


# ---------------------------------------------------------------------------------------------- training
@pytest.mark.slow
def test_probe_training_solves_its_objective_and_ignores_the_seed(synthetic_features_dir: Path, tmp_path: Path) -> None:
    runs = {}
    for seed in (0, 1):
        out = tmp_path / f"seed{seed}"
        metrics, _ = train(probe_cfg(out, synthetic_features_dir, seed=seed))
        report = json.loads((out / "metrics.json").read_text())
        assert report["epochs_trained"] == 1 and metrics["val/acc_best"] >= 0.7, report  # chance is 0.25
        runs[seed] = torch.load(out / "checkpoints" / "best.ckpt", map_location="cpu", weights_only=True)
    state = runs[0]["state_dict"]
    # The seed changes only the (full-batch) row order: the same convex problem, the same solution.
    for key, value in state.items():
        torch.testing.assert_close(runs[1]["state_dict"][key], value, atol=1e-4, rtol=1e-4)
    assert runs[0]["hyper_parameters"]["ensemble_share"] == 0.5
    # The statistics are the training rows' (unaugmented, every row once), and the weights solve
    # cross-entropy + l2 * |W|^2 on them: a dropped penalty, clipping or augmentation would move them.
    x, y = pooled_rows(synthetic_features_dir / "train_features_multiscale.h5")
    w, b, mean, std = reference_fit(x, y, runs[0]["hyper_parameters"]["net"]["l2_penalty"])
    np.testing.assert_allclose(state["net.feature_mean"].double().numpy(), mean, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(state["net.feature_std"].double().numpy(), std, rtol=1e-5, atol=1e-5)
    assert bool(state["net.standardised"])
    torch.testing.assert_close(state["net.classifier.weight"].double(), w.T, atol=2e-3, rtol=2e-3)
    torch.testing.assert_close(state["net.classifier.bias"].double(), b, atol=2e-3, rtol=2e-3)

    # pooling=mean_std (experiment=real_video_probe's): the same objective on [mean, std] rows, and a checkpoint
    # that loads as that network
    cfg = probe_cfg(tmp_path / "mean_std", synthetic_features_dir)
    with open_dict(cfg):
        cfg.model.pooling = "mean_std"
    train(cfg)
    path = tmp_path / "mean_std" / "checkpoints" / "best.ckpt"
    state = torch.load(path, map_location="cpu", weights_only=True)["state_dict"]
    x, y = pooled_rows(synthetic_features_dir / "train_features_multiscale.h5", pooling="mean_std")
    w, b, mean, std = reference_fit(x, y, cfg.model.l2_penalty)
    np.testing.assert_allclose(state["net.feature_mean"].double().numpy(), mean, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(state["net.feature_std"].double().numpy(), std, rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(state["net.classifier.weight"].double(), w.T, atol=2e-3, rtol=2e-3)
    member = load_ensemble(path).members[0]
    assert member.model.pooling == "mean_std" and member.model.classifier.in_features == 2 * member.feature_dim


def test_lbfgs_with_gradient_clipping_is_a_user_error(synthetic_features_dir: Path, tmp_path: Path) -> None:
    cfg = probe_cfg(tmp_path, synthetic_features_dir)
    with open_dict(cfg):
        cfg.trainer.gradient_clip_val = 1.0
    with pytest.raises(VidclsError, match=re.escape("gradient_clip_val=1.0 (set it to null)")):
        train(cfg)


def test_real_video_probe_is_demo_probe_on_real_video_features() -> None:
    demo = compose_config("train", ["experiment=demo_probe"])
    real = compose_config("train", ["experiment=real_video_probe"])
    # the same probe and fit, but real video's pooling: the mean and the std over time (the demo: the mean)
    assert demo.model.pooling == "mean" and real.model.pooling == "mean_std"
    real_model = dict(real.model)
    real_model["pooling"] = "mean"
    assert real_model == dict(demo.model) and real.trainer == demo.trainer
    assert real.data.features_dir.endswith("real_video/features") and demo.data.features_dir.endswith("demo/features")
    assert demo.model._target_ == "vidcls.modules.LinearProbe" and demo.model.optimizer._target_ == "torch.optim.LBFGS"
    # every row once, as extracted, in one batch: what the objective in the probe's docstring needs
    assert demo.trainer.gradient_clip_val is None and demo.trainer.max_epochs == 1
    assert demo.data.source_pattern is None and not demo.data.balance_classes
    assert all(demo.data.augment[k] == 0 for k in ("subsample_p", "shift_p", "noise_p"))


# ---------------------------------------------------------------------------------------------- shares
def test_member_weights_give_shares_and_split_the_rest() -> None:
    assert member_weights([None, None]) is None  # the plain mean, bit for bit
    np.testing.assert_allclose(member_weights([None, None, 0.5]), [0.25, 0.25, 0.5])
    np.testing.assert_allclose(member_weights([0.2, 0.6]), [0.25, 0.75])  # all given: their ratios
    with pytest.raises(VidclsError, match=r"sum to 1\.2 .*nothing for the 1 member"):
        member_weights([0.6, 0.6, None], ["a", "b", "c"])
    probs = np.random.default_rng(0).random((3, 4, 2))
    np.testing.assert_allclose(
        mean_over_members(probs, np.array([0.25, 0.25, 0.5])), (probs[0] + probs[1]) / 4 + probs[2] / 2
    )
    assert np.array_equal(mean_over_members(probs, None), probs.mean(axis=0))


def test_share_carrying_checkpoint_weighs_its_share_everywhere(
    synthetic_features_dir: Path, tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    """A member with share 0.5 beside another: the ensemble's probabilities, eval's columns, refusals."""
    tiny = train_tiny_checkpoints(synthetic_features_dir, tmp_path_factory.getbasetemp() / "tiny_ckpts", epochs=3)
    run = tmp_path / "run"
    shutil.copytree(tiny, run)
    ckpt_path = run / "seed=1" / "checkpoints" / "best.ckpt"
    ckpt = torch.load(ckpt_path, map_location="cpu", weights_only=True)
    ckpt["hyper_parameters"]["ensemble_share"] = 0.5
    torch.save(ckpt, ckpt_path)
    ensemble = load_ensemble(run)
    assert [m.ensemble_share for m in ensemble.members] == [None, 0.5]
    np.testing.assert_allclose(ensemble.weights, [0.5, 0.5])
    with h5py.File(synthetic_features_dir / "test_features_multiscale.h5", "r") as f:
        x, lengths = torch.from_numpy(f["features"][:6]), torch.from_numpy(f["num_frames"][:6]).long()
    out = ensemble.predict(x, lengths, tta=["original"])
    torch.testing.assert_close(out.probs, 0.5 * out.member_probs[0] + 0.5 * out.member_probs[1])
    member_probs = out.member_probs.numpy()
    np.testing.assert_allclose(model_probabilities(ensemble, member_probs)[ENSEMBLE], out.probs.numpy(), rtol=1e-6)
    # predict.py's record and the web page report each member's weight with its vote
    record = VideoPredictor(ensemble, extractor=None).predict_features(x[0, : lengths[0]], path="clip").to_dict()
    assert [(m["name"], m["weight"]) for m in record["members"]] == [("seed=0", 0.5), ("seed=1", 0.5)]
    np.testing.assert_allclose(record["probabilities"], out.probs[0].numpy(), rtol=1e-5)

    ckpt["hyper_parameters"]["ensemble_share"] = 0.9  # with three members now: 0.9 + 0.05 + 0.05
    shutil.copytree(run / "seed=1", run / "seed=2")
    torch.save(ckpt, run / "seed=2" / "checkpoints" / "best.ckpt")
    with pytest.raises(VidclsError, match=r"ensemble shares sum to 1\.4"):
        load_ensemble(run)
    ckpt["hyper_parameters"]["ensemble_share"] = 1.5
    torch.save(ckpt, run / "seed=2" / "checkpoints" / "best.ckpt")
    with pytest.raises(VidclsError, match=re.escape("ensemble_share=1.5: an ensemble share is null or a number in")):
        load_ensemble(run)


def test_temperature_fit_uses_the_weights() -> None:
    """Weight 1 on one member fits that member's temperature; the fit minimises the weighted mixture's NLL."""
    gen = torch.Generator().manual_seed(0)
    labels = torch.randint(0, 4, (300,), generator=gen)
    sharp = (
        torch.nn.functional.one_hot(labels, 4).double() * 4 + torch.randn(300, 4, generator=gen, dtype=torch.double) * 2
    )
    flat = sharp / 6
    logits = torch.stack([sharp, flat])
    only_first = fit_temperature(logits, labels, weights=np.array([1.0, 0.0]))
    assert only_first == pytest.approx(fit_temperature(sharp, labels), rel=1e-4)
    assert fit_temperature(logits, labels, weights=np.array([0.0, 1.0])) < only_first  # the flat member wants T < 1
    torch.testing.assert_close(ensemble_probs(logits, 1.0, np.array([0.5, 0.5])), ensemble_probs(logits, 1.0))


def test_attention_plot_leaves_out_members_without_learned_attention(
    synthetic_features_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """A probe with half of the ensemble adds nothing to the attention plot: its weights are a fixed mean."""
    tiny = train_tiny_checkpoints(synthetic_features_dir, tmp_path_factory.getbasetemp() / "tiny_ckpts", epochs=3)
    temporal = load_ensemble(tiny).members
    probe = LinearProbe(feature_dim=temporal[0].feature_dim, num_classes=4).eval()
    probe_member = replace(temporal[0], name="probe", model=probe, ensemble_share=0.5)
    with h5py.File(synthetic_features_dir / "test_features_multiscale.h5", "r") as f:
        x, lengths = torch.from_numpy(f["features"][:6]), torch.from_numpy(f["num_frames"][:6]).long()
    with_probe = Ensemble([*temporal, probe_member]).predict(x, lengths, tta=["original"], return_attention=True)
    alone = Ensemble(temporal).predict(x, lengths, tta=["original"], return_attention=True)
    assert with_probe.attention is not None and alone.attention is not None
    torch.testing.assert_close(with_probe.attention, alone.attention)
    # the temporal members' plot is not uniform, so a probe averaged in would have changed it
    uniform = torch.stack([(torch.arange(x.shape[1]) < n).float() / n for n in lengths.tolist()])
    assert not torch.allclose(alone.attention, uniform, atol=1e-3)
    # an ensemble of fixed means alone still plots their (uniform) weights
    only_probe = Ensemble([replace(probe_member, ensemble_share=None)]).predict(
        x, lengths, tta=["original"], return_attention=True
    )
    assert only_probe.attention is not None
    torch.testing.assert_close(only_probe.attention, uniform)
