"""TTA views: index maps, padded-batch construction, stacked or per-view-grouped passes == a loop over views."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import torch
from omegaconf import OmegaConf

from vidcls.errors import VidclsError
from vidcls.inference import Ensemble, Member, build_views, register_view, resolve_views
from vidcls.inference.tta import available_views, view_indices
from vidcls.modules import MeanPoolBaseline, SuperEnhancedTemporalModel

ROOT = Path(__file__).resolve().parents[1]
TEMPORAL4 = ["original", "reversed", "speed_up", "slow_down"]


@pytest.mark.parametrize("length", [1, 2, 3, 4, 7, 16])
def test_view_index_maps(length: int) -> None:
    assert view_indices("original", length).tolist() == list(range(length))
    assert view_indices("reversed", length).tolist() == list(range(length))[::-1]
    assert view_indices("speed_up", length).tolist() == list(range(0, length, 2))
    assert len(view_indices("speed_up", length)) == math.ceil(length / 2)
    slow = view_indices("slow_down", length).tolist()
    assert len(slow) == math.ceil(1.5 * length)
    # Slow motion: every step kept, in order, some shown twice, none three times.
    assert sorted(set(slow)) == list(range(length)) and slow == sorted(slow)
    assert max(slow.count(i) for i in range(length)) <= 2


def test_slow_down_example() -> None:
    assert view_indices("slow_down", 4).tolist() == [0, 0, 1, 2, 2, 3]


def test_build_views_on_padded_rows() -> None:
    lengths = torch.tensor([5, 2, 7])
    n, t, d = 3, 7, 3
    x = torch.full((n, t, d), 99.0)  # padding holds garbage: it must never leak into a view
    for i, length in enumerate(lengths.tolist()):
        x[i, :length] = torch.arange(length, dtype=torch.float32).unsqueeze(1) + 10 * i + torch.tensor([0, 0.1, 0.2])
    out, new_lengths = build_views(x, lengths, TEMPORAL4)
    expected_lengths = [5, 2, 7, 5, 2, 7, 3, 1, 4, 8, 3, 11]
    assert new_lengths.tolist() == expected_lengths
    assert out.shape == (4 * n, 11, d)  # T' = ceil(1.5 * 7)
    for v, view in enumerate(TEMPORAL4):
        for i, length in enumerate(lengths.tolist()):
            row, new_length = out[v * n + i], expected_lengths[v * n + i]
            torch.testing.assert_close(row[:new_length], x[i, view_indices(view, length)])
            assert (row[new_length:] == 0).all()
    assert not (out == 99.0).any()


def test_build_views_rejects_bad_lengths() -> None:
    with pytest.raises(ValueError, match="lengths must be in"):
        build_views(torch.zeros(2, 4, 3), torch.tensor([0, 4]), ["original"])
    with pytest.raises(ValueError, match="lengths must be in"):
        build_views(torch.zeros(2, 4, 3), torch.tensor([5, 4]), ["original"])


def test_tta_config_files_name_registered_views() -> None:
    modes = {p.stem: OmegaConf.load(p) for p in sorted((ROOT / "conf" / "tta").glob("*.yaml"))}
    assert {"none", "temporal4"} <= set(modes)
    assert list(modes["none"].views) == ["original"]
    assert list(modes["temporal4"].views) == TEMPORAL4
    for cfg in modes.values():
        assert resolve_views(list(cfg.views)) == list(cfg.views)


def test_unknown_or_repeated_views_are_user_errors() -> None:
    with pytest.raises(VidclsError, match="unknown TTA view"):
        resolve_views(["original", "upside_down"])
    with pytest.raises(VidclsError, match="listed twice"):
        resolve_views(["original", "original"])
    assert resolve_views(None) == ["original"] and resolve_views([]) == ["original"]


def test_custom_view_can_be_registered() -> None:
    name = "test_first_half"
    if name not in available_views():
        register_view(name)(lambda length: torch.arange(max(1, length // 2)))
    out, lengths = build_views(torch.arange(6.0).reshape(1, 6, 1), torch.tensor([6]), [name])
    assert lengths.tolist() == [3] and out[0, :, 0].tolist() == [0.0, 1.0, 2.0]
    with pytest.raises(ValueError, match="already registered"):
        register_view(name)(lambda length: torch.arange(length))


def _tiny_member(name: str, seed: int, model_cls: type = SuperEnhancedTemporalModel) -> Member:
    torch.manual_seed(seed)
    if model_cls is SuperEnhancedTemporalModel:
        model = model_cls(feature_dim=8, hidden_dim=16, num_classes=3, num_lstm_layers=1, num_attention_heads=2)
    else:
        model = model_cls(feature_dim=8, hidden_dim=16, num_classes=3)
    return Member(
        name=name, model=model.eval(), path=Path(name), feature_dim=8, class_names=["a", "b", "c"], provenance={}
    )


@pytest.mark.parametrize("stacked", [True, False], ids=["one-pass", "cpu-length-groups"])
@pytest.mark.parametrize("model_cls", [SuperEnhancedTemporalModel, MeanPoolBaseline])
def test_batched_tta_equals_per_view_loop(model_cls: type, stacked: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    if stacked:  # what CUDA runs: every view row in one padded pass
        monkeypatch.setattr(Ensemble, "_length_groups", lambda self, lengths, num_views: None)
    ensemble = Ensemble([_tiny_member("m0", 0, model_cls), _tiny_member("m1", 1, model_cls)])
    torch.manual_seed(5)
    lengths = torch.tensor([9, 3, 1, 6])
    x = torch.randn(4, 9, 8)
    for i, length in enumerate(lengths.tolist()):
        x[i, length:] = 0

    calls = {m.name: 0 for m in ensemble.members}
    hooks = [
        m.model.register_forward_hook(lambda *_, name=m.name: calls.__setitem__(name, calls[name] + 1))
        for m in ensemble.members
    ]
    batched = ensemble.predict(x, lengths, tta=TEMPORAL4)
    for hook in hooks:
        hook.remove()
    _, view_lengths = build_views(x, lengths, TEMPORAL4)
    # CPU: one unpadded pass per view and distinct length (here every row's length differs: 4 views x 4 rows).
    expected_calls = 1 if stacked else sum(len(torch.unique(part)) for part in view_lengths.split(4))
    assert calls == {"m0": expected_calls, "m1": expected_calls}

    loop = []
    for member in ensemble.members:
        per_view = []
        for view in TEMPORAL4:
            xv, lv = build_views(x, lengths, [view])
            with torch.no_grad():
                per_view.append(torch.softmax(member.model(xv, lv), dim=-1))
        loop.append(torch.stack(per_view).mean(0))
    loop_probs = torch.stack(loop)
    torch.testing.assert_close(batched.member_probs, loop_probs, atol=1e-5, rtol=1e-4)
    torch.testing.assert_close(batched.probs, loop_probs.mean(0), atol=1e-5, rtol=1e-4)
    assert batched.view_probs.shape == (2, 4, 4, 3)
    # TTA changes the answer relative to the plain pass (the views are really different inputs).
    plain = ensemble.predict(x, lengths, tta=None)
    torch.testing.assert_close(plain.probs, batched.view_probs[:, 0].mean(0), atol=1e-5, rtol=1e-4)
    assert not torch.allclose(plain.probs, batched.probs)


def test_cpu_length_groups_match_one_pass_including_attention(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CPU grouping is exact for masked models: same probabilities and pooling weights as one pass."""
    ensemble = Ensemble([_tiny_member("m0", 0), _tiny_member("m1", 1)])
    torch.manual_seed(7)
    lengths = torch.tensor([7, 2, 5])
    x = torch.randn(3, 7, 8)
    for i, length in enumerate(lengths.tolist()):
        x[i, length:] = 0
    grouped = ensemble.predict(x, lengths, tta=TEMPORAL4, return_attention=True)
    monkeypatch.setattr(Ensemble, "_length_groups", lambda self, lengths, num_views: None)
    one_pass = ensemble.predict(x, lengths, tta=TEMPORAL4, return_attention=True)
    torch.testing.assert_close(grouped.view_probs, one_pass.view_probs, atol=1e-5, rtol=1e-4)
    torch.testing.assert_close(grouped.attention, one_pass.attention, atol=1e-5, rtol=1e-4)
    assert grouped.attention.shape == (3, 7)
    assert torch.all(grouped.attention[1, 2:] == 0)  # no weight past a row's length
    torch.testing.assert_close(grouped.attention.sum(dim=1), torch.ones(3), atol=1e-5, rtol=1e-5)
