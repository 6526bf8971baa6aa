"""Encode RGB frames to a small MP4, atomically: a clip either exists complete or not at all."""

from __future__ import annotations

import functools
import os
from collections.abc import Iterable
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from vidcls.errors import VidclsError

#: Encoders tried in order; H.264 in yuv420p plays everywhere, MPEG-4 part 2 is the fallback.
#: x264's macroblock-tree rate control is off: with it on, the same frames encoded twice in one
#: process came out as one of two or three byte streams for about half the demo's clips (up to 1.6
#: grey levels apart on average; with x264's assembly off or one thread too), so two builds of the demo
#: or the dev set gave different features and different trained ensembles. Off, every encode of the
#: same frames is byte-identical (docs/results.md, "Byte-identical builds").
_ENCODERS: tuple[tuple[str, dict[str, str]], ...] = (
    ("libx264", {"preset": "veryfast", "crf": "23", "x264-params": "mbtree=0"}),
    ("libopenh264", {"b": "600k"}),
    ("mpeg4", {"qscale": "4"}),
)

#: Suffix of a clip still being written; it is not a video extension, so nothing lists it as one.
PARTIAL_SUFFIX = ".partial"


@functools.lru_cache(maxsize=1)
def pick_encoder() -> tuple[str, dict[str, str]]:
    """The first encoder the installed PyAV/FFmpeg has."""
    for name, options in _ENCODERS:
        try:
            av.codec.Codec(name, "w")
        except Exception:
            continue
        return name, dict(options)
    raise VidclsError(
        "the installed PyAV has none of the encoders libx264, libopenh264, mpeg4; "
        "reinstall PyAV from its wheels (`pip install --force-reinstall av`), which bundle FFmpeg with them"
    )


def partial_path(path: Path) -> Path:
    """The hidden temporary name a clip is written under before it is renamed into place."""
    return path.with_name(f".{path.name}{PARTIAL_SUFFIX}")


def write_clip(frames: Iterable[np.ndarray], path: Path, fps: int) -> int:
    """Encode ``frames`` (HxWx3 uint8, even H and W) to ``path``; returns the frame count.

    Written under a temporary name and renamed with ``os.replace`` only after the container is
    closed and flushed, so an interrupted run never leaves a file that looks finished.
    """
    codec, options = pick_encoder()
    tmp = partial_path(path)
    count = 0
    try:
        with av.open(str(tmp), mode="w", format="mp4") as container:
            stream = container.add_stream(codec, rate=Fraction(fps, 1), options=options)
            stream.pix_fmt = "yuv420p"
            # The muxer rewrites stream.time_base when it writes the header, so frames keep their own.
            frame_time_base = Fraction(1, fps)
            stream.time_base = frame_time_base
            for array in frames:
                if count == 0:
                    stream.height, stream.width = array.shape[:2]
                frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(array), format="rgb24")
                frame.pts = count
                frame.time_base = frame_time_base
                container.mux(stream.encode(frame))
                count += 1
            if count == 0:
                raise ValueError(f"renderer produced no frames for {path.name}")
            container.mux(stream.encode(None))
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return count
