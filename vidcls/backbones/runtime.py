"""Fast CPU runtimes for the frozen CNN: the trunk exported once to ONNX, run by OpenVINO or ONNX Runtime.

On CPU, PyTorch eager runs EfficientNet-Lite0 at 6.5-18 frames/s on 2 cores; the same graph runs
2.4x faster in ONNX Runtime and 5-6x faster in OpenVINO (fp32, features within 2e-5 of torch;
measured in issue 13 and in ``bench/run.py``). ``backbone.runtime``:

* ``auto``: the fastest runtime installed (``openvino`` > ``onnx`` > ``torch``); ``torch`` on CUDA;
* ``torch``: PyTorch eager, channels-last (the reference);
* ``openvino`` / ``onnx``: CPU only; a clear error if the package is missing. OpenVINO runs in a child
  process (:class:`OpenVinoWorker`), ONNX Runtime in this one.

The exported graph takes the decoder's uint8 ``[N, H, W, 3]`` frames and normalises inside, so it
is a drop-in for :meth:`vidcls.backbones.Backbone.encode`. It is exported once per backbone,
weights (a digest of the tensors, not just their name) and frame size, written atomically to a
cache folder (``backbone.cache_dir``; default ``$XDG_CACHE_HOME/vidcls/backbones`` or
``~/.cache/vidcls/backbones``) and reused by every later process, shard and the web app.

This module imports no torch: the export itself is :mod:`vidcls.backbones.export`, and a small
index (:func:`find_export`, :func:`record_export`) maps a backbone *setting* (name, weights,
frame size) to the exported file, checked against the weights file's sha256, so a later
``extract.py`` with a cached export runs without importing torch at all (about 2 s of CPU and of
wall time at every start on 2 cores; docs/extraction.md).
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import importlib.util
import json
import logging
import os
import re
import threading
import weakref
from collections import deque
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from vidcls.errors import VidclsError
from vidcls.utils.io import atomic_path

if TYPE_CHECKING:
    import subprocess

log = logging.getLogger(__name__)

RUNTIMES: tuple[str, ...] = ("auto", "torch", "openvino", "onnx")
#: CPU runtimes ``auto`` tries, fastest first (docs/extraction.md has the measurements). OpenVINO runs in a
#: child process (:class:`OpenVinoWorker`): loaded in-process, its TBB corrupted the heap here.
FAST_CPU_RUNTIMES: tuple[str, ...] = ("openvino", "onnx")
#: The Python package each runtime needs; both also need ``onnx`` (torch's exporter writes through it).
_PACKAGES = {"openvino": "openvino", "onnx": "onnxruntime"}
#: Bump when the exported graph changes (wrapper, opset), so stale cache files are never reused.
EXPORT_VERSION = 1
OPSET = 17

Session = Callable[[np.ndarray], np.ndarray]


def run_batches(session: Session, frames: np.ndarray, batch_size: int) -> np.ndarray:
    """uint8 ``[N, H, W, 3]`` through a session in batches of ``batch_size`` -> float32 ``[N, D]`` (N > 0)."""
    return np.concatenate(
        [session(np.ascontiguousarray(frames[i : i + batch_size])) for i in range(0, len(frames), batch_size)]
    ).astype(np.float32, copy=False)


#: Part of the index key: torchvision's version decides which hub file a name like ``DEFAULT`` means, and an
#: older file can stay in the hub cache. A package that ships its weights file (the Lite ones) needs no entry:
#: a new version replaces or removes the file, which the record's sha256 check catches.
_WEIGHTS_PACKAGES = ("torchvision",)


def _has(package: str) -> bool:
    return importlib.util.find_spec(package) is not None


def runtime_available(runtime: str) -> bool:
    """Whether ``openvino``/``onnx`` can run here: its package plus ``onnx`` for the export."""
    return runtime == "torch" or (_has(_PACKAGES[runtime]) and _has("onnx"))


def resolve_runtime(runtime: str | None, device: Any) -> str:
    """``auto`` -> the fastest installed CPU runtime (torch on CUDA); explicit choices are checked."""
    runtime = "auto" if runtime is None else str(runtime)
    if runtime not in RUNTIMES:
        raise VidclsError(f"unknown backbone.runtime={runtime!r}; use one of {', '.join(RUNTIMES)}")
    on_cpu = str(device).split(":")[0] == "cpu"
    if runtime == "auto":
        if not on_cpu:
            return "torch"
        return next((r for r in FAST_CPU_RUNTIMES if runtime_available(r)), "torch")
    if runtime != "torch" and not on_cpu:
        raise VidclsError(
            f"backbone.runtime={runtime} runs on CPU only, but the device is {device}; use backbone.runtime=auto "
            "(torch on CUDA) or device=cpu"
        )
    if not runtime_available(runtime):
        missing = " ".join(p for p in (_PACKAGES[runtime], "onnx") if not _has(p))
        raise VidclsError(
            f"backbone.runtime={runtime} needs the {missing} package(s): pip install {missing} "
            "(or use backbone.runtime=auto, which picks what is installed, or backbone.runtime=torch)"
        )
    return runtime


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "vidcls" / "backbones"


def cache_path(cache_dir: Path, name: str, weights_tag: str, frame_size: tuple[int, int], digest: str) -> Path:
    tag = re.sub(r"[^A-Za-z0-9._-]+", "_", weights_tag)[:60]
    key = hashlib.sha256(f"{EXPORT_VERSION}|{OPSET}|{name}|{digest}|{frame_size}".encode()).hexdigest()[:16]
    return cache_dir / f"{name}-{tag}-{frame_size[0]}x{frame_size[1]}-{key}.onnx"


@dataclass(frozen=True)
class ExportRecord:
    """What the index knows about one exported model: enough to run it without building the torch module."""

    model: str  # file name of the exported model, in the cache folder
    weights_file: str  # the weights the export was made from; checked on every lookup
    size: int
    sha256: str  # of the weights file: ~10 ms for lite0's 18 MB, against ~2 s for importing torch
    weights_tag: str
    feature_dim: int


def _index_file(cache_dir: Path, name: str, weights: str | None, frame_size: tuple[int, int]) -> Path:
    versions = []
    for package in _WEIGHTS_PACKAGES:
        try:
            versions.append(importlib.metadata.version(package))
        except importlib.metadata.PackageNotFoundError:
            versions.append("-")
    key = f"{EXPORT_VERSION}|{OPSET}|{name}|{weights}|{frame_size}|{'|'.join(versions)}"
    return cache_dir / "index" / f"{hashlib.sha256(key.encode()).hexdigest()[:24]}.json"


def _fingerprint(path: str, size: int | None = None) -> tuple[int, str] | None:
    """``(size, sha256)`` of a file; None when it is missing or (cheap pre-check) not of ``size`` bytes."""
    try:
        actual = os.path.getsize(path)
        if size is not None and actual != size:
            return None
        digest = hashlib.sha256()
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
    except OSError:
        return None
    return actual, digest.hexdigest()


def find_export(
    cache_dir: Path, name: str, weights: str | None, frame_size: tuple[int, int]
) -> tuple[Path, ExportRecord] | None:
    """The exported model for this setting, if the index has one whose weights file is unchanged (same bytes)."""
    try:
        record = ExportRecord(**json.loads(_index_file(cache_dir, name, weights, frame_size).read_text()))
    except (OSError, ValueError, TypeError):
        return None
    model = cache_dir / record.model
    if not model.is_file() or _fingerprint(record.weights_file, record.size) != (record.size, record.sha256):
        return None
    return model, record


def record_export(
    cache_dir: Path,
    name: str,
    weights: str | None,
    frame_size: tuple[int, int],
    model: Path,
    weights_file: Path,
    weights_tag: str,
    feature_dim: int,
) -> None:
    """Remember which file a setting exported to (best effort: a read-only cache only costs the fast start)."""
    fingerprint = _fingerprint(str(weights_file))
    if fingerprint is None:
        return
    size, sha256 = fingerprint
    record = ExportRecord(model.name, str(weights_file.resolve()), size, sha256, weights_tag, int(feature_dim))
    path = _index_file(cache_dir, name, weights, frame_size)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_path(path) as tmp:
            tmp.write_text(json.dumps(asdict(record)))
    except OSError as err:
        log.debug("cannot write the export index %s: %s", path, err)


class OpenVinoWorker:
    """OpenVINO in a child process (``openvino_worker.py``): a crash there cannot corrupt this process.

    OpenVINO's TBB corrupted the heap of the process that loaded it on this project's CI machine
    (see the worker's docstring), so the parent never imports OpenVINO. Frames go down a pipe
    (4.7 MB per batch of 24 frames of 256²: a few ms against ~0.3 s of inference) and features come
    back. The child compiles the model while the caller goes on (decoding its first video); the
    first call waits for it. It ends when this object is closed or collected, or this process ends.
    """

    def __init__(self, model_path: Path, threads: int) -> None:
        import subprocess
        import sys

        from vidcls.backbones import openvino_worker as protocol

        self._protocol = protocol
        self._lock = threading.Lock()  # one request at a time; the web app may call from several job threads
        self._stderr: deque[bytes] = deque(maxlen=20)  # the child's last lines, for error messages
        self._ready = False
        self._proc = subprocess.Popen(
            [sys.executable, protocol.__file__, str(model_path), str(threads)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
        )
        # Not a bound method: the thread must not keep this object (and so the child) alive.
        threading.Thread(target=_drain, args=(self._proc.stderr, self._stderr), daemon=True).start()
        self._finalizer = weakref.finalize(self, _stop_worker, self._proc)

    def _failed(self, what: str) -> VidclsError:
        self._proc.poll()
        code = self._proc.returncode
        status = f"exit status {code}" if code is not None and code >= 0 else f"signal {-(code or 0)}"
        tail = b"".join(self._stderr).decode("utf-8", "replace").strip().splitlines()[-3:]
        detail = f" ({status}{': ' + ' | '.join(tail) if tail else ''})" if code is not None else ""
        return VidclsError(
            f"the OpenVINO worker process {what}{detail}; use backbone.runtime=onnx (ONNX Runtime, same features "
            "within 1e-4) or backbone.runtime=torch"
        )

    def _read(self, size: int) -> bytes:
        assert self._proc.stdout is not None
        data = self._protocol.read_exact(self._proc.stdout, size)
        if data is None:
            raise self._failed("ended unexpectedly")
        return data

    def _wait_ready(self) -> None:
        (status,) = self._protocol.STATUS.unpack(self._read(self._protocol.STATUS.size))
        if status:
            message = self._read(status).decode("utf-8", "replace")
            raise VidclsError(f"OpenVINO cannot compile the exported CNN ({message}); use backbone.runtime=onnx")
        self._ready = True

    def __call__(self, frames: np.ndarray) -> np.ndarray:
        frames = np.ascontiguousarray(frames, dtype=np.uint8)
        with self._lock:
            if not self._ready:
                self._wait_ready()
            assert self._proc.stdin is not None
            try:
                self._proc.stdin.write(self._protocol.REQUEST.pack(*frames.shape) + frames.tobytes())
                self._proc.stdin.flush()
            except (BrokenPipeError, OSError):
                raise self._failed("ended unexpectedly") from None
            n, size = self._protocol.REPLY.unpack(self._read(self._protocol.REPLY.size))
            if n == self._protocol.ERROR:
                raise VidclsError(f"OpenVINO inference failed: {self._read(size).decode('utf-8', 'replace')}")
            return np.frombuffer(self._read(n * size * 4), dtype=np.float32).reshape(n, size).copy()

    def cpu_seconds(self) -> tuple[float, float]:
        """``(user, sys)`` CPU seconds the worker has used so far (Linux ``/proc``; zeros elsewhere).

        ``getrusage`` of this process counts a child only once it has been waited for, so a
        benchmark of a live worker's work must ask here.
        """
        try:
            fields = Path(f"/proc/{self._proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
            tick = os.sysconf("SC_CLK_TCK")
            return int(fields[11]) / tick, int(fields[12]) / tick  # utime, stime (fields 14 and 15)
        except (OSError, ValueError, IndexError):
            return 0.0, 0.0

    def close(self) -> None:
        self._finalizer()


def _drain(stream: Any, lines: deque[bytes]) -> None:
    """Read the child's stderr so its pipe never fills up, keeping the last lines."""
    for line in stream:
        lines.append(line)


def _stop_worker(proc: subprocess.Popen[bytes]) -> None:
    """End of stdin ends the worker; it is killed if it has not gone within 5 s."""
    import subprocess

    for stream in (proc.stdin, proc.stdout):
        with contextlib.suppress(OSError):
            if stream is not None:
                stream.close()
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _onnxruntime_session(path: Path, threads: int) -> Session:
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])

    def run(frames: np.ndarray) -> np.ndarray:
        return np.asarray(session.run(None, {"frames": frames})[0], dtype=np.float32)

    return run


def build_session(runtime: str, model_path: Path, threads: int) -> Session:
    """A runner for an exported model (OpenVINO: in a child process): uint8 ``[N, H, W, 3]`` -> float32 ``[N, D]``."""
    threads = max(1, int(threads))
    if runtime == "openvino":
        return OpenVinoWorker(model_path, threads)
    if runtime == "onnx":
        return _onnxruntime_session(model_path, threads)
    raise ValueError(f"no session for runtime {runtime!r}")
