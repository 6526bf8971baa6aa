"""vidcls: video content-type classification with PyTorch Lightning + Hydra."""

import os

from omegaconf import OmegaConf

__version__ = "0.1.0"

# conf/paths uses ${vidcls.cwd:} for the directory a command was started from. Hydra's own
# ${hydra:runtime.cwd} cannot be read while a multirun's sweep directory is being resolved (no
# HydraConfig exists yet then), so `python train.py seed=0,1 -m` failed at its default sweep dir.
OmegaConf.register_new_resolver("vidcls.cwd", os.getcwd, replace=True)
