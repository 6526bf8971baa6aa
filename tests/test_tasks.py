"""The task layer: every entry point calls one ``vidcls.tasks.<name>.run(cfg) -> dict``."""

from __future__ import annotations

import ast
import importlib
import inspect
import re
from pathlib import Path

import pytest
from compose_configs import compose_config
from omegaconf import open_dict

ROOT = Path(__file__).resolve().parents[1]
ENTRY_POINTS = {"train.py": "train", "extract.py": "extract", "eval.py": "evaluate", "predict.py": "predict",
                "app.py": "serve", "calibrate.py": "calibrate"}  # fmt: skip


@pytest.mark.parametrize(("script", "task"), sorted(ENTRY_POINTS.items()))
def test_entry_point_calls_its_task(script: str, task: str) -> None:
    """The entry point imports ``run`` from its task and calls it; the task's ``run`` returns a dict."""
    tree = ast.parse((ROOT / script).read_text())
    imports = {
        (node.module, alias.name) for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) for alias in node.names
    }
    assert (f"vidcls.tasks.{task}", "run") in imports, script
    assert any(isinstance(n, ast.Call) and getattr(n.func, "id", None) == "run" for n in ast.walk(tree)), script
    if task != "serve":  # the web extra may be missing; its module is checked by test_web
        run = importlib.import_module(f"vidcls.tasks.{task}").run
        signature = inspect.signature(run)
        assert list(signature.parameters) == ["cfg"] and "dict" in str(signature.return_annotation)


def test_train_task_returns_the_final_metrics(synthetic_features_dir: Path, tmp_path: Path) -> None:
    from hydra.core.hydra_config import HydraConfig

    from vidcls.tasks.train import run

    cfg = compose_config("train", ["experiment=tiny", "data.num_workers=0", "+trainer.fast_dev_run=true"], hydra=True)
    with open_dict(cfg):
        cfg.paths.output_dir = str(tmp_path)
        cfg.paths.log_dir = str(tmp_path / "logs")
        cfg.data.features_dir = str(synthetic_features_dir)
    HydraConfig.instance().set_config(cfg)
    with open_dict(cfg):
        del cfg["hydra"]
    results = run(cfg)
    assert {"test/acc", "test/f1_macro"} <= set(results) and all(isinstance(v, float) for v in results.values())


#: Issue 17's bound: a function longer than this is split into named steps (the demo's renderers excepted).
MAX_FUNCTION_LINES = 80


def test_no_function_outside_the_demo_is_longer_than_the_bound() -> None:
    """Every function in vidcls/ (but vidcls/demo), bench/, scripts/, tests/ and the entry points."""
    files = [p for folder in ("vidcls", "bench", "scripts", "tests") for p in (ROOT / folder).rglob("*.py")]
    files += sorted(ROOT.glob("*.py"))
    too_long = [
        f"{path.relative_to(ROOT)}:{node.lineno} {node.name} ({node.end_lineno - node.lineno + 1} lines)"
        for path in files
        if (ROOT / "vidcls" / "demo") not in path.parents
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES
    ]
    assert not too_long, too_long


def test_code_and_docs_name_the_old_project_the_predecessor() -> None:
    """'seeds' is the random seed only; no pointer to documents that are not in the repository."""
    texts = [
        p
        for folder in ("vidcls", "conf", "docs")
        for p in (ROOT / folder).rglob("*")
        if p.suffix in {".py", ".yaml", ".md"}
    ]
    texts += [ROOT / "README.md", *ROOT.glob("*.py")]
    stale = re.compile(r"the seeds'|seeds' (?:model|recipe|TTA|files|names)|shared/seeds/0|contract [0-9]")
    found = [f"{p.relative_to(ROOT)}: {m.group(0)}" for p in texts for m in stale.finditer(p.read_text())]
    assert not found, found
