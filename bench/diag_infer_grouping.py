"""Diagnostic: the proposed inference fix, measured by monkeypatching (bench/RESULTS.md, finding 2).

``python bench/diag_infer_grouping.py [--threads 2] [--hidden 128] [--repeats 3]``

Compares, on the same inputs and checkpoints as ``bench/run.py``: ``Ensemble.predict`` as it is
(all TTA views in one packed batch), the per-view loop, and the fix — views grouped by equal length
(one forward per group) plus a model forward that skips packing when every row is full length, so
each call runs oneDNN's fused LSTM. Prints medians (ms) and the largest probability difference.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch

from bench import infer_bench as ib
from bench.common import interleaved, median
from vidcls.inference import load_ensemble
from vidcls.inference.ensemble import Ensemble
from vidcls.inference.tta import build_views
from vidcls.modules import temporal_model

ORIGINAL_FORWARD = temporal_model.SuperEnhancedTemporalModel.forward


def full_length_unpacked_forward(self, x, lengths=None, return_attention=False):  # type: ignore[no-untyped-def]
    """Proposed change to SuperEnhancedTemporalModel.forward: all rows full length → unpacked path (exact)."""
    if lengths is not None and bool((lengths == x.shape[1]).all()):
        lengths = None
    return ORIGINAL_FORWARD(self, x, lengths, return_attention)


@torch.inference_mode()
def grouped_predict(ensemble: Ensemble, x: torch.Tensor, lengths: torch.Tensor, views: list[str]) -> torch.Tensor:
    """Proposed change to Ensemble.predict: one forward per member per group of equal-length view rows."""
    n = x.shape[0]
    x_views, view_lengths = build_views(x, lengths, views)
    member_probs = []
    for member in ensemble.members:
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
    p.add_argument("--hidden", type=int, default=128)
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
    for n in (1, 8):
        x, lengths = ib.inputs(n, 64, 1280, cpu)
        legs = ib.legs(ensemble, x, lengths, views, cpu)

        def fixed(x: torch.Tensor = x, lengths: torch.Tensor = lengths) -> torch.Tensor:
            temporal_model.SuperEnhancedTemporalModel.forward = full_length_unpacked_forward
            try:
                return grouped_predict(ensemble, x, lengths, views)
            finally:
                temporal_model.SuperEnhancedTemporalModel.forward = ORIGINAL_FORWARD

        diff = float((fixed() - legs["batched"]()).abs().max())
        samples = interleaved({**legs, "grouped_fix": fixed}, args.repeats, cpu)
        ms = {k: round(median(v) * 1000) for k, v in samples.items()}
        print(f"hidden {args.hidden}, {n} video(s): {ms} ms; max |dprob| {diff:.1e}", flush=True)


if __name__ == "__main__":
    main()
