"""Resume safety: never rows from two sources, one writer per folder, links reported, held frames kept."""

from __future__ import annotations

import errno
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import h5py
import pytest
from synth_video import write_test_video

from vidcls.errors import VidclsError
from vidcls.extraction import FeatureExtractor, run_extraction
from vidcls.extraction.dataset import build_plan, load_manifest
from vidcls.extraction.run import PLAN_LOCK_NAME, extraction_lock, get_plan
from vidcls.extraction.writer import IncrementalWriter
from vidcls.schema import SPLITS, read_meta, split_path
from vidcls.tasks.predict import collect_inputs
from vidcls.utils.lock import LOCK_NAME, folder_lock
from vidcls.video import open_video

CLASSES = ("Alpha", "Beta")


@pytest.fixture(scope="module")
def extractor() -> FeatureExtractor:
    return FeatureExtractor("tiny_cnn", None, num_frames=4, frame_size=16, batch_size=8)


def make_videos(root: Path, seed: int = 0, per_class: int = 3) -> Path:
    """Same file names for every ``seed``; the content differs with it."""
    for c, name in enumerate(CLASSES):
        for i in range(per_class):
            write_test_video(root / name / f"clip{i}.mp4", num_frames=8, fps=8, size=(32, 24), seed=seed + 10 * c + i)
    return root


def extract(videos: Path, features: Path, extractor: FeatureExtractor, **kw):
    """As extract.py runs: the folder's lock first, then the plan, then the extraction."""
    with extraction_lock(features, kw.get("num_shards", 1)):
        plan = get_plan(features, str(videos), None, (0.7, 0.2, 0.1), 0, 1)
        return run_extraction(extractor, plan, features, videos_dir=str(videos), num_workers=1, **kw)


def rows(features: Path) -> list[str]:
    out = []
    for split in SPLITS:
        with h5py.File(split_path(features, split), "r") as f:
            out += [p.decode() for p in f["video_paths"][()]]
    return out


def test_a_resume_from_another_videos_folder_is_refused(tmp_path: Path, extractor) -> None:
    v1, v2, features = make_videos(tmp_path / "v1"), make_videos(tmp_path / "v2", seed=100), tmp_path / "f"
    extract(v1, features, extractor, max_videos=2)  # killed half way
    with pytest.raises(
        VidclsError, match=r"was planned from data\.videos_dir=.*v1, not .*v2.*another data\.features_dir"
    ):
        extract(v2, features, extractor)
    # A finished folder too: never "extracted 0" with the old rows kept.
    summary = extract(v1, features, extractor)
    assert summary.extracted == 4 and summary.resumed == 2
    with pytest.raises(VidclsError, match="was planned from"):
        extract(v2, features, extractor)


def test_changed_content_in_the_same_folder_is_refused_and_touched_files_pass(tmp_path: Path, extractor) -> None:
    videos, features = make_videos(tmp_path / "v"), tmp_path / "f"
    extract(videos, features, extractor, max_videos=2)
    clip = videos / "Beta" / "clip2.mp4"
    os.utime(clip, ns=(1_000_000_000, 1_000_000_000))  # touched, same bytes: re-hashed, accepted, recorded
    summary = extract(videos, features, extractor, max_videos=1)
    assert summary.extracted == 1
    assert "1000000000" in (features / "manifest.csv").read_text()
    write_test_video(clip, num_frames=8, fps=8, size=(32, 24), seed=999)  # same name, other content
    with pytest.raises(VidclsError, match=r"1 video\(s\) changed since .*manifest\.csv.*Beta/clip2\.mp4"):
        extract(videos, features, extractor)


def test_a_re_made_manifest_keeps_rows_only_of_the_same_videos(tmp_path: Path, extractor) -> None:
    videos, features = make_videos(tmp_path / "v"), tmp_path / "f"
    extract(videos, features, extractor, max_videos=3)
    # Re-planning the same unchanged folder gives the same plan: the resume goes on.
    (features / "manifest.csv").unlink()
    extract(videos, features, extractor, max_videos=1)
    # Other content under the same names, manifest deleted to "re-scan": the old rows must not stay.
    shutil.rmtree(videos)
    make_videos(videos, seed=50)
    (features / "manifest.csv").unlink()
    with pytest.raises(VidclsError, match=r"rows of \d video\(s\) whose content differs"):
        extract(videos, features, extractor)


def test_a_video_added_to_a_pre_split_folder_is_appended_after_a_re_scan(tmp_path: Path, extractor) -> None:
    videos, features = tmp_path / "v", tmp_path / "f"
    for s, split in enumerate(SPLITS):
        for c, name in enumerate(CLASSES):
            write_test_video(videos / split / name / "a.mp4", num_frames=8, fps=8, size=(32, 24), seed=10 * s + c)
    extract(videos, features, extractor)
    write_test_video(videos / "train" / "Alpha" / "b.mp4", num_frames=8, fps=8, size=(32, 24), seed=77)
    (features / "manifest.csv").unlink()
    summary = extract(videos, features, extractor)
    assert summary.extracted == 1 and summary.resumed == 6
    with h5py.File(split_path(features, "train"), "r") as f:
        assert [p.decode() for p in f["video_paths"][()]] == [
            "train/Alpha/a.mp4",
            "train/Beta/a.mp4",
            "train/Alpha/b.mp4",
        ]
    # A row whose video left the split (moved to another class) is refused, not kept.
    (videos / "train" / "Alpha" / "b.mp4").rename(videos / "train" / "Beta" / "b.mp4")
    (features / "manifest.csv").unlink()
    with pytest.raises(VidclsError, match=r"row\(s\) of videos that manifest\.csv does not put in train"):
        extract(videos, features, extractor)


def test_moved_videos_resume_after_deleting_plan_json(tmp_path: Path, extractor) -> None:
    videos, features = make_videos(tmp_path / "v"), tmp_path / "f"
    extract(videos, features, extractor, max_videos=2)
    moved = tmp_path / "moved"
    videos.rename(moved)
    with pytest.raises(VidclsError, match=r"plan\.json"):
        extract(moved, features, extractor)
    (features / "plan.json").unlink()
    summary = extract(moved, features, extractor)
    assert (
        summary.resumed == 2
        and summary.extracted == 4
        and sorted(rows(features)) == sorted(f"{c}/clip{i}.mp4" for c in CLASSES for i in range(3))
    )


def test_legacy_manifest_without_sizes_is_still_read_and_checked(tmp_path: Path, extractor) -> None:
    videos, features = make_videos(tmp_path / "v"), tmp_path / "f"
    extract(videos, features, extractor, max_videos=2)
    lines = (features / "manifest.csv").read_text().splitlines()
    (features / "manifest.csv").write_text("\n".join(",".join(line.split(",")[:4]) for line in lines) + "\n")
    (features / "plan.json").unlink()
    plan = load_manifest(features, videos)
    assert plan is not None and all(e.size is None for e in plan.entries)
    write_test_video(videos / "Alpha" / "clip0.mp4", num_frames=8, fps=8, size=(32, 24), seed=7)
    with pytest.raises(VidclsError, match="changed since"):
        extract(videos, features, extractor)


def hold_lock(folder: Path, *, shared: bool = False, name: str = LOCK_NAME) -> subprocess.Popen[str]:
    """Another process holding ``folder``'s lock until its stdin closes (or it is killed)."""
    code = (
        "import sys; from pathlib import Path; from vidcls.utils.lock import folder_lock\n"
        f"with folder_lock(Path({str(folder)!r}), 'x', shared={shared}, name={name!r}):\n"
        "    print('locked', flush=True); sys.stdin.read()"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "locked"
    return proc


def test_a_second_run_into_a_folder_in_use_is_refused_before_it_writes_anything(tmp_path: Path, extractor) -> None:
    videos, features = make_videos(tmp_path / "v", per_class=1), tmp_path / "f"
    holder = hold_lock(features)
    try:
        with pytest.raises(VidclsError, match=rf"in use by another run \(pid {holder.pid}.*data\.features_dir"):
            extract(videos, features, extractor)
        assert [p.name for p in features.iterdir()] == [LOCK_NAME]  # no manifest.csv, plan.json, feature files
    finally:
        holder.send_signal(signal.SIGKILL)  # a lock left by a killed process is not stale: the kernel released it
        holder.wait()
    assert extract(videos, features, extractor).extracted == 2


def test_shards_share_the_folder_but_never_with_a_run_or_a_merge(tmp_path: Path, extractor) -> None:
    from vidcls.extraction import merge_shards

    videos, features = make_videos(tmp_path / "v", per_class=2), tmp_path / "f"
    shard0 = hold_lock(features, shared=True)  # shard 0 of 2 is running
    try:
        extract(videos, features, extractor, shard=1, num_shards=2)  # shard 1 runs beside it
        with pytest.raises(VidclsError, match="in use by another run"):
            extract(videos, features, extractor)  # a single run would mix its files with the shard set's
        with pytest.raises(VidclsError, match=r"in use by another run.*merge after it"):
            merge_shards(features, get_plan(features, str(videos), None, (0.7, 0.2, 0.1), 0, 1))
    finally:
        shard0.communicate("")
    assert not split_path(features, "train").exists()
    # Shards starting together plan once: the second waits for the first's manifest, then reads it.
    planner = hold_lock(features, name=PLAN_LOCK_NAME)
    waits: list[str] = []
    threading.Timer(0.3, planner.communicate, [""]).start()
    with folder_lock(features, "x", name=PLAN_LOCK_NAME, on_wait=waits.append):
        assert waits and f"pid {planner.pid}" in waits[0]


def test_a_lock_is_re_entrant_within_one_process(tmp_path: Path) -> None:
    with folder_lock(tmp_path, "x"), folder_lock(tmp_path, "x"), folder_lock(tmp_path, "x", shared=True):
        pass
    with (
        folder_lock(tmp_path, "x", shared=True),
        pytest.raises(RuntimeError, match="exclusive lock asked for"),
        folder_lock(tmp_path, "x"),
    ):
        pass
    holder = hold_lock(tmp_path)  # released above: another process takes it, and then this one cannot
    try:
        with pytest.raises(VidclsError, match="in use"), folder_lock(tmp_path, "x", shared=True):
            pass
    finally:
        holder.communicate("")


def test_a_filesystem_without_file_locks_is_named_not_blamed_on_another_run(tmp_path: Path, monkeypatch) -> None:
    import fcntl

    def no_locks(fd: int, operation: int) -> None:
        raise OSError(errno.ENOLCK, os.strerror(errno.ENOLCK))

    monkeypatch.setattr(fcntl, "flock", no_locks)
    with (
        pytest.raises(VidclsError, match=r"does not support file locks.*Lustre mounted with -o flock"),
        folder_lock(tmp_path, "x"),
    ):
        pass


def test_a_feature_file_open_in_another_process_is_never_moved_aside(tmp_path: Path) -> None:
    path = tmp_path / "train_features_multiscale.h5"
    IncrementalWriter(path, ["A"], 4, 2, {"backbone": "x"}).close()
    code = textwrap.dedent(
        f"""
        import h5py
        f = h5py.File({str(path)!r}, "r+")
        print("open", flush=True)
        input()
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "open"
        with pytest.raises(VidclsError, match="open in another process"):
            IncrementalWriter(path, ["A"], 4, 2, {"backbone": "x"})
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert [p.name for p in tmp_path.iterdir()] == [path.name]


def test_symlink_loops_and_dangling_links_are_reported_and_linked_folders_followed(tmp_path: Path) -> None:
    videos = tmp_path / "v"
    for name in CLASSES:
        write_test_video(videos / name / "a.mp4", num_frames=8, fps=8, size=(32, 24), seed=len(name))
    write_test_video(tmp_path / "elsewhere" / "b.mp4", num_frames=8, fps=8, size=(32, 24), seed=3)
    (videos / "Alpha" / "loop").symlink_to("..")
    (videos / "Alpha" / "self.mp4").symlink_to("self.mp4")
    (videos / "Beta" / "gone.mp4").symlink_to(tmp_path / "missing.mp4")
    (videos / "Beta" / "more").symlink_to(tmp_path / "elsewhere")
    (videos / "Gamma").symlink_to(tmp_path / "no-such-class")
    plan = build_plan(videos, workers=1)
    assert sorted(e.path for e in plan.entries) == ["Alpha/a.mp4", "Beta/a.mp4", "Beta/more/b.mp4"]
    skipped = dict(plan.skipped)
    assert skipped["Alpha/loop"].startswith("symlink loop")
    assert skipped["Alpha/self.mp4"].startswith("symlink loop")
    assert skipped["Beta/gone.mp4"].startswith("dangling symlink") and "missing.mp4" in skipped["Beta/gone.mp4"]
    assert skipped["Gamma"].startswith("dangling symlink")
    # predict.py given the folder: each bad link is kept and gets its own error line.
    found = collect_inputs(videos)
    for bad in ("Alpha/loop", "Alpha/self.mp4", "Beta/gone.mp4", "Gamma"):
        assert videos / bad in found
    for bad, reason in (("Alpha/self.mp4", "symlink loop"), ("Beta/gone.mp4", "dangling symlink")):
        with pytest.raises(VidclsError, match=reason), open_video(videos / bad):
            pass


def test_the_held_last_frame_gif_is_extracted_not_failed(tmp_path: Path, extractor) -> None:
    from test_video_decode import write_held_gif

    videos = tmp_path / "v"
    for name in CLASSES:
        (videos / name).mkdir(parents=True)
        write_held_gif(videos / name / "term.gif", frames=12, last_ms=2000, seed=len(name))
        write_test_video(videos / name / "b.mp4", num_frames=8, fps=8, size=(32, 24), seed=len(name))
    summary = extract(videos, tmp_path / "f", extractor)
    assert summary.failures == [] and summary.extracted == 4


def test_merge_carries_row_hashes_and_refuses_shard_rows_of_replaced_videos(tmp_path: Path, extractor) -> None:
    from vidcls.extraction import merge_shards

    videos, features = make_videos(tmp_path / "v", per_class=2), tmp_path / "f"
    plan = get_plan(features, str(videos), None, (0.7, 0.2, 0.1), 0, 1)
    for shard in range(2):
        run_extraction(extractor, plan, features, shard=shard, num_shards=2, videos_dir=str(videos), num_workers=1)
    merge_shards(features, plan)  # 2 videos per class: val and test are empty, and merge copes
    assert [read_meta(split_path(features, s)).num_samples for s in SPLITS] == [4, 0, 0]
    hashes = {e.path: e.hash for e in plan.entries}
    with h5py.File(split_path(features, "train"), "r") as f:
        rows = zip(f["video_paths"][()], f["video_hashes"][()], strict=True)
        assert all(hashes[p.decode()] == h.decode() for p, h in rows)
    # A plan that names one of the shard rows' videos with other content: merging would mix them.
    entry = next(e for e in plan.entries if e.split == "train")
    entry.hash = "0" * 64
    with pytest.raises(VidclsError, match="whose content differs"):
        merge_shards(features, plan)


def test_merge_refuses_a_shard_made_with_other_settings(tmp_path: Path, extractor) -> None:
    """Shards are compared by the one provenance rule; a key one shard lacks counts as a difference."""
    from vidcls.extraction import merge_shards

    videos, features = make_videos(tmp_path / "v", per_class=2), tmp_path / "f"
    plan = get_plan(features, str(videos), None, (0.7, 0.2, 0.1), 0, 1)
    for shard in range(2):
        run_extraction(extractor, plan, features, shard=shard, num_shards=2, videos_dir=str(videos), num_workers=1)
    shard1 = split_path(features / "shards" / "shard-001-of-002", "train")
    with h5py.File(shard1, "r+") as f:
        f.attrs["frame_size"] = "[16.0, 16.0]"  # the same value, written differently: still one recipe
    merge_shards(features, plan)
    with h5py.File(shard1, "r+") as f:
        del f.attrs["sampling"]
    with pytest.raises(VidclsError, match=r"shard-001-of-002/train.* other settings .*\(sampling '.*' != not recorded"):
        merge_shards(features, plan)
