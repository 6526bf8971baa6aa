"""The demo's 3-D CG renderer (vidcls/demo/cgi.py): deterministic and moving; half the clips a toy
world (sky above a lit ground), half film-style close-ups (skin, eyes that blink, a defocused set,
letterbox bars, cuts between shots); both shaded the way CGI is, without sensor noise."""

from __future__ import annotations

import numpy as np

from vidcls.demo.cgi import _Cinematic, _head_blocks, _render_toy, _Scene, render_cgi, render_cinematic

W, H = 320, 240


def clip(seed: int, frames: int = 8, fps: int = 12) -> np.ndarray:
    return np.stack(list(_render_toy(np.random.default_rng([seed, 3]), W, H, fps, frames)))


def film(seed: int, frames: int = 6, fps: int = 12, size: tuple[int, int] = (W, H)) -> np.ndarray:
    return np.stack(list(render_cinematic(np.random.default_rng(seed), *size, fps, frames)))


def laplace(image: np.ndarray) -> np.ndarray:
    """Mean absolute 4-neighbour Laplacian over the channels, per pixel (edges repeated)."""
    p = np.pad(image, ((1, 1), (1, 1), (0, 0)), mode="edge")
    return np.abs(p[:-2, 1:-1] + p[2:, 1:-1] + p[1:-1, :-2] + p[1:-1, 2:] - 4 * image).mean(axis=-1)


def grow(mask: np.ndarray, steps: int) -> np.ndarray:
    """The mask dilated by ``steps`` pixels (8-neighbourhood)."""
    for _ in range(steps):
        p = np.pad(mask, 1)
        mask = np.any(
            [p[1 + dy : p.shape[0] - 1 + dy, 1 + dx : p.shape[1] - 1 + dx] for dy in (-1, 0, 1) for dx in (-1, 0, 1)],
            axis=0,
        )
    return mask


def curvature_small(frame: np.ndarray) -> float:
    """Share of pixels whose second difference along the row is < 2 levels (CG: smooth, no noise)."""
    frame = frame.astype(np.float32)
    return float((np.abs(frame[:, 2:] - 2 * frame[:, 1:-1] + frame[:, :-2]).max(axis=-1) < 2).mean())


def test_render_cgi_draws_both_scene_types_from_the_seed() -> None:
    kinds = []
    for seed in range(6):
        rng = np.random.default_rng(seed)
        cinematic = rng.uniform() < 0.5
        expected = next((render_cinematic if cinematic else _render_toy)(rng, 64, 48, 12, 2))
        assert np.array_equal(next(render_cgi(np.random.default_rng(seed), 64, 48, 12, 2)), expected)
        kinds.append(cinematic)
    assert any(kinds) and not all(kinds)


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
    assert curvature_small(frame) > 0.7


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


def test_cinematic_clip_is_deterministic_smooth_and_moves_subtly() -> None:
    a, b, c = film(2), film(2), film(1)
    assert a.shape == (6, H, W, 3) and a.dtype == np.uint8
    assert np.array_equal(a, b) and np.abs(a.astype(np.int16) - c).mean() > 5
    change = np.abs(np.diff(a.astype(np.int16), axis=0)).mean(axis=(1, 2, 3))
    # head turns, talking, a push-in and an arcing camera: every frame moves (unlike screen content), but no jumps
    assert (change > 0.5).all() and (change < 6).all(), change
    assert curvature_small(a[0]) > 0.7


def test_cinematic_close_up_has_skin_and_a_defocused_background() -> None:
    scene = _Cinematic(np.random.default_rng(3), 12, 24, 160, 120)
    assert len(scene.chars) == 1  # a single human character, so everything outside it is the set
    image, cover = scene.frame(0)
    body = cover > 0.5
    skin = (image[..., 0] > image[..., 1]) & (image[..., 1] > image[..., 2]) & (image[..., 0] - image[..., 2] > 0.12)
    assert body.mean() > 0.1 and skin[body].mean() > 0.15
    energy = laplace(image)
    backdrop = ~grow(body, 3)
    assert energy[backdrop].mean() < 0.25 * energy[body].mean()  # the set is out of focus, the face is not
    assert energy[backdrop].mean() < 0.5 * laplace(scene.set_image ** (1 / 2.2)).mean()


def test_in_focus_silhouette_is_antialiased_and_the_head_shades_the_shoulders() -> None:
    scene = _Cinematic(np.random.default_rng(3), 12, 24, 160, 120)
    _, cover = scene.frame(0)
    partial = (cover > 0.1) & (cover < 0.9)
    assert partial.sum() > 20 and set(np.round(cover[partial] * 4).tolist()) >= {1.0, 2.0, 3.0}
    assert not (partial & ~grow(cover >= 0.9, 1)).any()  # partly covered pixels only along the silhouette
    head = np.zeros((1, 3)), np.eye(3)[None], np.ones((1, 3))
    below = np.array([[0.0, -1.5, 0.0], [0.0, -1.5, 1.2]])
    assert _head_blocks(below, np.array([0.0, 1.0, 0.0]), *head).tolist() == [True, False]


def test_cinematic_eyes_blink() -> None:
    scene = _Cinematic(np.random.default_rng(3), 12, 24, 160, 120)
    char = scene.chars[0]
    frames = []
    for blink_at in (100.0, 0.5):  # the same frame with the eyes open, then mid-blink
        char.blinks = np.array([blink_at])
        frames.append(scene.frame(6)[0])
    opened, closed = frames
    eyes = np.abs(opened - closed).max(axis=-1) > 0.1
    assert 4 <= eyes.sum() < 0.03 * eyes.size  # only the eyes change
    lid = char.skin ** (1 / 2.2)  # display-space skin: the lids cover the eyes
    assert np.abs(closed[eyes] - lid).mean() < 0.5 * np.abs(opened[eyes] - lid).mean()


def test_letterbox_bars_are_black_only_when_chosen() -> None:
    seen = set()
    for seed in range(6):
        boxed = _Cinematic(np.random.default_rng(seed), 12, 2, W // 2, H // 2).letterbox
        frame = film(seed, 1)[0]
        bar = round((H - W / 2.39) / 2)
        assert (frame[:bar] == 0).all() == boxed and (frame[-bar:] == 0).all() == boxed
        assert frame[bar : H - bar].mean() > 10
        seen.add(boxed)
    assert seen == {True, False}


def test_cinematic_cuts_between_shots() -> None:
    scene = _Cinematic(np.random.default_rng(1), 12, 36, 40, 30)
    assert 2 <= len(scene.starts) <= 3 and (np.diff([*scene.starts, 36]) >= 6).all()
    frames = np.stack([scene.frame(i)[0] for i in range(36)])
    change = np.abs(np.diff(frames, axis=0)).mean(axis=(1, 2, 3))
    at_cut = change[[s - 1 for s in scene.starts[1:]]]
    within = np.delete(change, [s - 1 for s in scene.starts[1:]])
    assert at_cut.min() > 3 * within.max(), (at_cut, within.max())
