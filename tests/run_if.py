"""``RunIf``: run a test only where the hardware it needs is present (like lightning-hydra-template's).

    @RunIf(min_gpus=1)
    def test_on_cuda(): ...

Marked tests also carry the ``gpu`` marker, so ``pytest -m gpu`` runs exactly them on a GPU machine;
elsewhere they are skipped with the reason.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import pytest
import torch

F = TypeVar("F", bound=Callable[..., object])


def RunIf(min_gpus: int = 0, bf16: bool = False) -> Callable[[F], F]:
    """Skip unless ``min_gpus`` CUDA devices are visible (and bf16 is supported, when asked)."""
    reasons = []
    if min_gpus and torch.cuda.device_count() < min_gpus:
        reasons.append(f"needs {min_gpus} CUDA GPU(s), found {torch.cuda.device_count()}")
    if bf16 and not (torch.cuda.is_available() and torch.cuda.is_bf16_supported()):
        reasons.append("needs a GPU with bf16 support")

    def decorate(fn: F) -> F:
        if min_gpus:
            fn = pytest.mark.gpu(fn)
        return pytest.mark.skipif(bool(reasons), reason="; ".join(reasons))(fn)

    return decorate
