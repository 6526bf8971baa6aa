"""HDF5 feature files → Lightning dataloaders."""

from vidcls.datamodules.augment import FeatureAugmentation
from vidcls.datamodules.features import FeatureDataModule, H5FeatureDataset, balanced_sampler, pad_collate

__all__ = ["FeatureAugmentation", "FeatureDataModule", "H5FeatureDataset", "balanced_sampler", "pad_collate"]
