"""Flat_Content clips of live charts drawn by matplotlib: monitoring dashboards, plots being updated.

Screen recordings of plots, dashboards and monitors are a large part of real flat content, and
they often have dark backgrounds and bright coloured lines, like games. Drawn with matplotlib's
own styles (light and dark), the chart redraws a few times a second and the frames in between
repeat exactly, as a screen capture of a program that updates on a timer does.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

#: Built-in matplotlib styles (light and dark) the charts are drawn in.
STYLES: tuple[str, ...] = (
    "default", "dark_background", "ggplot", "bmh", "Solarize_Light2", "fivethirtyeight", "grayscale",
    "seaborn-v0_8-darkgrid", "seaborn-v0_8-whitegrid", "dark_background",
)  # fmt: skip
KINDS: tuple[str, ...] = ("monitor", "bars", "scatter", "dashboard")


def _series(rng: np.random.Generator, count: int, length: int) -> np.ndarray:
    """Random walks with a little seasonality: plausible metrics (CPU load, loss curves, prices)."""
    steps = rng.normal(0, 1, size=(count, length)).cumsum(axis=1)
    wave = np.sin(np.arange(length)[None] / rng.uniform(3, 12, size=(count, 1)) + rng.uniform(0, 6, size=(count, 1)))
    return steps + rng.uniform(0.5, 3, size=(count, 1)) * wave


def _draw(ax: Any, kind: str, rng: np.random.Generator, tick: int, data: np.ndarray, window: int, label: str) -> None:
    """One panel at update ``tick``."""
    if kind == "monitor":
        start = max(0, tick - window)
        x = np.arange(start, tick + 1)
        for row in data:
            ax.plot(x, row[start : tick + 1], linewidth=1.5)
        ax.set_xlim(max(0, tick - window), max(window, tick))
        ax.set_ylabel(label, fontsize=7)
    elif kind == "bars":
        values = np.abs(data[:, tick]) + 1
        ax.bar(np.arange(len(values)), values, color=[f"C{i}" for i in range(len(values))])
        ax.set_xticks(np.arange(len(values)), [f"q{i + 1}" for i in range(len(values))], fontsize=7)
    else:  # scatter: a cloud that drifts and grows
        n = 20 + 3 * max(0, tick - window)
        points = rng.normal(0, 1, size=(n, 2)) + data[:2, tick] * 0.2
        ax.scatter(points[:, 0], points[:, 1], s=8, c=np.arange(n) % 4, cmap="tab10", vmin=0, vmax=10)
    ax.tick_params(labelsize=6)


def render_chart(rng: np.random.Generator, width: int, height: int, fps: int, num_frames: int) -> Iterator[np.ndarray]:
    """A chart redrawn at 1–4 Hz: a scrolling monitor, changing bars, a growing scatter, or a 2x2 dashboard."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    kind = str(rng.choice(KINDS))
    style = str(rng.choice(STYLES))
    update_every = max(1, round(fps / rng.uniform(1.0, 4.0)))
    ticks = num_frames // update_every + 2
    window = int(rng.integers(20, 60))
    data = _series(rng, int(rng.integers(2, 6)), ticks + window)
    panels = [str(k) for k in rng.choice(KINDS[:3], size=4)] if kind == "dashboard" else [kind]
    title = str(rng.choice(["System monitor", "Training", "Sales", "Latency", "Experiment 3", "Sensors"]))
    labels = [str(label) for label in rng.choice(["CPU %", "req/s", "loss", "MB", "°C"], size=len(panels))]
    base = int(rng.integers(2**31))
    with plt.style.context(style):
        fig = plt.figure(figsize=(width / 100, height / 100), dpi=100)
        frame = None
        try:
            for i in range(num_frames):
                if frame is None or i % update_every == 0:
                    fig.clear()
                    rows = 2 if len(panels) == 4 else 1
                    for p, panel in enumerate(panels):
                        ax = fig.add_subplot(rows, len(panels) // rows, p + 1)
                        tick = i // update_every
                        panel_rng = np.random.default_rng([base, p, tick])
                        _draw(ax, panel, panel_rng, window + tick, data, window, labels[p])
                    fig.suptitle(title, fontsize=9)
                    fig.canvas.draw()
                    frame = np.asarray(fig.canvas.buffer_rgba())[..., :3].copy()
                yield frame
        finally:
            plt.close(fig)
