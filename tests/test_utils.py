"""Shared helpers: atomic writes and the progress bar's rate column."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.console import Console

from vidcls.utils.io import atomic_path, atomic_write_text
from vidcls.utils.progress import progress_bar


def test_atomic_write_replaces_whole_file(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "metrics.json"
    atomic_write_text(target, "old")
    atomic_write_text(target, "new")
    assert target.read_text() == "new"
    assert sorted(p.name for p in target.parent.iterdir()) == ["metrics.json"]


def test_failed_write_keeps_the_old_file_and_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "report.csv"
    target.write_text("complete old report")
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text("half a rep")
        raise RuntimeError("killed mid-write")
    assert target.read_text() == "complete old report"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.csv"]


def test_progress_bar_shows_rate_in_the_jobs_unit() -> None:
    console = Console(record=True, width=120, force_terminal=True)
    with progress_bar("videos", console) as progress:
        task = progress.add_task("extracting", total=4)
        progress.advance(task, 4)
    text = console.export_text()
    assert "extracting" in text and "4/4" in text and "videos/s" in text
