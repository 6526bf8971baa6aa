"""Entry-point plumbing: one clear message for user errors, seeding, the optimized metric."""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from typing import Any, TypeVar

from omegaconf import DictConfig
from rich.console import Console

from vidcls.errors import VidclsError
from vidcls.utils.allocator import tune_malloc

F = TypeVar("F", bound=Callable[..., Any])

#: Exit status for errors a user caused (bad path, bad file, mismatched checkpoint).
USER_ERROR_EXIT = 2


def report_user_errors(fn: F) -> F:
    """Turn a :class:`VidclsError` into one red line on stderr and exit status 2.

    Placed under ``@hydra.main`` so Hydra never prints its traceback for errors users can fix;
    genuine bugs still raise with a full traceback.
    """

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except VidclsError as err:
            Console(stderr=True, soft_wrap=True).print(f"[bold red]error:[/] {err}", highlight=False)
            sys.stdout.flush()
            raise SystemExit(USER_ERROR_EXIT) from None

    return wrapper  # type: ignore[return-value]


def seed_from_config(cfg: DictConfig) -> int | None:
    """Seed Python, NumPy and torch (and DataLoader workers) when ``cfg.seed`` is set.

    ``seed=0`` is a real seed, so the check is ``is not None``, never truthiness.
    """
    seed = cfg.get("seed")
    if seed is not None:
        import lightning as L

        L.seed_everything(int(seed), workers=True)
        return int(seed)
    return None


def run_hydra_cli(main: Callable[[], Any]) -> None:
    """Run a ``@hydra.main`` function; Hydra's own errors become one line and exit status 2.

    Unknown overrides, missing config groups and missing mandatory values are user errors, but
    Hydra prints them across several lines with a hint about stack traces and exits with 1.
    ``HYDRA_FULL_ERROR=1`` lets them reach us instead; real bugs still end in a full traceback.
    """
    from hydra.errors import HydraException
    from omegaconf.errors import OmegaConfBaseException

    tune_malloc()
    os.environ.setdefault("HYDRA_FULL_ERROR", "1")
    try:
        main()
    except (HydraException, OmegaConfBaseException) as err:
        texts = [str(err)] + ([str(err.__cause__)] if err.__cause__ else [])
        message = " ".join(" ".join(line.split()) for text in texts for line in text.splitlines() if line.strip())
        Console(stderr=True, soft_wrap=True).print(f"[bold red]error:[/] {message}", highlight=False)
        raise SystemExit(USER_ERROR_EXIT) from None
