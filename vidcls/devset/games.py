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

import numpy as np

from vidcls.devset.clips import OUT_FPS, fit_frame
from vidcls.devset.sources import DICEWARS, PYGAME


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
    for ``seconds`` to a file.
    """
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "screens.npz"
        cmd = [sys.executable, str(PLAY_SCRIPT), "--play", kind, os.pathsep.join(map(str, roots)),
               member, str(start), str(seconds), str(seed), str(out)]  # fmt: skip
        result = subprocess.run(cmd, capture_output=True, text=True)
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


def play_panda(roots: list[Path], member: str, start: float, seconds: float, seed: int) -> tuple[np.ndarray, float]:
    """Panda3D's sample world (the manual's first program: ``models/environment`` and the walking
    ``models/panda-model``, both shipped in the wheel) as a third-person game: a seeded agent walks the panda
    through the meadow, turning now and then, and the camera follows behind it with a lag.

    Drawn by TinyDisplay, Panda3D's software renderer, into an offscreen buffer (no GPU, no display).
    """
    root = roots[0]
    sys.path.insert(0, str(root))
    from panda3d.core import ClockObject, Vec3, loadPrcFileData

    loadPrcFileData("", "load-display p3tinydisplay\nwindow-type offscreen\nwin-size 320 240\n"
                        "audio-library-name null\nsync-video false\nnotify-level error\n"
                        "default-directnotify-level error\nmodel-path " + str(root / "panda3d"))  # fmt: skip
    from direct.actor.Actor import Actor
    from direct.showbase.ShowBase import ShowBase

    base = ShowBase()
    ClockObject.getGlobalClock().setMode(ClockObject.MNonRealTime)
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
            shot = base.win.getScreenshot()
            rgb = np.frombuffer(shot.getRamImageAs("RGB"), np.uint8).reshape(shot.getYSize(), shot.getXSize(), 3)
            screens.append(fit_frame(rgb[::-1]))
    return np.stack(screens), float(PANDA_HZ)


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


#: What ``--play KIND`` runs in render_in_child's child process.
PLAYERS = {"pyxel": play_pyxel, "panda3d": play_panda, "dicewars": play_dicewars, "tower-defence": play_tower_defence}
#: The packages each kind of PLAYERS imports besides the source's own (render_in_child's roots after the first).
PLAYED_WITH = {"dicewars": (DICEWARS, PYGAME), "tower-defence": (PYGAME,)}
