"""The backbone registry: dims, normalisation, frozen eval encoders, offline weights, clear errors."""

from __future__ import annotations

import urllib.error
from pathlib import Path

import numpy as np
import pytest
import torch

from vidcls.backbones import BACKBONES, Backbone, feature_dim, get_spec
from vidcls.errors import VidclsError


def test_registry_names_and_feature_dims() -> None:
    assert {n: feature_dim(n) for n in ("resnet50", "resnet101", "effnetv2_s", "effnetv2_m", "effnet_lite0")} == {
        "resnet50": 2048,
        "resnet101": 2048,
        "effnetv2_s": 1280,
        "effnetv2_m": 1280,
        "effnet_lite0": 1280,
    }
    assert get_spec("effnet_lite0").mean == (0.5, 0.5, 0.5)
    assert get_spec("resnet50").std == (0.229, 0.224, 0.225)
    with pytest.raises(VidclsError, match="unknown backbone"):
        get_spec("vgg")


@pytest.mark.parametrize("name", ["resnet50", "effnetv2_s"])
def test_torchvision_backbones_build_with_random_weights(name: str) -> None:
    backbone = Backbone(name, weights=None, runtime="torch")  # the fast runtimes: tests/test_runtime.py
    assert backbone.weights_tag == "random"
    out = backbone.encode(torch.zeros(2, 64, 64, 3, dtype=torch.uint8))
    assert out.shape == (2, BACKBONES[name].feature_dim) and out.dtype == torch.float32


def test_frozen_and_stays_in_eval_mode() -> None:
    backbone = Backbone("tiny_cnn", weights=None)
    backbone.train()
    assert not backbone.training and not backbone.trunk.training
    assert not any(p.requires_grad for p in backbone.parameters())


def test_missing_torchvision_weights_offline_says_where_to_put_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from torchvision.models import ResNet50_Weights

    monkeypatch.setenv("TORCH_HOME", str(tmp_path))

    def no_network(*args: object, **kwargs: object) -> None:
        raise urllib.error.URLError("no internet")

    monkeypatch.setattr(type(ResNet50_Weights.DEFAULT), "get_state_dict", no_network)
    with pytest.raises(VidclsError) as info:
        Backbone("resnet50", weights="DEFAULT")
    message = str(info.value)
    assert str(tmp_path / "hub" / "checkpoints" / "resnet50-11ad3fa6.pth") in message
    assert "backbone.weights=null" in message and "download.pytorch.org" in message
    with pytest.raises(VidclsError, match="unknown weights"):
        Backbone("resnet50", weights="IMAGENET9K")


def test_effnet_lite0_ships_real_imagenet_weights() -> None:
    # The architecture must match the shipped weights: a cat photo is classified as a cat.
    from skimage import data

    backbone = Backbone("effnet_lite0")
    assert backbone.weights_tag == "efficientnet-lite0-57934424"
    image = torch.from_numpy(data.chelsea())[None].permute(0, 3, 1, 2).float()
    image = torch.nn.functional.interpolate(image, size=(224, 224), mode="bilinear", antialias=True)
    frames = image.round().clamp(0, 255).to(torch.uint8).permute(0, 2, 3, 1)
    feats = backbone.encode(frames)
    assert feats.shape == (1, 1280) and torch.isfinite(feats).all()
    with torch.inference_mode():
        logits = backbone.trunk._fc(feats)
    assert int(logits.argmax()) in range(281, 286)  # ImageNet cat classes (tabby ... Egyptian cat)
    assert float(np.std(feats.numpy())) > 0
