"""Frames to clips: decoding media (video, GIF, animated WebP, image sequences), fitting frames to the clip
size, laying out segment start times and resampling onto the output rate."""

from __future__ import annotations

import io
import math
from pathlib import Path

import numpy as np

from vidcls.devset.sources import Source

OUT_FPS = 15  # every clip is re-encoded at this rate (GIF frame delays are resampled onto it)
MAX_SIDE = 320  # longest side of an output clip, in pixels (extraction resizes to 256 anyway)


def fit_frame(frame: np.ndarray) -> np.ndarray:
    """Scale so the longest side is at most MAX_SIDE (nearest-up for tiny game screens), even sides."""
    from PIL import Image

    h, w = frame.shape[:2]
    scale = MAX_SIDE / max(h, w) if max(h, w) > MAX_SIDE else max(1, int(MAX_SIDE // max(h, w)))
    new_w, new_h = max(2, int(w * scale) // 2 * 2), max(2, int(h * scale) // 2 * 2)
    if (new_w, new_h) == (w, h):
        return np.ascontiguousarray(frame)
    resample = Image.NEAREST if scale > 1 else Image.BILINEAR
    return np.asarray(Image.fromarray(frame).resize((new_w, new_h), resample))


def decode_timed(path: Path) -> tuple[list[np.ndarray], list[float], float]:
    """All frames of a media file (scaled), their start times and the file's end time."""
    import gzip

    import av

    from vidcls.video.decode import quarter_turns, upright

    if path.suffix == ".webp":
        return decode_webp(path)
    data = None
    if path.suffix == ".gz":
        with gzip.open(path) as packed:
            data = packed.read()
    frames: list[np.ndarray] = []
    times: list[float] = []
    end = 0.0
    with av.open(io.BytesIO(data) if data is not None else str(path)) as container:
        stream = container.streams.video[0]
        for frame in container.decode(stream):
            t = float(frame.time) if frame.time is not None else (times[-1] + 0.1 if times else 0.0)
            dur = float(frame.duration * stream.time_base) if frame.duration else 0.0
            frames.append(fit_frame(upright(frame.to_ndarray(format="rgb24"), quarter_turns(frame))))
            times.append(t)
            end = max(end, t + (dur or 1.0 / float(stream.average_rate or 10)))
    if not frames:
        raise SystemExit(f"error: {path} has no video frames")
    t0 = times[0]
    return frames, [t - t0 for t in times], end - t0


def segment_starts(duration: float, count: int, length: float) -> list[float]:
    """``count`` start times spread evenly so segments of ``length`` tile the file (overlap only if short)."""
    length = min(length, duration)
    if count == 1:
        return [max(0.0, (duration - length) / 2)]
    span = max(0.0, duration - length)
    return [round(span * i / (count - 1), 3) for i in range(count)]


def cut_starts(source: Source, duration: float) -> list[float]:
    """Start times of a decoded member's segments, tiled over ``[from_s, until_s]`` (each bound when it is set)."""
    end = min(duration, source.until_s) if source.until_s > 0 else duration
    offset = source.from_s if 0 < source.from_s < end else 0.0
    starts = segment_starts(end - offset, source.segments, source.segment_s)
    return [round(offset + t, 3) for t in starts] if offset else starts


def resample(frames: list[np.ndarray], times: list[float], start: float, length: float) -> list[np.ndarray]:
    """The frame showing at each tick of OUT_FPS in [start, start+length)."""
    ticks = start + np.arange(max(1, math.floor(length * OUT_FPS + 1e-6))) / OUT_FPS
    idx = np.clip(np.searchsorted(np.asarray(times), ticks, side="right") - 1, 0, len(frames) - 1)
    return [frames[i] for i in idx]


def low_res(frame: np.ndarray, side: int) -> np.ndarray:
    """``frame`` captured at ``side`` x ``side`` (area filter) and enlarged again by :func:`fit_frame`; 0: unchanged."""
    if side <= 0:
        return frame
    from PIL import Image

    return fit_frame(np.asarray(Image.fromarray(frame).resize((side, side), Image.Resampling.BOX)))


def decode_webp(path: Path) -> tuple[list[np.ndarray], list[float], float]:
    """An animated WebP (FFmpeg reads only still ones) as :func:`decode_timed` returns a video, on white."""
    from PIL import Image

    frames: list[np.ndarray] = []
    times: list[float] = []
    end = 0.0
    with Image.open(path) as image:
        for k in range(getattr(image, "n_frames", 1)):
            image.seek(k)
            image.load()  # the frame's duration is read with it
            canvas = Image.new("RGBA", image.size, "white")
            canvas.alpha_composite(image.convert("RGBA"))
            frames.append(fit_frame(np.asarray(canvas.convert("RGB"))))
            times.append(end)
            end += image.info.get("duration", 100) / 1000
    return frames, times, end


def decode_sequence(files: list[Path], fps: float) -> tuple[list[np.ndarray], list[float], float]:
    """An image sequence recorded at ``fps`` as :func:`decode_timed` returns a video: frames, start times, end."""
    from PIL import Image

    if not files or fps <= 0:
        raise SystemExit(f"error: an image sequence needs files and a frame rate (got {len(files)} files at {fps})")
    frames = [fit_frame(np.asarray(Image.open(f).convert("RGB"))) for f in files]
    return frames, [i / fps for i in range(len(frames))], len(frames) / fps


def loop_starts(duration: float, count: int) -> list[float]:
    """Start times for a looping animation: ``count`` evenly through one loop (0, 1/count, ... of it).

    Not tiled to the end as :func:`segment_starts` does: many Lottie animations hold their last
    frame, and a segment of that hold would be a still picture.
    """
    return [round(duration * i / count, 3) for i in range(count)]
