"""Timelines (``segment_s``) and ``VideoPredictor.predict_frames``, with a model that really tells three kinds
of content apart: trained here on features of short generated clips (cartoon, slides, camera-like noise)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from vidcls.errors import VidclsError
from vidcls.extraction import FeatureExtractor
from vidcls.inference import VideoPrediction, VideoPredictor, load_ensemble
from vidcls.inference.timeline import WindowPrediction, plan_windows

ROOT = Path(__file__).resolve().parents[1]
KINDS = ("Animation", "Flat_Content", "Natural_Content")  # cartoon, slides, camera-like noise
SIZE = 32  # frames are generated at the extractor's frame_size: nothing is resized, so files and arrays agree
FPS = 4
EXTRACTOR = {
    "backbone": "tiny_cnn",
    "weights": None,
    "num_frames": 8,
    "scales": [1.0, 0.85, 1.15],
    "frame_size": SIZE,
    "spatial_scales": [1.0, 0.5],
    "runtime": "torch",
}
#: The keys of today's prediction record; a record without a timeline has exactly these.
RECORD_KEYS = {
    "path",
    "ok",
    "error",
    "class_names",
    "probabilities",
    "predicted",
    "confidence",
    "members",
    "attention",
    "num_frames",
    "duration_s",
}


def render(kind: int, count: int, seed: int) -> np.ndarray:
    """``count`` RGB frames (SIZE x SIZE) of one kind: 0 cartoon, 1 slides, 2 camera-like noise."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:SIZE, 0:SIZE]
    frames = np.empty((count, SIZE, SIZE, 3), dtype=np.uint8)
    if kind == 0:  # flat sky over green ground, a black-outlined yellow ball bouncing across
        sky = np.array([70, 170, 250]) + rng.integers(-20, 21, 3)
        x, y, vx, vy = *rng.uniform(8, 24, 2), *rng.uniform(-2, 2, 2)
        for k in range(count):
            x, y = (x + vx) % SIZE, (y + vy) % (SIZE - 8)
            dist = np.hypot(xx - x, yy - y)
            img = np.empty((SIZE, SIZE, 3), np.uint8)
            img[:] = sky
            img[SIZE - 8 :] = (60, 200, 70)
            img[dist < 8] = 0
            img[dist < 6] = (255, 220, 0)
            frames[k] = img
    elif kind == 1:  # white page, dark lines of "text", a new slide every 2 s
        for k in range(count):
            if k % (2 * FPS) == 0:
                page = np.full((SIZE, SIZE, 3), 250, np.uint8)
                for row in range(4, SIZE - 3, 5):
                    end = int(rng.integers(10, SIZE - 2))
                    page[row : row + 2, 3:end] = 30
            frames[k] = page
    else:  # a smooth scene drifting under strong sensor noise
        phase = rng.uniform(0, 6.28)
        for k in range(count):
            scene = 110 + 50 * np.sin(xx / 5.0 + phase + 0.3 * k) * np.cos(yy / 7.0)
            noisy = scene[..., None] + rng.normal(0, 28, (SIZE, SIZE, 3)) + [10, 0, -10]
            frames[k] = np.clip(noisy, 0, 255).astype(np.uint8)
    return frames


def write_video(path: Path, frames: np.ndarray, fps: int = FPS, gop: int = 12) -> Path:
    with av.open(str(path), mode="w") as container:
        stream = container.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = frames.shape[2], frames.shape[1], "yuv420p"
        stream.options = {"preset": "ultrafast", "crf": "12", "g": str(gop), "bf": "0"}
        for k, image in enumerate(frames):
            frame = av.VideoFrame.from_ndarray(image, format="rgb24")
            frame.pts = k
            container.mux(stream.encode(frame))
        container.mux(stream.encode())
    return path


def decoded_frames(path: Path) -> np.ndarray:
    """Every frame of a file as the decoder gives it (what a caller holding frames would hold)."""
    with av.open(str(path)) as container:
        return np.stack([f.to_ndarray(format="rgb24") for f in container.decode(video=0)])


def centroid_checkpoint(path: Path, pooled: list[np.ndarray], provenance: dict) -> Path:
    """A vidcls checkpoint of a ``MeanPoolBaseline`` whose MLP is a nearest-centroid classifier.

    ``pooled[k]`` holds the mean feature rows of kind ``k``'s clips. The baseline pools rows, applies a
    LayerNorm, then ``Linear -> ReLU -> Linear``: the first layer standardises each normalised feature and
    keeps both signs (``[relu(u), relu(-u)]``), the second scores ``2 c_k . u - |c_k|^2``, i.e. minus the
    squared distance to kind ``k``'s centroid up to a shared constant. Deterministic, and it separates the
    kinds as well as their features do, so the timeline (not a training run's luck) is what is tested.
    """
    import torch

    from vidcls.modules import MeanPoolBaseline

    dim = pooled[0].shape[1]
    net = MeanPoolBaseline(feature_dim=dim, hidden_dim=2 * dim, num_classes=len(pooled), dropout=0.0)
    with torch.no_grad():
        normed = [net.classifier[0](torch.as_tensor(p, dtype=torch.float32)).double() for p in pooled]
        everything = torch.cat(normed)
        mu, sd = everything.mean(0), everything.std(0) + 1e-6
        centroids = torch.stack([((n - mu) / sd).mean(0) for n in normed])
        eye = torch.diag(1 / sd)
        net.classifier[1].weight.copy_(torch.cat([eye, -eye]))
        net.classifier[1].bias.copy_(torch.cat([-mu / sd, mu / sd]))
        net.classifier[4].weight.copy_(torch.cat([2 * centroids, -2 * centroids], dim=1))
        net.classifier[4].bias.copy_(-(centroids**2).sum(1))
    hparams = {
        "net": {
            "_target_": "vidcls.modules.MeanPoolBaseline",
            "feature_dim": dim,
            "hidden_dim": 2 * dim,
            "num_classes": len(pooled),
            "dropout": 0.0,
        },
        "class_names": list(KINDS),
        "feature_dim": dim,
        "provenance": json.loads(json.dumps(dict(provenance))),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    state = {f"net.{k}": v for k, v in net.state_dict().items()}
    torch.save({"state_dict": state, "hyper_parameters": hparams}, path)
    return path


@pytest.fixture(scope="module")
def kinds_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A checkpoint (tiny_cnn provenance, T=8, three temporal and two spatial scales) that tells the kinds apart,
    fitted to the features of 12 short generated clips per kind (extracted by the checkpoint's own recipe)."""
    root = tmp_path_factory.mktemp("timeline_kinds")
    extractor = FeatureExtractor(**EXTRACTOR)
    pooled = [
        np.stack(
            [
                extractor.encode(
                    extractor.decode_frames(render(kind, 5 * FPS, seed=100 * kind + i), FPS)
                ).features.mean(0)
                for i in range(12)
            ]
        )
        for kind in range(len(KINDS))
    ]
    centroid_checkpoint(root / "kinds" / "checkpoints" / "best.ckpt", pooled, extractor.provenance)
    return root


@pytest.fixture(scope="module")
def predictor_for(kinds_model: Path) -> Callable[..., VideoPredictor]:
    ensemble = load_ensemble(kinds_model)

    def build(segment_s: float | None = None) -> VideoPredictor:
        return VideoPredictor.from_ensemble(ensemble, runtime="torch", segment_s=segment_s)

    return build


@pytest.fixture(scope="module")
def mixed_video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """60 s: cartoon [0, 20), slides [20, 40), camera noise [40, 60) (seeds unseen in training)."""
    parts = [render(kind, 20 * FPS, seed=7 + kind) for kind in range(len(KINDS))]
    return write_video(tmp_path_factory.mktemp("mixed") / "mixed.mp4", np.concatenate(parts))


# ---------------------------------------------------------------- windows and spans (pure)


def test_windows_cover_the_file_and_a_short_tail_joins_the_last_window() -> None:
    assert plan_windows(60.0, 5.0) == [(5.0 * k, 5.0 * (k + 1)) for k in range(12)]
    assert plan_windows(21.0, 10.0) == [(0.0, 10.0), (10.0, 21.0)]  # 1 s tail < 5 s: merged
    assert plan_windows(26.0, 10.0) == [(0.0, 10.0), (10.0, 20.0), (20.0, 26.0)]  # 6 s tail: a window
    assert plan_windows(25.0, 10.0)[-1] == (20.0, 25.0)  # exactly half a window stays a window
    assert plan_windows(3.0, 10.0) == [(0.0, 3.0)]  # shorter than a window: the whole file
    assert plan_windows(59.999999, 5.0)[-1] == (55.0, 59.999999)
    for bad in (0, -1, float("nan"), "ten"):
        with pytest.raises(VidclsError, match="segment_s must be a positive number"):
            plan_windows(10.0, bad)


def test_the_file_answer_is_the_duration_weighted_mean_and_same_labels_merge_into_spans() -> None:
    names = ["A", "B"]

    def window(start: float, end: float, p_a: float) -> WindowPrediction:
        probs = np.array([p_a, 1 - p_a], np.float32)
        times = np.array([start + 0.5, end - 0.5])
        return WindowPrediction(start, end, probs, {"m": probs}, np.array([0.5, 0.5]), times, 2)

    windows = [window(0, 10, 0.9), window(10, 20, 0.8), window(20, 25, 0.1), window(25, 40, 0.7)]
    result = VideoPrediction.from_windows("f.mp4", names, windows, 40.0)
    expected = (10 * 0.9 + 10 * 0.8 + 5 * 0.1 + 15 * 0.7) / 40
    assert result.probs[0] == pytest.approx(expected, abs=1e-6)
    np.testing.assert_allclose(result.member_probs["m"], result.probs, atol=1e-6)
    record = result.to_dict()
    assert [w["predicted"] for w in record["windows"]] == ["A", "A", "B", "A"]
    assert record["spans"] == [
        {"start_s": 0.0, "end_s": 20.0, "predicted": "A"},
        {"start_s": 20.0, "end_s": 25.0, "predicted": "B"},
        {"start_s": 25.0, "end_s": 40.0, "predicted": "A"},
    ]
    assert record["num_frames"] == 8 and len(record["attention"]["timestamps_s"]) == 8
    assert set(record) == RECORD_KEYS | {"windows", "spans"}
    json.dumps(record)


@pytest.mark.parametrize("segment_s", [0.9, 5.0, 20.0])
def test_windows_walked_by_one_decoder_get_the_frames_each_window_gets_on_its_own(
    segment_s: float, mixed_video: Path, tmp_path: Path
) -> None:
    """One forward walk for all windows (the timeline's) selects exactly the frames that decoding each window
    separately (a fresh file, a seek) selects: window starts between frames, short windows, seeks within a window."""
    from synth_video import write_test_video

    extractor = FeatureExtractor(**EXTRACTOR)
    bframes = write_test_video(tmp_path / "b.mp4", num_frames=40, fps=4, size=(48, 32), bframes=2)
    for path in (bframes, mixed_video):
        info = extractor.probe(path)
        with extractor.window_decoder(path) as decoder:
            for start, end in plan_windows(info.duration_s, segment_s):
                walked = extractor.decode_span(path, info, start, end, decoder=decoder)
                alone = extractor.decode_span(path, info, start, end)
                assert walked.short == alone.short and len(walked.frames) == len(alone.frames), (path, start)
                np.testing.assert_array_equal(walked.frames, alone.frames)
                np.testing.assert_array_equal(walked.timestamps_s, alone.timestamps_s)
                assert np.all((walked.timestamps_s >= start - 0.25) & (walked.timestamps_s < end)), (start, end)
    whole = extractor.decode_span(bframes, extractor.probe(bframes), 0.0, extractor.probe(bframes).duration_s)
    np.testing.assert_array_equal(whole.frames, extractor.decode(bframes).frames)  # the whole file is one span
    with extractor.window_decoder(bframes) as decoder:
        decoder.decode(np.array([5.0, 6.0]))
        with pytest.raises(ValueError, match="after the previous batch"):
            decoder.decode(np.array([1.0]))


# ---------------------------------------------------------------- predict_frames


def test_predict_frames_gives_what_predict_file_gives_for_the_same_frames(
    predictor_for: Callable[..., VideoPredictor], tmp_path: Path
) -> None:
    clip = write_video(tmp_path / "clip.mp4", render(0, 6 * FPS + 2, seed=3))
    frames = decoded_frames(clip)  # the file's own frames: codec loss is on both sides
    whole = predictor_for()
    from_file, from_frames = whole.predict_file(clip), whole.predict_frames(frames, FPS)
    assert from_file.ok, from_file.error
    np.testing.assert_allclose(from_frames.probs, from_file.probs, atol=1e-5)
    np.testing.assert_allclose(from_frames.timestamps_s, from_file.timestamps_s, atol=1e-6)
    assert from_frames.num_frames == from_file.num_frames == 8 and from_frames.duration_s == from_file.duration_s
    # The extractor's rows themselves agree: sampling, resize, temporal and spatial scales.
    extractor = whole.extractor
    np.testing.assert_allclose(
        extractor.encode(extractor.decode_frames(frames, FPS)).features, extractor.extract(clip).features, atol=1e-5
    )
    # A timeline over the same frames: each window as a window of the file is.
    timeline = predictor_for(segment_s=2.5)
    by_file, by_frames = timeline.predict_file(clip).to_dict(), timeline.predict_frames(frames, FPS).to_dict()
    assert [(w["start_s"], w["end_s"]) for w in by_file["windows"]] == [(0.0, 2.5), (2.5, 5.0), (5.0, 6.5)]
    for a, b in zip(by_file["windows"], by_frames["windows"], strict=True):
        np.testing.assert_allclose(a["probabilities"], b["probabilities"], atol=1e-5)
    with pytest.raises(VidclsError, match="uint8 RGB"):
        whole.predict_frames(frames.astype(np.float32), FPS)
    with pytest.raises(VidclsError, match="fps must be a positive number"):
        whole.predict_frames(frames, 0)
    with pytest.raises(VidclsError, match="fps must be a positive number"):  # not a ZeroDivisionError traceback
        timeline.predict_frames(frames, 0)


def test_unset_segment_s_gives_todays_record_and_one_window_gives_the_same_answer(
    predictor_for: Callable[..., VideoPredictor], tmp_path: Path
) -> None:
    clip = write_video(tmp_path / "short.mp4", render(1, 3 * FPS, seed=5))
    today = predictor_for().predict_file(clip)
    assert set(today.to_dict()) == RECORD_KEYS and today.windows is None
    one = predictor_for(segment_s=10).predict_file(clip)  # longer than the file: one window, the whole file
    assert [(w.start_s, w.end_s) for w in one.windows] == [(0.0, today.duration_s)]
    np.testing.assert_allclose(one.probs, today.probs, atol=1e-6)
    np.testing.assert_allclose(one.attention, today.attention, atol=1e-6)
    assert one.to_dict()["spans"] == [{"start_s": 0.0, "end_s": today.duration_s, "predicted": today.predicted}]


# ---------------------------------------------------------------- the mixed video


@pytest.mark.slow
def test_a_three_part_video_gives_three_spans_with_borders_within_a_window(
    predictor_for: Callable[..., VideoPredictor], mixed_video: Path, tmp_path: Path
) -> None:
    from vidcls.tasks.predict import save_attention_plot

    result = predictor_for(segment_s=5).predict_file(mixed_video)
    assert result.ok, result.error
    record = result.to_dict()
    assert len(record["windows"]) == 12
    spans = record["spans"]
    assert [s["predicted"] for s in spans] == list(KINDS), spans
    assert abs(spans[0]["end_s"] - 20) <= 5 and abs(spans[1]["end_s"] - 40) <= 5
    assert spans[0]["start_s"] == 0 and spans[-1]["end_s"] == pytest.approx(60, abs=0.3)
    durations = np.array([w["end_s"] - w["start_s"] for w in record["windows"]])
    window_probs = np.array([w["probabilities"] for w in record["windows"]])
    np.testing.assert_allclose(record["probabilities"], durations @ window_probs / durations.sum(), atol=1e-5)
    times = np.asarray(record["attention"]["timestamps_s"])
    assert len(times) == record["num_frames"] == 12 * 8 and np.all(np.diff(times) > 0) and times[-1] < 60

    plot = save_attention_plot(result, tmp_path / "mixed.attention.png")
    assert plot is not None and plot.stat().st_size > 0
    from vidcls.evaluation import plots

    fig = plots.attention_figure(result.timestamps_s, result.attention, "t", spans=spans)
    bands = [p for p in fig.axes[0].patches if p.get_zorder() == 0]
    assert len(bands) == 3 and sorted(fig.axes[0].get_legend_handles_labels()[1]) == sorted([*KINDS, "uniform"])
    plots.close(fig)


def test_predict_task_passes_segment_s_and_plots_the_spans(
    kinds_model: Path, mixed_video: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], compose_cfg
) -> None:
    """predict.py's task: ``segment_s`` from the config reaches the predictor; the JSON and the plot show the spans."""
    from vidcls.tasks.predict import run

    cfg = compose_cfg(
        "predict",
        [f"ckpt_paths={kinds_model}", f"video={mixed_video}", "output=json", "segment_s=20",
         "extractor_runtime=torch", f"attention_plot={tmp_path / 'plots'}"],
        {"paths.root_dir": str(ROOT), "paths.output_dir": str(tmp_path)},
    )  # fmt: skip
    record = run(cfg)["results"][0]
    assert json.loads(capsys.readouterr().out)["results"][0] == record
    assert [(w["start_s"], w["predicted"]) for w in record["windows"]] == list(
        zip([0.0, 20.0, 40.0], KINDS, strict=True)
    )
    assert [s["predicted"] for s in record["spans"]] == list(KINDS)
    assert (tmp_path / "plots" / "mixed.attention.png").stat().st_size > 0
    assert compose_cfg("predict", ["ckpt_paths=x", "video=y"]).segment_s is None  # off unless asked for
    table = compose_cfg(
        "predict",
        [f"ckpt_paths={kinds_model}", f"video={mixed_video}", "segment_s=20", "extractor_runtime=torch"],
        {"paths.root_dir": str(ROOT), "paths.output_dir": str(tmp_path)},
    )
    run(table)
    printed = " ".join(capsys.readouterr().out.split())
    assert (
        "timeline of mixed.mp4 (3 windows): 0-20 s Animation, 20-40 s Flat_Content, 40-60 s Natural_Content" in printed
    )


# ---------------------------------------------------------------- memory on a 2-hour file


def write_long_video(path: Path, hours: float, size: int, fps: int) -> Path:
    """A quick-to-encode long file: a flat colour that changes every minute and a moving bar, from a small
    pool of prebuilt frames (x264 ultrafast; about 2 s for 2 hours at 64 px and 2 fps)."""
    count = int(hours * 3600 * fps)
    palette = np.random.default_rng(0).integers(30, 220, (8, 3))
    positions = size - 4
    pool = []
    for colour in palette:
        for bar in range(positions):
            img = np.empty((size, size, 3), np.uint8)
            img[:] = colour
            img[:, bar : bar + 4] = 255 - img[:, bar : bar + 4]
            pool.append(av.VideoFrame.from_ndarray(img, format="rgb24"))
    with av.open(str(path), mode="w") as container:
        stream = container.add_stream("libx264", rate=fps)
        stream.width = stream.height = size
        stream.pix_fmt = "yuv420p"
        stream.codec_context.time_base = Fraction(1, fps)
        stream.options = {"preset": "ultrafast", "g": str(60 * fps), "bf": "0"}
        for k in range(count):
            frame = pool[((k // (60 * fps)) % len(palette)) * positions + k % positions]
            frame.pts = k
            container.mux(stream.encode(frame))
        container.mux(stream.encode())
    return path


#: Peak RSS of one timeline prediction above the RSS of a warmed-up predictor, in a fresh process (Linux: writing
#: 5 to /proc/self/clear_refs resets the peak, VmHWM, to the current RSS, so start-up peaks do not hide growth).
MEMORY_PROBE = textwrap.dedent(
    """
    import json, sys, time
    from vidcls.inference import VideoPredictor, load_ensemble

    def status_kb(key):
        with open("/proc/self/status") as f:
            return next(int(line.split()[1]) for line in f if line.startswith(key + ":"))

    ckpts, warm, long_file, segment_s = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
    predictor = VideoPredictor.from_ensemble(load_ensemble(ckpts), runtime="torch", segment_s=segment_s)
    assert predictor.predict_file(warm).ok
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")
    before = status_kb("VmRSS")
    start = time.perf_counter()
    result = predictor.predict_file(long_file)
    wall = time.perf_counter() - start
    print(json.dumps({"ok": result.ok, "error": result.error, "windows": len(result.windows or []),
                      "duration_s": result.duration_s, "rss_kb": before, "peak_kb": status_kb("VmHWM"),
                      "wall_s": wall}))
    """
)


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/clear_refs").exists(), reason="needs Linux /proc to reset the peak RSS")
def test_a_two_hour_file_is_classified_window_by_window_in_bounded_memory(
    kinds_model: Path, mixed_video: Path, tmp_path: Path
) -> None:
    size, fps, hours = 64, 2, 2.0
    long_file = write_long_video(tmp_path / "two_hours.mp4", hours, size, fps)
    all_frames_mb = hours * 3600 * fps * size * size * 3 / 2**20  # 169 MiB if the decoded video were held
    bound_mb = 60.0
    assert all_frames_mb > 2.5 * bound_mb
    out = subprocess.run(
        [sys.executable, "-c", MEMORY_PROBE, str(kinds_model), str(mixed_video), str(long_file), "60"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={**__import__("os").environ, "PYTHONPATH": str(ROOT)},
    )
    assert out.returncode == 0, out.stderr[-2000:]
    probe = json.loads(out.stdout.strip().splitlines()[-1])
    assert probe["ok"], probe["error"]
    assert probe["windows"] == 120 and probe["duration_s"] == pytest.approx(7200, abs=1)
    growth_mb = (probe["peak_kb"] - probe["rss_kb"]) / 1024
    print(f"2-hour file: RSS {probe['rss_kb'] / 1024:.0f} MiB, peak +{growth_mb:.1f} MiB, {probe['wall_s']:.1f} s")
    assert growth_mb < bound_mb, probe


# ---------------------------------------------------------------- the web page


def test_the_web_service_classifies_uploads_window_by_window_when_segment_s_is_set(
    kinds_model: Path, mixed_video: Path, compose_cfg
) -> None:
    """conf/app.yaml segment_s reaches the service; an extracted-on-the-fly file gets windows and spans."""
    from vidcls.web.server import build_app

    assert compose_cfg("app", ["ckpt_paths=x"]).segment_s is None
    cfg = compose_cfg("app", [f"ckpt_paths={kinds_model}", "segment_s=20", "extractor_runtime=torch"])
    app = build_app(cfg)
    service = app.extensions["vidcls"].service
    stages: list[str] = []
    result = service.classify_file(
        mixed_video, {"name": "holiday.mp4"}, tta=False, progress=lambda f, stage: stages.append(stage)
    )
    assert [s["predicted"] for s in result["spans"]] == list(KINDS) and len(result["windows"]) == 3
    assert result["path"] == "holiday.mp4" and result["source"] == "extracted"
    assert result["frames"] is None and "timeline" in result["frames_unavailable"]
    assert any("window by window" in stage for stage in stages)
    page = app.test_client().get("/", headers={"Host": "127.0.0.1:5000"}).get_data(as_text=True)
    assert 'id="timeline"' in page


@pytest.mark.slow
@pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="needs Debian's chromium (apt-get install chromium)")
def test_the_page_draws_the_timeline_and_a_click_seeks_the_player(
    kinds_model: Path, mixed_video: Path, tmp_path: Path
) -> None:
    """``python app.py ... segment_s=20`` in chromium: three coloured spans under the player; clicking one seeks."""
    import os
    import shutil
    import time
    import urllib.request

    from playwright.sync_api import expect
    from test_web_e2e import chromium_page, free_port

    videos = tmp_path / "videos"
    (videos / "Animation").mkdir(parents=True)
    shutil.copy(mixed_video, videos / "Animation" / "mixed.mp4")
    port = free_port()
    command = [
        sys.executable,
        "app.py",
        f"ckpt_paths={kinds_model}",
        f"data.videos_dir={videos}",
        f"server.port={port}",
    ]
    command += ["segment_s=20", "extractor_runtime=torch", f"hydra.run.dir={tmp_path / 'run'}"]
    with (tmp_path / "server.log").open("w") as log:
        proc = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env={**os.environ})
    base, problems = f"http://127.0.0.1:{port}", []
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/health", timeout=2).close()
                break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline, (tmp_path / "server.log").read_text()
                time.sleep(0.3)
        with chromium_page(problems) as (_, page):
            page.goto(base + "/")
            page.locator("#video-list li", has_text="mixed.mp4").click()
            expect(page.locator("#timeline-box")).to_be_hidden()
            page.click("#classify-button")
            expect(page.locator("#timeline-box")).to_be_visible(timeout=90_000)
            spans = page.locator("#timeline rect.span")
            expect(spans).to_have_count(3)
            assert [spans.nth(i).get_attribute("data-class") for i in range(3)] == list(KINDS)
            assert len({spans.nth(i).get_attribute("class") for i in range(3)}) == 3  # a colour per class
            widths = [float(spans.nth(i).get_attribute("width")) for i in range(3)]
            assert max(widths) - min(widths) < 0.05 * sum(widths)  # 20 s each of 60 s
            expect(page.locator("#timeline-legend")).to_contain_text("3 windows")
            spans.nth(2).click()
            assert page.evaluate("document.getElementById('player').currentTime") == pytest.approx(40.0, abs=0.5)
    finally:
        proc.terminate()
        proc.wait(timeout=15)
    assert problems == [], problems
