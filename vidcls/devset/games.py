"""Played games: ALE, ViZDoom, pygame's aliens, Pyxel apps, Panda3D, flappy / CarRacing, Dice Wars and
tower-defence, each driven by a seeded agent, headless (the engines are imported inside the functions)."""

from __future__ import annotations

import math
import os
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import NamedTuple

import numpy as np

from vidcls.devset.clips import OUT_FPS, fit_frame
from vidcls.devset.sources import (
    DICEWARS,
    FONTS_DEJAVU,
    FONTS_FREEFONT,
    OPENSIMPLEX,
    PANDA3D,
    PYGAME,
    PYGAME_CE,
    STUNTCAT_WITH,
)


def headless_sdl(roots: list[Path]) -> None:
    """Let pygame games run without a display or sound card (SDL's dummy drivers), their packages importable."""
    os.environ.update(SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy", PYGAME_HIDE_SUPPORT_PROMPT="1")
    for path in roots:
        sys.path.insert(0, str(path))


def pygame_frame(pg: ModuleType, surface: object) -> np.ndarray:
    """A pygame surface as an RGB frame (rows first), fitted as every clip's frames are."""
    return fit_frame(pg.surfarray.array3d(surface).transpose(1, 0, 2))


def render_ale(root: Path, rom: str, seconds: float, seed: int) -> Iterator[np.ndarray]:
    """Atari gameplay with a seeded random agent: ALE runs at 60 Hz, every 4th frame is kept (15 fps)."""
    sys.path.insert(0, str(root))
    from ale_py import ALEInterface, LoggerMode, roms

    ALEInterface.setLoggerMode(LoggerMode.Error)
    ale = ALEInterface()
    ale.setInt("random_seed", seed)
    ale.setFloat("repeat_action_probability", 0.0)
    ale.loadROM(roms.get_rom_path(rom))
    actions = ale.getMinimalActionSet()
    rng = np.random.default_rng(seed)
    for _ in range(int(seconds * OUT_FPS)):
        action = actions[rng.integers(len(actions))]
        for _ in range(60 // OUT_FPS):
            ale.act(action)
        if ale.game_over():
            ale.reset_game()
        yield fit_frame(ale.getScreenRGB())


def render_doom(root: Path, wad: str, doom_map: str, seconds: float, seed: int) -> Iterator[np.ndarray]:
    """Scripted first-person play (walk, turn, shoot) at 35/2 Hz tics, with the HUD on."""
    sys.path.insert(0, str(root))
    import vizdoom as vzd

    game = vzd.DoomGame()
    game.set_doom_game_path(str(Path(vzd.__file__).parent / wad))
    game.set_doom_map(doom_map)
    game.set_window_visible(False)
    game.set_sound_enabled(False)
    game.set_screen_format(vzd.ScreenFormat.RGB24)
    game.set_screen_resolution(vzd.ScreenResolution.RES_320X240)
    game.set_render_hud(True)
    game.set_seed(seed)
    game.set_episode_timeout(100000)
    game.set_available_buttons([vzd.Button.MOVE_FORWARD, vzd.Button.TURN_LEFT, vzd.Button.TURN_RIGHT,
                                vzd.Button.ATTACK, vzd.Button.USE])  # fmt: skip
    game.init()
    rng = np.random.default_rng(seed)
    turn = 0
    try:
        for i in range(int(seconds * 17.5)):
            if i % 12 == 0:
                turn = int(rng.integers(3))
            action = [1, int(turn == 1), int(turn == 2), int(rng.random() < 0.15), int(i % 9 == 0)]
            game.make_action(action, 2)
            if game.is_episode_finished():
                game.new_episode()
            state = game.get_state()
            if state is not None:
                yield fit_frame(state.screen_buffer)
    finally:
        game.close()


ALIENS_HZ = 40  # pygame's aliens example runs its loop at 40 frames a second


def render_aliens(root: Path, start: float, seconds: float, seed: int) -> list[np.ndarray]:
    """pygame's example shooter played by a seeded agent (steer a random way every 0.5 s, fire at will), headless.

    The game's own loop runs unchanged; its keyboard read, screen update and frame-rate clock are replaced
    for the run (a scripted keyboard, a capture of every drawn screen, no waiting); a lost game starts anew.
    Returns the screens from ``start`` s into the play for ``seconds``, at ALIENS_HZ.
    """
    import random

    headless_sdl([root])
    import pygame as pg
    from pygame.examples import aliens

    class Captured(Exception):
        """Enough screens were drawn."""

    rng = np.random.default_rng(seed)
    screens: list[np.ndarray] = []
    tick = {"n": 0, "steer": 0, "drawn": 0}

    def pressed() -> dict[int, int]:
        tick["n"] += 1
        if tick["n"] % (ALIENS_HZ // 2) == 0:
            tick["steer"] = int(rng.integers(-1, 2))
        keys = {pg.K_RIGHT: int(tick["steer"] == 1), pg.K_LEFT: int(tick["steer"] == -1)}
        return {**keys, pg.K_SPACE: int(tick["n"] % 4 < 2)}  # fire, release (the gun reloads), fire ...

    def update(*_: object) -> None:
        tick["drawn"] += 1
        if tick["drawn"] > round(start * ALIENS_HZ):
            screens.append(pygame_frame(pg, pg.display.get_surface()))
        if len(screens) >= round(seconds * ALIENS_HZ):
            raise Captured

    class Clock:
        def tick(self, *_: object) -> int:
            return 0

    saved = (pg.key.get_pressed, pg.display.update, pg.time.Clock, pg.time.wait)
    pg.key.get_pressed, pg.display.update, pg.time.Clock, pg.time.wait = pressed, update, Clock, lambda *_: None
    random.seed(seed)  # the game draws its aliens and bombs from the random module
    aliens.SCORE = 0
    try:
        while True:
            aliens.main()
    except Captured:
        return screens
    finally:
        pg.key.get_pressed, pg.display.update, pg.time.Clock, pg.time.wait = saved
        pg.quit()


#: The entry point that plays one clip in render_in_child's child process (its hidden ``--play`` option).
PLAY_SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "build_devset.py"

PYXEL_KEYS = ("KEY_LEFT", "KEY_RIGHT", "KEY_UP", "KEY_DOWN", "KEY_SPACE", "KEY_Z", "KEY_RETURN", "GAMEPAD1_BUTTON_A")
# the keys pyxel's games read for moving, jumping, firing and leaving the title screen (not X / pad B: they pause
# Vortexion); each is pressed or released at random (p = PYXEL_PRESS) five times a game second
PYXEL_PRESS = 0.3


def render_in_child(kind: str, roots: list[Path], member: str, start: float, seconds: float, seed: int
                    ) -> tuple[list[np.ndarray], float]:  # fmt: skip
    """Play one clip of a member of a kind in :data:`PLAYERS` in a fresh process: the screens and their rate.

    Pyxel and Panda3D's ShowBase initialise once per process, Pyxel's apps share module names (``main``,
    ``constants``) and the pygame strategy games keep fonts, images and patches in their modules, so each
    clip is played by :data:`PLAY_SCRIPT` in a child process (``--play``, :data:`PLAYERS`; ``roots`` are the
    unpacked packages it imports, the source's first), which writes the screens from ``start`` s into the play
    for ``seconds`` to a file. The child's string hashes are seeded (``PYTHONHASHSEED``), so set order repeats.
    """
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "screens.npz"
        absolute = [str(Path(root).resolve()) for root in roots]  # the child runs in ``tmp``, not here
        cmd = [sys.executable, str(PLAY_SCRIPT), "--play", kind, os.pathsep.join(absolute),
               member, str(start), str(seconds), str(seed), str(out)]  # fmt: skip
        # one hash seed: a game that walks a set of strings (danittr's level objects) walks it in one order
        env = {**os.environ, "PYTHONHASHSEED": "0"}
        # an empty working folder: games look for ./data first (Stunt Cat) or write files there, and the caller's
        # folder (the repository root has data/) must neither feed them nor receive their files
        result = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=tmp)
        if result.returncode != 0 or not out.is_file():
            last = (result.stderr.strip().splitlines() or [f"exit status {result.returncode}"])[-1]
            raise SystemExit(f"error: playing {kind}:{member} failed: {last}")  # the child's last line: its error
        with np.load(out) as saved:
            return list(saved["screens"]), float(saved["fps"])


def play_pyxel(roots: list[Path], app: str, start: float, seconds: float, seed: int) -> tuple[np.ndarray, float]:
    """A Pyxel app (a ``.pyxapp`` in the pyxel wheel) played by a seeded agent: its own loop, headless, no waiting.

    The app is unpacked as ``pyxel play`` does and its startup script run; ``pyxel.init`` is made headless
    with no frame wait (the app's frame rate is kept for the timing), ``pyxel.run`` is replaced by a loop that
    presses keys for the agent, calls the app's update and draw, and keeps each screen (palette indices to RGB).
    """
    import random
    import runpy
    import tempfile

    os.environ.update(SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy")
    root = roots[0]
    sys.path.insert(0, str(root))
    import pyxel

    class Captured(Exception):
        """Enough screens were drawn."""

    rng = np.random.default_rng(seed)
    keys = [getattr(pyxel, k) for k in PYXEL_KEYS]
    screens: list[np.ndarray] = []
    game = {"fps": 30.0}
    tmp = Path(tempfile.mkdtemp())
    with zipfile.ZipFile(root / app) as zf:
        zf.extractall(tmp)
    marker = next(tmp.glob("*/.pyxapp_startup_script"))
    script = marker.parent / marker.read_text().strip()
    real_init = pyxel.init

    def init(width: int, height: int, title: str = "Pyxel", fps: int = 30, *args: object, **kwargs: object) -> None:
        game["fps"] = float(kwargs.pop("fps", fps))
        real_init(width, height, title, fps=1000, headless=True)
        os.chdir(script.parent)  # pyxel.init moves to its caller's folder; the app loads files from its own

    def run(update: object, draw: object) -> None:
        every, first, count = max(1, round(game["fps"] / 5)), round(start * game["fps"]), round(seconds * game["fps"])
        palette = None
        for frame in range(first + count):
            if frame % every == 0:
                for key in keys:
                    pyxel.set_btn(key, bool(rng.random() < PYXEL_PRESS))
            update()  # type: ignore[operator]
            draw()  # type: ignore[operator]
            if frame >= first:
                if palette is None or len(palette) != len(pyxel.colors):
                    palette = np.array([[(c >> 16) & 255, (c >> 8) & 255, c & 255] for c in pyxel.colors], np.uint8)
                w, h = pyxel.width, pyxel.height
                indices = np.frombuffer(pyxel.screen.data_ptr(), np.uint8, w * h).reshape(h, w)
                screens.append(fit_frame(palette[indices]))
            pyxel.flip()
        raise Captured

    pyxel.init, pyxel.run = init, run
    pyxel.rseed(seed)
    random.seed(seed)
    sys.path.insert(0, str(script.parent))
    os.chdir(script.parent)
    try:
        runpy.run_path(str(script), run_name="__main__")
    except Captured:
        return np.stack(screens), game["fps"]
    raise SystemExit(f"error: {app} ended before {start + seconds} s of play")


PANDA_HZ = 30  # the roaming panda is stepped and drawn at 30 frames a second
PANDA_WALK = 2.0  # its walking speed, world units a second (the walk cycle is played at its own rate)
PANDA_TURNS = (-70.0, -30.0, 0.0, 0.0, 30.0, 70.0)  # degrees a second; one is drawn each second
PANDA_RANGE = 18.0  # it turns back toward the middle of the meadow beyond this distance from it


def software_showbase(model_path: Path, model_cache: bool = True) -> object:
    """Panda3D's ShowBase drawing 320x240 frames with TinyDisplay, its software renderer, into an offscreen
    buffer (no GPU, no display, no sound), on a clock that advances only when the player steps it.

    ``model_path``: where the world's models are read from; ``model_cache=False`` also leaves Panda3D's model
    cache (``~/.cache/panda3d``) unread and unwritten. Panda3D must already be importable (on ``sys.path``).
    """
    from panda3d.core import ClockObject, loadPrcFileData

    loadPrcFileData("", "load-display p3tinydisplay\nwindow-type offscreen\nwin-size 320 240\n"
                        "audio-library-name null\nsync-video false\nnotify-level error\n"
                        + ("" if model_cache else "model-cache-dir\n")
                        + "default-directnotify-level error\nmodel-path " + str(model_path))  # fmt: skip
    from direct.showbase.ShowBase import ShowBase  # after the settings: importing it reads some of them

    base = ShowBase()
    ClockObject.getGlobalClock().setMode(ClockObject.MNonRealTime)
    return base


def software_screen(base: object) -> np.ndarray:
    """The frame :func:`software_showbase` last drew, as a clip frame (RGB, top row first, fitted)."""
    shot = base.win.getScreenshot()
    rgb = np.frombuffer(shot.getRamImageAs("RGB"), np.uint8).reshape(shot.getYSize(), shot.getXSize(), 3)
    return fit_frame(rgb[::-1])


def play_panda(roots: list[Path], member: str, start: float, seconds: float, seed: int) -> tuple[np.ndarray, float]:
    """Panda3D's sample world (the manual's first program: ``models/environment`` and the walking
    ``models/panda-model``, both shipped in the wheel) as a third-person game: a seeded agent walks the panda
    through the meadow, turning now and then, and the camera follows behind it with a lag.

    Drawn by TinyDisplay, Panda3D's software renderer, into an offscreen buffer (no GPU, no display).
    """
    root = roots[0]
    sys.path.insert(0, str(root))
    base = software_showbase(root / "panda3d")
    from direct.actor.Actor import Actor
    from panda3d.core import Vec3

    world = base.loader.loadModel("models/environment")
    world.reparentTo(base.render)
    world.setScale(0.25)
    world.setPos(-8, 42, 0)
    panda = Actor("models/panda-model", {"walk": "models/panda-walk4"})
    panda.setScale(0.005)
    panda.reparentTo(base.render)
    base.disableMouse()
    walk = panda.getAnimControl("walk")
    cycle, cycle_hz = walk.getNumFrames(), walk.getFrameRate()
    rng = np.random.default_rng(seed)
    pos, heading, turn, camera = Vec3(0, 0, 0), float(rng.uniform(0, 360)), 0.0, None
    screens = []
    for frame in range(round((start + seconds) * PANDA_HZ)):
        if frame % PANDA_HZ == 0:
            turn = float(rng.choice(PANDA_TURNS))
        if pos.length() > PANDA_RANGE:  # turn toward the middle
            home = math.degrees(math.atan2(pos.x, -pos.y))
            turn = 90.0 if (home - heading + 180) % 360 - 180 > 0 else -90.0
        heading += turn / PANDA_HZ
        rad = math.radians(heading)
        pos += Vec3(math.sin(rad), -math.cos(rad), 0) * (PANDA_WALK / PANDA_HZ)
        panda.setPos(pos)
        panda.setH(heading)
        panda.pose("walk", int(frame * cycle_hz / PANDA_HZ) % cycle)
        behind = pos + Vec3(-math.sin(rad), math.cos(rad), 0) * 16 + Vec3(0, 0, 6)
        camera = behind if camera is None else camera + (behind - camera) * 0.1
        base.camera.setPos(camera)
        base.camera.lookAt(pos + Vec3(0, 0, 2.5))
        base.graphicsEngine.renderFrame()
        if frame >= round(start * PANDA_HZ):
            screens.append(software_screen(base))
    return np.stack(screens), float(PANDA_HZ)


ASSETCOOP_HZ = 30  # the assetcoop worlds are stepped and drawn at 30 frames a second
ASSETCOOP_TURNS = (-60.0, -25.0, 0.0, 0.0, 25.0, 60.0)  # degrees a second; one is drawn each second
ASSETCOOP_STEP = 0.08  # the ground may rise or drop this much in one frame's step, plus 0.7 of the step's length
ASSETCOOP_LEAD = 1.0  # seconds walked from the start point before a clip's first screen


class AssetcoopWorld(NamedTuple):
    """One ``assetcoop:<world>`` member: a scene of panda3d-assetcoop played with one of its characters."""

    scene: str  # the scene's model (under the wheel's assetcoop/bam)
    character: str  # the character's model: walked third-person, or a first-person hand held before the camera
    pose: str  # the character's animation played while walking
    starts: tuple[tuple[float, float], ...]  # where walks start, on land (clip k starts at starts[k % len])
    water: tuple[str, ...]  # the scene's nodes that are water (by name), which the walker keeps out of
    walk: float  # walking speed, world units (metres) a second
    first_person: bool = False
    camera: tuple[float, float] = (6.0, 3.2)  # third-person: how far behind and above the character the camera is


ASSETCOOP_WORLDS = {
    "volcano-island": AssetcoopWorld(
        "models/scenes/volcano_island.bam", "models/character/rebecca.bam", "walk_forward",
        ((-300.0, -200.0), (-100.0, -250.0), (0.0, 175.0), (200.0, -250.0)), ("waterlevel", "waterfall"), 1.6),
    "appartment": AssetcoopWorld(
        "models/scenes/appartment.bam", "models/character/peter_panda.bam", "walk_forward",
        ((-2.0, 4.0), (1.0, -3.0), (-9.0, 4.0), (-6.0, -5.0)), (), 1.4, camera=(3.5, 6.0)),  # it has no ceilings
    # the scene's own player spawn points spawn_player_a to _d
    "lona": AssetcoopWorld(
        "models/scenes/lona.bam", "models/character/hud_hand.bam", "idle",
        ((161.4, -107.2), (437.7, 65.3), (-89.1, -12.1), (182.7, 142.4)), ("water", "cavewater"), 4.5, True),
}  # fmt: skip


def srgb_vertex_colours(model: object) -> None:
    """Encode a Blender export's linear vertex colours as sRGB, in place.

    blend2bam keeps Blender's linear colours for a PBR shader that writes sRGB; TinyDisplay has no shaders and
    writes them as they are, which darkens every colour (brown rock nearly black), so they are converted here.
    """
    from panda3d.core import InternalName

    colour = InternalName.getColor()
    for path in model.findAllMatches("**/+GeomNode"):
        node = path.node()
        for index in range(node.getNumGeoms()):
            data = node.modifyGeom(index).modifyVertexData()
            layout = data.getFormat()
            if not layout.hasColumn(colour):
                continue
            array = layout.getArrayWith(colour)
            column, stride = layout.getArray(array).getColumn(colour), layout.getArray(array).getStride()
            if column.getComponentBytes() != 2:  # blend2bam writes 16-bit colours; other layouts are left alone
                continue
            handle = data.modifyArray(array).modifyHandle()
            rows = np.frombuffer(handle.getData(), np.uint8).copy().reshape(-1, stride)
            at = slice(column.getStart(), column.getStart() + 8)
            rgba = rows[:, at].copy().view(np.uint16).astype(np.float64) / 65535
            rgb = rgba[:, :3]
            rgba[:, :3] = np.where(rgb <= 0.0031308, rgb * 12.92, 1.055 * rgb ** (1 / 2.4) - 0.055)
            rows[:, at] = np.round(rgba * 65535).astype(np.uint16).view(np.uint8)
            handle.setData(rows.tobytes())


def _assetcoop_scene(roots: list[Path], world: AssetcoopWorld) -> tuple[object, object, object]:
    """ShowBase on TinyDisplay (offscreen, no GPU) with an assetcoop scene and character under a sky.

    The scene's colours and shading are baked into its vertex colours (drawn unlit, as sRGB); the character is
    lit by a sky and a sun, a first-person hand by a lamp behind the eyes. Returns the base, the scene and the
    character (an Actor; a first-person hand is the camera's child). The scene's own collision and navigation
    meshes (``*_collision``, ``navmesh``: copies of its ground for physics and path finding) are hidden.
    """
    sys.path[:0] = [str(root) for root in roots]
    # no model cache (~/.cache/panda3d): a model read back from it drew differently from the package's file
    base = software_showbase(roots[0] / "assetcoop/bam", model_cache=False)
    from direct.actor.Actor import Actor
    from panda3d.core import AmbientLight, CullBinManager, DirectionalLight

    # opaque geometry drawn in scene-graph order: Panda3D sorts it by render state, which compares pointers, so
    # the winner where two surfaces lie in one plane changed from run to run
    bins = CullBinManager.getGlobalPtr()
    bins.setBinType(bins.findBin("opaque"), CullBinManager.BT_unsorted)
    base.disableMouse()
    base.setBackgroundColor(0.55, 0.7, 0.9, 1)
    base.camLens.setNearFar(0.1, 5000)
    base.camLens.setFov(70)
    land, actor = base.loader.loadModel(world.scene), Actor(world.character)
    land.reparentTo(base.render)
    actor.reparentTo(base.camera if world.first_person else base.render)
    for kind, colour, name, parent in ((AmbientLight, (0.4, 0.4, 0.45, 1), "sky", base.render),
                                       (DirectionalLight, (0.6, 0.6, 0.55, 1), "sun", base.render),
                                       (DirectionalLight, (0.7, 0.7, 0.65, 1), "lamp", base.camera)):  # fmt: skip
        light = parent.attachNewNode(kind(name))
        light.node().setColor(colour)
        light.setHpr(30, -50, 0) if name == "sun" else light.setHpr(20, -40, 0)
        (actor.setLight if name == "lamp" else base.render.setLight)(light)
    for model in (land, actor):
        srgb_vertex_colours(model)
    for node in land.findAllMatches("**/+GeomNode"):  # baked vertex colours are drawn unlit
        geom = node.node()
        if any(geom.getGeom(k).getVertexData().hasColumn("color") for k in range(geom.getNumGeoms())):
            node.setLightOff(1)
    for pattern in ("**/*_collision", "**/navmesh"):  # copies of the ground for physics and path finding
        for hidden in land.findAllMatches(pattern):
            hidden.hide()
    if world.first_person:  # held low on the right, as first-person games hold a hand or a weapon
        actor.setPos(0.2, 0.3, -0.25)
    return base, land, actor


def _assetcoop_probes(base: object, land: object, water: tuple[str, ...]) -> tuple[object, object]:
    """Two probes of the scene's visible geometry: ``ground(x, y)``, the land's height there (a ray cast down;
    None off the world or on water), and ``wall(start, end)``, whether anything stands between two points."""
    from panda3d.core import (
        BitMask32,
        CollisionHandlerQueue,
        CollisionNode,
        CollisionRay,
        CollisionSegment,
        CollisionTraverser,
    )

    land.setCollideMask(BitMask32.bit(1))
    for hidden in land.findAllMatches("**/*_collision"):
        hidden.setCollideMask(BitMask32.allOff())
    ray, segment = CollisionRay(0, 0, 500, 0, 0, -1), CollisionSegment()
    cast = {}
    for solid in (ray, segment):  # one traverser each: a probe reports only its own hits
        probe, traverser, hits = CollisionNode("probe"), CollisionTraverser(), CollisionHandlerQueue()
        probe.addSolid(solid)
        probe.setFromCollideMask(BitMask32.bit(1))
        probe.setIntoCollideMask(BitMask32.allOff())
        traverser.addCollider(base.render.attachNewNode(probe), hits)
        cast[id(solid)] = (traverser, hits)

    def first(solid: object) -> object | None:
        traverser, hits = cast[id(solid)]
        traverser.traverse(land)
        hits.sortEntries()
        return hits.getEntry(0) if hits.getNumEntries() else None

    def ground(x: float, y: float) -> float | None:
        ray.setOrigin(x, y, 500)
        hit = first(ray)
        if hit is None:
            return None
        into = hit.getIntoNodePath()
        wet = into.getName() in water or into.getParent().getName() in water
        return None if wet else float(hit.getSurfacePoint(base.render).z)

    def wall(start: object, end: object) -> bool:
        for a, b in ((start, end), (end, start)):  # both ways: a face is hit from its front only
            segment.setPointA(a)
            segment.setPointB(b)
            if first(segment) is not None:
                return True
        return False

    return ground, wall


def play_assetcoop(roots: list[Path], member: str, start: float, seconds: float, seed: int
                   ) -> tuple[np.ndarray, float]:  # fmt: skip
    """A world of panda3d-assetcoop (Entikan's game assets) played by a seeded agent that walks over the land,
    turning now and then and away from water and walls: third-person, the camera following the character with
    a lag, or first-person, the camera at eye height with the package's hand before it. Drawn by TinyDisplay,
    Panda3D's software renderer (no GPU, no display).

    Each clip is its own short walk: from the seed's start point (clip k from ``starts[k]``), ASSETCOOP_LEAD s
    before the first screen, so every clip shows the place the level's start points are in (a longer walk
    drifts onto bare slopes and beaches); ``start`` is not used. ``roots``: the assetcoop wheel, then panda3d's.
    The game loop is ours, as in :func:`play_panda`.
    """
    del start
    world = ASSETCOOP_WORLDS[member]
    base, land, actor = _assetcoop_scene(roots, world)
    ground, wall = _assetcoop_probes(base, land, world.water)
    from panda3d.core import Vec3

    control = actor.getAnimControl(world.pose)
    cycle, cycle_hz = control.getNumFrames(), control.getFrameRate()
    rng = np.random.default_rng(seed)
    x, y = world.starts[seed % len(world.starts)]  # the clips of a source (seeds 0, 1, ...) start apart
    pos, heading, turn, camera = Vec3(x, y, ground(x, y) or 0.0), float(rng.uniform(0, 360)), 0.0, None
    screens = []
    for frame in range(round((ASSETCOOP_LEAD + seconds) * ASSETCOOP_HZ)):
        if frame % ASSETCOOP_HZ == 0:
            turn = float(rng.choice(ASSETCOOP_TURNS))
        rad = math.radians(heading)
        ahead = ground(pos.x - math.sin(rad) * 4, pos.y + math.cos(rad) * 4)
        step = Vec3(-math.sin(rad), math.cos(rad), 0) * (world.walk / ASSETCOOP_HZ)
        height = ground(pos.x + step.x, pos.y + step.y)
        knee = pos + Vec3(0, 0, 0.6)
        climb = ASSETCOOP_STEP + 0.7 * step.length()  # steeper is a wall or a ledge
        blocked = (
            ahead is None
            or height is None
            or abs(height - pos.z) > climb
            or wall(knee, knee + step * (3 / step.length()))
        )
        if not blocked:  # never into the water, up a wall or off a ledge
            pos = Vec3(pos.x + step.x, pos.y + step.y, height)
        heading += (120.0 if blocked else turn) / ASSETCOOP_HZ  # water ahead: turn left until there is land
        rad = math.radians(heading)
        actor.pose(world.pose, int(frame * cycle_hz / ASSETCOOP_HZ) % cycle)
        if world.first_person:  # eye height, a slight bob with each stride
            base.camera.setPos(pos + Vec3(0, 0, 1.65 + 0.03 * math.sin(frame * 2 * math.pi * 2 / ASSETCOOP_HZ)))
            base.camera.setHpr(heading, -4, 0)
        else:
            actor.setPos(pos)
            actor.setH(heading)
            behind = pos + Vec3(math.sin(rad), -math.cos(rad), 0) * world.camera[0] + Vec3(0, 0, world.camera[1])
            camera = behind if camera is None else camera + (behind - camera) * 0.15
            base.camera.setPos(camera)
            base.camera.lookAt(pos + step * (2 * ASSETCOOP_HZ / world.walk) + Vec3(0, 0, 1.2))
        base.graphicsEngine.renderFrame()
        if frame >= round(ASSETCOOP_LEAD * ASSETCOOP_HZ):
            screens.append(software_screen(base))
    return np.stack(screens), float(ASSETCOOP_HZ)


FLAPPY_HZ = 30  # flappy-bird-gymnasium steps and draws at 30 frames a second (its render_fps)


def render_flappy(root: Path, gym: Path, pygame_root: Path, start: float, seconds: float, seed: int
                  ) -> list[np.ndarray]:  # fmt: skip
    """flappy-bird-gymnasium played by a seeded agent: flap when the bird sinks below the next gap's middle
    (plus a seeded offset), with the score drawn as the game shows it; a crash starts a new game.

    The bird's and pipes' colours and the day or night background are picked per clip from the seed, as the
    original game picks them per game. Returns the screens from ``start`` s for ``seconds``, at FLAPPY_HZ.
    """

    headless_sdl([root, gym, pygame_root])
    import pygame as pg
    from flappy_bird_gymnasium.envs.flappy_bird_env import FlappyBirdEnv

    rng = np.random.default_rng(seed)
    looks = {"bird_color": ("yellow", "red", "blue"), "pipe_color": ("green", "red"), "background": ("day", "night")}
    env = FlappyBirdEnv(render_mode="rgb_array", use_lidar=False, **{k: str(rng.choice(v)) for k, v in looks.items()})
    env.reset(seed=seed)
    screens: list[np.ndarray] = []
    aim = 0.0
    try:
        for frame in range(round((start + seconds) * FLAPPY_HZ)):
            if frame % FLAPPY_HZ == 0:
                aim = float(rng.normal(0.0, 12.0))
            ahead = [p for p in env._lower_pipes if p["x"] + 52 > env._player_x] or env._lower_pipes
            gap_middle = ahead[0]["y"] - env._pipe_gap / 2 if ahead else env._ground["y"] / 2
            flap = env._player_y + 12 > gap_middle + aim and env._player_vel_y >= 0
            _, _, crashed, _, _ = env.step(int(flap))
            if crashed:
                env.reset(seed=int(rng.integers(1 << 31)))
            if frame >= round(start * FLAPPY_HZ):
                env._draw_surface(show_score=True, show_rays=False)
                screens.append(pygame_frame(pg, env._surface))
    finally:
        env.close()
    return screens


CAR_RACING_HZ = 50  # gymnasium's CarRacing steps its physics and draws at 50 frames a second


def render_car_racing(gym: Path, box2d: Path, pygame_root: Path, start: float, seconds: float, seed: int
                      ) -> list[np.ndarray]:  # fmt: skip
    """gymnasium's CarRacing (top-down racing on a generated track) driven by a seeded agent.

    The agent steers toward a point of the track a few tiles ahead, with a seeded wobble that changes every
    second and a seeded throttle, and brakes above a seeded top speed, so it drifts, cuts corners and runs
    wide as a human learner does. Returns the screens (the game's view with its HUD) from ``start`` s for
    ``seconds``, at CAR_RACING_HZ.
    """

    headless_sdl([gym, box2d, pygame_root])
    from gymnasium.envs.box2d.car_racing import CarRacing

    rng = np.random.default_rng(seed)
    env = CarRacing(render_mode="rgb_array")
    env.reset(seed=seed)
    screens: list[np.ndarray] = []
    wobble, gas, top_speed = 0.0, 0.5, 60.0
    try:
        for frame in range(round((start + seconds) * CAR_RACING_HZ)):
            if frame % CAR_RACING_HZ == 0:
                wobble, gas, top_speed = rng.normal(0.0, 0.15), rng.uniform(0.15, 0.5), rng.uniform(35.0, 70.0)
            hull = env.car.hull
            x, y = hull.position
            track = np.asarray([t[2:4] for t in env.track])
            near = int(np.argmin(((track - (x, y)) ** 2).sum(axis=1)))
            tx, ty = track[(near + 5) % len(track)]
            heading = hull.angle + math.pi / 2
            error = (math.atan2(ty - y, tx - x) - heading + math.pi) % (2 * math.pi) - math.pi
            speed = float(np.hypot(*hull.linearVelocity))
            steer = float(np.clip(-2.0 * error + wobble, -1.0, 1.0))
            action = np.array([steer, gas if speed < top_speed else 0.0, 0.0 if speed < top_speed else 0.4])
            _, _, finished, truncated, _ = env.step(action)
            if finished or truncated:
                env.reset(seed=int(rng.integers(1 << 31)))
            if frame >= round(start * CAR_RACING_HZ):
                screens.append(fit_frame(env.render()))
    finally:
        env.close()
    return screens


DICEWARS_HZ = 30  # Dice Wars is sampled at 30 frames a second (its own loop redraws only when a step changes it)
DICEWARS_CLICK_MS = 400  # the agent picks its attacking area, then the area it attacks this long after
DICEWARS_NEXT_MATCH_MS = 2000  # a finished match stays on screen this long before a new map is dealt


def play_dicewars(roots: list[Path], member: str, start: float, seconds: float, seed: int
                  ) -> tuple[np.ndarray, float]:  # fmt: skip
    """dicewars-pygame (a turn-based territory strategy game on a hexagon map) played headless on a virtual clock.

    The game's seven computer players move as the game moves them; the eighth, the user's seat, is played by
    the engine's own computer player through the game's click handlers (pick an area, then the one to attack,
    or end the turn). The game's step timers (``pygame.time.set_timer``) run on a virtual clock, so nothing
    waits; a finished match (or the user's seat wiped out) is followed by a new map. Seeded through ``random``,
    which the engine draws the map, the seats, the dice and its players' choices from.
    ``roots``: dicewars-pygame, the dicewars engine, pygame.
    """
    import random

    headless_sdl(roots)
    import pygame as pg
    from dicewars.player import DefaultPlayer
    from dicewars_pygame import config, sounds
    from dicewars_pygame.engine import Engine

    timers: list[tuple[int, object]] = []
    clock = {"ms": 0}

    def start_timer(self: Engine, callback: object, timeout: int) -> None:
        timers.append((clock["ms"] + timeout, callback))
        self._timer_running = True

    Engine._start_timer = start_timer
    random.seed(seed)
    pg.init()
    sounds.init()
    screen = pg.display.set_mode(config.APP_SIZE)
    screen.fill(config.APP_BG_COLOR)
    engine = Engine(screen)
    engine._init_match()  # the Start button
    user, click, ended = DefaultPlayer(), None, None
    screens: list[np.ndarray] = []
    for frame in range(round((start + seconds) * DICEWARS_HZ)):
        clock["ms"] = frame * 1000 // DICEWARS_HZ
        for due in [t for t in timers if t[0] <= clock["ms"]]:
            timers.remove(due)
            due[1]()  # type: ignore[operator]
        match = engine._match
        over = match.winner >= 0 or 0 not in match.area_players
        if not timers and over:
            ended = clock["ms"] if ended is None else ended
            if clock["ms"] - ended >= DICEWARS_NEXT_MATCH_MS:
                engine._init_grid()
                engine._init_match()
                ended = None
        elif not timers and match.player == 0:  # the user's seat: click as a player would
            if click is not None and clock["ms"] >= click[0]:
                engine._set_user_area(click[1])
                click = None
            elif click is None:
                areas = user.get_attack_areas(engine._grid, match.state)
                if areas:
                    engine._set_user_area(areas[0])
                    click = (clock["ms"] + DICEWARS_CLICK_MS, areas[1])
                else:
                    engine._end_user_turn()
        engine.render()
        if frame >= round(start * DICEWARS_HZ):
            screens.append(pygame_frame(pg, screen))
    return np.stack(screens), float(DICEWARS_HZ)


TOWER_DEFENCE_HZ = 60  # the tower-defence game's own frame rate (config.FPS)
TOWER_DEFENCE_ACT_S = 0.5  # the agent clicks (or not) every half second; between clicks it moves a held tower


class VirtualTimers:
    """``pygame.time.set_timer`` on a virtual clock: :meth:`advance` returns the events due, in the order set."""

    def __init__(self) -> None:
        self.ms = 0
        self.timers: dict[int, list[int]] = {}  # event -> [next due ms, period ms]

    def set_timer(self, event: int, millis: int, *_: object, **__: object) -> None:
        if millis:
            self.timers[event] = [self.ms + millis, millis]
        else:
            self.timers.pop(event, None)

    def advance(self, ms: int) -> list[int]:
        self.ms = ms
        due = [event for event, (at, _) in self.timers.items() if ms >= at]
        for event in due:
            self.timers[event][0] += self.timers[event][1]
        return due


class FrameClock:
    """The tower-defence game's frame clock on the virtual clock: its frame counter shows the virtual rate."""

    def tick(self, *_: object) -> int:
        return 1000 // TOWER_DEFENCE_HZ

    def get_fps(self) -> float:
        return float(TOWER_DEFENCE_HZ)


def play_tower_defence(roots: list[Path], world: str, start: float, seconds: float, seed: int
                       ) -> tuple[np.ndarray, float]:  # fmt: skip
    """Tower_defence_Golear_Karpenko (a tower-defence game seen from above) played headless on a virtual clock.

    The game's own update and draw run each frame; its input (``pygame.event.get``) gets a seeded agent's
    clicks: start a game (and again after a loss), call the next wave when one is over, pick a tower from the
    menu and place it on a free cell beside the road. Its enemy timer (``pygame.time.set_timer``) runs on the
    virtual clock; its frame counter reads that clock's rate. ``roots``: the game, pygame.
    """
    import random

    headless_sdl(roots)
    import pygame as pg
    from Tower_defence_Golear_Karpenko import config
    from Tower_defence_Golear_Karpenko.base_classes.game import Game
    from Tower_defence_Golear_Karpenko.entity.button import NewWaveButton, PlayButton
    from Tower_defence_Golear_Karpenko.entity.tower import Tower
    from Tower_defence_Golear_Karpenko.world_components.road import Road

    rng = np.random.default_rng(seed)
    random.seed(seed)
    timers = VirtualTimers()
    cursor = [config.SCREEN_WIDTH // 2, config.FIELD_HEIGHT // 2]
    pg.time.set_timer, pg.time.Clock, pg.mouse.get_pos = timers.set_timer, FrameClock, lambda: tuple(cursor)
    pg.init()
    config.CWD = str(roots[0] / "Tower_defence_Golear_Karpenko")
    config.CURRENT_WORLD = f"{world}.txt"
    game = Game()
    config.GAME = game
    roads = [t.get_rect().center for t in game.tiles.sprites() if isinstance(t, Road)]
    tile = config.TILE_SIZE[0]
    beside_road = [  # free cells within 1.5 tiles of the road: where a player puts towers
        t for t in game.tiles.sprites() if t.can_build and any(
            abs(t.get_rect().centerx - x) <= 1.5 * tile and abs(t.get_rect().centery - y) <= 1.5 * tile
            for x, y in roads)
    ]  # fmt: skip

    def click(pos: tuple[int, int]) -> None:
        cursor[:] = pos
        pg.event.post(pg.event.Event(pg.MOUSEBUTTONUP, button=1, pos=tuple(pos)))

    act = round(TOWER_DEFENCE_ACT_S * TOWER_DEFENCE_HZ)
    screens: list[np.ndarray] = []
    for frame in range(round((start + seconds) * TOWER_DEFENCE_HZ)):
        for event in timers.advance(frame * 1000 // TOWER_DEFENCE_HZ):
            pg.event.post(pg.event.Event(event))
        if frame % act == 0:
            items = game.menu.get_items().sprites()
            towers = [i for i in items if isinstance(i, Tower)]
            if not game.game_started:
                click(next(i for i in items if isinstance(i, PlayButton)).get_rect().center)
            elif game.enemies.finished:
                click(next(i for i in items if isinstance(i, NewWaveButton)).get_rect().center)
            elif game.customer.item_attached():
                click(beside_road[int(rng.integers(len(beside_road)))].get_rect().center)
            elif towers and rng.random() < 0.5:
                click(towers[int(rng.integers(len(towers)))].get_rect().center)
        elif game.customer.item_attached():  # a held tower follows the pointer toward where it will go
            cursor[0] += int(rng.integers(-6, 7))
            cursor[1] += int(rng.integers(-6, 7))
        game.handle_events()
        game.update()
        game.draw()
        if frame >= round(start * TOWER_DEFENCE_HZ):
            screens.append(pygame_frame(pg, game.screen))
    return np.stack(screens), float(TOWER_DEFENCE_HZ)


ZANTHOR_HZ = 30  # The Wrath of Zanthor runs its loop at 30 frames a second (const.FPS)
ZANTHOR_ACT = 10  # the agent changes the keys it holds and where it aims every 10 frames


class Captured(Exception):
    """Enough screens were drawn (ends a played game's own loop)."""


def play_zanthor(roots: list[Path], member: str, start: float, seconds: float, seed: int
                 ) -> tuple[np.ndarray, float]:  # fmt: skip
    """The Wrath of Zanthor (a PyWeek game in pygame: you are a steam-powered castle) run headless by its own
    state engine, on a virtual clock: ``intro`` is its opening cut-scene (kinetic type over the castle drawing,
    timed by the clock, then the title menu); ``level<N>`` starts the level whose map is ``level<N>.tga`` and a
    seeded agent plays it (holds arrow keys, aims the pointer, clicks to fire). ``roots``: the game, pygame.

    ``time.time`` and pygame's ticks read the virtual clock (the frame count at ZANTHOR_HZ), its frame clock does
    not wait; each screen is kept when the engine ends a frame (its ``tick``). The game draws from ``random``.
    """
    import random
    import time

    headless_sdl(roots)
    import pygame as pg

    frame = {"n": 0}
    time.time = lambda: 1000.0 + frame["n"] / ZANTHOR_HZ
    pg.time.get_ticks = lambda: frame["n"] * 1000 // ZANTHOR_HZ
    pg.time.Clock, pg.time.wait = FrameClock, lambda *_: None
    from zanthor import intro, level, main, menu

    random.seed(seed)
    rng = np.random.default_rng(seed)
    screens: list[np.ndarray] = []
    held: set[int] = set()
    pointer = [320, 240]
    pg.mouse.get_pos = lambda: tuple(pointer)
    first = round(start * ZANTHOR_HZ)
    last = first + round(seconds * ZANTHOR_HZ)

    def act() -> None:
        for key in held:
            pg.event.post(pg.event.Event(pg.KEYUP, key=key, mod=0, unicode="", scancode=0))
        held.clear()
        for key in (pg.K_UP, pg.K_DOWN, pg.K_LEFT, pg.K_RIGHT):
            if rng.random() < 0.35:
                pg.event.post(pg.event.Event(pg.KEYDOWN, key=key, mod=0, unicode="", scancode=0))
                held.add(key)
        pointer[:] = [int(rng.integers(100, 430)), int(rng.integers(30, 310))]  # inside the view: no scrolling
        pg.event.post(pg.event.Event(pg.MOUSEMOTION, pos=tuple(pointer), rel=(0, 0), buttons=(0, 0, 0)))
        if rng.random() < 0.5:
            pg.event.post(pg.event.Event(pg.MOUSEBUTTONDOWN, pos=tuple(pointer), button=1))

    def tick(_game: object) -> None:
        frame["n"] += 1
        if frame["n"] > first:
            screens.append(pygame_frame(pg, pg.display.get_surface()))
        if frame["n"] >= last:
            raise Captured
        if member != "intro" and frame["n"] % ZANTHOR_ACT == 0:
            act()

    main.Game.tick = tick
    pg.init()
    screen = pg.display.set_mode((640, 480))
    game = main.Game()
    game.should_restore_stats, game.backup_upgradable_amounts, game.backup_castle_stats = True, None, None
    if member == "intro":
        pg.mixer = None  # the intro times its words by the clock when there is no music to follow
        state = intro.Intro(game)
    else:
        _, _, _, _, tga, percent, _, music, _ = next(d for d in menu.data if d[4] == f"{member}.tga")
        state = level.Level(game, tga, percent, music)
    try:
        game.run(state, screen)
    except Captured:
        return np.stack(screens), float(ZANTHOR_HZ)
    raise SystemExit(f"error: zanthor:{member} ended before {start + seconds} s")


DANITTR_HZ = 30  # Dani to the rescue runs its loop at 30 frames a second (config.FPS)
DANITTR_ACT = 8  # the agent picks its keys every 8 frames


def play_danittr(roots: list[Path], member: str, start: float, seconds: float, seed: int
                 ) -> tuple[np.ndarray, float]:  # fmt: skip
    """Dani to the rescue (danittr, a platformer prototype in pygame) played headless from its level ``member``.

    The game's own loop runs; its frame clock does not wait and keeps each screen; a new save slot (as its
    New game menu makes one) is made in a temporary home, where the game also writes its logs. A seeded agent
    holds left or right (right more often), jumps and advances dialogue. ``roots``: the game, pygame.
    """
    import random
    import tempfile

    headless_sdl(roots)
    home = tempfile.mkdtemp()
    os.environ.update(HOME=home, XDG_CONFIG_HOME=home)
    import pygame as pg

    rng = np.random.default_rng(seed)
    real_seed, frame = random.seed, {"n": 0}
    # the game reseeds ``random`` from the system (``seed()``) before drawing its clouds and grass: from ours
    random.seed = lambda a=None, *args: real_seed(int(rng.integers(1 << 31)) if a is None else a, *args)
    pg.time.get_ticks = lambda: frame["n"] * 1000 // DANITTR_HZ  # its loading screen times itself by these
    pg.time.wait = lambda *_: None
    from danittr import config
    from danittr import gameloop as loop
    from danittr.appcommon.behaviour import main as behaviour
    from danittr.appcommon.behaviour.save import setup_new_save
    from danittr.gamelevel import main as gamelevel

    keys = config.KEYS_MAP
    held: dict[int, int] = {}
    screens: list[np.ndarray] = []
    first = round(start * DANITTR_HZ)
    last = first + round(seconds * DANITTR_HZ)

    class Pressed:
        def __getitem__(self, key: int) -> int:
            return held.get(key, 0)

    class Clock:
        def tick(self, *_: object) -> int:
            if frame["n"] > first:  # the screen the loop drew last
                screens.append(pygame_frame(pg, config.SCREEN))
            if frame["n"] >= last:
                raise Captured
            if frame["n"] % DANITTR_ACT == 0:
                held[keys["player_right"]] = int(rng.random() < 0.6)
                held[keys["player_left"]] = int(rng.random() < 0.25)
                for name, p in (("jump", 0.3), ("advance_deny", 0.2)):
                    if rng.random() < p:
                        pg.event.post(pg.event.Event(pg.KEYDOWN, key=keys[name], mod=0, unicode="", scancode=0))
            frame["n"] += 1
            return 1000 // DANITTR_HZ

    stable_hashes(*(  # the level keeps its blocks, props and actors in sets (BlitterSet) and walks them
        cls for name, module in list(sys.modules.items()) if name.startswith("danittr.")
        for cls in vars(module).values()
        if isinstance(cls, type) and cls.__module__ == name and cls.__hash__ is object.__hash__
    ))  # fmt: skip
    gamelevel.get_pressed_keys = Pressed
    loop.CLOCK = Clock()
    setup_new_save("save_agent")
    config.GAME_REFS.dirname = "save_agent"
    loop.get_custom_manager = lambda _name: behaviour.get_level(f"{member}.lvl")  # start in the level
    try:
        loop.run_game()
    except Captured:
        return np.stack(screens), float(DANITTR_HZ)
    raise SystemExit(f"error: danittr:{member} ended before {start + seconds} s")


def stable_hashes(*classes: type) -> None:
    """Hash the instances of ``classes`` by the order they are first hashed in, not by their address.

    A game that keeps its objects in sets and draws random numbers while it walks them (each enemy picks
    a turn) walks them in an order that follows their addresses, which differ from run to run; with these
    hashes a seeded run walks them in the same order every time.
    """
    import itertools

    order = itertools.count()

    def stable_hash(self: object) -> int:
        if not hasattr(self, "__dict__"):
            return object.__hash__(self)
        if "_stable_hash" not in self.__dict__:
            self.__dict__["_stable_hash"] = next(order)
        return self.__dict__["_stable_hash"]

    for cls in classes:
        cls.__hash__ = stable_hash  # type: ignore[method-assign]


BOOM_HZ = 48  # BOOM's loop asks its clock for 48 frames a second
BOOM_ACT = 24  # the agent picks a direction (and maybe drops a bomb) every half second
BOOM_BOMB = 0.3  # the chance that it also holds the bomb key for that half second


def play_boom(roots: list[Path], member: str, start: float, seconds: float, seed: int) -> tuple[np.ndarray, float]:
    """boomgame (a remake of the Mac shareware BOOM, a Bomberman-like maze game in pygame-ce) played headless:
    its one-player game started as its menu starts it, then the game's own event handling, time step and
    drawing each frame (a fixed 1/BOOM_HZ s step), a seeded agent holding an arrow of player one's keys and
    dropping bombs; a lost game starts anew. ``member``: ``maze`` (the game's own first maze and its next).
    ``roots``: the game, pygame-ce.
    """
    import random

    headless_sdl(roots)
    import pygame as pg
    from boomgame import main as boom
    from boomgame.designpattern import observable, observer

    stable_hashes(observable.Observable, observer.Observer)  # its entities and observers are kept in sets
    random.seed(seed)
    rng = np.random.default_rng(seed)
    pg.init()
    game = boom.BoomGame()
    surface = pg.display.set_mode((640, 480))  # the game's own size, drawn unscaled
    screens: list[np.ndarray] = []
    held: list[int] = []
    for frame in range(round((start + seconds) * BOOM_HZ)):
        if game.state != game.State.RUNNING:
            game.start_game(False, 0)
            held = []
        control = game.game_controller.player_controllers[0].player_control
        if frame % BOOM_ACT == 0:
            for key in held:  # release what it held (the bomb key is read while held, at each time step)
                game.handle(pg.event.Event(pg.KEYUP, key=key, mod=0, unicode="", scancode=0))
            held = [(control.up, control.down, control.left, control.right)[int(rng.integers(4))]]
            if rng.random() < BOOM_BOMB:
                held.append(control.bombs)
            for key in held:
                game.handle(pg.event.Event(pg.KEYDOWN, key=key, mod=0, unicode="", scancode=0))
        game.forward(1 / BOOM_HZ)
        game.display()
        if frame >= round(start * BOOM_HZ):
            screens.append(pygame_frame(pg, surface))
    return np.stack(screens), float(BOOM_HZ)


TERRARIO_HZ = 30  # Terrario's loop runs at 30 frames a second (its clock's cap)
TERRARIO_ACT = 15  # the agent holds one arrow key for half a second at a time
TERRARIO_KEYS = ("K_DOWN", "K_DOWN", "K_LEFT", "K_RIGHT", "K_UP")  # it digs down more often than it climbs


def play_terrario(roots: list[Path], member: str, start: float, seconds: float, seed: int
                  ) -> tuple[np.ndarray, float]:  # fmt: skip
    """Terrario (a 2-D mining game in pygame: a drill digs through a generated world of tiles) played headless.

    The world is generated by the game from the seed (``Map(world_seed)``, as its menu does for a new save);
    each frame is the game's own ``Map.update`` (the player moves tile by tile, the camera follows), a seeded
    agent holding an arrow key; the game's pauses after a message (``sleep``) are skipped. ``member``: ``world``.
    ``roots``: the game, opensimplex (its terrain noise), pygame.
    """
    headless_sdl(roots)
    import pygame as pg

    pg.init()
    rng = np.random.default_rng(seed)
    held: dict[int, int] = {}

    class Pressed:
        def __getitem__(self, key: int) -> int:
            return held.get(key, 0)

    pg.key.get_pressed = Pressed
    from terrario import player
    from terrario.map import Map

    player.sleep = lambda *_: None
    world = Map(world_seed=seed)
    screens: list[np.ndarray] = []
    for frame in range(round((start + seconds) * TERRARIO_HZ)):
        if frame % TERRARIO_ACT == 0:
            held.clear()
            held[getattr(pg, TERRARIO_KEYS[int(rng.integers(len(TERRARIO_KEYS)))])] = 1
        world.update()
        if frame >= round(start * TERRARIO_HZ):
            screens.append(pygame_frame(pg, pg.display.get_surface()))
    return np.stack(screens), float(TERRARIO_HZ)


STUNTCAT_HZ = 30  # Stunt Cat's frame rate (Game.FPS); each tick is told 1000 / STUNTCAT_HZ ms have passed
STUNTCAT_ACT = 10  # the agent changes the keys it holds every 10 frames
STUNTCAT_KEYS = ("K_LEFT", "K_RIGHT", "K_a", "K_d")  # ride left or right, lean left or right
STUNTCAT_TITLE_S = 2.0  # the agent reads the title card this long, then presses Return


def play_stuntcat(roots: list[Path], member: str, start: float, seconds: float, seed: int
                  ) -> tuple[np.ndarray, float]:  # fmt: skip
    """Stunt Cat (pygame's first pygame-2 community game: a cat on a unicycle in a circus catches fish and
    dodges a shark's lasers) played headless: the game's own scenes (its title card, left by Return after
    STUNTCAT_TITLE_S, then the ring) ticked a
    frame at a time with the frame's time, drawn and fed a seeded agent's keys (one of ride left, ride right,
    lean left, lean right, sometimes jump), its frame clock not waiting. ``member``: ``circus``.
    ``roots``: the game, pymunk, cffi, pyscroll, pytmx (its platformer scene's imports), pygame.
    """
    import random

    headless_sdl(roots)
    import pygame as pg

    frame = {"n": 0}
    pg.time.get_ticks = lambda: frame["n"] * 1000 // STUNTCAT_HZ
    pg.time.Clock = FrameClock
    pg.mixer.music.get_busy = lambda: True  # its title card ends with its music (wall time): here by Return
    from stuntcat.game import Game

    random.seed(seed)
    rng = np.random.default_rng(seed)
    game = Game()
    screens: list[np.ndarray] = []
    held: list[int] = []
    for frame["n"] in range(round((start + seconds) * STUNTCAT_HZ)):
        game.tick(1000 / STUNTCAT_HZ)
        game.render()
        events = []
        if frame["n"] == round(STUNTCAT_TITLE_S * STUNTCAT_HZ):  # leave the title card as a player does
            events.append(pg.event.Event(pg.KEYDOWN, key=pg.K_RETURN, mod=0, unicode="", scancode=0))
        elif frame["n"] % STUNTCAT_ACT == 0:
            events += [pg.event.Event(pg.KEYUP, key=key, mod=0, unicode="", scancode=0) for key in held]
            held = [getattr(pg, STUNTCAT_KEYS[int(rng.integers(len(STUNTCAT_KEYS)))])]
            held += [pg.K_UP] if rng.random() < 0.3 else []
            events += [pg.event.Event(pg.KEYDOWN, key=key, mod=0, unicode="", scancode=0) for key in held]
        game.events(events + pg.event.get())
        if frame["n"] >= round(start * STUNTCAT_HZ):
            screens.append(pygame_frame(pg, game.screen))
    return np.stack(screens), float(STUNTCAT_HZ)


LIGHTYEARS_HZ = 35  # 20,000 Light Years Into Space draws 35 frames a second; its game time advances per frame
LIGHTYEARS_ACT = 35  # the agent picks a command once a game second, then clicks the map for it
LIGHTYEARS_KEYS = ("K_n", "K_n", "K_p", "K_u")  # build a node (more often), build a pipe, upgrade
LIGHTYEARS_SPREAD = (90.0, 70.0)  # its clicks fall around the city (pixels, x and y), where a network grows


def play_lightyears(roots: list[Path], member: str, start: float, seconds: float, seed: int
                    ) -> tuple[np.ndarray, float]:  # fmt: skip
    """20,000 Light Years Into Space (Debian's ``lightyears``, a steam-network strategy game in pygame seen from
    above: a map, a side panel of stats and commands, a message log) played headless from a new game at the
    challenge ``member`` (e.g. ``beginner``).

    The game's own main loop runs; its game time advances a fixed step per frame (as in its own record and
    playback mode), its frame clock does not wait, its ``Game_Random`` is seeded, and each screen is kept when the
    loop shows it (``display.flip``). A seeded agent presses a command key once a second (build node, build pipe,
    upgrade) and clicks the map around the city for it. The game's own font is used (not the system's DejaVu, so
    any machine draws the same) and its settings file goes to a temporary home. ``roots``: the game, pygame.
    """
    import random
    import tempfile

    home = debian_game(roots[0], "lightyears")
    headless_sdl([home, *roots[1:]])
    os.environ["HOME"] = tempfile.mkdtemp()
    os.chdir(home / "data")
    import pygame as pg

    pg.time.Clock = FrameClock
    from lib20k import alien_invasion, config, events, game, game_random, mail, quakes, resource
    from lib20k.primitives import MenuCommand, PlayMode

    random.seed(seed)
    rng = np.random.default_rng(seed)
    seeded = game_random.Game_Random.__init__
    game_random.Game_Random.__init__ = lambda self, s=None: seeded(self, seed if s is None else s)
    resource.DATA_DIR, resource.DEB_FONT, resource.DEB_ICON = str(home / "data"), "", ""
    config.Initialise(True)
    mail.Initialise()
    pg.init()
    resource.No_Sound()
    resource.Initialise()
    pg.display.set_mode((config.cfg.width, config.cfg.height))
    alien_invasion.Init_Aliens()
    quakes.Init_Quakes()
    screens: list[np.ndarray] = []
    first, command = round(start * LIGHTYEARS_HZ), {"key": 0, "shown": 0}
    last = first + round(seconds * LIGHTYEARS_HZ)

    def post(kind: int, **fields: object) -> None:
        pg.event.post(pg.event.Event(kind, **fields))

    def flip(*_: object) -> None:
        command["shown"] += 1
        if command["shown"] > first:
            screens.append(pygame_frame(pg, pg.display.get_surface()))
        if command["shown"] >= last:
            raise Captured
        step = command["shown"] % LIGHTYEARS_ACT
        if step == 0:
            command["key"] = getattr(pg, LIGHTYEARS_KEYS[int(rng.integers(len(LIGHTYEARS_KEYS)))])
            for kind in (pg.KEYDOWN, pg.KEYUP):
                post(kind, key=command["key"], mod=0, unicode="", scancode=0)
        elif step == 8 or (step == 20 and command["key"] == pg.K_p):  # a pipe joins two places
            width, height = pg.display.get_surface().get_size()
            x, y = rng.normal(0.36 * width, LIGHTYEARS_SPREAD[0]), rng.normal(0.38 * height, LIGHTYEARS_SPREAD[1])
            post(pg.MOUSEMOTION, pos=(int(x), int(y)), rel=(0, 0), buttons=(0, 0, 0))
            for kind in (pg.MOUSEBUTTONDOWN, pg.MOUSEBUTTONUP):
                post(kind, pos=(int(x), int(y)), button=1)

    pg.display.flip = flip
    challenge = MenuCommand[member.upper()]
    try:
        game.Game(clock=FrameClock(), restore_pos=None, challenge=challenge, event=events.Events(),
                  playback_mode=PlayMode.OFF, playback_file=None, record_file=None).Main_Loop()  # fmt: skip
    except Captured:
        return np.stack(screens), float(LIGHTYEARS_HZ)
    raise SystemExit(f"error: lightyears:{member} ended before {start + seconds} s")


def debian_game(root: Path, name: str) -> Path:
    """Where a Debian game package keeps its code and art (``/usr/share/games/<name>`` in the unpacked .deb)."""
    return root / "usr" / "share" / "games" / name


def pinned_font(path: object, fonts_root: Path) -> object:
    """The pinned font package's copy of a font a Debian game names by its system path (``/usr/share/fonts/...``)
    or by a link into the system's fonts (its own ``Fonts/`` folder), so every machine draws the same text."""
    if isinstance(path, str) and os.path.islink(path):
        path = os.readlink(path)  # e.g. ../../../fonts/truetype/freefont/FreeSans.ttf, from /usr/share/games/<game>
    if isinstance(path, str) and ("share/fonts/" in path or path.startswith("../../../fonts/")):
        return str(fonts_root / "usr" / "share" / "fonts" / path.split("fonts/", 1)[1])
    return path


def pinned_fonts(pg: ModuleType, fonts_root: Path) -> None:
    """Make ``pygame.font.Font`` read the fonts a Debian game names from the pinned font package (pinned_font)."""
    real_font = pg.font.Font
    pg.font.Font = lambda path, size: real_font(pinned_font(path, fonts_root), size)


FUNNYBOAT_HZ = 30  # Trip on the Funny Boat steps and draws 30 frames a second (its NEXTFRAME timer)
FUNNYBOAT_ACT = 8  # the agent picks the arrow it holds (and maybe jumps or fires) every 8 frames


def play_funnyboat(roots: list[Path], member: str, start: float, seconds: float, seed: int
                   ) -> tuple[np.ndarray, float]:  # fmt: skip
    """Trip on the Funny Boat (Debian's ``funnyboat``: a steamboat on rolling waves shoots sharks, pirates and
    seagulls, drawn sprites with particles, 400x300) played headless from a new game, ``member`` ``story``
    (its story mode, with its captain's messages) or ``endless``.

    The game's own ``Game.run`` loop runs; it waits for its frame timer's event (``pygame.event.wait``): here
    each shown screen (``display.flip``) posts the next frame's event at once. A seeded agent holds left or
    right (right more often), jumps and fires; a lost game starts anew. Its text is drawn in DejaVu Sans from
    the pinned ``fonts-dejavu-core``. ``roots``: the game, the font package, pygame.
    """
    import random
    import tempfile

    home = debian_game(roots[0], "funnyboat")
    headless_sdl([home, *roots[2:]])
    os.environ["HOME"] = tempfile.mkdtemp()  # its settings folder
    os.chdir(home)  # it loads data/... from its folder, as its launcher does
    import pygame as pg

    pinned_fonts(pg, roots[1])
    from locals import NEXTFRAME, SCREEN_HEIGHT, SCREEN_WIDTH, Variables  # the game's own module named locals

    Variables.music = Variables.sound = Variables.fullscreen = False
    random.seed(seed)  # the game draws its enemies, waves and particles from ``random``
    rng = np.random.default_rng(seed)
    pg.init()
    screen = pg.display.set_mode((SCREEN_WIDTH, SCREEN_HEIGHT))
    import main as funnyboat
    from game import Game
    from water import Water

    funnyboat.init()
    Water.global_water = Water()
    screens: list[np.ndarray] = []
    first, last = round(start * FUNNYBOAT_HZ), round((start + seconds) * FUNNYBOAT_HZ)
    shown = {"n": 0}  # screens shown
    held: list[int] = []  # the arrow the agent holds

    def key(kind: int, code: int) -> None:
        pg.event.post(pg.event.Event(kind, key=code, mod=0, unicode="", scancode=0))

    def flip(*_: object) -> None:
        shown["n"] += 1
        if shown["n"] > first:
            screens.append(pygame_frame(pg, screen))
        if shown["n"] >= last:
            raise Captured
        if shown["n"] % FUNNYBOAT_ACT == 0:
            for code in held:
                key(pg.KEYUP, code)
            steer = (pg.K_LEFT, pg.K_RIGHT, pg.K_RIGHT, 0)[int(rng.integers(4))]
            held[:] = [steer] if steer else []
            for code in held:
                key(pg.KEYDOWN, code)
            if rng.random() < 0.2:
                key(pg.KEYDOWN, pg.K_UP)  # jump
            if rng.random() < 0.6:
                key(pg.KEYDOWN, pg.K_SPACE)  # fire (it fires on the press; the release ends the shot)
                key(pg.KEYUP, pg.K_SPACE)
        pg.event.post(pg.event.Event(NEXTFRAME))

    pg.display.flip = flip
    pg.event.wait = lambda *_: pg.event.Event(pg.NOEVENT)  # its frame timer's event is already in the queue
    try:
        while True:  # a lost game: the next (the game over screen is left by the agent's next key)
            Game(screen, member == "endless").run()
    except Captured:
        return np.stack(screens), float(FUNNYBOAT_HZ)


ANGRYDD_HZ = 60  # Angry Drunken Dwarves ticks its clock at 60 frames a second
ANGRYDD_AIS = ("EasyAI", "NormalAI", "HardAI")  # the game's computer players the two seats are drawn from


def play_angrydd(roots: list[Path], member: str, start: float, seconds: float, seed: int
                 ) -> tuple[np.ndarray, float]:  # fmt: skip
    """Angry Drunken Dwarves (Debian's ``angrydd``: a falling-gem puzzle fighter, two dwarves' pits of gems
    side by side over a painted cave, chains sending rocks across, 800x600) played headless: ``member``
    ``versus``, the game's two-player match with both seats played by its own computer players (its
    ``AIGame`` with ``all_ais``, as its ``--double-ai`` option runs it), their dwarves and skill drawn from the
    seed; each match is one round and the next starts when a pit fills (the win screen, which waits for a key,
    is left out).

    Its clock (``pygame.time.get_ticks``, which times the falling gems and the computer players' moves) is
    virtual: the frame count at ANGRYDD_HZ; its frame clock does not wait and keeps each screen. Its config
    goes to a temporary home. ``roots``: the game, pygame.
    """
    import random
    import tempfile

    headless_sdl([debian_game(roots[0], "angrydd"), *roots[1:]])
    os.environ["HOME"] = tempfile.mkdtemp()  # its ~/.angryddrc
    import pygame as pg

    frame = {"n": 0}
    pg.time.get_ticks = lambda: frame["n"] * 1000 // ANGRYDD_HZ  # before the game keeps pygame's own
    pg.time.wait = pg.time.delay = lambda *_: 0
    random.seed(seed)  # the gems, the backgrounds and the computer players' choices
    rng = np.random.default_rng(seed)
    import angrydd

    angrydd.init()  # its display, sounds, images and characters, as its main menu starts
    import config
    import game
    from characters import Character

    config.set("settings", "matches", "1")  # one round a match: no "X wins!" caption waiting for a key between
    game.WinScreen = lambda *_, **__: None  # its win screen waits for a key the computer players never press

    screens: list[np.ndarray] = []
    first, last = round(start * ANGRYDD_HZ), round((start + seconds) * ANGRYDD_HZ)

    class Clock:
        def tick(self, *_: object) -> int:
            frame["n"] += 1
            if frame["n"] > first:
                screens.append(pygame_frame(pg, pg.display.get_surface()))
            if frame["n"] >= last:
                raise Captured
            return 1000 // ANGRYDD_HZ

    pg.time.clock = Clock()  # the game's own frame clock (its pygame_ext puts one there)
    try:
        while True:
            pair = rng.choice(len(Character.available), 2, replace=False)
            ais = [ANGRYDD_AIS[int(i)] for i in rng.integers(len(ANGRYDD_AIS), size=2)]
            game.AIGame([Character.available[int(i)] for i in pair], all_ais=True, ai1=ais[0], ai2=ais[1])
    except Captured:
        return np.stack(screens), float(ANGRYDD_HZ)


SINGULARITY_HZ = 30  # Endgame: Singularity's dialogs tick at 30 frames a second (its g.FPS)
SINGULARITY_ANSWER = 15  # the agent presses Return (closing the story and message boxes) every half second
SINGULARITY_SPEED = 45  # and picks a game speed every 1.5 s: mostly 2 game hours a second, the day line sweeping


class Stopped(BaseException):
    """Enough screens were drawn, in a game that catches every Exception from its loop (Singularity's
    ``safe_call``, which opens its error dialog instead)."""


def play_singularity(roots: list[Path], member: str, start: float, seconds: float, seed: int
                     ) -> tuple[np.ndarray, float]:  # fmt: skip
    """Endgame: Singularity (Debian's ``singularity``: a strategy game in pygame, an AI hiding in the world's
    computers, played on a NASA Blue Marble world map with a moving day and night line, region buttons, a bar of
    cash, CPU and speed controls, 1024x768) played headless from a new game at the difficulty ``member``.

    Its own dialog loop runs (the map screen, and the story and message boxes over it); each wait for an event
    (``pygame.event.wait``) is a frame: the screen is kept and a timer tick returned, so nothing waits. A seeded
    agent answers its boxes (Return) and runs the clock at a speed it picks (keys 2-4). The start time of day,
    which the game takes from the wall clock, is drawn from the seed; the language is its default (English);
    its theme's font, a link to Debian's DejaVu Sans, is read from the pinned ``fonts-dejavu-core``; its
    settings go to a temporary home. ``roots``: the game, the font package, pygame.
    """
    import random
    import tempfile
    import time
    import types

    headless_sdl([roots[0] / "usr" / "lib" / "python3" / "dist-packages", *roots[2:]])
    os.environ.update(HOME=tempfile.mkdtemp(), LANG="C", LANGUAGE="", LC_ALL="C")  # English, whatever the machine
    import pygame as pg

    time.sleep = lambda *_: None  # it sleeps a frame on each pointer move
    pg.time.set_timer = lambda *_, **__: None  # its frame timer: a tick per frame comes from ``wait`` instead
    random.seed(seed)  # the game's start day, its events and its discoveries
    rng = np.random.default_rng(seed)
    from singularity.code import data, dirs, g, mixer
    from singularity.code.graphics import dialog, font, theme
    from singularity.code.graphics import g as gg
    from singularity.code.screens import map as world

    cached = font.generate_from_cache
    font.generate_from_cache = lambda path: cached(pinned_font(path, roots[1]))  # its fonts: links
    at = time.gmtime(int(rng.integers(86400)))  # the time of day the game starts at (the night line's place)
    world.time = types.SimpleNamespace(gmtime=lambda *_: at)
    dirs.create_directories(False)
    mixer.nosound = True
    pg.init()
    font.init()
    data.load_themes()
    theme.set_theme("default")
    gg.init_graphics_system()
    data.reload_all()
    from singularity.code.screens import main_menu

    menu = main_menu.MainMenu()
    screens: list[np.ndarray] = []
    first, last, frame = round(start * SINGULARITY_HZ), round((start + seconds) * SINGULARITY_HZ), {"n": 0}
    queued = pg.event.get

    def press(key: int, text: str) -> None:
        for kind in (pg.KEYDOWN, pg.KEYUP):
            pg.event.post(pg.event.Event(kind, key=key, mod=0, unicode=text, scancode=0))

    def wait(*_: object) -> object:
        events = queued()
        if events:  # what the agent (or the game) posted comes first, one at a time
            for event in events[1:]:
                pg.event.post(event)
            return events[0]
        frame["n"] += 1
        if frame["n"] > first:
            screens.append(pygame_frame(pg, pg.display.get_surface()))
        if frame["n"] >= last:
            raise Stopped
        if frame["n"] % SINGULARITY_ANSWER == 0:
            press(pg.K_RETURN, "\r")
        if frame["n"] % SINGULARITY_SPEED == 0:
            speed = "3" if rng.random() < 0.7 else str(rng.choice(["2", "4"]))
            press(getattr(pg, f"K_{speed}"), speed)
        return pg.event.Event(pg.USEREVENT)  # its frame timer's tick

    pg.event.wait = wait
    g.new_game(member)  # as its New Game button does after the difficulty is chosen
    try:
        dialog.call_dialog(menu.map_screen, menu)
    except Stopped:
        return np.stack(screens), float(SINGULARITY_HZ)
    raise SystemExit(f"error: singularity:{member} ended before {start + seconds} s")


ARDENTRYST_HZ = 30  # the cut-scene's screens are sampled 30 times a game second from its virtual clock


class SampledClock:
    """A virtual clock that a game's waits advance (``time.sleep``, ``pygame.time.wait``) and that samples the
    screen last shown (``display.flip``) at a fixed rate: for a game timed by sleeps, whose frames come as fast as
    it draws them. Raises :class:`Captured` after ``last`` samples, keeping those from ``first`` on."""

    def __init__(self, pg: ModuleType, hz: float, first: int, last: int) -> None:
        self.pg, self.hz, self.first, self.last = pg, hz, first, last
        self.ms, self.samples = 0.0, 0
        self.shown: np.ndarray | None = None
        self.screens: list[np.ndarray] = []

    def advance(self, ms: float) -> None:
        self.ms += ms
        while self.samples * 1000 / self.hz <= self.ms:
            if self.samples >= self.first:
                self.screens.append(self.shown)  # type: ignore[arg-type]
            self.samples += 1
            if self.samples >= self.last:
                raise Captured

    def show(self, *_: object) -> None:
        if self.ms >= (self.first - 1) * 1000 / self.hz:  # fitting only the screens that will be kept
            self.shown = pygame_frame(self.pg, self.pg.display.get_surface())


def play_ardentryst(roots: list[Path], member: str, start: float, seconds: float, seed: int
                     ) -> tuple[np.ndarray, float]:  # fmt: skip
    """Ardentryst (Debian's ``ardentryst``, a side-scrolling action RPG in pygame with painted art): ``member``
    ``intro``, the opening cut-scene its New quest plays, run by the game's own code: the story text crawling
    away in perspective over a painted town at dusk, a fade, then the "Introduction" story scene (painted
    slides panned and cross-faded, with subtitles). Nobody presses a key (it would skip the scene).

    Timed by the game's own waits (``time.sleep``, its 10 ms frame waits) on a virtual clock
    (:class:`SampledClock`), which samples the screen at ARDENTRYST_HZ; no sound (its mixer is not started, so
    its jukebox stays quiet). Only the story scenes' images are loaded (its loader loads every sprite first);
    its fonts, links to Debian's FreeFont, are read from the pinned ``fonts-freefont-ttf``; the game draws with
    ``random`` (seeded). ``roots``: the game, the font package, pygame.
    """
    import random
    import tempfile
    import time

    home = debian_game(roots[0], "ardentryst")
    headless_sdl([home, *roots[2:]])
    os.environ["HOME"] = tempfile.mkdtemp()
    os.chdir(home)  # it loads Data/... and Fonts/... from its folder, as its launcher does
    import pygame as pg

    pinned_fonts(pg, roots[1])
    clock = SampledClock(pg, ARDENTRYST_HZ, round(start * ARDENTRYST_HZ), round((start + seconds) * ARDENTRYST_HZ))
    time.sleep = lambda s: clock.advance(s * 1000)
    pg.time.get_ticks = lambda: int(clock.ms)
    pg.time.wait = pg.time.delay = clock.advance
    pg.display.flip = pg.display.update = clock.show
    random.seed(seed)
    pg.display.init()
    pg.font.init()
    screen = pg.display.set_mode((640, 480))
    import Conch
    import data
    import game
    import helpers
    from fade import fade_to_black

    helpers.definescreen(screen)
    helpers.screen = screen  # what its event reader (``ge``) saves screenshots of
    serif = os.path.join("Fonts", "FreeSerif.ttf")  # the three of its fonts the scenes use (its main's numbering)
    fonts = {i: pg.font.Font(serif, size) for i, size in ((9, 14), (12, 16), (22, 32))}
    images = data.Storage()
    for image in images.storysceneimages:
        images.SSI[image] = data.load_image(image, None, False, os.path.join("Data", "StorySceneImages"))
    quest = game.Game_Object()
    try:
        if member != "intro":
            raise SystemExit(f"error: ardentryst:{member} is not a scene this player knows (intro)")
        quest.text_intro(screen, images, fonts, Conch.soundbox)  # as its New quest runs them
        fade_to_black(screen, 4)
        quest.story_scene("Introduction", screen, images, fonts, Conch.soundbox)
    except Captured:
        return np.stack(clock.screens), float(ARDENTRYST_HZ)
    raise SystemExit(f"error: ardentryst:{member} ended before {start + seconds} s")


SOLARWOLF_HZ = 40  # SolarWolf's loop runs at 40 frames a second (its clock's cap), its game speed set by that
SOLARWOLF_ACT = 12  # the agent steers (up, down, left or right; the ship keeps going) every 12 frames


def play_solarwolf(roots: list[Path], member: str, start: float, seconds: float, seed: int
                   ) -> tuple[np.ndarray, float]:  # fmt: skip
    """SolarWolf (Debian's ``solarwolf``, Pete Shinners' pygame remake of SolarFox: a ship sweeps a starfield
    collecting a level's boxes while four guards on the edges fire at it, rendered sprites and a stone side
    panel, 800x600) played headless from a new game (``member``: ``play``).

    The game's own handlers run as its main loop runs them (the current handler's ``run``, then the screen
    update), each frame a fixed 1/SOLARWOLF_HZ s on a virtual clock (``get_ticks``, its frame clock); its
    resources are loaded as its loading screen loads them; the stars it adds while the frame rate is high are
    added once a second at that rate. A seeded agent steers the ship; a lost game starts anew.
    ``roots``: the game, pygame.
    """
    import random
    import tempfile

    headless_sdl([roots[0] / "usr" / "lib" / "games" / "solarwolf", *roots[1:]])
    os.environ["HOME"] = tempfile.mkdtemp()  # its players and preferences
    os.chdir(debian_game(roots[0], "solarwolf"))  # it loads data/... from there
    import pygame as pg

    frame = {"n": 0}
    pg.time.get_ticks = lambda: frame["n"] * 1000 // SOLARWOLF_HZ
    pg.time.wait = pg.time.delay = lambda *_: None
    random.seed(seed)  # its levels' boxes, guards' shots and songs
    rng = np.random.default_rng(seed)
    import allmodules
    import game
    import gameplay
    import gamepref
    import gfx
    import players
    import txt
    from input import init as init_input
    from input import load_translations, translate

    class Clock:
        def tick(self, *_: object) -> int:
            return 1000 // SOLARWOLF_HZ

        def get_fps(self) -> float:
            return float(SOLARWOLF_HZ)

    pg.init()
    game.clock = Clock()
    load_translations()  # its key bindings and preferences (the defaults: the temporary home has none)
    gamepref.load_prefs()
    gfx.initialize((800, 600), 0)
    init_input()
    txt.initialize()
    for name in allmodules.modules_string.split(","):  # what its loading screen's thread loads
        getattr(sys.modules[name.strip()], "load_game_resources", lambda: None)()
    game.player = players.Player("")  # as its start screen does when there are no players yet
    game.help = 1  # its hints as captions in play (its preference), not as boxes that wait for a key
    keys = (pg.K_UP, pg.K_DOWN, pg.K_LEFT, pg.K_RIGHT)
    screens: list[np.ndarray] = []
    shown = None
    for frame["n"] in range(round((start + seconds) * SOLARWOLF_HZ)):
        if not isinstance(game.handler, gameplay.GamePlay):  # a new game, and one after a lost game's end
            game.handler = gameplay.GamePlay(None)
        if game.handler is not shown:
            shown = game.handler
            shown.starting()
        if frame["n"] % SOLARWOLF_HZ == 0:
            gfx.starobj.recalc_num_stars(float(SOLARWOLF_HZ))  # as its once-a-second timer does
        if frame["n"] % SOLARWOLF_ACT == 0:
            key = keys[int(rng.integers(len(keys)))]
            game.handler.input(translate(pg.event.Event(pg.KEYDOWN, key=key, mod=0, unicode="", scancode=0)))
        game.handler.run()
        game.clockticks = 1000 // SOLARWOLF_HZ
        gfx.update()
        if frame["n"] >= round(start * SOLARWOLF_HZ):
            screens.append(pygame_frame(pg, gfx.surface))
    return np.stack(screens), float(SOLARWOLF_HZ)


#: What ``--play KIND`` runs in render_in_child's child process.
PLAYERS = {"pyxel": play_pyxel, "panda3d": play_panda, "dicewars": play_dicewars, "tower-defence": play_tower_defence,
           "zanthor": play_zanthor, "danittr": play_danittr, "boom": play_boom, "terrario": play_terrario,
           "stuntcat": play_stuntcat, "lightyears": play_lightyears, "funnyboat": play_funnyboat,
           "angrydd": play_angrydd, "singularity": play_singularity, "ardentryst": play_ardentryst,
           "solarwolf": play_solarwolf, "assetcoop": play_assetcoop}  # fmt: skip
#: The packages each kind of PLAYERS imports besides the source's own (render_in_child's roots after the first).
PLAYED_WITH = {"dicewars": (DICEWARS, PYGAME), "tower-defence": (PYGAME,), "zanthor": (PYGAME,), "danittr": (PYGAME,),
               "boom": (PYGAME_CE,), "terrario": (OPENSIMPLEX, PYGAME),
               "stuntcat": (*STUNTCAT_WITH, PYGAME), "lightyears": (PYGAME,),
               "funnyboat": (FONTS_DEJAVU, PYGAME), "angrydd": (PYGAME,),
               "singularity": (FONTS_DEJAVU, PYGAME), "ardentryst": (FONTS_FREEFONT, PYGAME),
               "solarwolf": (PYGAME,), "assetcoop": (PANDA3D,)}  # fmt: skip
