"""FeatureDataModule: the predecessor's ``{train,val,test}_features_multiscale.h5`` → ``(x, lengths, y)`` batches.

- Files: ``features_dir`` with the predecessor's three names, or ``train_file``/``val_file``/``test_file``.
- ``setup()`` reads headers and checks values (labels, lengths, NaN/inf) and cross-split agreement
  (feature dim, class names, provenance) and raises one :class:`VidclsError` naming file and fix.
- h5py handles are opened lazily on the first ``__getitem__`` of each process (DataLoader worker) and
  reopened if the process id changes, so a handle never crosses a fork.
- Batches are trimmed to the longest true length in the batch: ``x [B, T_b, D] float32``,
  ``lengths [B] int64``, ``y [B] int64``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import h5py
import lightning as L
import numpy as np
import torch
from lightning.pytorch.utilities import rank_zero_warn
from torch.utils.data import DataLoader, Dataset, Sampler

from vidcls.datamodules.augment import FeatureAugmentation
from vidcls.errors import VidclsError
from vidcls.schema import (
    FEATURES,
    LABELS,
    NUM_FRAMES,
    SPLITS,
    FeatureFileMeta,
    read_meta,
    read_row,
    read_video_paths,
    split_path,
    validate_contents,
)
from vidcls.utils.resources import loader_workers

Batch = tuple[torch.Tensor, torch.Tensor, torch.Tensor]


class H5FeatureDataset(Dataset):
    """One split of a feature file; rows come back unpadded as ``(features [t, D] float32, t, label)``."""

    def __init__(
        self,
        meta: FeatureFileMeta,
        augment: FeatureAugmentation | None = None,
        load_into_memory: bool = False,
    ) -> None:
        self.path = Path(meta.path)
        self.meta = meta
        self.augment = augment if augment is not None and augment.active else None
        self._file: h5py.File | None = None
        self._pid: int | None = None
        self._features: np.ndarray | None = None
        # Small arrays, read with a short-lived handle; the features stay on disk unless loaded.
        with h5py.File(self.path, "r") as f:
            self.labels = f[LABELS][()].astype(np.int64)
            self.lengths = f[NUM_FRAMES][()].astype(np.int64)
            if load_into_memory:
                # Read once in the main process; forked workers share it copy-on-write.
                self._features = f[FEATURES][()]

    @property
    def in_memory(self) -> bool:
        return self._features is not None

    def __len__(self) -> int:
        return self.meta.num_samples

    def _handle(self) -> h5py.File:
        """This process's own read handle, opened on first use (never inherited across fork)."""
        if self._file is None or self._pid != os.getpid():
            self._file = h5py.File(self.path, "r")
            self._pid = os.getpid()
        return self._file

    def __getitem__(self, key: int | tuple[int, int]) -> tuple[torch.Tensor, int, int]:
        """Row ``key``, or ``(row, seed)`` from :class:`EpochSampler`: the row augmented with that seed."""
        index, seed = key if isinstance(key, tuple) else (key, None)
        length = int(self.lengths[index])
        row = self._features[index, :length] if self._features is not None else read_row(self._handle(), index, length)
        features = torch.from_numpy(np.asarray(row, dtype=np.float32))
        if self.augment is not None:
            generator = None if seed is None else torch.Generator().manual_seed(seed)
            features = self.augment(features, generator)
        return features, int(features.shape[0]), int(self.labels[index])

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
        self._file = None
        self._pid = None

    @property
    def is_open(self) -> bool:
        return self._file is not None and bool(self._file.id.valid)

    def __getstate__(self) -> dict[str, Any]:
        # Spawned workers get a pickled copy: send everything but the handle.
        state = self.__dict__.copy()
        state["_file"] = None
        state["_pid"] = None
        return state


def pad_collate(samples: Sequence[tuple[torch.Tensor, int, int]]) -> Batch:
    """Zero-pad to the batch's longest true length: ``(x [B,T_b,D] float32, lengths [B] int64, y [B])``."""
    lengths = torch.tensor([s[1] for s in samples], dtype=torch.int64)
    labels = torch.tensor([s[2] for s in samples], dtype=torch.int64)
    steps = int(lengths.max()) if len(samples) else 0
    dim = samples[0][0].shape[1] if samples else 0
    x = torch.zeros(len(samples), steps, dim, dtype=torch.float32)
    for i, (features, length, _) in enumerate(samples):
        x[i, :length] = features
    return x, lengths, labels


def feature_loader(
    rows: Dataset | FeatureFileMeta,
    batch_size: int,
    *,
    shuffle: bool = False,
    sampler: Sampler | None = None,
    num_workers: int = 0,
    pin_memory: bool = False,
    persistent_workers: bool = False,
    generator: torch.Generator | None = None,
) -> DataLoader:
    """The one DataLoader over feature rows: ``(x, lengths, y)`` batches padded by :func:`pad_collate`.

    Given a :class:`FeatureFileMeta`, every row of that file in order, unaugmented (eval, calibration,
    cross-validation); the datamodule passes its own datasets.
    """
    dataset = H5FeatureDataset(rows) if isinstance(rows, FeatureFileMeta) else rows
    return DataLoader(
        dataset,
        batch_size=int(batch_size),
        shuffle=shuffle,
        sampler=sampler,
        num_workers=num_workers,
        pin_memory=pin_memory,
        persistent_workers=persistent_workers and num_workers > 0,
        collate_fn=pad_collate,
        drop_last=False,
        generator=generator,
    )


class EpochSampler(Sampler[tuple[int, int]]):
    """Training rows in an order that is a function of ``(seed, epoch)`` only, each with its augmentation seed.

    Why: a run resumed from ``last.ckpt`` must see the data the uninterrupted run saw. Torch's
    RandomSampler/WeightedRandomSampler draw from the global RNG and augmentations drawn in a
    DataLoader worker depend on that worker's history, so neither replays. Here epoch ``e`` is
    always the same permutation (or, with ``weights``, the same draws with replacement, as
    WeightedRandomSampler makes), and row ``i`` of it comes as ``(i, row_seed)``: the dataset
    augments it with a generator seeded by ``row_seed``, whichever worker reads it.

    Like DistributedSampler, the epoch is set from outside (Lightning calls :meth:`set_epoch`
    before every epoch); iterating twice without it repeats the epoch.
    """

    def __init__(self, num_rows: int, seed: int, weights: np.ndarray | None = None, epoch: int = 0) -> None:
        self.num_rows = int(num_rows)
        self.seed = int(seed)
        self.weights = None if weights is None else torch.as_tensor(weights, dtype=torch.double)
        self.epoch = int(epoch)

    def set_epoch(self, epoch: int) -> None:
        self.epoch = int(epoch)

    def __len__(self) -> int:
        return self.num_rows

    def __iter__(self) -> Iterator[tuple[int, int]]:
        state = np.random.SeedSequence([self.seed, self.epoch]).generate_state(1, np.uint64)[0]
        generator = torch.Generator().manual_seed(int(state))
        if self.weights is None:
            order = torch.randperm(self.num_rows, generator=generator)
        else:
            order = torch.multinomial(self.weights, self.num_rows, replacement=True, generator=generator)
        row_seeds = torch.randint(0, 2**62, (self.num_rows,), generator=generator)
        return iter(list(zip(order.tolist(), row_seeds.tolist(), strict=True)))


def balanced_weights(labels: np.ndarray, num_classes: int) -> np.ndarray:
    """Per-row draw weights that pick each class equally often in expectation (the predecessor's sampler)."""
    counts = np.bincount(labels, minlength=num_classes).astype(np.float64)
    return 1.0 / counts[labels]


def source_of(video_path: str, pattern: re.Pattern[str]) -> str:
    """The source a clip was cut from: the pattern's first group on the file name without its extension,
    else the whole name (a file the pattern does not match is a source of its own)."""
    stem = Path(video_path).stem
    match = pattern.match(stem)
    return match.group(1) if match and match.groups() and match.group(1) else stem


def source_weights(video_paths: Sequence[str], pattern: str) -> np.ndarray:
    """Per-row draw weights that pick each source equally often in expectation (a source's clips share it).

    Why: real training sets hold 1 to 12+ clips per recording, and a model judged on recordings it has
    never seen learns more from one more source than from more clips of the same one.
    """
    compiled = re.compile(pattern)
    sources = [source_of(v, compiled) for v in video_paths]
    _, index, counts = np.unique(sources, return_inverse=True, return_counts=True)
    return 1.0 / counts[index].astype(np.float64)


def draw_weights(
    labels: np.ndarray, num_classes: int, balance_classes: bool, video_paths: Sequence[str] | None, pattern: str | None
) -> np.ndarray | None:
    """The training sampler's per-row weights: classes, sources, both (each class equally likely, and each
    source equally likely within its class) or neither (``None``: a plain permutation)."""
    if pattern is None:
        return balanced_weights(labels, num_classes) if balance_classes else None
    if video_paths is None:
        raise VidclsError(
            "data.source_pattern is set but the training file stores no video_paths; re-extract it with "
            "extract.py (which stores them) or set data.source_pattern=null."
        )
    weights = source_weights(video_paths, pattern)
    if balance_classes:
        class_mass = np.bincount(labels, weights=weights, minlength=num_classes)
        weights = weights / class_mass[labels]
    return weights


class FeatureDataModule(L.LightningDataModule):
    """HDF5 feature files in the predecessor's layout as Lightning dataloaders (see module docstring)."""

    def __init__(
        self,
        features_dir: str | os.PathLike[str] | None = None,
        train_file: str | os.PathLike[str] | None = None,
        val_file: str | os.PathLike[str] | None = None,
        test_file: str | os.PathLike[str] | None = None,
        batch_size: int = 48,
        eval_batch_size: int | None = None,
        num_workers: int | str = "auto",
        pin_memory: bool = False,
        persistent_workers: bool = True,
        load_into_memory: bool | str = "auto",
        memory_limit_gb: float = 4.0,
        balance_classes: bool = True,
        source_pattern: str | None = None,
        check_values: bool = True,
        augment: Mapping[str, Any] | FeatureAugmentation | None = None,
        seed: int | None = None,
    ) -> None:
        super().__init__()
        self.features_dir = None if features_dir in (None, "") else Path(features_dir)
        self.files = {"train": train_file, "val": val_file, "test": test_file}
        self.batch_size = int(batch_size)
        self.eval_batch_size = int(eval_batch_size or batch_size)
        self.num_workers = loader_workers(num_workers)
        self.pin_memory = bool(pin_memory)
        self.persistent_workers = bool(persistent_workers) and self.num_workers > 0
        if load_into_memory not in (True, False, "auto"):
            raise VidclsError(f"data.load_into_memory must be true, false or auto; got {load_into_memory!r}.")
        self.load_into_memory = load_into_memory
        self.memory_limit_gb = float(memory_limit_gb)
        self.balance_classes = bool(balance_classes)
        if source_pattern is not None:
            try:
                re.compile(source_pattern)
            except re.error as err:
                raise VidclsError(
                    f"data.source_pattern={source_pattern!r} is not a regular expression: {err}."
                ) from None
        self.source_pattern = source_pattern
        self.check_values = bool(check_values)
        if isinstance(augment, FeatureAugmentation):
            self.augment = augment
        else:
            try:
                self.augment = FeatureAugmentation(**dict(augment or {}))
            except (TypeError, ValueError) as err:
                raise VidclsError(f"bad data.augment settings: {err}.") from None
        # The training order and augmentations derive from it (EpochSampler); a checkpoint records it, so a
        # resumed run replays them even when the run was unseeded (a fresh seed then).
        self.seed = (
            int(seed) if seed is not None else int(np.random.SeedSequence().generate_state(1, np.uint64)[0] >> 2)
        )
        self.metas: dict[str, FeatureFileMeta] = {}
        self.datasets: dict[str, H5FeatureDataset] = {}
        self._train_labels: np.ndarray | None = None

    # ------------------------------------------------------------------ files and checks
    def split_file(self, split: str) -> Path:
        """Where a split lives: an explicit ``<split>_file`` wins over ``features_dir``."""
        explicit = self.files.get(split)
        if explicit not in (None, ""):
            return Path(explicit)
        if self.features_dir is None:
            raise VidclsError(
                f"no {split} feature file configured. Set data.features_dir=DIR (holding "
                f"{split_path('DIR', split).name}) or data.{split}_file=PATH."
            )
        return split_path(self.features_dir, split)

    def check_split(self, split: str) -> FeatureFileMeta:
        """Read and check one split's file once; also check it agrees with the splits already read."""
        if split in self.metas:
            return self.metas[split]
        path = self.split_file(split)
        if not path.is_file():
            raise VidclsError(
                f"{split} split missing: {path} does not exist. Create it with extract.py, or point "
                f"data.features_dir / data.{split}_file at the right place."
            )
        meta = validate_contents(path) if self.check_values else read_meta(path)
        for other_split, other in self.metas.items():
            _check_agree(meta, split, other, other_split)
        self.metas[split] = meta
        return meta

    def _wants_memory(self, meta: FeatureFileMeta) -> bool:
        if self.load_into_memory == "auto":
            size_gb = meta.num_samples * meta.max_frames * meta.feature_dim * np.dtype(meta.dtype).itemsize / 2**30
            return size_gb <= self.memory_limit_gb
        return bool(self.load_into_memory)

    def setup(self, stage: str | None = None) -> None:
        splits = {"fit": ("train", "val"), "validate": ("val",), "test": ("test",), "predict": ("test",)}.get(
            stage or "", SPLITS
        )
        for split in splits:
            meta = self.check_split(split)
            if split != "test":  # an empty test split is allowed: training then skips testing, with a warning
                require_rows(meta, split)
            if split not in self.datasets:
                self.datasets[split] = H5FeatureDataset(
                    meta, augment=self.augment if split == "train" else None, load_into_memory=self._wants_memory(meta)
                )
                check_class_coverage(self.datasets[split].labels, meta, split)

    # ------------------------------------------------------------------ facts for the model
    def _reference_meta(self) -> FeatureFileMeta:
        for split in SPLITS:
            if split in self.metas:
                return self.metas[split]
        raise RuntimeError("FeatureDataModule.setup() must run before reading class_names/feature_dim.")

    @property
    def class_names(self) -> list[str]:
        return list(self._reference_meta().class_names)

    def num_samples(self, split: str) -> int:
        """Rows in a split's file (read from its header; the split is checked on first use)."""
        return self.check_split(split).num_samples

    @property
    def num_classes(self) -> int:
        return len(self.class_names)

    @property
    def feature_dim(self) -> int:
        return self._reference_meta().feature_dim

    @property
    def provenance(self) -> dict[str, Any]:
        """The training file's provenance attrs (backbone, frame size, ...) for the checkpoint."""
        return self._reference_meta().provenance.to_dict()

    @property
    def train_labels(self) -> np.ndarray:
        """Training labels (a small read; features stay on disk)."""
        if self._train_labels is None:
            meta = self.check_split("train")
            with h5py.File(meta.path, "r") as f:
                self._train_labels = f[LABELS][()].astype(np.int64)
        return self._train_labels

    def _train_video_paths(self) -> list[str] | None:
        """The training file's per-row video paths, read only when sources are balanced."""
        if self.source_pattern is None:
            return None
        with h5py.File(self.check_split("train").path, "r") as f:
            return read_video_paths(f)

    @property
    def class_counts(self) -> list[int]:
        return np.bincount(self.train_labels, minlength=self.num_classes).tolist()

    # ------------------------------------------------------------------ loaders
    def _first_epoch(self) -> int:
        """The epoch Lightning is about to run (after a resume, the checkpoint's next one), else 0.

        The sampler needs it at construction: Lightning creates the first iterator (and with workers,
        draws its indices) before its first ``set_epoch`` call. This is the value it passes to them.
        """
        trainer = self.trainer
        return int(trainer.fit_loop.epoch_progress.current.processed) if trainer is not None else 0

    def _loader(self, split: str, train: bool) -> DataLoader:
        if split not in self.datasets:
            self.setup({"train": "fit", "val": "fit", "test": "test"}[split])
        sampler = None
        if train:
            weights = draw_weights(
                self.train_labels,
                self.num_classes,
                self.balance_classes,
                self._train_video_paths(),
                self.source_pattern,
            )
            sampler = EpochSampler(len(self.datasets[split]), self.seed, weights, epoch=self._first_epoch())
        return feature_loader(
            self.datasets[split],
            self.batch_size if train else self.eval_batch_size,
            sampler=sampler,
            num_workers=self.num_workers,
            pin_memory=self.pin_memory,
            persistent_workers=self.persistent_workers,
            # Worker seeds come from this, not from torch's global RNG, so making an iterator leaves
            # the global RNG (dropout) where an uninterrupted run has it.
            generator=torch.Generator().manual_seed(self.seed),
        )

    def state_dict(self) -> dict[str, Any]:
        """Saved in every checkpoint: the seed of the training order and augmentations."""
        return {"seed": self.seed}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """On resume, continue the checkpoint's data stream (its seed wins over ``data.seed``)."""
        if "seed" in state_dict:
            self.seed = int(state_dict["seed"])

    def train_dataloader(self) -> DataLoader:
        return self._loader("train", train=True)

    def val_dataloader(self) -> DataLoader:
        return self._loader("val", train=False)

    def test_dataloader(self) -> DataLoader:
        return self._loader("test", train=False)

    def teardown(self, stage: str | None = None) -> None:
        for dataset in self.datasets.values():
            dataset.close()


def require_rows(meta: FeatureFileMeta, split: str) -> None:
    """A split that must be read (train, val, or the split eval scores) cannot be empty."""
    if meta.num_samples > 0:
        return
    raise VidclsError(
        f"the {split} split is empty: {meta.path} holds no videos. Put videos under VIDEOS/{split}/<Class>/ "
        "(or VIDEOS/<Class>/ for an automatic 70/20/10 split) and re-run extract.py, or point "
        f"data.features_dir / data.{split}_file at a file with rows."
    )


def check_class_coverage(labels: np.ndarray, meta: FeatureFileMeta, split: str) -> None:
    """Every class the file names should have rows: a train split of one class is an error, a gap a warning.

    A model trained on one class predicts it for everything (it trained "fine" and scored chance);
    a class missing from train is never learnt, one missing from val/test is never measured.
    """
    if labels.size == 0:  # an empty split is handled (refused or skipped) by the caller
        return
    num_classes = len(meta.class_names)
    counts = np.bincount(labels[(labels >= 0) & (labels < num_classes)], minlength=num_classes)
    missing = [name for name, count in zip(meta.class_names, counts, strict=False) if count == 0]
    if not missing:
        return
    per_class = ", ".join(f"{name}={int(count)}" for name, count in zip(meta.class_names, counts, strict=False))
    where = f"the {split} split {meta.path}"
    if split == "train" and int((counts > 0).sum()) == 1:
        raise VidclsError(
            f"{where} holds videos of only one class ({per_class}): a model trained on it predicts that class "
            f"for everything. Put videos of every class under VIDEOS/train/<Class>/ and re-run extract.py."
        )
    effect = "the model never learns them" if split == "train" else f"{split} metrics do not measure them"
    rank_zero_warn(
        f"{where} has no videos of {', '.join(missing)} ({per_class}): {effect}. "
        "Give every split videos of every class (re-run extract.py) for a complete result."
    )


def _check_agree(meta: FeatureFileMeta, split: str, other: FeatureFileMeta, other_split: str) -> None:
    """Splits must come from the same extraction: same feature dim, class names and provenance."""
    if meta.feature_dim != other.feature_dim:
        raise VidclsError(
            f"{meta.path} has feature_dim {meta.feature_dim} but the {other_split} file {other.path} has "
            f"{other.feature_dim}: the splits were extracted with different backbones. Re-extract them together."
        )
    if meta.class_names != other.class_names:
        raise VidclsError(
            f"{meta.path} has classes {meta.class_names} but the {other_split} file {other.path} has "
            f"{other.class_names}. All splits need the same category_mapping; re-extract or fix the attribute."
        )
    meta.provenance.require_compatible(
        other.provenance,
        f"{meta.path} ({split}) was extracted differently from {other.path} ({other_split})",
        "Re-extract all splits with one extract.py run (same backbone, frame size, frames, scales and sampling).",
    )
