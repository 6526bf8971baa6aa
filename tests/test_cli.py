"""Every entry point: flags anywhere, A..B ranges, user mistakes as one `error:` line (exit 2), bugs as tracebacks."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from vidcls.errors import VidclsError
from vidcls.utils.cli import expand_range, normalize_argv

ROOT = Path(__file__).resolve().parents[1]
ENTRY_POINTS = ("extract.py", "train.py", "eval.py", "predict.py", "app.py", "calibrate.py")


def clean_env(**extra: str) -> dict[str, str]:
    """The test's environment without a full-error setting the developer may have exported."""
    env = {k: v for k, v in os.environ.items() if k not in ("HYDRA_FULL_ERROR", "VIDCLS_USER_HYDRA_FULL_ERROR")}
    return {**env, **extra}


def run(script: str, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / script), *args],
        cwd=cwd, env=clean_env(PYTHONPATH=str(ROOT)), capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def error_lines(result: subprocess.CompletedProcess[str]) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("error:")]


def assert_one_error_line(result: subprocess.CompletedProcess[str], *words: str) -> str:
    assert result.returncode == 2, result.stderr[-3000:]
    lines = error_lines(result)
    assert len(lines) == 1, result.stderr[-3000:]
    assert "Traceback" not in result.stderr and "Error executing job" not in result.stderr, result.stderr[-3000:]
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


# ---------------------------------------------------------------- argument order and ranges (no subprocess)
@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["a=1", "-m", "b=2"], ["-m", "a=1", "b=2"]),
        (["a=1", "b=2", "--multirun"], ["--multirun", "a=1", "b=2"]),
        (["a=1", "--cfg", "job", "b=2"], ["--cfg", "job", "a=1", "b=2"]),
        (["a=1", "-c", "hydra"], ["-c", "hydra", "a=1"]),
        (["a=1", "--info"], ["--info", "a=1"]),
        (["a=1", "--info", "defaults", "b=2"], ["--info", "defaults", "a=1", "b=2"]),
        (["a=1", "-cn", "other", "--resolve", "--cfg", "all"], ["-cn", "other", "--resolve", "--cfg", "all", "a=1"]),
        (["seed=0..3", "-m"], ["-m", "seed=range(0,4)"]),
        (["+x.y=-2..1", "-m", "z=1..1"], ["-m", "+x.y=range(-2,2)", "z=range(1,2)"]),
        (["name=v1..v2", "p=0.5..1"], ["name=v1..v2", "p=0.5..1"]),  # not integer ranges: left alone
        (["seed=0..3", "--cfg", "job"], ["--cfg", "job", "seed=range(0,4)"]),
    ],
)
def test_flags_move_to_the_front_and_ranges_expand(argv: list[str], expected: list[str]) -> None:
    assert normalize_argv(argv) == expected


def test_range_mistakes_are_user_errors() -> None:
    with pytest.raises(VidclsError, match=r"seed=0\.\.3 is a sweep .* add -m"):
        normalize_argv(["seed=0..3"])
    with pytest.raises(VidclsError, match="A <= B"):
        expand_range("seed=3..0")
    with pytest.raises(VidclsError, match="cannot be combined with -m"):
        normalize_argv(["seed=0", "-m", "--cfg", "job"])


# ---------------------------------------------------------------- the real entry points
@pytest.mark.parametrize("script", ENTRY_POINTS)
def test_unknown_override_is_one_line_exit_2(script: str, tmp_path: Path) -> None:
    assert_one_error_line(run(script, "no_such_key=1", cwd=tmp_path), "no_such_key")


@pytest.mark.parametrize(
    ("script", "given"),
    [("eval.py", []), ("predict.py", ["video=clip.mp4"]), ("app.py", []), ("calibrate.py", ["temperature=1"])],
)
def test_missing_mandatory_checkpoints_say_which_key(script: str, given: list[str], tmp_path: Path) -> None:
    assert_one_error_line(run(script, *given, f"hydra.run.dir={tmp_path / 'run'}", cwd=tmp_path), "ckpt_paths")


@pytest.mark.parametrize("script", ENTRY_POINTS)
def test_cfg_flag_after_the_overrides(script: str, tmp_path: Path) -> None:
    result = run(script, "seed=7", "--cfg", "job", cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "seed: 7" in result.stdout


def test_bad_seed_is_one_line(tmp_path: Path) -> None:
    assert_one_error_line(run("train.py", "seed=abc", f"hydra.run.dir={tmp_path / 'run'}", cwd=tmp_path), "seed")


def test_range_without_multirun_is_one_line(tmp_path: Path) -> None:
    assert_one_error_line(run("train.py", "seed=0..3", cwd=tmp_path), "seed=0..3", "-m")


# ---------------------------------------------------------------- user errors vs vidcls bugs, on a tiny Hydra app
APP = """
import hydra
from hydra.utils import instantiate
from vidcls.errors import VidclsError
from vidcls.utils.cli import report_user_errors, run_hydra_cli


def refuse(reason: str):
    raise VidclsError(f"the user's mistake: {reason}")


@hydra.main(version_base="1.3", config_path="conf", config_name="app")
@report_user_errors
def main(cfg):
    if cfg.what == "vidcls_error":
        raise VidclsError("the user's mistake: a plain VidclsError")
    if cfg.what == "target":
        instantiate(cfg.thing)
    if cfg.what == "code_bug":
        return cfg.no_such_key_in_code
    if cfg.what == "python_bug":
        return 1 / 0
    if cfg.what == "mandatory":
        return cfg.needed
    print("ran what=" + str(cfg.what))


if __name__ == "__main__":
    run_hydra_cli(main)
"""
APP_CONFIG = """
what: nothing
needed: ???
thing:
  _target_: app.refuse
  reason: inside a _target_
hydra:
  run:
    dir: ${oc.env:RUN_DIR}
  output_subdir: null
"""


@pytest.fixture(scope="module")
def tiny_app(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("tiny_app")
    (folder / "conf").mkdir()
    (folder / "conf" / "app.yaml").write_text(textwrap.dedent(APP_CONFIG))
    (folder / "app.py").write_text(textwrap.dedent(APP))
    return folder


def run_app(folder: Path, *args: str, full_error: bool = False) -> subprocess.CompletedProcess[str]:
    env = clean_env(PYTHONPATH=f"{folder}{os.pathsep}{ROOT}", RUN_DIR=str(folder / "run"))
    if full_error:
        env["HYDRA_FULL_ERROR"] = "1"
    return subprocess.run(
        [sys.executable, str(folder / "app.py"), *args], cwd=folder, env=env, capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["what=vidcls_error"], ["a plain VidclsError"]),
        (["what=target"], ["inside a _target_"]),  # unwrapped from Hydra's InstantiationException, once
        (["what=mandatory"], ["needed"]),
        (["nope=1"], ["nope"]),  # composition: unknown key
        (["what=[unclosed"], ["unclosed"]),  # override grammar
    ],
)
def test_user_errors_are_one_line(tiny_app: Path, args: list[str], words: list[str]) -> None:
    line = assert_one_error_line(run_app(tiny_app, *args), *words)
    assert line.count("the user's mistake") <= 1


@pytest.mark.parametrize(("what", "exception"), [("code_bug", "ConfigAttributeError"), ("python_bug", "ZeroDivision")])
def test_bugs_keep_their_traceback_and_exit_1(tiny_app: Path, what: str, exception: str) -> None:
    result = run_app(tiny_app, f"what={what}")
    assert result.returncode == 1, result.stderr[-3000:]
    assert "Traceback" in result.stderr and exception in result.stderr and not error_lines(result)


def test_users_full_error_shows_the_trace_of_their_mistake(tiny_app: Path) -> None:
    result = run_app(tiny_app, "what=target", full_error=True)
    assert result.returncode == 1 and "Traceback" in result.stderr and "inside a _target_" in result.stderr
    composed = run_app(tiny_app, "nope=1", full_error=True)
    assert composed.returncode == 1 and "Traceback" in composed.stderr


def test_flags_anywhere_in_a_multirun(tiny_app: Path) -> None:
    result = run_app(tiny_app, "what=a,b", "-m", "hydra.sweep.dir=" + str(tiny_app / "sweep"))
    assert result.returncode == 0, result.stderr[-3000:]
    assert "ran what=a" in result.stdout and "ran what=b" in result.stdout


def test_train_refuses_splits_with_different_provenance(tmp_path: Path) -> None:
    """train.py stops before training, in one line, when the test file was extracted with another frame size."""
    import h5py

    from vidcls.schema import split_path
    from vidcls.synthetic import write_synthetic_splits

    features = write_synthetic_splits(tmp_path / "feats", 2, max_frames=4, feature_dim=4)
    with h5py.File(split_path(features, "test"), "r+") as f:
        f.attrs["frame_size"] = "[48, 48]"
    result = run("train.py", f"data.features_dir={features}", f"hydra.run.dir={tmp_path / 'run'}", cwd=tmp_path)
    assert_one_error_line(result, "test_features_multiscale.h5 (test) was extracted differently", "frame_size")


def test_seed_everything_matches_lightning_without_importing_it(monkeypatch: pytest.MonkeyPatch) -> None:
    import random

    import lightning as L
    import numpy as np
    import torch

    from vidcls.utils.cli import seed_everything

    for name in ("PL_GLOBAL_SEED", "PL_SEED_WORKERS"):
        monkeypatch.delenv(name, raising=False)

    def draws() -> tuple[float, float, float]:
        return random.random(), float(np.random.rand()), float(torch.rand(1))

    L.seed_everything(7, workers=True, verbose=False)
    expected, expected_env = draws(), (os.environ["PL_GLOBAL_SEED"], os.environ["PL_SEED_WORKERS"])
    for name in ("PL_GLOBAL_SEED", "PL_SEED_WORKERS"):
        monkeypatch.delenv(name)
    assert seed_everything(7) == 7
    assert draws() == expected
    assert (os.environ["PL_GLOBAL_SEED"], os.environ["PL_SEED_WORKERS"]) == expected_env == ("7", "1")
    with pytest.raises(VidclsError, match=r"seed must be in 0\.\.4294967295"):
        seed_everything(-1)
