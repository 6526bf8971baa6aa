"""``open_backbone``, the Hydra target of ``conf/backbone/*.yaml``: torch only when it is needed.

On CPU with a fast runtime (``backbone.runtime=auto`` picks OpenVINO or ONNX Runtime), the CNN
runs from an exported file, and once that file is in the cache (:mod:`vidcls.backbones.runtime`)
nothing in an ``extract.py`` run needs torch. Importing it costs about 2 s of CPU at every start
on 2 cores, a fifth of a short extraction (docs/extraction.md), so :class:`ExportedBackbone` asks
the export index first and builds the torch :class:`vidcls.backbones.Backbone` only on a miss
(first run, new weights file, other frame size), a torch runtime or random weights.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from vidcls.backbones import runtime as rt

if TYPE_CHECKING:
    from vidcls.backbones.registry import Backbone

#: Tag recorded as ``backbone_weights`` when weights were left random (timing runs, tests).
RANDOM_WEIGHTS = "random"


def normalize_weights(weights: str | None) -> str | None:
    """The weights setting as a builder takes it: None for random weights however the config spells it.

    A ``.pth``/``.pt`` path is made absolute: the setting keys the export index, and ``my.pth`` in
    two folders is two weight files.
    """
    if weights in (None, "null", "None", RANDOM_WEIGHTS):
        return None
    weights = str(weights)
    return os.path.abspath(os.path.expanduser(weights)) if weights.endswith((".pth", ".pt")) else weights


def open_backbone(
    name: str,
    weights: str | None = "DEFAULT",
    device: Any = "cpu",
    runtime: str | None = "auto",
    cache_dir: str | os.PathLike[str] | None = None,
    threads: int | None = None,
) -> ExportedBackbone | Backbone:
    """The configured frozen encoder: an :class:`ExportedBackbone` for a fast CPU runtime, else the torch one."""
    resolved = rt.resolve_runtime(runtime, device)
    if resolved == "torch" or normalize_weights(weights) is None:
        return _torch_backbone(name, weights, device, resolved, cache_dir, threads)
    return ExportedBackbone(name, weights, resolved, cache_dir, threads)


def _torch_backbone(
    name: str, weights: str | None, device: Any, runtime: str, cache_dir: Any, threads: int | None
) -> Backbone:
    from vidcls.backbones.registry import Backbone
    from vidcls.utils.cli import seed_torch_if_pending

    seed_torch_if_pending()  # torch may be imported only now: seed it as seed_everything would have
    return Backbone(name, weights, device, runtime, cache_dir, threads)


class ExportedBackbone:
    """A frozen encoder run by OpenVINO/ONNX Runtime from its cached export, or by a torch Backbone on a miss.

    The same interface as :class:`vidcls.backbones.Backbone` for extraction: ``name``, ``runtime``,
    ``weights_tag``, ``feature_dim``, ``prepare(frame_size)`` and ``features(frames)``.
    """

    def __init__(
        self, name: str, weights: str | None, runtime: str, cache_dir: Any = None, threads: int | None = None
    ) -> None:
        self.name = str(name)
        self.weights_setting = normalize_weights(weights)
        self.runtime = runtime
        self.cache_dir = Path(cache_dir) if cache_dir else rt.default_cache_dir()
        self.threads = threads
        self._records: dict[tuple[int, int], rt.ExportRecord] = {}
        self._sessions: dict[tuple[int, int], rt.Session] = {}
        self._torch: Backbone | None = None

    def _backbone(self) -> Backbone:
        if self._torch is None:
            self._torch = _torch_backbone(
                self.name, self.weights_setting, "cpu", self.runtime, self.cache_dir, self.threads
            )
        return self._torch

    def prepare(self, frame_size: tuple[int, int]) -> None:
        """Load the cached export for this frame size, or export it through torch (once per machine)."""
        frame_size = (int(frame_size[0]), int(frame_size[1]))
        if self._torch is not None:
            self._torch.prepare(frame_size)
            return
        if frame_size in self._sessions:
            return
        found = rt.find_export(self.cache_dir, self.name, self.weights_setting, frame_size)
        if found is None:
            self._backbone().prepare(frame_size)
            return
        path, record = found
        self._records[frame_size] = record
        self._sessions[frame_size] = rt.build_session(self.runtime, path, self._threads())

    def _threads(self) -> int:
        if self.threads:
            return int(self.threads)
        if "torch" in sys.modules:  # predict.py / the web app set torch's thread count: follow it
            return int(sys.modules["torch"].get_num_threads())
        from vidcls.utils.resources import cpu_threads

        return cpu_threads("auto")

    def _record(self) -> rt.ExportRecord | None:
        return next(iter(self._records.values()), None) if self._torch is None else None

    @property
    def weights_tag(self) -> str:
        record = self._record()
        return record.weights_tag if record is not None else self._backbone().weights_tag

    @property
    def feature_dim(self) -> int:
        record = self._record()
        return record.feature_dim if record is not None else self._backbone().feature_dim

    @property
    def uses_torch(self) -> bool:
        """Whether a cache miss made this encoder build the torch module (the export's first run)."""
        return self._torch is not None

    def features(self, frames: np.ndarray, batch_size: int = 24) -> np.ndarray:
        """uint8 ``[N, H, W, 3]`` -> float32 ``[N, D]``, in batches of ``batch_size``."""
        if not len(frames):
            return np.zeros((0, self.feature_dim), dtype=np.float32)
        size = (int(frames.shape[1]), int(frames.shape[2]))
        self.prepare(size)  # a cache miss builds the torch backbone, which then runs the frames
        if self._torch is not None:
            return self._torch.features(frames, batch_size)
        return rt.run_batches(self._sessions[size], frames, batch_size)
