"""Extraction: videos/s end to end vs CNN alone vs decoding alone vs v1 + torch vs the predecessor's naive loop.

Videos are generated once (PyAV, H.264, 720p, a GOP of ``gop`` frames) into a cache directory.
The vidcls legs call the project's own code: ``FeatureExtractor.decode`` (decoding alone),
``Backbone.encode`` on the already-decoded distinct frames (CNN alone), ``run_extraction`` (the
corpus pipeline of ``extract.py``: decode threads overlapped with the CNN, incremental HDF5) and
``FeatureExtractor.extract`` (one video at a time, as ``predict.py`` and the web app do).
The naive baseline is written here on purpose: it is what the predecessor did — for every scale,
seek to every sampled frame and decode from the keyframe, resize, and push every scale's frames
through the CNN the way a plain torchvision script does (PIL-style ``ToTensor`` gives NCHW-contiguous
tensors; the model keeps its default memory format). Its decode and CNN seconds are recorded
apart, so the speed-up splits into what decoding once buys and what the CNN path buys.

Issue 13's comparison runs in the same loop: the default pipeline (``sampling: uniform-aligned-v2``,
``backbone.runtime: auto``) against ``sampling=uniform-aligned-v1 backbone.runtime=torch`` (the
pipeline before v2 and the fast runtimes) with the same weights, each corpus leg's user and sys CPU
seconds taken from ``getrusage`` (all threads of the process: decoders and the runtime's own) plus
the OpenVINO worker process's (``/proc``).
"""

from __future__ import annotations

import contextlib
import resource
import shutil
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np
import torch
from hydra import compose, initialize_config_dir
from hydra.core.global_hydra import GlobalHydra
from omegaconf import OmegaConf

import vidcls.extraction.extractor as extractor_module
import vidcls.video.decode as decode_module
from bench.common import ROOT, Results, interleaved, median, quiet, sync
from vidcls.backbones import Backbone
from vidcls.extraction import DatasetPlan, FeatureExtractor, ManifestEntry, run_extraction
from vidcls.utils.resources import cpu_threads
from vidcls.video import scale_counts, uniform_times
from vidcls.video.sampling import SAMPLING_V1

SECTION = "extraction"


# ---------------------------------------------------------------------------------------- videos
def _frame(k: int, texture: np.ndarray, height: int, width: int, rng_shapes: np.ndarray) -> np.ndarray:
    """A textured, panning background with moving blocks: something an encoder has to work at."""
    frame = np.roll(texture, shift=(k * 3, k * 5), axis=(0, 1))[:height, :width].copy()
    for i, (y0, x0, dy, dx, c) in enumerate(rng_shapes):
        y = int(y0 + dy * k) % (height - 120)
        x = int(x0 + dx * k) % (width - 160)
        frame[y : y + 120, x : x + 160] = (c + 40 * i + k) % 255
    return frame


def make_video(path: Path, seconds: float, size: tuple[int, int], fps: int, gop: int, seed: int) -> Path:
    """Encode a synthetic H.264 clip (yuv420p, x264 veryfast CRF 23), atomically."""
    width, height = size
    rng = np.random.default_rng(seed)
    coarse = rng.integers(0, 255, size=(height // 8 + 2, width // 8 + 2, 3), dtype=np.uint8)
    texture = np.kron(coarse, np.ones((8, 8, 1), dtype=np.uint8))
    texture = np.tile(texture, (2, 2, 1))
    shapes = np.column_stack(
        [
            rng.integers(0, height, 4),
            rng.integers(0, width, 4),
            rng.integers(-6, 7, 4),
            rng.integers(-9, 10, 4),
            rng.integers(0, 255, 4),
        ]
    )
    tmp = path.with_name(f".{path.name}.partial")
    with av.open(str(tmp), mode="w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=Fraction(fps, 1))
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.options = {"preset": "veryfast", "crf": "23", "g": str(gop), "keyint_min": str(gop)}
        for k in range(round(seconds * fps)):
            frame = av.VideoFrame.from_ndarray(_frame(k, texture, height, width, shapes), format="rgb24")
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    tmp.replace(path)
    return path


def ensure_videos(cache: Path, count: int, seconds: float, size: tuple[int, int], fps: int, gop: int) -> list[Path]:
    """The bench's videos, generated on first use and reused afterwards."""
    folder = cache / f"videos_{size[0]}x{size[1]}_{seconds:g}s_{fps}fps_g{gop}"
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(count):
        path = folder / f"clip{i:02d}.mp4"
        if not path.is_file():
            make_video(path, seconds, size, fps, gop, seed=i)
        paths.append(path)
    return paths


# ---------------------------------------------------------------------------------------- config
def extract_config(backbone: str) -> dict[str, Any]:
    """``conf/extract.yaml`` with ``backbone=<name>`` and random weights: the settings extract.py uses."""
    GlobalHydra.instance().clear()
    with initialize_config_dir(config_dir=str(Path(ROOT) / "conf"), version_base="1.3"):
        cfg = compose(config_name="extract", overrides=[f"backbone={backbone}", "backbone.weights=null"])
    keys = (
        "num_frames",
        "scales",
        "frame_size",
        "batch_size",
        "min_duration_s",
        "num_workers",
        "cpu_threads",
        "sampling",
    )
    values = {k: cfg[k] for k in keys}  # resolves only these keys (no Hydra runtime needed)
    return {k: OmegaConf.to_container(v) if OmegaConf.is_config(v) else v for k, v in values.items()}


def make_extractor(backbone: Backbone, settings: dict[str, Any], **overrides: Any) -> FeatureExtractor:
    s = {**settings, **overrides}
    return FeatureExtractor(
        backbone=backbone,
        num_frames=int(s["num_frames"]),
        scales=list(s["scales"]),
        frame_size=s["frame_size"],
        batch_size=int(s["batch_size"]),
        min_duration_s=float(s["min_duration_s"]),
        sampling=str(s["sampling"]),
    )


# ---------------------------------------------------------------------------------------- counting
class _CountingContainer:
    """Wraps a PyAV container to count the seeks issued."""

    def __init__(self, container: Any, counts: dict[str, int]) -> None:
        self._container = container
        self._counts = counts

    def seek(self, *args: Any, **kwargs: Any) -> Any:
        self._counts["seeks"] += 1
        return self._container.seek(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._container, name)


@contextlib.contextmanager
def count_decoding() -> Iterator[dict[str, int]]:
    """Sum the decoder's own ``frames_decoded`` and count the seeks it issues (never during timing)."""
    counts = {"decoded": 0, "seeks": 0}
    original_open, original_decode = decode_module.open_video, extractor_module.decode_moments

    @contextlib.contextmanager
    def counting_open(path: Any) -> Iterator[tuple[Any, Any]]:
        with original_open(path) as (container, stream):
            yield _CountingContainer(container, counts), stream

    def counting_decode(*args: Any, **kwargs: Any) -> Any:
        decoded = original_decode(*args, **kwargs)
        counts["decoded"] += decoded.frames_decoded
        return decoded

    decode_module.open_video, extractor_module.decode_moments = counting_open, counting_decode
    try:
        yield counts
    finally:
        decode_module.open_video, extractor_module.decode_moments = original_open, original_decode


# ---------------------------------------------------------------------------------------- naive
def plain_backbone(name: str, device: torch.device) -> Backbone:
    """The same encoder, laid out as torchvision builds it (NCHW weights), for the predecessor's forward."""
    backbone = Backbone(name, weights=None, device=device, runtime="torch")
    return backbone.to(memory_format=torch.contiguous_format)


@torch.inference_mode()
def plain_encode(backbone: Backbone, frames: torch.Tensor, batch_size: int) -> np.ndarray:
    """The predecessor's CNN call: NCHW-contiguous float32 batches (as ToTensor + stack gives), no autocast."""
    outputs = []
    for start in range(0, len(frames), batch_size):
        x = frames[start : start + batch_size].to(backbone.device).permute(0, 3, 1, 2).float()
        x = ((x - backbone.mean) / backbone.std).contiguous()
        outputs.append(backbone.trunk(x).float().cpu())
    return torch.cat(outputs).numpy()


def naive_extract(path: Path, backbone: Backbone, settings: dict[str, Any]) -> dict[str, Any]:
    """The predecessor's loop: per scale, one seek + decode-from-keyframe per sampled frame; all to the CNN.

    ``backbone`` should come from :func:`plain_backbone`; decode and CNN seconds are returned apart.
    """
    size = settings["frame_size"]
    height, width = (size, size) if isinstance(size, int) else (size[0], size[-1])
    num_frames = int(settings["num_frames"])
    decoded = seeks = cnn_frames = 0
    decode_s = cnn_s = 0.0
    per_scale = []
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        tb = float(stream.time_base)
        duration = float(stream.duration * stream.time_base)
        fps = float(stream.average_rate)
        for count in scale_counts(num_frames, settings["scales"]):
            frames = []
            start = time.perf_counter()
            for moment in uniform_times(count, duration):
                target = int(moment * fps) / fps  # the predecessor addressed frames by index
                container.seek(int(target / tb), stream=stream, backward=True, any_frame=False)
                seeks += 1
                picked = None
                for frame in container.decode(stream):
                    decoded += 1
                    picked = frame
                    if frame.pts is not None and frame.pts * tb >= target - 0.5 / fps:
                        break
                rgb = picked.reformat(width=width, height=height, format="rgb24").to_ndarray()
                frames.append(rgb)
            batch = torch.from_numpy(np.stack(frames))
            cnn_frames += len(batch)
            decode_s += time.perf_counter() - start
            sync(backbone.device)
            start = time.perf_counter()
            per_scale.append(plain_encode(backbone, batch, int(settings["batch_size"])))
            sync(backbone.device)
            cnn_s += time.perf_counter() - start
    steps = min(len(f) for f in per_scale)
    features = np.mean([f[:steps] for f in per_scale], axis=0)  # the predecessor's misaligned average
    return {
        "features": features,
        "decoded": decoded,
        "seeks": seeks,
        "cnn_frames": cnn_frames,
        "decode_s": decode_s,
        "cnn_s": cnn_s,
    }


# ---------------------------------------------------------------------------------------- legs
def corpus_plan(videos: list[Path]) -> DatasetPlan:
    entries = [ManifestEntry(path=p.name, label="bench", split="train", hash=p.name, source=p) for p in videos]
    return DatasetPlan(entries=entries, class_names=["bench"], skipped=[], duplicates=[], layout="bench")


def worker_cpu(backbone: Backbone) -> tuple[float, float]:
    """``(user, sys)`` CPU seconds of the backbone's runtime worker processes (OpenVINO runs in one)."""
    times = [s.cpu_seconds() for s in backbone._sessions.values() if hasattr(s, "cpu_seconds")]
    return sum(t[0] for t in times), sum(t[1] for t in times)


def time_corpus(
    extractor: FeatureExtractor, videos: list[Path], workers: int, verbose: bool, cpu: dict[str, float] | None = None
) -> float:
    """``run_extraction`` (extract.py's pipeline) into a fresh folder; seconds for the whole corpus.

    ``cpu`` accumulates ``user``/``sys`` CPU seconds over the run: every thread of this process and the
    runtime's worker process (OpenVINO); minor faults are this process's only.
    """
    out = Path(tempfile.mkdtemp(prefix="vidcls-bench-extract-"))
    try:
        sync(extractor.backbone.device)
        before, worker_before = resource.getrusage(resource.RUSAGE_SELF), worker_cpu(extractor.backbone)
        start = time.perf_counter()
        with quiet(not verbose):
            summary = run_extraction(extractor, corpus_plan(videos), out, num_workers=workers)
        sync(extractor.backbone.device)
        seconds = time.perf_counter() - start
        after, worker_after = resource.getrusage(resource.RUSAGE_SELF), worker_cpu(extractor.backbone)
        if cpu is not None:
            worker_user, worker_sys = (a - b for a, b in zip(worker_after, worker_before, strict=True))
            cpu["user"] = cpu.get("user", 0.0) + after.ru_utime - before.ru_utime + worker_user
            cpu["sys"] = cpu.get("sys", 0.0) + after.ru_stime - before.ru_stime + worker_sys
            cpu["minflt"] = cpu.get("minflt", 0.0) + after.ru_minflt - before.ru_minflt
        if summary.extracted != len(videos):
            raise RuntimeError(f"run_extraction extracted {summary.extracted} of {len(videos)}: {summary.failures}")
        return seconds
    finally:
        shutil.rmtree(out, ignore_errors=True)


def sys_share(cpu: dict[str, float]) -> float:
    return cpu["sys"] / max(1e-9, cpu["user"] + cpu["sys"])


def run(results: Results, device: torch.device, mode: dict[str, Any], work: Path, verbose: bool) -> None:
    """Measure the section with extract.py's torch threads (``cpu_threads: auto``) unless --threads was given."""
    threads = torch.get_num_threads()
    if device.type == "cpu" and not mode.get("threads_fixed"):
        torch.set_num_threads(cpu_threads(extract_config(mode["extract"]["backbones"][0]).get("cpu_threads")))
    try:
        _run(results, device, mode, verbose)
    finally:
        torch.set_num_threads(threads)


@dataclass
class _Backbone:
    """One backbone's two pipelines (default and v1 + torch) and what was counted before any timing."""

    name: str
    settings: dict[str, Any]
    params: dict[str, Any]
    backbone: Backbone
    torch_backbone: Backbone
    extractor: FeatureExtractor
    extractor_v1: FeatureExtractor
    unique: list[int]  # CNN frames per video, default
    unique_v1: list[int]  # CNN frames per video, v1
    counts: dict[str, int]  # decoder frames and seeks over all videos
    runtime_err: float  # max |runtime features - torch features| on the bench's own frames


@dataclass
class _Times:
    """Seconds per repeat for every timed leg, and the corpus legs' CPU time."""

    decode: list[float] = field(default_factory=list)
    cnn: list[float] = field(default_factory=list)
    corpus: list[float] = field(default_factory=list)
    single: list[float] = field(default_factory=list)
    cnn_torch: list[float] = field(default_factory=list)
    v1_torch: list[float] = field(default_factory=list)
    cpu_default: dict[str, float] = field(default_factory=dict)
    cpu_v1: dict[str, float] = field(default_factory=dict)

    def per_video(self, n: int) -> dict[str, float]:
        legs = ("decode", "cnn", "corpus", "single", "cnn_torch", "v1_torch")
        return {k: median(getattr(self, k)) / n for k in legs if getattr(self, k)}


def _run(results: Results, device: torch.device, mode: dict[str, Any], verbose: bool) -> None:
    e = mode["extract"]
    videos = ensure_videos(Path(mode["cache_dir"]), e["videos"], e["seconds"], tuple(e["size"]), e["fps"], e["gop"])
    video_params = {
        "videos": len(videos),
        "seconds": e["seconds"],
        "size": list(e["size"]),
        "fps": e["fps"],
        "gop": e["gop"],
        "codec": "h264 (x264 veryfast crf23)",
    }
    for name in e["backbones"]:
        b = _prepare(name, videos, device, mode, video_params)
        times = _time_legs(b, videos, e, device, verbose)
        naive = _naive_legs(b, videos[: e["naive_videos"]], device)
        _record_speeds(results, b, times, naive, len(videos))
        _record_frames(results, b, times, naive, len(videos))
        _record_issue13(results, b, times, len(videos))
        _issue13_targets(results, b, times, len(videos))
        _pipeline_targets(results, b, times, naive, len(videos))
    g = mode.get("growth")
    if g and g.get("extract"):
        _growth(results, videos[0], e, g, device, mode)


def _prepare(
    name: str, videos: list[Path], device: torch.device, mode: dict[str, Any], video_params: dict[str, Any]
) -> _Backbone:
    """Both pipelines with the same seeded random weights, warmed up; frame counts and runtime parity."""
    settings = {**extract_config(name), **mode["extract"].get("settings", {})}
    # Seeded random weights: the exported model is cached under --cache-dir and reused by later runs.
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        backbone = Backbone(name, weights=None, device=device, cache_dir=Path(mode["cache_dir"]) / "onnx")
    extractor = make_extractor(backbone, settings)
    # The pipeline before issue 13: v1 sampling, torch eager CNN, the same weights.
    torch_backbone = Backbone(name, weights=None, device=device, runtime="torch")
    torch_backbone.load_state_dict(backbone.state_dict())
    extractor_v1 = make_extractor(torch_backbone, settings, sampling=SAMPLING_V1)
    params = {**video_params, "backbone": name, "weights": "random", **settings, "device": str(device)}
    # Warm the CNN (first-call allocations, cuDNN autotune) and the file cache.
    warm = torch.zeros(settings["batch_size"], *extractor.frame_size, 3, dtype=torch.uint8)
    backbone.encode(warm, settings["batch_size"])
    torch_backbone.encode(warm, settings["batch_size"])
    with count_decoding() as counts:
        decoded = [extractor.decode(p) for p in videos]
    unique = [len(d.frames) for d in decoded]
    unique_v1 = [len(extractor_v1.decode(p).frames) for p in videos]
    # The runtime's features against torch's on the bench's own frames (same weights).
    probe = torch.from_numpy(decoded[0].frames[: settings["batch_size"]])
    runtime_err = float((backbone.encode(probe) - torch_backbone.encode(probe)).abs().max())
    return _Backbone(
        name,
        settings,
        params,
        backbone,
        torch_backbone,
        extractor,
        extractor_v1,
        unique,
        unique_v1,
        counts,
        runtime_err,
    )


def _time_legs(b: _Backbone, videos: list[Path], e: dict[str, Any], device: torch.device, verbose: bool) -> _Times:
    """Decoding, CNN (runtime and torch), both corpus pipelines and extract() per video, per repeat."""
    t = _Times()
    repeats = e["repeats"].get(b.name, 1) if isinstance(e["repeats"], dict) else int(e["repeats"])
    for _ in range(repeats):
        start = time.perf_counter()
        decoded = [b.extractor.decode(p) for p in videos]
        t.decode.append(time.perf_counter() - start)
        frames = [torch.from_numpy(d.frames) for d in decoded]
        sync(device)
        start = time.perf_counter()
        for f in frames:
            b.backbone.encode(f, b.extractor.batch_size)
        sync(device)
        t.cnn.append(time.perf_counter() - start)
        start = time.perf_counter()
        for f in frames:
            b.torch_backbone.encode(f, b.extractor.batch_size)
        sync(device)
        t.cnn_torch.append(time.perf_counter() - start)
        workers = int(b.settings["num_workers"])
        t.corpus.append(time_corpus(b.extractor, videos, workers, verbose, t.cpu_default))
        t.v1_torch.append(time_corpus(b.extractor_v1, videos, workers, verbose, t.cpu_v1))
        if e.get("single", True) and b.name == e["backbones"][0]:  # the slow backbone: corpus path only
            start = time.perf_counter()
            for p in videos:
                b.extractor.extract(p)
            sync(device)
            t.single.append(time.perf_counter() - start)
    return t


def _naive_legs(b: _Backbone, naive_videos: list[Path], device: torch.device) -> dict[str, float]:
    """The predecessor's loop on the first videos: seconds per video, its decode/CNN split, its counts."""
    naive_backbone = plain_backbone(b.name, device)
    plain_encode(naive_backbone, torch.zeros(2, *b.extractor.frame_size, 3, dtype=torch.uint8), 2)  # warm-up
    start = time.perf_counter()
    naive = [naive_extract(p, naive_backbone, b.settings) for p in naive_videos]
    sync(device)
    seconds = (time.perf_counter() - start) / len(naive_videos)
    means = {k: float(np.mean([r[k] for r in naive])) for k in ("decode_s", "cnn_s", "cnn_frames", "decoded", "seeks")}
    return {"videos": len(naive_videos), "s": seconds, **means}


def _record_speeds(results: Results, b: _Backbone, t: _Times, nv: dict[str, float], n: int) -> None:
    """Videos per second of every leg."""
    name, params, settings, per_video, add = b.name, b.params, b.settings, t.per_video(n), results.add
    corpus_s, single_s, cnn_s, decode_s = t.corpus, t.single, t.cnn, t.decode
    naive_s, naive_decode_s, naive_cnn_s, naive_videos = nv["s"], nv["decode_s"], nv["cnn_s"], range(int(nv["videos"]))
    add(
        SECTION,
        f"{name}: end to end (run_extraction)",
        1 / per_video["corpus"],
        "videos/s",
        params=params,
        samples=[n / s for s in corpus_s],
        note=f"{settings['num_workers']} decode threads overlapped with CNN",
    )
    if "single" in per_video:
        add(
            SECTION,
            f"{name}: end to end (extract() per video)",
            1 / per_video["single"],
            "videos/s",
            params=params,
            samples=[n / s for s in single_s],
            note="predict.py / web path, no overlap",
        )
    add(
        SECTION,
        f"{name}: CNN only",
        1 / per_video["cnn"],
        "videos/s",
        params=params,
        samples=[n / s for s in cnn_s],
        note="Backbone.encode on the already-decoded distinct frames",
    )
    add(
        SECTION,
        f"{name}: decoding only",
        1 / per_video["decode"],
        "videos/s",
        params=params,
        samples=[n / s for s in decode_s],
        note="FeatureExtractor.decode (probe, decode, resize+crop)",
    )
    add(
        SECTION,
        f"{name}: naive baseline",
        1 / naive_s,
        "videos/s",
        params={**params, "naive_videos": len(naive_videos)},
        note=f"seek per frame per scale, every scale's frames through a plain NCHW CNN call; "
        f"decode {naive_decode_s:.2f} s + CNN {naive_cnn_s:.2f} s per video",
    )


def _record_frames(results: Results, b: _Backbone, t: _Times, nv: dict[str, float], n: int) -> None:
    """Frame counts and rates, and what the pipeline buys over the predecessor's loop."""
    name, params, per_video, unique, counts, add = b.name, b.params, t.per_video(n), b.unique, b.counts, results.add
    naive_s, naive_decode_s, naive_cnn_s, naive_cnn_frames = nv["s"], nv["decode_s"], nv["cnn_s"], nv["cnn_frames"]
    naive = [{"cnn_frames": nv["cnn_frames"], "decoded": nv["decoded"], "seeks": nv["seeks"]}]  # means already
    add(
        SECTION,
        f"{name}: CNN frames per video",
        float(np.mean(unique)),
        "frames",
        params=params,
        note=f"naive: {np.mean([r['cnn_frames'] for r in naive]):.0f}",
    )
    add(
        SECTION,
        f"{name}: decoder frames per video",
        counts["decoded"] / n,
        "frames",
        params=params,
        note=f"{counts['seeks'] / n:.1f} seeks/video; naive: {np.mean([r['decoded'] for r in naive]):.0f} "
        f"frames, {np.mean([r['seeks'] for r in naive]):.0f} seeks",
    )
    add(SECTION, f"{name}: CNN frames/s", float(np.mean(unique)) / per_video["cnn"], "frames/s", params=params)
    add(SECTION, f"{name}: decoder frames/s", counts["decoded"] / n / per_video["decode"], "frames/s", params=params)
    add(
        SECTION,
        f"{name}: end-to-end frames/s",
        float(np.mean(unique)) / per_video["corpus"],
        "frames/s",
        params=params,
        note="CNN frames per second of the whole pipeline",
    )
    ratio_cnn = per_video["corpus"] / per_video["cnn"]
    ratio_naive = naive_s / per_video["corpus"]
    add(SECTION, f"{name}: end-to-end time / CNN-only time", ratio_cnn, "ratio", params=params)
    add(SECTION, f"{name}: speed-up over naive", ratio_naive, "x", params=params)
    # The split: the naive loop's decoding with *our* CNN path (same frame count) shows what
    # decoding each frame once buys alone; its CNN time against ours, what the CNN path buys.
    same_cnn_naive_s = naive_decode_s + per_video["cnn"] * naive_cnn_frames / max(1.0, float(np.mean(unique)))
    add(
        SECTION,
        f"{name}: speed-up over naive, decoding alone",
        same_cnn_naive_s / per_video["corpus"],
        "x",
        params=params,
        note="naive decode + our CNN path on the naive frame count, vs our end to end; the CNN-bound "
        f"ceiling with the same CNN path is {same_cnn_naive_s / per_video['cnn']:.2f}x",
    )
    add(
        SECTION,
        f"{name}: CNN path speed-up (channels-last) over plain NCHW",
        (naive_cnn_s / naive_cnn_frames) / (per_video["cnn"] / max(1.0, float(np.mean(unique)))),
        "x",
        params=params,
        note="seconds per frame: the predecessor's NCHW forward vs Backbone.encode",
    )


def _record_issue13(results: Results, b: _Backbone, t: _Times, n: int) -> None:
    """Issue 13: the default pipeline against v1 sampling + torch eager, in the same run."""
    name, params, settings, per_video, add = b.name, b.params, b.settings, t.per_video(n), results.add
    backbone, unique, unique_v1, runtime_err = b.backbone, b.unique, b.unique_v1, b.runtime_err
    cpu_default, cpu_v1, corpus_s, v1_s = t.cpu_default, t.cpu_v1, t.corpus, t.v1_torch
    runtime = backbone.runtime
    num_frames = int(settings["num_frames"])
    speedup = per_video["v1_torch"] / per_video["corpus"]
    share, share_v1 = sys_share(cpu_default), sys_share(cpu_v1)
    v2_params = {**params, "runtime": runtime, "sampling": settings["sampling"]}
    add(
        SECTION,
        f"{name}: v1 + torch end to end (run_extraction)",
        1 / per_video["v1_torch"],
        "videos/s",
        params={**params, "runtime": "torch", "sampling": SAMPLING_V1},
        samples=[n / s for s in v1_s],
        note=f"sampling=uniform-aligned-v1 backbone.runtime=torch; {np.mean(unique_v1):.0f} CNN frames/video",
    )
    add(
        SECTION,
        f"{name}: default / (v1 + torch) speed-up, end to end",
        speedup,
        "x",
        params=v2_params,
        note=f"{per_video['v1_torch']:.2f} s vs {per_video['corpus']:.2f} s per video",
    )
    add(
        SECTION,
        f"{name}: CNN frames per video, v1",
        float(np.mean(unique_v1)),
        "frames",
        params=params,
        note=f"{np.mean(unique_v1) / num_frames:.2f} T (default {settings['sampling']}: "
        f"{np.mean(unique) / num_frames:.2f} T)",
    )
    add(
        SECTION,
        f"{name}: CNN runtime speed-up ({runtime} / torch)",
        per_video["cnn_torch"] / per_video["cnn"],
        "x",
        params=v2_params,
        note=f"same frames, same weights; max |features difference| {runtime_err:.1e}",
    )
    add(
        SECTION,
        f"{name}: sys share of CPU time, default",
        share,
        "fraction",
        params=v2_params,
        note=f"user {cpu_default['user']:.1f} s, sys {cpu_default['sys']:.1f} s, "
        f"{cpu_default['minflt'] / max(1, len(corpus_s) * n):.0f} minor faults/video",
    )
    add(
        SECTION,
        f"{name}: sys share of CPU time, v1 + torch",
        share_v1,
        "fraction",
        params=params,
        note=f"user {cpu_v1['user']:.1f} s, sys {cpu_v1['sys']:.1f} s, "
        f"{cpu_v1['minflt'] / max(1, len(v1_s) * n):.0f} minor faults/video",
    )


def _issue13_targets(results: Results, b: _Backbone, t: _Times, n: int) -> None:
    """Issue 13's targets: 3x v1 + torch end to end, <= 1.25 T CNN frames, sys <= 15% of CPU time."""
    name, per_video, unique, unique_v1, cpu_default = b.name, t.per_video(n), b.unique, b.unique_v1, t.cpu_default
    runtime, num_frames = b.backbone.runtime, int(b.settings["num_frames"])
    speedup = per_video["v1_torch"] / per_video["corpus"]
    share, share_v1 = sys_share(cpu_default), sys_share(t.cpu_v1)
    results.target(
        f"{name}: default at least 3x v1 + torch end to end",
        speedup,
        ">=",
        3.0,
        "x",
        detail=f"{per_video['corpus']:.2f} s vs {per_video['v1_torch']:.2f} s per video ({runtime}, "
        f"CNN {per_video['cnn_torch'] / per_video['cnn']:.2f}x torch)",
    )
    results.target(
        f"{name}: CNN frames per video <= 1.25 T",
        float(np.mean(unique)),
        "<=",
        1.25 * num_frames,
        "frames",
        detail=f"T={num_frames}; v1: {np.mean(unique_v1):.0f}",
    )
    results.target(
        f"{name}: sys <= 15% of CPU time",
        share,
        "<=",
        0.15,
        "fraction",
        detail=f"user {cpu_default['user']:.1f} s, sys {cpu_default['sys']:.1f} s (v1 + torch: {share_v1:.1%})",
    )


def _pipeline_targets(results: Results, b: _Backbone, t: _Times, nv: dict[str, float], n: int) -> None:
    """End to end within 1.3x of the CNN alone, and at least 3x the predecessor's loop."""
    name, per_video, naive_s = b.name, t.per_video(n), nv["s"]
    ratio_cnn, ratio_naive = per_video["corpus"] / per_video["cnn"], naive_s / per_video["corpus"]
    results.target(
        f"{name}: end to end within 1.3x of CNN-only",
        ratio_cnn,
        "<=",
        1.3,
        "ratio",
        detail=f"{per_video['corpus']:.2f} s vs {per_video['cnn']:.2f} s per video",
    )
    results.target(
        f"{name}: at least 3x the naive baseline",
        ratio_naive,
        ">=",
        3.0,
        "x",
        detail=f"{per_video['corpus']:.2f} s vs {naive_s:.2f} s per video",
    )


def _growth(
    results: Results, video: Path, e: dict[str, Any], g: dict[str, Any], device: torch.device, mode: dict[str, Any]
) -> None:
    """Extraction time against T, and CNN frames/s against batch size (one video, the first backbone)."""
    name = e["backbones"][0]
    settings = {**extract_config(name), **e.get("settings", {})}
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        backbone = Backbone(name, weights=None, device=device, cache_dir=Path(mode["cache_dir"]) / "onnx")
    for frames in g["frames"]:
        extractor = make_extractor(backbone, settings, num_frames=frames)
        start = time.perf_counter()
        decoded = extractor.decode(video)
        dec = time.perf_counter() - start
        sync(device)
        start = time.perf_counter()
        backbone.encode(torch.from_numpy(decoded.frames), extractor.batch_size)
        sync(device)
        cnn = time.perf_counter() - start
        results.add(
            "growth",
            f"extract ({name}) vs frames",
            dec + cnn,
            "s/video",
            params={
                "frames": frames,
                "decode_s": round(dec, 3),
                "cnn_s": round(cnn, 3),
                "cnn_frames": len(decoded.frames),
                "seconds": e["seconds"],
            },
        )
    extractor = make_extractor(backbone, settings)
    frames = torch.from_numpy(extractor.decode(video).frames)
    # Interleaved (8, 24, 48, 8, 24, 48, ...) so clock and cache drifts hit every batch size alike.
    legs = {str(bs): (lambda bs=bs: backbone.encode(frames, bs)) for bs in g["cnn_batch_sizes"]}
    samples = interleaved(legs, g["reps"], device, warmup=1)
    for bs in g["cnn_batch_sizes"]:
        results.add(
            "growth",
            f"CNN ({name}) vs batch size",
            len(frames) / median(samples[str(bs)]),
            "frames/s",
            params={"batch_size": bs, "frames": len(frames)},
        )
