"""One look for every long job's progress bar: description, bar, count, rate in real units, ETA."""

from __future__ import annotations

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


class RateColumn(ProgressColumn):
    """Items per second in the job's own unit (rich's built-in speed column speaks bytes)."""

    def __init__(self, unit: str) -> None:
        super().__init__()
        self.unit = unit

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        text = f"{speed:.2f} {self.unit}/s" if speed else f"-- {self.unit}/s"
        return Text(text, style="progress.data.speed")


def progress_bar(
    unit: str,
    console: Console | None = None,
    *,
    fractional: bool = False,
    disable: bool = False,
) -> Progress:
    """A rich progress bar with rate and ETA; ``fractional`` tasks (total=1.0) show percent, not M/N."""
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
