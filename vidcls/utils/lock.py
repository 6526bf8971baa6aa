"""One writer per output folder: an advisory ``flock`` on a lock file, held for the whole job.

The kernel drops the lock when the process exits, however it exits (kill -9 included), so a lock
is never stale: a leftover lock file from a dead run is simply locked again. The file holds who
took it (pid, host, start time, command) only to name the other run in the error.
"""

from __future__ import annotations

import contextlib
import os
import socket
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from vidcls.errors import VidclsError

try:
    import fcntl
except ImportError:  # Windows: no flock; runs are not serialised there
    fcntl = None  # type: ignore[assignment]

LOCK_NAME = ".vidcls.lock"


@contextlib.contextmanager
def folder_lock(folder: Path, advice: str) -> Iterator[Path]:
    """Hold ``folder/.vidcls.lock`` while the block runs; another holder means one clear error, no waiting.

    ``advice`` completes "wait for it to finish, or ...", e.g. "use another data.features_dir".
    """
    folder.mkdir(parents=True, exist_ok=True)
    with path_lock(folder / LOCK_NAME, folder, advice) as path:
        yield path


@contextlib.contextmanager
def path_lock(path: Path, what: Path, advice: str) -> Iterator[Path]:
    """Hold the lock file ``path`` (guarding ``what``, named in the error) while the block runs.

    For one writer per file where a folder holds several writers' files (predict's shard files).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        if fcntl is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                holder = os.pread(fd, 4096, 0).decode("utf-8", "replace").strip() or "another process"
                raise VidclsError(
                    f"{what} is in use by another run ({holder}); wait for it to finish, or {advice}. "
                    "(The lock is released when that process exits, however it exits.)"
                ) from None
        info = (
            f"pid {os.getpid()} on {socket.gethostname()}, since "
            f"{time.strftime('%Y-%m-%d %H:%M:%S', time.localtime())}: {' '.join(sys.argv)[:300]}"
        )
        os.ftruncate(fd, 0)
        os.pwrite(fd, info.encode(), 0)
        yield path
    finally:
        os.close(fd)  # closing the descriptor releases the flock
