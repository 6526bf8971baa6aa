"""The real-video recipe: experiment=real_video composes, and its manifests train on tune sources only."""

from __future__ import annotations

import csv
import importlib.util
import sys
from pathlib import Path

import pytest
from hydra import compose, initialize_config_dir
from hydra.core.global_hydra import GlobalHydra

# imported here, not in the test: a dev-set renderer run in-process before it may put another `tests` on sys.path
from tests.synth_video import write_test_video
from vidcls.demo.real import DEMO_DEVSET_GROUPS

ROOT = Path(__file__).resolve().parents[1]
DEVSET_MANIFEST = ROOT / "devset" / "manifest.csv"


def _builder():
    spec = importlib.util.spec_from_file_location("real_video_manifest", ROOT / "scripts" / "real_video_manifest.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as f:
        return list(csv.DictReader(f))


def test_real_video_experiment_is_the_demo_recipe_on_its_own_features() -> None:
    GlobalHydra.instance().clear()
    with initialize_config_dir(config_dir=str(ROOT / "conf"), version_base="1.3"):
        demo = compose("train", overrides=["experiment=demo"])
        real = compose("train", overrides=["experiment=real_video", "paths.data_dir=/d"])
    # one place for the recipe's hyper-parameters: experiment=demo
    assert real.model == demo.model and real.trainer == demo.trainer and real.callbacks == demo.callbacks
    assert real.data.batch_size == demo.data.batch_size
    assert real.data.features_dir == "/d/real_video/features"
    assert demo.data.source_pattern is None  # the quickstart draws rows plainly


def test_real_video_draws_balance_the_dev_sets_sources_and_the_demos_kinds() -> None:
    import csv
    import re

    from vidcls.datamodules.features import source_of

    GlobalHydra.instance().clear()
    with initialize_config_dir(config_dir=str(ROOT / "conf"), version_base="1.3"):
        pattern = re.compile(compose("train", overrides=["experiment=real_video"]).data.source_pattern)
    with (ROOT / "devset" / "manifest.csv").open(newline="") as f:
        rows = list(csv.DictReader(f))
    assert rows and all(source_of(row["path"], pattern) == row["group"] for row in rows)
    assert source_of("data/demo/videos/Animation/motion_012.mp4", pattern) == "motion"  # kind_NNN


def _demo_manifest(path: Path) -> list[dict[str, str]]:
    rows = [
        {"path": f"{label}/demo_{i}.mp4", "label": label, "split": split}
        for i, (label, split) in enumerate(
            [("Animation", "train"), ("Gaming", "val"), ("Flat_Content", "test"), ("Natural_Content", "train")]
        )
    ]
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=["path", "label", "split"])
        writer.writeheader()
        writer.writerows(rows)
    return rows


def test_training_manifest_holds_demo_and_tune_sources_never_final(tmp_path: Path) -> None:
    builder = _builder()
    demo_rows = _demo_manifest(tmp_path / "demo.csv")
    out, final_out = tmp_path / "rv" / "manifest.csv", tmp_path / "rv" / "final.csv"
    argv = ["--devset", str(DEVSET_MANIFEST), "--devset-dir", str(tmp_path / "devset"), "--demo"]
    argv += [str(tmp_path / "demo.csv"), "--demo-videos", str(tmp_path / "videos")]
    assert builder.main([*argv, "--out", str(out), "--final-out", str(final_out)]) == 0
    rows, devset = _rows(out), _rows(DEVSET_MANIFEST)
    split_of = {r["group"]: r["devset_split"] for r in devset}
    # every demo clip is kept, for training, at an absolute path under the demo's videos
    demo = [r for r in rows if r["group"] == builder.DEMO_GROUP]
    assert [r["path"] for r in demo] == [str((tmp_path / "videos" / r["path"]).resolve()) for r in demo_rows]
    assert {r["split"] for r in demo} == {"train"}
    real = [r for r in rows if r["group"] != builder.DEMO_GROUP]
    # tune only, all of it; never a final source
    assert {split_of[r["group"]] for r in real} == {"tune"}
    assert len(real) == sum(r["devset_split"] == "tune" for r in devset)
    assert all(Path(r["path"]).is_absolute() and r["path"].startswith(str(tmp_path / "devset")) for r in real)
    # train and val are disjoint by source, every class validates on at least one source, demo sources train
    train = {r["group"] for r in real if r["split"] == "train"}
    val = {r["group"] for r in real if r["split"] == "val"}
    assert val and not train & val and not val & DEMO_DEVSET_GROUPS
    assert {r["label"] for r in real if r["split"] == "val"} == {r["label"] for r in real}
    assert {r["label"] for r in real if r["split"] == "train"} == {r["label"] for r in real}
    # the final list holds the final sources alone, as a test split
    final = _rows(final_out)
    assert {split_of[r["group"]] for r in final} == {"final"} and {r["split"] for r in final} == {"test"}
    assert len(final) == sum(r["devset_split"] == "final" for r in devset)
    # the same inputs give the same files
    before = out.read_text()
    assert builder.main([*argv, "--out", str(out)]) == 0 and out.read_text() == before


def test_val_sources_are_a_fraction_of_each_class_and_a_lone_source_trains() -> None:
    builder = _builder()
    tune = [{"group": f"g{i}", "label": "A"} for i in range(8)] + [{"group": "only", "label": "B"}]
    tune += [{"group": g, "label": "C"} for g in sorted(DEMO_DEVSET_GROUPS)] + [{"group": "c1", "label": "C"}]
    val = builder.val_groups(tune, 0.25)
    assert len(val & {f"g{i}" for i in range(8)}) == 2
    assert "only" not in val and "c1" not in val and not val & DEMO_DEVSET_GROUPS
    assert len(builder.val_groups(tune, 0.01)) == 1  # at least one source per class with two or more


def test_a_devset_manifest_without_the_protocol_column_is_one_error_line(tmp_path: Path, capsys) -> None:
    builder = _builder()
    (tmp_path / "old.csv").write_text("path,label,group\nVIDEOS/A/a.mp4,Animation,g\n")
    _demo_manifest(tmp_path / "demo.csv")
    code = builder.main(["--devset", str(tmp_path / "old.csv"), "--demo", str(tmp_path / "demo.csv")])
    err = capsys.readouterr().err.strip()
    assert code == 2 and err.startswith("error: ") and "devset_split" in err and "\n" not in err


@pytest.mark.parametrize("missing", ["devset", "demo"])
def test_a_missing_input_says_what_to_build(tmp_path: Path, capsys, missing: str) -> None:
    builder = _builder()
    paths = {"devset": DEVSET_MANIFEST, "demo": tmp_path / "demo.csv"}
    _demo_manifest(paths["demo"])
    paths[missing] = tmp_path / "nothing.csv"
    code = builder.main(["--devset", str(paths["devset"]), "--demo", str(paths["demo"]), "--out", str(tmp_path / "o")])
    assert code == 2 and "does not exist" in capsys.readouterr().err


def _fake_devset(root: Path) -> None:
    """4 classes x 3 sources x 2 clips: two tune sources and one final source per class."""

    rows = []
    for c, label in enumerate(("Animation", "Flat_Content", "Gaming", "Natural_Content")):
        for s, part in enumerate(("tune", "tune", "final")):
            group = f"src-{label.lower()}-{s}"
            for k in range(2):
                path = f"VIDEOS/{label}/{group}__{k}.mp4"
                write_test_video(root / path, num_frames=24, size=(64, 48), seed=100 * c + 10 * s + k)
                rows.append({"path": path, "label": label, "subkind": "x", "group": group, "devset_split": part})
    with (root / "manifest.csv").open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


@pytest.mark.slow
def test_train_real_video_script_runs_the_whole_recipe(tmp_path: Path) -> None:
    """scripts/train_real_video.sh as written, on a tiny demo and a fake dev set (no registry download)."""
    import json
    import os
    import subprocess

    from vidcls.inference import load_ensemble
    from vidcls.schema import read_meta

    devset, data, out = tmp_path / "devset", tmp_path / "data", tmp_path / "real_video"
    _fake_devset(devset)
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "VIDCLS_DATA_DIR": str(data),
        "VIDCLS_REAL_VIDEO_DIR": str(out),
        "VIDCLS_DEVSET_DIR": str(devset),
        "VIDCLS_REAL_VIDEO_SEEDS": "0,1",
        "VIDCLS_REAL_VIDEO_EXTRACT": "data.clips_per_class=10 num_frames=8 frame_size=96",
        "VIDCLS_REAL_VIDEO_TRAIN": "trainer.max_epochs=2",
    }
    result = subprocess.run(
        ["bash", str(ROOT / "scripts" / "train_real_video.sh")], env=env, capture_output=True, text=True, timeout=900
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    features = data / "real_video" / "features"
    # 40 demo clips and the 4 x 2 tune sources' clips trained or validated; no final clip did
    train, val = (read_meta(features / f"{s}_features_multiscale.h5").num_samples for s in ("train", "val"))
    assert train + val == 40 + 16 and val == 4 * 2  # one of each class's two tune sources validates (2 clips)
    # extract.py's default backbone, the one the temperature was chosen for (docs/results.md, "Style statistics")
    assert read_meta(features / "train_features_multiscale.h5").provenance["backbone"] == "effnet_lite0_style"
    final = read_meta(data / "real_video" / "final_features" / "test_features_multiscale.h5")
    assert final.num_samples == 8
    # one temperature in every member: the script's default, chosen out-of-fold on tune (docs/results.md); the
    # probe beside the seeds, with half of the ensemble's probability
    ensemble = load_ensemble(str(out / "train"))
    assert set(ensemble.temperatures.values()) == {0.65}
    assert ensemble.names[-1] == "probe" and ensemble.weights.tolist() == [0.25, 0.25, 0.5]
    assert ensemble.members[-1].model.pooling == "mean_std"  # real video's probe reads the std over time too
    scores = json.loads((out / "final_eval" / "final_scores.json").read_text())
    assert scores["split"] == "final" and scores["clips"] == 8 and scores["groups"] == 4
    assert "== done." in result.stdout
