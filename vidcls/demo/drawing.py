"""Small drawing helpers shared by the demo renderers: fonts, words, colours, easing.

Fonts come only from Pillow's embedded default font (``ImageFont.load_default(size)``), never from
the system, so a seed renders the same pixels on every machine with the same Pillow.
"""

from __future__ import annotations

import functools

import numpy as np
from PIL import ImageFont

FontT = ImageFont.FreeTypeFont | ImageFont.ImageFont

#: Plain words for slide bullets, documents and chat-like text; technical enough to look like work.
WORDS: tuple[str, ...] = (
    "data", "model", "video", "frame", "result", "team", "plan", "quarter", "growth", "budget", "review",
    "system", "design", "report", "update", "status", "latency", "memory", "cluster", "pipeline", "metric",
    "release", "feature", "customer", "market", "revenue", "target", "risk", "summary", "analysis", "method",
    "training", "network", "signal", "sample", "average", "baseline", "improve", "measure", "deliver",
    "schedule", "process", "quality", "source", "output", "input", "storage", "service", "request", "error",
    "table", "figure", "section", "appendix", "project", "research", "policy", "support", "cost", "time",
    "the", "of", "and", "to", "in", "for", "with", "on", "by", "from", "is", "are", "we", "our", "this",
    "that", "each", "new", "all", "more", "than", "per", "over", "under", "into", "across", "within",
)  # fmt: skip


@functools.lru_cache(maxsize=64)
def font(size: int) -> FontT:
    """Pillow's embedded scalable font at ``size`` px (bitmap fallback on Pillow without FreeType)."""
    try:
        return ImageFont.load_default(size=size)
    except (TypeError, ImportError, OSError):  # pragma: no cover - Pillow built without FreeType
        return ImageFont.load_default()


def words(rng: np.random.Generator, low: int, high: int) -> str:
    """A random phrase of ``low..high`` words."""
    count = int(rng.integers(low, high + 1))
    return " ".join(WORDS[int(i)] for i in rng.integers(0, len(WORDS), size=count))


def sentence(rng: np.random.Generator, low: int = 4, high: int = 9) -> str:
    """A capitalised phrase, for titles and bullets."""
    text = words(rng, low, high)
    return text[:1].upper() + text[1:]


def random_color(rng: np.random.Generator, low: int = 0, high: int = 256) -> tuple[int, int, int]:
    """An RGB colour with each channel in ``[low, high)``."""
    r, g, b = (int(v) for v in rng.integers(low, high, size=3))
    return (r, g, b)


def saturated_color(rng: np.random.Generator, value: float = 0.9, saturation: float = 0.75) -> tuple[int, int, int]:
    """A bright colour at a random hue: cartoon and game palettes are saturated, not muddy."""
    hue = float(rng.uniform(0.0, 1.0))
    return hsv_to_rgb(hue, saturation, value)


def hsv_to_rgb(hue: float, saturation: float, value: float) -> tuple[int, int, int]:
    """HSV in ``[0, 1]`` to 8-bit RGB."""
    i = int(hue * 6.0) % 6
    f = hue * 6.0 - int(hue * 6.0)
    p, q, t = value * (1 - saturation), value * (1 - f * saturation), value * (1 - (1 - f) * saturation)
    r, g, b = [(value, t, p), (q, value, p), (p, value, t), (p, q, value), (t, p, value), (value, p, q)][i]
    return (round(r * 255), round(g * 255), round(b * 255))


def shade(color: tuple[int, int, int], factor: float) -> tuple[int, int, int]:
    """Darken (``factor < 1``) or lighten (``> 1``) a colour, clipped to 8 bits."""
    r, g, b = (min(255, max(0, round(c * factor))) for c in color)
    return (r, g, b)


def ease_in_out(x: float) -> float:
    """Smoothstep on ``[0, 1]``: camera moves and scrolls start and stop gently, as people do."""
    x = min(1.0, max(0.0, x))
    return x * x * (3.0 - 2.0 * x)
