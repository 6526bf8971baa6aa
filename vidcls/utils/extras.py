"""Optional features live in pip extras; using one that is not installed ends in one line naming it.

The core install (``pip install vidcls``) extracts, trains, evaluates and predicts. The web page,
the demo builder and the Hydra scale-out plugins each need packages that the core does not pull in
(pyproject.toml ``[project.optional-dependencies]``); their entry points call :func:`require_extra`
before importing them, so a missing package is a :class:`VidclsError`, not an ImportError traceback.
"""

from __future__ import annotations

import importlib.util

from vidcls.errors import VidclsError

#: extra -> (what it enables, the top-level modules it must provide). Mirrors pyproject.toml.
EXTRAS: dict[str, tuple[str, tuple[str, ...]]] = {
    "web": ("the web page (app.py)", ("flask", "waitress")),
    "demo": ("the demo builder (data=demo)", ("skvideo", "skimage", "ale_py")),
    "cluster": (
        "Hydra's parallel/SLURM launchers and Optuna sweeper",
        (
            "hydra_plugins.hydra_joblib_launcher",
            "hydra_plugins.hydra_submitit_launcher",
            "hydra_plugins.hydra_optuna_sweeper",
        ),
    ),
}

#: Hydra config groups that only the ``cluster`` extra's plugins fill (checked in Hydra's error text).
_PLUGIN_OPTIONS = ("hydra/launcher/joblib", "hydra/launcher/submitit", "hydra/sweeper/optuna")


def install_hint(extra: str) -> str:
    return f'pip install "vidcls[{extra}]"'


def _installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:  # a missing parent package of a dotted name
        return False


def missing_modules(extra: str) -> list[str]:
    """The modules of ``extra`` that cannot be imported here (empty when it is installed)."""
    return [m for m in EXTRAS[extra][1] if not _installed(m)]


def require_extra(extra: str) -> None:
    """Raise a one-line :class:`VidclsError` unless every module of ``extra`` is importable."""
    missing = missing_modules(extra)
    if missing:
        what = EXTRAS[extra][0]
        raise VidclsError(f"{what} needs {', '.join(missing)}, which is not installed: run {install_hint(extra)}")


def hydra_plugin_hint(message: str) -> str | None:
    """For a Hydra composition error about a plugin-provided option, the install line to append."""
    if any(option in message for option in _PLUGIN_OPTIONS) and missing_modules("cluster"):
        return f"the Hydra launcher/sweeper plugins come with the cluster extra: {install_hint('cluster')}"
    return None
