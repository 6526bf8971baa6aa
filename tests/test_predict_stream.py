"""predict.py's answers file (issue 26 parts 1-2) and its table (issue 27 item 4), on tiny_cnn checkpoints.

tiny_cnn at 32 px and 4 frames keeps 200 files to a few seconds; the clips are hard links to four
generated ones (decoding identical content is fine, the paths differ).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from omegaconf import DictConfig
from rich.console import Console
from run_python import run_python
from synth_video import write_test_video
from tiny_checkpoints import train_tiny_checkpoints

from vidcls.errors import VidclsError
from vidcls.extraction import FeatureExtractor
from vidcls.inference import VideoPredictor, load_ensemble
from vidcls.inference.answers import meta_path, read_records, shard_path
from vidcls.inference.ensemble import ROW_BLOCK
from vidcls.inference.predictor import VideoPrediction
from vidcls.schema import SPLITS, split_path, write_feature_file
from vidcls.synthetic import SYNTHETIC_CLASS_NAMES, synthetic_features
from vidcls.tasks.predict import classify, results_table

ROOT = Path(__file__).resolve().parents[1]
TINY = {"backbone": "tiny_cnn", "weights": None, "num_frames": 4, "scales": [1.0], "frame_size": 32}


@pytest.fixture(scope="session")
def tiny_ckpts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two members trained (1 epoch) on synthetic features that claim tiny_cnn provenance."""
    root = tmp_path_factory.getbasetemp() / "tiny_cnn_predict"
    provenance = FeatureExtractor(**TINY, runtime="torch").provenance
    features = root / "features"
    for offset, split in enumerate(SPLITS):
        feats, labels, lengths = synthetic_features(
            6, max_frames=4, feature_dim=provenance["feature_dim"], min_frames=1, seed=offset
        )
        path = split_path(features, split)
        write_feature_file(path, feats, labels, lengths, SYNTHETIC_CLASS_NAMES, provenance=provenance)
    return train_tiny_checkpoints(features, root / "ckpts", seeds=(0, 1), epochs=1)


@pytest.fixture(scope="session")
def clips(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """200 files in 4 folders (c0/v000.mp4 ...), hard links to 4 tiny generated clips."""
    root = tmp_path_factory.mktemp("stream_clips")
    sources = [
        write_test_video(root / "src" / f"s{i}.mp4", num_frames=6, fps=12, size=(32, 32), seed=i) for i in range(4)
    ]
    for i in range(200):
        folder = root / "videos" / f"c{i % 4}"
        folder.mkdir(parents=True, exist_ok=True)
        os.link(sources[i % 4], folder / f"v{i:03d}.mp4")
    return root / "videos"


def predict_cfg(compose_cfg: Callable[..., DictConfig], tmp_path: Path, ckpts: Path, *overrides: str) -> DictConfig:
    return compose_cfg(
        "predict",
        [f"ckpt_paths='{ckpts}'", "tta=none", "extractor_runtime=torch", "num_workers=2", *overrides],
        {"paths.root_dir": str(ROOT), "paths.output_dir": str(tmp_path)},
    )


def few(clips: Path, n: int = 3) -> str:
    return "[" + ",".join(str(clips / f"c{i % 4}" / f"v{i:03d}.mp4") for i in range(n)) + "]"


def lines(path: Path) -> list[str]:
    return path.read_text().splitlines(keepends=True)


@pytest.mark.slow
def test_killed_run_resumes_to_the_uninterrupted_answers(
    tiny_ckpts: Path, clips: Path, tmp_path: Path, compose_cfg: Callable[..., DictConfig]
) -> None:
    reference = tmp_path / "reference.jsonl"
    classify(predict_cfg(compose_cfg, tmp_path, tiny_ckpts, f"video={clips}", f"output_file={reference}"))
    assert len(lines(reference)) == 200

    answers = tmp_path / "answers.jsonl"
    argv = [sys.executable, str(ROOT / "predict.py"), f"video={clips}", f"ckpt_paths={tiny_ckpts}", "tta=none",
            "extractor_runtime=torch", f"output_file={answers}", f"hydra.run.dir={tmp_path / 'run'}"]  # fmt: skip
    env = dict(os.environ, OMP_NUM_THREADS="1", PYTHONPATH=str(ROOT))
    proc = subprocess.Popen(argv, cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while proc.poll() is None and time.monotonic() < deadline:
        if answers.is_file() and answers.read_bytes().count(b"\n") >= 20:
            proc.send_signal(signal.SIGKILL)
            break
        time.sleep(0.005)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL, "the run must be killed midway"
    killed_at = len(lines(answers))
    assert 20 <= killed_at < 200

    resumed = run_python(*argv[1:], "resume=true", cwd=tmp_path)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert f"{killed_at} file(s) already answered" in resumed.stderr
    got = lines(answers)
    assert len(got) == 200 and len({json.loads(x)["path"] for x in got}) == 200  # each file answered once
    assert sorted(got) == sorted(lines(reference))
    assert got == lines(reference)  # the same order too: resumed files come in input order
    assert json.loads(meta_path(answers).read_text())["complete"] is True


def test_torn_last_line_is_dropped_on_resume(
    tiny_ckpts: Path, clips: Path, tmp_path: Path, compose_cfg: Callable[..., DictConfig], capsys
) -> None:
    answers = tmp_path / "a.jsonl"
    args = (f"video={few(clips)}", f"output_file={answers}")
    classify(predict_cfg(compose_cfg, tmp_path, tiny_ckpts, *args))
    whole = answers.read_bytes()
    answers.write_bytes(whole[:-25])  # killed mid-write: the last record has no end
    with pytest.raises(ValueError):
        json.loads(lines(answers)[-1])
    _, summary = classify(predict_cfg(compose_cfg, tmp_path, tiny_ckpts, *args, "resume=true"))
    assert answers.read_bytes() == whole
    assert summary["written"] == 1 and summary["resumed"] == 2
    assert "dropped a torn last line" in capsys.readouterr().err


def test_other_ensemble_or_settings_refused_and_existing_file_kept(
    tiny_ckpts: Path, clips: Path, tmp_path: Path, compose_cfg: Callable[..., DictConfig]
) -> None:
    answers = tmp_path / "a.jsonl"
    args = (f"video={few(clips)}", f"output_file={answers}")
    classify(predict_cfg(compose_cfg, tmp_path, tiny_ckpts, *args))
    before = answers.read_bytes()
    with pytest.raises(VidclsError, match=r"already exists; pass resume=true .* or delete it"):
        classify(predict_cfg(compose_cfg, tmp_path, tiny_ckpts, *args))
    one_member = tiny_ckpts / "seed=0" / "checkpoints" / "best.ckpt"
    with pytest.raises(VidclsError, match=r"another ensemble or settings \(differs in: checkpoints\)"):
        classify(predict_cfg(compose_cfg, tmp_path, one_member, *args, "resume=true"))
    with pytest.raises(VidclsError, match=r"differs in: tta"):
        classify(predict_cfg(compose_cfg, tmp_path, tiny_ckpts, *args, "resume=true", "tta=temporal4"))
    assert answers.read_bytes() == before
    meta_path(answers).unlink()
    with pytest.raises(VidclsError, match=r"has no a\.jsonl\.meta\.json"):
        classify(predict_cfg(compose_cfg, tmp_path, tiny_ckpts, *args, "resume=true"))
    with pytest.raises(VidclsError, match=r"must end in \.jsonl .* or \.csv"):
        classify(predict_cfg(compose_cfg, tmp_path, tiny_ckpts, *args[:1], f"output_file={tmp_path / 'a.txt'}"))


def test_csv_rows_and_a_changed_file_answered_again_once(
    tiny_ckpts: Path, clips: Path, tmp_path: Path, compose_cfg: Callable[..., DictConfig]
) -> None:
    folder = tmp_path / "v"
    folder.mkdir()
    for i in range(3):
        (folder / f"x{i}.mp4").write_bytes((clips / f"c{i}" / f"v{i:03d}.mp4").read_bytes())
    (folder / "notes.txt").write_text("not a video")
    answers = tmp_path / "a.csv"
    args = (f"video={folder}", f"output_file={answers}")
    classify(predict_cfg(compose_cfg, tmp_path, tiny_ckpts, *args))
    rows = lines(answers)
    assert (
        rows[0].strip()
        == "path,ok,error,predicted,confidence,"
        + ",".join(f"p_{c}" for c in SYNTHETIC_CLASS_NAMES)
        + ",size_bytes,mtime_ns"
    )
    records = read_records(answers, "csv", SYNTHETIC_CLASS_NAMES)
    assert [Path(r["path"]).name for r in records] == ["notes.txt", "x0.mp4", "x1.mp4", "x2.mp4"]
    assert [r["ok"] for r in records] == [False, True, True, True]
    probs = [float(v) for v in rows[2].strip().split(",")[5:9]]
    assert sum(probs) == pytest.approx(1.0, abs=1e-4)

    os.utime(folder / "x1.mp4", ns=(1, 1))  # changed since it was answered: answered again, its old row removed
    _, summary = classify(predict_cfg(compose_cfg, tmp_path, tiny_ckpts, *args, "resume=true"))
    assert summary["written"] == 1 and summary["resumed"] == 3
    records = read_records(answers, "csv", SYNTHETIC_CLASS_NAMES)
    assert sorted(Path(r["path"]).name for r in records) == ["notes.txt", "x0.mp4", "x1.mp4", "x2.mp4"]
    assert [r["mtime_ns"] for r in records if r["path"].endswith("x1.mp4")] == [1]


@pytest.mark.slow
def test_joblib_shards_merge_into_the_single_run_file(
    tiny_ckpts: Path, clips: Path, tmp_path: Path, compose_cfg: Callable[..., DictConfig]
) -> None:
    videos = tmp_path / "videos"
    for i in range(9):
        (videos / f"c{i % 4}").mkdir(parents=True, exist_ok=True)
        os.link(clips / f"c{i % 4}" / f"v{i:03d}.mp4", videos / f"c{i % 4}" / f"v{i:03d}.mp4")
    single = tmp_path / "single.jsonl"
    classify(predict_cfg(compose_cfg, tmp_path, tiny_ckpts, f"video={videos}", f"output_file={single}"))

    merged = tmp_path / "merged.jsonl"
    proc = run_python(
        str(ROOT / "predict.py"), "-m", f"video={videos}", f"ckpt_paths={tiny_ckpts}", "tta=none",
        "extractor_runtime=torch", f"output_file={merged}", "num_shards=2", "shard=0,1", "hydra/launcher=joblib",
        "hydra.launcher.n_jobs=2", f"hydra.sweep.dir={tmp_path / 'sweep'}", cwd=tmp_path, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Joblib" in proc.stdout + proc.stderr, "the shards must run through the joblib launcher"
    assert "merged 2 answers shards" in proc.stderr
    shard_lines = [lines(shard_path(merged, i, 2)) for i in range(2)]
    assert [len(x) for x in shard_lines] == [5, 4]  # every 2nd sorted input: disjoint, deterministic
    assert merged.read_bytes() == single.read_bytes()
    assert json.loads(meta_path(merged).read_text()) == json.loads(meta_path(single).read_text())
    jobs = sorted(p.name for p in (tmp_path / "sweep").iterdir() if p.is_dir())
    assert jobs == ["extractor_runtime=torch,num_shards=2,shard=0,tta=none",
                    "extractor_runtime=torch,num_shards=2,shard=1,tta=none"]  # fmt: skip


def test_shards_need_an_output_file_and_a_valid_index(
    tiny_ckpts: Path, clips: Path, tmp_path: Path, compose_cfg: Callable[..., DictConfig]
) -> None:
    with pytest.raises(VidclsError, match="add output_file="):
        classify(predict_cfg(compose_cfg, tmp_path, tiny_ckpts, f"video={few(clips)}", "num_shards=2"))
    with pytest.raises(VidclsError, match=r"shard must be in 0\.\.num_shards-1"):
        classify(predict_cfg(compose_cfg, tmp_path, tiny_ckpts, f"video={few(clips)}", "num_shards=2", "shard=2"))
    merge = (f"video={few(clips)}", f"output_file={tmp_path / 'm.jsonl'}", "num_shards=2", "merge=true")
    with pytest.raises(VidclsError, match=r"answers shard\(s\) \[0, 1\] of 2 are missing"):
        classify(predict_cfg(compose_cfg, tmp_path, tiny_ckpts, *merge))


# -- issue 27 item 4: the table --------------------------------------------------------------------


def test_table_tells_same_named_files_apart() -> None:
    probs = np.array([0.7, 0.1, 0.1, 0.1])
    names = list(SYNTHETIC_CLASS_NAMES)
    results = [
        VideoPrediction("/data/Cats/good0.mp4", names, probs=probs),
        VideoPrediction("/data/Dogs/good0.mp4", names, probs=probs),
        VideoPrediction("/data/Dogs/other.mp4", names, error="x"),
    ]
    console = Console(record=True, width=200)
    console.print(results_table(results, names))
    text = console.export_text()
    assert "Cats/good0.mp4" in text and "Dogs/good0.mp4" in text
    assert "Dogs/other.mp4" not in text and "other.mp4" in text  # unique names stay short


def test_table_errors_go_to_stderr_and_a_symlink_loop_is_named(
    tiny_ckpts: Path, clips: Path, tmp_path: Path, compose_cfg: Callable[..., DictConfig], capsys
) -> None:
    loop = tmp_path / "loop.mp4"
    loop.symlink_to(loop.name)
    good = clips / "c0" / "v000.mp4"
    classify(predict_cfg(compose_cfg, tmp_path, tiny_ckpts, f"video=[{good},{loop},{tmp_path / 'gone.mp4'}]"))
    captured = capsys.readouterr()
    assert "v000.mp4" in captured.out and "error:" not in captured.out
    assert f"error: {loop}: symlink loop" in captured.err
    assert f"error: {tmp_path / 'gone.mp4'}: no such file" in captured.err

    predictor = VideoPredictor.from_ensemble(load_ensemble(tiny_ckpts), runtime="torch")
    assert "symlink loop" in (predictor.predict_file(loop).error or "")


def test_one_torch_thread_restores_the_count() -> None:
    import torch

    from vidcls.inference.stream import one_torch_thread

    before = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        with one_torch_thread(True):
            assert torch.get_num_threads() == 1
        assert torch.get_num_threads() == 2
        with one_torch_thread(False):
            assert torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(before)


def test_a_timeline_streams_its_windows_and_its_window_length_is_a_setting(
    tiny_ckpts: Path, clips: Path, tmp_path: Path, compose_cfg: Callable[..., DictConfig]
) -> None:
    """segment_s with output_file: each line carries the windows and spans; another segment_s is refused."""
    answers = tmp_path / "a.jsonl"
    args = (f"video={few(clips, 2)}", f"output_file={answers}")
    classify(predict_cfg(compose_cfg, tmp_path, tiny_ckpts, *args, "segment_s=0.25"))  # clips last 0.5 s
    records = [json.loads(line) for line in lines(answers)]
    assert len(records) == 2 and all(r["ok"] for r in records)
    for record in records:
        bounds = [b for w in record["windows"] for b in (w["start_s"], w["end_s"])]
        assert bounds == pytest.approx([0, 0.25, 0.25, 0.5], abs=0.05)
        assert record["spans"] and record["spans"][0]["start_s"] == 0
    assert json.loads(meta_path(answers).read_text())["settings"]["segment_s"] == 0.25
    with pytest.raises(VidclsError, match="segment_s"):
        classify(predict_cfg(compose_cfg, tmp_path, tiny_ckpts, *args, "segment_s=0.5", "resume=true"))
    with pytest.raises(VidclsError, match="segment_s"):
        classify(predict_cfg(compose_cfg, tmp_path, tiny_ckpts, *args, "resume=true"))


def test_a_shard_run_is_not_refused_for_the_merged_file_existing(
    tiny_ckpts: Path, clips: Path, tmp_path: Path, compose_cfg: Callable[..., DictConfig]
) -> None:
    """The refusal of an existing file is about the file a run writes: a shard's, not the merged output_file."""
    answers = tmp_path / "a.jsonl"
    classify(predict_cfg(compose_cfg, tmp_path, tiny_ckpts, f"video={few(clips, 4)}", f"output_file={answers}"))
    shard = ("num_shards=2", "shard=0")
    classify(predict_cfg(compose_cfg, tmp_path, tiny_ckpts, f"video={few(clips, 4)}", f"output_file={answers}", *shard))
    assert len(lines(shard_path(answers, 0, 2))) == 2
    with pytest.raises(VidclsError, match="already exists; pass resume=true"):  # the shard's own file now exists
        classify(
            predict_cfg(compose_cfg, tmp_path, tiny_ckpts, f"video={few(clips, 4)}", f"output_file={answers}", *shard)
        )


def test_csv_answers_with_a_comma_in_a_class_name_resume(tmp_path: Path) -> None:
    """The CSV header is quoted like the rows, so the file's own header reads back (it was joined by hand)."""
    from vidcls.inference.answers import AnswerWriter, answer_settings

    names = ["Flat, slides", "Other"]
    settings = answer_settings([], ["original"], {"backbone": "tiny_cnn"}, names)
    answers = tmp_path / "a.csv"
    writer = AnswerWriter(answers, settings, False, 1, 0.0)
    writer.write(VideoPrediction(path="x.mp4", class_names=names, probs=np.array([0.25, 0.75])), (3, 4))
    writer.close(True)
    assert lines(answers)[0].startswith('path,ok,error,predicted,confidence,"p_Flat, slides",p_Other')
    resumed = AnswerWriter(answers, settings, True, 1, 0.0)
    assert resumed.is_answered("x.mp4", (3, 4))
    resumed.close(True)


# -- issue 26 part 3: files batched through the ensemble --------------------------------------------


@pytest.fixture(scope="session")
def mixed_clips(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """20 clips of 1, 2, 3 and 6 frames (feature lengths 1, 2, 3 and 4), interleaved."""
    root = tmp_path_factory.mktemp("mixed_clips")
    frames = [1, 2, 3, 6]
    return [
        write_test_video(root / f"m{i:02d}.mp4", num_frames=frames[i % 4], fps=12, size=(32, 32), seed=i)
        for i in range(20)
    ]


def _spy_batches(monkeypatch: pytest.MonkeyPatch, predictor: VideoPredictor, fail_batches: bool = False) -> list[int]:
    """Record how many files each ensemble call of ``predictor`` held (``fail_batches``: calls of more raise)."""
    sizes: list[int] = []
    original = predictor.predict_extracted_batch

    def spy(videos, paths):  # type: ignore[no-untyped-def]
        sizes.append(len(videos))
        if fail_batches and len(videos) > 1:
            raise RuntimeError("a batch failed")
        return original(videos, paths)

    monkeypatch.setattr(predictor, "predict_extracted_batch", spy)
    return sizes


def _records(results: list[VideoPrediction]) -> list[str]:
    return [json.dumps(r.to_dict()) + "\n" for r in results]


def test_batched_stream_writes_the_per_file_answers(
    tiny_ckpts: Path, mixed_clips: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Files classified together (ROW_BLOCK to an ensemble call) get the bits each gets alone (predict_file),
    TTA views included."""
    from vidcls.inference.stream import stream_predictions

    predictor = VideoPredictor.from_ensemble(
        load_ensemble(tiny_ckpts), tta=["original", "reversed", "speed_up", "slow_down"], runtime="torch"
    )
    sizes = _spy_batches(monkeypatch, predictor)
    streamed = list(stream_predictions(predictor, mixed_clips, 2, batch_wait_s=60))
    # Full blocks while files come, the rest when the input ends.
    assert sizes == [ROW_BLOCK] * (20 // ROW_BLOCK) + [20 % ROW_BLOCK]
    sizes.clear()
    alone = [predictor.predict_file(p) for p in mixed_clips]
    assert sizes == [1] * len(mixed_clips)
    assert all(r.ok for r in alone) and {r.num_frames for r in alone} == {1, 2, 3, 4}
    assert _records(streamed) == _records(alone)
    for s, a in zip(streamed, alone, strict=True):
        assert np.array_equal(s.probs, a.probs) and np.array_equal(s.attention, a.attention)

    # A failing batch costs nothing: each of its files is classified alone, to the same answer.
    sizes = _spy_batches(monkeypatch, predictor, fail_batches=True)
    again = list(stream_predictions(predictor, mixed_clips[:10], 2, batch_wait_s=60))  # one batch
    assert sizes == [10] + [1] * 10
    assert _records(again) == _records(alone[:10])


def test_stream_batches_only_a_batch_invariant_ensemble_and_waits_at_most_batch_wait_s(
    tiny_ckpts: Path, mixed_clips: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    from vidcls.inference import Ensemble
    from vidcls.inference.stream import _ModelThread, stream_predictions

    predictor = VideoPredictor.from_ensemble(load_ensemble(tiny_ckpts), runtime="torch")
    monkeypatch.setattr(Ensemble, "batch_invariant", property(lambda self: False))  # e.g. CUDA
    sizes = _spy_batches(monkeypatch, predictor)
    assert [r.ok for r in stream_predictions(predictor, mixed_clips[:5], 2, batch_wait_s=60)] == [True] * 5
    assert sizes == [1] * 5

    class Echo:  # a predictor whose ensemble call just names its files
        def predict_extracted_batch(self, videos, paths):  # type: ignore[no-untyped-def]
            return [f"{p} of {len(paths)}" for p in paths]

    model = _ModelThread(Echo(), one_thread=False, block=8, wait_s=0.3)  # type: ignore[arg-type]
    try:
        start = time.monotonic()
        first, _ = model.put(Path("a"), None)
        assert first.result(timeout=10) == "a of 1"  # nobody joined it within 0.3 s
        assert 0.25 <= time.monotonic() - start < 5
    finally:
        model.close()
    model = _ModelThread(Echo(), one_thread=False, block=8, wait_s=60)  # type: ignore[arg-type]
    try:
        waiting = [model.put(Path(name), None)[0] for name in "bcd"]
        model.flush()  # the reader needs them now
        assert [f.result(timeout=10) for f in waiting] == ["b of 3", "c of 3", "d of 3"]
    finally:
        model.close()
