"""A checkpoint names its sampling rule: predict.py and the web app rebuild exactly that extractor."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from synth_video import write_test_video

from vidcls.backbones import runtime as rt
from vidcls.errors import VidclsError
from vidcls.extraction import FeatureExtractor
from vidcls.inference import VideoPredictor
from vidcls.video.sampling import SAMPLING_V1, SAMPLING_V2

SETTINGS: dict[str, Any] = {"num_frames": 8, "frame_size": 32, "batch_size": 8}


class _Checkpoints:
    """What VideoPredictor.from_ensemble reads of an ensemble: its provenance (a fresh dict each time)."""

    def __init__(self, provenance: dict[str, Any]) -> None:
        self._provenance = provenance

    @property
    def provenance(self) -> dict[str, Any]:
        return dict(self._provenance)


@pytest.mark.parametrize("rule", [SAMPLING_V1, SAMPLING_V2])
def test_predictor_extracts_with_the_rule_its_checkpoints_were_trained_on(rule: str, tmp_path: Path) -> None:
    video = write_test_video(tmp_path / "clip.mp4", num_frames=40, fps=10, size=(48, 32))
    trained = FeatureExtractor("tiny_cnn", None, sampling=rule, runtime="torch", **SETTINGS)
    assert trained.provenance["sampling"] == f"{rule}(min_duration_s=1)"
    predictor = VideoPredictor.from_ensemble(_Checkpoints(trained.provenance))  # type: ignore[arg-type]
    rebuilt = predictor.extractor
    assert isinstance(rebuilt, FeatureExtractor)
    assert rebuilt.sampling == rule and rebuilt.provenance == trained.provenance
    # predict.py and the web app get the fast CPU runtime by default ("auto").
    assert rebuilt.backbone.runtime == rt.resolve_runtime("auto", "cpu")
    want = trained.extract(video).features
    np.testing.assert_allclose(rebuilt.extract(video).features, want, atol=1e-4)
    # The two rules really give different features on the same video (so mixing them would matter).
    other = FeatureExtractor("tiny_cnn", None, sampling=SAMPLING_V2 if rule == SAMPLING_V1 else SAMPLING_V1, **SETTINGS)
    assert np.abs(other.extract(video).features - want).max() > 1e-3


def test_v2_sends_at_most_1_25_t_frames_through_the_cnn_and_v1_about_2_8_t(tmp_path: Path) -> None:
    video = write_test_video(tmp_path / "long.mp4", num_frames=120, fps=12, size=(48, 32))
    counts = {
        rule: len(FeatureExtractor("tiny_cnn", None, sampling=rule, runtime="torch", **SETTINGS).decode(video).frames)
        for rule in (SAMPLING_V1, SAMPLING_V2)
    }
    assert counts[SAMPLING_V2] <= 1.25 * SETTINGS["num_frames"] < 2 * SETTINGS["num_frames"] < counts[SAMPLING_V1]


def test_unknown_sampling_rule_is_a_clear_error() -> None:
    with pytest.raises(VidclsError, match="unknown sampling='uniform-v9'; use one of uniform-aligned-v1"):
        FeatureExtractor("tiny_cnn", None, sampling="uniform-v9", **SETTINGS)
    provenance = FeatureExtractor("tiny_cnn", None, runtime="torch", **SETTINGS).provenance
    with pytest.raises(VidclsError, match="re-extract the features"):
        FeatureExtractor.from_provenance({**provenance, "sampling": "uniform-aligned-v9(min_duration_s=1)"})


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("sampling=uniform-v9", "error: unknown sampling='uniform-v9'; use one of uniform-aligned-v1"),
        ("backbone.runtime=tensorrt", "error: unknown backbone.runtime='tensorrt'; use one of auto"),
    ],
)
def test_extract_cli_refuses_unknown_sampling_or_runtime_before_scanning(
    override: str, message: str, tmp_path: Path
) -> None:
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[1]
    proc = subprocess.run(
        [
            sys.executable,
            str(root / "extract.py"),
            f"data.videos_dir={tmp_path / 'missing'}",  # never scanned: the settings are checked first
            f"data.features_dir={tmp_path / 'features'}",
            "backbone=tiny_cnn",
            override,
            f"hydra.run.dir={tmp_path / 'run'}",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert message in " ".join(proc.stderr.split())
