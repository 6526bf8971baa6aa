"""Gaming clips played in a real emulator: Atari 2600 games from the ROMs that ``ale-py`` ships.

The Arcade Learning Environment (ale-py, installed with the ``[demo]`` extra) bundles an Atari
2600 emulator and ROMs of about a hundred games. A seeded random agent that holds each action for
a few frames plays a game picked by the clip's generator, from a random point in the game, so the
clips show real game graphics, HUDs and motion rather than a drawing of them.

The dev set (vidcls/devset/sources.py) uses twelve other ALE games as held-out sources; the demo
never plays those (``DEVSET_ATARI_GAMES``, checked by tests/test_demo.py), nor close variants.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
from PIL import Image

from vidcls.errors import VidclsError
from vidcls.utils.extras import install_hint

#: Games the demo plays: none of the dev set's, nor a near copy of one (pacman ~ ms_pacman, pitfall2).
DEMO_ATARI_GAMES: tuple[str, ...] = (
    "alien", "amidar", "assault", "asterix", "bank_heist", "battle_zone", "beam_rider", "berzerk",
    "bowling", "centipede", "chopper_command", "crazy_climber", "demon_attack", "double_dunk",
    "fishing_derby", "frostbite", "gopher", "hero", "ice_hockey", "jamesbond", "kangaroo",
    "kung_fu_master", "name_this_game", "phoenix", "qbert", "road_runner", "skiing", "star_gunner",
    "tennis", "time_pilot", "tutankham", "up_n_down", "video_pinball", "wizard_of_wor", "yars_revenge",
    "zaxxon", "galaxian", "frogger", "mario_bros", "donkey_kong", "defender", "joust",
)  # fmt: skip

#: The dev set's held-out Atari sources (its SOURCES table); the demo must not train on them.
DEVSET_ATARI_GAMES: frozenset[str] = frozenset(
    ("breakout", "pong", "space_invaders", "ms_pacman", "seaquest", "enduro", "freeway", "riverraid",
     "montezuma_revenge", "boxing", "asteroids", "pitfall", "pacman", "pitfall2", "atlantis", "atlantis2", "krull",
     "gravitar")
)  # fmt: skip

_ALE_HZ = 60  # the emulator's frame rate
_MAX_WARMUP_S = 25.0  # start each clip up to this far into a game, so clips of one game differ


def _ale() -> Any:  # ale_py ships no type stubs
    try:
        import ale_py
        import ale_py.roms
    except ImportError as err:
        raise VidclsError(
            f"the demo's Gaming clips need ale-py (an Atari emulator and ROMs); run {install_hint('demo')}"
        ) from err
    ale_py.ALEInterface.setLoggerMode(ale_py.LoggerMode.Error)
    return ale_py


def render_atari(rng: np.random.Generator, width: int, height: int, fps: int, num_frames: int) -> Iterator[np.ndarray]:
    """Random-agent gameplay of one Atari game, scaled to ``width x height`` (stretched or pillarboxed)."""
    ale_py = _ale()
    game = str(rng.choice(DEMO_ATARI_GAMES))
    ale = ale_py.ALEInterface()
    ale.setInt("random_seed", int(rng.integers(1, 2**31 - 1)))
    ale.setFloat("repeat_action_probability", 0.0)
    ale.loadROM(ale_py.roms.get_rom_path(game))
    actions = ale.getMinimalActionSet()
    state = {"action": actions[0], "left": 0}

    def step() -> None:
        if state["left"] <= 0:  # hold an action for a few frames, as a player would
            state["action"], state["left"] = actions[rng.integers(len(actions))], int(rng.integers(4, 24))
        state["left"] -= 1
        ale.act(state["action"])
        if ale.game_over():
            ale.reset_game()

    for _ in range(int(rng.uniform(0, _MAX_WARMUP_S) * _ALE_HZ)):
        step()
    pillarbox = bool(rng.random() < 0.4)
    per_frame = max(1, round(_ALE_HZ / fps))
    for _ in range(num_frames):
        for _ in range(per_frame):
            step()
        screen = Image.fromarray(ale.getScreenRGB())
        if not pillarbox:
            yield np.asarray(screen.resize((width, height), Image.Resampling.NEAREST))
            continue
        inner_w = min(width, height) // 2 * 2  # a square emulator window with black bars beside it
        frame = np.zeros((height, width, 3), np.uint8)
        left = (width - inner_w) // 2
        frame[:, left : left + inner_w] = np.asarray(screen.resize((inner_w, height), Image.Resampling.NEAREST))
        yield frame
