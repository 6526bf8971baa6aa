"""Every ``python <entry point>.py …`` line in README.md and docs/*.md composes exactly as printed.

The commands are pulled out of the fenced code blocks, their placeholders (VIDEOS, FEATURES,
``logs/train/multirun/<time>``, ``PATH_OR_DIR`` …) replaced by test paths, then passed through the
same argument handling as the real CLI (flags anywhere, ``A..B`` ranges) and composed by Hydra, so
a doc and the CLI can no longer disagree. The cheap ones also run, with tiny overrides appended.
"""

from __future__ import annotations

import json
import re
import shlex
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from compose_configs import compose_config
from hydra.core.override_parser.overrides_parser import OverridesParser
from run_python import run_python

from vidcls.utils.cli import normalize_argv

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
ENTRY_POINTS = sorted(p.name for p in ROOT.glob("*.py"))
# The arguments end at a shell operator or a comment; ">" inside a word (<time>) is a placeholder, not a redirect.
_COMMAND = re.compile(r"\bpython3? (?P<script>[\w-]+\.py)\b(?P<args>(?:[^;&|>#]|(?<=\S)>)*)")
_CONFIG_NAME = re.compile(r"config_name=\"(?P<name>[\w/-]+)\"")

#: Where a doc writes a placeholder, the test puts a real path (by the key it is given to).
PLACEHOLDER_KEYS = ("data.videos_dir", "data.features_dir", "ckpt_paths", "video", "attention_plot", "hydra.run.dir")


@dataclass(frozen=True)
class DocCommand:
    where: str  # README.md:67
    script: str  # train.py
    args: tuple[str, ...]  # as printed, shell-split

    def __str__(self) -> str:
        return f"{self.where}: python {self.script} {' '.join(self.args)}"


def doc_commands() -> list[DocCommand]:
    """Each entry-point command line inside a fenced block of README.md or docs/*.md."""
    found = []
    for doc in DOCS:
        fenced = False
        lines = doc.read_text().splitlines()
        for number, line in enumerate(lines, 1):
            if line.lstrip().startswith("```"):
                fenced = not fenced
                continue
            if not fenced or (number > 1 and lines[number - 2].endswith("\\")):
                continue
            following = number
            while line.endswith("\\") and following < len(lines):  # a command continued over lines
                line = line[:-1] + " " + lines[following]
                following += 1
            for match in _COMMAND.finditer(line):
                if match["script"] in ENTRY_POINTS:
                    args = tuple(shlex.split(match["args"]))
                    found.append(DocCommand(f"{doc.relative_to(ROOT)}:{number}", match["script"], args))
    return found


def with_test_paths(args: tuple[str, ...], paths: dict[str, str]) -> list[str]:
    """Placeholders → test paths; ``[key=value]`` (optional in the doc) → ``key=value``; ``$i`` → 0."""
    out = []
    for arg in args:
        if arg.startswith("[") and arg.endswith("]") and "=" in arg:
            arg = arg[1:-1]
        key, sep, _ = arg.partition("=")
        if sep and key.lstrip("+~") in paths:
            arg = f"{key}={paths[key.lstrip('+~')]}"
        out.append(arg.replace("$i", "0"))
    return out


def first_job(overrides: list[str]) -> list[str]:
    """A sweep's first job: each sweep override (``a,b``, ``range(…)``, …) reduced to its first value."""
    parser = OverridesParser.create()
    out = []
    for text in overrides:
        override = parser.parse_override(text)
        if override.is_sweep_override():
            first = next(iter(override.sweep_string_iterator()))
            text = f"{override.get_key_element()}={first}"
        out.append(text)
    return out


def config_name(script: str) -> str:
    match = _CONFIG_NAME.search((ROOT / script).read_text())
    assert match, f"{script} has no @hydra.main(config_name=...)"
    return match["name"]


@pytest.fixture(scope="module")
def test_paths(tmp_path_factory: pytest.TempPathFactory, synthetic_features_dir: Path) -> dict[str, str]:
    base = tmp_path_factory.mktemp("doc_commands")
    videos = base / "videos" / "Animation"
    videos.mkdir(parents=True)
    clip = videos / "clip.mp4"
    clip.write_bytes(b"")  # composing never opens it
    return {
        "data.videos_dir": str(base / "videos"),
        "data.features_dir": str(synthetic_features_dir),
        "ckpt_paths": str(base / "runs"),
        "video": str(clip),
        "attention_plot": str(base / "plots"),
        "hydra.run.dir": str(base / "run"),
    }


COMMANDS = doc_commands()


def test_the_docs_have_commands_for_every_stage() -> None:
    scripts = {c.script for c in COMMANDS}
    assert {"extract.py", "train.py", "eval.py", "predict.py", "app.py"} <= scripts, scripts
    assert len(COMMANDS) >= 20


@pytest.mark.parametrize("command", COMMANDS, ids=str)
def test_doc_command_composes(command: DocCommand, test_paths: dict[str, str]) -> None:
    argv = normalize_argv(with_test_paths(command.args, test_paths))
    flags = [a for a in argv if a.startswith("-")]
    assert set(flags) <= {"-m", "--multirun"}, f"{command}: flags the test does not know how to compose: {flags}"
    overrides = [a for a in argv if not a.startswith("-")]
    if flags:
        overrides = first_job(overrides)
    cfg = compose_config(config_name(command.script), overrides, hydra=True)
    for key in PLACEHOLDER_KEYS:
        given = next((a.partition("=")[2] for a in overrides if a.partition("=")[0].lstrip("+~") == key), None)
        if given is not None and not key.startswith("hydra."):
            assert str(cfg_get(cfg, key)) == given, f"{command}: {key} did not reach the config"


def cfg_get(cfg: object, dotted: str) -> object:
    from omegaconf import OmegaConf

    return OmegaConf.select(cfg, dotted)


# ---------------------------------------------------------------- the cheap ones, run for real
TINY_TRAIN = [
    "model.hidden_dim=32", "model.num_lstm_layers=1", "model.num_attention_heads=2", "trainer=cpu",
    "trainer.max_epochs=1", "data.num_workers=0", "data.persistent_workers=false", "callbacks.progress_bar=null",
]  # fmt: skip


def _run(script: str, args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return run_python(str(ROOT / script), *args, cwd=cwd, timeout=600)


def _readme_command(script: str, must_contain: str) -> DocCommand:
    readme = [c for c in COMMANDS if c.where.startswith("README.md") and c.script == script]
    return next(c for c in readme if must_contain in c.args)


@pytest.mark.slow
def test_readme_ensemble_then_eval_run_as_printed(synthetic_features_dir: Path, tmp_path: Path) -> None:
    """README's step 2 (a seed sweep with -m between overrides) and step 3 (eval of that sweep), tiny."""
    train = _readme_command("train.py", "-m")
    paths = {"data.features_dir": str(synthetic_features_dir)}
    args = with_test_paths(train.args, paths) + TINY_TRAIN
    args = [a.replace("seed=0,1,2,3", "seed=0,1") for a in args]  # two members are enough to prove the sweep
    result = _run("train.py", args, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    sweeps = list((tmp_path / "logs" / "train" / "multirun").iterdir())
    assert len(sweeps) == 1, sweeps
    members = sorted(sweeps[0].glob("*/checkpoints/best.ckpt"))
    assert len(members) == 2, members

    evaluate = _readme_command("eval.py", "split=test")
    paths.update({"ckpt_paths": str(sweeps[0])})
    result = _run("eval.py", [*with_test_paths(evaluate.args, paths), "data.num_workers=0"], cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    reports = list((tmp_path / "logs" / "eval").rglob("eval_metrics.json"))
    assert len(reports) == 1 and json.loads(reports[0].read_text())["split"] == "test"
