"""Flat_Content clips of live charts and visualisations: dashboards, algorithm plots, audio scopes.

Screen recordings of plots, dashboards and monitors are a large part of real flat content, and
they often have dark backgrounds and bright coloured marks, like games. Three families:

- charts drawn with matplotlib's own styles (light and dark): the chart redraws a few times a
  second and the frames in between repeat exactly, as a screen capture of a program that updates
  on a timer does;
- algorithm visualisations (matplotlib, mostly on a black background): points with a line being
  swept, fitted or sampled through them beside a coarse heat-map (an accumulator or a loss grid)
  drawn with nearest-neighbour cells, so blocky coloured squares on black are screen content too;
- audio/oscilloscope visualisers (numpy/Pillow): a phosphor-green, cyan or amber waveform,
  spectrum bars or waterfall on black with a faint grid, drawn at a low resolution and enlarged
  (blurry), like a terminal monitor.

Half of chart clips are the two dark families.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
from PIL import Image, ImageDraw

from vidcls.demo.drawing import font

#: Built-in matplotlib styles (light and dark) the charts are drawn in.
STYLES: tuple[str, ...] = (
    "default", "dark_background", "ggplot", "bmh", "Solarize_Light2", "fivethirtyeight", "grayscale",
    "seaborn-v0_8-darkgrid", "seaborn-v0_8-whitegrid", "dark_background",
)  # fmt: skip
KINDS: tuple[str, ...] = ("monitor", "bars", "scatter", "dashboard")
#: How often ``render_chart`` picks each family: the dark visualisations get half of chart clips.
FAMILY_WEIGHTS: dict[str, float] = {"chart": 0.5, "algorithm": 0.25, "scope": 0.25}


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


def _pyplot() -> Any:
    """matplotlib's pyplot on the Agg backend (no display needed)."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    return plt


def render_chart(rng: np.random.Generator, width: int, height: int, fps: int, num_frames: int) -> Iterator[np.ndarray]:
    """A chart clip of one family (``FAMILY_WEIGHTS``): a live chart, an algorithm plot or an audio scope."""
    families = list(FAMILY_WEIGHTS)
    weights = np.array([FAMILY_WEIGHTS[f] for f in families])
    family = families[int(rng.choice(len(families), p=weights / weights.sum()))]
    renderer = {"chart": render_live_chart, "algorithm": render_algorithm, "scope": render_scope}[family]
    return renderer(rng, width, height, fps, num_frames)


def render_live_chart(
    rng: np.random.Generator, width: int, height: int, fps: int, num_frames: int
) -> Iterator[np.ndarray]:
    """A chart redrawn at 1–4 Hz: a scrolling monitor, changing bars, a growing scatter, or a 2x2 dashboard."""
    plt = _pyplot()
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


# ----------------------------------------------------------------------------- algorithm visualisations

#: Light styles an algorithm plot is sometimes drawn in; it is on a black background 3 times in 4.
ALGORITHM_LIGHT_STYLES: tuple[str, ...] = ("default", "seaborn-v0_8-whitegrid", "bmh", "ggplot", "classic")
#: Colour maps of the coarse heat-map panel (shown with nearest-neighbour cells); mostly ones whose
#: zero is black, as accumulators on a black background are.
HEAT_CMAPS: tuple[str, ...] = (
    "hot", "inferno", "magma", "gray", "nipy_spectral", "afmhot", "gist_heat", "hot", "inferno", "jet", "viridis",
    "turbo", "plasma",
)  # fmt: skip
ALGORITHMS: tuple[str, ...] = ("hough", "fit", "ransac")
LAYOUTS: tuple[str, ...] = ("both", "both", "both", "heat", "points")
_BOX = 100.0  # the points live in a 0..100 square, like an edge detector's pixel coordinates
_RHO = _BOX * 2**0.5


def _edge_points(rng: np.random.Generator, lines: int) -> np.ndarray:
    """Points along ``lines`` noisy segments plus uniform outliers, ``[N, 2]``."""
    parts = []
    for _ in range(lines):
        a, b = rng.uniform(5, 95, size=2), rng.uniform(5, 95, size=2)
        t = rng.uniform(0, 1, size=(int(rng.integers(12, 45)), 1))
        parts.append(a + t * (b - a) + rng.normal(0, rng.uniform(0.3, 2.5), size=(len(t), 2)))
    parts.append(rng.uniform(0, _BOX, size=(int(rng.integers(0, 50)), 2)))
    points = np.concatenate(parts)
    return np.round(points) if rng.random() < 0.4 else points  # integer pixel coordinates sometimes


def _polar_line(theta: float, rho: float) -> tuple[list[float], list[float]]:
    """A long segment of the line ``x cos θ + y sin θ = ρ`` (the axes clip it)."""
    cx, cy, dx, dy = rho * np.cos(theta), rho * np.sin(theta), -np.sin(theta), np.cos(theta)
    return [cx - 300 * dx, cx + 300 * dx], [cy - 300 * dy, cy + 300 * dy]


def _votes(points: np.ndarray, thetas: np.ndarray, rho_bins: int) -> np.ndarray:
    """Hough accumulator ``[rho_bins, len(thetas)]``: one vote per point and angle."""
    rho = points[:, :1] * np.cos(thetas)[None] + points[:, 1:] * np.sin(thetas)[None]
    index = np.clip(((rho + _RHO) / (2 * _RHO) * rho_bins).astype(int), 0, rho_bins - 1)
    acc = np.zeros((rho_bins, len(thetas)))
    np.add.at(acc, (index, np.broadcast_to(np.arange(len(thetas)), index.shape)), 1)
    return acc


def _algorithm_states(rng: np.random.Generator, method: str, points: np.ndarray, ticks: int) -> list[dict[str, Any]]:
    """What the plot shows at each update: lines, inliers, heat-map, marker, status text."""
    states: list[dict[str, Any]] = []
    if method == "fit":  # gradient descent on a least-squares line, over a coarse loss grid
        u, v = (points[:, 0] - 50) / 50, (points[:, 1] - 50) / 50
        size = int(rng.integers(12, 32))
        slopes, offsets = np.linspace(-3, 3, size), np.linspace(-1.5, 1.5, size)
        grid = ((slopes[None, :, None] * u + offsets[:, None, None] - v) ** 2).mean(axis=-1)
        heat = np.log1p(grid) if rng.random() < 0.6 else grid
        param, velocity = np.array([rng.uniform(-3, 3), rng.uniform(-1.5, 1.5)]), np.zeros(2)
        rate, momentum = rng.uniform(0.05, 0.3), rng.uniform(0.0, 0.8)
        path = []
        for tick in range(ticks):
            path.append(param.copy())
            residual = param[0] * u + param[1] - v
            velocity = momentum * velocity - rate * np.array([(residual * u).mean(), residual.mean()]) * 2
            param = param + velocity
            xs = [0.0, _BOX]
            ys = [50 + 50 * (param[0] * (x - 50) / 50 + param[1]) for x in xs]
            inliers = np.abs(residual) < 0.08
            loss = float((residual**2).mean())
            states.append({
                "lines": [(xs, ys)], "inliers": inliers, "heat": heat, "extent": (-3, 3, -1.5, 1.5),
                "marker": np.array(path), "text": f"iter {tick}  loss {loss:.4f}", "labels": ("slope", "intercept"),
            })  # fmt: skip
        return states
    thetas = np.linspace(0, np.pi, int(rng.integers(18, 46)), endpoint=False)
    rho_bins = int(rng.integers(15, 41))
    extent = (0.0, 180.0, -_RHO, _RHO)
    if method == "hough":  # the angle sweeps across the accumulator, column by column
        full = _votes(points, thetas, rho_bins)
        sweep = max(2, int(ticks * rng.uniform(0.6, 0.9)))
        peaks = np.argsort(full, axis=None)[::-1][: int(rng.integers(1, 4))]
        for tick in range(ticks):
            column = min(len(thetas) - 1, tick * len(thetas) // sweep)
            heat = np.where(np.arange(len(thetas))[None] <= column, full, 0.0)
            if tick < sweep:
                best = [(int(np.argmax(full[:, column])), column)]
            else:  # done: the strongest cells are the detected lines
                best = [(int(p // len(thetas)), int(p % len(thetas))) for p in peaks]
            lines, inliers = [], np.zeros(len(points), dtype=bool)
            for r, c in best:
                rho = (r + 0.5) / rho_bins * 2 * _RHO - _RHO
                lines.append(_polar_line(float(thetas[c]), rho))
                distance = points[:, 0] * np.cos(thetas[c]) + points[:, 1] * np.sin(thetas[c]) - rho
                inliers |= np.abs(distance) < 2 * _RHO / rho_bins
            marker = np.array([[np.degrees(thetas[c]) + 90 / len(thetas), (r + 0.5) / rho_bins * 2 * _RHO - _RHO]
                               for r, c in best])  # fmt: skip
            text = f"theta = {np.degrees(thetas[column]):.0f} deg" if tick < sweep else f"{len(best)} lines found"
            states.append({"lines": lines, "inliers": inliers, "heat": heat, "extent": extent, "marker": marker,
                           "text": text, "labels": ("theta (deg)", "rho")})  # fmt: skip
        return states
    heat, best_score, best_line = np.zeros((rho_bins, len(thetas))), -1, None  # ransac: sampled candidates vote
    per_tick = int(rng.integers(1, 8))  # candidates sampled between two redraws; the last one is shown
    for tick in range(ticks):
        heat = heat.copy()
        for _ in range(per_tick):
            i, j = rng.choice(len(points), size=2, replace=False)
            (x0, y0), (x1, y1) = points[i], points[j]
            theta = float(np.arctan2(x1 - x0, -(y1 - y0)) % np.pi)
            rho = float(x0 * np.cos(theta) + y0 * np.sin(theta))
            inliers = np.abs(points[:, 0] * np.cos(theta) + points[:, 1] * np.sin(theta) - rho) < 2.5
            c = min(len(thetas) - 1, int(theta / np.pi * len(thetas)))
            r = int(np.clip((rho + _RHO) / (2 * _RHO) * rho_bins, 0, rho_bins - 1))
            heat[r, c] += int(inliers.sum())
            if inliers.sum() > best_score:
                best_score, best_line = int(inliers.sum()), _polar_line(theta, rho)
        states.append({"lines": [_polar_line(theta, rho), best_line], "inliers": inliers, "heat": heat,
                       "extent": extent, "marker": np.array([[np.degrees(theta), rho]]),
                       "text": f"iter {tick}  inliers {int(inliers.sum())}  best {best_score}",
                       "labels": ("theta (deg)", "rho")})  # fmt: skip
    return states


def render_algorithm(
    rng: np.random.Generator,
    width: int,
    height: int,
    fps: int,
    num_frames: int,
    *,
    layout: str | None = None,
    method: str | None = None,
) -> Iterator[np.ndarray]:
    """An algorithm visualisation redrawn at 2–10 Hz: points with a line swept (Hough), fitted (gradient
    descent) or sampled (RANSAC) through them, beside a coarse heat-map with nearest-neighbour cells.

    ``layout`` ("both", "heat", "points") and ``method`` (``ALGORITHMS``) are drawn from ``rng`` when
    not given (tests fix them)."""
    plt = _pyplot()
    layout = layout or str(rng.choice(LAYOUTS))
    method = method or str(rng.choice(ALGORITHMS))
    dark = bool(rng.random() < 0.75)
    style = "dark_background" if dark else str(rng.choice(ALGORITHM_LIGHT_STYLES))
    cmap = str(rng.choice(HEAT_CMAPS))
    update_every = max(1, round(fps / rng.uniform(2.0, 10.0)))
    ticks = num_frames // update_every + 1
    points = _edge_points(rng, 1 if method == "fit" else int(rng.integers(1, 4)))
    states = _algorithm_states(rng, method, points, ticks)
    point_colour, line_colour, best_colour, inlier_colour = (
        [str(c) for c in rng.permutation(["white", "cyan", "yellow", "lime", "red", "magenta", "orange"])[:4]]
        if dark
        else [str(c) for c in rng.permutation(["C0", "C1", "C2", "C3", "k", "C4"])[:4]]
    )
    size = float(rng.uniform(3, 14))
    titles = {"hough": "Hough transform", "fit": "Gradient descent", "ransac": "RANSAC"}
    with plt.style.context(style):
        fig = plt.figure(figsize=(width / 100, height / 100), dpi=100)
        try:
            panels = {"both": ("points", "heat"), "heat": ("heat",), "points": ("points",)}[layout]
            axes = {name: fig.add_subplot(1, len(panels), k + 1) for k, name in enumerate(panels)}
            artists: dict[str, Any] = {}
            first = states[0]
            bare = layout == "heat" and bool(rng.random() < 0.5)  # a bare image window (cv2.imshow style)
            if "points" in axes:
                ax = axes["points"]
                artists["scatter"] = ax.scatter(points[:, 0], points[:, 1], s=size, c=point_colour, linewidths=0)
                artists["lines"] = [ax.plot([], [], color=c, linewidth=1.2)[0] for c in (line_colour, best_colour)]
                artists["lines"] += [ax.plot([], [], color=line_colour, linewidth=1.2)[0] for _ in range(2)]
                ax.set_xlim(0, _BOX)
                ax.set_ylim(_BOX, 0) if rng.random() < 0.5 else ax.set_ylim(0, _BOX)  # image rows grow down
                ax.set_title(titles[method], fontsize=7)
            if "heat" in axes:
                ax = axes["heat"]
                artists["image"] = ax.imshow(
                    first["heat"], cmap=cmap, interpolation="nearest", aspect="auto", extent=first["extent"],
                    origin="lower",
                )  # fmt: skip
                artists["marker"] = ax.plot(
                    [], [], marker="+" if method != "fit" else ".", color=best_colour, markersize=6,
                    linestyle="-" if method == "fit" else "none", linewidth=0.8,
                )[0]  # fmt: skip
                ax.set_xlabel(first["labels"][0], fontsize=6)
                ax.set_ylabel(first["labels"][1], fontsize=6)
                ax.set_xlim(first["extent"][0], first["extent"][1])
                ax.set_ylim(first["extent"][2], first["extent"][3])
                ax.grid(False)
                if not bare and rng.random() < 0.5:
                    fig.colorbar(artists["image"], ax=ax, fraction=0.08, pad=0.03).ax.tick_params(labelsize=5)
            for ax in axes.values():
                ax.tick_params(labelsize=6)
            status = fig.text(0.01, 0.01, "", fontsize=6, family="monospace")
            if bare:
                axes["heat"].set_position((0.0, 0.0, 1.0, 1.0))
                axes["heat"].set_axis_off()
                status.set_visible(False)
            else:
                fig.tight_layout(pad=0.6, rect=(0, 0.04, 1, 1))
            frame = None
            for i in range(num_frames):
                if frame is None or i % update_every == 0:
                    state = states[min(i // update_every, len(states) - 1)]
                    if "scatter" in artists:
                        colours = np.where(state["inliers"][:, None], _rgba(inlier_colour), _rgba(point_colour))
                        artists["scatter"].set_facecolors(colours)
                        for k, line in enumerate(artists["lines"]):
                            segment = state["lines"][k] if k < len(state["lines"]) else None
                            line.set_data(*(segment if segment is not None else ([], [])))
                    if "image" in artists:
                        artists["image"].set_data(state["heat"])
                        artists["image"].set_clim(float(state["heat"].min()), max(1.0, float(state["heat"].max())))
                        artists["marker"].set_data(state["marker"][:, 0], state["marker"][:, 1])
                    status.set_text(state["text"])
                    fig.canvas.draw()
                    frame = np.asarray(fig.canvas.buffer_rgba())[..., :3].copy()
                yield frame
        finally:
            plt.close(fig)


def _rgba(colour: str) -> np.ndarray:
    from matplotlib.colors import to_rgba

    return np.array(to_rgba(colour))


# ----------------------------------------------------------------------------- audio / oscilloscope scopes

#: Phosphor colours of the scope's trace.
SCOPE_COLOURS: dict[str, tuple[int, int, int]] = {
    "green": (60, 255, 90),
    "cyan": (70, 230, 255),
    "amber": (255, 176, 40),
}
SCOPE_COLOUR_WEIGHTS: tuple[float, ...] = (0.6, 0.2, 0.2)
#: Resolutions the visualiser draws at before the window (and the capture) enlarges it, blurrily.
SCOPE_SIZES: tuple[tuple[int, int], ...] = ((96, 72), (128, 96), (160, 120), (200, 150))
SCOPE_MODES: tuple[str, ...] = ("wave", "bars", "spectrum", "dual", "waterfall")
SAMPLE_RATE = 22050
_FFT = 1024


class _Audio:
    """A music-like signal: a few notes with harmonics and a slow vibrato, beats with decaying
    envelopes, a noise burst (a drum) on each beat and a little hiss."""

    def __init__(self, rng: np.random.Generator) -> None:
        count = int(rng.integers(2, 5))
        self.rng = rng
        self.freqs = np.exp(rng.uniform(np.log(55), np.log(900), size=count))
        harmonics = np.arange(1, 7)
        self.partials = (self.freqs[:, None] * harmonics[None]).ravel()
        self.amps = (rng.uniform(0.2, 1.0, size=(count, 1)) / harmonics[None] ** rng.uniform(0.8, 2.0)).ravel()
        self.phases = rng.uniform(0, 2 * np.pi, size=self.partials.size)
        self.tempo, self.decay = float(rng.uniform(1.2, 3.5)), float(rng.uniform(1.5, 6.0))
        self.noise, self.drum = float(rng.uniform(0.003, 0.03)), float(rng.uniform(0.02, 0.25))

    def samples(self, start: float, count: int) -> np.ndarray:
        """``count`` samples from time ``start`` s, roughly in [-1, 1]."""
        t = start + np.arange(count) / SAMPLE_RATE
        beat = (t * self.tempo) % 1.0
        envelope = 0.25 + np.exp(-beat * self.decay)
        vibrato = 1 + 0.01 * np.sin(2 * np.pi * 0.3 * t)
        tone = self.amps[:, None] * np.sin(2 * np.pi * self.partials[:, None] * vibrato * t + self.phases[:, None])
        hiss = (self.noise + self.drum * np.exp(-beat * 25)) * self.rng.normal(size=count)
        return np.asarray(envelope * tone.sum(0) / self.amps.sum() + hiss)

    def spectrum(self, start: float, bands: int) -> np.ndarray:
        """Levels in [0, 1] of ``bands`` log-spaced bands (40 Hz .. Nyquist): 0 at -48 dB below a
        full-scale sine, 1 at full scale, to the power 1.5 so that hiss stays low and loud partials stand out."""
        window = np.hanning(_FFT)
        power = np.abs(np.fft.rfft(self.samples(start, _FFT) * window)) ** 2
        freqs = np.fft.rfftfreq(_FFT, 1 / SAMPLE_RATE)
        edges = np.geomspace(40, SAMPLE_RATE / 2, bands + 1)
        index = np.clip(np.searchsorted(edges, freqs) - 1, 0, bands - 1)
        band = np.zeros(bands)
        np.maximum.at(band, index[1:], power[1:])
        db = 10 * np.log10(band / (window.sum() / 2) ** 2 + 1e-12)
        return np.clip(1 + db / 48, 0, 1) ** 1.5


def _trace(rows: int, y: np.ndarray) -> np.ndarray:
    """A connected 1-px polyline through ``y`` (one value per column) as a ``[rows, columns]`` mask."""
    y = np.clip(np.round(y), 0, rows - 1)
    low = np.minimum(y, np.concatenate([y[1:], y[-1:]]))
    high = np.maximum(y, np.concatenate([y[1:], y[-1:]]))
    r = np.arange(rows)[:, None]
    return ((r >= low[None]) & (r <= high[None])).astype(np.float32)


def _scope_overlay(rng: np.random.Generator, lw: int, lh: int) -> np.ndarray:
    """The static graticule: a faint grid (lines or dots) and a border, as intensities ``[lh, lw]``."""
    overlay = np.zeros((lh, lw), dtype=np.float32)
    level = float(rng.uniform(0.07, 0.16))
    divisions_x, divisions_y = int(rng.choice([8, 10, 12])), int(rng.choice([6, 8]))
    xs = np.linspace(0, lw - 1, divisions_x + 1).round().astype(int)
    ys = np.linspace(0, lh - 1, divisions_y + 1).round().astype(int)
    if rng.random() < 0.5:
        overlay[:, xs] = level
        overlay[ys, :] = level
    else:  # dotted graticule
        overlay[np.ix_(ys, np.arange(0, lw, 2))] = level
        overlay[np.ix_(np.arange(0, lh, 2), xs)] = level
    overlay[lh // 2, :] = max(level, overlay[lh // 2, 0]) * 1.5  # brighter centre axis
    return overlay


def render_scope(
    rng: np.random.Generator,
    width: int,
    height: int,
    fps: int,
    num_frames: int,
    *,
    mode: str | None = None,
    colour: str | None = None,
) -> Iterator[np.ndarray]:
    """An audio visualiser or oscilloscope: a waveform, spectrum bars, a filled spectrum, both, or a
    waterfall, in one phosphor colour on black with a faint grid and a readout, drawn at a low
    resolution with persistence and glow, then enlarged. It refreshes at 8–30 Hz.

    ``mode`` (``SCOPE_MODES``) and ``colour`` (``SCOPE_COLOURS``) come from ``rng`` unless given."""
    names = list(SCOPE_COLOURS)
    colour = colour or names[int(rng.choice(len(names), p=SCOPE_COLOUR_WEIGHTS))]
    mode = mode or str(rng.choice(SCOPE_MODES))
    lw, lh = SCOPE_SIZES[int(rng.integers(len(SCOPE_SIZES)))]
    tint = np.array(SCOPE_COLOURS[colour], dtype=np.float32)
    audio = _Audio(rng)
    overlay = (
        _scope_overlay(rng, lw, lh) if mode != "waterfall" or rng.random() < 0.3 else np.zeros((lh, lw), np.float32)
    )
    update_every = max(1, round(fps / rng.uniform(8.0, 30.0)))
    persistence = float(rng.uniform(0.0, 0.6))
    glow = float(rng.uniform(0.3, 0.7))
    # samples across the screen: at most a cycle of the highest partial per 6 columns, so the trace stays a line
    span = int(SAMPLE_RATE * max(0.002, min(rng.uniform(0.008, 0.05), lw / (6 * audio.freqs.max()))))
    gain = float(rng.uniform(0.5, 0.95)) * lh / 2
    bands = int(rng.choice([16, 24, 32, 48]))
    readout = font(int(rng.choice([8, 9, 10])))
    label = str(rng.choice(["CH1 500mV 2ms", "L+R  44.1kHz", "FFT 1024  -48dB", "AUDIO IN", "MON 1"]))
    filter_ = Image.Resampling.BILINEAR if rng.random() < 0.5 else Image.Resampling.BICUBIC
    title_bar = round(height * 0.06) if rng.random() < 0.3 else 0
    title = str(rng.choice(["cava", "scope - alsa", "Spectrum Analyzer", "sndpeek", "audio monitor"]))
    trail = np.zeros((lh, lw), dtype=np.float32)
    peaks = np.zeros(bands)
    bar_fill = float(rng.uniform(0.55, 0.85))
    history = np.stack([audio.spectrum(-k / fps, bands) for k in range(lh, 0, -1)]).astype(np.float32)
    column = np.minimum(np.arange(lw) * bands // lw, bands - 1)  # the band each screen column shows
    gap = (np.arange(lw) * bands / lw) % 1 > bar_fill  # columns between two bars
    title_pixels = None
    if title_bar:  # a window title bar above the scope; it never changes
        bar = Image.new("RGB", (width, title_bar), (45, 45, 48))
        ImageDraw.Draw(bar).text((width // 2, title_bar // 2), title, font=font(max(8, title_bar - 6)),
                                 fill=(210, 210, 210), anchor="mm")  # fmt: skip
        title_pixels = np.asarray(bar)
    frame = None
    for i in range(num_frames):
        if frame is not None and i % update_every:
            yield frame
            continue
        start = i / fps
        levels = audio.spectrum(start, bands)
        peaks = np.maximum(levels, peaks - 0.04)
        wave_rows = lh if mode == "wave" else lh // 2
        new = np.zeros((lh, lw), dtype=np.float32)
        if mode in ("wave", "dual"):
            y = np.interp(np.linspace(0, span - 1, lw), np.arange(span), audio.samples(start, span))
            new[:wave_rows] = _trace(wave_rows, wave_rows / 2 - y * gain * wave_rows / lh)
        if mode in ("bars", "dual"):
            top = 0 if mode == "bars" else wave_rows
            rows = lh - top
            height_px = np.where(gap, 0, levels[column] * rows)
            r = np.arange(rows)[:, None]
            new[top:] = np.maximum(new[top:], (r >= rows - height_px[None]).astype(np.float32))
            cap = np.clip(np.round(rows - 1 - peaks[column] * rows), 0, rows - 1).astype(int)
            new[top + cap[~gap], np.arange(lw)[~gap]] = 1.0
        if mode == "spectrum":
            curve = np.interp(np.linspace(0, bands - 1, lw), np.arange(bands), levels) * lh
            r = np.arange(lh)[:, None]
            new = 0.35 * (r >= lh - curve[None]).astype(np.float32)
            new = np.maximum(new, _trace(lh, lh - 1 - curve))
        if mode == "waterfall":  # the newest spectrum at the bottom, older ones scroll up
            history = np.concatenate([history[1:], levels[None].astype(np.float32)])
            new = history[:, column] ** 2
        trail = np.maximum(new, trail * persistence)
        text = Image.new("L", (lw, lh))
        draw = ImageDraw.Draw(text)
        draw.text((2, 1), label, font=readout, fill=150)
        draw.text(
            (2, lh - readout.size - 2), f"pk {20 * np.log10(levels.max() + 1e-3):5.1f} dB", font=readout, fill=120
        )
        lum = np.maximum(np.maximum(trail, overlay), np.asarray(text, dtype=np.float32) / 255)
        padded = np.pad(lum, 1)
        blur = sum(padded[dy : dy + lh, dx : dx + lw] for dy in range(3) for dx in range(3)) / 9
        lum = np.clip(lum + glow * blur, 0, 1)
        rgb = tint * lum[..., None] + (255 - tint) * (lum[..., None] ** 4) * 0.5  # a whiter core
        small = Image.fromarray(np.clip(rgb, 0, 255).astype(np.uint8))
        image = np.zeros((height, width, 3), dtype=np.uint8)
        image[title_bar:] = np.asarray(small.resize((width, height - title_bar), filter_))
        if title_pixels is not None:
            image[:title_bar] = title_pixels
        frame = image
        yield frame
