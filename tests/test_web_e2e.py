"""End to end in a real browser: ``python app.py`` serves, headless Chromium (Debian's) clicks.

A small real pipeline feeds it: generated clips → FeatureExtractor (tiny_cnn) → HDF5 → tiny
checkpoint. The browser picks a video with precomputed features and classifies it (instant), picks
one without features (extracted on the fly, progress bar), uploads a file, and uploads a GIF (which
no browser plays in ``<video>``: the frames the model saw take the player's place). Foreign Host
headers and cross-site POSTs are refused while the page keeps working. Screenshots are kept in
``test-artifacts/web-e2e*.png``.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pytest
from test_web import make_clip
from tiny_checkpoints import train_tiny_checkpoints

from vidcls.schema import split_path, write_feature_file

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts"
CLASSES = ("Animation", "Flat_Content", "Gaming", "Natural_Content")
COLORS = ((230, 60, 160), (240, 240, 240), (40, 220, 40), (90, 130, 60))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--host-resolver-rules=MAP evil.example.com 127.0.0.1",  # the attacker's name, rebound to this machine
]


@contextlib.contextmanager
def chromium_page(problems: list[str]) -> Iterator[tuple[Browser, Page]]:
    """Debian's headless chromium with one 1280x1000 page whose console and page errors go to ``problems``.

    A loaded 2-core CI box can take seconds per step; the default 5 s timeouts made these tests flaky.
    """
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 1000})
            page.set_default_timeout(30_000)
            expect.set_options(timeout=30_000)
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: problems.append(str(e)))
            yield browser, page
        finally:
            browser.close()


pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium (apt-get install chromium)"
    ),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def build_dataset(root: Path) -> dict[str, Path]:
    """Clips per split/class, features extracted by the real extractor, one tiny checkpoint trained on them."""
    from vidcls.extraction import FeatureExtractor

    extractor = FeatureExtractor(backbone="tiny_cnn", weights=None, num_frames=6, scales=[1.0], frame_size=32)
    videos, features = root / "videos", root / "features"
    for split, per_class in (("train", 2), ("val", 1), ("test", 1)):
        rows, labels, paths = [], [], []
        for label, (name, color) in enumerate(zip(CLASSES, COLORS, strict=True)):
            for k in range(per_class):
                rel = f"{split}/{name}/{name.lower()}_{k}.mp4"
                make_clip(videos / rel, color=color, frames=16 + 4 * k)
                rows.append(extractor.extract(videos / rel).features)
                labels.append(label)
                paths.append(rel)
        t = max(len(r) for r in rows)
        padded = np.zeros((len(rows), t, extractor.feature_dim), dtype=np.float32)
        for i, r in enumerate(rows):
            padded[i, : len(r)] = r
        write_feature_file(
            split_path(features, split),
            padded,
            labels,
            [len(r) for r in rows],
            CLASSES,
            provenance=extractor.provenance,
            video_paths=paths,
        )
    make_clip(videos / "test" / "Gaming" / "fresh clip.mp4", color=COLORS[2], frames=24)  # no features yet
    upload = make_clip(root / "to-upload" / "holiday.mp4", color=COLORS[3], frames=20)
    gif = make_gif(root / "to-upload" / "cartoon.gif")
    ckpts = train_tiny_checkpoints(features, root / "ckpts", seeds=(0, 1), epochs=2)
    return {"videos": videos, "features": features, "ckpts": ckpts, "upload": upload, "gif": gif}


def make_gif(path: Path, frames: int = 24, size: int = 64) -> Path:
    """An animated GIF: a bouncing magenta ball over a sky-and-grass scene, 12 frames per second."""
    from PIL import Image, ImageDraw

    images = []
    for i in range(frames):
        image = Image.new("RGB", (size, size), (120, 190, 250))
        draw = ImageDraw.Draw(image)
        draw.rectangle((0, size * 3 // 4, size, size), fill=(60, 170, 60))
        x = 4 + (i * 5) % (size - 20)
        y = 8 + abs((i % 12) - 6) * 4
        draw.ellipse((x, y, x + 16, y + 16), fill=(230, 40, 170))
        images.append(image)
    path.parent.mkdir(parents=True, exist_ok=True)
    images[0].save(path, save_all=True, append_images=images[1:], duration=83, loop=0)
    return path


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """``python app.py ...`` on a free 127.0.0.1 port, exactly as a user starts it."""
    root = tmp_path_factory.mktemp("web_e2e")
    data = build_dataset(root)
    port = free_port()
    uploads = root / "uploads"
    command = [
        sys.executable,
        "app.py",
        f"ckpt_paths={data['ckpts']}",
        f"data.videos_dir={data['videos']}",
        f"data.features_dir={data['features']}",
        f"server.port={port}",
        f"server.upload_dir={uploads}",
        "tta_default=false",
        f"hydra.run.dir={root / 'run'}",
    ]
    log = (root / "server.log").open("w")
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    proc = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"{base}/api/health", timeout=2) as response:
                    health = json.load(response)
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"app.py did not start:\n{(root / 'server.log').read_text()}") from None
                time.sleep(0.3)
        yield {"base": base, "port": port, "health": health, "uploads": uploads, "log": root / "server.log", **data}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


@contextlib.contextmanager
def attacker_site() -> Iterator[str]:
    """``http://evil.example.com:<port>/``: another site's page (a plain HTTP server on another port)."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Page(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = b"<!doctype html><title>cats</title><p>cat pictures</p>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            return None

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Page)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://evil.example.com:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()


def status_of(url: str, data: bytes | None = None, headers: dict | None = None) -> tuple[int, dict, dict]:
    """``(status, headers, JSON body)`` of one request, errors included."""
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), json.load(response)
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), json.load(err)


def test_app_py_serves_with_waitress_and_refuses_foreign_hosts_and_origins(server: dict) -> None:
    base, port = server["base"], server["port"]
    status, headers, _ = status_of(f"{base}/api/health")
    assert status == 200 and headers["Server"] == "waitress"  # a production WSGI server, not Werkzeug's
    log = server["log"].read_text()
    assert "waitress serving on http://127.0.0.1:" in log and "development server" not in log, log
    for path in ("/", "/api/health", "/api/videos", "/media/test/Gaming/gaming_0.mp4", "/static/app.js", "/nope"):
        status, _, body = status_of(f"{base}{path}", headers={"Host": f"evil.example.com:{port}"})
        assert status == 400 and "does not answer to Host" in body["error"]["message"], path
    request = json.dumps({"video": "test/Gaming/gaming_0.mp4"}).encode()
    status, _, body = status_of(
        f"{base}/api/classify",
        data=request,
        headers={"Content-Type": "application/json", "Origin": "http://evil.example.com"},
    )
    assert status == 403 and "another site" in body["error"]["message"]
    status, _, body = status_of(f"{base}/api/classify", data=request, headers={"Content-Type": "application/json"})
    assert status == 200 and body["frames"] and len(body["frames"]) == body["num_frames"]


def test_app_py_binds_loopback_and_loads_models_once(server: dict) -> None:
    health = server["health"]
    assert health["status"] == "ok" and health["members"] == ["seed=0", "seed=1"]
    assert health["class_names"] == list(CLASSES) and health["tta_views"] == [
        "original",
        "reversed",
        "speed_up",
        "slow_down",
    ]
    assert health["videos"] == 17 and health["tta_default"] is False
    with urllib.request.urlopen(f"{server['base']}/api/videos?split=test", timeout=5) as response:
        assert json.load(response)["total"] == 5


def test_browser_browses_classifies_and_uploads(server: dict) -> None:
    from playwright.sync_api import expect

    ARTIFACTS.mkdir(exist_ok=True)
    problems: list[str] = []
    with chromium_page(problems) as (browser, page):
        page.goto(server["base"] + "/")
        expect(page.locator("#health")).to_contain_text("2 model(s)")
        expect(page.locator("#video-list li")).to_have_count(17)
        _browse(page)
        _classify_precomputed(page)
        _classify_on_the_fly(page)
        _upload(page, server)
        _upload_gif(page, server)
        _refuse_other_sites(browser, server)
        _refuse_non_video(page, server)
    # The one expected console error is the browser's note about the refused (415) upload.
    assert [p for p in problems if "status of 415" not in p] == [], problems


def _browse(page: Page) -> None:
    """The split and class menus filter the list."""
    from playwright.sync_api import expect

    page.select_option("#split-select", "test")
    expect(page.locator("#video-list li")).to_have_count(5)
    page.select_option("#class-select", "Gaming")
    expect(page.locator("#video-list li")).to_have_count(2)


def _wait_until(page: Page, expression: str, timeout_s: float) -> None:
    """Poll ``expression`` until it is true. ``page.wait_for_function`` polls through ``eval``, which the
    page's Content-Security-Policy (script-src 'self') refuses whenever the first check is false."""
    deadline = time.monotonic() + timeout_s
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"not true after {timeout_s} s: {expression}"
        page.wait_for_timeout(100)


def _classify_precomputed(page: Page) -> None:
    """A video with precomputed features plays (range requests) and classifies instantly, with TTA."""
    from playwright.sync_api import expect

    page.locator("#video-list li", has_text="gaming_0.mp4").click()
    expect(page.locator("#viewer-title")).to_have_text("gaming_0.mp4")
    _wait_until(page, "document.getElementById('player').readyState >= 1", timeout_s=15.0)
    assert page.evaluate("document.getElementById('player').duration") == pytest.approx(2.0, abs=0.2)
    page.check("#tta-toggle")
    page.click("#classify-button")
    expect(page.locator("#result")).to_be_visible()
    expect(page.locator("#ground-truth")).to_have_text("Gaming")
    assert page.locator("#predicted-class").inner_text() in CLASSES
    expect(page.locator("#prob-chart rect.bar")).to_have_count(4)
    expect(page.locator("#prob-chart rect.bar.top")).to_have_count(1)
    expect(page.locator("#member-table tbody tr")).to_have_count(2)
    expect(page.locator("#member-table tbody tr").first.locator("td").nth(3)).to_have_text("50.0%")  # weight
    expect(page.locator("#attention-plot rect.att-bar")).to_have_count(6)
    expect(page.locator("#frame-strip figure.frame")).to_have_count(6)  # what the model saw
    expect(page.locator("#frame-strip figure.frame.top")).to_have_count(3)
    expect(page.locator("#result-meta")).to_contain_text("precomputed features")
    expect(page.locator("#result-meta")).to_contain_text("TTA: original, reversed, speed_up, slow_down")
    widths = [
        float(w)
        for w in page.locator("#prob-chart rect.bar").evaluate_all("bars => bars.map(b => b.getAttribute('width'))")
    ]
    assert max(widths) > 5 * min(widths) or max(widths) > 100  # bars drawn to scale, not empty
    page.screenshot(path=str(ARTIFACTS / "web-e2e.png"), full_page=True)


def _classify_on_the_fly(page: Page) -> None:
    """No features: extracted on the fly, with the progress bar fed by the job; attention seeks the video."""
    from playwright.sync_api import expect

    page.locator("#video-list li", has_text="fresh clip.mp4").click()
    page.uncheck("#tta-toggle")
    page.click("#classify-button")
    expect(page.locator("#result")).to_be_visible(timeout=60000)
    expect(page.locator("#result-meta")).to_contain_text("extracted now")
    expect(page.locator("#result-meta")).to_contain_text("TTA: original")
    expect(page.locator("#progress-text")).to_contain_text("100%")
    clickable = page.locator("#attention-plot rect.att-bar").nth(3)
    clickable.click()
    assert page.evaluate("document.getElementById('player').currentTime") > 0.5  # attention seeks the video


def _upload(page: Page, server: dict) -> None:
    """Upload: real progress via the job, file deleted afterwards, no ground truth."""
    from playwright.sync_api import expect

    page.set_input_files("#upload-file", str(server["upload"]))
    page.click("#upload-button")
    expect(page.locator("#viewer-title")).to_have_text("holiday.mp4")
    expect(page.locator("#result")).to_be_visible(timeout=60000)
    expect(page.locator("#ground-truth")).to_have_text("unknown")
    expect(page.locator("#prob-chart rect.bar")).to_have_count(4)
    assert list(server["uploads"].iterdir()) == []
    page.screenshot(path=str(ARTIFACTS / "web-e2e-upload.png"), full_page=True)


def _upload_gif(page: Page, server: dict) -> None:
    """A GIF: the browser cannot play it, so the frames the model saw take the player's place."""
    from playwright.sync_api import expect

    page.set_input_files("#upload-file", str(server["gif"]))
    page.click("#upload-button")
    expect(page.locator("#viewer-title")).to_have_text("cartoon.gif")
    expect(page.locator("#result")).to_be_visible(timeout=60000)
    expect(page.locator("#player")).to_be_hidden()
    frames = page.locator("#no-player figure.frame")
    expect(frames).to_have_count(6)
    expect(page.locator("#frame-strip figure.frame")).to_have_count(6)
    loaded = page.locator("#no-player img").evaluate_all("imgs => imgs.map(i => i.complete && i.naturalWidth)")
    assert len(loaded) == 6 and all(loaded)
    assert re.fullmatch(r"\d+\.\ds · 0\.\d{3}", frames.nth(2).locator("figcaption").inner_text())
    page.screenshot(path=str(ARTIFACTS / "web-e2e-gif.png"), full_page=True)


def _refuse_other_sites(browser: Browser, server: dict) -> None:
    """DNS rebinding and cross-site posts are refused before anything is stored."""
    # DNS rebinding: evil.example.com now resolves to 127.0.0.1 (--host-resolver-rules); the browser
    # still sends its own name as Host, and the app answers nothing but a 400.
    other = browser.new_page()
    rebound = other.goto(f"http://evil.example.com:{server['port']}/api/videos")
    assert rebound is not None and rebound.status == 400 and "does not answer to Host" in rebound.text()
    # A page of another site posts an upload to the app: the browser sends it (a "simple" no-cors
    # request, no preflight), and the app refuses it for its Origin before storing anything.
    with attacker_site() as attacker:
        other.goto(attacker)
        with other.expect_response(lambda r: r.url.endswith("/api/classify")) as refused:
            other.evaluate(
                """url => { const f = new FormData(); f.append("file", new Blob(["x"]), "a.mp4");
                           return fetch(url, {method: "POST", mode: "no-cors", body: f}).then(() => 0); }""",
                server["base"] + "/api/classify",
            )
        assert refused.value.status == 403
        sent = refused.value.request.all_headers()  # Origin may be added below what Playwright reports
        assert (sent.get("origin") or sent.get("referer", "")).startswith(attacker.rstrip("/"))
    other.close()
    assert list(server["uploads"].iterdir()) == []


def _refuse_non_video(page: Page, server: dict) -> None:
    """A non-video upload is refused with the server's message."""
    from playwright.sync_api import expect

    bogus = server["upload"].with_name("notes.mp4")
    bogus.write_text("just text")
    page.set_input_files("#upload-file", str(bogus))
    page.click("#upload-button")
    expect(page.locator("#error")).to_contain_text("video")
