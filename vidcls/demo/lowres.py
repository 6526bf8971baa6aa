"""Gaming clips captured at a very small size (docs/classes.md ``low-res-capture``).

Reinforcement-learning pipelines store game screens at about 64x64 (area-averaged), and such clips
reach a classifier enlarged back to the frame: blocks of a few flat colours, blurred sprites, a HUD
reduced to smudges. The demo draws one of its own games (a demo Atari game, the raycaster shooter,
the platformer or the shoot-'em-up) at its native size, reduces it to 48-84 px a side and enlarges
it with nearest neighbours (as stored) or smoothly (as a player shows it), stretched to the frame
or square with black bars. The dev set's 64x64 captures play other Atari games
(``atari.DEVSET_ATARI_GAMES``, never played by the demo).
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from PIL import Image

from vidcls.demo.atari import render_atari
from vidcls.demo.game import render_platformer, render_shooter
from vidcls.demo.raycaster import render_firstperson

#: The games reduced, each with the size it is drawn at before the reduction, drawn in these shares.
_GAMES = (
    (render_atari, (160, 210), 0.55),
    (render_firstperson, (320, 240), 0.2),
    (render_platformer, (320, 240), 0.15),
    (render_shooter, (240, 320), 0.1),
)
#: Side of the stored capture in pixels (64 most often).
CAPTURE_SIDES = (48, 64, 64, 64, 84)


def render_low_res_game(
    rng: np.random.Generator, width: int, height: int, fps: int, num_frames: int
) -> Iterator[np.ndarray]:
    """One game at ``CAPTURE_SIDES`` pixels a side, enlarged back to ``width x height``."""
    weights = np.array([share for _, _, share in _GAMES])
    render, (game_w, game_h), _ = _GAMES[int(rng.choice(len(_GAMES), p=weights / weights.sum()))]
    side = int(rng.choice(CAPTURE_SIDES))
    grey = bool(rng.random() < 0.25)  # many RL pipelines keep only luminance
    smooth = bool(rng.random() < 0.4)
    square = bool(rng.random() < 0.5)
    game_rng = np.random.default_rng(rng.integers(2**63))
    inner_w = (min(width, height) // 2 * 2) if square else width
    left = (width - inner_w) // 2
    for screen in render(game_rng, game_w, game_h, fps, num_frames):
        small = Image.fromarray(screen).resize((side, side), Image.Resampling.BOX)
        if grey:
            small = small.convert("L").convert("RGB")
        big = small.resize((inner_w, height), Image.Resampling.BILINEAR if smooth else Image.Resampling.NEAREST)
        frame = np.zeros((height, width, 3), np.uint8)
        frame[:, left : left + inner_w] = np.asarray(big)
        yield frame
