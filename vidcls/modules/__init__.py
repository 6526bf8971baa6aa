"""Models, losses and the LightningModule."""

from vidcls.modules.classifier import VideoClassifier, build_net
from vidcls.modules.losses import FocalLoss, class_weights_from_labels
from vidcls.modules.temporal_model import LinearProbe, MeanPoolBaseline, SuperEnhancedTemporalModel

__all__ = [
    "FocalLoss",
    "LinearProbe",
    "MeanPoolBaseline",
    "SuperEnhancedTemporalModel",
    "VideoClassifier",
    "build_net",
    "class_weights_from_labels",
]
