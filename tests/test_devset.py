"""The dev-set recipe: the committed manifest matches the script's SOURCES, and the cutting helpers."""

from __future__ import annotations

import csv
import importlib.util
import sys
from pathlib import Path

import numpy as np

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
    assert len(rows) >= 120
    assert len({r["group"] for r in rows}) >= 20
    assert {r["label"] for r in rows} == set(bd.CLASSES)
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


def test_resample_holds_each_frame_until_the_next() -> None:
    bd = _load_script()
    frames = [np.full((2, 2, 3), i, np.uint8) for i in range(3)]
    out = bd.resample(frames, [0.0, 0.1, 0.5], start=0.0, length=1.0)  # a GIF with uneven delays
    assert len(out) == bd.OUT_FPS
    values = [int(f[0, 0, 0]) for f in out]
    assert values[0] == 0 and values[1] == 0 and values[2] == 1 and values[-1] == 2
    assert values == sorted(values)
