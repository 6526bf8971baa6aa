"""The README's quickstart command, run as written on a tiny demo (3 clips a class, 2 seeds, 3 epochs)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_quickstart_script_runs_the_whole_pipeline(tmp_path: Path) -> None:
    data, out = tmp_path / "data", tmp_path / "quickstart"
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        # The script calls `python` as a user's shell would; make that this interpreter (an unactivated venv).
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "VIDCLS_DATA_DIR": str(data),
        "VIDCLS_QUICKSTART_DIR": str(out),
        "VIDCLS_QUICKSTART_SEEDS": "0,1",
        # 10 clips a class gives every split at least one clip of each class with a 70/20/10 split.
        "VIDCLS_QUICKSTART_EXTRACT": "data.clips_per_class=10 num_frames=8 frame_size=96",
        "VIDCLS_QUICKSTART_TRAIN": "trainer.max_epochs=3",
    }
    env.pop("VIDCLS_QUICKSTART_TEMPERATURE", None)  # the script's default is what this test checks
    result = subprocess.run(
        ["bash", str(ROOT / "scripts" / "quickstart.sh")], env=env, capture_output=True, text=True, timeout=900
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]

    features = data / "demo" / "features"
    for split in ("train", "val", "test"):
        assert (features / f"{split}_features_multiscale.h5").is_file()
    # data=demo's two CNN input sizes reach the files (and, through the checkpoints, predict.py below).
    from vidcls.schema import validate_contents

    provenance = validate_contents(features / "train_features_multiscale.h5").provenance
    assert provenance["spatial_scales"] == [1.0, 0.714]
    # extract.py's default backbone, the one the temperature was fitted for (docs/results.md, "Style statistics")
    assert provenance["backbone"] == "effnet_lite0_style"
    members = sorted(p.parent.parent.name for p in (out / "train").glob("*/checkpoints/best.ckpt"))
    # One run dir per member, named by its overrides (conf/hydra/default.yaml), the seed among them; and the probe.
    assert len(members) == 3 and members[-1] == "probe", members
    assert all(f"seed={i}" in m.split(",") for i, m in enumerate(members[:2])), members
    # one temperature in every member, the script's default (chosen on the dev set's tune sources, docs/results.md),
    # and eval reports the ensemble with it (predict and the web page load members the same way); the probe
    # carries half of the ensemble's probability, the seeds split the other half
    from vidcls.inference import load_ensemble

    ensemble = load_ensemble(str(out / "train"))
    assert set(ensemble.temperatures.values()) == {0.69}
    assert ensemble.names[-1] == "probe" and ensemble.weights.tolist() == [0.25, 0.25, 0.5]
    report = json.loads((out / "eval" / "eval_metrics.json").read_text())
    assert report["split"] == "test"
    assert set(report["temperature"]["members"].values()) == {0.69}
    assert (out / "eval" / "confusion_matrix_tta.png").is_file()
    assert list((out / "predict").glob("*.attention.png"))
    assert "== done." in result.stdout
