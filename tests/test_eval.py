"""eval.py end to end on tiny trained checkpoints: files written, numbers consistent, selection on val only."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import h5py
import numpy as np
import pytest
from hydra import compose, initialize_config_dir
from omegaconf import DictConfig
from tiny_checkpoints import train_tiny_checkpoints

from vidcls.errors import VidclsError
from vidcls.schema import split_path
from vidcls.synthetic import write_synthetic_splits
from vidcls.tasks.evaluate import run as evaluate

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def tiny_run_dir(tmp_path_factory: pytest.TempPathFactory, synthetic_features_dir: Path) -> Path:
    return train_tiny_checkpoints(synthetic_features_dir, tmp_path_factory.getbasetemp() / "tiny_ckpts", epochs=3)


def _cfg(out_dir: Path, *overrides: str) -> DictConfig:
    with initialize_config_dir(config_dir=str(ROOT / "conf"), version_base="1.3"):
        return compose(
            "eval",
            overrides=[
                f"paths.root_dir={ROOT}",
                f"paths.output_dir={out_dir}",
                "data.num_workers=0",
                "bootstrap.num_samples=200",
                *overrides,
            ],
        )


@pytest.mark.slow
def test_eval_cli_end_to_end(tiny_run_dir: Path, synthetic_features_dir: Path, tmp_path: Path) -> None:
    run_dir = tmp_path / "eval_run"
    proc = subprocess.run(
        [sys.executable, "eval.py", f"ckpt_paths={tiny_run_dir}", f"data.features_dir={synthetic_features_dir}",
         "split=test", "tta=temporal4", f"hydra.run.dir={run_dir}", "data.num_workers=0"],
        cwd=ROOT, capture_output=True, text=True, env={**os.environ, "OMP_NUM_THREADS": "1", "COLUMNS": "160"},
        timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    for name in ("eval_metrics.json", "predictions.csv", "confusion_matrix_tta.png", "confusion_matrix_no_tta.png",
                 "reliability.png"):  # fmt: skip
        assert (run_dir / name).stat().st_size > 0, name
    assert "ensemble" in proc.stdout and "95% CI" in proc.stdout and "ClassA" in proc.stdout

    report = json.loads((run_dir / "eval_metrics.json").read_text())
    assert report["split"] == "test" and report["num_videos"] == 32
    assert set(report["results"]) == {"ensemble", "seed=0", "seed=1"}
    assert all(set(by_mode) == {"tta", "no_tta"} for by_mode in report["results"].values())
    headline = report["results"]["ensemble"]["tta"]
    lo, hi = headline["accuracy_ci"]
    assert lo <= headline["accuracy"] <= hi
    assert headline["accuracy"] > 0.5  # learnable synthetic data: far above chance (0.25)
    assert sum(headline["support"]) == 32 and np.sum(headline["confusion_matrix"]) == 32
    check = headline["ece_if_calibrated"]  # the ECE a calibrated model would show on 32 videos, and the test
    assert check["observed"] == pytest.approx(headline["ece"], abs=1e-6) and 0 <= check["p_value"] <= 1
    assert "calibration check (ensemble, tta): ECE" in " ".join(proc.stdout.split())

    # predictions.csv agrees with the metrics, column by column.
    with (run_dir / "predictions.csv").open() as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 32 and rows[0]["video_path"].startswith("synthetic/test/")
    for model in ("ensemble", "seed=0", "seed=1"):
        for mode in ("tta", "no_tta"):
            acc = np.mean([r[f"{model}/{mode}/predicted"] == r["label"] for r in rows])
            assert acc == pytest.approx(report["results"][model][mode]["accuracy"])
    probs = np.array([[float(r[f"p_{c}"]) for c in report["class_names"]] for r in rows])
    np.testing.assert_allclose(probs.sum(1), 1.0, atol=1e-5)
    members = np.array(
        [[[float(r[f"{m}/tta/p_{c}"]) for c in report["class_names"]] for r in rows] for m in ("seed=0", "seed=1")]
    )
    np.testing.assert_allclose(members.mean(0), probs, atol=2e-6)  # ensemble = mean of members

    # TensorBoard got the same numbers.
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    events = EventAccumulator(str(run_dir / "tensorboard"), size_guidance={"images": 0})
    events.Reload()
    scalar = events.Scalars("eval_test/ensemble/tta/accuracy")[0].value
    assert scalar == pytest.approx(headline["accuracy"])
    assert any("confusion_matrix" in tag for tag in events.Tags()["images"])


def test_select_members_uses_val_only(tiny_run_dir: Path, synthetic_features_dir: Path, tmp_path: Path) -> None:
    cfg = _cfg(
        tmp_path / "sel",
        f"ckpt_paths={tiny_run_dir}",
        f"data.features_dir={synthetic_features_dir}",
        "tta=none",
        "select_members=1",
    )
    report = evaluate(cfg)
    selection = report["selection"]
    assert selection["on_split"] == "val" and len(selection["kept"]) == 1
    val_acc = selection["val_accuracy"]
    assert selection["kept"] == [max(val_acc, key=lambda n: (val_acc[n], -list(val_acc).index(n)))]
    assert set(report["results"]) == {"ensemble", *selection["kept"]}
    assert set(report["results"]["ensemble"]) == {"no_tta"}  # tta=none: the plain pass only
    written = json.loads((tmp_path / "sel" / "eval_metrics.json").read_text())
    assert written["selection"] == selection

    # Selection never looks at the reported split: scrambling the test labels changes the test numbers,
    # not which member is kept or the validation accuracies behind that choice.
    scrambled = tmp_path / "scrambled_test.h5"
    shutil.copy(split_path(synthetic_features_dir, "test"), scrambled)
    with h5py.File(scrambled, "r+") as f:
        f["labels"][...] = (f["labels"][()] + 1) % 4
    again = evaluate(
        _cfg(
            tmp_path / "sel2",
            f"ckpt_paths={tiny_run_dir}",
            f"data.features_dir={synthetic_features_dir}",
            f"data.test_file={scrambled}",
            "tta=none",
            "select_members=1",
        )
    )
    assert again["selection"] == selection
    assert again["results"]["ensemble"]["no_tta"]["accuracy"] != report["results"]["ensemble"]["no_tta"]["accuracy"]


def test_eval_refuses_mismatched_features(tiny_run_dir: Path, tmp_path: Path) -> None:
    other = write_synthetic_splits(tmp_path / "d16", 2, max_frames=8, feature_dim=16)
    cfg = _cfg(tmp_path / "bad", f"ckpt_paths={tiny_run_dir}", f"data.features_dir={other}")
    with pytest.raises(VidclsError, match="different backbones"):
        evaluate(cfg)
    assert not (tmp_path / "bad" / "eval_metrics.json").exists()


def test_eval_predecessor_checkpoint_gets_names_from_file(synthetic_features_dir: Path, tmp_path: Path) -> None:
    from test_inference import _predecessor_file

    _predecessor_file(tmp_path / "old" / "best_ensemble_model_0.pt")
    cfg = _cfg(
        tmp_path / "old_run",
        f"ckpt_paths={tmp_path / 'old'}",
        f"data.features_dir={synthetic_features_dir}",
        "split=val",
    )
    report = evaluate(cfg)
    assert report["class_names"] == ["ClassA", "ClassB", "ClassC", "ClassD"]
    assert report["checkpoints"][0]["kind"] == "predecessor"
    assert set(report["results"]) == {"ensemble", "best_ensemble_model_0"}


def test_empty_split_is_one_user_error(tiny_run_dir: Path, tmp_path: Path) -> None:
    features = write_synthetic_splits(tmp_path / "features", {"train": 4, "val": 2, "test": 0}, max_frames=16)
    cfg = _cfg(tmp_path / "out", f"ckpt_paths={tiny_run_dir}", f"data.features_dir={features}", "split=test")
    with pytest.raises(VidclsError, match=r"the test split is empty: .*test_features_multiscale\.h5"):
        evaluate(cfg)


def test_num_workers_auto_is_read_like_training(
    tiny_run_dir: Path, synthetic_features_dir: Path, tmp_path: Path
) -> None:
    """eval used to read data.num_workers with a bare int(), so the datamodule's `auto` crashed it."""
    cfg = _cfg(tmp_path / "out", f"ckpt_paths={tiny_run_dir}", f"data.features_dir={synthetic_features_dir}",
               "data.num_workers=auto", "tta=none", "bootstrap.num_samples=20")  # fmt: skip
    assert evaluate(cfg)["split"] == "test"


def test_eval_warns_when_the_split_lacks_classes(tiny_run_dir: Path, tmp_path: Path) -> None:
    """A scored split without some class has no recall for it: one warning naming them with counts."""
    features = write_synthetic_splits(tmp_path / "features", 4)
    with h5py.File(split_path(features, "test"), "r+") as f:
        f["labels"][...] = f["labels"][()] % 2  # ClassC, ClassD -> ClassA, ClassB
    cfg = _cfg(tmp_path / "out", f"ckpt_paths={tiny_run_dir}", f"data.features_dir={features}", "tta=none")
    with pytest.warns(UserWarning, match=r"the test split .* has no videos of ClassC, ClassD \(ClassA=8, ClassB=8"):
        evaluate(cfg)
