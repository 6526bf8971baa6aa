"""Entry-point plumbing shared by every ``*.py`` command: argument order, ranges, errors, seeding.

- **Flags anywhere**: Hydra's parser takes ``-m``/``--cfg``/``--info``… only before the overrides;
  :func:`normalize_argv` moves them to the front so ``python train.py seed=0,1 -m data.x=y`` works.
- **Ranges**: ``key=A..B`` (inclusive integers) becomes Hydra's ``key=range(A,B+1)`` sweep.
- **Errors**: a mistake the user can fix (bad override, missing file, a :class:`VidclsError` —
  also one raised inside a Hydra ``_target_`` —, a config that does not compose) ends in one
  ``error:`` line and exit status 2. Anything else is a bug in vidcls: it keeps its traceback and
  exit status 1. A user who sets ``HYDRA_FULL_ERROR=1`` always gets the full traceback.
"""

from __future__ import annotations

import functools
import logging
import os
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

from omegaconf import DictConfig
from rich.console import Console

from vidcls.errors import VidclsError
from vidcls.utils.allocator import tune_malloc

F = TypeVar("F", bound=Callable[..., Any])

#: Exit status for errors a user caused (bad path, bad file, mismatched checkpoint).
USER_ERROR_EXIT = 2

#: Hydra flags that take the next argument as their value (``--cfg job``), and those whose value is
#: optional but restricted to a few words (``--info`` or ``--info defaults``).
_FLAGS_WITH_VALUE = frozenset(
    {"--cfg", "-c", "--package", "-p", "--config-path", "-cp", "--config-name", "-cn", "--config-dir", "-cd",
     "--experimental-rerun"}
)  # fmt: skip
_INFO_TOPICS = frozenset({"all", "config", "defaults", "defaults-tree", "plugins", "searchpath"})
_FLAGS_WITH_OPTIONAL_VALUE = {"--info": _INFO_TOPICS, "-i": _INFO_TOPICS}
_MULTIRUN_FLAGS = frozenset({"-m", "--multirun"})
_RANGE = re.compile(r"^(?P<key>[^=\s]+)=(?P<start>-?\d+)\.\.(?P<stop>-?\d+)$")

#: run_hydra_cli records here whether the *user* asked for full tracebacks (it sets Hydra's own
#: variable for every process so that exceptions reach vidcls; launcher workers inherit both).
_USER_FULL_ERROR_ENV = "VIDCLS_USER_HYDRA_FULL_ERROR"


def expand_range(override: str) -> tuple[str, bool]:
    """``key=A..B`` → ``(key=range(A,B+1), True)``; anything else comes back unchanged with False."""
    match = _RANGE.match(override)
    if match is None:
        return override, False
    start, stop = int(match["start"]), int(match["stop"])
    if stop < start:
        raise VidclsError(
            f"{override}: a range A..B needs A <= B (both ends are included, e.g. {match['key']}={stop}..{start})."
        )
    return f"{match['key']}=range({start},{stop + 1})", True


def normalize_argv(argv: Sequence[str]) -> list[str]:
    """Hydra flags first (each with its value), then the overrides, with ``A..B`` ranges expanded.

    A range is a sweep, so it needs ``-m``; without it the user gets one line saying so, rather
    than Hydra's message about a ``range(...)`` they never typed.
    """
    flags: list[str] = []
    overrides: list[str] = []
    ranges: list[str] = []
    pending = list(argv)
    index = 0
    while index < len(pending):
        token = pending[index]
        index += 1
        if token.startswith("-"):  # overrides never start with "-" (they are key=value, +key, ~key)
            flags.append(token)
            following = pending[index] if index < len(pending) else None
            takes_value = token in _FLAGS_WITH_VALUE or following in _FLAGS_WITH_OPTIONAL_VALUE.get(token, ())
            if following is not None and takes_value:
                flags.append(following)
                index += 1
            continue
        expanded, is_range = expand_range(token)
        overrides.append(expanded)
        if is_range:
            ranges.append(token)
    multirun = bool(_MULTIRUN_FLAGS.intersection(flags))
    if multirun and _shows_config_only(flags):
        raise VidclsError(
            "--cfg/--info/--help show one composed config and cannot be combined with -m (--multirun): "
            "drop -m and give one value per key to see that job's config."
        )
    if ranges and not multirun and not _shows_config_only(flags):
        raise VidclsError(
            f"{' '.join(ranges)} is a sweep (one job per value): add -m (--multirun) to run it, or give a single value."
        )
    return flags + overrides


def _shows_config_only(flags: Sequence[str]) -> bool:
    """``--cfg``/``--info``/``--help`` print and exit without running, so a sweep needs no ``-m`` there."""
    return any(f.split("=")[0] in {"--cfg", "-c", "--info", "-i", "--help", "-h", "--hydra-help"} for f in flags)


def _print_error(message: str) -> None:
    sys.stdout.flush()
    from rich.markup import escape

    Console(stderr=True, soft_wrap=True).print(f"[bold red]error:[/] {escape(message)}", highlight=False)


def _one_line(text: str) -> str:
    return " ".join(" ".join(line.split()) for line in text.splitlines() if line.strip())


def _chain(err: BaseException) -> Iterator[BaseException]:
    """The exception and everything it was raised from or during, innermost last."""
    seen: set[int] = set()
    current: BaseException | None = err
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _user_full_error() -> bool:
    value = os.environ.get(_USER_FULL_ERROR_ENV)
    if value is None:  # not started through run_hydra_cli (a test calling main() directly)
        value = os.environ.get("HYDRA_FULL_ERROR", "0")
    return value == "1"


def user_error_message(err: BaseException, in_task: bool) -> str | None:
    """The one line to show when ``err`` is the user's to fix; ``None`` when it is a bug in vidcls.

    ``in_task`` says whether the error came out of the task function (after composition): there,
    OmegaConf errors mean vidcls read its own config wrongly — except a mandatory ``???`` value
    the user left unset.
    """
    from hydra.errors import HydraException, InstantiationException
    from omegaconf.errors import MissingMandatoryValue, OmegaConfBaseException

    for inner in _chain(err):
        if isinstance(inner, VidclsError):
            return _one_line(str(inner))
    if isinstance(err, InstantiationException) and str(err).startswith("Error locating target"):
        return _one_line(str(err))  # a `_target_` the user typed (e.g. model._target_=...)
    if isinstance(err, MissingMandatoryValue):
        return _one_line(str(err))
    if not in_task and isinstance(err, HydraException | OmegaConfBaseException):
        from vidcls.utils.extras import hydra_plugin_hint

        texts = [str(err)] + ([str(err.__cause__)] if err.__cause__ else [])
        message = _one_line(" ".join(texts))
        hint = hydra_plugin_hint(message)  # hydra/launcher=joblib without the cluster extra
        return f"{message} ({hint})" if hint else message
    return None


def report_user_errors(fn: F) -> F:
    """Placed under ``@hydra.main``: a user error raised by the task becomes one line and exit 2.

    Bugs propagate unchanged (Hydra then prints them with a traceback, exit 1), marked as coming
    from inside the task so :func:`run_hydra_cli` does not mistake them for composition errors.
    """

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            configure_progress(args[0] if args else None)
            return fn(*args, **kwargs)
        except Exception as err:
            err.vidcls_in_task = True  # type: ignore[attr-defined]
            message = None if _user_full_error() else user_error_message(err, in_task=True)
            if message is None:
                raise
            _print_error(message)
            raise SystemExit(USER_ERROR_EXIT) from None

    return wrapper  # type: ignore[return-value]


def configure_progress(cfg: Any) -> None:
    """Plain progress lines (stderr not a terminal) come every ``cfg.progress_interval_s`` seconds."""
    if isinstance(cfg, DictConfig) and cfg.get("progress_interval_s") is not None:
        from vidcls.utils.progress import set_plain_interval

        try:
            set_plain_interval(float(cfg.progress_interval_s))
        except ValueError as err:
            raise VidclsError(str(err)) from None


def seed_from_config(cfg: DictConfig) -> int | None:
    """Seed Python, NumPy and torch (and DataLoader workers) when ``cfg.seed`` is set.

    ``seed=0`` is a real seed, so the check is ``is not None``, never truthiness.
    """
    seed = cfg.get("seed")
    if seed is None:
        return None
    if isinstance(seed, bool) or not isinstance(seed, int):
        try:
            seed = int(str(seed), 10)
        except ValueError:
            raise VidclsError(
                f"seed must be an integer (or null for no seeding); got {seed!r}. "
                "Examples: seed=0, seed=0,1,2,3 -m, seed=0..3 -m."
            ) from None
    return seed_everything(seed)


#: Largest seed NumPy accepts (uint32), as in Lightning's ``seed_everything``.
_MAX_SEED = 2**32 - 1


def seed_everything(seed: int) -> int:
    """What ``lightning.seed_everything(seed, workers=True)`` does, without importing Lightning.

    Importing Lightning costs ~4 s on 2 cores (it pulls in torchmetrics, torchvision and
    torch._dynamo), which ``extract.py``/``predict.py`` would pay on every start for nothing but
    seeding. The environment variables are the ones Lightning reads back: ``PL_GLOBAL_SEED``
    (spawned subprocesses) and ``PL_SEED_WORKERS=1`` (the Trainer gives DataLoader workers
    ``pl_worker_init_function``), so a later Trainer seeds its workers exactly as before.
    """
    import random

    import numpy as np

    global _torch_seed_pending
    if not 0 <= seed <= _MAX_SEED:
        raise VidclsError(f"seed must be in 0..{_MAX_SEED} (NumPy's range); got {seed}")
    logging.getLogger(__name__).info("Seed set to %d", seed)
    os.environ["PL_GLOBAL_SEED"] = str(seed)
    random.seed(seed)
    np.random.seed(seed)
    _torch_seed_pending = seed
    if "torch" in sys.modules:  # else extract.py may never need torch (cached export): seeded when it loads
        seed_torch_if_pending()
    os.environ["PL_SEED_WORKERS"] = "1"
    return seed


#: A seed given to :func:`seed_everything` before torch was imported, for :func:`seed_torch_if_pending`.
_torch_seed_pending: int | None = None


def seed_torch_if_pending() -> None:
    """Seed torch with the run's seed if it was set while torch was not yet imported (importing it now)."""
    global _torch_seed_pending
    if _torch_seed_pending is not None:
        import torch

        torch.manual_seed(_torch_seed_pending)
        _torch_seed_pending = None


def run_hydra_cli(main: Callable[[], Any]) -> None:
    """Run a ``@hydra.main`` function with flags anywhere, ``A..B`` ranges and one-line user errors."""
    user_full_error = os.environ.get(_USER_FULL_ERROR_ENV, os.environ.get("HYDRA_FULL_ERROR", "0")) == "1"
    os.environ[_USER_FULL_ERROR_ENV] = "1" if user_full_error else "0"
    os.environ["HYDRA_FULL_ERROR"] = "1"  # exceptions reach us; we decide how to print them
    tune_malloc()  # before any large tensor: glibc keeps big buffers instead of mmapping each batch's anew
    try:
        sys.argv[1:] = normalize_argv(sys.argv[1:])
        main()
    except Exception as err:
        if user_full_error:
            raise
        message = user_error_message(err, in_task=bool(getattr(err, "vidcls_in_task", False)))
        if message is None:
            raise
        _print_error(message)
        raise SystemExit(USER_ERROR_EXIT) from None
