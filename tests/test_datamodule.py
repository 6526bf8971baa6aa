"""FeatureDataModule on small generated seed-layout files: handles, batches, sampler, augments, checks."""

from __future__ import annotations

import pickle
import re
import shutil
from collections import Counter
from pathlib import Path

import h5py
import numpy as np
import pytest
import torch

from vidcls.datamodules import FeatureAugmentation, FeatureDataModule, H5FeatureDataset, pad_collate
from vidcls.datamodules.features import source_of
from vidcls.errors import VidclsError
from vidcls.schema import FEATURES, LABELS, NUM_FRAMES, split_path, write_feature_file
from vidcls.synthetic import write_synthetic_splits

NO_AUGMENT = {"subsample_p": 0.0, "shift_p": 0.0, "noise_p": 0.0}


def make_dm(features_dir: Path, **kwargs: object) -> FeatureDataModule:
    settings: dict[str, object] = {"features_dir": features_dir, "batch_size": 8, "num_workers": 0}
    settings["load_into_memory"] = False  # the lazy path; tests of loading into RAM ask for it
    settings["augment"] = NO_AUGMENT
    return FeatureDataModule(**(settings | kwargs))


@pytest.fixture
def writable_splits(tmp_path: Path) -> Path:
    """A fresh copy of small files that a test may damage."""
    return write_synthetic_splits(tmp_path / "feats", 4, max_frames=8, feature_dim=6)


def test_setup_exposes_facts_from_the_files(synthetic_features_dir: Path) -> None:
    dm = make_dm(synthetic_features_dir)
    dm.setup("fit")
    assert dm.class_names == ["ClassA", "ClassB", "ClassC", "ClassD"]
    assert dm.feature_dim == 32 and dm.num_classes == 4
    assert dm.provenance["backbone"] == "synthetic" and dm.provenance["max_frames"] == 16
    assert dm.class_counts == [24, 24, 24, 24] and dm.train_labels.shape == (96,)
    assert "test" not in dm.datasets  # fit needs train and val only


def test_explicit_files_win_over_features_dir(synthetic_features_dir: Path, tmp_path: Path) -> None:
    dm = FeatureDataModule(
        features_dir=tmp_path / "nowhere",
        train_file=split_path(synthetic_features_dir, "train"),
        val_file=split_path(synthetic_features_dir, "val"),
        test_file=split_path(synthetic_features_dir, "test"),
    )
    dm.setup()
    assert {len(dm.datasets[s]) for s in ("val", "test")} == {32}


def test_no_handle_is_open_after_setup_and_opened_lazily(synthetic_features_dir: Path) -> None:
    dm = make_dm(synthetic_features_dir)
    dm.setup()
    assert not any(ds.is_open for ds in dm.datasets.values())
    features, length, label = dm.datasets["train"][0]
    assert dm.datasets["train"].is_open and not dm.datasets["val"].is_open
    assert features.shape == (length, 32) and features.dtype == torch.float32 and 0 <= label < 4
    clone = pickle.loads(pickle.dumps(dm.datasets["train"]))
    assert not clone.is_open  # a spawned worker starts without the parent's handle
    dm.teardown()
    assert not dm.datasets["train"].is_open


def test_worker_processes_open_their_own_handles(synthetic_features_dir: Path) -> None:
    dm = make_dm(synthetic_features_dir, num_workers=2, balance_classes=False)
    dm.setup("fit")
    total = sum(int(y.numel()) for _, _, y in dm.val_dataloader())
    assert total == 32
    assert not dm.datasets["val"].is_open  # only the workers opened the file


def test_rows_and_lengths_match_the_file(synthetic_features_dir: Path) -> None:
    dm = make_dm(synthetic_features_dir)
    dm.setup("fit")
    with h5py.File(split_path(synthetic_features_dir, "val"), "r") as f:
        feats, labels, lengths = f[FEATURES][()], f[LABELS][()], f[NUM_FRAMES][()]
    for i in (0, 5, 31):
        x, length, label = dm.datasets["val"][i]
        assert length == lengths[i] and label == labels[i]
        np.testing.assert_array_equal(x.numpy(), feats[i, : lengths[i]])


def test_load_into_memory_gives_the_same_rows(synthetic_features_dir: Path) -> None:
    lazy, memory = make_dm(synthetic_features_dir), make_dm(synthetic_features_dir, load_into_memory=True)
    lazy.setup("fit")
    memory.setup("fit")
    assert memory.datasets["val"].in_memory and not lazy.datasets["val"].in_memory
    assert not memory.datasets["val"].is_open
    for i in range(3):
        torch.testing.assert_close(lazy.datasets["val"][i][0], memory.datasets["val"][i][0])
    auto = make_dm(synthetic_features_dir, load_into_memory="auto", memory_limit_gb=1e-9)
    auto.setup("fit")
    assert not auto.datasets["val"].in_memory


def test_collate_trims_to_longest_in_batch_and_pads_with_zeros() -> None:
    samples = [(torch.ones(3, 2), 3, 1), (torch.full((5, 2), 2.0), 5, 0), (torch.ones(1, 2), 1, 3)]
    x, lengths, y = pad_collate(samples)
    assert x.shape == (3, 5, 2) and x.dtype == torch.float32
    assert lengths.tolist() == [3, 5, 1] and lengths.dtype == torch.int64
    assert y.tolist() == [1, 0, 3] and y.dtype == torch.int64
    assert torch.all(x[0, 3:] == 0) and torch.all(x[2, 1:] == 0) and torch.all(x[1] == 2)


def test_batches_carry_true_lengths(synthetic_features_dir: Path) -> None:
    dm = make_dm(synthetic_features_dir)
    dm.setup("fit")
    x, lengths, y = next(iter(dm.val_dataloader()))
    assert x.shape[1] == int(lengths.max()) and x.shape[0] == lengths.shape[0] == y.shape[0] == 8
    for row, length in zip(x, lengths, strict=True):
        assert torch.all(row[length:] == 0) and torch.any(row[length - 1] != 0)


def test_balanced_sampler_equalises_classes(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    labels = np.array([0] * 90 + [1] * 10)
    for split in ("train", "val"):
        write_feature_file(
            split_path(tmp_path, split), rng.normal(size=(100, 4, 3)).astype(np.float32), labels, [4] * 100, ["a", "b"]
        )
    drawn: Counter[int] = Counter()
    dm = make_dm(tmp_path, batch_size=50, balance_classes=True, seed=0)
    dm.setup("fit")
    loader = dm.train_dataloader()
    for epoch in range(20):  # Lightning sets the epoch before each one
        loader.sampler.set_epoch(epoch)
        for _, _, y in loader:
            drawn.update(y.tolist())
    assert 0.45 < drawn[1] / sum(drawn.values()) < 0.55
    unbalanced = make_dm(tmp_path, batch_size=50, balance_classes=False)
    unbalanced.setup("fit")
    assert sum(int((y == 1).sum()) for _, _, y in unbalanced.train_dataloader()) == 10


DEVSET_AND_DEMO_SOURCES = r"^(.+?)(?:__.*)?(?:_\d+)?$"  # conf/data/features.yaml's example: group__member__NN, kind_NNN


def test_source_of_reads_the_dev_sets_and_the_demos_names() -> None:
    pattern = re.compile(DEVSET_AND_DEMO_SOURCES)
    assert source_of("/d/VIDEOS/Gaming/ale-ms_pacman__ms_pacman__03.mp4", pattern) == "ale-ms_pacman"
    assert source_of("data/demo/videos/Animation/motion_012.mp4", pattern) == "motion"
    assert source_of("my clip.mov", pattern) == "my clip"  # no match: a source of its own


def _sources_file(tmp_path: Path, names: list[str], labels: list[int], with_paths: bool = True) -> None:
    rng = np.random.default_rng(0)
    for split in ("train", "val"):
        write_feature_file(
            split_path(tmp_path, split),
            rng.normal(size=(len(names), 4, 3)).astype(np.float32),
            labels,
            [4] * len(names),
            ["a", "b"],
            video_paths=[f"/v/{name}.mp4" for name in names] if with_paths else None,
        )


def _drawn_names(dm: FeatureDataModule, names: list[str], epochs: int) -> Counter[str]:
    dm.setup("fit")
    loader = dm.train_dataloader()
    drawn: Counter[str] = Counter()
    for epoch in range(epochs):
        loader.sampler.set_epoch(epoch)
        drawn.update(names[i] for i, _ in loader.sampler)
    return drawn


def test_source_pattern_draws_each_source_equally_often(tmp_path: Path) -> None:
    # class a: one source of 18 clips and one of 2; class b: one of 10 and one of 10
    names = [f"big__m__{i:02d}" for i in range(18)] + ["small__m__00", "small__m__01"]
    names += [f"left_{i:03d}" for i in range(10)] + [f"right_{i:03d}" for i in range(10)]
    labels = [0] * 20 + [1] * 20
    _sources_file(tmp_path, names, labels)
    drawn = _drawn_names(make_dm(tmp_path, balance_classes=False, source_pattern=DEVSET_AND_DEMO_SOURCES), names, 40)
    total = sum(drawn.values())
    small = sum(n for name, n in drawn.items() if name.startswith("small"))
    big = sum(n for name, n in drawn.items() if name.startswith("big"))
    assert 0.21 < small / total < 0.29 and 0.21 < big / total < 0.29  # 4 sources: a quarter each
    plain = _drawn_names(make_dm(tmp_path, balance_classes=False), names, 1)
    assert sum(n for name, n in plain.items() if name.startswith("small")) == 2  # off: a permutation, as before


def test_source_pattern_with_class_balance_splits_each_class_evenly(tmp_path: Path) -> None:
    # class a: 3 sources of 2 clips; class b: 1 source of 4 clips -> b gets half the draws, a's sources a sixth each
    names = [f"s{k}__m__{i}" for k in range(3) for i in range(2)] + [f"t__m__{i}" for i in range(4)]
    labels = [0] * 6 + [1] * 4
    _sources_file(tmp_path, names, labels)
    dm = make_dm(tmp_path, balance_classes=True, source_pattern=DEVSET_AND_DEMO_SOURCES)
    drawn = _drawn_names(dm, names, 300)
    total = sum(drawn.values())
    assert 0.46 < sum(n for name, n in drawn.items() if name.startswith("t__")) / total < 0.54
    assert 0.14 < sum(n for name, n in drawn.items() if name.startswith("s0")) / total < 0.19


def test_source_pattern_errors_are_one_clear_line(tmp_path: Path) -> None:
    with pytest.raises(VidclsError, match="not a regular expression"):
        make_dm(tmp_path, source_pattern="(unclosed")
    _sources_file(tmp_path, ["a__m__0", "b__m__0"], [0, 1], with_paths=False)
    dm = make_dm(tmp_path, source_pattern=DEVSET_AND_DEMO_SOURCES)
    dm.setup("fit")
    with pytest.raises(VidclsError, match="stores no video_paths"):
        dm.train_dataloader()


def test_augmentations_keep_lengths_consistent(synthetic_features_dir: Path) -> None:
    torch.manual_seed(0)
    augment = {"subsample_p": 1.0, "shift_p": 1.0, "noise_p": 1.0, "noise_std": 0.1}
    dm = make_dm(synthetic_features_dir, augment=augment)
    dm.setup("fit")
    raw = dm.datasets["val"]  # val is never augmented
    changed = 0
    for i in range(len(dm.datasets["train"])):
        x, length, _ = dm.datasets["train"][i]
        true_length = int(dm.datasets["train"].lengths[i])
        assert x.shape[0] == length and np.ceil(0.7 * true_length) <= length <= true_length
        changed += int(length < true_length)
    assert changed > 0
    with h5py.File(split_path(synthetic_features_dir, "val"), "r") as f:
        np.testing.assert_array_equal(raw[0][0].numpy(), f[FEATURES][0, : f[NUM_FRAMES][0]])
    x, lengths, _ = next(iter(dm.train_dataloader()))
    for row, length in zip(x, lengths, strict=True):
        assert torch.all(row[length:] == 0)  # noise and shifts never reach the padding


def test_subsample_keeps_order_and_shift_is_a_roll() -> None:
    sequence = torch.arange(20, dtype=torch.float32).unsqueeze(1)
    torch.manual_seed(0)
    kept = FeatureAugmentation(subsample_p=1.0, shift_p=0.0, noise_p=0.0)(sequence)
    assert 14 <= kept.shape[0] <= 20 and torch.all(kept[1:, 0] > kept[:-1, 0])
    rolled = FeatureAugmentation(subsample_p=0.0, shift_p=1.0, shift_max_fraction=0.25, noise_p=0.0)(sequence)
    shift = int((rolled[0, 0] - sequence[0, 0]).item()) % 20
    torch.testing.assert_close(rolled, torch.roll(sequence, shifts=-shift if shift else 0, dims=0))
    with pytest.raises(ValueError, match="probability"):
        FeatureAugmentation(noise_p=1.5)


def test_noise_touches_only_valid_steps() -> None:
    torch.manual_seed(0)
    noisy = FeatureAugmentation(subsample_p=0.0, shift_p=0.0, noise_p=1.0, noise_std=1.0)(torch.zeros(6, 4))
    assert noisy.shape == (6, 4) and torch.all(noisy != 0)


# ---------------------------------------------------------------- bad files
def test_missing_split_names_file_and_fix(tmp_path: Path, writable_splits: Path) -> None:
    split_path(writable_splits, "val").unlink()
    with pytest.raises(VidclsError, match=r"val split missing: .*val_features_multiscale\.h5.*extract\.py"):
        make_dm(writable_splits).setup("fit")
    with pytest.raises(VidclsError, match=r"data\.features_dir"):
        FeatureDataModule().setup("fit")


def test_feature_dim_mismatch_between_splits(writable_splits: Path) -> None:
    write_synthetic_splits(writable_splits.parent / "other", 4, max_frames=8, feature_dim=5)
    shutil.copy(split_path(writable_splits.parent / "other", "val"), split_path(writable_splits, "val"))
    with pytest.raises(VidclsError, match=r"feature_dim 5 .* has 6"):
        make_dm(writable_splits).setup("fit")


def test_class_and_backbone_mismatch_between_splits(writable_splits: Path) -> None:
    other = writable_splits.parent / "other"
    write_synthetic_splits(other, 4, max_frames=8, feature_dim=6, class_names=("w", "x", "y", "z"))
    shutil.copy(split_path(other, "val"), split_path(writable_splits, "val"))
    with pytest.raises(VidclsError, match="same category_mapping"):
        make_dm(writable_splits).setup("fit")
    write_synthetic_splits(other, 4, max_frames=8, feature_dim=6, backbone="resnet50")
    shutil.copy(split_path(other, "val"), split_path(writable_splits, "val"))
    with pytest.raises(VidclsError, match="backbone 'resnet50'"):
        make_dm(writable_splits).setup("fit")


@pytest.mark.parametrize(
    ("dataset", "row_value", "message"),
    [
        (LABELS, 7, r"label\(s\) outside 0..3"),
        (LABELS, -1, r"label\(s\) outside 0..3"),
        (NUM_FRAMES, 9, r"'num_frames' value\(s\) outside 1..8"),
        (NUM_FRAMES, 0, r"'num_frames' value\(s\) outside 1..8"),
        (FEATURES, np.nan, "non-finite"),
        (FEATURES, np.inf, "non-finite"),
    ],
)
def test_bad_values_are_reported_with_file(writable_splits: Path, dataset: str, row_value: float, message: str) -> None:
    path = split_path(writable_splits, "train")
    with h5py.File(path, "r+") as f:
        if dataset == FEATURES:
            f[FEATURES][2, 0, 1] = row_value
        else:
            f[dataset][2] = row_value
    with pytest.raises(VidclsError, match=message) as err:
        make_dm(writable_splits).setup("fit")
    assert str(path) in str(err.value)


def test_not_a_feature_file(writable_splits: Path) -> None:
    split_path(writable_splits, "train").write_bytes(b"not hdf5 at all")
    with pytest.raises(VidclsError, match="cannot read"):
        make_dm(writable_splits).setup("fit")


def test_dataset_rejects_nothing_silently_on_bad_augment_config(synthetic_features_dir: Path) -> None:
    with pytest.raises(VidclsError, match=r"data\.augment"):
        FeatureDataModule(features_dir=synthetic_features_dir, augment={"warp_p": 0.5})


def test_h5_dataset_len_and_labels(synthetic_features_dir: Path) -> None:
    dm = make_dm(synthetic_features_dir)
    dm.setup("fit")
    ds: H5FeatureDataset = dm.datasets["train"]
    assert len(ds) == 96 and sorted(Counter(ds.labels.tolist()).values()) == [24] * 4


@pytest.mark.parametrize(
    ("key", "value"), [("frame_size", "[48, 48]"), ("scales", "[1.0, 0.5]"), ("sampling", "other")]
)
def test_any_provenance_difference_between_splits_is_refused(writable_splits: Path, key: str, value: str) -> None:
    """Not only the backbone: files made with another frame size, scales or sampling rule do not train together."""
    with h5py.File(split_path(writable_splits, "test"), "r+") as f:
        f.attrs[key] = value
    dm = make_dm(writable_splits)
    dm.setup("fit")  # train and val agree
    with pytest.raises(VidclsError, match=rf"\(test\) was extracted differently from .*\(train\) \({key} "):
        dm.setup("test")


def _relabel(path: Path, relabel: object) -> None:
    """Rewrite a split's labels in place with ``relabel(labels) -> labels``."""
    with h5py.File(path, "r+") as f:
        f[LABELS][...] = relabel(f[LABELS][()])


def _class_warnings(record: pytest.WarningsRecorder) -> list[str]:
    return [str(w.message) for w in record if "has no videos of" in str(w.message)]


def test_train_split_of_one_class_is_refused(writable_splits: Path) -> None:
    _relabel(split_path(writable_splits, "train"), np.zeros_like)
    with pytest.raises(VidclsError, match=r"train split .* only one class \(ClassA=16, ClassB=0, ClassC=0, ClassD=0\)"):
        make_dm(writable_splits).setup("fit")


@pytest.mark.parametrize("split", ["train", "val", "test"])
def test_split_missing_classes_warns_once_with_counts(writable_splits: Path, split: str) -> None:
    _relabel(split_path(writable_splits, split), lambda labels: labels % 2)  # ClassC, ClassD → ClassA, ClassB
    dm = make_dm(writable_splits)
    with pytest.warns(UserWarning) as record:
        dm.setup()
        dm.setup("fit")  # Lightning sets up again; the data did not change, so no second warning
    (message,) = _class_warnings(record)
    assert f"the {split} split {split_path(writable_splits, split)} has no videos of ClassC, ClassD" in message
    assert "(ClassA=8, ClassB=8, ClassC=0, ClassD=0)" in message


def test_splits_with_every_class_do_not_warn(writable_splits: Path, recwarn: pytest.WarningsRecorder) -> None:
    make_dm(writable_splits).setup()
    assert not _class_warnings(recwarn)


def test_training_order_and_augmentation_are_functions_of_seed_and_epoch(synthetic_features_dir: Path) -> None:
    """What makes a resumed run replay the data: no draw depends on the process's RNG history."""
    augment = {"subsample_p": 1.0, "shift_p": 1.0, "noise_p": 1.0}
    dm = make_dm(synthetic_features_dir, augment=augment, seed=5, balance_classes=False)
    dm.setup("fit")
    sampler = dm.train_dataloader().sampler
    sampler.set_epoch(3)
    epoch3 = list(sampler)
    torch.manual_seed(123)  # the global RNG plays no part
    assert list(sampler) == epoch3 and sorted(i for i, _ in epoch3) == list(range(96))
    sampler.set_epoch(4)
    assert list(sampler) != epoch3
    row, row_seed = epoch3[0]
    first, again = dm.datasets["train"][(row, row_seed)], dm.datasets["train"][(row, row_seed)]
    assert torch.equal(first[0], again[0]) and not torch.equal(first[0], dm.datasets["train"][(row, row_seed + 1)][0])
    resumed = make_dm(synthetic_features_dir, augment=augment, seed=None)  # unseeded: a fresh seed ...
    resumed.load_state_dict(dm.state_dict())  # ... unless a checkpoint says which
    assert resumed.seed == 5 and make_dm(synthetic_features_dir).seed != make_dm(synthetic_features_dir).seed
