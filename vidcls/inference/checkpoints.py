"""Finding and safely loading checkpoints: vidcls Lightning ``.ckpt`` files and the predecessor's ``.pt``.

Safety: every file is read with ``torch.load(weights_only=True)`` (tensors, plain containers and
NumPy scalars/arrays only), and a checkpoint's model class must be a ``torch.nn.Module`` inside the
``vidcls`` package. Anything else would run code chosen by whoever wrote the file, so it is refused
unless the user passes ``allow_unsafe_load=true`` for a file they trust.
"""

from __future__ import annotations

import glob
import inspect
import logging
import os
import pickle
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from vidcls.errors import VidclsError
from vidcls.schema import Provenance
from vidcls.utils.config import import_class

log = logging.getLogger(__name__)

PREDECESSOR_GLOB = "best_ensemble_model_*.pt"
LIGHTNING_CHECKPOINT_NAME = "best.ckpt"
_ALLOWED_TARGET_PREFIX = "vidcls."

# NumPy scalars/arrays (e.g. a saved ``val_acc``) are data, not code; allow them under both the
# NumPy 2 and NumPy 1 module names so predecessor files saved with either load with weights_only.
# The two pickle helpers are taken from public objects' ``__reduce__`` (no private ``np._core``), so
# this works on NumPy 1.26 and 2.x alike.
_NP_RECONSTRUCT = np.ndarray(0).__reduce__()[0]
_NP_SCALAR = np.float64(0).__reduce__()[0]
_NUMPY_SAFE_GLOBALS: list[Any] = [
    np.dtype,
    np.ndarray,
    *[
        (fn, f"{module}.{fn.__name__}")
        for fn in (_NP_RECONSTRUCT, _NP_SCALAR)
        for module in ("numpy._core.multiarray", "numpy.core.multiarray")
    ],
    *[type(np.dtype(code)) for code in "?bBhHiIlLqQefdgFDG"],
]


@dataclass
class Member:
    """One loaded model of an ensemble and what its checkpoint says about the data it expects."""

    name: str
    model: nn.Module
    path: Path
    feature_dim: int
    class_names: list[str] | None  # None: not recorded (predecessor checkpoint)
    provenance: Provenance = field(default_factory=Provenance)
    kind: str = "lightning"  # "lightning" | "predecessor"
    # Logits are divided by this before the softmax (fitted on val, see vidcls/inference/calibration.py).
    temperature: float = 1.0
    # Its fraction of the ensemble's probability (None: an equal part of the rest; vidcls/inference/shares.py).
    ensemble_share: float | None = None

    def __post_init__(self) -> None:
        self.provenance = Provenance.of(self.provenance)  # a plain dict is accepted (tests, tools)


def unsafe_globals(path: Path) -> list[str]:
    """Names the pickle in ``path`` would import beyond tensors and plain data (read, never executed)."""
    try:
        with torch.serialization.safe_globals(_NUMPY_SAFE_GLOBALS):
            return list(torch.serialization.get_unsafe_globals_in_checkpoint(path))
    except Exception:  # not a readable checkpoint at all: the caller reports that
        return []


#: What pickle itself uses to rebuild a plain class instance: not a call chosen by the file's author.
_INSTANCE_BUILDERS = frozenset(
    {"copyreg._reconstructor", "copyreg.__newobj__", "copyreg.__newobj_ex__", "builtins.object", "__builtin__.object"}
)


def _refusal(path: Path, names: Sequence[str]) -> VidclsError:
    """Why a pickled checkpoint is refused; a file that *calls* something is never invited to load.

    Classes are named in CamelCase by convention; any other global is a function the file would call.
    """
    names = [n for n in names if n not in _INSTANCE_BUILDERS] or list(names)
    callables = [n for n in names if not n.rpartition(".")[2].lstrip("_")[:1].isupper()]
    if callables:
        return VidclsError(
            f"checkpoint {path} would call {', '.join(callables)} when loaded: unpickling it runs code written "
            "into the file, so it is not a plain model checkpoint and vidcls refuses it. Do not open it with "
            "other tools either; get the checkpoint again from a source you trust."
        )
    return VidclsError(
        f"checkpoint {path} holds pickled objects of {', '.join(names)} besides tensors and plain data; "
        "loading them imports and runs those classes' code. If (and only if) you trust where the file came "
        "from, re-run with allow_unsafe_load=true."
    )


def read_checkpoint(path: Path, allow_unsafe_load: bool = False, setting: str = "ckpt_paths") -> Any:
    """A checkpoint file's contents, read as tensors and plain data unless the user allows more.

    The one reader every command uses (eval, predict, app, calibrate, and train's ``ckpt_path``), so
    a file that would run code is refused with the same words everywhere; ``setting`` names the
    option that pointed at the file, for the hint.
    """
    try:
        with torch.serialization.safe_globals(_NUMPY_SAFE_GLOBALS):
            return torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as err:
        if not allow_unsafe_load:
            names = unsafe_globals(path)
            if names:
                raise _refusal(path, names) from None
            detail = next((line.strip() for line in str(err).splitlines() if "WeightsUnpickler error" in line), "")
            raise VidclsError(
                f"cannot read checkpoint {path} as tensors and plain data ({detail or 'unpickling failed'}). It is "
                f"probably truncated or not a checkpoint: re-copy it, or point {setting} at another file."
            ) from None
    except (RuntimeError, EOFError, KeyError, ValueError, OSError) as err:
        first_line = str(err).splitlines()[0] if str(err) else ""
        raise VidclsError(
            f"cannot read checkpoint {path} ({type(err).__name__}: {first_line}). "
            f"Is it truncated or not a PyTorch checkpoint? Re-copy it or point {setting} elsewhere."
        ) from None
    log.warning("allow_unsafe_load=true: unpickling %s with arbitrary objects allowed", path)
    try:
        return torch.load(path, map_location="cpu", weights_only=False)
    except Exception as err:
        raise VidclsError(f"cannot read checkpoint {path} ({type(err).__name__}: {err}). Is it truncated?") from None


def _resolve_target(target: Any, path: Path, allow_unsafe_load: bool) -> type[nn.Module]:
    """The model class named by a checkpoint; only vidcls modules unless the user allows more."""
    if not isinstance(target, str) or "." not in target:
        raise VidclsError(f"checkpoint {path}: hyper_parameters.net._target_ is {target!r}, not a class path.")
    if not target.startswith(_ALLOWED_TARGET_PREFIX) and not allow_unsafe_load:
        raise VidclsError(
            f"checkpoint {path} asks to build {target!r}, which is outside the vidcls package; building it could "
            "run arbitrary code. If you trust the file, re-run with allow_unsafe_load=true."
        )
    try:
        cls: Any = import_class(target)
    except ValueError:  # it exists but is not a class: refused below
        cls = None
    except (ImportError, AttributeError):
        raise VidclsError(
            f"checkpoint {path} was written for model class {target!r}, which this vidcls version does not have. "
            "Use the vidcls version that trained it."
        ) from None
    if not (inspect.isclass(cls) and issubclass(cls, nn.Module)):
        raise VidclsError(f"checkpoint {path}: {target!r} is not a torch.nn.Module class; refusing to call it.")
    return cls


def _load_state(model: nn.Module, state: dict[str, torch.Tensor], path: Path) -> None:
    try:
        model.load_state_dict(state, strict=True)
    except RuntimeError as err:
        raise VidclsError(
            f"checkpoint {path}: weights do not fit the architecture it records ({str(err).splitlines()[0]} ...). "
            "The file is damaged or was edited; use the original checkpoint."
        ) from None


def _load_lightning(ckpt: dict[str, Any], path: Path, name: str, allow_unsafe_load: bool) -> Member:
    hparams = ckpt.get("hyper_parameters")
    if not isinstance(hparams, dict) or not isinstance(hparams.get("net"), dict):
        raise VidclsError(
            f"checkpoint {path} has no hyper_parameters.net: it was not written by vidcls' VideoClassifier. "
            "Use a best.ckpt from a vidcls train.py run."
        )
    for key in ("class_names", "feature_dim"):
        if key not in hparams:
            raise VidclsError(f"checkpoint {path}: hyper_parameters lack {key!r}; re-train with this vidcls version.")
    net_cfg = dict(hparams["net"])
    cls = _resolve_target(net_cfg.get("_target_"), path, allow_unsafe_load)
    from vidcls.modules import build_net  # the one place that turns a `net` dict into a model

    model = build_net(net_cfg)
    if not isinstance(model, cls):
        raise VidclsError(f"checkpoint {path}: built {type(model).__name__}, expected {cls.__name__}.")
    prefix = "net."
    state = {k[len(prefix) :]: v for k, v in ckpt.get("state_dict", {}).items() if k.startswith(prefix)}
    if not state:
        raise VidclsError(f"checkpoint {path} has no weights under 'state_dict' with prefix 'net.'.")
    _load_state(model, state, path)
    feature_dim = int(hparams["feature_dim"])
    provenance = Provenance.of({**(hparams.get("provenance") or {}), "feature_dim": feature_dim}, f"checkpoint {path}")
    from vidcls.inference.calibration import check_temperature
    from vidcls.modules.classifier import check_ensemble_share

    return Member(
        name=name,
        model=model,
        path=path,
        feature_dim=feature_dim,
        class_names=[str(c) for c in hparams["class_names"]],
        provenance=provenance,
        kind="lightning",
        temperature=check_temperature(hparams.get("temperature"), path),
        ensemble_share=check_ensemble_share(hparams.get("ensemble_share"), f"checkpoint {path}: ensemble_share"),
    )


def _load_predecessor(ckpt: dict[str, Any], path: Path, name: str) -> Member:
    """The predecessor's ``{'model_state_dict', 'model_config', ...}``: a SuperEnhancedTemporalModel, no padding mask.

    ``mask_padding=False`` reproduces the forward pass these weights were trained with. The files
    record neither class names nor how features were extracted; see docs/evaluation.md.
    """
    from vidcls.modules import SuperEnhancedTemporalModel

    config = ckpt.get("model_config")
    state = ckpt.get("model_state_dict")
    if not isinstance(config, dict) or not isinstance(state, dict):
        raise VidclsError(f"checkpoint {path}: expected a dict with 'model_state_dict' and 'model_config'.")
    accepted = set(inspect.signature(SuperEnhancedTemporalModel).parameters) - {"mask_padding"}
    ignored = sorted(set(config) - accepted)
    if ignored:
        log.warning("%s: ignoring model_config keys %s", path, ignored)
    kwargs = {k: v for k, v in config.items() if k in accepted}
    if "feature_dim" not in kwargs:
        raise VidclsError(f"checkpoint {path}: model_config has no feature_dim; cannot rebuild the model.")
    try:
        model = SuperEnhancedTemporalModel(**kwargs, mask_padding=False)
    except (TypeError, ValueError, AssertionError) as err:
        raise VidclsError(f"checkpoint {path}: model_config {kwargs} does not build a model ({err}).") from None
    _load_state(model, state, path)
    return Member(
        name=name,
        model=model,
        path=path,
        feature_dim=int(kwargs["feature_dim"]),
        class_names=None,
        provenance=Provenance(feature_dim=int(kwargs["feature_dim"])),
        kind="predecessor",
    )


def load_member(
    path: str | os.PathLike[str],
    name: str | None = None,
    device: str | torch.device = "cpu",
    allow_unsafe_load: bool = False,
) -> Member:
    """Load one checkpoint (either format) as an eval-mode model on ``device``."""
    path = Path(path)
    if not path.is_file():
        raise VidclsError(f"checkpoint not found: {path}. Check ckpt_paths.")
    ckpt = read_checkpoint(path, allow_unsafe_load)
    if not isinstance(ckpt, dict):
        raise VidclsError(f"checkpoint {path} holds a {type(ckpt).__name__}, not a checkpoint dict.")
    name = name or path.stem
    if "state_dict" in ckpt and "hyper_parameters" in ckpt:
        member = _load_lightning(ckpt, path, name, allow_unsafe_load)
    elif "model_state_dict" in ckpt:
        member = _load_predecessor(ckpt, path, name)
    else:
        raise VidclsError(
            f"{path} is neither a vidcls Lightning checkpoint (state_dict + hyper_parameters) nor a predecessor "
            f"checkpoint (model_state_dict + model_config); its keys are {sorted(ckpt)[:8]}."
        )
    member.model.to(device).eval()
    return member


def _search_dir(directory: Path) -> list[Path]:
    found = sorted(directory.rglob(LIGHTNING_CHECKPOINT_NAME))
    return found or sorted(directory.rglob(PREDECESSOR_GLOB))


def resolve_checkpoint_paths(spec: str | os.PathLike[str] | Sequence[str | os.PathLike[str]]) -> list[Path]:
    """Checkpoint files from a path, a glob, a directory (every ``best.ckpt`` under it, e.g. a
    multirun dir; else every ``best_ensemble_model_*.pt``) or a list of those. Order is stable."""
    items = [spec] if isinstance(spec, str | os.PathLike) else list(spec)
    if not items:
        raise VidclsError("ckpt_paths is empty; pass checkpoint files, a glob, or a training run directory.")
    paths: list[Path] = []
    for item in items:
        text = os.path.expanduser(str(item)).strip()
        if not text:
            raise VidclsError("ckpt_paths has an empty entry; pass checkpoint files, a glob, or a run directory.")
        if glob.has_magic(text):
            matches = [Path(p) for p in sorted(glob.glob(text, recursive=True))]
            if not matches:
                raise VidclsError(f"ckpt_paths glob {text!r} matches nothing. Check the pattern (quote it on the CLI).")
        else:
            matches = [Path(text)]
        for match in matches:
            if match.is_dir():
                found = _search_dir(match)
                if not found:
                    raise VidclsError(
                        f"no {LIGHTNING_CHECKPOINT_NAME} (or {PREDECESSOR_GLOB}) under directory {match}. "
                        "Point ckpt_paths at a train.py run or multirun directory, or at checkpoint files."
                    )
                paths.extend(found)
            elif match.is_file():
                paths.append(match)
            else:
                raise VidclsError(f"checkpoint not found: {match}. Check ckpt_paths.")
    unique = list(dict.fromkeys(p.resolve() for p in paths))
    return unique


def member_names(paths: Sequence[Path]) -> list[str]:
    """Short unique names: the run directory for ``<run>/checkpoints/best.ckpt`` (e.g. ``seed=2``), else the stem."""

    def base(path: Path) -> list[str]:
        parts = list(path.parent.parts)
        if path.suffix == ".ckpt":
            if parts and parts[-1] == "checkpoints":
                parts = parts[:-1]
            return parts
        return [*parts, path.stem]

    all_parts = [base(p) for p in paths]
    for depth in range(1, max((len(p) for p in all_parts), default=1) + 1):
        names = ["/".join(p[-depth:]) or str(path) for p, path in zip(all_parts, paths, strict=True)]
        if len(set(names)) == len(names):
            return names
    return [str(p) for p in paths]
