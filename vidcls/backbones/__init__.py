"""Frozen frame encoders (one registry: names, feature dims, normalisation, weights).

Exports resolve lazily (PEP 562): ``open_backbone`` and ``RANDOM_WEIGHTS`` import no torch, so a
run whose CNN is served from a cached export never loads it (:mod:`vidcls.backbones.loader`).
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "RANDOM_WEIGHTS": "vidcls.backbones.loader",
    "ExportedBackbone": "vidcls.backbones.loader",
    "open_backbone": "vidcls.backbones.loader",
    "BACKBONES": "vidcls.backbones.registry",
    "Backbone": "vidcls.backbones.registry",
    "BackboneSpec": "vidcls.backbones.registry",
    "feature_dim": "vidcls.backbones.registry",
    "get_spec": "vidcls.backbones.registry",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'vidcls.backbones' has no attribute {name!r}")
