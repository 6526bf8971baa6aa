"""How many CPU cores a run may use, and how to split them between compute and helpers.

One place for the core count (affinity-aware, so ``taskset``/cgroup limits are honoured) and for
the ``auto`` rules that turn it into torch threads and DataLoader workers.
"""

from __future__ import annotations

import os

from vidcls.errors import VidclsError

MAX_AUTO_LOADER_WORKERS = 4


def usable_cores() -> int:
    """Cores this process may run on (its affinity mask where the OS has one)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def loader_workers(setting: int | str | None, cores: int | None = None) -> int:
    """DataLoader worker processes: ``auto`` keeps two cores for the training step itself.

    A feature batch is cheap to make (an HDF5 slice plus light augmentation, a small fraction of a
    training step), so workers only help when spare cores can run them beside a step that already
    uses every core it has. On 2 cores the bench measured the same trainer/plain ratio with 0 and 4
    workers (bench/RESULTS.md), so there ``auto`` saves the four extra processes (memory, start-up)
    and buys workers only where spare cores exist: 0 workers up to 2 cores, then one per extra core,
    at most 4.
    """
    if setting in (None, "auto"):
        cores = usable_cores() if cores is None else cores
        return min(MAX_AUTO_LOADER_WORKERS, max(0, cores - 2))
    return _whole_number(setting, "data.num_workers", minimum=0)


def cpu_threads(setting: int | str | None, cores: int | None = None) -> int:
    """Torch threads for CPU extraction: ``auto`` leaves one core to the decoder threads above two cores.

    With many cores, one core less costs the CNN little and keeps the decoders from stalling
    OpenMP's spinning threads. On two cores it would halve the CNN: extraction of three 30 s 720p
    videos with effnet_lite0 took 52.6 s with 1 torch thread and 34.7-38.3 s with 2 (bench/RESULTS.md).
    """
    if setting in (None, "auto"):
        cores = usable_cores() if cores is None else cores
        return cores if cores <= 2 else cores - 1
    return max(1, int(setting))


def build_workers(setting: int | str | None, cores: int | None = None) -> int:
    """Processes rendering demo clips at once: ``auto`` = one per usable core (each renders on one core)."""
    if setting in (None, "auto"):
        return usable_cores() if cores is None else cores
    return _whole_number(setting, "data.build_workers", minimum=1)


def _whole_number(setting: int | str, option: str, minimum: int) -> int:
    """A count given in a config (``option`` names it in the message), at least ``minimum``."""
    try:
        count = int(setting)
    except (TypeError, ValueError):
        raise VidclsError(f"{option} must be a whole number or auto; got {setting!r}.") from None
    if count < minimum:
        raise VidclsError(f"{option} must be {minimum} or more (or auto); got {count}.")
    return count
