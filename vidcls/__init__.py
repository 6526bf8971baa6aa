"""vidcls: video content-type classification with PyTorch Lightning + Hydra."""

__version__ = "0.1.0"
