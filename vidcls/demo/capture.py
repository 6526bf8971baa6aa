"""How a demo clip was "captured": the same random mix of capture conditions for every class.

Real videos reach a classifier through many pipelines: a low-resolution source enlarged by a
player (blurry), a film letterboxed for a 4:3 frame, a 4:3 program pillarboxed on a wide screen,
another gamma or contrast. In the rendered demo every clip was crisp, full-frame and of one tone,
except Atari clips, 40% of which had black side bars: a cue that said "Gaming" to the model and
nothing about content. Drawing these conditions from a stream that never sees the class makes
them uninformative, so the model has to learn the content.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from PIL import Image

#: Chance that a clip is a low-resolution source enlarged to the frame, and its scale range.
LOW_RES_P, LOW_RES_FACTOR = 0.3, (1.5, 3.5)
#: Chance of black bars; of those, letterbox (wide content) or pillarbox (narrow content).
BARS_P = 0.25
LETTERBOX_ASPECTS = (16 / 9, 1.85, 2.39)
PILLARBOX_ASPECTS = (1.0, 5 / 4)
#: Chance of another tone curve, with its gamma and contrast ranges.
TONE_P, GAMMA_RANGE, CONTRAST_RANGE = 0.3, (0.8, 1.25), (0.85, 1.1)


@dataclass(frozen=True)
class Capture:
    """One clip's capture conditions; ``Capture()`` leaves frames untouched."""

    low_res: float = 1.0  # > 1: the source was this many times smaller than the frame
    content_aspect: float | None = None  # width/height of the picture inside black bars
    gamma: float = 1.0
    contrast: float = 1.0

    @classmethod
    def draw(cls, rng: np.random.Generator, max_low_res: float = math.inf) -> Capture:
        """Conditions from ``rng`` alone (callers pass a stream that does not depend on the class).

        ``max_low_res`` is how many times smaller than the frame the source itself was recorded (an
        Atari screen, a QCIF test clip). Such a source *is* a low-resolution source: enlarging it
        smoothly from about its own size is the condition, while going further below it would
        invent a blur no player adds. So the factor is capped there; the chance of the condition,
        and every other draw, stay the same for every clip.
        """
        low_res = float(rng.uniform(*LOW_RES_FACTOR)) if rng.random() < LOW_RES_P else 1.0
        low_res = min(low_res, max_low_res)
        aspect = None
        if rng.random() < BARS_P:
            aspects = LETTERBOX_ASPECTS if rng.random() < 0.6 else PILLARBOX_ASPECTS
            aspect = float(aspects[int(rng.integers(len(aspects)))])
        gamma, contrast = 1.0, 1.0
        if rng.random() < TONE_P:
            gamma, contrast = float(rng.uniform(*GAMMA_RANGE)), float(rng.uniform(*CONTRAST_RANGE))
        return cls(low_res, aspect, gamma, contrast)

    def inner_box(self, width: int, height: int) -> tuple[int, int, int, int]:
        """``(left, top, w, h)`` of the picture inside the frame (the whole frame without bars)."""
        if self.content_aspect is None:
            return 0, 0, width, height
        if self.content_aspect > width / height:  # letterbox: full width, bars above and below
            inner_h = min(height, round(width / self.content_aspect / 2) * 2)
            return 0, (height - inner_h) // 2, width, inner_h
        inner_w = min(width, round(height * self.content_aspect / 2) * 2)
        return (width - inner_w) // 2, 0, inner_w, height

    def apply(self, frame: np.ndarray) -> np.ndarray:
        """The frame as this capture would show it (same size, uint8 RGB)."""
        if self == Capture():
            return frame
        height, width = frame.shape[:2]
        left, top, inner_w, inner_h = self.inner_box(width, height)
        image = Image.fromarray(frame)
        if self.low_res > 1.0:
            small = (max(8, round(inner_w / self.low_res)), max(8, round(inner_h / self.low_res)))
            image = image.resize(small, Image.Resampling.BOX)
        if image.size != (inner_w, inner_h):
            image = image.resize((inner_w, inner_h), Image.Resampling.BILINEAR)
        picture = np.asarray(image)
        if (self.gamma, self.contrast) != (1.0, 1.0):
            lut = np.arange(256, dtype=np.float32) / 255
            lut = np.clip((lut**self.gamma - 0.5) * self.contrast + 0.5, 0, 1)
            picture = (lut * 255).round().astype(np.uint8)[picture]
        out = np.zeros_like(frame)
        out[top : top + inner_h, left : left + inner_w] = picture
        return out

    def frames(self, frames: Iterator[np.ndarray]) -> Iterator[np.ndarray]:
        """Apply to a stream of frames."""
        for frame in frames:
            yield self.apply(frame)
