"""Flat_Content renderer: a desktop screen recording of someone using a settings-style application.

A top bar with a clock, an application window (light or dark theme) with a header bar, a sidebar
and one of three panels: a display-arrangement panel whose monitor tiles are dragged about, a list
of switches that slide when clicked and a drop-down menu that opens, or a form where text is typed.
A mouse pointer glides between targets, the way people move it; between actions the screen is
still. Unlike slides and documents, parts of this screen move smoothly for whole seconds (a tile
being dragged, a switch sliding, a window sliding in), which real UI recordings show too.

Drawn at twice the frame size and reduced, as a screen capture of a larger display is.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
from PIL import Image, ImageDraw

from vidcls.demo.drawing import ease_in_out, font, hsv_to_rgb, sentence, words

Color = tuple[int, int, int]
SCALE = 2


@dataclass
class _Theme:
    dark: bool
    accent: Color
    window: Color = field(init=False)
    sidebar: Color = field(init=False)
    text: Color = field(init=False)
    muted: Color = field(init=False)
    line: Color = field(init=False)

    def __post_init__(self) -> None:
        if self.dark:
            self.window, self.sidebar, self.text, self.muted, self.line = (
                (36, 36, 38), (48, 48, 50), (235, 235, 235), (150, 150, 155), (70, 70, 74)
            )  # fmt: skip
        else:
            self.window, self.sidebar, self.text, self.muted, self.line = (
                (250, 250, 250), (235, 235, 237), (30, 30, 32), (110, 110, 115), (210, 210, 214)
            )  # fmt: skip


def _pointer(draw: ImageDraw.ImageDraw, x: float, y: float) -> None:
    points = [(0, 0), (0, 26), (6, 20), (12, 32), (16, 30), (10, 18), (18, 18)]
    draw.polygon([(x + px, y + py) for px, py in points], fill=(255, 255, 255), outline=(0, 0, 0))


def _switch(draw: ImageDraw.ImageDraw, x: float, y: float, on: float, theme: _Theme) -> None:
    """A toggle; ``on`` in [0, 1] slides the knob (mid-values are the animation)."""
    track = tuple(round(a * on + b * (1 - on)) for a, b in zip(theme.accent, theme.line, strict=True))
    draw.rounded_rectangle([x, y, x + 48, y + 26], radius=13, fill=track)
    knob_x = x + 3 + 22 * on
    draw.ellipse([knob_x, y + 3, knob_x + 20, y + 23], fill=(255, 255, 255))


class _Desktop:
    """State of the recorded screen and how to draw one frame of it."""

    def __init__(self, rng: np.random.Generator, width: int, height: int) -> None:
        self.w, self.h = width * SCALE, height * SCALE
        self.theme = _Theme(
            bool(rng.random() < 0.5), hsv_to_rgb(float(rng.choice([0.58, 0.6, 0.08, 0.35, 0.8])), 0.7, 0.85)
        )
        top, low = hsv_to_rgb(float(rng.uniform()), 0.5, 0.5), hsv_to_rgb(float(rng.uniform()), 0.6, 0.3)
        ramp = np.linspace(0, 1, self.h, dtype=np.float32)[:, None, None]
        self.wallpaper = Image.fromarray(
            (np.array(top) * (1 - ramp) + np.array(low) * ramp).repeat(self.w, axis=1).astype(np.uint8)
        )
        margin = int(rng.integers(0, 40))
        self.win = (margin, 36 + margin // 2, self.w - margin, self.h - margin // 2)
        self.title = sentence(rng, 1, 2)
        self.sidebar = [sentence(rng, 1, 2) for _ in range(int(rng.integers(6, 11)))]
        self.selected = int(rng.integers(len(self.sidebar)))
        self.panel = str(rng.choice(["displays", "switches", "form"]))
        self.monitors = [[0.0, 0.0, float(rng.uniform(150, 220)), float(rng.uniform(95, 130))] for _ in range(2)]
        self.monitors[1][0] = self.monitors[0][2] + 6
        self.rows = [(sentence(rng, 2, 4), float(rng.random() < 0.5)) for _ in range(int(rng.integers(4, 8)))]
        self.fields = [[sentence(rng, 1, 2), words(rng, 1, 3), ""] for _ in range(int(rng.integers(3, 5)))]
        self.menu: tuple[float, float, list[str], int] | None = None
        self.clock = (int(rng.integers(0, 24)), int(rng.integers(0, 60)))

    def content_box(self) -> tuple[int, int, int, int]:
        x0, y0, x1, y1 = self.win
        return x0 + 190, y0 + 46, x1, y1

    def targets(self, rng: np.random.Generator) -> tuple[str, int, float, float]:
        """The next thing the user does: (action, index, pointer x, pointer y)."""
        cx0, cy0, cx1, _cy1 = self.content_box()
        if rng.random() < 0.12:
            index = int(rng.integers(len(self.sidebar)))
            return "sidebar", index, self.win[0] + 40, self.win[1] + 66 + 34 * index
        if self.panel == "displays":
            index = int(rng.integers(2))
            mx, my, mw, mh = self.monitors[index]
            ox, oy = self._monitor_origin()
            return "drag", index, ox + mx + mw / 2, oy + my + mh / 2
        if self.panel == "switches":
            index = int(rng.integers(len(self.rows)))
            action = "menu" if rng.random() < 0.3 else "toggle"
            return action, index, cx1 - 70 if action == "toggle" else cx0 + 260, cy0 + 40 + 52 * index + 13
        index = int(rng.integers(len(self.fields)))
        return "type", index, cx0 + 200, cy0 + 50 + 70 * index + 20

    def _monitor_origin(self) -> tuple[float, float]:
        cx0, cy0, cx1, _cy1 = self.content_box()
        return (cx0 + cx1) / 2 - 200, cy0 + 60

    def draw(self, pointer: tuple[float, float], frame_index: int, fps: int) -> Image.Image:
        t = self.theme
        image = self.wallpaper.copy()
        draw = ImageDraw.Draw(image)
        draw.rectangle([0, 0, self.w, 28], fill=(20, 20, 20))  # top bar
        draw.text((12, 6), "Activities", font=font(16), fill=(240, 240, 240))
        minutes = self.clock[1] + frame_index // (60 * fps)
        draw.text(
            (self.w / 2, 6), f"{self.clock[0]:02d}:{minutes % 60:02d}", font=font(16), fill=(240, 240, 240), anchor="ma"
        )
        x0, y0, x1, y1 = self.win
        draw.rectangle([x0, y0, x1, y1], fill=t.window, outline=t.line)
        draw.rectangle([x0, y0, x1, y0 + 46], fill=t.sidebar)  # header bar
        draw.text(((x0 + x1) / 2, y0 + 14), self.title, font=font(18), fill=t.text, anchor="ma")
        for k in range(3):
            draw.ellipse([x1 - 30 - 28 * k, y0 + 14, x1 - 12 - 28 * k, y0 + 32], fill=t.line)
        draw.rectangle([x0, y0 + 46, x0 + 190, y1], fill=t.sidebar)
        for k, label in enumerate(self.sidebar):
            if k == self.selected:
                draw.rounded_rectangle([x0 + 6, y0 + 52 + 34 * k, x0 + 184, y0 + 82 + 34 * k], radius=6, fill=t.accent)
            color = (255, 255, 255) if k == self.selected else t.text
            draw.text((x0 + 16, y0 + 58 + 34 * k), label, font=font(16), fill=color)
        getattr(self, f"_draw_{self.panel}")(draw, frame_index, fps)
        if self.menu is not None:
            mx, my, items, hover = self.menu
            draw.rounded_rectangle(
                [mx, my, mx + 200, my + 12 + 30 * len(items)], radius=8, fill=t.window, outline=t.line
            )
            for k, item in enumerate(items):
                if k == hover:
                    draw.rectangle([mx + 4, my + 6 + 30 * k, mx + 196, my + 34 + 30 * k], fill=t.accent)
                draw.text((mx + 14, my + 10 + 30 * k), item, font=font(16), fill=t.text)
        _pointer(draw, *pointer)
        return image

    def _draw_displays(self, draw: ImageDraw.ImageDraw, frame_index: int, fps: int) -> None:
        cx0, cy0, cx1, cy1 = self.content_box()
        t = self.theme
        draw.rounded_rectangle([cx0 + 20, cy0 + 20, cx1 - 20, cy0 + 300], radius=10, fill=t.sidebar)
        ox, oy = self._monitor_origin()
        for k, (mx, my, mw, mh) in enumerate(self.monitors):
            box = [ox + mx, oy + my, ox + mx + mw, oy + my + mh]
            draw.rounded_rectangle(box, radius=6, fill=t.accent if k == 0 else (90, 120, 160), outline=(20, 20, 20))
            draw.text(
                ((box[0] + box[2]) / 2, (box[1] + box[3]) / 2),
                str(k + 1),
                font=font(28),
                fill=(255, 255, 255),
                anchor="mm",
            )
        for k, label in enumerate(("Orientation", "Resolution", "Refresh Rate", "Scale")):
            y = cy0 + 320 + 40 * k
            if y + 30 < cy1:
                draw.text((cx0 + 30, y), label, font=font(16), fill=t.text)
                draw.text((cx1 - 200, y), words(np.random.default_rng(k), 1, 2), font=font(16), fill=t.muted)

    def _draw_switches(self, draw: ImageDraw.ImageDraw, frame_index: int, fps: int) -> None:
        cx0, cy0, cx1, cy1 = self.content_box()
        for k, (label, on) in enumerate(self.rows):
            y = cy0 + 40 + 52 * k
            if y + 40 > cy1:
                break
            draw.line([cx0 + 20, y - 12, cx1 - 20, y - 12], fill=self.theme.line)
            draw.text((cx0 + 30, y + 4), label, font=font(16), fill=self.theme.text)
            _switch(draw, cx1 - 94, y, on, self.theme)

    def _draw_form(self, draw: ImageDraw.ImageDraw, frame_index: int, fps: int) -> None:
        cx0, cy0, cx1, cy1 = self.content_box()
        t = self.theme
        for k, (label, value, typed) in enumerate(self.fields):
            y = cy0 + 50 + 70 * k
            if y + 40 > cy1:
                break
            draw.text((cx0 + 30, y - 22), label, font=font(15), fill=t.muted)
            draw.rounded_rectangle([cx0 + 30, y, cx1 - 30, y + 38], radius=6, fill=t.sidebar, outline=t.line)
            draw.text((cx0 + 42, y + 10), value + typed, font=font(16), fill=t.text)
            if typed and (frame_index * 2 // fps) % 2 == 0:
                end = cx0 + 42 + font(16).getlength(value + typed)
                draw.line([end + 2, y + 8, end + 2, y + 30], fill=t.text, width=2)


def render_desktop(
    rng: np.random.Generator, width: int, height: int, fps: int, num_frames: int
) -> Iterator[np.ndarray]:
    """A desktop recording: the pointer glides to a control, acts on it (drag, toggle, menu, typing),
    then rests; the screen between actions is still."""
    scene = _Desktop(rng, width, height)
    pointer = (float(rng.uniform(0, scene.w)), float(rng.uniform(40, scene.h)))
    plan: list[tuple[str, object]] = []  # per-frame steps, refilled from the next action
    for i in range(num_frames):
        if not plan:
            action, index, tx, ty = scene.targets(rng)
            move = max(2, round(fps * rng.uniform(0.3, 0.9)))
            start = pointer
            plan += [("move", (start, (tx, ty), (k + 1) / move)) for k in range(move)]
            if action == "drag":  # a tile moves to a new place inside the arrangement area
                mx, my, mw, mh = scene.monitors[index]
                ox, oy = scene._monitor_origin()
                cx0, cy0, cx1, _ = scene.content_box()
                nx = float(rng.uniform(cx0 + 30 - ox, max(cx0 + 31 - ox, cx1 - 30 - ox - mw)))
                ny = float(rng.uniform(cy0 + 30 - oy, max(cy0 + 31 - oy, cy0 + 290 - oy - mh)))
                dx, dy = nx - mx, ny - my
                steps = max(3, round(fps * rng.uniform(0.5, 1.2)))
                plan += [("drag", (index, (tx, ty), dx, dy, (k + 1) / steps)) for k in range(steps)]
            elif action == "toggle":
                was = scene.rows[index][1]  # the knob slides from here to the other end
                plan += [("toggle", (index, was, (k + 1) / 5)) for k in range(5)]
            elif action == "menu":
                items = [sentence(rng, 1, 2) for _ in range(int(rng.integers(3, 6)))]
                hover_steps = max(3, round(fps * rng.uniform(0.6, 1.2)))
                plan += [("menu", (tx, ty, items, k * len(items) // hover_steps)) for k in range(hover_steps)]
                plan.append(("close", None))
            elif action == "type":
                text = words(rng, 2, 5)
                per_char = max(1, round(fps / rng.uniform(6, 12)))
                plan += [("type", (index, text[: k // per_char + 1])) for k in range(len(text) * per_char)]
            else:
                plan.append(("select", (index, str(rng.choice(["displays", "switches", "form"])))))
            plan += [("rest", None)] * round(fps * rng.uniform(0.3, 1.5))
        step, arg = plan.pop(0)
        if step == "move":
            (sx, sy), (tx, ty), f = arg  # type: ignore[misc]
            e = ease_in_out(f)
            pointer = (sx + (tx - sx) * e + 6 * math.sin(math.pi * e), sy + (ty - sy) * e)
        elif step == "drag":
            index, (tx, ty), dx, dy, f = arg  # type: ignore[misc]
            e = ease_in_out(f)
            mon = scene.monitors[index]
            new = (tx + dx * e, ty + dy * e)
            mon[0] += new[0] - pointer[0]
            mon[1] += new[1] - pointer[1]
            pointer = new
        elif step == "toggle":
            index, was, f = arg  # type: ignore[misc]
            scene.rows[index] = (scene.rows[index][0], was + (1 - 2 * was) * ease_in_out(f))
        elif step == "menu":
            tx, ty, items, hover = arg  # type: ignore[misc]
            scene.menu = (tx - 20, ty + 20, items, hover)
            pointer = (tx + 60, ty + 36 + 30 * hover)
        elif step == "close":
            scene.menu = None
        elif step == "type":
            index, typed = arg  # type: ignore[misc]
            scene.fields[index][2] = typed
        elif step == "select":
            scene.selected, scene.panel = arg  # type: ignore[misc]
        frame = scene.draw(pointer, i, fps)
        yield np.asarray(frame.resize((width, height), Image.Resampling.LANCZOS))
