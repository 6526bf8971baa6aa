"""The demo's dark screen-content looks (issue: real Flat_Content clips that are dark with bright
marks were called Gaming): algorithm plots with blocky heat-maps, audio/oscilloscope scopes and
zoomed-out desktop recordings; each deterministic and with the property that makes its look."""

from __future__ import annotations

import numpy as np
import pytest

from vidcls.demo.charts import FAMILY_WEIGHTS, render_algorithm, render_chart, render_scope
from vidcls.demo.desktop import ZOOMED_SHARE, _ZoomedDesktop, reduce_screen, render_desktop, render_zoomed_desktop

W, H = 320, 240


def test_render_chart_and_render_desktop_pick_the_new_looks_in_their_shares() -> None:
    """The generators are only created, not run: which renderer each seed gets is the point."""
    charts = [render_chart(np.random.default_rng([s, 2]), W, H, 15, 10).__name__ for s in range(400)]
    for family, name in (("algorithm", "render_algorithm"), ("scope", "render_scope")):
        assert abs(charts.count(name) / 400 - FAMILY_WEIGHTS[family]) < 0.07, charts.count(name)
    desktops = [render_desktop(np.random.default_rng([s, 2]), W, H, 15, 10).__name__ for s in range(400)]
    assert abs(desktops.count("render_zoomed_desktop") / 400 - ZOOMED_SHARE) < 0.07
    assert set(desktops) == {"render_zoomed_desktop", "render_app_desktop"}


def _blockiness(frame: np.ndarray) -> float:
    """Of the non-black pixels in the middle of the frame, the share equal to their right neighbour."""
    middle = frame[40:200, 60:260].astype(np.int16)
    lit = middle[:, :-1].max(axis=-1) > 40
    same = (middle[:, 1:] == middle[:, :-1]).all(axis=-1)
    return float(same[lit].mean())


def test_algorithm_plot_is_deterministic_and_its_heat_map_has_blocky_cells() -> None:
    """Nearest-neighbour cells make long runs of identical pixels (a smooth colour map would not)."""
    for seed in (0, 1):
        a = np.stack(
            list(render_algorithm(np.random.default_rng([seed, 3]), W, H, 12, 24, layout="heat", method="hough"))
        )
        assert a.shape == (24, H, W, 3) and a.dtype == np.uint8
        assert _blockiness(a[-1]) > 0.8, _blockiness(a[-1])
        assert len(np.unique(a[-1].reshape(-1, 3), axis=0)) >= 8  # many vote levels, not a flat image
    b = np.stack(list(render_algorithm(np.random.default_rng([1, 3]), W, H, 12, 24, layout="heat", method="hough")))
    assert np.array_equal(a, b)
    c = next(iter(render_algorithm(np.random.default_rng([2, 3]), W, H, 12, 1, layout="both", method="ransac")))
    assert np.abs(c.astype(np.int16) - a[0]).mean() > 5


@pytest.mark.parametrize("mode", ["wave", "dual", "bars"])
def test_scope_is_mostly_black_with_green_marks_and_refreshes_often(mode: str) -> None:
    frames = np.stack(list(render_scope(np.random.default_rng([0, 4]), W, H, 24, 12, mode=mode, colour="green")))
    again = np.stack(list(render_scope(np.random.default_rng([0, 4]), W, H, 24, 12, mode=mode, colour="green")))
    assert frames.shape == (12, H, W, 3) and frames.dtype == np.uint8 and np.array_equal(frames, again)
    brightest = frames.max(axis=-1)
    assert (brightest < 64).mean() > 0.7
    bright = brightest > 128
    assert bright.mean() > 0.01  # a trace or bars are drawn
    assert (frames[..., 1] == brightest)[bright].mean() > 0.95  # and they are green
    changed = np.abs(np.diff(frames.astype(np.int16), axis=0)).max(axis=(1, 2, 3)) > 0
    assert changed.sum() >= 3  # refreshed at 8-30 Hz (every 3rd frame or more often), not at a chart's 1-4 Hz


def test_zoomed_desktop_shows_the_wallpaper_around_a_small_dialog() -> None:
    for seed in range(3):
        scene = _ZoomedDesktop(np.random.default_rng([seed, 5]), W, H)
        assert 2.5 * W <= scene.w <= 4 * W
        frame = reduce_screen(scene.draw((scene.w / 2, scene.h / 2), 0.0), W, H).astype(np.int16)
        wallpaper = reduce_screen(scene.wallpaper, W, H).astype(np.int16)
        visible = np.abs(frame - wallpaper).max(axis=-1) <= 3
        assert visible.mean() > 0.4, visible.mean()
        sx, sy = W / scene.w, H / scene.h
        x0, y0 = round(scene.dx * sx) + 2, round(scene.dy * sy) + 2
        x1, y1 = round((scene.dx + scene.dw) * sx) - 2, round((scene.dy + scene.dh) * sy) - 2
        assert (~visible[y0:y1, x0:x1]).mean() > 0.9  # the dialog covers its box
        assert (x1 - x0) * (y1 - y0) < 0.3 * W * H  # and it is small
        assert frame[:4].mean() < 40  # the black top bar


def test_zoomed_desktop_is_deterministic_mostly_still_and_changes_in_small_parts() -> None:
    frames = np.stack(list(render_zoomed_desktop(np.random.default_rng([1, 6]), W, H, 15, 45))).astype(np.int16)
    again = np.stack(list(render_zoomed_desktop(np.random.default_rng([1, 6]), W, H, 15, 45)))
    assert frames.shape == (45, H, W, 3) and np.array_equal(frames, again)
    changed = (np.abs(np.diff(frames, axis=0)).max(axis=-1) > 0).mean(axis=(1, 2))
    assert (changed > 0).sum() >= 3, changed  # the pointer moves, a tile or menu changes
    assert np.median(changed[changed > 0]) < 0.05, changed  # only a small part of the screen
