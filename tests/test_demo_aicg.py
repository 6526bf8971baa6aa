"""The demo's aicg clips: animated previews from the ComfyUI video-template bundle, cut into views."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from vidcls.demo.build import CLASS_KINDS
from vidcls.demo.real import (
    AI_ANIMATION_FILES,
    SourceVideo,
    ai_animation_dir,
    load_animated_webp,
    render_ai_animation,
    render_source_view,
)


def test_every_listed_clip_is_in_the_installed_bundle_and_animates() -> None:
    folder = ai_animation_dir()
    for name in AI_ANIMATION_FILES:
        source = load_animated_webp(name)
        assert (folder / name).is_file()
        assert len(source.frames) >= 30 and source.frames.dtype == np.uint8
        assert 1.5 < source.duration_s < 10 and (np.diff(source.times_s) > 0).all()
        # real motion: consecutive frames differ, first and last differ a lot
        assert np.abs(source.frames[-1].astype(int) - source.frames[0]).mean() > 5


def test_aicg_is_an_animation_kind_only() -> None:
    assert "aicg" in CLASS_KINDS["Animation"]
    assert all("aicg" not in kinds for name, kinds in CLASS_KINDS.items() if name != "Animation")


def test_views_are_deterministic_and_differ_between_seeds() -> None:
    def clip(seed: int) -> np.ndarray:
        return np.stack(list(render_ai_animation(np.random.default_rng(seed), 160, 120, 12, 24)))

    first = clip(3)
    assert first.shape == (24, 120, 160, 3) and first.dtype == np.uint8
    np.testing.assert_array_equal(first, clip(3))
    assert np.abs(first.astype(int) - clip(4)).mean() > 5


@pytest.mark.parametrize("bounce", [False, True])
def test_a_short_source_is_slowed_or_bounced_to_fill_a_long_view(bounce: bool) -> None:
    """A 1 s source (10 frames, each frame's number painted in) shown for 4 s at 10 fps."""
    frames = np.repeat(np.arange(10, dtype=np.uint8)[:, None, None, None] * 20, 3, axis=3)
    frames = np.broadcast_to(frames, (10, 48, 64, 3)).copy()
    source = SourceVideo(frames, np.arange(10) / 10)
    view = render_source_view(source, np.random.default_rng(0), 64, 48, 10, 40, bounce=bounce)
    shown = [int(frame[24, 32, 0]) // 20 for frame in view]
    runs = max(len(list(group)) for _, group in itertools.groupby(shown))
    if bounce:  # played at 0.6-1.4x, forward and back: every frame is shown, none for long
        assert runs <= 2 and set(shown) == set(range(10))
        assert any(b < a for a, b in itertools.pairwise(shown))  # it does turn back
    else:  # slowed to fit: monotonic, each frame held about 4 frames
        assert shown == sorted(shown) and runs >= 4
