"""Flat_Content renderers: slide decks, scrolling documents and terminal sessions.

Screen recordings are near-static: most frames repeat the previous one exactly, and change comes
in bursts (a slide transition, a scroll, a typed character). The renderers keep that property, and
they cache whatever did not change, so they cost little more than the encoder.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator

import numpy as np
from PIL import Image, ImageDraw

from vidcls.demo.drawing import WORDS, FontT, ease_in_out, font, random_color, saturated_color, sentence, shade

Color = tuple[int, int, int]


def wrap(text: str, face: FontT, max_width: float) -> list[str]:
    """Greedy word wrap to ``max_width`` pixels."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        trial = f"{current} {word}".strip()
        if current and face.getlength(trial) > max_width:
            lines.append(current)
            current = word
        else:
            current = trial
    if current:
        lines.append(current)
    return lines


def _pointer(frame: np.ndarray, x: float, y: float) -> np.ndarray:
    """Draw a mouse pointer (white arrow, black outline) on a copy of ``frame``."""
    image = Image.fromarray(frame)
    draw = ImageDraw.Draw(image)
    points = [(0, 0), (0, 13), (3, 10), (6, 16), (8, 15), (5, 9), (9, 9)]
    draw.polygon([(x + px, y + py) for px, py in points], fill=(255, 255, 255), outline=(0, 0, 0))
    return np.asarray(image)


# --------------------------------------------------------------------------------------------- slides


def _slide_theme(rng: np.random.Generator) -> dict[str, Color]:
    if rng.random() < 0.6:
        background = random_color(rng, 225, 256)
        text = random_color(rng, 10, 70)
    else:
        background = random_color(rng, 10, 60)
        text = random_color(rng, 210, 256)
    accent = saturated_color(rng, value=0.8)
    return {"background": background, "text": text, "accent": accent, "muted": shade(accent, 0.7)}


def _slide_states(
    rng: np.random.Generator, width: int, height: int, theme: dict[str, Color], number: int
) -> list[Image.Image]:
    """One slide as its build states (bullets revealed one by one, or all at once)."""
    title_size = int(rng.integers(16, 24))
    body_size = int(rng.integers(11, 15))
    title_font, body_font = font(title_size), font(body_size)
    layout = rng.choice(["bullets", "bullets", "chart", "two_column", "title"]) if number > 0 else "title"
    margin = int(width * rng.uniform(0.05, 0.09))

    base = Image.new("RGB", (width, height), theme["background"])
    draw = ImageDraw.Draw(base)
    if rng.random() < 0.5:
        draw.rectangle([0, 0, width, int(height * 0.2)], fill=theme["accent"])
        title_color = (255, 255, 255) if sum(theme["accent"]) < 500 else (0, 0, 0)
    else:
        draw.line([margin, int(height * 0.2), width - margin, int(height * 0.2)], fill=theme["accent"], width=2)
        title_color = theme["text"]
    draw.text((width - margin, height - 8), f"{number + 1}", font=font(9), fill=theme["muted"], anchor="rb")

    if layout == "title":
        base = Image.new("RGB", (width, height), theme["background"])
        draw = ImageDraw.Draw(base)
        draw.rectangle([0, int(height * 0.62), width, int(height * 0.64)], fill=theme["accent"])
        big = font(title_size + 6)
        for k, line in enumerate(wrap(sentence(rng, 2, 5), big, width - 2 * margin)[:2]):
            draw.text(
                (width / 2, height * 0.35 + k * (title_size + 10)), line, font=big, fill=theme["text"], anchor="mm"
            )
        draw.text((width / 2, height * 0.74), sentence(rng, 2, 4), font=body_font, fill=theme["muted"], anchor="mm")
        return [base]

    title = wrap(sentence(rng, 2, 5), title_font, width - 2 * margin)[0]
    draw.text((margin, int(height * 0.1)), title, font=title_font, fill=title_color, anchor="lm")
    text_right = width - margin if layout == "bullets" else width // 2 - 4
    if layout == "chart":
        values = rng.uniform(0.2, 1.0, size=int(rng.integers(3, 7)))
        left, right, top, bottom = width // 2 + 4, width - margin, int(height * 0.3), int(height * 0.85)
        draw.line([left, bottom, right, bottom], fill=theme["text"])
        draw.line([left, top, left, bottom], fill=theme["text"])
        bar_w = (right - left) / len(values)
        for k, value in enumerate(values):
            x0 = left + k * bar_w + bar_w * 0.15
            draw.rectangle([x0, bottom - value * (bottom - top), x0 + bar_w * 0.7, bottom - 1], fill=theme["accent"])
    elif layout == "two_column":
        box = [width // 2 + 4, int(height * 0.3), width - margin, int(height * 0.82)]
        draw.rectangle(box, fill=shade(theme["accent"], 1.3), outline=theme["muted"])
        draw.ellipse([box[0] + 10, box[1] + 10, box[0] + 30, box[1] + 30], fill=theme["muted"])
        draw.polygon([(box[0], box[3]), ((box[0] + box[2]) / 2, box[1] + 30), (box[2], box[3])], fill=theme["muted"])

    states = [base.copy()]
    y = int(height * 0.28)
    line_gap = body_size + 5
    build = rng.random() < 0.5
    for _ in range(int(rng.integers(2, 6))):
        lines = wrap(sentence(rng, 3, 9), body_font, text_right - margin - 14)
        if y + line_gap * len(lines) > height - 16:
            break
        draw.ellipse([margin, y + body_size // 2 - 2, margin + 5, y + body_size // 2 + 3], fill=theme["accent"])
        for line in lines:
            draw.text((margin + 12, y), line, font=body_font, fill=theme["text"])
            y += line_gap
        y += 4
        if build:
            states.append(base.copy())
    if not build:
        states = [base]
    return states


def render_slides(rng: np.random.Generator, width: int, height: int, fps: int, num_frames: int) -> Iterator[np.ndarray]:
    """A slide deck being presented: builds, cuts, fades or pushes between slides, an idle pointer."""
    theme = _slide_theme(rng)
    transition = str(rng.choice(["cut", "fade", "push"]))
    transition_frames = max(1, round(fps * rng.uniform(0.25, 0.5)))
    hold_s = rng.uniform(1.2, 3.0)
    # Timeline: a list of (image array, frames shown) with transitions between slides.
    frames_left = num_frames
    number = int(rng.integers(0, 3))
    previous: np.ndarray | None = None
    pointer = rng.random() < 0.35
    px, py = rng.uniform(0.3, 0.7) * width, rng.uniform(0.3, 0.7) * height
    target = (px, py)
    shown = 0
    while frames_left > 0:
        states = [np.asarray(s) for s in _slide_states(rng, width, height, theme, number)]
        number += 1
        if previous is not None and transition != "cut":
            for k in range(min(transition_frames, frames_left)):
                a = ease_in_out((k + 1) / (transition_frames + 1))
                if transition == "fade":
                    frame = (previous * (1 - a) + states[0] * a).astype(np.uint8)
                else:
                    shift = round(a * width)
                    frame = np.concatenate([previous[:, shift:], states[0][:, :shift]], axis=1)
                yield frame
                frames_left -= 1
                shown += 1
        for state in states:
            for _ in range(
                min(
                    frames_left,
                    max(1, round(fps * hold_s * rng.uniform(0.3, 0.6) if len(states) > 1 else fps * hold_s)),
                )
            ):
                frame = state
                if pointer:
                    if rng.random() < 0.02:
                        target = (rng.uniform(0.1, 0.9) * width, rng.uniform(0.1, 0.9) * height)
                    px, py = px + (target[0] - px) * 0.2, py + (target[1] - py) * 0.2
                    frame = _pointer(state, round(px), round(py))
                yield frame
                frames_left -= 1
                shown += 1
            if frames_left <= 0:
                break
        previous = states[-1]


# ------------------------------------------------------------------------------------------ documents


def _document_page(rng: np.random.Generator, page_w: int, pages_h: int) -> Image.Image:
    """A tall white page: headings, justified-looking paragraphs, a table and a figure box."""
    page = Image.new("RGB", (page_w, pages_h), (255, 255, 255) if rng.random() < 0.8 else (250, 246, 236))
    draw = ImageDraw.Draw(page)
    body_size = int(rng.integers(8, 12))
    body, heading = font(body_size), font(body_size + int(rng.integers(3, 7)))
    ink = random_color(rng, 0, 50)
    accent = saturated_color(rng, value=0.6)
    margin = int(page_w * rng.uniform(0.07, 0.12))
    y = margin
    section = 1
    while y < pages_h - 40:
        roll = rng.random()
        if roll < 0.2:
            draw.text((margin, y), f"{section}. {sentence(rng, 1, 4)}", font=heading, fill=accent)
            section += 1
            y += body_size + 12
        elif roll < 0.3:
            rows, cols = int(rng.integers(3, 6)), int(rng.integers(2, 5))
            cell_w, cell_h = (page_w - 2 * margin) / cols, body_size + 6
            for r in range(rows):
                for c in range(cols):
                    box = [margin + c * cell_w, y + r * cell_h, margin + (c + 1) * cell_w, y + (r + 1) * cell_h]
                    draw.rectangle(box, outline=(150, 150, 150), fill=(235, 235, 235) if r == 0 else None)
                    label = WORDS[int(rng.integers(len(WORDS)))] if r == 0 else f"{rng.uniform(0, 100):.1f}"
                    draw.text((box[0] + 3, box[1] + 2), label, font=body, fill=ink)
            y += rows * cell_h + 14
        elif roll < 0.36:
            fig_h = int(rng.integers(50, 90))
            draw.rectangle([margin, y, page_w - margin, y + fig_h], outline=(120, 120, 120), fill=(240, 244, 250))
            xs = np.linspace(margin + 6, page_w - margin - 6, 24)
            ys = y + fig_h / 2 + np.cumsum(rng.normal(0, 4, size=24))
            draw.line(list(zip(xs, np.clip(ys, y + 4, y + fig_h - 4), strict=True)), fill=accent, width=2)
            draw.text(
                (page_w / 2, y + fig_h + 3),
                f"Figure {section}: {sentence(rng, 3, 6)}",
                font=body,
                fill=ink,
                anchor="ma",
            )
            y += fig_h + body_size + 14
        else:
            text = " ".join(sentence(rng, 5, 14) + "." for _ in range(int(rng.integers(2, 6))))
            for line in wrap(text, body, page_w - 2 * margin):
                draw.text((margin, y), line, font=body, fill=ink)
                y += body_size + 3
            y += body_size // 2 + 4
    return page


def render_document(
    rng: np.random.Generator, width: int, height: int, fps: int, num_frames: int
) -> Iterator[np.ndarray]:
    """A document viewer: a page scrolled in short mouse-wheel bursts, with pauses to read."""
    chrome_h = int(rng.integers(14, 24))
    desk = random_color(rng, 60, 200) if rng.random() < 0.5 else (128, 128, 128)
    page_w = int(width * rng.uniform(0.7, 0.95)) if rng.random() < 0.6 else width - 8
    view_h = height - chrome_h
    page = np.asarray(_document_page(rng, page_w, view_h * 4))
    base = np.empty((height, width, 3), dtype=np.uint8)
    base[:] = desk
    chrome = Image.new("RGB", (width, chrome_h), random_color(rng, 200, 245))
    chrome_draw = ImageDraw.Draw(chrome)
    chrome_draw.text(
        (6, chrome_h / 2),
        f"{WORDS[int(rng.integers(len(WORDS)))]}_{sentence(rng, 1, 2).replace(' ', '_')}.pdf",
        font=font(max(8, chrome_h - 8)),
        fill=(40, 40, 40),
        anchor="lm",
    )
    base[:chrome_h] = np.asarray(chrome)
    left = (width - 8 - page_w) // 2

    # Scroll positions over time: wheel bursts with pauses, or a slow continuous crawl.
    max_offset = page.shape[0] - view_h
    offsets = np.zeros(num_frames)
    offset, i = float(rng.uniform(0, view_h)), 0
    while i < num_frames:
        pause = round(fps * rng.uniform(0.8, 2.5))
        offsets[i : i + pause] = offset
        i += pause
        move = max(1, round(fps * rng.uniform(0.15, 0.4)))
        step = rng.uniform(30, 120) * (1 if rng.random() < 0.85 else -1)
        target = float(np.clip(offset + step, 0, max_offset))
        for k in range(move):
            if i + k < num_frames:
                offsets[i + k] = offset + (target - offset) * ease_in_out((k + 1) / move)
        offset, i = target, i + move
    previous_offset, previous_frame = None, base
    for offset in np.round(offsets).astype(int):
        if offset != previous_offset:
            frame = base.copy()
            frame[chrome_h:, left : left + page_w] = page[offset : offset + view_h]
            bar_top = chrome_h + round(offset / max_offset * (view_h - 30))
            frame[chrome_h:, width - 6 : width] = (225, 225, 225)
            frame[bar_top : bar_top + 30, width - 5 : width - 1] = (140, 140, 140)
            previous_offset, previous_frame = offset, frame
        yield previous_frame


# ------------------------------------------------------------------------------------------- terminal

Segment = tuple[str, Color]
Line = tuple[Segment, ...]

_FILES = ("README.md", "setup.py", "data", "notes.txt", "train.py", "model.ckpt", "logs", "src", "tests", "Makefile")


def _command(rng: np.random.Generator, fg: Color, accent: Color) -> tuple[str, list[Line]]:
    """A shell command and its output lines."""
    kind = str(rng.choice(["ls", "git", "train", "pip", "cat", "ping"]))
    if kind == "ls":
        files = [_FILES[int(i)] for i in rng.permutation(len(_FILES))[: int(rng.integers(4, 9))]]
        out = [
            ((f"-rw-r--r-- 1 dev dev {int(rng.integers(100, 99999)):>6} Mar {int(rng.integers(1, 29)):>2} {f}", fg),)
            for f in files
        ]
        return "ls -la", out
    if kind == "git":
        out = [(("On branch main", fg),), (("Changes not staged for commit:", fg),)]
        out += [
            ((f"        modified:   {_FILES[int(rng.integers(len(_FILES)))]}", (220, 80, 80)),)
            for _ in range(int(rng.integers(1, 4)))
        ]
        return "git status", out
    if kind == "train":
        out = []
        loss = rng.uniform(1.0, 2.5)
        for epoch in range(int(rng.integers(3, 8))):
            loss *= rng.uniform(0.7, 0.95)
            out.append(((f"epoch {epoch:>2}  loss {loss:.4f}  acc {1 - loss / 3:.3f}", fg),))
        return f"python train.py --epochs {len(out)}", out
    if kind == "pip":
        package = str(rng.choice(["numpy", "requests", "rich", "pillow", "h5py"]))
        return f"pip install {package}", [
            ((f"Collecting {package}", fg),),
            ((f"  Downloading {package}-2.1.0.tar.gz ({int(rng.integers(1, 20))} MB)", fg),),
            (("  [" + "#" * 30 + "] 100%", accent),),
            ((f"Successfully installed {package}-2.1.0", accent),),
        ]
    if kind == "cat":
        return "cat notes.txt", [((sentence(rng, 3, 7), fg),) for _ in range(int(rng.integers(2, 6)))]
    host = f"10.0.0.{int(rng.integers(1, 255))}"
    out = [
        ((f"64 bytes from {host}: icmp_seq={k} ttl=64 time={rng.uniform(0.1, 9):.2f} ms", fg),)
        for k in range(1, int(rng.integers(3, 6)))
    ]
    return f"ping -c {len(out)} {host}", out


def _wrap_line(line: Line, columns: int) -> list[Line]:
    """Split a line into screen rows of ``columns`` characters, as a terminal wraps it."""
    chars = [(char, color) for text, color in line for char in text]
    rows: list[Line] = []
    for start in range(0, max(1, len(chars)), columns):
        chunk = chars[start : start + columns]
        segments: list[Segment] = []
        for char, color in chunk:
            if segments and segments[-1][1] == color:
                segments[-1] = (segments[-1][0] + char, color)
            else:
                segments.append((char, color))
        rows.append(tuple(segments))
    return rows


@functools.lru_cache(maxsize=256)
def _line_image(line: Line, size: int, cell_w: int, cell_h: int, columns: int, background: Color) -> np.ndarray:
    """One terminal row drawn on a fixed character grid (monospace look from any font)."""
    image = Image.new("RGB", (cell_w * columns, cell_h), background)
    draw = ImageDraw.Draw(image)
    face = font(size)
    col = 0
    for text, color in line:
        for char in text:
            if col >= columns:
                break
            if char != " ":
                draw.text((col * cell_w + cell_w / 2, cell_h / 2), char, font=face, fill=color, anchor="mm")
            col += 1
    return np.asarray(image)


def render_terminal(
    rng: np.random.Generator, width: int, height: int, fps: int, num_frames: int
) -> Iterator[np.ndarray]:
    """A terminal session: commands typed at human speed, bursts of output, a blinking cursor."""
    size = int(rng.integers(10, 14))
    cell_w, cell_h = max(6, round(size * 0.62)), size + 3
    columns, rows = (width - 8) // cell_w, (height - 8) // cell_h
    background = random_color(rng, 0, 45)
    fg = random_color(rng, 190, 256) if rng.random() < 0.6 else saturated_color(rng, value=0.95, saturation=0.5)
    accent = saturated_color(rng, value=0.9, saturation=0.6)
    prompt: Segment = (f"dev@{sentence(rng, 1, 1).lower()}:~$ ", accent)
    cps = rng.uniform(6.0, 16.0)

    # Simulate the session as timed screen states: (time in s, lines).
    lines: list[Line] = []
    for _ in range(int(rng.integers(0, 4))):  # history already on screen when the recording starts
        command, output = _command(rng, fg, accent)
        lines += [(prompt, (command, fg)), *output]
    lines.append((prompt,))
    states: list[tuple[float, tuple[Line, ...]]] = [(0.0, tuple(lines))]
    t, duration = float(rng.uniform(0.2, 0.8)), num_frames / fps
    while t < duration:
        command, output = _command(rng, fg, accent)
        for k in range(1, len(command) + 1):
            t += rng.uniform(0.4, 1.6) / cps
            lines[-1] = (prompt, (command[:k], fg))
            states.append((t, tuple(lines)))
        t += rng.uniform(0.2, 0.6)
        for out_line in output:
            lines.append(out_line)
            t += rng.uniform(0.0, 0.12)
            states.append((t, tuple(lines)))
        lines.append((prompt,))
        states.append((t, tuple(lines)))
        t += rng.uniform(0.6, 2.0)

    times = np.array([s[0] for s in states])
    base = np.empty((height, width, 3), dtype=np.uint8)
    base[:] = background
    cached_index, cached_frame = -1, base
    cursor_row = cursor_col = 0
    for i in range(num_frames):
        index = int(np.searchsorted(times, i / fps, side="right") - 1)
        if index != cached_index:
            cached_frame = base.copy()
            visible = [row for line in states[index][1][-rows:] for row in _wrap_line(line, columns)][-rows:]
            for r, line in enumerate(visible):
                row = _line_image(line, size, cell_w, cell_h, columns, background)
                cached_frame[4 + r * cell_h : 4 + (r + 1) * cell_h, 4 : 4 + row.shape[1]] = row
            cached_index = index
            cursor_col = min(columns - 1, sum(len(text) for text, _ in visible[-1]))
            cursor_row = len(visible) - 1
        if int(i / fps * 2) % 2 == 0:  # block cursor blinks at 1 Hz
            frame = cached_frame.copy()
            y0, x0 = 4 + cursor_row * cell_h, 4 + cursor_col * cell_w
            frame[y0 + 1 : y0 + cell_h - 1, x0 : x0 + cell_w - 1] = fg
            yield frame
        else:
            yield cached_frame
