"""Test-time augmentation on feature sequences: the one registry of views.

A *view* is a re-ordering/re-sampling of a video's valid time steps, described as the source
index for each new position (a function of the valid length only). Working on indices instead of
features keeps every view exact for padded batches: each row's view is built from its own valid
part, re-padded with zeros, and gets its own new length, whatever the batch padding was.

Which views a run uses comes from ``conf/tta/*.yaml`` (``views: [...]``); to add a new kind of
view, register an index function here with :func:`register_view` and list its name in a config.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence

import torch

from vidcls.errors import VidclsError

#: ``length -> source indices`` (1-D int64, every value in ``0..length-1``, at least one entry).
IndexFn = Callable[[int], torch.Tensor]

_VIEWS: dict[str, IndexFn] = {}


def register_view(name: str) -> Callable[[IndexFn], IndexFn]:
    """Decorator adding an index function to the registry under ``name``."""

    def decorator(fn: IndexFn) -> IndexFn:
        if name in _VIEWS:
            raise ValueError(f"TTA view {name!r} is already registered")
        _VIEWS[name] = fn
        return fn

    return decorator


def available_views() -> list[str]:
    return list(_VIEWS)


@register_view("original")
def original_view(length: int) -> torch.Tensor:
    return torch.arange(length)


@register_view("reversed")
def reversed_view(length: int) -> torch.Tensor:
    """Time-reversed: a content-type label should not depend on the direction of time."""
    return torch.arange(length - 1, -1, -1)


@register_view("speed_up")
def speed_up_view(length: int) -> torch.Tensor:
    """Every other valid step (``ceil(length / 2)`` positions): the video played twice as fast."""
    return torch.arange(0, length, 2)


@register_view("slow_down")
def slow_down_view(length: int) -> torch.Tensor:
    """``ceil(1.5 * length)`` positions by repeating steps (every other step shown twice)."""
    new_length = (3 * length + 1) // 2
    return torch.div(torch.arange(new_length) * length, new_length, rounding_mode="floor")


def resolve_views(views: Sequence[str] | None) -> list[str]:
    """Validate view names; ``None`` or empty means no TTA (the original sequence only)."""
    names = [str(v) for v in (views or ["original"])]
    unknown = [v for v in names if v not in _VIEWS]
    if unknown:
        raise VidclsError(
            f"unknown TTA view(s) {unknown}; known views: {available_views()}. Fix the `views` list in "
            "conf/tta/<mode>.yaml (or register a new view in vidcls/inference/tta.py)."
        )
    if len(set(names)) != len(names):
        raise VidclsError(f"TTA views listed twice in {names}; list each view once.")
    return names


@functools.lru_cache(maxsize=4096)
def view_indices(name: str, length: int) -> torch.Tensor:
    """Source indices of view ``name`` for a sequence of ``length`` valid steps (cached, checked)."""
    if length < 1:
        raise ValueError(f"sequence length must be >= 1, got {length}")
    idx = _VIEWS[name](length).to(torch.int64)
    if idx.ndim != 1 or idx.numel() < 1 or int(idx.min()) < 0 or int(idx.max()) >= length:
        raise ValueError(f"TTA view {name!r} returned invalid indices for length {length}: {idx.tolist()}")
    return idx


def build_views(
    features: torch.Tensor, lengths: torch.Tensor, views: Sequence[str]
) -> tuple[torch.Tensor, torch.Tensor]:
    """Stack all views of a padded batch into one batch (one forward pass, or one per length on CPU).

    ``features [N, T, D]`` zero-padded past ``lengths [N]`` → ``(x [V*N, T', D], new_lengths [V*N])``,
    view-major (rows ``v*N .. v*N+N-1`` are view ``v``), each row re-padded with zeros past its new
    length, ``T'`` the longest new length.
    """
    if features.ndim != 3:
        raise ValueError(f"features must be [N, T, D], got {tuple(features.shape)}")
    n, t, _ = features.shape
    lengths_list = [int(v) for v in lengths.detach().cpu().tolist()]
    if len(lengths_list) != n:
        raise ValueError(f"{len(lengths_list)} lengths for {n} rows")
    if any(length < 1 or length > t for length in lengths_list):
        raise ValueError(f"lengths must be in 1..{t}, got {lengths_list}")
    names = resolve_views(views)
    index_rows = [view_indices(name, length) for name in names for length in lengths_list]
    new_lengths = torch.tensor([len(idx) for idx in index_rows], dtype=torch.int64)
    max_len = int(new_lengths.max())
    gather = torch.zeros(len(index_rows), max_len, dtype=torch.int64)
    for row, idx in enumerate(index_rows):
        gather[row, : len(idx)] = idx
    gather = gather.to(features.device)
    source = features.repeat(len(names), 1, 1)  # [V*N, T, D], row v*N+i is row i
    out = torch.gather(source, 1, gather.unsqueeze(-1).expand(-1, -1, features.shape[2]))
    valid = torch.arange(max_len, device=features.device).unsqueeze(0) < new_lengths.to(features.device).unsqueeze(1)
    out = out.masked_fill(~valid.unsqueeze(-1), 0.0)
    return out, new_lengths.to(lengths.device)
