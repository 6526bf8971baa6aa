"""Diagnostic: does a row's output depend on the rows beside it, on this CPU? (issue 26 part 3; bench/RESULTS.md)

``python bench/diag_batch_invariance.py [--size full|tiny] [--lengths 1 2 3 15 17 64] [--rows 1 2 4 8 12 16]
[--threads 1 2]``

``Ensemble.predict`` on CPU runs each equal-length group in forwards of ``ROW_BLOCK`` rows padded to a
multiple of ``ROW_ALIGN`` (vidcls/inference/ensemble.py), on the claim that at those row counts every row
gets the same bits wherever it sits and whatever its neighbours hold. This checks the claim on the network
itself (``SuperEnhancedTemporalModel``; ``full``: the sizes of conf/model/super_enhanced.yaml at feature_dim
1280, effnet_lite0's), per sequence length, row count ``B`` and torch thread count:

* ``pos``: ``B`` copies of one row give ``B`` equal outputs (no position dependence);
* ``nb``: a row among ``B`` different rows gives what it gives among copies of itself (no neighbour dependence);
* ``=1``: the row's output equals its batch-of-1 output;
* ``=4``: equals its output in a ``ROW_ALIGN``-row forward (what a lone file gets);
* ``=t``: equals the output with the first thread count given;

and times one forward (best of 3; ms per call and per row). Exit status 1 when a ``ROW_ALIGN``-multiple row
count up to ``ROW_BLOCK`` breaks ``pos``, ``nb``, ``=4`` or ``=t``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch
from omegaconf import OmegaConf

from vidcls.inference.ensemble import ROW_ALIGN, ROW_BLOCK
from vidcls.modules import SuperEnhancedTemporalModel

ROOT = Path(__file__).resolve().parents[1]
FULL_FEATURE_DIM = 1280  # effnet_lite0, predict.py's and extract.py's default backbone


def build(size: str) -> SuperEnhancedTemporalModel:
    torch.manual_seed(0)
    if size == "tiny":
        return SuperEnhancedTemporalModel(feature_dim=16, hidden_dim=32, num_lstm_layers=1, num_attention_heads=2)
    conf = OmegaConf.load(ROOT / "conf" / "model" / "super_enhanced.yaml")
    keys = ("hidden_dim", "num_lstm_layers", "num_attention_heads", "bidirectional", "mask_padding")
    return SuperEnhancedTemporalModel(feature_dim=FULL_FEATURE_DIM, **{k: conf[k] for k in keys})


@torch.inference_mode()
def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", choices=["full", "tiny"], default="full")
    parser.add_argument("--lengths", type=int, nargs="+", default=[1, 2, 3, 15, 17, 64])
    parser.add_argument("--rows", type=int, nargs="+", default=[1, 2, 4, 8, 12, 16])
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    model = build(args.size).eval()

    def forward(x: torch.Tensor) -> torch.Tensor:
        return model(x, torch.full((x.shape[0],), x.shape[1]))

    ok = True
    generator = torch.Generator().manual_seed(1)
    for length in args.lengths:
        x = torch.randn(max(args.rows), length, model.feature_dim, generator=generator)
        first: dict[int, torch.Tensor] = {}
        for threads in args.threads:
            torch.set_num_threads(threads)
            alone = forward(x[:1])[0]
            aligned = forward(x[:1].repeat(ROW_ALIGN, 1, 1))[0]
            cells = []
            for rows in args.rows:
                times = []
                for _ in range(3):
                    start = time.perf_counter()
                    same = forward(x[:1].repeat(rows, 1, 1))
                    times.append(time.perf_counter() - start)
                mixed = forward(x[:rows])
                pos = all(torch.equal(same[p], same[0]) for p in range(rows))
                nb = all(torch.equal(mixed[p], forward(x[p : p + 1].repeat(rows, 1, 1))[0]) for p in {0, rows - 1})
                first.setdefault(rows, same[0])
                checks = {
                    "pos": pos,
                    "nb": nb,
                    "=1": torch.equal(same[0], alone),
                    "=4": torch.equal(same[0], aligned),
                    "=t": torch.equal(same[0], first[rows]),
                }
                if rows % ROW_ALIGN == 0 and rows <= ROW_BLOCK:
                    ok &= all(checks[k] for k in ("pos", "nb", "=4", "=t"))
                marks = " ".join(f"{k}{'Y' if v else 'N'}" for k, v in checks.items())
                cells.append(f"B={rows} {marks} {min(times) * 1e3:.0f} ms ({min(times) * 1e3 / rows:.0f}/row)")
            print(f"L={length} threads={threads}: " + " | ".join(cells), flush=True)
    print("ROW_ALIGN/ROW_BLOCK forwards are batch-invariant here" if ok else "NOT batch-invariant here")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
