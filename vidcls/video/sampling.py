"""The frame-sampling rules, as pure functions (no decoding), so they can be tested exactly.

Rule ``uniform-aligned-v1`` (the same for every class; see docs/extraction.md):

* scale ``s`` samples ``n_s = round(T * s)`` moments at frame centres ``start + (k + 0.5) / n_s * duration``;
* each moment maps to the frame on screen then (the last frame whose pts <= the moment);
* each scale's feature sequence is linearly interpolated over time onto the scale-1.0 moments,
  then scales are averaged, so row ``i`` means the same moment in every scale;
* a short video (the T scale-1.0 moments land on fewer than T distinct frames, or the video is
  shorter than ``min_duration_s``) gives one row per distinct frame hit by those moments, each frame
  through the CNN once, no multi-scale averaging, true length ``t < T`` (no repeated or zero frames).

Rule ``uniform-aligned-v2`` (the default) is v1 with every scale's moments snapped to the nearest
moment of one shared grid of ``G = min(max(T, max n_s), floor(1.25 T))`` frame-centre moments, so
the scales share their frames and the CNN sees at most ``1.25 T`` distinct frames per video (v1:
2.5-2.8 T frames, as the three scales' moments rarely coincide). The snapped moments are the times
used for the alignment, so the rows still mean the same moments in every scale. Short videos are
handled exactly as in v1 (the test and the rows use the output moments themselves).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

SAMPLING_V1 = "uniform-aligned-v1"
SAMPLING_V2 = "uniform-aligned-v2"
#: Every rule this code reproduces; checkpoints name theirs in their provenance.
SAMPLING_RULES: tuple[str, ...] = (SAMPLING_V1, SAMPLING_V2)
#: The rule of new extractions (conf/extract.yaml ``sampling`` states it for the entry points).
SAMPLING_RULE = SAMPLING_V2
#: v2's shared grid holds at most this many moments per output row.
V2_GRID_FACTOR = 1.25


def scale_counts(num_frames: int, scales: Sequence[float]) -> list[int]:
    """``round(num_frames * s)`` moments per scale (at least 1)."""
    if num_frames < 1:
        raise ValueError(f"num_frames must be >= 1, got {num_frames}")
    if not scales or any(s <= 0 for s in scales):
        raise ValueError(f"scales must be positive, got {list(scales)}")
    return [max(1, round(num_frames * float(s))) for s in scales]


def uniform_times(count: int, duration: float, start: float = 0.0) -> np.ndarray:
    """``count`` frame-centre moments spread uniformly over ``[start, start + duration)``."""
    return start + (np.arange(count, dtype=np.float64) + 0.5) / count * duration


@dataclass(frozen=True)
class SamplingPlan:
    """Every moment any scale needs, deduplicated, plus how each scale indexes into them."""

    output_times: np.ndarray  # [T] the moments rows stand for (scale 1.0 grid)
    scale_times: list[np.ndarray]  # per scale: [n_s] moments
    union_times: np.ndarray  # sorted unique moments to decode
    scale_index: list[np.ndarray]  # per scale: [n_s] indices into union_times
    output_index: np.ndarray  # [T] indices of output_times into union_times


def check_rule(rule: str) -> str:
    if rule not in SAMPLING_RULES:
        raise ValueError(f"unknown sampling rule {rule!r}; this vidcls reproduces {', '.join(SAMPLING_RULES)}")
    return rule


def grid_size(num_frames: int, scales: Sequence[float]) -> int:
    """v2's shared grid: fine enough for the densest scale, never above ``floor(1.25 T)`` moments."""
    cap = max(1, int(np.floor(V2_GRID_FACTOR * num_frames)))
    return min(max(num_frames, *scale_counts(num_frames, scales)), cap)


def snap_to_grid(count: int, grid: int) -> np.ndarray:
    """Index of the grid moment nearest each of ``count`` uniform moments (exact integer arithmetic).

    Moment ``k`` sits at ``(k + 0.5) / count``, grid moment ``j`` at ``(j + 0.5) / grid`` of the
    duration; the nearest ``j`` is ``floor((2k + 1) * grid / (2 * count))``. For ``count <= grid``
    the indices are distinct, so a scale never loses a moment to the grid.
    """
    k = np.arange(count, dtype=np.int64)
    return np.minimum((2 * k + 1) * grid // (2 * count), grid - 1)


def plan_sampling(
    duration: float, num_frames: int, scales: Sequence[float], start: float = 0.0, rule: str = SAMPLING_RULE
) -> SamplingPlan:
    """Plan the moments to decode for one video; identical for every class by construction."""
    if not duration > 0:
        raise ValueError(f"duration must be positive, got {duration}")
    check_rule(rule)
    counts = scale_counts(num_frames, scales)
    output_times = uniform_times(num_frames, duration, start)
    if rule == SAMPLING_V1:
        scale_times = [uniform_times(n, duration, start) for n in counts]
    else:
        grid = grid_size(num_frames, scales)
        grid_times = uniform_times(grid, duration, start)
        scale_times = [grid_times[snap_to_grid(n, grid)] for n in counts]
    # The output moments join the union so the short-video test can see them even without scale 1.0 (in
    # v2 they are off the grid: decoded for that test, but only the scales' frames go through the CNN).
    union_times, inverse = np.unique(np.concatenate([*scale_times, output_times]), return_inverse=True)
    parts = np.split(inverse.reshape(-1), np.cumsum([*counts, num_frames])[:-1])
    return SamplingPlan(
        output_times=output_times,
        scale_times=scale_times,
        union_times=union_times,
        scale_index=parts[:-1],
        output_index=parts[-1],
    )


def interpolation_matrix(src_times: np.ndarray, dst_times: np.ndarray) -> np.ndarray:
    """``W [n_dst, n_src]`` with ``W @ f(src) = linear interpolation of f at dst`` (clamped at the ends)."""
    src = np.asarray(src_times, dtype=np.float64)
    dst = np.asarray(dst_times, dtype=np.float64)
    weights = np.zeros((len(dst), len(src)), dtype=np.float64)
    if len(src) == 1:
        weights[:, 0] = 1.0
        return weights
    right = np.clip(np.searchsorted(src, dst, side="right"), 1, len(src) - 1)
    left = right - 1
    span = src[right] - src[left]
    frac = np.clip((dst - src[left]) / np.where(span > 0, span, 1.0), 0.0, 1.0)
    rows = np.arange(len(dst))
    np.add.at(weights, (rows, left), 1.0 - frac)
    np.add.at(weights, (rows, right), frac)
    return weights


def combine_scales(scale_features: Sequence[np.ndarray], plan: SamplingPlan) -> np.ndarray:
    """Resample each scale's ``[n_s, D]`` features onto the output moments and average: ``[T, D]``."""
    resampled = [
        interpolation_matrix(times, plan.output_times) @ np.asarray(feats, dtype=np.float64)
        for feats, times in zip(scale_features, plan.scale_times, strict=True)
    ]
    return np.mean(resampled, axis=0).astype(np.float32)


def sampling_tag(min_duration_s: float, rule: str = SAMPLING_RULE) -> str:
    """The ``sampling`` provenance attr; parameters beyond the named attrs ride along in it."""
    return f"{check_rule(rule)}(min_duration_s={float(min_duration_s):g})"


def parse_sampling(tag: str) -> tuple[str, dict[str, float]]:
    """Inverse of :func:`sampling_tag`: ``(rule, params)``; ``ValueError`` for rules this code cannot reproduce."""
    name, _, params = tag.partition("(")
    if name.strip() not in SAMPLING_RULES:
        raise ValueError(f"unknown sampling rule {tag!r} (this vidcls reproduces {', '.join(SAMPLING_RULES)})")
    out: dict[str, float] = {}
    for item in filter(None, params.rstrip(")").split(",")):
        key, _, value = item.partition("=")
        out[key.strip()] = float(value)
    return name.strip(), out


def parse_sampling_tag(tag: str) -> dict[str, float]:
    """The parameters of a ``sampling`` tag (see :func:`parse_sampling`)."""
    return parse_sampling(tag)[1]
