"""The core install works without the optional extras, and a missing extra is one line naming it.

Each check runs in a fresh interpreter whose import system refuses the extras' packages (a
meta-path hook), which is what a ``pip install vidcls`` without extras looks like to the code.
"""

from __future__ import annotations

import subprocess
import textwrap
from pathlib import Path

import pytest
from run_python import run_python

from vidcls.utils.extras import EXTRAS, hydra_plugin_hint, install_hint

ROOT = Path(__file__).resolve().parents[1]


def pyproject() -> dict:
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


BLOCKED = ("flask", "waitress", "skvideo", "skimage", "hydra_plugins")  # werkzeug comes with tensorboard

BLOCKER = textwrap.dedent(
    f"""
    import sys

    class _NotInstalled:
        blocked = {BLOCKED!r}

        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in self.blocked:
                raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
            return None

    sys.meta_path.insert(0, _NotInstalled())
    """
)


def run_blocked(code: str, timeout: int = 180) -> subprocess.CompletedProcess[str]:
    return run_python("-c", BLOCKER + textwrap.dedent(code), timeout=timeout)


def test_core_paths_import_without_optional_extras() -> None:
    proc = run_blocked(
        """
        import importlib
        for name in ("vidcls.extraction", "vidcls.extraction.run", "vidcls.training", "vidcls.evaluation.runner",
                     "vidcls.evaluation.plots", "vidcls.inference", "vidcls.tasks.predict",
                     "vidcls.tasks.train", "vidcls.tasks.evaluate", "vidcls.tasks.extract",
                     "vidcls.backbones", "vidcls.datamodules", "vidcls.modules", "vidcls.callbacks",
                     "vidcls.demo", "vidcls.tasks.evaluate", "vidcls.tasks.extract"):
            importlib.import_module(name)
        leaked = sorted(m for m in sys.modules if m.split(".")[0] in _NotInstalled.blocked)
        assert not leaked, leaked
        print("core ok")
        """
    )
    assert proc.returncode == 0 and "core ok" in proc.stdout, proc.stderr[-3000:]


def test_blocker_really_blocks() -> None:
    """Guards the test above: without this the hook could silently let the packages through."""
    proc = run_blocked("import flask")
    assert proc.returncode != 0 and "No module named 'flask'" in proc.stderr


def test_missing_web_extra_message_names_the_extra() -> None:
    proc = run_blocked(
        """
        from vidcls.errors import VidclsError
        try:
            import vidcls.web
        except VidclsError as err:
            print("VidclsError:", err)
        """
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    lines = proc.stdout.strip().splitlines()
    assert len(lines) == 1 and 'pip install "vidcls[web]"' in lines[0] and "flask" in lines[0], proc.stdout


def test_missing_web_extra_is_one_line_from_app_py(tmp_path: Path) -> None:
    proc = run_blocked(
        f"""
        import runpy
        sys.argv = ["app.py", "hydra.run.dir={tmp_path / "run"}"]
        runpy.run_path("app.py", run_name="__main__")
        """
    )
    assert proc.returncode == 2, proc.stderr[-3000:]
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:"), proc.stderr
    assert 'pip install "vidcls[web]"' in lines[0] and "flask" in lines[0]


def test_missing_demo_extra_is_one_line(tmp_path: Path) -> None:
    proc = run_blocked(
        f"""
        from pathlib import Path
        from vidcls.demo import build_demo_videos
        from vidcls.errors import VidclsError
        try:
            build_demo_videos(Path({str(tmp_path / "demo")!r}), clips_per_class=1, show_progress=False)
        except VidclsError as err:
            print("VidclsError:", err)
        """
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    lines = proc.stdout.strip().splitlines()
    assert len(lines) == 1 and 'pip install "vidcls[demo]"' in lines[0], proc.stdout
    assert not list((tmp_path / "demo").rglob("*.mp4")), "nothing is rendered when the extra is missing"


def test_extras_table_matches_pyproject() -> None:
    """One place for each fact: the guards name exactly the extras pyproject.toml declares."""
    optional = pyproject()["optional-dependencies"]
    assert set(EXTRAS) <= set(optional)
    assert "vidcls[web,demo,cluster]" in optional["dev"], "dev must pull every extra so CI tests them"
    declared = " ".join(optional["web"] + optional["demo"] + optional["cluster"]).lower()
    for pip_name in ("flask", "waitress", "scikit-video", "scikit-image", "hydra-joblib-launcher",
                     "hydra-submitit-launcher", "hydra-optuna-sweeper"):  # fmt: skip
        assert pip_name in declared
    core = " ".join(pyproject()["dependencies"]).lower()
    for optional_only in ("flask", "scikit-video", "scikit-image", "waitress", "hydra-"):
        assert optional_only not in core.replace("hydra-core", ""), optional_only
    assert "==" not in core, "core dependencies are ranges; exact versions live in constraints.txt"


def test_constraints_pin_every_declared_requirement() -> None:
    """constraints.txt (what CI installs) covers every requirement of vidcls[dev], exactly pinned."""
    pins = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, version = line.split("==")
            pins[name.lower().replace("_", "-")] = version
    project = pyproject()
    requirements = project["dependencies"] + [
        r for extra in ("web", "demo", "cluster", "dev") for r in project["optional-dependencies"][extra]
    ]
    from packaging.requirements import Requirement

    for text in requirements:
        req = Requirement(text)
        if req.name == "vidcls":
            continue
        name = req.name.lower().replace("_", "-")
        assert name in pins, f"{name} is not pinned in constraints.txt (run scripts/freeze_constraints.py)"
        assert req.specifier.contains(pins[name], prereleases=True), f"{name}=={pins[name]} is outside {text}"


@pytest.mark.parametrize(
    "message",
    [
        "In 'hydra/config': Could not find 'hydra/launcher/joblib' Available options in 'hydra/launcher': basic",
        "Could not load 'hydra/sweeper/optuna'",
    ],
)
def test_hydra_plugin_hint_names_the_cluster_extra(message: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("vidcls.utils.extras.missing_modules", lambda extra: ["hydra_plugins.hydra_joblib_launcher"])
    hint = hydra_plugin_hint(message)
    assert hint is not None and install_hint("cluster") in hint
    assert hydra_plugin_hint("Could not find 'model/nope'") is None


def test_missing_cluster_extra_is_named_by_the_cli(tmp_path: Path) -> None:
    proc = run_blocked(
        f"""
        import runpy
        sys.argv = ["extract.py", "-m", "num_shards=2", "shard=0,1", "hydra/launcher=joblib",
                    "hydra.sweep.dir={tmp_path / "sweep"}"]
        runpy.run_path("extract.py", run_name="__main__")
        """
    )
    assert proc.returncode == 2, proc.stderr[-3000:]
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:") and 'pip install "vidcls[cluster]"' in lines[0], lines
