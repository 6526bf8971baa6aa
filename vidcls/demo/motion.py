"""Animation clips of motion graphics (docs/classes.md ``motion-graphics``), drawn procedurally.

Designed animation of flat-colour vector shapes, text and icons on a flat background, the look of
explainer, title and UI animations: shapes that enter, move, scale and rotate with easing (ease-out
with overshoot), kinetic typography, loaders, infographic bars that grow, and an icon that morphs
between a circle and a rounded square. Each clip is one to three such scenes with a wipe or a cut
between them, drawn at twice the size and reduced (anti-aliased edges, as a vector renderer draws).
A few flat colours per clip, no texture, no noise: what tells motion graphics from a screen
recording is that everything moves smoothly all the time.

Nothing here comes from a file: the dev set's motion graphics (Lottie files from npm and PyPI,
vidcls/devset/sources.py) are never used.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator

import numpy as np
from PIL import Image, ImageDraw

from vidcls.demo.drawing import WORDS, font, hsv_to_rgb

Color = tuple[int, int, int]
Scene = Callable[[ImageDraw.ImageDraw, float, int, int], None]

#: Backgrounds: white and off-white (most explainers), or a flat dark or saturated colour.
_LIGHT_BACKGROUNDS: tuple[Color, ...] = ((255, 255, 255), (248, 247, 242), (240, 244, 250), (250, 240, 230))
_SUPERSAMPLE = 2


def ease_out_back(x: float, overshoot: float = 1.7) -> float:
    """Ease-out with a small overshoot, the default "pop" of motion-design tools."""
    x = min(1.0, max(0.0, x)) - 1.0
    return 1.0 + (overshoot + 1.0) * x**3 + overshoot * x**2


def ease_in_out_cubic(x: float) -> float:
    """Slow in, slow out."""
    x = min(1.0, max(0.0, x))
    return 4 * x**3 if x < 0.5 else 1 - (-2 * x + 2) ** 3 / 2


def palette(rng: np.random.Generator) -> tuple[Color, list[Color]]:
    """A background and 3-5 flat accent colours of one scheme (analogous or spread hues)."""
    base = float(rng.uniform(0, 1))
    count = int(rng.integers(3, 6))
    spread = float(rng.choice([0.08, 0.2, 1.0 / count]))
    saturation, value = float(rng.uniform(0.55, 0.85)), float(rng.uniform(0.75, 0.95))
    accents = [hsv_to_rgb((base + k * spread) % 1.0, saturation, value) for k in range(count)]
    style = rng.random()
    if style < 0.6:
        background = _LIGHT_BACKGROUNDS[int(rng.integers(len(_LIGHT_BACKGROUNDS)))]
    elif style < 0.8:
        background = hsv_to_rgb((base + 0.5) % 1.0, float(rng.uniform(0.2, 0.5)), float(rng.uniform(0.12, 0.25)))
    else:
        background = hsv_to_rgb((base + 0.5) % 1.0, float(rng.uniform(0.3, 0.6)), float(rng.uniform(0.85, 0.97)))
    return background, accents


def _polygon(cx: float, cy: float, radius: float, sides: int, angle: float, star: bool = False) -> list[tuple]:
    points = []
    count = sides * 2 if star else sides
    for k in range(count):
        r = radius * (0.45 if star and k % 2 else 1.0)
        a = angle + 2 * math.pi * k / count
        points.append((cx + r * math.cos(a), cy + r * math.sin(a)))
    return points


def _shape(draw: ImageDraw.ImageDraw, kind: str, cx: float, cy: float, size: float, angle: float, fill: Color) -> None:
    if size <= 0.5:
        return
    if kind == "circle":
        draw.ellipse((cx - size, cy - size, cx + size, cy + size), fill=fill)
    elif kind == "ring":
        draw.ellipse((cx - size, cy - size, cx + size, cy + size), outline=fill, width=max(2, round(size * 0.25)))
    elif kind == "square":
        draw.polygon(_polygon(cx, cy, size * 1.2, 4, angle + math.pi / 4), fill=fill)
    elif kind == "triangle":
        draw.polygon(_polygon(cx, cy, size * 1.2, 3, angle - math.pi / 2), fill=fill)
    elif kind == "star":
        draw.polygon(_polygon(cx, cy, size * 1.3, 5, angle - math.pi / 2, star=True), fill=fill)
    else:  # pill
        draw.rounded_rectangle(
            (cx - size * 1.6, cy - size * 0.6, cx + size * 1.6, cy + size * 0.6), size * 0.6, fill=fill
        )


def _shapes_scene(rng: np.random.Generator, width: int, height: int, accents: list[Color], seconds: float) -> Scene:
    """Shapes pop in one after another, travel along eased paths, spin and pulse, then leave."""
    count = int(rng.integers(3, 9))
    kinds = ("circle", "ring", "square", "triangle", "star", "pill")
    items = []
    for k in range(count):
        items.append(
            {
                "kind": kinds[int(rng.integers(len(kinds)))],
                "color": accents[k % len(accents)],
                "start": (rng.uniform(0.1, 0.9) * width, rng.uniform(0.15, 0.85) * height),
                "end": (rng.uniform(0.1, 0.9) * width, rng.uniform(0.15, 0.85) * height),
                "size": rng.uniform(0.05, 0.16) * min(width, height),
                "delay": k * rng.uniform(0.08, 0.25),
                "spin": rng.uniform(-2.5, 2.5),
                "pulse": rng.uniform(0.0, 0.25),
            }
        )

    def draw_scene(draw: ImageDraw.ImageDraw, t: float, w: int, h: int) -> None:
        for item in items:
            local = (t - item["delay"]) / max(0.3, seconds - item["delay"])
            if local <= 0:
                continue
            grow = ease_out_back(local * 4.0)
            move = ease_in_out_cubic(local * 1.3 - 0.2)
            (x0, y0), (x1, y1) = item["start"], item["end"]
            size = item["size"] * grow * (1.0 + item["pulse"] * math.sin(2 * math.pi * 1.5 * t))
            angle = item["spin"] * t
            _shape(draw, item["kind"], x0 + (x1 - x0) * move, y0 + (y1 - y0) * move, size, angle, item["color"])

    return draw_scene


def _title_scene(rng: np.random.Generator, width: int, height: int, accents: list[Color], seconds: float) -> Scene:
    """Kinetic typography: words slide or scale in one by one over a growing colour bar."""
    word_count = int(rng.integers(1, 4))
    words = [str(WORDS[int(i)]).upper() for i in rng.integers(0, 60, size=word_count)]
    size = int(rng.uniform(0.12, 0.22) * height)
    entrance = str(rng.choice(["slide", "scale", "rise"]))
    bar_color, text_colors = accents[0], accents[1:] or accents
    y_top = height * rng.uniform(0.3, 0.45)

    def draw_scene(draw: ImageDraw.ImageDraw, t: float, w: int, h: int) -> None:
        bar = ease_in_out_cubic(t / 0.6)
        draw.rectangle((w * 0.1, y_top - size * 0.4, w * 0.1 + bar * w * 0.8, y_top - size * 0.25), fill=bar_color)
        for k, word in enumerate(words):
            local = (t - 0.25 - 0.35 * k) / 0.5
            if local <= 0:
                continue
            p = ease_out_back(local)
            y = y_top + k * size * 1.2 + size * 0.5
            x = w / 2
            scale = 1.0
            if entrance == "slide":
                x = w / 2 + (1.0 - p) * w * 0.6
            elif entrance == "rise":
                y += (1.0 - p) * size * 1.5
            else:
                scale = max(0.05, p)
            face = font(max(4, round(size * scale)))
            draw.text((x, y), word, font=face, fill=text_colors[k % len(text_colors)], anchor="mm")

    return draw_scene


def _loader_scene(rng: np.random.Generator, width: int, height: int, accents: list[Color], seconds: float) -> Scene:
    """A loader: a spinning arc, bouncing dots or a filling progress ring."""
    style = str(rng.choice(["arc", "dots", "ring"]))
    radius = rng.uniform(0.12, 0.22) * min(width, height)
    speed = rng.uniform(0.6, 1.6)

    def draw_scene(draw: ImageDraw.ImageDraw, t: float, w: int, h: int) -> None:
        cx, cy = w / 2, h / 2
        box = (cx - radius, cy - radius, cx + radius, cy + radius)
        if style == "arc":
            start = 360 * speed * t
            sweep = 60 + 200 * (0.5 + 0.5 * math.sin(2 * math.pi * speed * t))
            draw.arc(box, start, start + sweep, fill=accents[0], width=max(3, round(radius * 0.22)))
        elif style == "dots":
            for k in range(len(accents)):
                phase = 2 * math.pi * (speed * t - k * 0.15)
                x = cx + (k - (len(accents) - 1) / 2) * radius * 0.7
                y = cy - abs(math.sin(phase)) * radius * 0.6
                r = radius * 0.16
                draw.ellipse((x - r, y - r, x + r, y + r), fill=accents[k])
        else:
            done = ease_in_out_cubic(t / max(0.5, seconds * 0.9))
            draw.arc(box, 0, 360, fill=accents[-1], width=max(3, round(radius * 0.15)))
            draw.arc(box, -90, -90 + 360 * done, fill=accents[0], width=max(3, round(radius * 0.15)))
            draw.text(
                (cx, cy), f"{round(100 * done)}%", font=font(max(6, round(radius * 0.5))), fill=accents[0], anchor="mm"
            )

    return draw_scene


def _bars_scene(rng: np.random.Generator, width: int, height: int, accents: list[Color], seconds: float) -> Scene:
    """An infographic: bars grow one after another with a counter, or a pie fills wedge by wedge."""
    values = rng.uniform(0.2, 1.0, size=int(rng.integers(3, 7)))
    pie = bool(rng.random() < 0.35)

    def draw_scene(draw: ImageDraw.ImageDraw, t: float, w: int, h: int) -> None:
        if pie:
            radius = 0.3 * min(w, h)
            box = (w / 2 - radius, h / 2 - radius, w / 2 + radius, h / 2 + radius)
            shares = values / values.sum() * 360
            start = -90.0
            for k, share in enumerate(shares):
                grow = ease_in_out_cubic((t - 0.25 * k) / 0.5)
                if grow > 0:
                    draw.pieslice(box, start, start + share * grow, fill=accents[k % len(accents)])
                start += share
            return
        slot = w * 0.8 / len(values)
        base = h * 0.85
        for k, value in enumerate(values):
            grow = ease_out_back((t - 0.2 * k) / 0.7, 1.2)
            if grow <= 0:
                continue
            left = w * 0.1 + k * slot + slot * 0.15
            top = base - value * h * 0.6 * grow
            draw.rectangle((left, top, left + slot * 0.7, base), fill=accents[k % len(accents)])
            label = f"{round(100 * value * min(1.0, grow))}"
            draw.text(
                (left + slot * 0.35, top - 4), label, font=font(max(6, round(slot * 0.3))), fill=accents[0], anchor="mb"
            )
        draw.line((w * 0.08, base, w * 0.92, base), fill=accents[-1], width=2)

    return draw_scene


def _morph_scene(rng: np.random.Generator, width: int, height: int, accents: list[Color], seconds: float) -> Scene:
    """An icon morphs between a circle and a rounded square while dots orbit it and colours cycle."""
    size = rng.uniform(0.15, 0.25) * min(width, height)
    orbiters = int(rng.integers(0, 5))
    period = rng.uniform(1.0, 2.2)

    def draw_scene(draw: ImageDraw.ImageDraw, t: float, w: int, h: int) -> None:
        cx, cy = w / 2, h / 2
        phase = 0.5 - 0.5 * math.cos(2 * math.pi * t / period)
        s = size * (0.85 + 0.3 * ease_in_out_cubic(phase))
        colour = accents[int(t / period) % len(accents)]
        draw.rounded_rectangle((cx - s, cy - s, cx + s, cy + s), radius=s * (1.0 - 0.7 * phase), fill=colour)
        for k in range(orbiters):
            a = 2 * math.pi * (t / period + k / max(1, orbiters))
            x, y = cx + math.cos(a) * s * 1.8, cy + math.sin(a) * s * 1.8
            r = s * 0.15
            draw.ellipse((x - r, y - r, x + r, y + r), fill=accents[(k + 1) % len(accents)])

    return draw_scene


_SCENES = (_shapes_scene, _title_scene, _loader_scene, _bars_scene, _morph_scene)


def render_motion_graphics(
    rng: np.random.Generator, width: int, height: int, fps: int, num_frames: int
) -> Iterator[np.ndarray]:
    """One to three motion-graphics scenes with a wipe, slide or cut between them."""
    background, accents = palette(rng)
    duration = num_frames / fps
    scene_count = int(rng.integers(1, 4))
    bounds = np.sort(rng.uniform(0.25, 0.75, size=scene_count - 1)) * duration
    starts = np.concatenate([[0.0], bounds])
    ends = np.concatenate([bounds, [duration]])
    big_w, big_h = width * _SUPERSAMPLE, height * _SUPERSAMPLE
    scenes: list[list[Scene]] = []
    for start, end in zip(starts, ends, strict=True):
        seconds = float(end - start)
        layers = [_SCENES[int(rng.integers(len(_SCENES)))](rng, big_w, big_h, accents, seconds)]
        if rng.random() < 0.6:  # decorative shapes moving behind the main element, as explainers have
            layers.insert(0, _shapes_scene(rng, big_w, big_h, accents, seconds))
        scenes.append(layers)
    transition = str(rng.choice(["wipe", "slide", "cut"]))
    push = float(rng.uniform(0.02, 0.06))
    wipe_s = 0.4

    def picture(index: int, t: float) -> Image.Image:
        image = Image.new("RGB", (big_w, big_h), background)
        draw = ImageDraw.Draw(image)
        for layer in scenes[index]:
            layer(draw, t - float(starts[index]), big_w, big_h)
        return image

    for i in range(num_frames):
        t = i / fps
        index = int(np.searchsorted(ends, t, side="right"))
        index = min(index, scene_count - 1)
        image = picture(index, t)
        since = t - float(starts[index])
        if index > 0 and transition != "cut" and since < wipe_s:
            previous = picture(index - 1, t)
            edge = round(ease_in_out_cubic(since / wipe_s) * big_w)
            if transition == "wipe":
                previous.paste(image.crop((0, 0, edge, big_h)), (0, 0))
                image = previous
            else:
                slid = Image.new("RGB", (big_w, big_h), background)
                slid.paste(previous, (-edge, 0))
                slid.paste(image, (big_w - edge, 0))
                image = slid
        # A slow push-in over the clip, as motion designers keep a composition alive between moves.
        inset = push * i / max(1, num_frames - 1)
        box = (inset * big_w, inset * big_h, (1 - inset) * big_w, (1 - inset) * big_h)
        yield np.asarray(image.resize((width, height), Image.Resampling.BOX, box=box))
