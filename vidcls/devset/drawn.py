"""Drawn and rendered animations: Lottie, manim's example scenes, asciimatics' text-screen samples and
POV-Ray's ray-traced scenes (the renderers are imported inside the functions)."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import numpy as np

from vidcls.devset.clips import MAX_SIDE, OUT_FPS, fit_frame

TERMINAL_SIZE = (80, 24)  # columns x rows, a classic terminal
CELL_PX = (8, 16)  # one character cell, width x height, before the screen is fitted to MAX_SIDE
ASCIIMATICS_HZ = 20  # the samples' Screen.play draws a frame every 0.05 s
POVRAY_SIZE = (320, 240)  # width x height, POV-Ray's default 4:3
MANIM_SIZE = (320, 180)  # manim: the frame, width x height (16:9, as manim renders by default)


def lottie_duration(renderer: Path, path: Path) -> float:
    """Seconds one loop of a Lottie animation lasts."""
    sys.path.insert(0, str(renderer))
    from rlottie_python import LottieAnimation

    with LottieAnimation.from_file(str(path)) as anim:
        return anim.lottie_animation_get_totalframe() / anim.lottie_animation_get_framerate()


def render_lottie(renderer: Path, path: Path, start: float, seconds: float) -> list[np.ndarray]:
    """A Lottie animation from ``start`` at OUT_FPS (looping), drawn with its longest side MAX_SIDE on white."""
    sys.path.insert(0, str(renderer))
    from PIL import Image
    from rlottie_python import LottieAnimation

    frames = []
    with LottieAnimation.from_file(str(path)) as anim:
        total, fps = anim.lottie_animation_get_totalframe(), anim.lottie_animation_get_framerate()
        w, h = anim.lottie_animation_get_size()
        scale = MAX_SIDE / max(w, h)
        width, height = max(2, int(w * scale) // 2 * 2), max(2, int(h * scale) // 2 * 2)
        for k in range(max(1, math.floor(seconds * OUT_FPS + 1e-6))):
            index = int((start + k / OUT_FPS) * fps) % total
            drawn = anim.render_pillow_frame(frame_num=index, width=width, height=height).convert("RGBA")
            canvas = Image.new("RGBA", drawn.size, "white")
            canvas.alpha_composite(drawn)
            frames.append(np.asarray(canvas.convert("RGB")))
    return frames


def manim_example(module: Path, scene: str) -> str:
    """The code of the ``.. manim:: <scene>`` example in one of ``module``'s docstrings, without its options."""
    import ast
    import textwrap

    for node in ast.walk(ast.parse(module.read_text())):
        if not isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        lines = (ast.get_docstring(node) or "").splitlines()
        for i, line in enumerate(lines):
            if line.strip() != f".. manim:: {scene}":
                continue
            indent, body = len(line) - len(line.lstrip()), []
            for text in lines[i + 1 :]:  # the directive's block: the lines indented below it
                if text.strip() and len(text) - len(text.lstrip()) <= indent:
                    break
                body.append(text)
            code = textwrap.dedent("\n".join(body)).strip().splitlines()
            while code and (code[0].startswith(":") or not code[0].strip()):  # :save_last_frame: and the like
                code.pop(0)
            return "\n".join(code) + "\n"
    raise SystemExit(f"error: no `.. manim:: {scene}` example in {module}")


def render_manim(roots: list[Path], module: Path, scene: str) -> list[np.ndarray]:
    """Every frame of a manim docstring example scene, drawn by Cairo at MANIM_SIZE and OUT_FPS, seeded (RGB).

    The scene runs as the documentation runs it; its frames are kept in memory instead of being encoded.
    """
    import tempfile

    sys.path[:0] = [str(r) for r in roots if str(r) not in sys.path]
    import manim

    namespace: dict[str, object] = {}
    exec(compile("from manim import *\n" + manim_example(module, scene), f"{module}:{scene}", "exec"), namespace)
    frames: list[np.ndarray] = []

    def keep(pixels: np.ndarray, *, repeat: int = 1) -> None:
        frames.extend([np.array(pixels[..., :3])] * repeat)

    settings = {"pixel_width": MANIM_SIZE[0], "pixel_height": MANIM_SIZE[1], "frame_rate": OUT_FPS, "seed": 0,
                "disable_caching": True, "verbosity": "ERROR", "progress_bar": "none"}  # fmt: skip
    with tempfile.TemporaryDirectory() as media, manim.tempconfig({**settings, "media_dir": media}):
        example = namespace[scene]()
        example.renderer.file_writer.write_frame = keep
        example.renderer.file_writer.finish = lambda *_, **__: None  # no movie to assemble
        example.render()
    if not frames:
        raise SystemExit(f"error: manim's {scene} drew no frames")
    return frames


def xterm_palette() -> np.ndarray:
    """xterm's 256 colours (RGB): 16 system colours, the 6x6x6 cube and 24 greys."""
    system = [(0, 0, 0), (205, 0, 0), (0, 205, 0), (205, 205, 0), (0, 0, 238), (205, 0, 205), (0, 205, 205),
              (229, 229, 229), (127, 127, 127), (255, 0, 0), (0, 255, 0), (255, 255, 0), (92, 92, 255),
              (255, 0, 255), (0, 255, 255), (255, 255, 255)]  # fmt: skip
    levels = (0, 95, 135, 175, 215, 255)
    cube = [(r, g, b) for r in levels for g in levels for b in levels]
    return np.array(system + cube + [(8 + 10 * i,) * 3 for i in range(24)], np.uint8)


class TextScreen:
    """Draws a grid of (character, foreground, attributes, background) cells as a terminal shows them."""

    def __init__(self, font_file: Path) -> None:
        from PIL import ImageFont

        self.font = ImageFont.truetype(str(font_file), CELL_PX[1] - 2)
        self.palette = xterm_palette()
        self.glyphs: dict[str, np.ndarray] = {}

    def glyph(self, char: str) -> np.ndarray:
        """The character's coverage (0..1) in one cell."""
        if char not in self.glyphs:
            from PIL import Image, ImageDraw

            cell = Image.new("L", CELL_PX, 0)
            ImageDraw.Draw(cell).text((0, 0), char, font=self.font, fill=255)
            self.glyphs[char] = np.asarray(cell, np.float32)[..., None] / 255
        return self.glyphs[char]

    def draw(self, cells: list[list[tuple[str, int, int, int]]], bold: int, reverse: int) -> np.ndarray:
        cw, ch = CELL_PX
        out = np.zeros((len(cells) * ch, len(cells[0]) * cw, 3), np.float32)
        for y, row in enumerate(cells):
            for x, (char, fg, attr, bg) in enumerate(row):
                if attr & reverse:
                    fg, bg = bg, fg
                if attr & bold and fg < 8:
                    fg += 8  # bold draws the bright colour, as xterm does
                block = out[y * ch : (y + 1) * ch, x * cw : (x + 1) * cw]
                block[:] = self.palette[bg % 256]
                if char.strip():
                    block += self.glyph(char) * (self.palette[fg % 256].astype(np.float32) - block)
        return fit_frame(out.round().astype(np.uint8))


def render_asciimatics(roots: list[Path], sample: Path, font_file: Path, seconds: float, seed: int) -> list[np.ndarray]:
    """The first ``seconds`` of one of asciimatics' sample animations at ASCIIMATICS_HZ, seeded, on a text screen.

    The sample's ``demo(screen)`` runs unchanged (its module-level loop, which opens a real terminal, is left
    out) on a Screen that keeps its cells; its ``play`` steps the scenes one frame at a time and draws each.
    """
    import ast
    import random

    sys.path[:0] = [str(r) for r in roots if str(r) not in sys.path]
    from asciimatics.screen import Screen

    text = TextScreen(font_file)
    frames: list[np.ndarray] = []

    class CellScreen(Screen):
        def __init__(self) -> None:
            super().__init__(TERMINAL_SIZE[1], TERMINAL_SIZE[0], TERMINAL_SIZE[1], False)
            self.colours = 256  # an xterm-256color terminal

        def play(self, scenes: list, **options: object) -> None:
            self.set_scenes(scenes, unhandled_input=options.get("unhandled_input"))
            for _ in range(round(seconds * ASCIIMATICS_HZ)):
                self.draw_next_frame(repeat=bool(options.get("repeat", True)))
                cells = [[self._buffer.get(x, y)[:4] for x in range(self.width)] for y in range(self.height)]
                frames.append(text.draw(cells, Screen.A_BOLD, Screen.A_REVERSE))

        def _nothing(self, *_: object, **__: object) -> None:
            """No terminal to write to, read from or resize."""

        close = get_event = has_resized = _change_colours = _print_at = _clear = _scroll = _nothing
        set_title = wait_for_input = _nothing

    tree = ast.parse(sample.read_text())
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)]
    entry = next(c.args[0].id for c in calls if c.func.attr == "wrapper" and c.args and isinstance(c.args[0], ast.Name))
    tree.body = [n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.ClassDef))]
    namespace: dict[str, object] = {"__name__": sample.stem}
    exec(compile(tree, str(sample), "exec"), namespace)
    random.seed(seed)  # the samples draw their sparks, stars and colours from the random module
    namespace[entry](CellScreen())  # type: ignore[operator]  # what the sample hands to Screen.wrapper
    return frames


def povray_frame_count(ini: Path) -> int:
    """How many frames a POV-Ray animation .ini asks for: Initial_Frame to Final_Frame, or the switches +KFI and
    +KFF an .ini may hold instead (POV-Ray's default: 1 and 1)."""
    import re

    first, last = 1, 1
    for token in " ".join(line.split(";", 1)[0] for line in ini.read_text().splitlines()).split():
        if found := re.fullmatch(r"(?i)(?:initial_frame=|[+-]kfi)(\d+)", token):
            first = int(found.group(1))
        elif found := re.fullmatch(r"(?i)(?:final_frame=|[+-]kff)(\d+)", token):
            last = int(found.group(1))
    return last - first + 1


def render_povray(roots: list[Path], ini: Path) -> list[np.ndarray]:
    """Every frame of a POV-Ray sample animation (its .ini sets the scene, frames and clock), ray-traced on the CPU.

    ``roots`` are the unpacked POVRAY_RENDERER packages, POV-Ray's own first; the scene runs in its folder, as the
    sample's instructions say, with the include files and fonts of those packages on its library path.
    """
    import os
    import tempfile

    from PIL import Image

    libraries = ":".join(str(r / "usr/lib/x86_64-linux-gnu") for r in roots)
    search = [f"+L{r / d}" for r in roots for d in ("usr/share/povray-3.7/include", "usr/share/fonts/truetype/povray")]
    with tempfile.TemporaryDirectory() as out:
        cmd = [str(roots[0] / "usr/bin/povray"), ini.name, *search, f"+W{POVRAY_SIZE[0]}", f"+H{POVRAY_SIZE[1]}",
               "-D", "+WT1", f"+O{out}/frame.png"]  # fmt: skip
        env = {**os.environ, "LD_LIBRARY_PATH": libraries, "HOME": out}
        result = subprocess.run(cmd, cwd=ini.parent, env=env, capture_output=True, text=True)
        files = sorted(Path(out).glob("frame*.png"))
        if result.returncode != 0 or not files:
            raise SystemExit(f"error: POV-Ray failed on {ini}: {result.stderr.strip()[-400:]}")
        return [fit_frame(np.asarray(Image.open(f).convert("RGB"))) for f in files]
