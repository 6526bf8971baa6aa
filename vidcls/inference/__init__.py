"""Checkpoint loading, TTA views, ensemble averaging and the predict core (eval.py, predict.py, web app)."""

from vidcls.inference.checkpoints import Member, load_member, resolve_checkpoint_paths
from vidcls.inference.ensemble import Ensemble, EnsemblePrediction, load_ensemble
from vidcls.inference.predictor import VideoPrediction, VideoPredictor, extraction_provenance
from vidcls.inference.tta import available_views, build_views, register_view, resolve_views
from vidcls.schema import PREDECESSOR_CLASS_NAMES

__all__ = [
    "PREDECESSOR_CLASS_NAMES",
    "Ensemble",
    "EnsemblePrediction",
    "Member",
    "VideoPrediction",
    "VideoPredictor",
    "available_views",
    "build_views",
    "extraction_provenance",
    "load_ensemble",
    "load_member",
    "register_view",
    "resolve_checkpoint_paths",
    "resolve_views",
]
