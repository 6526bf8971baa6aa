"""Flat_Content renderer: a desktop screen recording of someone using a settings-style application.

Two layouts, half of clips each. The first (``render_app_desktop``) fills the screen with the
application: a top bar with a clock, an application window (light or dark theme) with a header
bar, a sidebar and one of three panels: a display-arrangement panel whose monitor tiles are
dragged about, a list of switches that slide when clicked and a drop-down menu that opens, or a
form where text is typed. A mouse pointer glides between targets, the way people move it; between
actions the screen is still. Unlike slides and documents, parts of this screen move smoothly for
whole seconds (a tile being dragged, a switch sliding, a window sliding in), which real UI
recordings show too. Drawn at twice the frame size and reduced, as a screen capture of a larger
display is.

The second (``render_zoomed_desktop``) records a whole large screen (2.5–4x the frame, reduced with
a Lanczos filter): a GNOME-3 desktop whose wallpaper (blue gradients, stripes, abstract shapes or
waves) fills most of the frame around a small Displays dialog with tiny text, two monitor tiles,
drop-downs and an Apply button; a tiny pointer drags a tile, picks from a drop-down or applies and
keeps the change. Most of the screen never changes.
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


#: Arrow pointers as polygon outlines: on the application screen (twice the frame) and the tiny one
#: of a zoomed-out large screen.
_POINTER = ((0, 0), (0, 26), (6, 20), (12, 32), (16, 30), (10, 18), (18, 18))
_SMALL_POINTER = ((0, 0), (0, 17), (4, 13), (7, 20), (10, 19), (7, 12), (12, 12))


def _pointer(draw: ImageDraw.ImageDraw, x: float, y: float, shape: tuple[tuple[int, int], ...] = _POINTER) -> None:
    draw.polygon([(x + px, y + py) for px, py in shape], fill=(255, 255, 255), outline=(0, 0, 0))


def _glide(move: tuple[tuple[float, float], tuple[float, float], float], wobble: float) -> tuple[float, float]:
    """The pointer ``f`` of the way from ``start`` to ``target``, eased, on a slight arc as hands move it."""
    (sx, sy), (tx, ty), f = move
    e = ease_in_out(f)
    return sx + (tx - sx) * e + wobble * math.sin(math.pi * e), sy + (ty - sy) * e


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
    """A desktop recording: a whole large screen with a small dialog (``ZOOMED_SHARE`` of clips) or
    an application window filling a screen twice the frame size."""
    if rng.random() < ZOOMED_SHARE:
        return render_zoomed_desktop(rng, width, height, fps, num_frames)
    return render_app_desktop(rng, width, height, fps, num_frames)


def render_app_desktop(
    rng: np.random.Generator, width: int, height: int, fps: int, num_frames: int
) -> Iterator[np.ndarray]:
    """A settings application filling the screen: the pointer glides to a control, acts on it (drag,
    toggle, menu, typing), then rests; the screen between actions is still."""
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
            pointer = _glide(arg, wobble=6)  # type: ignore[arg-type]
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


# ------------------------------------------------------------------------------ zoomed-out desktop

#: Share of desktop clips that show the whole of a large screen (``render_zoomed_desktop``).
ZOOMED_SHARE = 0.5
#: How much larger than the frame the recorded screen is.
ZOOM_RANGE = (2.5, 4.0)
_ROWS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Orientation", ("Landscape", "Portrait Right", "Portrait Left", "Landscape (flipped)")),
    ("Resolution", ("1920 x 1080 (16:9)", "2560 x 1440 (16:9)", "1680 x 1050 (16:10)", "1280 x 1024 (5:4)")),
    ("Refresh Rate", ("60.00 Hz", "59.94 Hz", "75.00 Hz", "50.00 Hz")),
    ("Scale", ("100 %", "125 %", "150 %", "200 %")),
    ("Display Mode", ("Join Displays", "Mirror", "Single Display")),
    ("Primary Display", ("Built-in display", "DELL U2415", "LG HDR 4K")),
)
_SETTINGS_PAGES = (
    "Wi-Fi", "Bluetooth", "Background", "Appearance", "Notifications", "Search", "Displays", "Sound", "Power",
    "Keyboard", "Printers", "Sharing", "Users",
)  # fmt: skip
_BLUE: Color = (53, 132, 228)


def _wallpaper(rng: np.random.Generator, w: int, h: int) -> Image.Image:
    """A GNOME-style wallpaper: a (mostly blue) gradient with stripes, soft abstract shapes or waves."""
    sw, sh = max(8, w // 4), max(8, h // 4)  # smooth, so drawn small and enlarged
    y, x = np.mgrid[0:sh, 0:sw].astype(np.float32) / sh
    hue = float(rng.uniform(0.55, 0.67)) if rng.random() < 0.7 else float(rng.uniform())
    dark = np.array(hsv_to_rgb(hue, float(rng.uniform(0.6, 0.95)), float(rng.uniform(0.15, 0.4))), np.float32)
    light = np.array(
        hsv_to_rgb((hue + rng.uniform(-0.06, 0.06)) % 1, float(rng.uniform(0.4, 0.8)), float(rng.uniform(0.6, 0.95))),
        np.float32,
    )
    angle = rng.uniform(0, 2 * np.pi)
    t = x * np.cos(angle) + y * np.sin(angle)
    t = (t - t.min()) / (t.max() - t.min() + 1e-6)
    image = dark + (light - dark) * t[..., None]
    style = str(rng.choice(["stripes", "shapes", "waves", "plain"], p=[0.3, 0.3, 0.3, 0.1]))
    if style == "stripes":
        beta, period = rng.uniform(0, np.pi), rng.uniform(0.08, 0.4)
        band = np.tanh(3 * np.sin(2 * np.pi * (x * np.cos(beta) + y * np.sin(beta)) / period))
        image = image * (1 + float(rng.uniform(0.08, 0.2)) * band[..., None])
    elif style == "shapes":
        for _ in range(int(rng.integers(3, 8))):
            cx, cy, r = rng.uniform(0, sw / sh), rng.uniform(0, 1), rng.uniform(0.15, 0.7)
            edge = (
                np.clip((r - np.hypot(x - cx, y - cy)) / 0.01, 0, 1)
                if rng.random() < 0.5
                else np.clip((r - np.maximum(np.abs(x - cx), np.abs(y - cy))) / 0.01, 0, 1)
            )
            tone = light if rng.random() < 0.5 else dark
            image = image + float(rng.uniform(0.15, 0.4)) * edge[..., None] * (tone - image)
    elif style == "waves":
        for k in range(int(rng.integers(2, 5))):
            level = rng.uniform(0.3, 0.9) + 0.08 * np.sin(2 * np.pi * (x * rng.uniform(0.3, 1.2) + rng.uniform()))
            below = np.clip((y - level) / 0.004, 0, 1)
            image = image * (1 - 0.12 * below[..., None]) if k % 2 else image + 0.1 * below[..., None] * (light - image)
    small = Image.fromarray(np.clip(image, 0, 255).astype(np.uint8))
    return small.resize((w, h), Image.Resampling.BICUBIC)


def _triangle(draw: ImageDraw.ImageDraw, x: float, y: float, colour: Color) -> None:
    """A drop-down arrow (the font has no glyph for it)."""
    draw.polygon([(x, y), (x + 7, y), (x + 3.5, y + 4)], fill=colour)


class _ZoomedDesktop:
    """A large screen: wallpaper, GNOME-3 top bar, maybe a dock, a background window and a small
    display-settings dialog; ``draw`` renders it at full size (reduced by the caller)."""

    def __init__(self, rng: np.random.Generator, width: int, height: int) -> None:
        zoom = float(rng.uniform(*ZOOM_RANGE))
        self.w, self.h = round(width * zoom), round(height * zoom)
        self.dark = bool(rng.random() < 0.35)
        self.bar = int(rng.integers(24, 30))
        self.dock = int(rng.integers(44, 60)) if rng.random() < 0.35 else 0
        self.wallpaper = _wallpaper(rng, self.w, self.h)
        screen = self.wallpaper.copy()
        draw = ImageDraw.Draw(screen)
        draw.rectangle([0, 0, self.w, self.bar - 1], fill=(0, 0, 0))
        draw.text((10, self.bar / 2), "Activities", font=font(13), fill=(235, 235, 235), anchor="lm")
        for k in range(3):  # network, volume, power
            x = self.w - 26 - 22 * k
            draw.rectangle([x, self.bar / 2 - 5, x + 10, self.bar / 2 + 5], outline=(230, 230, 230))
        _triangle(draw, self.w - 14, self.bar / 2 - 2, (230, 230, 230))
        if self.dock:
            draw.rectangle([0, self.bar, self.dock, self.h], fill=(30, 30, 34))
            for k in range(int(rng.integers(5, 10))):
                y = self.bar + 10 + k * (self.dock - 4)
                draw.rounded_rectangle(
                    [7, y, self.dock - 7, y + self.dock - 14],
                    radius=6,
                    fill=hsv_to_rgb(float(rng.uniform()), 0.6, 0.85),
                )
        if rng.random() < 0.6:
            self._background_window(rng, draw)
        self.screen = screen
        self.clock = (
            str(rng.choice(["Mon", "Tue", "Wed", "Thu", "Fri"])),
            int(rng.integers(0, 24)),
            int(rng.integers(60)),
        )
        # the dialog: a Displays dialog or the Settings window on its Displays page
        self.sidebar = 140 if rng.random() < 0.4 else 0
        self.dw = min(int(rng.integers(380, 540)) + self.sidebar, round(0.55 * self.w))  # a small dialog
        self.pane = int(rng.integers(120, 170))
        rows = max(2, min(int(rng.integers(3, len(_ROWS) + 1)), int((0.6 * self.h - 104 - self.pane) // 36)))
        self.dh = 40 + 16 + self.pane + 16 + 36 * rows + 16
        self.dx = float(rng.uniform(self.dock, max(self.dock + 1, self.w - self.dw)))
        self.dy = float(rng.uniform(self.bar + 4, max(self.bar + 5, self.h - self.dh)))
        self.rows = [[name, values, int(rng.integers(len(values)))] for name, values in _ROWS[:rows]]
        stacked = bool(rng.random() < 0.5)
        tile_w = float(rng.uniform(80, 120))
        if stacked:  # two tiles one above the other must fit the pane's height
            tile_w = min(tile_w, (self.pane - 44) / 1.07)
        self.tiles = [[0.0, 0.0, tile_w, tile_w * 9 / 16], [tile_w + 4, 0.0, tile_w * 0.8, tile_w * 0.8 * 10 / 16]]
        if stacked:
            self.tiles[1][:2] = [float(rng.uniform(-20, 40)), self.tiles[0][3] + 4]
        self.selected = 0
        self.menu: tuple[int, int] | None = None  # (row, hovered item)
        self.pressed = False
        self.confirm: int | None = None  # seconds left on the "keep these settings?" prompt
        self.f_small, self.f_text, self.f_title = font(11), font(12), font(13)
        # Adwaita-like colours: window, header bar, text, buttons, borders, the arrangement pane
        palette = (
            ((36, 36, 36), (48, 48, 48), (238, 238, 236), (62, 62, 62), (27, 27, 27), (28, 28, 28))
            if self.dark
            else ((246, 245, 244), (235, 235, 235), (46, 52, 54), (253, 253, 253), (205, 199, 194), (222, 221, 218))
        )
        self.bg, self.header, self.text, self.button, self.line, self.pane_bg = palette

    def _background_window(self, rng: np.random.Generator, draw: ImageDraw.ImageDraw) -> None:
        """A still terminal or file-manager window elsewhere on the screen."""
        ww, wh = int(rng.integers(300, 600)), int(rng.integers(200, 420))
        x = float(rng.uniform(self.dock, max(self.dock + 1, self.w - ww)))
        y = float(rng.uniform(self.bar + 4, max(self.bar + 5, self.h - wh)))
        terminal = rng.random() < 0.5
        body, head = ((48, 10, 36), (60, 60, 60)) if terminal else ((250, 250, 250), (225, 225, 225))
        draw.rectangle([x, y, x + ww, y + wh], fill=body, outline=(20, 20, 20))
        draw.rectangle([x, y, x + ww, y + 34], fill=head)
        draw.text(
            (x + ww / 2, y + 17),
            "Terminal" if terminal else "Files",
            font=font(12),
            fill=(230, 230, 230) if terminal else (40, 40, 40),
            anchor="mm",
        )
        for k in range(int((wh - 50) / 15)):
            if terminal:
                draw.text(
                    (x + 6, y + 42 + 15 * k), f"user@host:~$ {words(rng, 1, 4)}", font=font(11), fill=(210, 210, 210)
                )
            elif k % 3 == 0:
                draw.rectangle(
                    [x + 14 + 70 * (k % 6), y + 50 + 20 * k // 3, x + 62 + 70 * (k % 6), y + 90 + 20 * k // 3],
                    fill=(120, 150, 200),
                )

    # geometry of the dialog's controls, in screen pixels
    def tile_origin(self) -> tuple[float, float]:
        return self.dx + self.sidebar + 40, self.dy + 40 + 16 + 20

    def row_box(self, k: int) -> tuple[float, float, float, float]:
        y = self.dy + 40 + 16 + self.pane + 16 + 36 * k
        return self.dx + self.dw - 16 - 190, y, self.dx + self.dw - 16, y + 28

    def apply_box(self) -> tuple[float, float, float, float]:
        return self.dx + self.dw - 76, self.dy + 6, self.dx + self.dw - 8, self.dy + 33

    def confirm_box(self) -> tuple[float, float, float, float]:
        cw, ch = 380, 150
        return (self.w - cw) / 2, (self.h - ch) / 2, (self.w + cw) / 2, (self.h + ch) / 2

    def draw(self, pointer: tuple[float, float], seconds: float) -> Image.Image:
        image = self.screen.copy()
        draw = ImageDraw.Draw(image)
        day, hour, minute = self.clock
        minute += int(seconds // 60)
        draw.text(
            (self.w / 2, self.bar / 2),
            f"{day} {hour:02d}:{minute % 60:02d}",
            font=self.f_title,
            fill=(235, 235, 235),
            anchor="mm",
        )
        x0, y0, x1, y1 = self.dx, self.dy, self.dx + self.dw, self.dy + self.dh
        draw.rectangle([x0 - 1, y0 - 1, x1 + 1, y1 + 3], fill=(0, 0, 0))  # border and shadow
        draw.rectangle([x0, y0, x1, y1], fill=self.bg)
        draw.rectangle([x0, y0, x1, y0 + 40], fill=self.header)
        draw.line([x0, y0 + 40, x1, y0 + 40], fill=self.line)
        draw.text(((x0 + self.sidebar + x1) / 2, y0 + 20), "Displays", font=self.f_title, fill=self.text, anchor="mm")
        draw.rounded_rectangle([x0 + 8, y0 + 6, x0 + 76, y0 + 33], radius=5, fill=self.button, outline=self.line)
        draw.text((x0 + 42, y0 + 20), "Cancel", font=self.f_text, fill=self.text, anchor="mm")
        apply = self.apply_box()
        draw.rounded_rectangle(apply, radius=5, fill=tuple(int(c * 0.8) for c in _BLUE) if self.pressed else _BLUE)
        draw.text(((apply[0] + apply[2]) / 2, y0 + 20), "Apply", font=self.f_text, fill=(255, 255, 255), anchor="mm")
        if self.sidebar:
            draw.rectangle([x0, y0 + 41, x0 + self.sidebar, y1], fill=self.header)
            for k, page in enumerate(_SETTINGS_PAGES):
                y = y0 + 50 + 28 * k
                if y + 24 > y1:
                    break
                if page == "Displays":
                    draw.rectangle([x0 + 4, y - 4, x0 + self.sidebar - 4, y + 20], fill=_BLUE)
                draw.text(
                    (x0 + 14, y), page, font=self.f_text, fill=(255, 255, 255) if page == "Displays" else self.text
                )
        px0 = x0 + self.sidebar + 16
        draw.rectangle([px0, y0 + 56, x1 - 16, y0 + 56 + self.pane], fill=self.pane_bg)
        ox, oy = self.tile_origin()
        for k, (tx, ty, tw, th) in enumerate(self.tiles):
            box = [ox + tx, oy + ty, ox + tx + tw, oy + ty + th]
            fill = (72, 102, 140) if k == self.selected else (96, 96, 100)
            draw.rectangle(box, fill=fill, outline=_BLUE if k == self.selected else (20, 20, 20), width=2)
            draw.text((box[0] + 8, box[1] + 6), str(k + 1), font=self.f_title, fill=(255, 255, 255))
        for k, (name, values, value) in enumerate(self.rows):
            bx0, by0, bx1, by1 = self.row_box(k)
            draw.text((px0 + 4, (by0 + by1) / 2), name, font=self.f_text, fill=self.text, anchor="lm")
            draw.rounded_rectangle([bx0, by0, bx1, by1], radius=5, fill=self.button, outline=self.line)
            draw.text((bx0 + 10, (by0 + by1) / 2), values[value], font=self.f_text, fill=self.text, anchor="lm")
            _triangle(draw, bx1 - 16, (by0 + by1) / 2 - 2, self.text)
        if self.menu is not None:
            row, hover = self.menu
            bx0, by0, bx1, _ = self.row_box(row)
            values = self.rows[row][1]
            draw.rounded_rectangle(
                [bx0, by0 + 30, bx1, by0 + 38 + 26 * len(values)], radius=6, fill=self.button, outline=self.line
            )
            for k, value in enumerate(values):
                y = by0 + 34 + 26 * k
                if k == hover:
                    draw.rectangle([bx0 + 3, y, bx1 - 3, y + 24], fill=self.pane_bg)
                draw.text((bx0 + 12, y + 12), value, font=self.f_text, fill=self.text, anchor="lm")
        if self.confirm is not None:
            cx0, cy0, cx1, cy1 = self.confirm_box()
            draw.rounded_rectangle([cx0, cy0, cx1, cy1], radius=10, fill=(53, 53, 53), outline=(20, 20, 20))
            draw.text(
                ((cx0 + cx1) / 2, cy0 + 30),
                "Keep these display settings?",
                font=self.f_title,
                fill=(240, 240, 240),
                anchor="mm",
            )
            draw.text(
                ((cx0 + cx1) / 2, cy0 + 58),
                f"Settings changes will revert in {self.confirm} seconds",
                font=self.f_small,
                fill=(200, 200, 200),
                anchor="mm",
            )
            draw.line([cx0, cy1 - 44, cx1, cy1 - 44], fill=(30, 30, 30))
            draw.line([(cx0 + cx1) / 2, cy1 - 44, (cx0 + cx1) / 2, cy1], fill=(30, 30, 30))
            for k, label in enumerate(("Revert Settings", "Keep Changes")):
                draw.text(
                    (cx0 + (cx1 - cx0) * (0.25 + 0.5 * k), cy1 - 22),
                    label,
                    font=self.f_text,
                    fill=(240, 240, 240),
                    anchor="mm",
                )
        _pointer(draw, pointer[0], pointer[1], _SMALL_POINTER)
        return image


def reduce_screen(image: Image.Image, width: int, height: int) -> np.ndarray:
    """The large screen at frame size: a box reduction to about twice the size, then Lanczos."""
    return np.asarray(image.resize((width, height), Image.Resampling.LANCZOS, reducing_gap=2.0))


def render_zoomed_desktop(
    rng: np.random.Generator, width: int, height: int, fps: int, num_frames: int
) -> Iterator[np.ndarray]:
    """A recording of a whole large screen (2.5–4x the frame) reduced with a Lanczos filter: the
    wallpaper around a small display-settings dialog where a tiny pointer drags a monitor tile,
    picks from a drop-down, or clicks Apply and keeps the change; the rest of the screen is still."""
    scene = _ZoomedDesktop(rng, width, height)
    pointer = (float(rng.uniform(scene.dock, scene.w)), float(rng.uniform(scene.bar, scene.h)))
    plan: list[tuple[str, object]] = []
    last_key: object = None
    frame = np.zeros((height, width, 3), np.uint8)
    for i in range(num_frames):
        if not plan:
            plan = _zoomed_plan(rng, scene, pointer, fps)
        step, arg = plan.pop(0)
        if step == "move":
            pointer = _glide(arg, wobble=4)  # type: ignore[arg-type]
        elif step == "drag":
            index, dx, dy = arg  # type: ignore[misc]
            scene.tiles[index][0] += dx
            scene.tiles[index][1] += dy
            scene.selected = index
            pointer = (pointer[0] + dx, pointer[1] + dy)
        elif step == "menu":
            scene.menu = arg  # type: ignore[assignment]
            if scene.menu is not None:
                row, hover = scene.menu
                bx0, by0, _, _ = scene.row_box(row)
                pointer = (bx0 + 60, by0 + 46 + 26 * hover)
        elif step == "choose":
            row, value = arg  # type: ignore[misc]
            scene.rows[row][2] = value
            scene.menu = None
        elif step == "press":
            scene.pressed = bool(arg)
        elif step == "confirm":
            scene.confirm = arg  # type: ignore[assignment]
        key = (
            round(pointer[0], 1),
            round(pointer[1], 1),
            repr(scene.tiles),
            repr(scene.rows),
            scene.menu,
            scene.pressed,
            scene.confirm,
            (i // fps) // 60,
        )
        if key != last_key:  # most frames repeat the last one exactly, as a still screen does
            image = scene.draw(pointer, i / fps)
            frame = reduce_screen(image, width, height)
            last_key = key
        yield frame


def _zoomed_plan(
    rng: np.random.Generator, scene: _ZoomedDesktop, pointer: tuple[float, float], fps: int
) -> list[tuple[str, object]]:
    """The frames of the user's next action: glide to a control, act on it, rest."""
    action = str(rng.choice(["drag", "menu", "apply", "idle"], p=[0.35, 0.35, 0.15, 0.15]))
    ox, oy = scene.tile_origin()
    if action == "drag":
        index = int(rng.integers(len(scene.tiles)))
        tx, ty, tw, th = scene.tiles[index]
        target = (ox + tx + tw / 2, oy + ty + th / 2)
    elif action == "menu":
        row = int(rng.integers(len(scene.rows)))
        bx0, by0, bx1, by1 = scene.row_box(row)
        target = ((bx0 + bx1) / 2, (by0 + by1) / 2)
    elif action == "apply":
        ax0, ay0, ax1, ay1 = scene.apply_box()
        target = ((ax0 + ax1) / 2, (ay0 + ay1) / 2)
    else:  # the pointer wanders a little and the screen waits
        target = (pointer[0] + float(rng.normal(0, 40)), pointer[1] + float(rng.normal(0, 30)))
    moves = max(2, round(fps * rng.uniform(0.3, 0.8)))
    plan: list[tuple[str, object]] = [("move", (pointer, target, (k + 1) / moves)) for k in range(moves)]
    if action == "drag":
        steps = max(3, round(fps * rng.uniform(0.4, 1.0)))
        dx, dy = float(rng.uniform(-60, 60)), float(rng.uniform(-30, 30))
        _, _, tw, th = scene.tiles[index]
        tx, ty = scene.tiles[index][:2]
        pane_w = scene.dw - scene.sidebar - 80
        dx = float(np.clip(tx + dx, -20, pane_w - tw - 20) - tx)  # stay inside the arrangement pane
        dy = float(np.clip(ty + dy, -10, scene.pane - 40 - th) - ty)
        plan += [("drag", (index, dx / steps, dy / steps)) for _ in range(steps)]
    elif action == "menu":
        values = scene.rows[row][1]
        choice = int(rng.integers(len(values)))
        hover_steps = max(2, round(fps * rng.uniform(0.4, 1.0)))
        plan += [("menu", (row, min(choice, k * (choice + 1) // hover_steps))) for k in range(hover_steps)]
        plan.append(("choose", (row, choice)))
    elif action == "apply":
        plan += [("press", True)] * max(1, fps // 8) + [("press", False)]
        seconds = int(rng.integers(10, 20))
        wait = int(rng.integers(1, 4))
        for s in range(wait):
            plan += [("confirm", seconds - s)] * fps
        cx0, _, cx1, cy1 = scene.confirm_box()
        keep = (cx0 + (cx1 - cx0) * 0.75, cy1 - 22)
        plan += [("move", (target, keep, (k + 1) / moves)) for k in range(moves)]
        plan.append(("confirm", None))
    plan += [("rest", None)] * round(fps * rng.uniform(0.3, 1.5))
    return plan
