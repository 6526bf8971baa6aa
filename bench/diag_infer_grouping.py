"""Diagnostic: how to batch TTA views on this device, measured (bench/RESULTS.md, inference).

``python bench/diag_infer_grouping.py [--threads 2] [--hidden 768] [--videos 1 4] [--repeats 3]``

Same checkpoints and inputs as ``bench/run.py``. Compares the per-view loop with three ways of
batching the ``temporal4`` views of each member: ``Ensemble.predict`` as shipped (on CPU: one
forward per view and distinct length), rows of equal length across views in one forward, and one
packed forward of all rows (what CUDA uses). Prints medians (ms) and the largest probability
difference from the per-view loop, then the FLOP/s of the LSTM's recurrent matmul
(``[rows, H] @ [H, 4H]``, once per step) by number of rows: batching pays only where that grows.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np
import torch

from bench import infer_bench as ib
from bench.common import interleaved, matmul_flops, median
from vidcls.inference import load_ensemble
from vidcls.inference.ensemble import Ensemble
from vidcls.inference.tta import build_views


@torch.inference_mode()
def batched_predict(ensemble: Ensemble, x: torch.Tensor, lengths: torch.Tensor, views: list[str], how: str):
    """Mean probabilities with the view rows of each member run by ``how``: ``by_length`` or ``packed``."""
    n = x.shape[0]
    x_views, view_lengths = build_views(x, lengths, views)
    member_probs = []
    for member in ensemble.members:
        if how == "packed":
            probs = torch.softmax(member.model(x_views, view_lengths).float(), dim=-1)
        else:
            probs = torch.empty(len(view_lengths), ensemble.num_classes)
            for length in view_lengths.unique():
                rows = (view_lengths == length).nonzero().squeeze(1)
                logits = member.model(x_views[rows, : int(length)], view_lengths[rows])
                probs[rows] = torch.softmax(logits.float(), dim=-1)
        member_probs.append(probs.reshape(len(views), n, -1).mean(dim=0))
    return torch.stack(member_probs).mean(dim=0)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--threads", type=int, default=None)
    p.add_argument("--hidden", type=int, default=768)
    p.add_argument("--videos", type=int, nargs="+", default=[1, 4])
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--cache-dir", default="~/.cache/vidcls-bench")
    args = p.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    heads = 12 if args.hidden % 12 == 0 else 8
    size = {"hidden_dim": args.hidden, "num_lstm_layers": 4, "num_attention_heads": heads}
    paths = ib.write_checkpoints(Path(args.cache_dir).expanduser(), 4, 1280, size)
    ensemble = load_ensemble([str(path) for path in paths])
    views = ib.tta_views("temporal4")
    cpu = torch.device("cpu")
    for n in args.videos:
        x, lengths = ib.inputs(n, 64, 1280, cpu)
        legs = ib.legs(ensemble, x, lengths, views, cpu)
        legs["by_length"] = lambda x=x, lengths=lengths: batched_predict(ensemble, x, lengths, views, "by_length")
        legs["packed"] = lambda x=x, lengths=lengths: batched_predict(ensemble, x, lengths, views, "packed")
        reference = legs["per_view"]()
        diff = max(float((fn() - reference).abs().max()) for fn in legs.values())
        samples = interleaved(legs, args.repeats, cpu)
        ms = {k: round(median(v) * 1000) for k, v in samples.items()}
        print(f"hidden {args.hidden}, {n} video(s): {ms} ms; max |dprob| {diff:.1e}", flush=True)
    rates = {
        rows: round(matmul_flops(cpu, repeats=20, shape=(rows, args.hidden, 4 * args.hidden)) / 1e9, 1)
        for rows in (1, 2, 4, 8, 16, 64)
    }
    print(f"recurrent matmul GFLOP/s by rows: {rates}", flush=True)
    # Batching k views pays only if k rows cost less than k single rows; compare in ms per step,
    # for torch's BLAS and for numpy's own (a different library, to rule out one library's kernel).
    per_step = {}
    for rows in (1, 4, 8):
        a, b = np.random.rand(rows, args.hidden).astype(np.float32), np.random.rand(args.hidden, 4 * args.hidden)
        b = b.astype(np.float32)
        numpy_s = min(interleaved({"np": lambda a=a, b=b: a @ b}, 50, cpu)["np"])  # min, as matmul_flops
        torch_s = 2 * rows * args.hidden * 4 * args.hidden / (rates[rows] * 1e9)
        per_step[rows] = f"torch {torch_s * 1e3:.3f} / numpy {numpy_s * 1e3:.3f}"
    print(f"recurrent matmul ms per step by rows: {per_step}", flush=True)


if __name__ == "__main__":
    main()
