"""The demo's desktop-recording renderer (vidcls/demo/desktop.py), its application-window layout:
deterministic, mostly still between actions but with stretches of smooth motion, a top bar and a
window, and a pointer. The zoomed-out layout is tested in tests/test_demo_flat.py."""

from __future__ import annotations

import numpy as np

from vidcls.demo.desktop import render_app_desktop

W, H = 320, 240


def clip(seed: int, frames: int = 60, fps: int = 15) -> np.ndarray:
    return np.stack(list(render_app_desktop(np.random.default_rng([seed, 1]), W, H, fps, frames)))


def test_same_seed_same_frames_other_seed_other_frames() -> None:
    a, b, c = clip(0, 12), clip(0, 12), clip(1, 12)
    assert a.shape == (12, H, W, 3) and a.dtype == np.uint8
    assert np.array_equal(a, b)
    assert np.abs(a.astype(np.int16) - c).mean() > 5


def test_screen_is_still_between_actions_and_moves_during_them() -> None:
    """Over a few seeds (each with its own panel and theme): at least half the frame pairs are
    (near) still, and some change (the pointer, a dragged tile, a sliding switch, typing)."""
    for seed in range(3):
        frames = clip(seed).astype(np.int16)
        change = np.abs(np.diff(frames, axis=0)).mean(axis=(1, 2, 3))
        assert (change < 0.5).mean() >= 0.5, change
        assert (change > 0.05).sum() >= 5, change


def test_top_bar_is_a_dark_strip_and_the_window_is_a_flat_panel() -> None:
    frame = clip(2, 2)[0].astype(np.int16)
    top = frame[:12]  # the 28-pixel top bar at half scale
    assert top.mean() < 60
    window_rows = frame[40:200]
    flat = (np.abs(np.diff(window_rows, axis=1)).sum(axis=-1) == 0).mean()
    assert flat > 0.6, flat  # large uniform UI areas, unlike camera footage
