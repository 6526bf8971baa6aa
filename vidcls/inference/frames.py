"""What the model saw: one thumbnail per feature row, cut from the frames the extractor decoded.

The thumbnails are never resampled separately: :func:`extract_with_frames` runs the extractor's own
two stages (:meth:`FeatureExtractor.decode` then :meth:`FeatureExtractor.encode`) and keeps, next to
the features, a small copy of the exact centre-cropped frame each row was computed from. The web
page shows them as a strip under the attention weights and ``predict.py attention_plot=DIR`` draws
them above its bars.
"""

from __future__ import annotations

import base64
import io
import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from vidcls.extraction.extractor import _DECODE_SHARE as DECODE_SHARE  # the split FeatureExtractor.extract uses
from vidcls.utils.progress import FileProgress, part_progress


@dataclass
class SampledFrames:
    """``images [t, h, w, 3]`` uint8: row ``i``'s thumbnail, taken at ``timestamps_s[i]`` seconds."""

    images: np.ndarray
    timestamps_s: np.ndarray


def row_frame_index(decoded: Any) -> np.ndarray:
    """``[t]`` index into ``decoded.frames`` of the frame each feature row stands for.

    Short videos build each row from one frame (``row_frames``). Long videos average scales
    resampled onto the output moments; the row's picture is the frame any scale sampled nearest to
    the row's moment, which is exactly the scale-1.0 frame whenever scale 1.0 is extracted.
    """
    if decoded.short:
        return np.asarray(decoded.row_frames, dtype=np.int64)
    plan = decoded.plan
    times = np.concatenate([np.asarray(t, dtype=np.float64) for t in plan.scale_times])
    frames = np.concatenate([np.asarray(f, dtype=np.int64) for f in decoded.scale_frames])
    nearest = np.argmin(np.abs(plan.output_times[:, None] - times[None, :]), axis=1)
    return frames[nearest]


def shrink(frames: np.ndarray, px: int) -> np.ndarray:
    """Downscale ``[m, H, W, 3]`` uint8 frames so the longer side is ``px`` (aspect kept, area-averaged)."""
    from PIL import Image

    frames = np.asarray(frames, dtype=np.uint8)
    height, width = frames.shape[1:3]
    scale = min(1.0, px / max(height, width))
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    if size == (width, height):
        return frames.copy()
    return np.stack([np.asarray(Image.fromarray(f).resize(size, Image.Resampling.BOX)) for f in frames])


def sampled_frames(decoded: Any, px: int) -> SampledFrames:
    """The row thumbnails of a decoded video (each distinct frame shrunk once)."""
    index = row_frame_index(decoded)
    used, inverse = np.unique(index, return_inverse=True)
    small = shrink(decoded.frames[used], px)
    return SampledFrames(images=small[inverse.reshape(-1)], timestamps_s=np.asarray(decoded.timestamps_s))


def extract_with_frames(
    extractor: Any, path: str | os.PathLike[str], px: int, progress: FileProgress | None = None
) -> tuple[Any, SampledFrames]:
    """``extractor.extract(path)`` plus the row thumbnails, from one decode (same progress reports)."""
    decoded = extractor.decode(path, part_progress(progress, 0.0, DECODE_SHARE))
    frames = sampled_frames(decoded, px)
    extracted = extractor.encode(decoded, part_progress(progress, DECODE_SHARE, 1.0 - DECODE_SHARE))
    if progress is not None:
        progress(1.0)
    return extracted, frames


def jpeg_data_urls(images: Sequence[np.ndarray] | np.ndarray, quality: int = 80) -> list[str]:
    """Each ``[h, w, 3]`` uint8 image as a ``data:image/jpeg;base64,...`` URL (what the page's <img> shows)."""
    from PIL import Image

    urls = []
    for image in images:
        buffer = io.BytesIO()
        Image.fromarray(np.asarray(image, dtype=np.uint8)).save(buffer, format="JPEG", quality=quality)
        urls.append("data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode("ascii"))
    return urls
