"""Train-time augmentations on one unpadded feature sequence ``[t, D]`` (t = true length).

Each transform fires with its own probability and draws from the ``generator`` it is given (the
training loader passes one seeded per row and epoch, see :class:`vidcls.datamodules.features.EpochSampler`,
so a row's augmentation does not depend on the worker process that reads it; a resumed run
replays it exactly), or from torch's global RNG when given none.
They see only the valid steps (the dataset trims padding before they run), so padding is never
shifted into the sequence or given noise.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch


@dataclass
class FeatureAugmentation:
    """Temporal subsample, temporal shift (circular roll of the valid part), Gaussian noise.

    - subsample: keep a random ``U(min_keep, max_keep)`` fraction of the steps (at least one), in
      their original order; the sequence gets shorter, so the returned length shrinks with it.
    - shift: roll the valid steps by up to ``shift_max_fraction · t`` in either direction. A roll,
      not a crop, so no frame is lost and the length stays ``t`` (videos are clips of a longer
      stream; where they start is arbitrary).
    - noise: add ``N(0, noise_std²)`` to every valid value.
    """

    subsample_p: float = 0.5
    subsample_min_keep: float = 0.7
    subsample_max_keep: float = 1.0
    shift_p: float = 0.5
    shift_max_fraction: float = 0.25
    noise_p: float = 0.5
    noise_std: float = 0.05

    def __post_init__(self) -> None:
        for name in ("subsample_p", "shift_p", "noise_p"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must be a probability in [0, 1], got {getattr(self, name)}")
        if not 0.0 < self.subsample_min_keep <= self.subsample_max_keep <= 1.0:
            raise ValueError("need 0 < subsample_min_keep <= subsample_max_keep <= 1")

    @property
    def active(self) -> bool:
        return max(self.subsample_p, self.shift_p, self.noise_p) > 0.0

    def __call__(self, features: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
        """``[t, D]`` → ``[t', D]`` with ``t' <= t``; the caller takes the new length from the shape."""
        steps = features.shape[0]

        def uniform() -> float:
            return float(torch.rand((), generator=generator))

        if self.subsample_p and steps > 1 and uniform() < self.subsample_p:
            fraction = self.subsample_min_keep + (self.subsample_max_keep - self.subsample_min_keep) * uniform()
            keep = max(1, min(steps, math.ceil(fraction * steps)))
            index = torch.randperm(steps, generator=generator)[:keep].sort().values
            features = features[index]
            steps = keep
        if self.shift_p and steps > 1 and uniform() < self.shift_p:
            max_shift = int(self.shift_max_fraction * steps)
            if max_shift > 0:
                shift = int(torch.randint(-max_shift, max_shift + 1, (), generator=generator))
                features = torch.roll(features, shifts=shift, dims=0)
        if self.noise_p and uniform() < self.noise_p:
            noise = torch.randn(features.shape, generator=generator, dtype=features.dtype)
            features = features + self.noise_std * noise
        return features
