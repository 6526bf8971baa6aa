"""Write small synthetic videos with PyAV: test fixtures whose frames say which frame they are.

Frame ``k`` is filled with grey level ``level_for_index(k)`` plus a moving bar, so a test can read
back which source frame a sampled moment selected (compression keeps flat grey levels within a
few units). ``times_s`` gives explicit presentation times for variable-frame-rate files.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

#: Grey levels step by this much per frame index; decoding error is far smaller.
LEVEL_STEP = 8


def level_for_index(index: int) -> int:
    return 16 + (index * LEVEL_STEP) % 224


def index_from_frame(frame: np.ndarray, num_frames: int) -> int:
    """Nearest frame index whose grey level matches the frame's median (indices < 28 are unique)."""
    level = float(np.median(frame))
    levels = np.array([level_for_index(k) for k in range(num_frames)])
    return int(np.argmin(np.abs(levels - level)))


def write_test_video(
    path: str | os.PathLike[str],
    num_frames: int = 24,
    fps: int = 12,
    size: tuple[int, int] = (64, 48),
    times_s: Sequence[float] | None = None,
    seed: int = 0,
    codec: str = "libx264",
    with_audio: bool = False,
    bframes: int = 0,
) -> Path:
    """Encode ``num_frames`` frames (W, H = ``size``); ``times_s`` makes it variable-frame-rate.

    ``bframes > 0`` gives x264 B-frames in a pyramid: decode order differs from presentation order
    and some pictures are non-reference, as in most real H.264 files.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    width, height = size
    rng = np.random.default_rng(seed)
    tint = rng.integers(-6, 7, size=3)
    with av.open(str(path), mode="w") as container:
        stream = container.add_stream(codec, rate=fps)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        if times_s is not None:
            stream.codec_context.time_base = Fraction(1, 1000)
            stream.time_base = Fraction(1, 1000)
        if codec == "libx264":
            stream.options = {"preset": "ultrafast", "crf": "10", "g": "12", "bf": str(bframes)}
        audio = container.add_stream("aac", rate=16000) if with_audio else None
        for k in range(num_frames):
            img = np.full((height, width, 3), level_for_index(k), dtype=np.int16) + tint
            bar = (k * 3) % max(1, width - 4)
            img[:, bar : bar + 3] = 255 - img[:, bar : bar + 3]
            frame = av.VideoFrame.from_ndarray(np.clip(img, 0, 255).astype(np.uint8), format="rgb24")
            if times_s is not None:
                frame.pts = round(times_s[k] * 1000)
                frame.time_base = Fraction(1, 1000)
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
        if audio is not None:
            _write_tone(container, audio, seconds=num_frames / fps)
    return path


def _write_tone(container: av.container.OutputContainer, stream: av.audio.AudioStream, seconds: float) -> None:
    rate = stream.codec_context.sample_rate
    samples = (0.1 * np.sin(np.linspace(0, 440 * 2 * np.pi * seconds, int(rate * seconds)))).astype(np.float32)
    chunk = stream.codec_context.frame_size or 1024
    for start in range(0, len(samples), chunk):
        block = samples[start : start + chunk]
        if len(block) < chunk:
            block = np.pad(block, (0, chunk - len(block)))
        frame = av.AudioFrame.from_ndarray(block[None, :], format="fltp", layout="mono")
        frame.sample_rate = rate
        frame.pts = start
        for packet in stream.encode(frame):
            container.mux(packet)
    for packet in stream.encode():
        container.mux(packet)


def write_audio_only(path: str | os.PathLike[str], seconds: float = 1.0) -> Path:
    """An .mp4 holding only an AAC track: must be rejected as 'no video stream'."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with av.open(str(path), mode="w") as container:
        stream = container.add_stream("aac", rate=16000)
        _write_tone(container, stream, seconds)
    return path


#: A track matrix (ISO BMFF ``tkhd``, 16.16 fixed point) as a phone writes it for portrait video: shown turned 90
#: degrees clockwise.
PORTRAIT_MATRIX = (0, 0x10000, 0, -0x10000, 0, 0, 0, 0, 0x40000000)


def write_phone_video(path: Path, matrix: tuple[int, ...] | None) -> Path:
    """A 64x32 clip, white on its left half, its track matrix set as a phone sets it (``tkhd``, ISO BMFF)."""
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=10)
        stream.width, stream.height, stream.pix_fmt = 64, 32, "yuv420p"
        image = np.zeros((32, 64, 3), np.uint8)
        image[:, :32] = 255
        for _ in range(5):
            for packet in stream.encode(av.VideoFrame.from_ndarray(image, format="rgb24")):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    if matrix is not None:
        data = bytearray(path.read_bytes())
        box = data.index(b"tkhd") - 4
        assert data[box + 8] == 0, "a version-0 tkhd: its matrix starts 48 bytes into the box"
        data[box + 48 : box + 84] = b"".join(v.to_bytes(4, "big", signed=True) for v in matrix)
        path.write_bytes(bytes(data))
    return path
