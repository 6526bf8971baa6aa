"""Keep server-side absolute paths out of every answer.

Error messages are written for a user at a terminal (``/data/features/test_features_multiscale.h5 is
marked incomplete...``); over HTTP the same text would tell any caller how the server's disk is laid
out. Every message and the health report pass through :class:`Redactor`, which replaces the known
roots (videos, features, uploads, temp, home, working and install directories) by their names.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any


def _forms(path: str | os.PathLike[str]) -> set[str]:
    """A path as given, absolute and resolved (symlinks followed): messages may use any of them."""
    given = os.path.expanduser(str(path))
    forms = {given.rstrip("/") or "/", os.path.abspath(given)}
    with contextlib.suppress(OSError, RuntimeError):
        forms.add(str(Path(given).resolve()))
    return {f for f in forms if os.path.isabs(f) and f != "/"}


class Redactor:
    """Replaces each root (longest first) by ``<label>`` wherever it starts a path in a string."""

    def __init__(self, roots: Mapping[str, str | os.PathLike[str] | None]) -> None:
        defaults = {
            "temp": tempfile.gettempdir(),
            "home": os.path.expanduser("~"),
            "cwd": os.getcwd(),
            "python": sys.prefix,
            "vidcls": Path(__file__).resolve().parents[2],
        }
        pairs = {}
        for label, root in {**defaults, **roots}.items():
            if root is not None:
                for form in _forms(root):
                    pairs[form] = f"<{label}>"
        ordered = sorted(pairs, key=len, reverse=True)
        self._labels = pairs
        self._pattern = (
            re.compile("|".join(rf"(?<![\w.-]){re.escape(p)}(?![\w.-])" for p in ordered)) if ordered else None
        )

    def text(self, message: str) -> str:
        if self._pattern is None:
            return message
        return self._pattern.sub(lambda m: self._labels[m.group(0)], message)

    def json(self, value: Any) -> Any:
        """The same structure with every string redacted (data URLs, which hold image bytes, left as they are)."""
        if isinstance(value, str):
            return value if value.startswith("data:") else self.text(value)
        if isinstance(value, Mapping):
            return {k: self.json(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self.json(v) for v in value]
        return value
