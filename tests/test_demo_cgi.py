"""The demo's 3-D CG renderer (vidcls/demo/cgi.py): deterministic, moving every frame, and shaded
the way CGI is: smooth gradients without sensor noise, a sky above a lit ground."""

from __future__ import annotations

import numpy as np

from vidcls.demo.cgi import _Scene, render_cgi

W, H = 320, 240


def clip(seed: int, frames: int = 8, fps: int = 12) -> np.ndarray:
    return np.stack(list(render_cgi(np.random.default_rng([seed, 3]), W, H, fps, frames)))


def test_same_seed_same_frames_other_seed_other_frames_and_motion() -> None:
    a, b, c = clip(0), clip(0), clip(1)
    assert a.shape == (8, H, W, 3) and a.dtype == np.uint8
    assert np.array_equal(a, b)
    assert np.abs(a.astype(np.int16) - c).mean() > 5
    change = np.abs(np.diff(a.astype(np.int16), axis=0)).mean(axis=(1, 2, 3))
    assert (change > 0.3).all(), change  # characters hop and the camera glides: every frame moves


def test_sky_above_ground_and_noise_free_shading() -> None:
    frame = clip(2, 1)[0].astype(np.float32)
    top, bottom = frame[:10].mean(axis=(0, 1)), frame[-10:].mean(axis=(0, 1))
    assert top[2] > top[0] and np.abs(top - bottom).sum() > 30  # bluish sky, a ground of another colour
    # CG has no sensor noise: the second difference along rows is ~0 almost everywhere
    curvature = np.abs(frame[:, 2:] - 2 * frame[:, 1:-1] + frame[:, :-2]).max(axis=-1)
    assert (curvature < 2).mean() > 0.7


def test_characters_stand_on_the_ground_and_their_shadows_darken_it() -> None:
    scene = _Scene(np.random.default_rng(4))
    centres, radii, _ = scene.spheres(0.0)
    chars = slice(len(scene.props), None)  # rocks and bushes may be half buried; characters are not
    assert np.all(centres[chars, 1] - radii[chars] >= -1e-6)
    lit = scene.render(0.0, 80, 60)
    scene.shadows = False
    unlit = scene.render(0.0, 80, 60)
    darker = lit.mean(axis=-1) < unlit.mean(axis=-1) - 0.05
    assert darker.mean() > 0.005 and (lit <= unlit + 1e-6).all()  # shadows only ever darken
