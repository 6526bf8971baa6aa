"""Rendered cartoon animation: flat colours, black outlines, smooth squash-and-stretch motion.

Big Buck Bunny is the only real animation the packages ship, so half of the Animation folder is
drawn here instead: a meadow with bouncing characters or an underwater scene with fish. Frames are
drawn at twice the size and box-filtered down, for the anti-aliased outlines of real cartoons.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np
from PIL import Image, ImageDraw

from vidcls.demo.drawing import saturated_color, shade

Color = tuple[int, int, int]
OUTLINE = (20, 20, 30)


def _eyes(draw: ImageDraw.ImageDraw, x: float, y: float, size: float, look: float, blink: bool, stroke: int) -> None:
    """Two cartoon eyes; pupils look along ``look`` (-1 left .. 1 right); closed while blinking."""
    for dx in (-size, size):
        ex, ey = x + dx, y
        if blink:
            draw.line([ex - size * 0.7, ey, ex + size * 0.7, ey], fill=OUTLINE, width=stroke)
            continue
        draw.ellipse(
            [ex - size * 0.8, ey - size, ex + size * 0.8, ey + size],
            fill=(255, 255, 255),
            outline=OUTLINE,
            width=stroke,
        )
        px = ex + look * size * 0.35
        draw.ellipse([px - size * 0.35, ey - size * 0.35, px + size * 0.35, ey + size * 0.45], fill=OUTLINE)


def _blob(
    draw: ImageDraw.ImageDraw,
    x: float,
    ground: float,
    size: float,
    bounce: float,
    color: Color,
    look: float,
    blink: bool,
    stroke: int,
) -> None:
    """A round character hopping: stretched in the air, squashed on landing."""
    height_above = abs(math.sin(math.pi * bounce)) * size * 1.8
    squash = 1.0 + 0.25 * math.cos(2 * math.pi * bounce)
    rx, ry = size / math.sqrt(squash), size * math.sqrt(squash) * 0.9
    cy = ground - height_above - ry
    shadow = size * (1.0 - 0.4 * height_above / (size * 1.8))
    draw.ellipse([x - shadow, ground - size * 0.15, x + shadow, ground + size * 0.15], fill=(0, 0, 0, 60))
    draw.ellipse([x - rx, cy - ry, x + rx, cy + ry], fill=color, outline=OUTLINE, width=stroke)
    draw.ellipse([x - rx * 0.55, cy - ry * 0.7, x - rx * 0.15, cy - ry * 0.35], fill=shade(color, 1.35))
    _eyes(draw, x + look * rx * 0.2, cy - ry * 0.2, size * 0.22, look, blink, stroke)
    draw.arc([x - rx * 0.35, cy, x + rx * 0.35, cy + ry * 0.5], 20, 160, fill=OUTLINE, width=stroke)


def _cloud(draw: ImageDraw.ImageDraw, x: float, y: float, s: float, stroke: int) -> None:
    parts = [(-1.0, 0.2, 0.7), (-0.3, -0.2, 0.9), (0.5, 0.0, 0.8), (1.1, 0.25, 0.6)]
    for dx, dy, r in parts:
        draw.ellipse(
            [x + (dx - r) * s, y + (dy - r) * s, x + (dx + r) * s, y + (dy + r) * s],
            fill=(255, 255, 255),
            outline=OUTLINE,
            width=stroke,
        )
    for dx, dy, r in parts:  # cover the inner outlines so only the silhouette is drawn
        draw.ellipse(
            [
                x + (dx - r) * s + stroke,
                y + (dy - r) * s + stroke,
                x + (dx + r) * s - stroke,
                y + (dy + r) * s - stroke,
            ],
            fill=(255, 255, 255),
        )


def _meadow(rng: np.random.Generator, width: int, height: int, fps: int, num_frames: int) -> Iterator[Image.Image]:
    sky = saturated_color(rng, value=1.0, saturation=0.35)
    hill_colors = [saturated_color(rng, value=v, saturation=0.6) for v in (0.75, 0.6)]
    sun = (255, int(rng.integers(190, 240)), 60)
    stroke = max(2, width // 160)
    hills = [
        (rng.uniform(-0.2, 1.2) * width, rng.uniform(0.55, 0.75) * height, rng.uniform(0.4, 0.8) * width)
        for _ in range(3)
    ]
    clouds = [
        (rng.uniform(0, width), rng.uniform(0.08, 0.3) * height, rng.uniform(0.04, 0.08) * width, rng.uniform(5, 20))
        for _ in range(int(rng.integers(2, 5)))
    ]
    trees = [(rng.uniform(0.05, 0.95) * width, rng.uniform(0.06, 0.1) * width) for _ in range(int(rng.integers(1, 4)))]
    ground = height * rng.uniform(0.8, 0.88)
    characters = [
        {
            "x": rng.uniform(0.1, 0.9) * width,
            "v": rng.uniform(-0.15, 0.15) * width,
            "size": rng.uniform(0.06, 0.1) * width,
            "hop": rng.uniform(0.8, 1.6),
            "color": saturated_color(rng, value=0.95),
            "phase": rng.uniform(0, 1),
        }
        for _ in range(int(rng.integers(1, 4)))
    ]
    sun_x, sun_y = rng.uniform(0.1, 0.9) * width, rng.uniform(0.1, 0.25) * height
    blink_at = rng.uniform(0, 3, size=8).cumsum()
    for i in range(num_frames):
        t = i / fps
        image = Image.new("RGB", (width, height), sky)
        draw = ImageDraw.Draw(image, "RGBA")
        for k in range(12):
            angle = t * 0.6 + k * math.pi / 6
            draw.line(
                [sun_x, sun_y, sun_x + math.cos(angle) * width * 0.12, sun_y + math.sin(angle) * width * 0.12],
                fill=sun,
                width=stroke * 2,
            )
        r = width * 0.06
        draw.ellipse([sun_x - r, sun_y - r, sun_x + r, sun_y + r], fill=sun, outline=OUTLINE, width=stroke)
        for cx, cy, s, speed in clouds:
            _cloud(draw, (cx + speed * t * width / 320) % (width + 4 * s) - 2 * s, cy, s, stroke)
        for k, (hx, hy, hr) in enumerate(hills):
            draw.ellipse([hx - hr, hy, hx + hr, hy + hr], fill=hill_colors[k % 2], outline=OUTLINE, width=stroke)
        draw.rectangle([0, ground, width, height], fill=hill_colors[0], outline=OUTLINE, width=stroke)
        for tx, ts in trees:
            sway = math.sin(t * 1.5 + tx) * ts * 0.15
            draw.rectangle(
                [tx - ts * 0.15, ground - ts * 1.6, tx + ts * 0.15, ground + 2],
                fill=(130, 80, 40),
                outline=OUTLINE,
                width=stroke,
            )
            draw.ellipse(
                [tx - ts + sway, ground - ts * 2.8, tx + ts + sway, ground - ts * 1.2],
                fill=shade(hill_colors[1], 0.8),
                outline=OUTLINE,
                width=stroke,
            )
        blink = bool(np.any((blink_at <= t) & (t < blink_at + 0.15)))
        for c in characters:
            span = width * 0.8
            travel = (c["x"] - width * 0.1 + c["v"] * t) % (2 * span)
            x = width * 0.1 + (travel if travel < span else 2 * span - travel)
            look = math.copysign(1.0, c["v"]) * (1 if travel < span else -1)
            _blob(
                draw,
                x,
                ground + height * 0.04,
                c["size"],
                (t / c["hop"] + c["phase"]) % 1.0,
                c["color"],
                look,
                blink,
                stroke,
            )
        yield image


def _sea(rng: np.random.Generator, width: int, height: int, fps: int, num_frames: int) -> Iterator[Image.Image]:
    water = saturated_color(rng, value=0.75, saturation=0.6)
    water = (int(water[0] * 0.3), int(water[1] * 0.7), max(150, water[2]))
    sand = (int(rng.integers(220, 250)), int(rng.integers(190, 220)), 140)
    stroke = max(2, width // 160)
    floor = height * rng.uniform(0.82, 0.9)
    weeds = [
        (rng.uniform(0, width), rng.uniform(0.2, 0.4) * height, saturated_color(rng, value=0.6))
        for _ in range(int(rng.integers(3, 7)))
    ]
    fish = [
        {
            "y": rng.uniform(0.15, 0.7) * height,
            "x": rng.uniform(0, width),
            "v": rng.uniform(0.08, 0.25) * width * (1 if rng.random() < 0.5 else -1),
            "size": rng.uniform(0.05, 0.09) * width,
            "color": saturated_color(rng, value=0.95),
            "wobble": rng.uniform(0, 6),
        }
        for _ in range(int(rng.integers(2, 5)))
    ]
    bubbles = rng.uniform(0, 1, size=(14, 3))
    for i in range(num_frames):
        t = i / fps
        image = Image.new("RGB", (width, height), water)
        draw = ImageDraw.Draw(image, "RGBA")
        for k in range(4):  # light shafts
            x = (k * 0.3 + 0.1 + 0.03 * math.sin(t + k)) * width
            draw.polygon(
                [(x, 0), (x + width * 0.08, 0), (x + width * 0.18, floor), (x + width * 0.1, floor)],
                fill=(255, 255, 255, 28),
            )
        draw.rectangle([0, floor, width, height], fill=sand, outline=OUTLINE, width=stroke)
        for wx, wh, color in weeds:
            points = [
                (wx + math.sin(t * 1.3 + wx + s * 3) * wh * 0.15 * s, floor - wh * s) for s in np.linspace(0, 1, 7)
            ]
            draw.line(points, fill=OUTLINE, width=stroke * 4)
            draw.line(points, fill=color, width=stroke * 2)
        for f in fish:
            travel = (f["x"] + f["v"] * t) % (width + 4 * f["size"]) - 2 * f["size"]
            x, y, s = travel, f["y"] + math.sin(t * 2 + f["wobble"]) * f["size"] * 0.25, f["size"]
            d = 1 if f["v"] > 0 else -1
            tail = math.sin(t * 10 + f["wobble"]) * s * 0.3
            draw.polygon(
                [(x - d * s * 0.8, y), (x - d * s * 1.5, y - s * 0.5 + tail), (x - d * s * 1.5, y + s * 0.5 + tail)],
                fill=shade(f["color"], 0.8),
                outline=OUTLINE,
                width=stroke,
            )
            draw.ellipse([x - s, y - s * 0.6, x + s, y + s * 0.6], fill=f["color"], outline=OUTLINE, width=stroke)
            ex = x + d * s * 0.5
            draw.ellipse(
                [ex - s * 0.18, y - s * 0.3, ex + s * 0.18, y + s * 0.06],
                fill=(255, 255, 255),
                outline=OUTLINE,
                width=stroke,
            )
            draw.ellipse(
                [ex + d * s * 0.04 - s * 0.07, y - s * 0.18, ex + d * s * 0.04 + s * 0.07, y - s * 0.04], fill=OUTLINE
            )
        for bx, speed, size in bubbles:
            y = floor - ((t * (0.1 + 0.2 * speed) + bx) % 1.0) * floor
            x = bx * width + math.sin(t * 3 + speed * 6) * width * 0.01
            r = 2 + size * width * 0.012
            draw.ellipse(
                [x - r, y - r, x + r, y + r],
                fill=(255, 255, 255, 70),
                outline=(255, 255, 255),
                width=max(1, stroke // 2),
            )
        yield image


def render_cartoon(
    rng: np.random.Generator, width: int, height: int, fps: int, num_frames: int
) -> Iterator[np.ndarray]:
    """A short cartoon scene (meadow or underwater), drawn at 2x and box-filtered to size."""
    scene = _meadow if rng.random() < 0.5 else _sea
    for image in scene(rng, width * 2, height * 2, fps, num_frames):
        yield np.asarray(image.reduce(2))
