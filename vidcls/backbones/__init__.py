"""Frozen frame encoders (one registry: names, feature dims, normalisation, weights)."""

from vidcls.backbones.registry import (
    BACKBONES,
    RANDOM_WEIGHTS,
    Backbone,
    BackboneSpec,
    feature_dim,
    get_spec,
)

__all__ = [
    "BACKBONES",
    "RANDOM_WEIGHTS",
    "Backbone",
    "BackboneSpec",
    "feature_dim",
    "get_spec",
]
