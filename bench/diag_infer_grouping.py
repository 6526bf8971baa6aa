"""Diagnostic: how to batch TTA views on this device, measured (bench/RESULTS.md, inference).

``python bench/diag_infer_grouping.py [--threads 2] [--hidden 768] [--videos 1 4] [--repeats 3]``

Same checkpoints and inputs as ``bench/run.py``. Compares the per-view loop with three ways of
batching the ``temporal4`` views of each member: ``Ensemble.predict`` as shipped (on CPU: one
forward per view and distinct length), rows of equal length across views in one forward, and one
packed forward of all rows (what CUDA uses). Prints medians (ms) and the largest probability
difference from the per-view loop, then the FLOP/s of the LSTM's recurrent matmul
(``[rows, H] @ [H, 4H]``, once per step) by number of rows: batching pays only where that grows.
Last, the first member's BiLSTM alone on the views' rows, four ways: one row per call, one call per
distinct length, one packed call, and one padded call per layer and direction on the fused kernel
(each row's valid steps reversed in place for the backward direction, so padding only ever trails
the valid steps: exact, with no step-by-step fallback).
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


def reverse_valid_steps(x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """Each row's first ``lengths[i]`` steps in reverse order; the padding stays where it is."""
    steps = torch.arange(x.shape[1]).unsqueeze(0).expand(x.shape[0], -1)
    source = lengths.unsqueeze(1) - 1 - steps
    source = torch.where(source >= 0, source, steps)
    return x.gather(1, source.unsqueeze(-1).expand_as(x))


def padded_fused_bilstm(lstm: torch.nn.LSTM, x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """A padded batch of unequal lengths through a bidirectional ``lstm`` on the fused kernel, exactly."""
    out = x
    for layer in range(lstm.num_layers):
        directions = []
        for suffix in ("", "_reverse"):
            weights = [
                getattr(lstm, f"{name}_l{layer}{suffix}") for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
            ]
            inputs = out if not suffix else reverse_valid_steps(out, lengths)
            h0 = out.new_zeros(1, out.shape[0], lstm.hidden_size)
            # torch._VF.lstm is what nn.LSTM.forward calls: one layer, one direction, batch first.
            y = torch._VF.lstm(inputs, (h0, h0), weights, True, 1, 0.0, False, False, True)[0]
            directions.append(y if not suffix else reverse_valid_steps(y, lengths))
        out = torch.cat(directions, dim=-1)
    return out


def lstm_layouts(lstm: torch.nn.LSTM, videos: int, repeats: int) -> None:
    """The member's BiLSTM on the temporal4 view lengths (64, 64, 32, 96) of ``videos`` videos."""
    lengths = torch.tensor([64, 64, 32, 96] * videos)
    x = torch.randn(len(lengths), int(lengths.max()), lstm.input_size)
    packed = torch.nn.utils.rnn.pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
    reference = torch.nn.utils.rnn.pad_packed_sequence(lstm(packed)[0], batch_first=True)[0]
    valid = torch.arange(x.shape[1]).unsqueeze(0) < lengths.unsqueeze(1)
    diff = float((padded_fused_bilstm(lstm, x, lengths) - reference)[valid].abs().max())
    legs = {
        "per_row": lambda: [lstm(x[i : i + 1, : int(n)]) for i, n in enumerate(lengths)],
        "by_length": lambda: [lstm(x[lengths == n, : int(n)]) for n in lengths.unique()],
        "packed": lambda: lstm(
            torch.nn.utils.rnn.pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
        ),
        "padded_fused": lambda: padded_fused_bilstm(lstm, x, lengths),
    }
    ms = {k: round(median(v) * 1000) for k, v in interleaved(legs, repeats, torch.device("cpu")).items()}
    print(f"BiLSTM alone, {videos} video(s) x 4 views: {ms} ms; padded_fused max |diff| {diff:.1e}", flush=True)


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
        rows: matmul_flops(cpu, repeats=20, shape=(rows, args.hidden, 4 * args.hidden)) for rows in (1, 2, 4, 8, 16, 64)
    }
    print(f"recurrent matmul GFLOP/s by rows: { {rows: round(r / 1e9, 1) for rows, r in rates.items()} }", flush=True)
    # Batching k views pays only if k rows cost less than k single rows; compare in ms per step,
    # for torch's BLAS and for numpy's own (a different library, to rule out one library's kernel).
    per_step = {}
    for rows in (1, 4, 8):
        a = np.random.rand(rows, args.hidden).astype(np.float32)
        b = np.random.rand(args.hidden, 4 * args.hidden).astype(np.float32)
        numpy_s = min(interleaved({"np": lambda a=a, b=b: a @ b}, 50, cpu)["np"])  # min, as matmul_flops
        torch_s = 2 * rows * args.hidden * 4 * args.hidden / rates[rows]
        per_step[rows] = f"torch {torch_s * 1e3:.3f} / numpy {numpy_s * 1e3:.3f}"
    print(f"recurrent matmul ms per step by rows: {per_step}", flush=True)
    with torch.inference_mode():
        for n in args.videos:
            lstm_layouts(ensemble.members[0].model.lstm, n, args.repeats)


if __name__ == "__main__":
    main()
