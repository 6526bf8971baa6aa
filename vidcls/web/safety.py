"""The one gate between a request-supplied path and the file system.

Every path a client sends (a dataset video to play or classify) goes through :func:`resolve_under`
before anything touches the disk, so the web app can only ever read regular files inside the
configured videos root: no ``..``, no absolute paths, no NUL bytes, no symlink that points outside.
"""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path, PurePosixPath

from vidcls.errors import VidclsError


class UnsafePathError(VidclsError):
    """A client asked for a path outside the videos root (or a malformed one): answered with 400/404."""


class VideoNotFoundError(VidclsError):
    """A safe path that names no regular file under the videos root: answered with 404."""


def _reject(rel: str, why: str) -> UnsafePathError:
    return UnsafePathError(
        f"refused path {rel!r}: {why}. Use a path relative to the videos root, as listed by /api/videos."
    )


def clean_relative(rel: str) -> PurePosixPath:
    """Check a client path *lexically*: relative, no ``..``, no NUL, no backslash tricks, not empty."""
    if not isinstance(rel, str) or not rel.strip():
        raise _reject(str(rel), "empty path")
    if "\x00" in rel:
        raise _reject(rel, "NUL byte in path")
    if "\\" in rel:
        raise _reject(rel, "backslashes are not allowed")
    if rel.startswith("/") or (len(rel) > 1 and rel[1] == ":"):
        raise _reject(rel, "absolute paths are not allowed")
    parts = PurePosixPath(rel).parts
    if any(part == ".." for part in parts):
        raise _reject(rel, "'..' is not allowed")
    parts = tuple(part for part in parts if part != ".")
    if not parts:
        raise _reject(rel, "empty path")
    return PurePosixPath(*parts)


def resolve_under(root: str | os.PathLike[str], rel: str) -> Path:
    """The real path of ``rel`` inside ``root``; raise unless it is a regular file under the real root.

    The lexical check stops ``..`` and absolute paths; resolving symlinks and re-checking
    ``is_relative_to`` on the *real* paths stops a link inside the root that points outside it.
    """
    clean = clean_relative(rel)
    real_root = Path(root).resolve(strict=True)
    candidate = real_root.joinpath(clean)
    try:
        real = candidate.resolve(strict=True)
    except (FileNotFoundError, NotADirectoryError):
        raise VideoNotFoundError(
            f"no video {str(clean)!r} under the videos root. List the available ones with /api/videos."
        ) from None
    except (OSError, RuntimeError) as err:  # symlink loops, permission problems
        raise _reject(rel, f"cannot be resolved ({err.__class__.__name__})") from None
    if not real.is_relative_to(real_root):
        raise _reject(rel, "it leaves the videos root (symlink escape)")
    if not real.is_file():
        raise VideoNotFoundError(f"{str(clean)!r} is not a video file. List the available ones with /api/videos.")
    return real


def relative_key(root: str | os.PathLike[str], path: str | os.PathLike[str]) -> str | None:
    """``path`` as a POSIX path relative to the real ``root``, or ``None`` when it lies outside it."""
    real_root = Path(root).resolve()
    try:
        real = Path(path).resolve()
    except (OSError, RuntimeError):
        return None
    if not real.is_relative_to(real_root):
        return None
    return real.relative_to(real_root).as_posix()


def unservable_reason(rel: str) -> str | None:
    """Why a file found under the root could not be fetched by its ``/media/`` URL (``None``: it can).

    The catalog lists only names a browser can ask for and :func:`clean_relative` accepts: a newline
    or other control character never survives a URL route, a name that is not valid UTF-8 (a lone
    surrogate from ``os.walk``) cannot be URL-encoded, and a backslash is refused as a path trick.
    """
    if any(unicodedata.category(ch) in ("Cc", "Cs") for ch in rel):
        return "its name contains a control character or bytes that are not UTF-8"
    try:
        clean_relative(rel)
    except UnsafePathError as err:
        return str(err)
    return None
