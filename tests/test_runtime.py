"""backbone.runtime: OpenVINO / ONNX Runtime agree with torch, export once into a keyed cache, clear errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from vidcls.backbones import Backbone
from vidcls.backbones import runtime as rt
from vidcls.errors import VidclsError

FAST = [r for r in rt.FAST_CPU_RUNTIMES if rt.runtime_available(r)]
needs_fast = pytest.mark.skipif(not FAST, reason="neither openvino nor onnxruntime (+ onnx) is installed")


def _frames(n: int = 5, size: int = 64, seed: int = 0) -> torch.Tensor:
    # Smooth random images (not white noise), as video frames are; 5 frames in batches of 3: a partial batch.
    rng = np.random.default_rng(seed)
    coarse = rng.integers(0, 256, size=(n, size // 8, size // 8, 3)).astype(np.float32)
    return torch.from_numpy(np.kron(coarse, np.ones((1, 8, 8, 1), dtype=np.float32)).astype(np.uint8))


def _parity(name: str, weights: str | None, cache: Path, size: int = 64) -> None:
    frames = _frames(size=size)
    torch_backbone = Backbone(name, weights, runtime="torch")
    reference = torch_backbone.encode(frames, 3).numpy()
    scale = float(np.abs(reference).max())
    assert np.isfinite(reference).all() and reference.std() > 0
    for runtime in FAST:
        backbone = Backbone(name, weights, runtime=runtime, cache_dir=cache)
        backbone.load_state_dict(torch_backbone.state_dict())  # random weights: the same draw for both
        assert backbone.runtime == runtime
        out = backbone.encode(frames, 3).numpy()
        assert out.shape == reference.shape and out.dtype == np.float32
        err = float(np.abs(out - reference).max())
        # 1e-4 absolute for features of order 1 (real weights); relative where random weights make them huge,
        # and never looser than 1e-3 of their scale (so near-zero features cannot pass trivially).
        assert err <= 1e-4 * max(1.0, scale) and err <= 1e-3 * scale, (
            f"{name} {runtime}: max |diff| {err:.2e}, features up to {scale:.3g}"
        )


@needs_fast
@pytest.mark.parametrize(
    ("name", "weights"),
    [
        ("effnet_lite0", "DEFAULT"),
        ("effnet_lite0_style", "DEFAULT"),
        ("effnet_lite1", "DEFAULT"),
        ("effnet_lite2", "DEFAULT"),
        ("tiny_cnn", None),
    ],
)
def test_fast_runtimes_match_torch_within_1e_4(name: str, weights: str | None, tmp_path: Path) -> None:
    _parity(name, weights, tmp_path)


@needs_fast
@pytest.mark.slow
@pytest.mark.parametrize("name", ["resnet50", "resnet101", "effnetv2_s", "effnetv2_m"])
def test_torchvision_backbones_match_torch_within_1e_4_with_random_weights(name: str, tmp_path: Path) -> None:
    _parity(name, None, tmp_path)


@needs_fast
def test_export_once_keyed_by_backbone_weights_and_frame_size(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    runtime = FAST[0]
    first = Backbone("tiny_cnn", None, runtime=runtime, cache_dir=tmp_path)
    first.prepare((32, 32))
    first.prepare((48, 64))
    files = sorted(p.name for p in tmp_path.iterdir())
    assert len(files) == 2 and all(f.startswith("tiny_cnn-random-") and f.endswith(".onnx") for f in files)
    assert any("-48x64-" in f for f in files)  # no temporary file left behind either
    # A new process (here: a new Backbone) reuses the cached files: no second export.
    monkeypatch.setattr(torch.onnx, "export", lambda *a, **k: pytest.fail("exported again"))
    again = Backbone("tiny_cnn", None, runtime=runtime, cache_dir=tmp_path)
    out = again.encode(torch.zeros(2, 32, 32, 3, dtype=torch.uint8))
    assert out.shape == (2, 16)
    monkeypatch.undo()
    # Other weights under the same name get their own file: the key digests the tensors.
    other = Backbone("tiny_cnn", None, runtime=runtime, cache_dir=tmp_path)
    with torch.no_grad():
        next(other.trunk.parameters()).add_(0.5)
    other.prepare((32, 32))
    assert len(list(tmp_path.iterdir())) == 3


def test_auto_picks_the_fastest_installed_cpu_runtime_and_torch_on_cuda(monkeypatch: pytest.MonkeyPatch) -> None:
    installed = {"openvino", "onnxruntime", "onnx"}
    monkeypatch.setattr(rt, "_has", lambda package: package in installed)
    assert rt.resolve_runtime("auto", "cpu") == "openvino"
    assert rt.resolve_runtime("auto", "cuda") == "torch"
    assert rt.resolve_runtime("onnx", "cpu") == "onnx"
    installed.discard("openvino")
    assert rt.resolve_runtime("auto", "cpu") == "onnx"
    installed.discard("onnxruntime")
    assert rt.resolve_runtime("auto", "cpu") == "torch"
    installed.add("onnxruntime")
    installed.discard("onnx")  # the exporter needs it: no fast path without it
    assert rt.resolve_runtime("auto", "cpu") == "torch"
    assert rt.resolve_runtime("torch", "cpu") == "torch"


def test_missing_or_misplaced_runtime_is_one_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rt, "_has", lambda package: package == "onnx")
    with pytest.raises(VidclsError, match=r"backbone.runtime=openvino needs the openvino package\(s\): pip install"):
        Backbone("tiny_cnn", None, runtime="openvino")
    with pytest.raises(VidclsError, match="runs on CPU only"):
        rt.resolve_runtime("onnx", "cuda")
    with pytest.raises(VidclsError, match=r"unknown backbone\.runtime='tensorrt'"):
        rt.resolve_runtime("tensorrt", "cpu")


@needs_fast
def test_unwritable_cache_dir_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    backbone = Backbone("tiny_cnn", None, runtime=FAST[0], cache_dir=blocker / "cache")
    with pytest.raises(VidclsError, match=r"set backbone\.cache_dir to a writable folder"):
        backbone.prepare((32, 32))


needs_openvino = pytest.mark.skipif(not rt.runtime_available("openvino"), reason="openvino (+ onnx) is not installed")


@needs_openvino
def test_openvino_runs_in_a_child_process_never_in_this_one(tmp_path: Path) -> None:
    """OpenVINO's TBB corrupted the heap of the process that loaded it (docs/extraction.md): keep it out."""
    import subprocess
    import sys

    probe = (
        "import sys, torch\n"
        "from vidcls.backbones import Backbone\n"
        f"b = Backbone('tiny_cnn', None, runtime='openvino', cache_dir={str(tmp_path)!r})\n"
        "out = b.encode(torch.zeros(3, 32, 32, 3, dtype=torch.uint8))\n"
        "worker = b._sessions[(32, 32)]._proc\n"
        "print(tuple(out.shape), 'openvino' in sys.modules, worker.poll())\n"
        "b._sessions.clear(); del b\n"
        "import gc; gc.collect()\n"
        "print(worker.poll())\n"
    )
    root = Path(__file__).resolve().parents[1]
    proc = subprocess.run([sys.executable, "-c", probe], cwd=root, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    # Features came back, OpenVINO was never imported here, the worker ran, and it exited once released.
    assert proc.stdout.split("\n")[:2] == ["(3, 16) False None", "0"], proc.stdout


@needs_openvino
def test_a_dead_openvino_worker_is_one_clear_error(tmp_path: Path) -> None:
    backbone = Backbone("tiny_cnn", None, runtime="openvino", cache_dir=tmp_path)
    frames = torch.zeros(2, 32, 32, 3, dtype=torch.uint8)
    assert backbone.encode(frames).shape == (2, 16)
    worker = backbone._sessions[(32, 32)]
    worker._proc.kill()
    worker._proc.wait()
    with pytest.raises(VidclsError, match=r"OpenVINO worker process ended unexpectedly \(signal 9\).*runtime=onnx"):
        backbone.encode(frames)


def test_predict_and_app_take_the_runtime_from_their_configs(monkeypatch: pytest.MonkeyPatch) -> None:
    from hydra import compose, initialize_config_dir

    from vidcls.extraction import FeatureExtractor
    from vidcls.web import service

    conf = Path(__file__).resolve().parents[1] / "conf"
    with initialize_config_dir(config_dir=str(conf), version_base="1.3"):
        for name in ("predict", "app"):
            assert compose(config_name=name).extractor_runtime == "auto", name
    seen = {}
    monkeypatch.setattr(service, "extraction_provenance", lambda ensemble: {"backbone": "tiny_cnn"})
    monkeypatch.setattr(FeatureExtractor, "from_provenance", lambda provenance, **kw: seen.update(kw) or "x")
    assert service.LazyExtractor(None, "cpu", 8, "onnx").get() == "x"  # type: ignore[arg-type]
    assert seen == {"device": "cpu", "batch_size": 8, "runtime": "onnx"}


@needs_openvino
def test_the_openvino_workers_cpu_time_is_measurable(tmp_path: Path) -> None:
    """A live child is not in getrusage: the bench reads the worker's own CPU time (Linux /proc)."""
    backbone = Backbone("tiny_cnn", None, runtime="openvino", cache_dir=tmp_path)
    backbone.encode(torch.zeros(2, 32, 32, 3, dtype=torch.uint8))
    user, system = backbone._sessions[(32, 32)].cpu_seconds()
    if Path("/proc/self/stat").is_file():
        assert user + system > 0  # importing OpenVINO and compiling the model took CPU time


@needs_fast
def test_the_export_index_serves_a_setting_without_torch_until_its_weights_file_changes(tmp_path: Path) -> None:
    """open_backbone finds a cached export by setting; a changed weights file is a miss, never stale features."""
    from vidcls.backbones import open_backbone
    from vidcls.backbones.loader import ExportedBackbone
    from vidcls.backbones.registry import TinyCNN

    weights = tmp_path / "tiny.pth"
    torch.save(TinyCNN().state_dict(), weights)
    frames = _frames(size=32).numpy()
    reference = Backbone("tiny_cnn", str(weights), runtime="torch").features(frames, 3)

    def open_and_run() -> tuple[bool, np.ndarray]:
        backbone = open_backbone("tiny_cnn", str(weights), "cpu", FAST[0], tmp_path / "cache", threads=1)
        assert isinstance(backbone, ExportedBackbone)
        backbone.prepare((32, 32))
        assert (backbone.feature_dim, backbone.weights_tag) == (16, "tiny")
        return backbone.uses_torch, backbone.features(frames, 3)

    first, out = open_and_run()
    assert first  # nothing cached yet: exported through torch, and recorded in the index
    np.testing.assert_allclose(out, reference, atol=1e-4)
    again, out = open_and_run()
    assert not again  # the index served it: no torch module built
    np.testing.assert_allclose(out, reference, atol=1e-4)
    # New tensors in the same file: the weights-file hash misses, the export is redone for the new digest.
    state = TinyCNN().state_dict()
    state["net.0.bias"] += 1.0
    torch.save(state, weights)
    changed, out = open_and_run()
    expected = Backbone("tiny_cnn", str(weights), runtime="torch").features(frames, 3)
    assert changed and not np.allclose(expected, reference)
    np.testing.assert_allclose(out, expected, atol=1e-4)
    # Random weights and the torch runtime never use the index.
    assert isinstance(open_backbone("tiny_cnn", None, "cpu", FAST[0], tmp_path / "cache"), Backbone)
    assert isinstance(open_backbone("tiny_cnn", str(weights), "cpu", "torch", tmp_path / "cache"), Backbone)


def test_a_seed_set_before_torch_is_imported_seeds_torch_when_it_loads() -> None:
    """seed_everything leaves torch unloaded (extract.py may never need it) but its draws stay the seeded ones."""
    from run_python import run_python

    probe = (
        "import sys\n"
        "from vidcls.utils.cli import seed_everything, seed_torch_if_pending\n"
        "seed_everything(11)\n"
        "loaded = 'torch' in sys.modules\n"
        "seed_torch_if_pending()\n"
        "import torch\n"
        "print(loaded, float(torch.rand(1)))\n"
    )
    proc = run_python("-c", probe)
    assert proc.returncode == 0, proc.stderr
    torch.manual_seed(11)
    assert proc.stdout.split() == ["False", str(float(torch.rand(1)))]


@needs_fast
def test_a_relative_weights_path_keys_the_index_by_the_file_it_names_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``backbone.weights=tiny.pth`` from two folders names two files: the second never gets the first's export."""
    from vidcls.backbones import open_backbone
    from vidcls.backbones.registry import TinyCNN

    frames = _frames(size=32).numpy()
    outputs = []
    for folder, shift in (("a", 0.0), ("b", 1.0)):
        (tmp_path / folder).mkdir()
        state = TinyCNN().state_dict()
        state["net.0.bias"] += shift
        torch.save(state, tmp_path / folder / "tiny.pth")
        monkeypatch.chdir(tmp_path / folder)
        for _ in range(2):  # the second open is served by the index
            backbone = open_backbone("tiny_cnn", "tiny.pth", "cpu", FAST[0], tmp_path / "cache", threads=1)
            backbone.prepare((32, 32))
            outputs.append(backbone.features(frames, 3))
        assert not backbone.uses_torch
    np.testing.assert_allclose(outputs[1], outputs[0], atol=1e-6)
    np.testing.assert_allclose(outputs[3], outputs[2], atol=1e-6)
    assert not np.allclose(outputs[2], outputs[0])
