"""``predict.py`` files/s against ``extract.py`` videos/s on the same clips (issue 26 part 3), as a user runs them.

    python -m bench.predict_bench                 # clips and a checkpoint generated once into /tmp/vidcls-predict-bench
    python -m bench.predict_bench --repeats 3 --json bench-predict.json

Two corpora: 100 short clips (1 s, 320x240, 15 fps: every one is "short", one CNN row per frame)
and 20 clips of 10 s at 640x360, 30 fps. Both commands run at their defaults (effnet_lite0 with its
ImageNet weights, the fastest installed CPU runtime, 2 decoder threads overlapped with the CNN);
predict.py gets a one-member checkpoint whose recorded provenance is extract.py's defaults, so it
extracts exactly the same features, and writes ``output_file=`` (the streaming path). Each repeat
runs the two one after the other (alternating which goes first), into a new features folder / a new
answers file. Wall time comes from the clock, user and sys from ``getrusage`` of the finished child
(grandchildren it waited for included: the OpenVINO worker). "in-loop" rates are the ones each
command prints itself (extract: videos encoded / extraction seconds; predict: answers written /
loop seconds): start-up, the scan and the model load are outside them. One untimed warm-up run
exports the CNN first (cached per machine, as for any user). Results: bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

CORPORA = {
    # name: (count, seconds, (width, height), fps, gop)
    "short": (100, 1.0, (320, 240), 15, 15),
    "10s-640x360": (20, 10.0, (640, 360), 30, 150),
}
#: ``--tiny`` (tests/test_bench.py): two tiny clips per corpus, a 16-d random CNN, a small model.
TINY_CORPORA = {"short": (2, 1.0, (192, 144), 8, 8), "10s-640x360": (2, 2.0, (192, 144), 8, 8)}
TINY_EXTRACT = ("backbone=tiny_cnn", "num_frames=4", "frame_size=32", "scales=[1.0]")
TINY_MODEL = ("model.hidden_dim=32", "model.num_lstm_layers=1", "model.num_attention_heads=2")
TARGET_RATIO = 0.9
EXTRACT_RATE = re.compile(r"extracted (\d+) video\(s\) in ([\d.]+)s")
PREDICT_RATE = re.compile(r"wrote (\d+) answer\(s\) to .* in ([\d.]+)s")


def make_corpus(folder: Path, count: int, seconds: float, size: tuple[int, int], fps: int, gop: int) -> Path:
    """``count`` distinct H.264 clips, half in each of two class folders (extract.py's layout); reused."""
    from bench.extract_bench import make_video

    for i in range(count):
        path = folder / ("Animation" if i % 2 == 0 else "Gaming") / f"clip{i:03d}.mp4"
        if not path.is_file():
            path.parent.mkdir(parents=True, exist_ok=True)
            make_video(path, seconds=seconds, size=size, fps=fps, gop=gop, seed=i)
    return folder


def extract_defaults(overrides: tuple[str, ...] = ()) -> dict[str, Any]:
    """extract.py's extraction settings (conf/extract.yaml + ``overrides``), as plain values."""
    from hydra import compose, initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra
    from omegaconf import OmegaConf

    GlobalHydra.instance().clear()
    with initialize_config_dir(config_dir=str(ROOT / "conf"), version_base="1.3"):
        cfg = compose(config_name="extract", overrides=list(overrides))
    keys = ("num_frames", "scales", "frame_size", "spatial_scales", "min_duration_s", "sampling")
    values = {k: cfg[k] for k in keys}
    plain = {k: OmegaConf.to_container(v) if OmegaConf.is_config(v) else v for k, v in values.items()}
    plain["backbone"] = str(cfg.backbone.name)
    plain["weights"] = cfg.backbone.weights
    return plain


def make_checkpoint(
    folder: Path, extract_overrides: tuple[str, ...] = (), model_overrides: tuple[str, ...] = ()
) -> Path:
    """A one-member run directory whose checkpoint records extract.py's default provenance (trained 1 epoch
    on synthetic features: the answers are meaningless, the work per file is the real one)."""
    ckpt = folder / "seed=0" / "checkpoints" / "best.ckpt"
    if ckpt.is_file():
        return folder
    import lightning as L
    from hydra import compose, initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra

    from vidcls.datamodules import FeatureDataModule
    from vidcls.extraction import FeatureExtractor
    from vidcls.modules import VideoClassifier
    from vidcls.schema import SPLITS, split_path, write_feature_file
    from vidcls.synthetic import SYNTHETIC_CLASS_NAMES, synthetic_features

    s = extract_defaults(extract_overrides)
    extractor = FeatureExtractor(
        backbone=s["backbone"], weights=s["weights"], num_frames=int(s["num_frames"]), scales=s["scales"],
        frame_size=s["frame_size"], spatial_scales=s["spatial_scales"], min_duration_s=float(s["min_duration_s"]),
        sampling=str(s["sampling"]).split("(")[0],
    )  # fmt: skip
    provenance = extractor.provenance
    features = folder / "features"
    for offset, split in enumerate(SPLITS):
        feats, labels, lengths = synthetic_features(
            4, max_frames=int(s["num_frames"]), feature_dim=extractor.feature_dim, seed=offset
        )
        write_feature_file(
            split_path(features, split), feats, labels, lengths, SYNTHETIC_CLASS_NAMES, provenance=provenance
        )
    GlobalHydra.instance().clear()
    with initialize_config_dir(config_dir=str(ROOT / "conf"), version_base="1.3"):
        model_cfg = compose(config_name="train", overrides=list(model_overrides)).model
    data = FeatureDataModule(features_dir=features, batch_size=8, num_workers=0, check_values=False)
    data.setup("fit")
    L.seed_everything(0, verbose=False)
    module = VideoClassifier.from_model_config(
        model_cfg, data.class_names, data.feature_dim, provenance=data.provenance, class_counts=data.class_counts
    )
    trainer = L.Trainer(
        max_epochs=1, accelerator="cpu", logger=False, enable_checkpointing=False, enable_progress_bar=False,
        enable_model_summary=False, num_sanity_val_steps=0,
    )  # fmt: skip
    trainer.fit(module, datamodule=data)
    trainer.save_checkpoint(ckpt, weights_only=False)
    return folder


def run(argv: list[str], log: Path, pattern: re.Pattern[str]) -> dict[str, float]:
    """One command: wall, user and sys seconds (children included), and the in-loop items and seconds it printed."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    with log.open("w") as out:
        proc = subprocess.run([sys.executable, *argv], cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv[:1])} failed (exit {proc.returncode}); see {log}")
    found = pattern.search(log.read_text())
    if found is None:
        raise SystemExit(f"no rate line in {log}")
    return {
        "wall": wall,
        "user": after.ru_utime - before.ru_utime,
        "sys": after.ru_stime - before.ru_stime,
        "items": int(found.group(1)),
        "loop_s": float(found.group(2)),
    }


def extract_argv(videos: Path, out: Path, overrides: tuple[str, ...] = ()) -> list[str]:
    return [
        str(ROOT / "extract.py"),
        f"data.videos_dir={videos}",
        f"data.features_dir={out}",
        f"hydra.run.dir={out}/hydra",
        *overrides,
    ]


def predict_argv(videos: Path, ckpts: Path, out: Path) -> list[str]:
    return [str(ROOT / "predict.py"), f"video={videos}", f"ckpt_paths={ckpts}", f"output_file={out}/answers.jsonl",
            f"hydra.run.dir={out}/hydra"]  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "vidcls-predict-bench")
    parser.add_argument("--corpora", nargs="+", default=list(CORPORA), choices=list(CORPORA))
    parser.add_argument("--json", type=Path, help="also write every run's numbers here")
    parser.add_argument("--tiny", action="store_true", help=argparse.SUPPRESS)  # tests: toy sizes, same code
    args = parser.parse_args()
    corpora = TINY_CORPORA if args.tiny else CORPORA
    if args.tiny:  # never reuse the full-size checkpoint and clips cached in --work (or theirs in a full run)
        args.work = args.work.with_name(args.work.name + "-tiny")
    extract_overrides = TINY_EXTRACT if args.tiny else ()
    ckpts = make_checkpoint(args.work / "ckpts", extract_overrides, TINY_MODEL if args.tiny else ())
    runs = args.work / "runs"
    shutil.rmtree(runs, ignore_errors=True)
    runs.mkdir(parents=True)
    report: dict[str, Any] = {"load_average_start": list(os.getloadavg()), "corpora": {}}
    ok = True
    for corpus in args.corpora:
        count, seconds, size, fps, gop = corpora[corpus]
        videos = make_corpus(args.work / f"videos-{corpus}", count, seconds, size, fps, gop)
        if corpus == args.corpora[0]:  # exports the CNN once (cached per machine)
            warm = runs / "warmup"
            one = next(iter(sorted(videos.rglob("*.mp4"))))
            run([*predict_argv(one, ckpts, warm)], runs / "warmup.log", PREDICT_RATE)
        results: dict[str, list[dict[str, float]]] = {"extract": [], "predict": []}
        for rep in range(args.repeats):
            legs = [("extract", EXTRACT_RATE), ("predict", PREDICT_RATE)]
            for name, pattern in legs if rep % 2 == 0 else legs[::-1]:
                out = runs / f"{corpus}-{name}-{rep}"
                if name == "extract":
                    argv = extract_argv(videos, out, extract_overrides)
                else:
                    argv = predict_argv(videos, ckpts, out)
                r = run(argv, runs / f"{corpus}-{name}-{rep}.log", pattern)
                r["rate_whole"] = count / r["wall"]
                r["rate_loop"] = r["items"] / r["loop_s"]
                results[name].append(r)
                print(f"{corpus} repeat {rep} {name:7s} wall {r['wall']:6.1f} s  user {r['user']:6.1f} s  "
                      f"sys {r['sys']:5.1f} s  whole {r['rate_whole']:.3f}/s  in-loop {r['rate_loop']:.3f}/s",
                      flush=True)  # fmt: skip
        med = {
            name: {k: statistics.median(r[k] for r in rs) for k in ("wall", "user", "sys", "rate_whole", "rate_loop")}
            for name, rs in results.items()
        }
        ratio_whole = med["predict"]["rate_whole"] / med["extract"]["rate_whole"]
        ratio_loop = med["predict"]["rate_loop"] / med["extract"]["rate_loop"]
        print(f"{corpus}: predict/extract rate, whole process {ratio_whole:.2f}, in-loop {ratio_loop:.2f} "
              f"(target >= {TARGET_RATIO})", flush=True)  # fmt: skip
        ok &= ratio_loop >= TARGET_RATIO
        report["corpora"][corpus] = {
            "runs": results,
            "median": med,
            "ratio_whole": ratio_whole,
            "ratio_loop": ratio_loop,
        }
    report["load_average_end"] = list(os.getloadavg())
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n")
    print("issue 26 part 3 target (in-loop predict >= 0.9x extract):", "met" if ok else "NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
