"""Walk a folder of videos the same way everywhere (extract's scan, predict's folder argument).

Symlinked folders are followed (datasets are often assembled from links). A link that leads back
into a folder containing it, or onto the current path (a loop), is not followed, and a link whose
target is missing (dangling) is not a file: both come back as ``(path, reason)`` so the caller
reports them (``skipped.csv``, predict's errors) instead of letting them vanish. Hidden entries
(dot-files and dot-folders: ``.DS_Store``, ``._x``, tool markers) are not data and are ignored.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path


def link_problem(path: Path) -> str | None:
    """Why ``path`` is a symlink that cannot be read (dangling or a loop), else ``None``."""
    if not path.is_symlink():
        return None
    try:
        path.stat()
    except OSError as err:
        target = os.readlink(path)
        if err.errno == errno.ELOOP:
            return f"symlink loop ({path.name} -> {target} never reaches a file)"
        return f"dangling symlink (its target {target} does not exist)"
    return None


def walk_files(folder: Path) -> tuple[list[Path], list[tuple[Path, str]]]:
    """``(files, problems)`` under ``folder``, sorted; ``problems`` lists unreadable links with the reason."""
    files: list[Path] = []
    problems: list[tuple[Path, str]] = []

    def visit(directory: Path, ancestors: frozenset[str]) -> None:
        try:
            entries = sorted(directory.iterdir())
        except OSError as err:
            problems.append((directory, f"folder cannot be listed ({err.strerror or err})"))
            return
        for entry in entries:
            if entry.name.startswith("."):
                continue
            reason = link_problem(entry)
            if reason is not None:
                problems.append((entry, reason))
            elif entry.is_dir():
                real = os.path.realpath(entry)
                here = os.path.realpath(directory)
                if real in ancestors or here == real or here.startswith(real.rstrip(os.sep) + os.sep):
                    target = os.readlink(entry) if entry.is_symlink() else real
                    problems.append((entry, f"symlink loop ({entry.name} -> {target} leads back into {real})"))
                else:
                    visit(entry, ancestors | {real})
            elif entry.is_file():
                files.append(entry)
            else:
                problems.append((entry, "not a regular file (device, socket or pipe)"))

    reason = link_problem(folder)
    if reason is not None:
        return [], [(folder, reason)]
    visit(folder, frozenset({os.path.realpath(folder)}))
    return sorted(files), sorted(problems)
