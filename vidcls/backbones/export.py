"""The torch side of the fast runtimes: the trunk plus its normalisation as one graph, exported to ONNX.

Only a cache miss comes here (:meth:`vidcls.backbones.Backbone.prepare`); a process that finds the
exported file through the cache index (:mod:`vidcls.backbones.runtime`) never imports torch.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import warnings
from pathlib import Path

import torch
from torch import nn

from vidcls.backbones.runtime import OPSET
from vidcls.errors import VidclsError
from vidcls.utils.io import atomic_path

log = logging.getLogger(__name__)
_export_lock = threading.Lock()


class NormalizedTrunk(nn.Module):
    """uint8 ``[N, H, W, 3]`` -> features ``[N, D]``: the backbone's normalisation and trunk as one graph."""

    def __init__(self, trunk: nn.Module, mean: torch.Tensor, std: torch.Tensor) -> None:
        super().__init__()
        self.trunk = trunk
        self.register_buffer("mean", mean.detach().clone().float().cpu())
        self.register_buffer("std", std.detach().clone().float().cpu())

    def forward(self, frames: torch.Tensor) -> torch.Tensor:
        x = frames.permute(0, 3, 1, 2).float()
        return self.trunk((x - self.mean) / self.std)


def weights_digest(module: nn.Module) -> str:
    """sha256 over every parameter and buffer: two weight files with one name never share a cache entry."""
    digest = hashlib.sha256()
    for key, tensor in module.state_dict().items():
        digest.update(key.encode())
        digest.update(str(tuple(tensor.shape)).encode())
        digest.update(tensor.detach().cpu().contiguous().numpy().tobytes())
    return digest.hexdigest()


def export_onnx(model: NormalizedTrunk, frame_size: tuple[int, int], path: Path) -> Path:
    """Export once (atomic: readers never see half a file); a file already there is reused."""
    with _export_lock:
        if path.is_file():
            return path
        example = torch.zeros(2, frame_size[0], frame_size[1], 3, dtype=torch.uint8)
        log.info("exporting the CNN to %s (once per backbone, weights and frame size)", path)
        try:
            with atomic_path(path) as tmp, warnings.catch_warnings():
                warnings.simplefilter("ignore")  # tracer warnings about shape arithmetic: shapes are fixed here
                torch.onnx.export(
                    model.eval(),
                    (example,),
                    str(tmp),
                    input_names=["frames"],
                    output_names=["features"],
                    dynamic_axes={"frames": {0: "batch"}, "features": {0: "batch"}},
                    opset_version=OPSET,
                    dynamo=False,
                )
        except OSError as err:
            raise VidclsError(
                f"cannot write the exported CNN to {path.parent} ({err}); set backbone.cache_dir to a writable "
                "folder, or use backbone.runtime=torch"
            ) from None
    return path
