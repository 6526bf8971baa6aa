"""Config values as plain Python: the one conversion every consumer of a composed config uses."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def to_plain(value: Any) -> Any:
    """OmegaConf nodes, mappings, tuples and NumPy/torch scalars or arrays → dicts, lists and scalars.

    Interpolations are resolved. Checkpoints store only such values, so they load with
    ``torch.load(weights_only=True)``; libraries that type-check (``isinstance(x, list)``) accept them.
    """
    from omegaconf import DictConfig, ListConfig, OmegaConf

    if isinstance(value, DictConfig | ListConfig):
        return OmegaConf.to_container(value, resolve=True)
    if isinstance(value, Mapping):
        return {str(k): to_plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_plain(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, str | bytes) and getattr(value, "ndim", None) == 0:
        return value.item()
    if hasattr(value, "tolist") and not isinstance(value, str | bytes):
        return value.tolist()
    return value


def import_class(target: str) -> type:
    """The class a dotted ``_target_`` names, found by Hydra's ``get_class`` (the rule ``instantiate`` uses).

    Raises ``ImportError``/``AttributeError`` when nothing is there and ``ValueError`` when it is not
    a class; callers turn those into one :class:`~vidcls.errors.VidclsError` line, so Hydra's own
    ERROR log of the same failure is held back.
    """
    import logging

    from hydra.utils import get_class

    hydra_log = logging.getLogger("hydra.utils")
    was_disabled, hydra_log.disabled = hydra_log.disabled, True
    try:
        return get_class(str(target))
    finally:
        hydra_log.disabled = was_disabled
