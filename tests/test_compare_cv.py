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
