"""A row's probabilities are the same bits alone or batched (issue 26 part 3): on CPU ``Ensemble.predict`` runs
every equal-length group in fixed row blocks, so predict.py may classify files together and still write the
lines a per-file, resumed or sharded run writes."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from vidcls.inference import Ensemble, Member
from vidcls.inference.ensemble import ROW_ALIGN, ROW_BLOCK
from vidcls.modules import MeanPoolBaseline, SuperEnhancedTemporalModel

TEMPORAL4 = ["original", "reversed", "speed_up", "slow_down"]
DIM = 16


def _member(name: str, seed: int, model_cls: type) -> Member:
    torch.manual_seed(seed)
    if model_cls is SuperEnhancedTemporalModel:
        model = model_cls(feature_dim=DIM, hidden_dim=32, num_classes=4, num_lstm_layers=2, num_attention_heads=2)
    else:
        model = model_cls(feature_dim=DIM, hidden_dim=32, num_classes=4)
    return Member(
        name=name, model=model.eval(), path=Path(name), feature_dim=DIM, class_names=list("abcd"), provenance={}
    )


def _batch(rows: list[torch.Tensor]) -> tuple[torch.Tensor, torch.Tensor]:
    lengths = torch.tensor([len(r) for r in rows])
    x = torch.zeros(len(rows), int(lengths.max()), DIM)
    for i, r in enumerate(rows):
        x[i, : len(r)] = r
    return x, lengths


def _row(out, i: int, length: int) -> list[torch.Tensor]:  # type: ignore[no-untyped-def]
    """Everything predict.py writes about row ``i``: probabilities, each member's and view's, attention."""
    return [out.probs[i], out.member_probs[:, i], out.view_probs[:, :, i], out.attention[i, :length]]


def _assert_same_bits(got: list[torch.Tensor], want: list[torch.Tensor], what: str) -> None:
    for g, w in zip(got, want, strict=True):
        assert torch.equal(g, w), f"{what}: max difference {(g - w).abs().max().item():.3g}"


@pytest.mark.parametrize("tta", [None, TEMPORAL4], ids=["no-tta", "temporal4"])
@pytest.mark.parametrize("model_cls", [SuperEnhancedTemporalModel, MeanPoolBaseline])
def test_a_rows_answer_is_the_same_bits_alone_at_any_position_and_beside_any_rows(
    model_cls: type, tta: list[str] | None
) -> None:
    ensemble = Ensemble([_member("m0", 0, model_cls), _member("m1", 1, model_cls)])
    assert ensemble.batch_invariant
    g = torch.Generator().manual_seed(3)
    # More rows of one length than a block (a full block and a padded one), lengths shared by a few rows
    # and lengths held by one row only; TTA views give each its own lengths again.
    lengths = [5] * (ROW_BLOCK + 3) + [1, 2, 3, 3, 7, 9, 9, 17]
    rows = [torch.randn(n, DIM, generator=g) for n in lengths]
    alone = []
    for r in rows:
        x, length = _batch([r])
        alone.append(_row(ensemble.predict(x, length, tta=tta, return_attention=True), 0, len(r)))

    for shift in (0, 5, 11):  # every row at other positions, beside other rows
        order = [(i + shift) % len(rows) for i in range(len(rows))]
        out = ensemble.predict(*_batch([rows[i] for i in order]), tta=tta, return_attention=True)
        for pos, i in enumerate(order):
            _assert_same_bits(_row(out, pos, len(rows[i])), alone[i], f"row {i} at position {pos}")

    # The same rows beside different neighbours of the same lengths (other contents, zeros).
    others = [torch.randn(len(r), DIM, generator=g) for r in rows]
    for neighbours in (others, [torch.zeros_like(r) for r in rows]):
        for i in (0, ROW_BLOCK + 1, len(rows) - 1):
            mixed = [rows[i] if j == i else neighbours[j] for j in range(len(rows))]
            out = ensemble.predict(*_batch(mixed), tta=tta, return_attention=True)
            _assert_same_bits(_row(out, i, len(rows[i])), alone[i], f"row {i} beside other rows")


def test_rows_run_in_fixed_blocks() -> None:
    """What the invariance rests on: each forward holds ROW_ALIGN..ROW_BLOCK rows (a multiple of ROW_ALIGN)."""
    ensemble = Ensemble([_member("m0", 0, SuperEnhancedTemporalModel)])
    shapes: list[tuple[int, ...]] = []
    ensemble.members[0].model.register_forward_hook(lambda _m, args, _out: shapes.append(tuple(args[0].shape)))
    g = torch.Generator().manual_seed(0)
    rows = [torch.randn(n, DIM, generator=g) for n in [6] * (ROW_BLOCK + 1) + [2]]
    ensemble.predict(*_batch(rows))
    assert sorted(shapes) == sorted([(ROW_BLOCK, 6, DIM), (ROW_ALIGN, 6, DIM), (ROW_ALIGN, 2, DIM)])


def test_unmasked_predecessor_members_are_not_batch_invariant() -> None:
    """Their one padded pass lets padding into each row's answer: predict.py then classifies file by file."""
    member = _member("m0", 0, SuperEnhancedTemporalModel)
    member.model.mask_padding = False
    assert not Ensemble([member]).batch_invariant
    assert Ensemble([_member("m1", 1, MeanPoolBaseline)]).batch_invariant
