"""The demo's first-person shooter renderer (vidcls/demo/raycaster.py): deterministic, and drawing
what that kind of game shows: walls whose height falls with distance over a floor and a ceiling,
a status bar that stays put while the view moves, red HUD digits, and a gun."""

from __future__ import annotations

import numpy as np

from vidcls.demo.raycaster import BAR_H, TEX, VIEW_H, VIEW_W, _Scene, render_firstperson

W, H = 320, 240
BAR_ROWS = round(H * BAR_H / (VIEW_H + BAR_H))  # the status bar's rows after stretching 200 -> 240


def clip(seed: int, frames: int = 24, fps: int = 12) -> np.ndarray:
    return np.stack(list(render_firstperson(np.random.default_rng([seed, 2]), W, H, fps, frames)))


def test_same_seed_same_frames_other_seed_other_frames() -> None:
    a, b, c = clip(0), clip(0), clip(1)
    assert a.shape == (24, H, W, 3) and a.dtype == np.uint8
    assert np.array_equal(a, b)
    assert np.abs(a.astype(np.int16) - c).mean() > 10


def test_the_view_moves_while_the_status_bar_stays_and_shows_red_digits() -> None:
    frames = clip(3, frames=36).astype(np.int16)
    view, bar = frames[:, : H - BAR_ROWS - 1], frames[:, H - BAR_ROWS + 1 :]
    view_change = np.abs(np.diff(view, axis=0)).mean(axis=(1, 2, 3))
    bar_change = np.abs(np.diff(bar, axis=0)).mean(axis=(1, 2, 3))
    assert (view_change > 1.0).mean() > 0.6, view_change  # walking and turning: most frames change
    assert bar_change.mean() < 0.2 * view_change.mean()
    red = (bar[..., 0] > 150) & (bar[..., 1] < 60) & (bar[..., 2] < 60)
    assert red.sum(axis=(1, 2)).min() > 50  # ammo / health / armour digits
    assert bar[0].std() > 10  # a textured bar, not a flat strip


def test_walls_stand_on_the_horizon_and_shrink_with_distance() -> None:
    """With flat colours (red walls, green floor, blue ceiling) a column's wall run is centred on the
    horizon and VIEW_H / distance tall, from the depth buffer the raycast returns."""
    scene = _Scene(np.random.default_rng(5))
    scene.walls = [np.broadcast_to(np.array([255.0, 0, 0], np.float32), (TEX, TEX, 3))] * 5
    scene.floor = np.broadcast_to(np.array([0, 255.0, 0], np.float32), (TEX, TEX, 3))
    scene.ceiling = np.broadcast_to(np.array([0, 0, 255.0], np.float32), (TEX, TEX, 3))
    scene.outdoor, scene.light, scene.fog = False, 1.0, 1e9
    free = np.argwhere(scene.grid == 0)[0]
    frame, depth = scene.render(free[1] + 0.5, free[0] + 0.5, 0.3, 0.0)
    assert frame.shape == (VIEW_H, VIEW_W, 3) and depth.shape == (VIEW_W,)
    assert np.all(depth > 0)
    wall = (frame[..., 0] > 100) & (frame[..., 1] < 100) & (frame[..., 2] < 100)
    heights = wall.sum(axis=0)
    expected = np.minimum(VIEW_H / depth, VIEW_H)
    assert np.abs(heights - expected).max() <= 2
    for col in range(0, VIEW_W, 16):
        rows = np.flatnonzero(wall[:, col])
        if len(rows) < VIEW_H:  # floor below, ceiling above, symmetric about the horizon
            assert abs((rows[0] + rows[-1]) / 2 - VIEW_H / 2) <= 1.5
            assert frame[rows[-1] + 1, col, 1] > 200 and frame[rows[0] - 1, col, 2] > 200
    assert len(np.unique(np.round(depth, 1))) > 5  # not one flat wall: the map has depth
