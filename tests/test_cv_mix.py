"""scripts/cv_mix.py: two tiny cv.py runs on the same folds (seed ensemble, linear probe) scored as one ensemble."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

import numpy as np
import pytest
from omegaconf import OmegaConf
from test_cv import _cv_cfg, _pool_file

from vidcls.evaluation.cv import run_cv

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

import cv_mix  # noqa: E402


def _cv_run(out: Path, features_file: Path, *overrides: str) -> Path:
    cfg = _cv_cfg(out, features_file, "cv.seeds=[0]", "cv.baseline=false", *overrides)
    run_cv(cfg)
    (out / ".hydra").mkdir()
    OmegaConf.save(cfg, out / ".hydra" / "config.yaml")  # what a `python cv.py` run leaves beside its results
    return out


def _columns(path: Path, prefix: str) -> np.ndarray:
    with path.open(newline="") as f:
        rows = list(csv.DictReader(f))
    names = [k for k in rows[0] if k.startswith(f"{prefix}/p_")]
    return np.array([[float(r[k]) for k in names] for r in rows])


@pytest.mark.slow
def test_mixture_weighs_the_probe_by_its_share_and_matches_each_run(tmp_path: Path, capsys) -> None:
    features_file, _ = _pool_file(tmp_path / "pool.h5", with_groups=True)
    run_a = _cv_run(tmp_path / "seeds", features_file)
    # the probe's experiment, as the real-video CV runs it (its data and trainer settings, share 0.5)
    run_b = _cv_run(tmp_path / "probe", features_file, "experiment=demo_probe")
    out = tmp_path / "mix"
    assert cv_mix.main([str(run_a), str(run_b), "--out", str(out)]) == 0
    report = json.loads((out / "cv_mix.json").read_text())
    assert report["weights"] == [0.5, 0.5] and report["members_a"] == 1
    mixed = out / "cv_mix_predictions.csv"
    # run A alone is what cv.py reported for it (rows aligned across folds), the probe what cv.py reported for it
    alone = _columns(mixed, "a_alone/tta")
    np.testing.assert_allclose(alone, _columns(run_a / "cv_predictions.csv", "ensemble/tta"), atol=2e-6)
    probe = _columns(run_b / "cv_predictions.csv", "ensemble/tta")
    np.testing.assert_allclose(_columns(mixed, "mixture/tta"), 0.5 * alone + 0.5 * probe, atol=5e-6)
    summary = capsys.readouterr().out
    assert "mixture - a_alone (tta): accuracy" in summary and "out-of-fold temperature per fold" in summary
    assert len(report["oof_temperatures"]) == 3 and "mixture/tta/oof_temperature" in report["results"]

    # --share overrides what the probe's checkpoints carry
    assert cv_mix.main([str(run_a), str(run_b), "--out", str(tmp_path / "mix25"), "--share", "0.25"]) == 0
    assert json.loads((tmp_path / "mix25" / "cv_mix.json").read_text())["weights"] == [0.75, 0.25]
    # runs on other folds are refused with one line
    other = _cv_run(tmp_path / "other", features_file, "cv.fold_seed=5")
    assert cv_mix.main([str(run_a), str(other), "--out", str(tmp_path / "bad")]) == 2
    assert "same clips in the same folds" in capsys.readouterr().err
