"""HDF5 feature files → Lightning dataloaders."""

from vidcls.datamodules.augment import FeatureAugmentation
from vidcls.datamodules.features import EpochSampler, FeatureDataModule, H5FeatureDataset, balanced_weights, pad_collate

__all__ = [
    "EpochSampler",
    "FeatureAugmentation",
    "FeatureDataModule",
    "H5FeatureDataset",
    "balanced_weights",
    "pad_collate",
]
