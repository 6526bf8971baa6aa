"""``python bench/run.py [--quick]``: vidcls speed against its limits, written to bench-results.json.

Sections (each side by side with its limit or a plain baseline in the same run, as ratios):
training (Lightning loop vs hand-written loop; FLOP/s vs dense matmul), extraction (end to end vs
CNN alone vs decoding alone vs the predecessor's naive loop), inference (batched TTA ensemble vs
one forward per view and member), growth (cost vs frames per video and batch size).
See bench/RESULTS.md for what each number means and the last recorded figures.
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import json
import os
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make `bench` and `vidcls` importable from the repo root
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch
from rich.console import Console
from rich.table import Table

from bench.common import Results, environment, load_average
from vidcls.utils.resources import loader_workers


def _other_worker_count() -> dict[str, Any]:
    workers = 4 if loader_workers("auto") == 0 else 0
    return {"name": f"num_workers={workers}", "overrides": [f"data.num_workers={workers}"]}


CPU_MODEL = {"hidden_dim": 128, "num_lstm_layers": 4, "num_attention_heads": 8}
FULL_MODEL = {"hidden_dim": 768, "num_lstm_layers": 4, "num_attention_heads": 12}

FULL: dict[str, Any] = {
    "train": {
        "batch_size": 48,
        "steps_per_epoch": 10,  # 9 timed steps per epoch per leg: per-epoch ratios vary ±10% on a shared CPU
        "epochs": 5,
        "max_frames": 64,
        "feature_dim": 1280,
        "min_frames": 48,
        "model_cpu": CPU_MODEL,
        "model_gpu": FULL_MODEL,
        "precisions_gpu": ["bf16-mixed", "32-true"],
        "matmul_size": 2048,
        # The worker count `data.num_workers: auto` did not pick here, to show what the rule saves or costs.
        "variants": [_other_worker_count()],
    },
    "extract": {
        "videos": 3,  # several, so decoding the next video can overlap the CNN on this one (as in a corpus)
        "seconds": 30,
        "size": [1280, 720],
        "fps": 30,
        "gop": 150,
        "backbones": ["effnet_lite0", "effnetv2_s"],
        "repeats": {"effnet_lite0": 2, "effnetv2_s": 1},
        "naive_videos": 1,
        "single": True,
    },
    "infer": {
        "members": 4,
        "tta": "temporal4",
        "feature_dim": 1280,
        "frames": 64,
        "batch_sizes": [1, 4],
        "repeats": 3,
        # Full size is what real checkpoints are; the small one shows the overhead-bound regime.
        "models_cpu": [["full", FULL_MODEL], ["small", CPU_MODEL]],
        "models_gpu": [["full", FULL_MODEL]],
    },
    "growth": {
        "frames": [16, 32, 64, 128],
        "batch_sizes": [8, 16, 32, 48, 96],
        "reps": 2,
        "extract": True,
        "cnn_batch_sizes": [8, 24, 48],
        "infer": True,
        "infer_batch_sizes": [1, 4],
    },
}


def _quick() -> dict[str, Any]:
    """About a minute on 2 idle cores: every comparison once, at the smallest sizes that still mean something."""
    mode = copy.deepcopy(FULL)
    mode["train"].update(steps_per_epoch=4, epochs=3, matmul_size=1024, variants=[])
    mode["extract"].update(videos=1, seconds=5, backbones=["effnet_lite0"], single=False, repeats=1)
    mode["extract"]["settings"] = {"num_frames": 32}  # half the CNN and naive work of T=64
    mode["infer"].update(batch_sizes=[1], repeats=2, models_cpu=[["small", CPU_MODEL]])
    mode["growth"] = None  # the curves need the full run
    return mode


def _tiny() -> dict[str, Any]:
    """Seconds-long smoke mode for tests: every code path, toy sizes (numbers mean nothing)."""
    tiny_model = {"hidden_dim": 16, "num_lstm_layers": 1, "num_attention_heads": 2}
    mode = copy.deepcopy(FULL)
    mode["train"].update(
        batch_size=4,
        steps_per_epoch=3,
        epochs=2,
        max_frames=16,
        feature_dim=32,
        min_frames=8,
        model_cpu=tiny_model,
        model_gpu=tiny_model,
        matmul_size=128,
        variants=[],
        precisions_gpu=["32-true"],
        extra_overrides=["data.num_workers=0", "data.persistent_workers=false"],
    )
    mode["extract"].update(videos=1, seconds=2, size=[320, 240], fps=12, gop=12, backbones=["tiny_cnn"], single=True)
    mode["extract"]["settings"] = {"num_frames": 8, "frame_size": 64}
    mode["infer"].update(
        members=2,
        feature_dim=32,
        frames=16,
        batch_sizes=[2],
        repeats=1,
        models_cpu=[["tiny", tiny_model]],
        models_gpu=[["tiny", tiny_model]],
    )
    mode["growth"] = {
        "frames": [8, 16],
        "batch_sizes": [2, 4],
        "reps": 1,
        "extract": True,
        "cnn_batch_sizes": [4],
        "infer": True,
        "infer_batch_sizes": [1, 2],
    }
    return mode


MODES = {"full": lambda: copy.deepcopy(FULL), "quick": _quick, "tiny": _tiny}
SECTIONS = ("training", "extraction", "inference")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument(
        "--quick",
        action="store_true",
        help="about 1.5 minutes: fewer steps, one 5 s video at T=32, lite0 only, small model, no growth curves",
    )
    p.add_argument("--tiny", action="store_true", help=argparse.SUPPRESS)  # smoke test: toy sizes
    p.add_argument("--out", default="bench-results.json", help="where to write the JSON results")
    p.add_argument("--device", default="auto", help="auto | cpu | cuda | cuda:N")
    p.add_argument("--threads", type=int, default=None, help="torch intra-op threads (default: torch's own)")
    p.add_argument("--only", default=",".join(SECTIONS), help=f"comma list of sections: {','.join(SECTIONS)}")
    p.add_argument(
        "--cache-dir",
        default=os.environ.get("VIDCLS_BENCH_CACHE", "~/.cache/vidcls-bench"),
        help="generated videos, feature files and checkpoints are kept here between runs",
    )
    p.add_argument("--verbose", action="store_true", help="show the progress output of the code under test")
    return p.parse_args(argv)


def render(console: Console, payload: dict[str, Any]) -> None:
    env = payload["env"]
    console.print(
        f"[bold]vidcls bench[/] ({payload['mode']}) on {env['device_name']} [{env['device']}], torch {env['torch']}, "
        f"{env['torch_threads']} threads, load {env['load_avg_start']} → {env['load_avg_end']}, "
        f"{payload['duration_s']:.0f} s"
    )
    table = Table(show_lines=False)
    for col, kw in (
        ("section", {}),
        ("measurement", {}),
        ("value", {"justify": "right"}),
        ("unit", {}),
        ("note", {"overflow": "fold", "max_width": 60}),
    ):
        table.add_column(col, **kw)
    for m in payload["measurements"]:
        value = m["value"]
        text = f"{value:.3f}" if abs(value) < 10 else f"{value:,.1f}"
        table.add_row(m["section"], m["name"], text, m["unit"], m.get("note", ""))
    console.print(table)
    targets = Table(title="targets (2-core CPU limits from the issue)")
    for col in ("target", "measured", "limit", "result", "detail"):
        targets.add_column(col)
    for t in payload["targets"]:
        mark = "[green]PASS[/]" if t["passed"] else "[red]FAIL[/]"
        targets.add_row(t["name"], f"{t['value']:.3f}", f"{t['op']} {t['limit']:g}", mark, t["detail"])
    console.print(targets)
    for err in payload["errors"]:
        console.print(f"[red]section {err['section']} failed:[/] {err['error']}")


def main(argv: list[str] | None = None) -> int:
    from vidcls.utils.allocator import tune_malloc

    args = parse_args(argv)
    env_malloc = tune_malloc()  # as every entry point does (vidcls.utils.cli.run_hydra_cli)
    if args.threads:
        torch.set_num_threads(args.threads)
    mode_name = "tiny" if args.tiny else "quick" if args.quick else "full"
    mode = MODES[mode_name]()
    mode["cache_dir"] = str(Path(args.cache_dir).expanduser())
    mode["threads_fixed"] = bool(args.threads)  # else extraction uses extract.py's own cpu_threads rule
    Path(mode["cache_dir"]).mkdir(parents=True, exist_ok=True)
    device = torch.device(
        "cuda"
        if args.device == "auto" and torch.cuda.is_available()
        else "cpu"
        if args.device == "auto"
        else args.device
    )
    console = Console()
    env = environment(device)
    env["malloc_tuned"] = env_malloc
    env["load_avg_start"] = load_average()
    started = time.time()
    results = Results()
    errors = []
    wanted = [s.strip() for s in args.only.split(",") if s.strip()]
    from bench import extract_bench, infer_bench, train_bench

    modules = {"training": train_bench, "extraction": extract_bench, "inference": infer_bench}
    with tempfile.TemporaryDirectory(prefix="vidcls-bench-") as work:
        for section in SECTIONS:
            if section not in wanted:
                continue
            console.print(f"[bold]{section}[/] ...")
            t0 = time.perf_counter()
            try:
                modules[section].run(results, device, mode, Path(work) / section, args.verbose)
            except Exception as err:  # keep the other sections' numbers; report and exit non-zero
                errors.append(
                    {"section": section, "error": f"{type(err).__name__}: {err}", "traceback": traceback.format_exc()}
                )
            console.print(f"  {section} took {time.perf_counter() - t0:.0f} s, load {load_average()}")
    env["load_avg_end"] = load_average()
    payload = {
        "schema": "vidcls-bench/1",
        "mode": mode_name,
        "argv": sys.argv[1:] if argv is None else argv,
        "started": dt.datetime.fromtimestamp(started, dt.timezone.utc).isoformat(timespec="seconds"),
        "duration_s": round(time.time() - started, 1),
        "env": env,
        "gpu_measured": device.type == "cuda",
        "settings": {k: v for k, v in mode.items() if k not in ("cache_dir", "threads_fixed")},
        **results.to_json(),
        "all_targets_passed": all(t.passed for t in results.targets) if results.targets else None,
        "errors": errors,
    }
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp")
    tmp.write_text(json.dumps(payload, indent=2) + "\n")
    os.replace(tmp, out)
    render(console, payload)
    console.print(f"wrote {out}")
    for err in errors:
        console.print(err["traceback"], markup=False, highlight=False)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
