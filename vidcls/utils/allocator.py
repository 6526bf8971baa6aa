"""Keep glibc malloc from returning large buffers to the kernel after every CNN/LSTM batch.

glibc serves allocations above ``M_MMAP_THRESHOLD`` (128 KiB, growing dynamically to at most
32 MiB) with a fresh ``mmap`` and gives them back with ``munmap`` on free; memory freed at the top
of the heap beyond ``M_TRIM_THRESHOLD`` is returned with ``brk``. A frozen CNN's activations
(about 150 MB per 24-frame batch for EfficientNet-Lite0 at 256²) are allocated and freed on every
batch, so every batch pays the page faults of touching that memory again, and extraction spent a
large share of its CPU time in the kernel (README's performance notes, bench/RESULTS.md). Raising
both thresholds keeps freed memory in the process for reuse (the peak stays resident; nothing
else changes, results are bit-identical).

:func:`tune_malloc` does what ``MALLOC_MMAP_THRESHOLD_`` / ``MALLOC_TRIM_THRESHOLD_`` do, from
inside the process, so users need not know about them. It is called at the start of every entry
point (``vidcls.utils.cli.run_hydra_cli``). The setting is process-wide: threads share it, forked
DataLoader workers inherit it (a fork copies the allocator state); spawned workers would not.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os

log = logging.getLogger(__name__)

#: ``mallopt`` parameter numbers from glibc's <malloc.h>.
M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
#: ``mallopt`` takes an int: the largest value it can set (2 GiB - 1). Allocations larger than this
#: still get their own mapping; everything a CNN batch or a training step allocates is smaller.
THRESHOLD_BYTES = 2**31 - 1
#: Environment variables that already set these thresholds; a user's explicit choice wins.
_ENV_VARS = ("MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_")

_applied: bool | None = None


def _glibc() -> ctypes.CDLL | None:
    """The C library when it is glibc (musl, macOS and Windows have no such thresholds)."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.gnu_get_libc_version.restype = ctypes.c_char_p
        libc.gnu_get_libc_version()
        libc.mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
        libc.mallopt.restype = ctypes.c_int
    except (OSError, AttributeError):
        return None
    return libc


def tune_malloc(threshold: int = THRESHOLD_BYTES) -> bool:
    """Raise glibc's mmap and trim thresholds once per process; True when they are in effect.

    A no-op (one debug line) where the C library is not glibc or the user set the ``MALLOC_*_``
    variables. Idempotent: later calls return the first call's answer.
    """
    global _applied
    if _applied is not None:
        return _applied
    user_set = [name for name in _ENV_VARS if name in os.environ]
    libc = None if user_set else _glibc()
    if user_set:
        log.debug("malloc thresholds left to the environment (%s)", ", ".join(user_set))
        _applied = False
    elif libc is None:
        log.debug("not glibc: malloc thresholds left as they are")
        _applied = False
    else:
        value = min(int(threshold), THRESHOLD_BYTES)
        ok = libc.mallopt(M_MMAP_THRESHOLD, value) == 1 and libc.mallopt(M_TRIM_THRESHOLD, value) == 1
        if not ok:
            log.debug("glibc mallopt refused threshold %d", value)
        _applied = ok
    return _applied
