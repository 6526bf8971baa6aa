"""OpenVINO inference in a child process: ``python openvino_worker.py MODEL.onnx THREADS``.

Run as a *script* by :mod:`vidcls.backbones.runtime`, never imported by the parent: it imports only
NumPy and OpenVINO (no torch, no vidcls), so it starts in well under a second.

Why a separate process: on this project's CI machine, OpenVINO's TBB (through ``libtbbbind`` and
hwloc, reading the CPU topology when the first model is compiled) corrupted the glibc heap of the
process that loaded it, in about one run in six, with nothing but ``import openvino``,
``compile_model`` and one ``infer`` (caught by ``GLIBC_TUNABLES=glibc.malloc.check=3``: "free():
invalid next size" in ``hwloc_topology_destroy`` at exit; without the check, a later ``malloc``
anywhere in the process crashed, e.g. a test some tests after OpenVINO had run). Known upstream
(openvinotoolkit/openvino#31633, uxlfoundation/oneTBB#1645). Here the damage stays in this child:
it does nothing but inference and leaves with ``os._exit`` (TBB's exit handlers, where the abort
happens, never run); the parent's heap never sees OpenVINO.

Protocol (little-endian, over stdin/stdout): the child first sends ``<I`` status (0 = compiled,
else the length of a UTF-8 error message that follows). Each request is ``<4I`` (n, h, w, c) and
``n*h*w*c`` uint8 bytes; each reply is ``<2I`` (n, d) and ``n*d`` float32 bytes, or ``<2I``
(0xFFFFFFFF, length) and an error message. End of stdin ends the child.
"""

from __future__ import annotations

import os
import struct
import sys
from typing import BinaryIO

REQUEST = struct.Struct("<4I")
REPLY = struct.Struct("<2I")
STATUS = struct.Struct("<I")
ERROR = 0xFFFFFFFF


def read_exact(stream: BinaryIO, size: int) -> bytes | None:
    """``size`` bytes, or None at end of stream."""
    chunks = []
    while size:
        chunk = stream.read(size)
        if not chunk:
            return None
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def _error(out: BinaryIO, header: struct.Struct, message: str, *prefix: int) -> None:
    data = message.encode("utf-8", "replace")
    out.write(header.pack(*prefix, len(data)) + data)
    out.flush()


def serve(model_path: str, threads: int, inp: BinaryIO, out: BinaryIO) -> None:
    import numpy as np

    try:
        import openvino as ov

        core = ov.Core()
        compiled = core.compile_model(
            core.read_model(model_path),
            "CPU",
            {
                "INFERENCE_NUM_THREADS": threads,
                # f32: on CPUs with bf16/AMX units OpenVINO would otherwise pick bf16 (features off by ~0.5).
                "INFERENCE_PRECISION_HINT": "f32",
                "PERFORMANCE_HINT": "LATENCY",
            },
        )
        request = compiled.create_infer_request()
    except Exception as err:  # reported to the parent, which turns it into one clear error
        _error(out, STATUS, f"{type(err).__name__}: {err}")
        return
    out.write(STATUS.pack(0))
    out.flush()
    while True:
        header = read_exact(inp, REQUEST.size)
        if header is None:
            return
        shape = REQUEST.unpack(header)
        data = read_exact(inp, shape[0] * shape[1] * shape[2] * shape[3])
        if data is None:
            return
        try:
            frames = np.frombuffer(data, dtype=np.uint8).reshape(shape)
            features = np.ascontiguousarray(request.infer({0: frames})[0], dtype=np.float32)
        except Exception as err:
            _error(out, REPLY, f"{type(err).__name__}: {err}", ERROR)
            continue
        out.write(REPLY.pack(features.shape[0], features.shape[1]) + features.tobytes())
        out.flush()


def main() -> None:
    # The protocol gets its own copy of stdout; fd 1 then points at stderr, so a library that
    # prints can never corrupt a reply.
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    try:
        serve(sys.argv[1], int(sys.argv[2]), sys.stdin.buffer, out)
        out.flush()
    finally:
        os._exit(0)  # skip TBB's exit handlers (see the module docstring)


if __name__ == "__main__":
    main()
