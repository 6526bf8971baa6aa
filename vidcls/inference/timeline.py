"""Timelines of long or mixed videos: consecutive windows, each classified like a video of its own.

``segment_s=10`` cuts a file into ``[0, 10), [10, 20), ...``; a last piece shorter than half a window
joins the window before it (so no window is shorter than half of ``segment_s`` unless the whole file
is, and none is longer than 1.5 ``segment_s``). Each window is sampled and extracted by the checkpoints'
own recipe over the window's duration (:meth:`vidcls.extraction.FeatureExtractor.decode_span`, or
``decode_frames`` for frames in memory), so the provenance holds for every window. Windows are decoded
one at a time and only their predictions are kept: memory does not grow with the file's length.

The file's answer is the duration-weighted mean of the windows' probabilities; neighbouring windows
with the same label merge into spans.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from vidcls.errors import VidclsError
from vidcls.utils.progress import FileProgress, part_progress


def plan_windows(duration_s: float, segment_s: Any) -> list[tuple[float, float]]:
    """``(start_s, end_s)`` of each window; a tail under half a window is merged into the previous one."""
    try:
        seconds = float(segment_s)
    except (TypeError, ValueError):
        seconds = math.nan
    if not (math.isfinite(seconds) and seconds > 0):
        raise VidclsError(
            f"segment_s must be a positive number of seconds (or null for no timeline), got {segment_s!r}"
        )
    segment_s = seconds
    duration_s = float(duration_s)
    if not duration_s > 0:
        raise VidclsError(f"cannot cut a video of duration {duration_s}s into windows")
    count = max(1, math.floor(duration_s / segment_s + 1e-9))
    if duration_s - count * segment_s >= segment_s / 2:
        count += 1
    starts = [k * segment_s for k in range(count)]
    ends = [*starts[1:], duration_s]
    return list(zip(starts, ends, strict=True))


@dataclass
class WindowPrediction:
    """One window's ensemble answer: ``probs [C]`` (and each member's) for ``[start_s, end_s)``."""

    start_s: float
    end_s: float
    probs: np.ndarray
    member_probs: dict[str, np.ndarray]
    attention: np.ndarray | None
    timestamps_s: np.ndarray | None  # seconds from the file's start
    num_frames: int

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s

    def to_dict(self, class_names: Sequence[str]) -> dict[str, Any]:
        best = int(np.argmax(self.probs))
        return {
            "start_s": float(self.start_s),
            "end_s": float(self.end_s),
            "probabilities": [float(p) for p in self.probs],
            "predicted": class_names[best],
            "confidence": float(self.probs[best]),
        }


def spans_of(windows: Sequence[WindowPrediction], class_names: Sequence[str]) -> list[dict[str, Any]]:
    """Neighbouring windows with the same predicted class merged: ``{start_s, end_s, predicted}`` each."""
    spans: list[dict[str, Any]] = []
    for window in windows:
        label = class_names[int(np.argmax(window.probs))]
        if spans and spans[-1]["predicted"] == label:
            spans[-1]["end_s"] = float(window.end_s)
        else:
            spans.append({"start_s": float(window.start_s), "end_s": float(window.end_s), "predicted": label})
    return spans


def weighted_mean(arrays: Sequence[np.ndarray], weights: Sequence[float]) -> np.ndarray:
    """``sum(w_i a_i) / sum(w_i)``: a window counts as much as it lasts."""
    w = np.asarray(weights, dtype=np.float64)
    return (np.tensordot(w, np.stack([np.asarray(a, dtype=np.float64) for a in arrays]), axes=1) / w.sum()).astype(
        np.float32
    )


def extract_windows(
    extractor: Any, path: Any, segment_s: float, progress: FileProgress | None = None
) -> Iterator[tuple[float, float, Any]]:
    """``(start_s, end_s, ExtractedVideo)`` per window of a file, decoded and encoded one window at a time."""
    info = extractor.probe(path)
    windows = plan_windows(info.duration_s, segment_s)
    share = 1.0 / len(windows)
    with extractor.window_decoder(path) as decoder:  # one forward walk through the file for all windows
        for index, (start, end) in enumerate(windows):
            report = part_progress(progress, index * share, share / 2)
            decoded = extractor.decode_span(path, info, start, end, report, decoder=decoder)
            yield start, end, extractor.encode(decoded, part_progress(progress, (index + 0.5) * share, share / 2))


def extract_frame_windows(
    extractor: Any, frames: np.ndarray, fps: float, segment_s: float, name: str, progress: FileProgress | None = None
) -> Iterator[tuple[float, float, Any]]:
    """:func:`extract_windows` for frames in memory (``[n, h, w, 3]`` uint8 RGB at ``fps``)."""
    windows = plan_windows(len(frames) / float(fps), segment_s)
    for index, (start, end) in enumerate(windows):
        decoded = extractor.decode_frames(frames, fps, name, span=(start, end))
        yield start, end, extractor.encode(decoded, part_progress(progress, index / len(windows), 1 / len(windows)))
