"""Animation clips in the look of math explainer videos (docs/classes.md ``motion-graphics``), drawn procedurally.

Real motion graphics include the programmatic math animations of explainer channels and lecture tools:
thin bright strokes on a black (sometimes white) canvas, a number plane whose grid bends under a
linear map, a function's curve traced from left to right with a dot riding it, a network whose nodes
glide to a new layout, a field of arrows coloured by magnitude with a particle orbiting in it, and
text and outlines "written" stroke by stroke before they fill. :mod:`vidcls.demo.motion`'s flat-colour
explainers never looked like this, and real video showed the quickstart calling such clips Gaming
(bright marks on black) or Natural_Content (dense streaks).

Nothing here comes from a file or a math-animation library: the dev set's manim scenes
(vidcls/devset/sources.py) are never used. Scenes are drawn at twice the size and reduced
(anti-aliased strokes), and the clip is put together by :func:`vidcls.demo.motion.compose_scenes`.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np
from PIL import ImageDraw

from vidcls.demo.drawing import WORDS, font, hsv_to_rgb
from vidcls.demo.motion import Color, Scene, compose_scenes, ease_in_out_cubic

#: Canvas colours: black most often (the tools' default), a near-black blue, or white (a light theme).
_DARK_BACKGROUNDS: tuple[Color, ...] = ((0, 0, 0), (0, 0, 0), (14, 17, 23), (20, 20, 28))
_WHITE: Color = (255, 255, 255)


def math_palette(rng: np.random.Generator) -> tuple[Color, list[Color], Color]:
    """A canvas, 4 bright pastel stroke colours spread round the hue circle, and the text colour."""
    base = float(rng.uniform(0, 1))
    strokes = [hsv_to_rgb((base + k / 4 + rng.uniform(-0.04, 0.04)) % 1.0, 0.55, 0.95) for k in range(4)]
    if rng.random() < 0.8:
        return _DARK_BACKGROUNDS[int(rng.integers(len(_DARK_BACKGROUNDS)))], strokes, (235, 235, 235)
    return _WHITE, [tuple(round(c * 0.75) for c in s) for s in strokes], (30, 30, 30)  # type: ignore[misc]


def _stroke(scale: int) -> int:
    """A thin stroke (about 1-2 px once reduced)."""
    return max(1, round(scale * 1.5))


def _partial_polyline(draw: ImageDraw.ImageDraw, points: np.ndarray, share: float, color: Color, width: int) -> None:
    """The first ``share`` of a polyline, the way a stroke is drawn on ("created") over time."""
    if share <= 0 or len(points) < 2:
        return
    seg = np.hypot(*np.diff(points, axis=0).T)
    cum = np.concatenate([[0.0], np.cumsum(seg)])
    stop = min(1.0, share) * cum[-1]
    keep = int(np.searchsorted(cum, stop, side="right"))
    drawn = [tuple(p) for p in points[:keep]]
    if keep < len(points) and seg[keep - 1] > 0:
        frac = (stop - cum[keep - 1]) / seg[keep - 1]
        drawn.append(tuple(points[keep - 1] + frac * (points[keep] - points[keep - 1])))
    if len(drawn) >= 2:
        draw.line(drawn, fill=color, width=width, joint="curve")


def _plane_scene(rng: np.random.Generator, width: int, height: int, colors: list[Color], text: Color,
                 seconds: float) -> Scene:  # fmt: skip
    """A number plane whose grid is carried by a linear map from the identity to a random matrix."""
    target = np.array([[1, 0], [0, 1]]) + rng.uniform(-1.0, 1.0, size=(2, 2))
    if rng.random() < 0.4:  # a rotation with a scale, the other common demonstration
        angle, scale = rng.uniform(-1.5, 1.5), rng.uniform(0.7, 1.4)
        target = scale * np.array([[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]])
    unit = min(width, height) / rng.uniform(5, 9)
    grid, axis = colors[0], text
    label = str(WORDS[int(rng.integers(len(WORDS)))]).capitalize() if rng.random() < 0.5 else ""
    basis = rng.random() < 0.6
    scale = width // 320 or 1

    def draw_scene(draw: ImageDraw.ImageDraw, t: float, w: int, h: int) -> None:
        p = ease_in_out_cubic((t - 0.3) / max(0.6, seconds - 0.8))
        m = np.eye(2) + p * (target - np.eye(2))
        cx, cy = w / 2, h / 2
        reach = int(max(w, h) / unit) + 4

        def to_screen(x: float, y: float) -> tuple[float, float]:
            vx, vy = m @ np.array([x, y])
            return cx + vx * unit, cy - vy * unit

        for k in range(-reach, reach + 1):
            color, lw = (axis, _stroke(scale) + 1) if k == 0 else (grid, _stroke(scale))
            draw.line([to_screen(k, -reach), to_screen(k, reach)], fill=color, width=lw)
            draw.line([to_screen(-reach, k), to_screen(reach, k)], fill=color, width=lw)
        if basis:
            for (x, y), color in (((1, 0), colors[2]), ((0, 1), colors[3])):
                tip = to_screen(x, y)
                draw.line([(cx, cy), tip], fill=color, width=_stroke(scale) * 3)
                r = 4 * scale
                draw.ellipse((tip[0] - r, tip[1] - r, tip[0] + r, tip[1] + r), fill=color)
        if label:
            draw.text((w * 0.5, h * 0.12), label, font=font(round(h * 0.08)), fill=text, anchor="mm")

    return draw_scene


_FUNCTIONS = (
    lambda x, a: np.sin(a * x),
    lambda x, a: 0.3 * x**2 - 1.5,
    lambda x, a: 2.5 * np.exp(-(x**2) / max(0.3, a)) - 0.5,
    lambda x, a: 0.08 * x**3 - 0.5 * x,
    lambda x, a: np.cos(a * x) * np.exp(-0.1 * x**2) * 2,
)


def _plot_scene(rng: np.random.Generator, width: int, height: int, colors: list[Color], text: Color,
                seconds: float) -> Scene:  # fmt: skip
    """Axes with ticks, a curve traced left to right, a dot riding it with its tangent, and a label."""
    f_index = int(rng.integers(len(_FUNCTIONS)))
    a = float(rng.uniform(0.6, 2.0))
    x_range = float(rng.uniform(4, 7))
    xs = np.linspace(-x_range, x_range, 200)
    ys = _FUNCTIONS[f_index](xs, a)
    curve_color, dot_color = colors[int(rng.integers(4))], colors[int(rng.integers(4))]
    tangent = rng.random() < 0.5
    area = rng.random() < 0.3
    label = f"f(x)  {WORDS[int(rng.integers(len(WORDS)))]}"
    scale = width // 320 or 1

    def draw_scene(draw: ImageDraw.ImageDraw, t: float, w: int, h: int) -> None:
        left, right, top, bottom = w * 0.08, w * 0.92, h * 0.12, h * 0.9
        sx = (right - left) / (2 * x_range)
        sy = (bottom - top) / 7.0
        ox, oy = (left + right) / 2, (top + bottom) / 2
        axes_in = ease_in_out_cubic(t / 0.6)
        line = _stroke(scale)
        draw.line([(ox - (ox - left) * axes_in, oy), (ox + (right - ox) * axes_in, oy)], fill=text, width=line)
        draw.line([(ox, oy + (bottom - oy) * axes_in), (ox, oy - (oy - top) * axes_in)], fill=text, width=line)
        for k in range(-int(x_range), int(x_range) + 1):
            if axes_in >= 1 and k:
                x = ox + k * sx
                draw.line([(x, oy - 4 * scale), (x, oy + 4 * scale)], fill=text, width=_stroke(scale))
        pts = np.stack([ox + xs * sx, np.clip(oy - ys * sy, top, bottom)], axis=1)
        share = ease_in_out_cubic((t - 0.5) / max(0.8, seconds * 0.6))
        if area and share > 0:
            n = max(2, int(share * len(pts)))
            dim = tuple(round(c * 0.35) for c in curve_color)
            draw.polygon([(pts[0][0], oy), *[tuple(p) for p in pts[:n]], (pts[n - 1][0], oy)], fill=dim)
        _partial_polyline(draw, pts, share, curve_color, _stroke(scale) * 2)
        if share > 0.05:
            i = min(len(pts) - 2, int(share * (len(pts) - 1)))
            x, y = pts[i]
            if tangent:
                dx, dy = pts[i + 1] - pts[i]
                norm = math.hypot(dx, dy) or 1.0
                half = w * 0.08
                draw.line([(x - dx / norm * half, y - dy / norm * half), (x + dx / norm * half, y + dy / norm * half)],
                          fill=dot_color, width=_stroke(scale))  # fmt: skip
            r = 5 * scale
            draw.ellipse((x - r, y - r, x + r, y + r), fill=dot_color)
        if t > 0.8:
            draw.text((right, top), label, font=font(round(h * 0.06)), fill=curve_color, anchor="rt")

    return draw_scene


def _network_scene(rng: np.random.Generator, width: int, height: int, colors: list[Color], text: Color,
                   seconds: float) -> Scene:  # fmt: skip
    """Nodes and edges appear, then the nodes glide from a scattered layout to a circle (or back)."""
    count = int(rng.integers(6, 16))
    scattered = rng.uniform([0.2, 0.15], [0.8, 0.85], size=(count, 2))
    angles = 2 * math.pi * np.arange(count) / count + rng.uniform(0, 2 * math.pi)
    circle = 0.5 + np.stack([np.cos(angles) * 0.3 * height / width, np.sin(angles) * 0.35], axis=1)
    start, end = (scattered, circle) if rng.random() < 0.6 else (circle, scattered)
    pairs = [(i, j) for i in range(count) for j in range(i + 1, count) if rng.random() < 3.0 / count]
    edge_color = text if rng.random() < 0.6 else colors[0]
    node_color = text if rng.random() < 0.5 else colors[1]
    scale = width // 320 or 1

    def draw_scene(draw: ImageDraw.ImageDraw, t: float, w: int, h: int) -> None:
        p = ease_in_out_cubic((t - seconds * 0.45) / max(0.6, seconds * 0.45))
        pos = (start + p * (end - start)) * np.array([w, h])
        grow = ease_in_out_cubic(t / max(0.5, seconds * 0.35))
        for k, (i, j) in enumerate(pairs):
            share = grow * len(pairs) - k
            if share > 0:
                _partial_polyline(draw, pos[[i, j]], share, edge_color, _stroke(scale))
        r = 4 * scale
        for k, (x, y) in enumerate(pos):
            if grow * count > k:
                draw.ellipse((x - r, y - r, x + r, y + r), fill=node_color)

    return draw_scene


def _field_scene(rng: np.random.Generator, width: int, height: int, colors: list[Color], text: Color,
                 seconds: float) -> Scene:  # fmt: skip
    """A field of arrows coloured by magnitude (blue slow, red fast), with an orbit and a particle in it."""
    spacing = min(width, height) / rng.uniform(9, 14)
    swirl, source, drift = rng.uniform(-1, 1), rng.uniform(-0.6, 0.6), rng.uniform(0.2, 1.0)
    orbit = rng.random() < 0.6
    rx, ry, tilt = rng.uniform(0.15, 0.3) * width, rng.uniform(0.12, 0.25) * height, rng.uniform(0, math.pi)
    orbit_color = colors[int(rng.integers(4))]
    scale = width // 320 or 1

    def field(x: np.ndarray, y: np.ndarray, t: float) -> tuple[np.ndarray, np.ndarray]:
        return (-swirl * y + source * x + 0.5 * np.sin(y * 2 + drift * t),
                swirl * x + source * y + 0.5 * np.cos(x * 2 - drift * t))  # fmt: skip

    def draw_scene(draw: ImageDraw.ImageDraw, t: float, w: int, h: int) -> None:
        gx, gy = np.meshgrid(np.arange(spacing / 2, w, spacing), np.arange(spacing / 2, h, spacing))
        ux, uy = field((gx - w / 2) / (w / 2), (gy - h / 2) / (h / 2), t)
        mag = np.hypot(ux, uy)
        top = max(float(mag.max()), 1e-6)
        length = spacing * 0.8 * np.clip(mag / top, 0.25, 1.0)
        for x, y, vx, vy, m, ln in zip(gx.ravel(), gy.ravel(), ux.ravel(), uy.ravel(), mag.ravel(), length.ravel(),
                                       strict=True):  # fmt: skip
            if m < 1e-6:
                continue
            color = hsv_to_rgb(0.62 * (1 - min(1.0, m / top)), 0.7, 0.95)  # blue (slow) to red (fast)
            dx, dy = vx / m * ln / 2, -vy / m * ln / 2
            draw.line([(x - dx, y - dy), (x + dx, y + dy)], fill=color, width=_stroke(scale))
            head = 0.35
            draw.line([(x + dx, y + dy), (x + dx - head * (dx - dy * 0.6), y + dy - head * (dy + dx * 0.6))],
                      fill=color, width=_stroke(scale))  # fmt: skip
        if orbit:
            s = np.linspace(0, 2 * math.pi, 120)
            px = w / 2 + rx * np.cos(s) * math.cos(tilt) - ry * np.sin(s) * math.sin(tilt)
            py = h / 2 + rx * np.cos(s) * math.sin(tilt) + ry * np.sin(s) * math.cos(tilt)
            pts = np.stack([px, py], axis=1)
            traced = ease_in_out_cubic(t / max(0.8, seconds * 0.5))
            _partial_polyline(draw, pts, traced, orbit_color, _stroke(scale) * 2)
            k = int((t * 0.4 % 1.0) * (len(pts) - 1))
            r = 5 * scale
            draw.ellipse((pts[k][0] - r, pts[k][1] - r, pts[k][0] + r, pts[k][1] + r), fill=text)

    return draw_scene


def _shape_points(kind: str, cx: float, cy: float, size: float, count: int = 96) -> np.ndarray:
    """``count`` points round a circle, square or triangle outline, so any two shapes can morph point by point."""
    s = np.linspace(0, 1, count, endpoint=False)
    if kind == "circle":
        a = 2 * math.pi * s - math.pi / 2
        return np.stack([cx + size * np.cos(a), cy + size * np.sin(a)], axis=1)
    corners = 4 if kind == "square" else 3
    angles = [2 * math.pi * k / corners - math.pi / 2 - (math.pi / 4 if corners == 4 else 0) for k in range(corners)]
    verts = np.array([(cx + size * math.cos(a), cy + size * math.sin(a)) for a in angles + angles[:1]])
    pos = s * corners
    k = pos.astype(int)
    frac = (pos - k)[:, None]
    return verts[k] + frac * (verts[k + 1] - verts[k])


def _write_scene(rng: np.random.Generator, width: int, height: int, colors: list[Color], text: Color,
                 seconds: float) -> Scene:  # fmt: skip
    """A title written letter by letter, outlines drawn on then filled, and one shape morphing into another."""
    words = " ".join(str(WORDS[int(i)]) for i in rng.integers(0, len(WORDS), size=int(rng.integers(1, 4))))
    kinds = ["circle", "square", "triangle"]
    count = int(rng.integers(1, 4))
    shapes = [(kinds[int(rng.integers(3))], kinds[int(rng.integers(3))], colors[k % 4]) for k in range(count)]
    size = min(width, height) * rng.uniform(0.08, 0.14)
    title_size = round(height * rng.uniform(0.07, 0.11))
    scale = width // 320 or 1

    def draw_scene(draw: ImageDraw.ImageDraw, t: float, w: int, h: int) -> None:
        written = words[: int(len(words) * min(1.0, t / max(0.5, seconds * 0.3)))]
        if written:
            draw.text((w / 2, h * 0.2), written, font=font(title_size), fill=text, anchor="mm")
        for k, (first, second, color) in enumerate(shapes):
            cx = w * (k + 1) / (count + 1)
            local = t - 0.3 - 0.25 * k
            morph = ease_in_out_cubic((local - seconds * 0.5) / max(0.5, seconds * 0.3))
            pts = _shape_points(first, cx, h * 0.6, size)
            pts = pts + morph * (_shape_points(second, cx, h * 0.6, size) - pts)
            outline = local / max(0.4, seconds * 0.25)
            if outline >= 1.0:
                fill = ease_in_out_cubic((outline - 1.0) * 2)
                draw.polygon([tuple(p) for p in pts], fill=tuple(round(c * 0.5 * fill) for c in color))
            closed = np.concatenate([pts, pts[:1]])
            _partial_polyline(draw, closed, outline, color, _stroke(scale) * 2)

    return draw_scene


_MATH_SCENES = (_plane_scene, _plot_scene, _network_scene, _field_scene, _write_scene)


def render_math_animation(
    rng: np.random.Generator, width: int, height: int, fps: int, num_frames: int
) -> Iterator[np.ndarray]:
    """One or two math-explainer scenes on one canvas, with a cut or a fade between them."""
    background, colors, text = math_palette(rng)
    scene_count = int(rng.integers(1, 3))

    def make_scene(w: int, h: int, seconds: float) -> list[Scene]:
        kind = _MATH_SCENES[int(rng.integers(len(_MATH_SCENES)))]
        return [kind(rng, w, h, colors, text, seconds)]

    yield from compose_scenes(rng, width, height, fps, num_frames, background, scene_count, make_scene,
                              transitions=("fade", "cut"), push_range=(0.0, 0.03))  # fmt: skip
