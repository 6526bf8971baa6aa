"""One look for every long job's progress: a rich bar on a terminal, plain timed lines in logs.

On a terminal: description, bar, count, rate in real units, ETA. When the console is not a terminal
(nohup, SLURM, CI: stderr is a file or a pipe) rich draws nothing until the job ends, so
:func:`progress_bar` returns a :class:`PlainProgress` instead: the same API, printing one plain
line per task (done/total, rate, ETA) at most every ``progress_interval_s`` seconds (the entry
points' configs set it, see :func:`set_plain_interval`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

#: One file's 0..1 progress callback (extraction, prediction and timelines report through it).
FileProgress = Callable[[float], None]


def part_progress(progress: FileProgress | None, offset: float, share: float) -> FileProgress | None:
    """A stage's slice ``[offset, offset + share]`` of a file's progress (None stays None)."""
    if progress is None:
        return None
    return lambda fraction: progress(offset + share * float(fraction))


class RateColumn(ProgressColumn):
    """Items per second in the job's own unit (rich's built-in speed column speaks bytes)."""

    def __init__(self, unit: str) -> None:
        super().__init__()
        self.unit = unit

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        text = f"{speed:.2f} {self.unit}/s" if speed else f"-- {self.unit}/s"
        return Text(text, style="progress.data.speed")


def format_duration(seconds: float) -> str:
    """``1h02m``, ``4m08s``, ``12s``: short enough for a log line."""
    seconds = max(0, round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes:02d}m"
    return f"{minutes}m{secs:02d}s" if minutes else f"{secs}s"


def plain_line(
    description: str, completed: float, total: float | None, elapsed_s: float, unit: str, fractional: bool = False
) -> str:
    """``extracting: 12/99 videos (12%), 0.35 videos/s, eta 4m08s, elapsed 34s``: rate and ETA from the start."""
    if fractional and total:
        head = f"{description}: {100 * completed / total:.0f}%"
    elif total:
        head = f"{description}: {completed:g}/{total:g} {unit} ({100 * completed / total:.0f}%)"
    else:
        head = f"{description}: {completed:g} {unit}"
    parts = [head]
    rate = completed / elapsed_s if elapsed_s > 0 else 0.0
    if not fractional:
        parts.append(f"{rate:.2f} {unit}/s" if rate > 0 else f"-- {unit}/s")
    if total and completed >= total:
        parts.append("done")
    elif total and rate > 0:
        parts.append(f"eta {format_duration((total - completed) / rate)}")
    else:
        parts.append("eta --")
    parts.append(f"elapsed {format_duration(elapsed_s)}")
    return ", ".join(parts)


#: Seconds between plain progress lines; set from the config's ``progress_interval_s`` by the CLI wrapper.
_plain_interval_s: float | None = None


def set_plain_interval(seconds: float | None) -> None:
    """Use ``seconds`` between plain progress lines from now on (``None``: the built-in 30 s)."""
    global _plain_interval_s
    if seconds is not None and float(seconds) <= 0:
        raise ValueError(f"progress_interval_s must be > 0, got {seconds}")
    _plain_interval_s = None if seconds is None else float(seconds)


def plain_interval() -> float:
    return 30.0 if _plain_interval_s is None else _plain_interval_s


class PlainProgress(Progress):
    """rich's task bookkeeping without the live display; a timer thread prints plain lines instead.

    One line per visible task every ``interval_s`` while the job runs (also when nothing advanced,
    so a log shows the job is alive), and a closing line per task if any line was printed.
    """

    def __init__(self, unit: str, console: Console | None, interval_s: float, fractional: bool = False) -> None:
        super().__init__(console=console, disable=True)
        self.unit = unit
        self.interval_s = float(interval_s)
        self.fractional = fractional
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._printed = False

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="plain-progress", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        if self._thread is not None:
            self._stop.set()
            self._thread.join()
            self._thread = None
            if self._printed:
                self.print_lines()

    def _loop(self) -> None:
        while not self._stop.wait(self.interval_s):
            self.print_lines()

    def lines(self) -> list[str]:
        with self._lock:
            tasks = [(t.description, t.completed, t.total, t.elapsed or 0.0) for t in self._tasks.values() if t.visible]
        # Rate and ETA over each task's whole run, not rich's 30 s window: steadier in a log read later.
        return [plain_line(d, c, t, e, self.unit, self.fractional and t == 1.0) for d, c, t, e in tasks]

    def print_lines(self) -> None:
        for line in self.lines():
            self.console.print(line, markup=False, highlight=False, soft_wrap=True)
            self._printed = True

    def __exit__(self, *exc: Any) -> None:
        self.stop()


def progress_bar(
    unit: str,
    console: Console | None = None,
    *,
    fractional: bool = False,
    disable: bool = False,
    interval_s: float | None = None,
) -> Progress:
    """A rich progress bar with rate and ETA; ``fractional`` tasks (total=1.0) show percent, not M/N.

    When ``console`` is not a terminal, a :class:`PlainProgress` printing a line every
    ``interval_s`` (default: :func:`plain_interval`) instead.
    """
    if not disable and console is not None and not console.is_terminal:
        return PlainProgress(unit, console, interval_s if interval_s is not None else plain_interval(), fractional)
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TaskProgressColumn() if fractional else MofNCompleteColumn(),
        RateColumn(unit),
        TextColumn("eta"),
        TimeRemainingColumn(),
        TimeElapsedColumn(),
        console=console,
        disable=disable,
    )
