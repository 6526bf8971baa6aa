"""The sampling rule as pure functions: class-independent, aligned across scales, exact."""

from __future__ import annotations

import numpy as np
import pytest

from vidcls.video.sampling import (
    SAMPLING_RULE,
    SAMPLING_V1,
    SAMPLING_V2,
    combine_scales,
    grid_size,
    interpolation_matrix,
    parse_sampling,
    parse_sampling_tag,
    plan_sampling,
    sampling_tag,
    scale_counts,
    uniform_times,
)


def test_scale_counts_round_num_frames_times_scale() -> None:
    assert scale_counts(64, [1.0, 0.85, 1.15]) == [64, 54, 74]
    assert scale_counts(1, [0.1]) == [1]
    with pytest.raises(ValueError):
        scale_counts(8, [0.0])


def test_uniform_times_are_frame_centres_over_the_whole_duration() -> None:
    times = uniform_times(4, duration=8.0, start=1.0)
    np.testing.assert_allclose(times, [2.0, 4.0, 6.0, 8.0])
    assert times[0] > 1.0 and times[-1] < 9.0


def test_plan_depends_only_on_duration_not_on_anything_class_like() -> None:
    # The predecessor sampled differently per class (a label leak). The plan takes no label at all,
    # so two videos of equal duration get identical moments whatever their class.
    a = plan_sampling(12.5, 16, [1.0, 0.85, 1.15])
    b = plan_sampling(12.5, 16, [1.0, 0.85, 1.15])
    for x, y in zip(a.scale_times, b.scale_times, strict=True):
        np.testing.assert_array_equal(x, y)
    assert "label" not in plan_sampling.__code__.co_varnames


@pytest.mark.parametrize("rule", [SAMPLING_V1, SAMPLING_V2])
def test_plan_union_deduplicates_and_indexes_every_scale(rule: str) -> None:
    plan = plan_sampling(10.0, 8, [1.0, 0.5, 1.5], rule=rule)
    assert np.all(np.diff(plan.union_times) > 0)
    for times, index in zip(plan.scale_times, plan.scale_index, strict=True):
        np.testing.assert_allclose(plan.union_times[index], times)
    np.testing.assert_allclose(plan.union_times[plan.output_index], plan.output_times)
    # Scale 1.0 shares all its moments with the output grid, so the union is smaller than the sum.
    assert len(plan.union_times) < 8 + 4 + 12 + 8


def test_interpolation_matrix_is_linear_and_clamped() -> None:
    src = np.array([1.0, 2.0, 4.0])
    dst = np.array([0.0, 1.0, 1.5, 3.0, 5.0])
    w = interpolation_matrix(src, dst)
    np.testing.assert_allclose(w.sum(axis=1), 1.0)
    values = np.array([10.0, 20.0, 40.0])
    np.testing.assert_allclose(w @ values, [10.0, 10.0, 15.0, 30.0, 40.0])
    np.testing.assert_allclose(interpolation_matrix(np.array([2.0]), dst) @ np.array([7.0]), 7.0)


def test_scales_are_aligned_in_time_before_averaging() -> None:
    # A feature that is a linear function of time must come out identical to that function at the
    # output moments: every scale is resampled onto the same moments before the average.
    plan = plan_sampling(9.0, 16, [1.0, 0.85, 1.15])
    slope = np.array([1.0, -2.0, 0.5])

    def feature_at(times: np.ndarray) -> np.ndarray:
        return times[:, None] * slope[None, :]

    combined = combine_scales([feature_at(t) for t in plan.scale_times], plan)
    inner = (plan.output_times >= max(t[0] for t in plan.scale_times)) & (
        plan.output_times <= min(t[-1] for t in plan.scale_times)
    )
    np.testing.assert_allclose(combined[inner], feature_at(plan.output_times)[inner], rtol=1e-5, atol=1e-5)
    # Position i of each scale stands for the same moment: a naive index-wise average would not.
    naive = np.mean([feature_at(t)[:10] for t in plan.scale_times], axis=0)
    assert not np.allclose(naive, feature_at(plan.output_times)[:10], atol=1e-3)


def test_sampling_tag_round_trips_and_rejects_unknown_rules() -> None:
    tag = sampling_tag(0.5)
    assert tag.startswith(SAMPLING_RULE)
    assert parse_sampling_tag(tag) == {"min_duration_s": 0.5}
    assert parse_sampling_tag(SAMPLING_RULE) == {}
    with pytest.raises(ValueError):
        parse_sampling_tag("class-dependent-v0")


def _v1_reference(duration: float, num_frames: int, scales: list[float]) -> tuple[np.ndarray, list[np.ndarray]]:
    """The v1 planner as it was before v2 existed (kept here to pin v1 bit for bit)."""
    counts = [max(1, round(num_frames * float(s))) for s in scales]
    scale_times = [(np.arange(n, dtype=np.float64) + 0.5) / n * duration + 1.5 for n in counts]
    output = (np.arange(num_frames, dtype=np.float64) + 0.5) / num_frames * duration + 1.5
    union, inverse = np.unique(np.concatenate([*scale_times, output]), return_inverse=True)
    return union, np.split(inverse.reshape(-1), np.cumsum([*counts, num_frames])[:-1])


@pytest.mark.parametrize("num_frames", [8, 16, 64])
def test_v1_stays_selectable_and_plans_exactly_as_before(num_frames: int) -> None:
    scales = [1.0, 0.85, 1.15]
    plan = plan_sampling(12.34, num_frames, scales, start=1.5, rule=SAMPLING_V1)
    union, parts = _v1_reference(12.34, num_frames, scales)
    np.testing.assert_array_equal(plan.union_times, union)
    for got, want in zip([*plan.scale_index, plan.output_index], parts, strict=True):
        np.testing.assert_array_equal(got, want)
    assert len(plan.union_times) > 2 * num_frames  # v1's scales rarely share a moment


@pytest.mark.parametrize("num_frames", [1, 4, 8, 16, 32, 64, 100, 128])
@pytest.mark.parametrize("scales", [[1.0, 0.85, 1.15], [1.0], [0.5, 1.0, 1.5, 2.0], [0.85, 1.15]])
def test_v2_shares_one_grid_of_at_most_1_25_t_moments(num_frames: int, scales: list[float]) -> None:
    plan = plan_sampling(10.0, num_frames, scales, start=0.25, rule=SAMPLING_V2)
    grid = grid_size(num_frames, scales)
    assert grid <= 1.25 * num_frames
    assert len(np.unique(np.concatenate(plan.scale_index))) <= grid  # what the CNN sees
    step = 10.0 / grid
    for n, times in zip(scale_counts(num_frames, scales), plan.scale_times, strict=True):
        nominal = uniform_times(n, 10.0, 0.25)
        # Each moment moves to the nearest grid moment (at most half a grid step) ...
        assert np.all(np.abs(times - nominal) <= step / 2 + 1e-9)
        # ... and a scale no denser than the grid keeps all its moments distinct.
        if n <= grid:
            assert len(np.unique(times)) == n
    # The snapped times are the scale's times for the alignment, so interpolation stays exact.
    slope = np.array([1.0, -2.0])
    combined = combine_scales([t[:, None] * slope for t in plan.scale_times], plan)
    inner = (plan.output_times >= max(t[0] for t in plan.scale_times)) & (
        plan.output_times <= min(t[-1] for t in plan.scale_times)
    )
    np.testing.assert_allclose(combined[inner], plan.output_times[inner, None] * slope, rtol=1e-5, atol=1e-5)


def test_v2_cuts_the_default_distinct_moments_from_about_3_t_to_1_16_t() -> None:
    v1 = plan_sampling(30.0, 64, [1.0, 0.85, 1.15], rule=SAMPLING_V1)
    v2 = plan_sampling(30.0, 64, [1.0, 0.85, 1.15], rule=SAMPLING_V2)
    assert len(v1.union_times) == 190 and len(np.unique(np.concatenate(v2.scale_index))) == 74


def test_both_rules_round_trip_through_the_tag() -> None:
    assert parse_sampling(sampling_tag(1.0, SAMPLING_V1)) == (SAMPLING_V1, {"min_duration_s": 1.0})
    assert parse_sampling(sampling_tag(2.5, SAMPLING_V2)) == (SAMPLING_V2, {"min_duration_s": 2.5})
    assert SAMPLING_RULE == SAMPLING_V2
    with pytest.raises(ValueError, match="unknown sampling rule"):
        sampling_tag(1.0, "uniform-aligned-v3")
    with pytest.raises(ValueError, match="unknown sampling rule"):
        plan_sampling(1.0, 4, [1.0], rule="uniform")
