"""The protocol's tune/final split by source: pinned in devset/split.csv, new groups placed by a seeded rule."""

from __future__ import annotations

import csv
import hashlib
import io
from pathlib import Path

from vidcls.demo.real import DEMO_DEVSET_GROUPS, DEVSET_PARTS
from vidcls.devset.sources import Source
from vidcls.errors import VidclsError
from vidcls.utils.io import atomic_write_text

#: The pinned tune/final assignment of every group ever assigned (append-only; tests/test_devset.py pins it).
SPLIT_FILE = Path(__file__).resolve().parents[2] / "devset" / "split.csv"
#: Groups are placed in the order of sha256(f"{SPLIT_SEED}:{group}"); changing it would reshuffle nothing
#: already pinned, only the order in which new groups are placed.
SPLIT_SEED = "vidcls-devset-split-1"
SPLITS = DEVSET_PARTS


def read_pinned_splits(path: Path = SPLIT_FILE) -> dict[str, str]:
    """``group -> tune|final`` from the pinned record, in its (append-only) row order; empty if absent."""
    if not path.is_file():
        return {}
    with path.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    pinned: dict[str, str] = {}
    for row in rows:
        if row.get("split") not in SPLITS or not row.get("group") or row["group"] in pinned:
            raise VidclsError(f"{path}: bad row {row}; each group once, split one of {', '.join(SPLITS)}")
        pinned[row["group"]] = row["split"]
    return pinned


def split_order(group: str) -> str:
    """The seeded order in which unassigned groups are placed."""
    return hashlib.sha256(f"{SPLIT_SEED}:{group}".encode()).hexdigest()


def assign_splits(sources: tuple[Source, ...], pinned: dict[str, str]) -> dict[str, str]:
    """Every group's split: the pinned ones kept, the rest placed by the documented rule.

    The demo's own sources (``DEMO_DEVSET_GROUPS``) go to ``tune`` and are not counted below: a
    demo-trained model has seen them, so they can never be an unseen ``final`` source, and held-out
    scores leave them out of ``tune`` too. The others are placed one at a time in
    :func:`split_order`. A group goes to ``final`` when its stratum (class, sub-kind) has fewer
    ``final`` groups than ``round(n / 3)`` counting it (n = the stratum's groups placed so far, this
    one included), or when its class has fewer than ``round(n_class / 3)`` and its stratum has
    none in ``final`` yet; otherwise to ``tune``. So about a third of each class is ``final``; every
    class, and every sub-kind, with two or more non-demo sources is in both splits; and a new group
    never moves a pinned one.
    """
    kinds: dict[str, tuple[str, str]] = {}
    for source in sources:
        if kinds.setdefault(source.group, (source.label, source.subkind)) != (source.label, source.subkind):
            raise VidclsError(f"group {source.group} has two classes or sub-kinds in SOURCES; a group is one source")
    placed = {g: s for g, s in pinned.items() if g in kinds}
    for group in sorted(kinds):
        if group not in placed and group in DEMO_DEVSET_GROUPS:
            placed[group] = "tune"

    def counts(key: tuple[str, ...]) -> tuple[int, int]:
        """Groups placed so far whose (class[, sub-kind]) starts with ``key``, and how many are final."""
        same = [g for g in placed if kinds[g][: len(key)] == key and g not in DEMO_DEVSET_GROUPS]
        return len(same), sum(placed[g] == "final" for g in same)

    for group in sorted((g for g in kinds if g not in placed), key=split_order):
        n_class, final_class = counts(kinds[group][:1])
        n_kind, final_kind = counts(kinds[group])
        kind_wants = final_kind < round((n_kind + 1) / 3)
        class_wants = final_class < round((n_class + 1) / 3) and final_kind == 0
        placed[group] = "final" if kind_wants or class_wants else "tune"
    return placed


def append_new_splits(splits: dict[str, str], path: Path = SPLIT_FILE) -> list[str]:
    """Append groups not yet in the pinned record to it (never rewrites a pinned row); the groups added."""
    pinned = read_pinned_splits(path)
    new = [g for g in splits if g not in pinned]
    if new:
        rows = [{"group": g, "split": s} for g, s in pinned.items()] + [{"group": g, "split": splits[g]} for g in new]
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=("group", "split"), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        atomic_write_text(path, buf.getvalue())
    return new
