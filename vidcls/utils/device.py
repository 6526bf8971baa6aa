"""The one rule for a ``device`` setting, shared by extraction, inference and the web app."""

from __future__ import annotations

from typing import Any

from vidcls.errors import VidclsError


def resolve_device(device: Any) -> str:
    """``auto``/None → ``cuda`` when a GPU is available, else ``cpu``; asking for CUDA without one is a user error."""
    import torch

    if device is None or str(device) == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    resolved = str(device)
    if torch.device(resolved).type == "cuda" and not torch.cuda.is_available():
        raise VidclsError(f"device={device} but no CUDA GPU is available here; use device=cpu (or auto).")
    return resolved
