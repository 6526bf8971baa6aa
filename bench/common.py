"""Timing, environment capture and the result record shared by every bench section."""

from __future__ import annotations

import contextlib
import io
import logging
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def sync(device: torch.device | str) -> None:
    """Wait for queued GPU work so a wall-clock interval covers it (no-op on CPU)."""
    if torch.device(device).type == "cuda":
        torch.cuda.synchronize()


def timed(fn: Callable[[], Any], device: torch.device | str) -> tuple[float, Any]:
    """``(seconds, result)`` of one call, synchronised on both ends."""
    sync(device)
    start = time.perf_counter()
    out = fn()
    sync(device)
    return time.perf_counter() - start, out


def interleaved(
    legs: dict[str, Callable[[], Any]], repeats: int, device: torch.device | str, warmup: int = 1
) -> dict[str, list[float]]:
    """Run the legs A, B, A, B, ... so slow drifts of a shared machine hit each leg alike."""
    for _ in range(warmup):
        for fn in legs.values():
            timed(fn, device)
    samples: dict[str, list[float]] = {name: [] for name in legs}
    for _ in range(repeats):
        for name, fn in legs.items():
            samples[name].append(timed(fn, device)[0])
    return samples


def median(values: list[float]) -> float:
    return float(statistics.median(values))


def load_average() -> list[float] | None:
    try:
        return [round(v, 2) for v in os.getloadavg()]
    except OSError:
        return None


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _version(module: str) -> str | None:
    try:
        return __import__(module).__version__
    except Exception:
        return None


def environment(device: torch.device) -> dict[str, Any]:
    """What the numbers were measured on (timm-validate style: device, versions, threads, load)."""
    info: dict[str, Any] = {
        "device": str(device),
        "device_name": torch.cuda.get_device_name(device) if device.type == "cuda" else cpu_model(),
        "cpu_model": cpu_model(),
        "cpu_count": os.cpu_count(),
        "torch_threads": torch.get_num_threads(),
        "torch_interop_threads": torch.get_num_interop_threads(),
        "omp_num_threads_env": os.environ.get("OMP_NUM_THREADS"),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "torch": torch.__version__,
        "torchvision": _version("torchvision"),
        "lightning": _version("lightning"),
        "av": _version("av"),
        "h5py": _version("h5py"),
        "numpy": _version("numpy"),
        "cuda": torch.version.cuda if device.type == "cuda" else None,
        "cudnn": torch.backends.cudnn.version() if device.type == "cuda" else None,
    }
    return info


@dataclass
class Measurement:
    """One number with its unit and the settings it was measured under."""

    section: str
    name: str
    value: float
    unit: str
    params: dict[str, Any] = field(default_factory=dict)
    samples: list[float] = field(default_factory=list)
    note: str = ""


@dataclass
class Target:
    """A limit from the issue, checked in the same run: ``value op limit``."""

    name: str
    value: float
    op: str  # ">=" or "<="
    limit: float
    unit: str
    passed: bool
    detail: str = ""


class Results:
    """Everything one bench run measured, serialisable to ``bench-results.json``."""

    def __init__(self) -> None:
        self.measurements: list[Measurement] = []
        self.targets: list[Target] = []
        self.extra: dict[str, Any] = {}

    def add(self, section: str, name: str, value: float, unit: str, **kwargs: Any) -> Measurement:
        m = Measurement(section, name, float(value), unit, **kwargs)
        self.measurements.append(m)
        return m

    def target(self, name: str, value: float, op: str, limit: float, unit: str, detail: str = "") -> Target:
        passed = value >= limit if op == ">=" else value <= limit
        t = Target(name, float(value), op, float(limit), unit, bool(passed), detail)
        self.targets.append(t)
        return t

    def to_json(self) -> dict[str, Any]:
        return {
            "measurements": [asdict(m) for m in self.measurements],
            "targets": [asdict(t) for t in self.targets],
            **self.extra,
        }


@contextlib.contextmanager
def quiet(enabled: bool = True) -> Iterator[None]:
    """Swallow progress bars and framework chatter of the code under test (it is timed, not shown)."""
    if not enabled:
        yield
        return
    sink = io.StringIO()
    loggers = [logging.getLogger(name) for name in ("lightning.pytorch", "lightning.fabric", "vidcls")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.ERROR)
    try:
        with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
            yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


def matmul_flops(
    device: torch.device,
    dtype: torch.dtype = torch.float32,
    size: int = 2048,
    repeats: int = 5,
    shape: tuple[int, int, int] | None = None,
) -> float:
    """Dense ``size``² matmul FLOP/s on this device and dtype: the machine's practical limit.

    ``shape=(m, k, n)`` times ``[m, k] @ [k, n]`` instead (e.g. an LSTM step's few-row matmul).
    """
    m, k, n = shape or (size, size, size)
    a = torch.randn(m, k, device=device, dtype=dtype)
    b = torch.randn(k, n, device=device, dtype=dtype)
    for _ in range(2):
        torch.mm(a, b)
    samples = interleaved({"mm": lambda: torch.mm(a, b)}, repeats, device, warmup=0)["mm"]
    return 2 * m * k * n / min(samples)
