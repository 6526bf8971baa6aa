"""scripts/compare_cv.py: paired group-bootstrap difference of two cv.py runs on the same folds."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

from compare_cv import compare, main  # noqa: E402

from vidcls.errors import VidclsError  # noqa: E402

CLASSES = ["A", "B"]


def _run(path: Path, predicted: list[str], folds: list[int] | None = None) -> Path:
    """A cv.py run dir as compare_cv reads it: 12 clips of 6 groups (2 per group), labels A/B alternating by group."""
    path.mkdir(parents=True)
    (path / ".hydra").mkdir()
    (path / ".hydra" / "config.yaml").write_text("seed: 0\ncv:\n  bootstrap:\n    seed: ${seed}\n")
    (path / "cv_metrics.json").write_text(
        json.dumps({"class_names": CLASSES, "bootstrap": {"num_samples": 200, "confidence": 0.95, "unit": "group"}})
    )
    folds = folds or [i // 4 for i in range(12)]
    header = ["video_path", "group", "fold", "label", "ensemble/no_tta/predicted", "ensemble/no_tta/p_A"]
    with (path / "cv_predictions.csv").open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        for i, p in enumerate(predicted):
            writer.writerow([f"v{i}.mp4", f"g{i // 2}", folds[i], CLASSES[(i // 2) % 2], p, "0.5"])
    return path


def test_paired_difference_of_two_runs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    truth = [CLASSES[(i // 2) % 2] for i in range(12)]
    better = _run(tmp_path / "a", truth)  # 12/12 right
    worse = _run(tmp_path / "b", ["A"] * 12)  # right on the 6 A clips only
    diff = compare(better, worse, ["ensemble/no_tta"])["ensemble/no_tta"]
    assert diff["accuracy"]["difference"] == pytest.approx(0.5)
    low, high = diff["accuracy"]["ci"]
    assert 0 <= low <= 0.5 <= high <= 1.0 and high - low > 0  # groups resampled: the share of B groups varies
    # paired: a run against itself differs by exactly 0 on every resample
    same = compare(better, better, ["ensemble/no_tta"])["ensemble/no_tta"]["accuracy"]
    assert same["difference"] == 0 and same["ci"] == [0, 0]
    assert main([str(better), str(worse), "--columns", "ensemble/no_tta"]) == 0
    assert "ensemble/no_tta: accuracy +50.0 points" in capsys.readouterr().out


def test_runs_on_other_folds_or_missing_columns_are_refused(tmp_path: Path) -> None:
    truth = [CLASSES[(i // 2) % 2] for i in range(12)]
    a = _run(tmp_path / "a", truth)
    other_folds = _run(tmp_path / "b", truth, folds=list(np.arange(12) % 3))
    with pytest.raises(VidclsError, match="same clips in the same groups and folds"):
        compare(a, other_folds, ["ensemble/no_tta"])
    with pytest.raises(VidclsError, match="not in both runs"):
        compare(a, a, ["baseline/no_tta"])
    with pytest.raises(VidclsError, match=r"not a finished cv\.py run"):
        compare(a, tmp_path / "nothing", ["ensemble/no_tta"])


def _mix(path: Path, run_a: Path, predicted: list[str]) -> Path:
    """A cv_mix.py folder as compare_cv reads it: cv_mix.json naming run A, and mixture/<mode> columns."""
    path.mkdir(parents=True)
    (path / "cv_mix.json").write_text(json.dumps({"run_a": str(run_a), "run_b": "elsewhere"}))
    with (run_a / "cv_predictions.csv").open(newline="") as f:
        rows = list(csv.DictReader(f))
    with (path / "cv_mix_predictions.csv").open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["video_path", "group", "fold", "label", "mixture/tta/predicted"])
        for row, p in zip(rows, predicted, strict=True):
            writer.writerow([row["video_path"], row["group"], row["fold"], row["label"], p])
    return path


def test_two_mixtures_compare_on_their_run_a_bootstrap(tmp_path: Path) -> None:
    truth = [CLASSES[(i // 2) % 2] for i in range(12)]
    run_a = _run(tmp_path / "a", truth)
    better, worse = _mix(tmp_path / "mix_a", run_a, truth), _mix(tmp_path / "mix_b", run_a, ["A"] * 12)
    diff = compare(better, worse, ["mixture/tta"])["mixture/tta"]["accuracy"]
    assert diff["difference"] == pytest.approx(0.5) and diff["ci"][0] <= 0.5 <= diff["ci"][1]
    # the same resamples as the cv.py runs' own comparison: a mixture equal to run A's predictions differs by 0
    assert compare(better, better, ["mixture/tta"])["mixture/tta"]["accuracy"]["ci"] == [0, 0]
    with pytest.raises(VidclsError, match="not in both runs"):
        compare(better, run_a, ["mixture/tta"])
    (tmp_path / "lost").mkdir()
    (tmp_path / "lost" / "cv_mix.json").write_text(json.dumps({"run_a": "no/such/run"}))
    with pytest.raises(VidclsError, match="relative path not found"):
        compare(tmp_path / "lost", better, ["mixture/tta"])
