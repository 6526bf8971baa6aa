"""The one rule for a ``device`` setting, shared by extraction, inference and the web app."""

from __future__ import annotations

import os
import sys
from typing import Any

from vidcls.errors import VidclsError


def resolve_device(device: Any) -> str:
    """``auto``/None → ``cuda`` when a GPU is available, else ``cpu``; asking for CUDA without one is a user error.

    Answers without importing torch where it can (``cpu``; ``auto`` on a Linux machine with no NVIDIA
    driver), so extraction from a cached export never pays torch's import (vidcls.backbones.loader).
    """
    if str(device) == "cpu" or ((device is None or str(device) == "auto") and _surely_no_cuda()):
        return "cpu"
    import torch

    if device is None or str(device) == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    resolved = str(device)
    if torch.device(resolved).type == "cuda" and not torch.cuda.is_available():
        raise VidclsError(f"device={device} but no CUDA GPU is available here; use device=cpu (or auto).")
    return resolved


def _surely_no_cuda() -> bool:
    """No CUDA is possible: Linux without the NVIDIA kernel driver, and torch not loaded to ask (or to patch)."""
    return (
        "torch" not in sys.modules
        and sys.platform.startswith("linux")
        and not os.path.exists("/proc/driver/nvidia/version")
    )
