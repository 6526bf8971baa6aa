"""The manifest (derived from SOURCES and the pinned splits) and the build that cuts every source into clips."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from vidcls.classes import SUBKINDS, check_subkind
from vidcls.demo.real import DEVSET_SPLIT_COLUMN
from vidcls.devset.clips import (
    OUT_FPS,
    cut_starts,
    decode_sequence,
    decode_timed,
    loop_starts,
    low_res,
    resample,
    segment_starts,
)
from vidcls.devset.documents import PdfShow
from vidcls.devset.drawn import (
    ASCIIMATICS_HZ,
    lottie_duration,
    povray_frame_count,
    render_asciimatics,
    render_lottie,
    render_manim,
    render_povray,
)
from vidcls.devset.fetch import fetch, import_root
from vidcls.devset.games import (
    ALIENS_HZ,
    CAR_RACING_HZ,
    FLAPPY_HZ,
    PLAYED_WITH,
    PLAYERS,
    render_ale,
    render_aliens,
    render_car_racing,
    render_doom,
    render_flappy,
    render_in_child,
)
from vidcls.devset.sources import (
    ASCIIMATICS_RENDERER,
    BOX2D,
    GYMNASIUM,
    LOTTIE_RENDERER,
    MANIM_RENDERER,
    PDF_RENDERER,
    POVRAY_RENDERER,
    PYGAME,
    SOURCES,
    Source,
)
from vidcls.devset.split import SPLITS, assign_splits, read_pinned_splits

CLASSES = tuple(SUBKINDS)
MANIFEST_FIELDS = (
    "path", "label", "subkind", "group", DEVSET_SPLIT_COLUMN, "registry", "package", "version", "licence", "member",
    "start_s", "duration_s", "note",
)  # fmt: skip


def clip_name(source: Source, index: int) -> str:
    if source.member.startswith("manim:"):  # one module holds many example scenes
        return f"{source.group}__{source.member.rsplit(':', 1)[-1]}__{index:02d}.mp4"
    member = Path(source.member.split(":", 1)[-1])
    stem = (member.parent.name if source.member.startswith("frames:") else member.name.split(".")[0]).replace(":", "_")
    return f"{source.group}__{stem}__{index:02d}.mp4"


def manifest_rows(pinned: dict[str, str] | None = None) -> list[dict[str, str]]:
    """The manifest, derived from SOURCES and the pinned splits (start times are laid out at build time)."""
    splits = assign_splits(SOURCES, read_pinned_splits() if pinned is None else pinned)
    rows = []
    for source in SOURCES:
        check_subkind(source.label, source.subkind)
        for i in range(source.segments):
            rows.append(
                {
                    "path": f"VIDEOS/{source.label}/{clip_name(source, i)}",
                    "label": source.label,
                    "subkind": source.subkind,
                    "group": source.group,
                    DEVSET_SPLIT_COLUMN: splits[source.group],
                    "registry": source.registry,
                    "package": source.package,
                    "version": source.version,
                    "licence": source.licence,
                    "member": source.member,
                    "start_s": "",
                    "duration_s": f"{source.segment_s:g}",
                    "note": source.note,
                }
            )
    return rows


def keep_start_times(rows: list[dict[str, str]], previous: Path) -> list[dict[str, str]]:
    """Fill ``start_s`` from the manifest being replaced, for each member whose segments did not change.

    Start times come from a real build (the media's durations); a member keeps its recorded ones
    when it has the same number of clips, of the same length, as before.
    """
    if not previous.is_file():
        return rows
    with previous.open(newline="") as handle:
        old = list(csv.DictReader(handle))

    def layout(table: list[dict[str, str]]) -> dict[tuple[str, str], list[tuple[str, str]]]:
        out: dict[tuple[str, str], list[tuple[str, str]]] = {}
        for row in table:
            out.setdefault((row["group"], row["member"]), []).append((Path(row["path"]).name, row["duration_s"]))
        return out

    before, starts = layout(old), {(r["group"], r["member"], Path(r["path"]).name): r["start_s"] for r in old}
    after = layout(rows)
    for row in rows:
        key = (row["group"], row["member"])
        if not row["start_s"] and before.get(key) == after[key]:
            row["start_s"] = starts[(*key, Path(row["path"]).name)]
    return rows


def write_manifest(rows: list[dict[str, str]], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=MANIFEST_FIELDS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(buf.getvalue())
    tmp.replace(path)


@dataclass
class Member:
    """One source's member made ready to cut: where its segments start, and what cutting them needs."""

    starts: list[float]
    frames: list[np.ndarray] = field(default_factory=list)  # decoded or drawn members (povray: traced lazily)
    times: list[float] = field(default_factory=list)
    renderer: Path | None = None  # lottie: the renderer's root
    show: PdfShow | None = None  # slides: / scroll:


def prepare_member(source: Source, root: Path, cache: Path) -> Member:
    """Segment start times for ``source`` (and, for decoded or drawn members, their frames)."""
    played_kinds = ("ale:", "vizdoom:", "pygame:", "gym:", "asciimatics:", *(f"{kind}:" for kind in PLAYERS))
    if source.member.startswith(played_kinds):
        return Member([round(i * source.segment_s * 3 + 5.0, 3) for i in range(source.segments)])
    if source.member.startswith("lottie:"):
        renderer = fetch(LOTTIE_RENDERER, cache)
        return Member(loop_starts(lottie_duration(renderer, root / source.member[7:]), source.segments),
                      renderer=renderer)  # fmt: skip
    if source.member.startswith(("slides:", "scroll:")):
        show_kind, pdf = source.member.split(":", 1)
        show = PdfShow(fetch(PDF_RENDERER, cache), root / pdf, scroll=show_kind == "scroll")
        return Member(segment_starts(show.duration, source.segments, source.segment_s), show=show)
    if source.member.startswith("frames:"):
        frames, times, duration = decode_sequence(sorted(root.glob(source.member[7:])), source.fps)
    elif source.member.startswith("povray:"):  # traced only when a clip is missing (minutes per scene)
        count, rate, frames = povray_frame_count(root / source.member[7:]), source.fps or OUT_FPS, []
        times, duration = [k / rate for k in range(count)], count / rate
    elif source.member.startswith("manim:"):
        _, module, scene = source.member.split(":")
        roots = [import_root(p, fetch(p, cache)) for p in MANIM_RENDERER]
        frames = render_manim(roots, root / module, scene)
        times, duration = [k / OUT_FPS for k in range(len(frames))], len(frames) / OUT_FPS
    else:
        frames, times, duration = decode_timed(root / source.member)
    return Member(cut_starts(source, duration), frames, times)


def render_clip(source: Source, root: Path, cache: Path, member: Member, start: float, index: int
                ) -> list[np.ndarray]:  # fmt: skip
    """The frames of the segment of ``source`` that starts at ``start`` (``index``: the segment's number, a seed)."""
    length = source.segment_s
    if source.member.startswith("ale:"):
        played = list(render_ale(root, source.member[4:], start + length, seed=index))
        return [low_res(f, source.capture_px) for f in played[-int(length * OUT_FPS) :]]
    if source.member.startswith("vizdoom:"):
        _, wad, doom_map = source.member.split(":")
        return list(render_doom(root, wad, doom_map, start + length, seed=index))[-int(length * 17.5) :]
    if source.member.startswith("lottie:"):
        return render_lottie(member.renderer, root / source.member[7:], start, length)
    if source.member.startswith(("slides:", "scroll:")):
        return member.show.frames(start, length)
    if source.member.startswith("asciimatics:"):
        roots = [import_root(p, fetch(p, cache)) for p in ASCIIMATICS_RENDERER]
        font = fetch(ASCIIMATICS_RENDERER[-1], cache) / "usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"
        sample = root / source.member.split(":", 1)[1]
        played = render_asciimatics([import_root(source, root), *roots], sample, font, start + length, seed=0)
        return resample(played, [k / ASCIIMATICS_HZ for k in range(len(played))], start, length)
    if source.member.startswith("povray:"):
        member.frames = member.frames or render_povray([fetch(p, cache) for p in POVRAY_RENDERER],
                                                       root / source.member[7:])  # fmt: skip
        if len(member.frames) != len(member.times):
            raise SystemExit(
                f"error: POV-Ray drew {len(member.frames)} frames of {source.member}, its .ini says {len(member.times)}"
            )
    if source.member == "pygame:aliens":
        played, hz = render_aliens(root, start, length, seed=index), ALIENS_HZ
    elif source.member.startswith(tuple(f"{kind}:" for kind in PLAYERS)):
        kind, name = source.member.split(":", 1)
        roots = [root, *(fetch(p, cache) for p in PLAYED_WITH.get(kind, ()))]
        played, hz = render_in_child(kind, roots, name, start, length, seed=index)
    elif source.member == "gym:flappy":
        played = render_flappy(root, fetch(GYMNASIUM, cache), fetch(PYGAME, cache), start, length, seed=index)
        hz = FLAPPY_HZ
    elif source.member == "gym:car_racing":
        played = render_car_racing(root, fetch(BOX2D, cache), fetch(PYGAME, cache), start, length, seed=index)
        hz = CAR_RACING_HZ
    else:
        return resample(member.frames, member.times, start, length)
    return resample(played, [k / hz for k in range(len(played))], 0.0, length)


def build(out: Path, cache: Path) -> list[dict[str, str]]:
    """Cut every source into its clips under ``out`` (clips already there are kept) and write the manifest."""
    from vidcls.demo.encode import write_clip

    rows = manifest_rows()
    by_member: dict[tuple[str, str, str], list[dict[str, str]]] = {}
    for row in rows:
        by_member.setdefault((row["group"], row["package"], row["member"]), []).append(row)
    for source in SOURCES:
        member_rows = by_member[(source.group, source.package, source.member)]
        root = fetch(source, cache)
        member = prepare_member(source, root, cache)
        for i, (row, start) in enumerate(zip(member_rows, member.starts, strict=True)):
            row["start_s"] = f"{start:g}"
            target = out / row["path"]
            if target.is_file():
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            clip = render_clip(source, root, cache, member, start, i)
            write_clip(clip, target, fps=OUT_FPS if not source.member.startswith("vizdoom:") else 17)
            print("clip:", row["path"], flush=True)
    check_distinct_clips(rows, out)
    write_manifest(rows, out / "manifest.csv")
    return rows


def repeated_clips(rows: list[dict[str, str]], out: Path) -> list[list[str]]:
    """Clips of the manifest whose files are the same bytes, each set in manifest order (encoding is
    deterministic, so the same frames give the same file)."""
    from vidcls.extraction.dataset import content_hash

    by_hash: dict[str, list[str]] = {}
    for row in rows:
        by_hash.setdefault(content_hash(out / row["path"]), []).append(row["path"])
    return [paths for paths in by_hash.values() if len(paths) > 1]


def check_distinct_clips(rows: list[dict[str, str]], out: Path) -> None:
    """Refuse a build with a clip twice: one source's segments over a held last frame or a too-short member
    (the extractor would drop one copy silently, and the dev set would count a source's clips wrong)."""
    repeats = repeated_clips(rows, out)
    if repeats:
        listed = "; ".join(" == ".join(paths) for paths in repeats)
        raise SystemExit(
            f"error: the same clip twice ({listed}): give that source fewer segments or an until_s/from_s that keeps "
            "its segments in the moving part (vidcls/devset/sources.py), delete those files and build again"
        )


def summary(rows: list[dict[str, str]]) -> str:
    """Clips and sources per class and sub-kind, for the whole set and each protocol split."""
    lines = []
    for name, part in (("all", rows), *((s, [r for r in rows if r[DEVSET_SPLIT_COLUMN] == s]) for s in SPLITS)):
        groups = {r["group"] for r in part}
        lines.append(f"{name}: {len(part)} clips, {len(groups)} groups")
        for c in CLASSES:
            in_class = [r for r in part if r["label"] == c]
            of_kind = {k: [r for r in in_class if r["subkind"] == k] for k in sorted({r["subkind"] for r in in_class})}
            by_kind = ", ".join(f"{k} {len(v)}/{len({r['group'] for r in v})}" for k, v in of_kind.items())
            lines.append(f"  {c}: {len(in_class)} clips, {len({r['group'] for r in in_class})} groups ({by_kind})")
    return "\n".join(lines) + "\n(sub-kind clips/groups)"
