"""``python bench/report.py bench-results.json``: the results as the Markdown tables of bench/RESULTS.md.

Recording a run (CPU or GPU) is then: run the bench, paste this output under a heading that names
the machine. The header line carries the device name, threads, versions and load, so a table can
never lose the machine it was measured on.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any


def _number(value: float) -> str:
    return f"{value:.3f}" if abs(value) < 10 else f"{value:,.1f}"


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def to_markdown(payload: dict[str, Any]) -> str:
    """Header line, measurements table, targets table (the same content as the console tables)."""
    env = payload["env"]
    lines = [
        f"Run of {payload['started']} ({payload['mode']} mode, {payload['duration_s']:.0f} s): "
        f"**{env['device_name']}, device `{env['device']}`, {env['torch_threads']} torch threads**, "
        f"torch {env['torch']}, lightning {env.get('lightning')}, PyAV {env.get('av')}, Python {env.get('python')}. "
        f"Load average (1/5/15 min) at start {env['load_avg_start']}, at end {env['load_avg_end']}.",
        "",
        "| section | measurement | value | unit | note |",
        "|---|---|---:|---|---|",
    ]
    for m in payload["measurements"]:
        note = m.get("note", "")
        if m["section"] == "growth":  # the curve's x values live in params
            scalars = {k: v for k, v in (m.get("params") or {}).items() if isinstance(v, int | float | str)}
            note = ", ".join([*(f"{k}={v}" for k, v in scalars.items()), *([note] if note else [])])
        row = (m["section"], m["name"], _number(m["value"]), m["unit"], note)
        lines.append("| " + " | ".join(_cell(c) for c in row) + " |")
    lines += ["", "| target | measured | limit | result | detail |", "|---|---:|---|---|---|"]
    for t in payload["targets"]:
        verdict = "PASS" if t["passed"] else "**FAIL**"
        row = (t["name"], _number(t["value"]), f"{t['op']} {t['limit']:g}", verdict, t["detail"])
        lines.append("| " + " | ".join(_cell(c) for c in row) + " |")
    for err in payload.get("errors", []):
        lines.append(f"\nSection {err['section']} failed: `{err['error']}`")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("results", type=Path, help="a bench-results.json written by bench/run.py")
    args = parser.parse_args(argv)
    try:
        payload = json.loads(args.results.read_text())
    except (OSError, json.JSONDecodeError) as err:
        print(f"error: cannot read {args.results}: {err}. Pass a file written by bench/run.py.", file=sys.stderr)
        return 2
    if not isinstance(payload, dict) or payload.get("schema") != "vidcls-bench/1":
        schema = payload.get("schema") if isinstance(payload, dict) else type(payload).__name__
        print(f"error: {args.results} is not a vidcls bench result (schema {schema!r}).", file=sys.stderr)
        return 2
    sys.stdout.write(to_markdown(payload))
    return 0


if __name__ == "__main__":
    sys.exit(main())
