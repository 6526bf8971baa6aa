"""Temperature scaling: the fit, its storage in checkpoints, and its use by the shared inference path."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import torch
from tiny_checkpoints import train_tiny_checkpoints

from vidcls.errors import VidclsError
from vidcls.inference import Ensemble, load_ensemble, load_member
from vidcls.inference.calibration import calibrate_checkpoint, fit_temperature, member_logits
from vidcls.schema import read_meta, split_path


@pytest.fixture(scope="session")
def tiny_run_dir(tmp_path_factory: pytest.TempPathFactory, synthetic_features_dir: Path) -> Path:
    return train_tiny_checkpoints(synthetic_features_dir, tmp_path_factory.getbasetemp() / "tiny_ckpts", epochs=3)


def test_fit_recovers_a_known_temperature() -> None:
    gen = torch.Generator().manual_seed(0)
    true_logits = torch.randn(4000, 4, generator=gen) * 2
    labels = torch.multinomial(torch.softmax(true_logits, dim=1), 1, generator=gen).squeeze(1)
    assert fit_temperature(true_logits * 3.0, labels) == pytest.approx(3.0, rel=0.1)  # overconfident by 3x
    assert fit_temperature(true_logits / 2.0, labels) == pytest.approx(0.5, rel=0.1)  # underconfident
    assert fit_temperature(true_logits, labels) == pytest.approx(1.0, rel=0.1)


def test_ensemble_fit_shares_one_temperature() -> None:
    gen = torch.Generator().manual_seed(1)
    logits = torch.randn(500, 4, generator=gen) * 3
    labels = torch.randint(0, 4, (500,), generator=gen)
    assert fit_temperature(logits[None], labels) == pytest.approx(fit_temperature(logits, labels), rel=1e-5)
    two = torch.stack([logits, logits * 2])  # the second member twice as sharp: T lies between theirs
    t_each = (fit_temperature(logits, labels), fit_temperature(logits * 2, labels))
    assert min(t_each) <= fit_temperature(two, labels) <= max(t_each)


def test_fit_rejects_empty_input() -> None:
    with pytest.raises(VidclsError):
        fit_temperature(torch.zeros(0, 4), torch.zeros(0, dtype=torch.long))


def _calibrated_copy(tiny_run_dir: Path, features_dir: Path, dst: Path) -> tuple[Path, dict]:
    src = tiny_run_dir / "seed=0" / "checkpoints" / "best.ckpt"
    path = dst / "seed=0" / "checkpoints" / "best.ckpt"
    path.parent.mkdir(parents=True)
    shutil.copy(src, path)
    return path, calibrate_checkpoint(path, read_meta(split_path(features_dir, "val")))


def test_checkpoint_carries_temperature_and_inference_applies_it(
    tiny_run_dir: Path, synthetic_features_dir: Path, tmp_path: Path
) -> None:
    path, stats = _calibrated_copy(tiny_run_dir, synthetic_features_dir, tmp_path)
    member = load_member(path)
    assert member.temperature == pytest.approx(stats["temperature"]) and member.temperature != 1.0
    assert stats["nll_after"] <= stats["nll_before"] + 1e-9
    test_meta = read_meta(split_path(synthetic_features_dir, "test"))
    logits, _ = member_logits(member, test_meta)
    with h5_batch(test_meta) as (x, lengths):
        out = Ensemble([member]).predict(x, lengths, tta=["original"])
        raw = Ensemble([load_member(path)], apply_temperature=False).predict(x, lengths, tta=["original"])
    expected = torch.softmax(logits / member.temperature, dim=1)
    torch.testing.assert_close(out.member_probs[0], expected, atol=1e-5, rtol=1e-4)
    torch.testing.assert_close(out.raw_member_probs[0], torch.softmax(logits, dim=1), atol=1e-5, rtol=1e-4)
    torch.testing.assert_close(raw.member_probs[0], out.raw_member_probs[0])
    assert torch.equal(out.probs.argmax(1), raw.probs.argmax(1))  # one member: T never changes its answer
    # load_ensemble (eval, predict and the web page) applies it by default
    assert load_ensemble(path).calibrated and not load_ensemble(path, apply_temperature=False).calibrated


class h5_batch:  # a tiny context manager reading the whole file as one batch
    def __init__(self, meta) -> None:
        self.meta = meta

    def __enter__(self) -> tuple[torch.Tensor, torch.Tensor]:
        import h5py

        with h5py.File(self.meta.path, "r") as f:
            return torch.from_numpy(f["features"][()]).float(), torch.from_numpy(f["num_frames"][()]).long()

    def __exit__(self, *exc: object) -> None:
        return None


def test_bad_stored_temperature_is_a_clear_error(tiny_run_dir: Path, tmp_path: Path) -> None:
    ckpt = torch.load(tiny_run_dir / "seed=0" / "checkpoints" / "best.ckpt", map_location="cpu", weights_only=True)
    ckpt["hyper_parameters"]["temperature"] = -1.0
    bad = tmp_path / "bad.ckpt"
    torch.save(ckpt, bad)
    with pytest.raises(VidclsError, match="temperature"):
        load_member(bad)


@pytest.mark.slow
def test_eval_reports_before_and_after(tiny_run_dir: Path, synthetic_features_dir: Path, tmp_path: Path) -> None:
    from hydra import compose, initialize_config_dir

    from vidcls.tasks.evaluate import run as evaluate

    _, stats = _calibrated_copy(tiny_run_dir, synthetic_features_dir, tmp_path / "ckpts")
    root = Path(__file__).resolve().parents[1]
    with initialize_config_dir(config_dir=str(root / "conf"), version_base="1.3"):
        cfg = compose(
            "eval",
            overrides=[
                f"paths.root_dir={root}",
                f"paths.output_dir={tmp_path / 'out'}",
                "data.num_workers=0",
                "bootstrap.num_samples=50",
                f"ckpt_paths={tmp_path / 'ckpts'}",
                f"data.features_dir={synthetic_features_dir}",
                "tta=none",
                "split=val",
            ],
        )
    report = evaluate(cfg)
    t = report["temperature"]
    assert t["members"] == {"seed=0": pytest.approx(stats["temperature"])}
    assert t["after"]["nll"] == pytest.approx(stats["nll_after"], rel=1e-4)  # fitted on val, scored on val
    assert t["before"]["nll"] == pytest.approx(stats["nll_before"], rel=1e-4)
    assert t["before"]["accuracy"] == t["after"]["accuracy"] == report["results"]["ensemble"]["no_tta"]["accuracy"]
    assert report["results"]["ensemble"]["no_tta"]["ece"] == pytest.approx(t["after"]["ece"])


def _copy_run(tiny_run_dir: Path, dst: Path) -> Path:
    for seed in (0, 1):
        path = dst / f"seed={seed}" / "checkpoints" / "best.ckpt"
        path.parent.mkdir(parents=True)
        shutil.copy(tiny_run_dir / f"seed={seed}" / "checkpoints" / "best.ckpt", path)
    return dst


def _calibrate(overrides: list[str]) -> dict:
    from compose_configs import compose_config

    from vidcls.tasks.calibrate import run

    return run(compose_config("calibrate", overrides))


def test_calibrate_py_fits_one_ensemble_temperature_into_every_member(
    tiny_run_dir: Path, synthetic_features_dir: Path, tmp_path: Path
) -> None:
    """calibrate.py: one shared T fitted on a labelled file lowers the ensemble's NLL there; each member stores it."""
    run_dir = _copy_run(tiny_run_dir, tmp_path / "run")
    test_file = split_path(synthetic_features_dir, "test")
    stats = _calibrate([f"ckpt_paths={run_dir}", f"features_file={test_file}"])
    members = load_ensemble(run_dir).members
    assert [m.temperature for m in members] == [pytest.approx(stats["temperature"])] * 2
    assert stats["temperature"] != 1.0 and stats["nll_after"] <= stats["nll_before"] + 1e-9
    meta = read_meta(test_file)
    logits = torch.stack([member_logits(m, meta)[0] for m in members])
    assert stats["temperature"] == pytest.approx(fit_temperature(logits, member_logits(members[0], meta)[1]))
    assert stats["num_videos"] == meta.num_samples
    # A given temperature is stored as is (e.g. cv.py's out-of-fold one); out of range is one clear error.
    given = _calibrate([f"ckpt_paths={run_dir}", "temperature=0.8"])
    assert given["temperature"] == 0.8 and [m.temperature for m in load_ensemble(run_dir).members] == [0.8, 0.8]
    with pytest.raises(VidclsError, match=r"temperature=.* must be a number in \[0\.05, 20\.0\]"):
        _calibrate([f"ckpt_paths={run_dir}", "temperature=0"])
    with pytest.raises(VidclsError, match="needs features_file=FILE"):
        _calibrate([f"ckpt_paths={run_dir}"])


def test_calibrate_py_refuses_features_of_another_extraction(
    tiny_run_dir: Path, synthetic_features_dir: Path, tmp_path: Path
) -> None:
    import h5py

    run_dir = _copy_run(tiny_run_dir, tmp_path / "run")
    other = tmp_path / "other.h5"
    shutil.copy(split_path(synthetic_features_dir, "val"), other)
    with h5py.File(other, "a") as f:
        f.attrs["frame_size"] = "[99, 99]"
    before = (run_dir / "seed=0" / "checkpoints" / "best.ckpt").read_bytes()
    with pytest.raises(VidclsError, match="extracted differently from the checkpoints"):
        _calibrate([f"ckpt_paths={run_dir}", f"features_file={other}"])
    assert (run_dir / "seed=0" / "checkpoints" / "best.ckpt").read_bytes() == before  # nothing written
