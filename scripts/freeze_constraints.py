"""Write constraints.txt: the exact versions CI tests, from a working venv, trimmed to what vidcls pulls in.

    .venv/bin/python scripts/freeze_constraints.py [--extras dev] [--out constraints.txt]

``pip freeze`` lists everything in a venv (tools, leftovers); this walks the requirement graph of
``vidcls[<extras>]`` through the installed distributions' metadata instead, so the file pins only
what ``pip install -e ".[dev]"`` would install, at the versions that passed here.
"""

from __future__ import annotations

import argparse
import sys
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
HEADER = """\
# The exact versions CI tests (.ci/run). Regenerate from a venv where the tests pass:
#   python scripts/freeze_constraints.py
# Use it with the ranges in pyproject.toml: python -m pip install -e ".[dev]" -c constraints.txt
"""


def project_requirements(extras: set[str]) -> list[Requirement]:
    """vidcls's own requirements for ``extras``, read from pyproject.toml (self-references expanded)."""
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    optional = project.get("optional-dependencies", {})
    reqs = [Requirement(r) for r in project["dependencies"]]
    todo, seen = list(extras), set()
    while todo:
        extra = todo.pop()
        if extra in seen:
            continue
        seen.add(extra)
        for text in optional.get(extra, []):
            req = Requirement(text)
            if canonicalize_name(req.name) == canonicalize_name(project["name"]):
                todo.extend(req.extras)
            else:
                reqs.append(req)
    return reqs


def closure(roots: list[Requirement]) -> dict[str, str]:
    """Installed name -> version for every distribution ``roots`` need (environment markers honoured)."""
    pinned: dict[str, str] = {}
    todo = [req for req in roots if req.marker is None or req.marker.evaluate({"extra": ""})]
    visited: set[tuple[str, frozenset[str]]] = set()
    while todo:
        req = todo.pop()
        key = (canonicalize_name(req.name), frozenset(req.extras))
        if key in visited:
            continue
        visited.add(key)
        try:
            dist = metadata.distribution(req.name)
        except metadata.PackageNotFoundError:
            sys.exit(f"error: {req.name} is required but not installed in this venv; install it first")
        pinned[dist.metadata["Name"]] = dist.version
        for text in dist.requires or []:
            sub = Requirement(text)
            # A dependency counts when its marker holds here, for the plain install or an extra asked for.
            if sub.marker is None or any(sub.marker.evaluate({"extra": e}) for e in ("", *req.extras)):
                todo.append(sub)
    return pinned


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--extras", default="dev", help="comma-separated extras of vidcls to follow")
    parser.add_argument("--out", default=str(ROOT / "constraints.txt"))
    args = parser.parse_args()
    pins = closure(project_requirements({e for e in args.extras.split(",") if e}))
    lines = [f"{name}=={version}" for name, version in sorted(pins.items(), key=lambda kv: kv[0].lower())]
    Path(args.out).write_text(HEADER + "\n".join(lines) + "\n")
    print(f"wrote {len(lines)} pins to {args.out}")


if __name__ == "__main__":
    main()
