"""The HDF5 layout module: both directions of category_mapping, header checks, value checks."""

from __future__ import annotations

import json
from pathlib import Path

import h5py
import numpy as np
import pytest

from vidcls.errors import VidclsError
from vidcls.schema import (
    parse_category_mapping,
    read_meta,
    split_filename,
    validate_contents,
    write_feature_file,
)

NAMES = ["Animation", "Flat_Content", "Gaming", "Natural_Content"]


def _write(path: Path, n: int = 6, t: int = 5, d: int = 3, **overrides) -> Path:
    rng = np.random.default_rng(0)
    features = overrides.pop("features", rng.normal(size=(n, t, d)).astype(np.float32))
    labels = overrides.pop("labels", np.arange(n) % len(NAMES))
    lengths = overrides.pop("num_frames", np.full(n, t))
    return write_feature_file(path, features, labels, lengths, NAMES, **overrides)


def test_split_filename_is_the_seeds_name() -> None:
    assert split_filename("val") == "val_features_multiscale.h5"


@pytest.mark.parametrize(
    "raw",
    [
        json.dumps({"Animation": 0, "Flat_Content": 1, "Gaming": 2, "Natural_Content": 3}),
        json.dumps({"3": "Natural_Content", "0": "Animation", "2": "Gaming", "1": "Flat_Content"}),
        {"Gaming": 2, "Animation": 0, "Natural_Content": 3, "Flat_Content": 1},
    ],
)
def test_category_mapping_reads_both_directions(raw) -> None:
    assert parse_category_mapping(raw) == NAMES


def test_category_mapping_rejects_gaps() -> None:
    with pytest.raises(ValueError, match=r"0\.\.C-1"):
        parse_category_mapping({"a": 0, "b": 2})


def test_roundtrip_meta_and_provenance(tmp_path: Path) -> None:
    path = _write(tmp_path / "f.h5", provenance={"backbone": "effnet_lite0", "scales": [1.0, 0.85, 1.15]})
    meta = validate_contents(path)
    assert meta.class_names == NAMES
    assert (meta.num_samples, meta.max_frames, meta.feature_dim) == (6, 5, 3)
    assert meta.provenance["backbone"] == "effnet_lite0"
    assert meta.provenance["scales"] == [1.0, 0.85, 1.15]
    assert not (tmp_path / "f.h5.tmp").exists()


def test_reads_a_predecessor_style_file(tmp_path: Path) -> None:
    """The predecessor's files: no provenance, no video_paths, attrs written as plain values."""
    path = tmp_path / "train_features_multiscale.h5"
    with h5py.File(path, "w") as f:
        f["features"] = np.zeros((2, 4, 8), np.float32)
        f["labels"] = np.array([0, 3])
        f["num_frames"] = np.array([4, 2])
        f.attrs["category_mapping"] = json.dumps({n: i for i, n in enumerate(NAMES)})
        f.attrs["feature_dim"] = 8
        f.attrs["max_frames"] = 4
        f.attrs["multi_scale"] = True
    meta = validate_contents(path)
    assert meta.complete and not meta.has_video_paths
    assert meta.provenance == {"feature_dim": 8, "max_frames": 4}


def test_missing_file_says_how_to_create_it(tmp_path: Path) -> None:
    with pytest.raises(VidclsError, match=r"not found.*extract\.py"):
        read_meta(tmp_path / "nope.h5")


def test_not_hdf5_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "x.h5"
    path.write_bytes(b"definitely not hdf5")
    with pytest.raises(VidclsError, match="cannot read"):
        read_meta(path)


def test_missing_dataset(tmp_path: Path) -> None:
    path = tmp_path / "x.h5"
    with h5py.File(path, "w") as f:
        f["features"] = np.zeros((2, 4, 8), np.float32)
    with pytest.raises(VidclsError, match=r"missing dataset.*labels"):
        read_meta(path)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"labels": np.array([0, 1, 2, 3, 4, 0])}, "outside 0..3"),
        ({"num_frames": np.array([5, 5, 6, 5, 5, 5])}, "outside 1..5"),
        ({"num_frames": np.array([5, 0, 5, 5, 5, 5])}, "outside 1..5"),
    ],
)
def test_value_errors_name_the_row(tmp_path: Path, overrides: dict, message: str) -> None:
    path = _write(tmp_path / "bad.h5", **overrides)
    with pytest.raises(VidclsError, match=message):
        validate_contents(path)


def test_non_finite_features_name_the_row(tmp_path: Path) -> None:
    features = np.zeros((6, 5, 3), np.float32)
    features[4, 2, 1] = np.nan
    with pytest.raises(VidclsError, match="row 4"):
        validate_contents(_write(tmp_path / "nan.h5", features=features), chunk_rows=4)


def test_incomplete_file_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path / "partial.h5")
    with h5py.File(path, "a") as f:
        f.attrs["complete"] = False
    with pytest.raises(VidclsError, match="incomplete"):
        validate_contents(path)


def test_provenance_is_one_canonical_value_with_one_rule() -> None:
    """JSON lists and code tuples compare equal; a key only one side records is no conflict unless asked."""
    from vidcls.schema import Provenance

    files = Provenance.of({"backbone": "b", "frame_size": [32, 32], "scales": [1, 0.85], "max_frames": 8.0})
    code = Provenance(backbone="b", frame_size=(32, 32), scales=(1.0, 0.85), max_frames=8)
    assert files == code and files == dict(code) and dict(files) == {
        "backbone": "b", "frame_size": [32, 32], "spatial_scales": [1.0], "max_frames": 8, "scales": [1.0, 0.85]
    }  # fmt: skip
    assert Provenance.of({"frame_size": 256}).frame_size == (256, 256)
    assert files.mismatches({"backbone": "b", "sampling": "s"}) == []
    assert files.mismatches({"backbone": "c", "max_frames": 16}) == ["backbone 'b' != 'c'", "max_frames 8 != 16"]
    assert files.mismatches({"backbone": "b"}, missing_ok=False) == [
        "frame_size [32, 32] != not recorded", "spatial_scales [1.0] != not recorded",
        "max_frames 8 != not recorded", "scales [1.0, 0.85] != not recorded",
    ]  # fmt: skip
    # A recipe from before spatial scales saw each frame at frame_size only; a two-size recipe differs from it.
    assert Provenance.of({"frame_size": 224}).mismatches({"frame_size": 224, "spatial_scales": [1.0]}) == []
    assert Provenance.of({"frame_size": 224}).mismatches({"frame_size": 224, "spatial_scales": [1, 0.714]}) == [
        "spatial_scales [1.0] != [1.0, 0.714]"
    ]
    assert files.merged({"sampling": "s", "backbone": "ignored"}) == {**files, "sampling": "s"}
    with pytest.raises(VidclsError, match=r"files \(scales \[1.0, 0.85\] != \[1.0\]\)\. Fix it\."):
        files.require_compatible({"scales": [1]}, "files", "Fix it.")
    with pytest.raises(VidclsError, match="unknown provenance key"):
        Provenance.of({"framesize": 1})
    with pytest.raises(VidclsError, match="bad provenance value"):
        Provenance.of({"max_frames": "many"})
