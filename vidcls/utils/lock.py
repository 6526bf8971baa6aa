"""One writer per output folder: an advisory ``flock`` on a lock file, held for the whole job.

The kernel drops the lock when the process exits, however it exits (kill -9 included), so a lock
is never stale: a leftover lock file from a dead run is simply locked again. The file holds who
took it (pid, host, start time, command) only to name the other run in the error.

A lock is re-entrant within one process: a job that took its folder's lock before planning can
call library code (``run_extraction``, ``merge_shards``) that takes the same lock again.
"""

from __future__ import annotations

import contextlib
import errno
import os
import socket
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from vidcls.errors import VidclsError

try:
    import fcntl
except ImportError:  # Windows: no flock; runs are not serialised there
    fcntl = None  # type: ignore[assignment]

LOCK_NAME = ".vidcls.lock"
#: What a non-blocking flock fails with when another process holds the lock (anything else: no locks there).
_HELD_ERRNOS = frozenset({errno.EAGAIN, errno.EWOULDBLOCK, errno.EACCES})
#: How long a run that finds the lock taken waits for its holder to have written who it is (seconds).
_HOLDER_WAIT_S = 0.5
#: Locks this process holds: lock file -> (exclusive, depth), for re-entrant use.
_held: dict[Path, tuple[bool, int]] = {}


@contextlib.contextmanager
def folder_lock(
    folder: Path,
    advice: str,
    *,
    shared: bool = False,
    name: str = LOCK_NAME,
    on_wait: Callable[[str], None] | None = None,
    what: Path | None = None,
) -> Iterator[Path]:
    """Hold ``folder/<name>`` while the block runs; by default another holder means one clear error.

    ``advice`` completes "wait for it to finish, or ...", e.g. "use another data.features_dir".
    ``shared``: many shared holders may hold it at once, never beside an exclusive one.
    ``on_wait``: instead of failing, wait for the holder (called first with who holds it).
    ``what``: the thing the lock guards, named in the error (default: ``folder``).
    """
    folder.mkdir(parents=True, exist_ok=True)
    path = (folder / name).resolve()
    if path in _held:
        exclusive, depth = _held[path]
        if exclusive or shared:
            _held[path] = (exclusive, depth + 1)
            try:
                yield path
            finally:
                _held[path] = (exclusive, depth)
            return
        raise RuntimeError(f"{path}: an exclusive lock asked for inside a shared one of the same process")
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        if fcntl is not None:
            mode = fcntl.LOCK_SH if shared else fcntl.LOCK_EX
            try:
                fcntl.flock(fd, mode | fcntl.LOCK_NB)
            except OSError as err:
                if err.errno not in _HELD_ERRNOS:
                    raise VidclsError(
                        f"cannot lock {path} ({err.strerror}): its filesystem does not support file locks (flock); "
                        "use a folder on one that does (a local disk, NFSv4, Lustre mounted with -o flock)"
                    ) from None
                if on_wait is None:
                    raise VidclsError(
                        f"{what or folder} is in use by another run ({_holder(fd)}); wait for it to finish, "
                        f"or {advice}. "
                        "(The lock is released when that process exits, however it exits.)"
                    ) from None
                on_wait(_holder(fd))
                fcntl.flock(fd, mode)
        info = (
            f"pid {os.getpid()} on {socket.gethostname()}, since "
            f"{time.strftime('%Y-%m-%d %H:%M:%S', time.localtime())}: {' '.join(sys.argv)[:300]}"
        )
        os.ftruncate(fd, 0)
        os.pwrite(fd, info.encode(), 0)
        _held[path] = (not shared, 1)
        try:
            yield path
        finally:
            del _held[path]
    finally:
        os.close(fd)  # closing the descriptor releases the flock


def path_lock(path: Path, what: Path, advice: str) -> contextlib.AbstractContextManager[Path]:
    """Hold the lock file ``path`` guarding ``what`` (one writer per file where a folder holds several
    writers' files, e.g. predict's shard files)."""
    return folder_lock(path.parent, advice, name=path.name, what=what)


def _holder(fd: int) -> str:
    """Who holds the lock, as its holder wrote it (it writes just after taking the lock: give it a moment)."""
    deadline = time.monotonic() + _HOLDER_WAIT_S
    while True:
        holder = os.pread(fd, 4096, 0).decode("utf-8", "replace").strip()
        if holder or time.monotonic() > deadline:
            return holder or "another process"
        time.sleep(0.01)
