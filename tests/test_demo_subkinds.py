"""Demo v9's kinds for the sub-kinds real video showed the quickstart missing (issue 25): talking heads
and lecture insets (Flat_Content), motion graphics (Animation), 64x64 game captures (Gaming) and
photorealistic AI footage (Natural_Content). Each: its label, determinism, and a property of the
frames that shows the effect."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from vidcls.demo import talking
from vidcls.demo.build import CLASS_KINDS, RENDERERS
from vidcls.demo.lowres import render_low_res_game
from vidcls.demo.motion import render_motion_graphics
from vidcls.demo.real import (
    AI_ANIMATION_FILES,
    AI_ANIMATION_PACKAGE,
    AI_FOOTAGE_FILES,
    ai_animation_dir,
    load_animated_webp,
    render_ai_footage,
)
from vidcls.demo.talking import AVATAR_FILES, render_avatar, render_lecture_inset, render_portrait_talk, webcam
from vidcls.devset.sources import SOURCES

REPO = Path(__file__).resolve().parents[1]


def clip(render, seed: int, width: int = 160, height: int = 120, fps: int = 12, frames: int = 24) -> np.ndarray:
    return np.stack(list(render(np.random.default_rng(seed), width, height, fps, frames)))


@pytest.mark.parametrize(
    ("kind", "label"),
    [
        ("talkhead", "Flat_Content"),
        ("avatar", "Flat_Content"),
        ("carphone", "Flat_Content"),
        ("inset", "Flat_Content"),
        ("motion", "Animation"),
        ("lowres", "Gaming"),
        ("aireal", "Natural_Content"),
    ],
)
def test_each_new_kind_has_its_taxonomy_label_only(kind: str, label: str) -> None:
    """docs/classes.md: talking heads (carphone by rule 1) and lecture insets are Flat_Content, motion
    graphics Animation, low-resolution captures Gaming, photorealistic footage Natural_Content."""
    assert kind in RENDERERS
    assert [name for name, kinds in CLASS_KINDS.items() if kind in kinds] == [label]


def test_no_new_source_is_a_dev_set_source() -> None:
    """The bundle's clips the demo uses are named nowhere in the dev set's source table, and no dev-set source comes
    from the demo's bundle (its AI-generated sources come from ComfyUI's other template bundles, other files)."""
    sources = (REPO / "vidcls" / "devset" / "sources.py").read_text()
    for name in (*AVATAR_FILES, *AI_FOOTAGE_FILES, *AI_ANIMATION_FILES):
        assert name.removesuffix(".webp") not in sources
    demo_bundle = AI_ANIMATION_PACKAGE.replace("_", "-")
    assert all(s.package != demo_bundle and AI_ANIMATION_PACKAGE not in s.member for s in SOURCES)
    assert "astronaut" not in sources
    assert not set(AVATAR_FILES) & set(AI_FOOTAGE_FILES) and not set(AVATAR_FILES) & set(AI_ANIMATION_FILES)


@pytest.mark.parametrize("name", [*AVATAR_FILES, *AI_FOOTAGE_FILES])
def test_every_listed_bundle_clip_is_installed_and_moves(name: str) -> None:
    source = load_animated_webp(name)
    assert (ai_animation_dir() / name).is_file() and len(source.frames) >= 20
    assert np.abs(source.frames[-1].astype(int) - source.frames[0]).mean() > 2


@pytest.mark.parametrize("render", [render_portrait_talk, render_avatar, render_lecture_inset, render_ai_footage])
def test_camera_kinds_are_deterministic_and_differ_between_seeds(render) -> None:
    first = clip(render, 5)
    assert first.shape == (24, 120, 160, 3) and first.dtype == np.uint8
    np.testing.assert_array_equal(first, clip(render, 5))
    assert np.abs(first.astype(int) - clip(render, 6)).mean() > 3


def test_talking_head_moves_a_little_and_only_the_person(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without the webcam's noise, the background is exactly still and the person moves slightly:
    consecutive frames differ by a few grey levels, and the pixels that change cluster around the face."""
    monkeypatch.setattr(talking, "webcam", lambda frame, *_: frame)
    for seed in range(2):
        frames = clip(render_portrait_talk, seed, 320, 240, 25, 30).astype(np.int16)
        changed = np.abs(frames - frames[0]).max(axis=(0, 3)) > 0
        assert 0.05 < changed.mean() < 0.75, f"seed {seed}: {changed.mean():.2f} of pixels change"
        assert np.abs(np.diff(frames, axis=0)).mean() < 4.0
        # the face (mouth, eyes, nods) changes most: the most-changing rows are in the upper two thirds
        energy = np.abs(np.diff(frames, axis=0)).mean(axis=(0, 2, 3))
        assert int(np.argmax(energy)) < 160


def test_talking_head_mouth_opens_and_eyes_blink() -> None:
    photo = Image.new("RGB", (512, 512), (200, 160, 140))
    still = np.asarray(talking._face(photo, 0.0, False, (200, 160, 140)))
    np.testing.assert_array_equal(still, np.asarray(photo))
    speaking = np.asarray(talking._face(photo, 1.0, False, (200, 160, 140))).astype(int)
    left, top, right, bottom = talking._MOUTH
    assert (speaking[top:bottom, left:right].sum(axis=2) < 200).any()  # the dark gap between the lips
    assert (speaking[:top] == still[:top]).all()  # nothing above the mouth moves
    blinking = np.asarray(talking._face(photo, 0.0, True, (200, 160, 140))).astype(int)
    ex, ey = talking._EYES[0]
    assert (blinking[ey - 2 : ey + 4, ex - 8 : ex + 8] != still[ey - 2 : ey + 4, ex - 8 : ex + 8]).any()


def test_webcam_adds_noise_and_compression_but_keeps_the_picture() -> None:
    frame = np.tile(np.linspace(0, 255, 160, dtype=np.uint8)[None, :, None], (120, 1, 3))
    out = webcam(frame, np.random.default_rng(0), 3.0, 30)
    assert out.shape == frame.shape and out.dtype == np.uint8
    assert 0.5 < np.abs(out.astype(int) - frame).mean() < 8


def test_lecture_inset_moves_in_one_corner_while_the_screen_stays() -> None:
    """Pixels that change in most frame pairs all lie in a box of at most a third of the frame's
    width and height that touches a corner (the speaker's webcam); the rest is near-static."""
    width, height = 320, 240
    for seed in range(3):
        frames = clip(render_lecture_inset, seed, width, height, 15, 40).astype(np.int16)
        busy = (np.abs(np.diff(frames, axis=0)).max(axis=3) > 6).mean(axis=0) > 0.5
        ys, xs = np.nonzero(busy)
        assert len(xs) > 100, f"seed {seed}: the inset does not move"
        x0, x1, y0, y1 = xs.min(), xs.max(), ys.min(), ys.max()
        assert x1 - x0 < width * 0.36 and y1 - y0 < height * 0.45, f"seed {seed}: busy area too large"
        assert (x0 < width * 0.1 or x1 > width * 0.9) and (y0 < height * 0.1 or y1 > height * 0.9)


def test_motion_graphics_are_few_flat_colours_that_move_all_the_time() -> None:
    frames = clip(render_motion_graphics, 1, 320, 240, 15, 45)
    np.testing.assert_array_equal(frames, clip(render_motion_graphics, 1, 320, 240, 15, 45))
    for seed in range(6):
        frames = clip(render_motion_graphics, seed, 320, 240, 15, 45)
        last = frames[-1].reshape(-1, 3)
        _, counts = np.unique(last, axis=0, return_counts=True)
        # background + 3-5 accents (+ a few overlaps) cover nearly all pixels; the rest are anti-aliased edges
        assert np.sort(counts)[::-1][:8].sum() / len(last) > 0.9, f"seed {seed}: not flat colour"
        moving = np.abs(np.diff(frames.astype(np.int16), axis=0)).mean(axis=(1, 2, 3)) > 0
        assert moving[len(moving) // 3 :].mean() > 0.8, f"seed {seed}: motion graphics stop moving"


def test_low_res_game_is_a_small_capture_enlarged() -> None:
    """Each frame is (up to its black bars) a picture of at most 84x84 pixels enlarged: reducing it to
    84x84 and back changes it little, while the same game drawn at full size loses its detail."""
    first = clip(render_low_res_game, 2, 320, 240, 15, 20)
    np.testing.assert_array_equal(first, clip(render_low_res_game, 2, 320, 240, 15, 20))
    for seed in range(5):
        frame = clip(render_low_res_game, seed, 320, 240, 15, 6)[-1]
        cols = np.nonzero(frame.max(axis=(0, 2)) > 0)[0]
        picture = Image.fromarray(frame[:, cols.min() : cols.max() + 1])
        small = picture.resize((84, 84), Image.Resampling.BOX).resize(picture.size, Image.Resampling.BILINEAR)
        assert np.abs(np.asarray(small).astype(int) - np.asarray(picture)).mean() < 6, f"seed {seed}"
