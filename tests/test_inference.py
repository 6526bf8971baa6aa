"""Checkpoint loading (vidcls and predecessor formats), safety, mismatch checks and ensemble averaging."""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch
from tiny_checkpoints import train_tiny_checkpoints

from vidcls.errors import VidclsError
from vidcls.inference import PREDECESSOR_CLASS_NAMES, Ensemble, load_ensemble, load_member, resolve_checkpoint_paths
from vidcls.modules import SuperEnhancedTemporalModel, VideoClassifier
from vidcls.schema import read_meta, split_path
from vidcls.synthetic import write_synthetic_splits

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def tiny_run_dir(tmp_path_factory: pytest.TempPathFactory, synthetic_features_dir: Path) -> Path:
    return train_tiny_checkpoints(synthetic_features_dir, tmp_path_factory.getbasetemp() / "tiny_ckpts", epochs=3)


def _batch(features_dir: Path, split: str = "test", rows: int = 6) -> tuple[torch.Tensor, torch.Tensor]:
    import h5py

    with h5py.File(split_path(features_dir, split), "r") as f:
        x = torch.from_numpy(f["features"][:rows]).float()
        lengths = torch.from_numpy(f["num_frames"][:rows]).long()
    return x, lengths


def _edit_checkpoint(src: Path, dst: Path, edit) -> Path:
    ckpt = torch.load(src, map_location="cpu", weights_only=True)
    edit(ckpt)
    dst.parent.mkdir(parents=True, exist_ok=True)
    torch.save(ckpt, dst)
    return dst


def _predecessor_file(path: Path, feature_dim: int = 32, seed: int = 0) -> tuple[Path, SuperEnhancedTemporalModel]:
    """A seed-style ``best_ensemble_model_*.pt``: model_state_dict + model_config (+ NumPy scalars)."""
    torch.manual_seed(seed)
    config = {
        "feature_dim": feature_dim,
        "hidden_dim": 16,
        "num_classes": 4,
        "num_lstm_layers": 1,
        "num_attention_heads": 2,
        "dropout": 0.4,
        "bidirectional": True,
    }
    model = SuperEnhancedTemporalModel(**config, mask_padding=False).eval()
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save(
        {"model_state_dict": model.state_dict(), "model_config": config, "val_acc": np.float64(0.921), "epoch": 7},
        path,
    )
    return path, model


# ---------------------------------------------------------------- finding checkpoints


def test_resolve_directory_glob_and_list(tiny_run_dir: Path) -> None:
    from_dir = resolve_checkpoint_paths(tiny_run_dir)
    assert [p.parent.parent.name for p in from_dir] == ["seed=0", "seed=1"]
    assert resolve_checkpoint_paths(str(tiny_run_dir / "*" / "checkpoints" / "best.ckpt")) == from_dir
    assert resolve_checkpoint_paths([str(p) for p in from_dir] + [str(from_dir[0])]) == from_dir  # deduplicated
    with pytest.raises(VidclsError, match="matches nothing"):
        resolve_checkpoint_paths(str(tiny_run_dir / "nope*" / "best.ckpt"))
    with pytest.raises(VidclsError, match="not found"):
        resolve_checkpoint_paths(str(tiny_run_dir / "missing.ckpt"))
    # a directory without any checkpoint
    empty = tiny_run_dir.parent / "empty_dir"
    empty.mkdir(exist_ok=True)
    with pytest.raises(VidclsError, match=r"no best\.ckpt"):
        resolve_checkpoint_paths(empty)


def test_load_ensemble_from_multirun_dir(tiny_run_dir: Path, synthetic_features_dir: Path) -> None:
    ensemble = load_ensemble(tiny_run_dir)
    meta = read_meta(split_path(synthetic_features_dir, "test"))
    assert ensemble.names == ["seed=0", "seed=1"]
    assert ensemble.class_names == meta.class_names
    assert ensemble.feature_dim == 32
    assert ensemble.provenance["backbone"] == "synthetic"
    assert all(not m.model.training for m in ensemble.members)
    ensemble.check_feature_file(meta)  # no error


# ---------------------------------------------------------------- predictions


def test_member_matches_lightning_module(tiny_run_dir: Path, synthetic_features_dir: Path) -> None:
    path = tiny_run_dir / "seed=0" / "checkpoints" / "best.ckpt"
    member = load_member(path)
    module = VideoClassifier.load_from_checkpoint(path, map_location="cpu").eval()
    x, lengths = _batch(synthetic_features_dir)
    with torch.no_grad():
        expected = torch.softmax(module(x, lengths), dim=-1)
        got = torch.softmax(member.model(x, lengths), dim=-1)
    torch.testing.assert_close(got, expected)


def test_ensemble_probs_are_mean_of_members(tiny_run_dir: Path, synthetic_features_dir: Path) -> None:
    ensemble = load_ensemble(tiny_run_dir)
    x, lengths = _batch(synthetic_features_dir)
    out = ensemble.predict(x, lengths, tta=["original"])
    assert out.member_probs.shape == (2, 6, 4)
    for i, member in enumerate(ensemble.members):
        with torch.no_grad():
            own = torch.softmax(member.model(x, lengths), dim=-1)
        torch.testing.assert_close(out.member_probs[i], own, atol=1e-6, rtol=1e-5)
    torch.testing.assert_close(out.probs, out.member_probs.mean(0))
    torch.testing.assert_close(out.probs.sum(-1), torch.ones(6))
    # The two seeds are different models: averaging them is not a no-op.
    assert not torch.allclose(out.member_probs[0], out.member_probs[1])


def test_attention_is_original_view_mean_over_members(tiny_run_dir: Path, synthetic_features_dir: Path) -> None:
    ensemble = load_ensemble(tiny_run_dir)
    x, lengths = _batch(synthetic_features_dir)
    out = ensemble.predict(x, lengths, tta=["reversed", "original", "speed_up"], return_attention=True)
    assert out.attention is not None and out.attention.shape == x.shape[:2]
    expected = []
    for member in ensemble.members:
        with torch.no_grad():
            _, weights = member.model(x, lengths, return_attention=True)
        expected.append(torch.nn.functional.pad(weights, (0, x.shape[1] - weights.shape[1])))
    torch.testing.assert_close(out.attention, torch.stack(expected).mean(0), atol=1e-5, rtol=1e-4)
    for i, length in enumerate(lengths.tolist()):
        assert out.attention[i, length:].abs().sum() == 0
        assert out.attention[i, :length].sum().item() == pytest.approx(1.0, abs=1e-5)


def test_wrong_feature_dim_input_is_clear_error(tiny_run_dir: Path) -> None:
    ensemble = load_ensemble(tiny_run_dir)
    with pytest.raises(VidclsError, match="feature_dim 32"):
        ensemble.predict(torch.zeros(1, 4, 16), torch.tensor([4]))


# ---------------------------------------------------------------- predecessor checkpoints


def test_predecessor_checkpoint_loads_strict(tmp_path: Path, synthetic_features_dir: Path, caplog) -> None:
    _, reference = _predecessor_file(tmp_path / "best_ensemble_model_2.pt")
    with caplog.at_level(logging.WARNING):
        ensemble = load_ensemble(tmp_path)  # directory: finds best_ensemble_model_*.pt
    assert ensemble.names == ["best_ensemble_model_2"]
    member = ensemble.members[0]
    assert member.kind == "predecessor" and member.model.mask_padding is False
    # No names recorded: the predecessor's names with a warning, until a feature file says otherwise.
    assert ensemble.class_names == list(PREDECESSOR_CLASS_NAMES) and not ensemble.class_names_known
    assert "record no class names" in caplog.text
    for key, value in reference.state_dict().items():
        torch.testing.assert_close(member.model.state_dict()[key], value)
    x, lengths = _batch(synthetic_features_dir)
    with torch.no_grad():
        expected = torch.softmax(reference(x, lengths), dim=-1)
    torch.testing.assert_close(ensemble.predict(x, lengths).probs, expected, atol=1e-6, rtol=1e-5)
    ensemble.check_feature_file(read_meta(split_path(synthetic_features_dir, "test")))
    assert ensemble.class_names == ["ClassA", "ClassB", "ClassC", "ClassD"] and ensemble.class_names_known


def test_predecessor_with_wrong_class_count_for_file(tmp_path: Path) -> None:
    _predecessor_file(tmp_path / "ckpt" / "best_ensemble_model_0.pt")
    three = write_synthetic_splits(
        tmp_path / "three", 2, class_names=("A", "B", "C"), max_frames=8, feature_dim=32
    )  # same dim, 3 classes
    ensemble = load_ensemble(tmp_path / "ckpt")
    with pytest.raises(VidclsError, match="predicts 4 classes"):
        ensemble.check_feature_file(read_meta(split_path(three, "test")))


# ---------------------------------------------------------------- mismatches


def test_members_with_different_feature_dims_refused(tiny_run_dir: Path, tmp_path: Path) -> None:
    pred, _ = _predecessor_file(tmp_path / "best_ensemble_model_0.pt", feature_dim=16)
    with pytest.raises(VidclsError, match="different feature dims"):
        load_ensemble([str(tiny_run_dir / "seed=0/checkpoints/best.ckpt"), str(pred)])


def test_members_with_different_classes_refused(
    tiny_run_dir: Path, tmp_path: Path, synthetic_features_dir: Path
) -> None:
    src = tiny_run_dir / "seed=1" / "checkpoints" / "best.ckpt"

    def rename(ckpt: dict) -> None:
        ckpt["hyper_parameters"]["class_names"] = ["W", "X", "Y", "Z"]

    other = _edit_checkpoint(src, tmp_path / "other" / "checkpoints" / "best.ckpt", rename)
    with pytest.raises(VidclsError, match="disagree on classes"):
        load_ensemble([str(tiny_run_dir / "seed=0/checkpoints/best.ckpt"), str(other)])
    # ... and against a feature file
    ensemble = load_ensemble(other)
    with pytest.raises(VidclsError, match="same classes"):
        ensemble.check_feature_file(read_meta(split_path(synthetic_features_dir, "test")))


def test_members_from_different_backbones_refused(tiny_run_dir: Path, tmp_path: Path) -> None:
    src = tiny_run_dir / "seed=1" / "checkpoints" / "best.ckpt"

    def rebackbone(ckpt: dict) -> None:
        ckpt["hyper_parameters"]["provenance"]["backbone"] = "resnet50"

    other = _edit_checkpoint(src, tmp_path / "other" / "checkpoints" / "best.ckpt", rebackbone)
    with pytest.raises(VidclsError, match="backbone"):
        load_ensemble([str(tiny_run_dir / "seed=0/checkpoints/best.ckpt"), str(other)])


def test_feature_file_mismatches_refused(tiny_run_dir: Path, tmp_path: Path) -> None:
    ensemble = load_ensemble(tiny_run_dir)
    wrong_dim = write_synthetic_splits(tmp_path / "d16", 2, max_frames=8, feature_dim=16)
    with pytest.raises(VidclsError, match="16-dim features but the checkpoints expect 32"):
        ensemble.check_feature_file(read_meta(split_path(wrong_dim, "test")))
    wrong_backbone = write_synthetic_splits(tmp_path / "bb", 2, max_frames=16, feature_dim=32, backbone="resnet50")
    with pytest.raises(VidclsError, match=r"extracted differently.*backbone"):
        ensemble.check_feature_file(read_meta(split_path(wrong_backbone, "test")))
    wrong_classes = write_synthetic_splits(
        tmp_path / "cls", 2, class_names=("P", "Q", "R", "S"), max_frames=16, feature_dim=32
    )
    with pytest.raises(VidclsError, match="same classes"):
        ensemble.check_feature_file(read_meta(split_path(wrong_classes, "test")))


# ---------------------------------------------------------------- safety


class _Payload:
    """Stands in for arbitrary pickled code: unpickling it flips a flag."""

    ran = False

    def __reduce__(self):
        return (_mark_ran, ())


def _mark_ran() -> str:
    _Payload.ran = True
    return "ran"


def test_unsafe_pickle_refused_unless_allowed(tiny_run_dir: Path, tmp_path: Path) -> None:
    src = tiny_run_dir / "seed=0" / "checkpoints" / "best.ckpt"

    def add_payload(ckpt: dict) -> None:
        ckpt["extra"] = _Payload()

    path = _edit_checkpoint(src, tmp_path / "evil.ckpt", add_payload)
    _Payload.ran = False
    with pytest.raises(VidclsError, match=r"would call .*_mark_ran when loaded") as refused:
        load_member(path)
    assert "allow_unsafe_load" not in str(refused.value)  # a file that calls code is never invited to load
    assert _Payload.ran is False
    member = load_member(path, allow_unsafe_load=True)
    assert _Payload.ran is True and member.class_names == ["ClassA", "ClassB", "ClassC", "ClassD"]


class _Shell:
    def __reduce__(self):
        return (os.system, ("echo should-never-run",))


class _Namespace:
    """A plain class instance pickled into a checkpoint (as some training scripts store their args)."""


def test_refusal_names_what_the_file_would_call(tiny_run_dir: Path, tmp_path: Path) -> None:
    src = tiny_run_dir / "seed=0" / "checkpoints" / "best.ckpt"
    shell = _edit_checkpoint(src, tmp_path / "shell.ckpt", lambda ckpt: ckpt.update(extra=_Shell()))
    with pytest.raises(VidclsError, match=r"would call (posix|nt)\.system when loaded") as refused:
        load_member(shell)
    assert "allow_unsafe_load" not in str(refused.value) and "truncated" not in str(refused.value)
    plain = _edit_checkpoint(src, tmp_path / "plain.ckpt", lambda ckpt: ckpt.update(args=_Namespace()))
    with pytest.raises(VidclsError, match=r"_Namespace .*allow_unsafe_load=true"):
        load_member(plain)


def test_model_class_outside_vidcls_refused(tiny_run_dir: Path, tmp_path: Path) -> None:
    src = tiny_run_dir / "seed=0" / "checkpoints" / "best.ckpt"

    def retarget(ckpt: dict) -> None:
        ckpt["hyper_parameters"]["net"]["_target_"] = "os.system"

    path = _edit_checkpoint(src, tmp_path / "target.ckpt", retarget)
    with pytest.raises(VidclsError, match="outside the vidcls package"):
        load_member(path)
    with pytest.raises(VidclsError, match=r"not a torch\.nn\.Module"):
        load_member(path, allow_unsafe_load=True)


def test_corrupt_and_foreign_files(tmp_path: Path, tiny_run_dir: Path) -> None:
    garbage = tmp_path / "garbage.ckpt"
    garbage.write_bytes(b"not a checkpoint at all" * 20)
    with pytest.raises(VidclsError, match="cannot read checkpoint"):
        load_member(garbage)
    truncated = tmp_path / "truncated.ckpt"
    truncated.write_bytes((tiny_run_dir / "seed=0/checkpoints/best.ckpt").read_bytes()[:4000])
    with pytest.raises(VidclsError, match="cannot read checkpoint"):
        load_member(truncated)
    foreign = tmp_path / "foreign.pt"
    torch.save({"weights": torch.zeros(2)}, foreign)
    with pytest.raises(VidclsError, match="neither a vidcls Lightning checkpoint"):
        load_member(foreign)


def test_subset_keeps_classes(tiny_run_dir: Path) -> None:
    ensemble = load_ensemble(tiny_run_dir)
    sub = ensemble.subset(["seed=1"])
    assert isinstance(sub, Ensemble) and sub.names == ["seed=1"] and sub.class_names == ensemble.class_names


def test_member_names_unique_for_flat_runs(tmp_path: Path, tiny_run_dir: Path) -> None:
    for run in ("a/x", "b/x"):
        dst = tmp_path / run / "checkpoints"
        dst.mkdir(parents=True)
        shutil.copy(tiny_run_dir / "seed=0/checkpoints/best.ckpt", dst / "best.ckpt")
    assert load_ensemble(tmp_path).names == ["a/x", "b/x"]


def test_device_auto_and_missing_cuda(tiny_run_dir: Path) -> None:
    ensemble = load_ensemble(tiny_run_dir, device="auto")
    assert ensemble.device.type == ("cuda" if torch.cuda.is_available() else "cpu")
    if not torch.cuda.is_available():
        with pytest.raises(VidclsError, match="no CUDA GPU"):
            load_ensemble(tiny_run_dir, device="cuda")
