"""SuperEnhancedTemporalModel against the seed specification (shared/seeds/000) and the padding fix."""

from __future__ import annotations

import itertools

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from vidcls.modules import MeanPoolBaseline, SuperEnhancedTemporalModel

SEED_PARAMS_AT_1280 = 65_277_701


def seed_state_dict_shapes(
    feature_dim: int, hidden: int, classes: int, layers: int, bidirectional: bool = True
) -> dict[str, tuple[int, ...]]:
    """Every key and shape of the seed class's state_dict, written out from the spec's layer list."""
    seq = hidden * 2 if bidirectional else hidden
    shapes: dict[str, tuple[int, ...]] = {
        "input_projection.0.weight": (hidden, feature_dim),
        "input_projection.0.bias": (hidden,),
        "input_projection.1.weight": (hidden,),
        "input_projection.1.bias": (hidden,),
    }
    for layer in range(layers):
        in_size = hidden if layer == 0 else seq
        for suffix in [""] + (["_reverse"] if bidirectional else []):
            shapes[f"lstm.weight_ih_l{layer}{suffix}"] = (4 * hidden, in_size)
            shapes[f"lstm.weight_hh_l{layer}{suffix}"] = (4 * hidden, hidden)
            shapes[f"lstm.bias_ih_l{layer}{suffix}"] = (4 * hidden,)
            shapes[f"lstm.bias_hh_l{layer}{suffix}"] = (4 * hidden,)
    shapes.update(
        {
            "attention.in_proj_weight": (3 * seq, seq),
            "attention.in_proj_bias": (3 * seq,),
            "attention.out_proj.weight": (seq, seq),
            "attention.out_proj.bias": (seq,),
            "attention_norm.weight": (seq,),
            "attention_norm.bias": (seq,),
            "attention_pooling.0.weight": (seq // 2, seq),
            "attention_pooling.0.bias": (seq // 2,),
            "attention_pooling.1.weight": (seq // 2,),
            "attention_pooling.1.bias": (seq // 2,),
            "attention_pooling.4.weight": (1, seq // 2),
            "attention_pooling.4.bias": (1,),
        }
    )
    widths = [seq, 768, 512, 256]
    for block, (fan_in, fan_out) in enumerate(itertools.pairwise(widths)):
        shapes[f"classifier.{4 * block}.weight"] = (fan_out, fan_in)
        shapes[f"classifier.{4 * block}.bias"] = (fan_out,)
        shapes[f"classifier.{4 * block + 1}.weight"] = (fan_out,)
        shapes[f"classifier.{4 * block + 1}.bias"] = (fan_out,)
    shapes["classifier.12.weight"] = (classes, 256)
    shapes["classifier.12.bias"] = (classes,)
    return shapes


def seed_forward(model: SuperEnhancedTemporalModel, x: torch.Tensor, lengths: torch.Tensor | None) -> torch.Tensor:
    """The seed's forward pass, transcribed from the spec, run on ``model``'s submodules (same weights)."""
    x = model.input_projection(x)
    if lengths is not None:
        x = nn.utils.rnn.pack_padded_sequence(x, lengths.cpu(), batch_first=True, enforce_sorted=False)
    lstm_out, _ = model.lstm(x)
    if lengths is not None:
        lstm_out, _ = nn.utils.rnn.pad_packed_sequence(lstm_out, batch_first=True)
    attended, _ = model.attention(lstm_out, lstm_out, lstm_out)
    attended = model.attention_dropout(attended)
    attended = model.attention_norm(lstm_out + attended)
    weights = F.softmax(model.attention_pooling(attended), dim=1)
    pooled = (attended * weights).sum(dim=1)
    return model.classifier(pooled)


def tiny(**kwargs: object) -> SuperEnhancedTemporalModel:
    torch.manual_seed(0)
    config = {"feature_dim": 12, "hidden_dim": 16, "num_lstm_layers": 2, "num_attention_heads": 2, "num_classes": 4}
    return SuperEnhancedTemporalModel(**(config | kwargs)).eval()


def test_parameter_count_matches_seed_at_1280() -> None:
    model = SuperEnhancedTemporalModel(feature_dim=1280)
    assert sum(p.numel() for p in model.parameters()) == SEED_PARAMS_AT_1280


def test_constructor_defaults_match_seed() -> None:
    model = SuperEnhancedTemporalModel()
    assert (model.feature_dim, model.hidden_dim, model.num_classes) == (2048, 768, 4)
    assert model.lstm.num_layers == 4 and model.lstm.bidirectional and model.lstm.dropout == pytest.approx(0.4)
    assert model.attention.num_heads == 12 and model.attention.embed_dim == 1536
    assert model.input_projection[3].p == pytest.approx(0.2) and model.classifier[11].p == pytest.approx(0.2)


@pytest.mark.parametrize(
    ("feature_dim", "hidden", "layers", "heads", "bidirectional"),
    [(1280, 768, 4, 12, True), (12, 16, 1, 2, True), (12, 16, 2, 2, False)],
)
def test_state_dict_keys_and_shapes_match_seed(
    feature_dim: int, hidden: int, layers: int, heads: int, bidirectional: bool
) -> None:
    model = SuperEnhancedTemporalModel(
        feature_dim=feature_dim,
        hidden_dim=hidden,
        num_lstm_layers=layers,
        num_attention_heads=heads,
        bidirectional=bidirectional,
    )
    actual = {k: tuple(v.shape) for k, v in model.state_dict().items()}
    assert actual == seed_state_dict_shapes(feature_dim, hidden, 4, layers, bidirectional)


def test_seed_state_dict_loads_strict_into_either_mask_setting() -> None:
    masked, unmasked = tiny(mask_padding=True), tiny(mask_padding=False)
    unmasked.load_state_dict(masked.state_dict(), strict=True)


def test_initialisation_follows_seed() -> None:
    model = tiny()
    for module in model.modules():
        if isinstance(module, nn.Linear):
            assert torch.count_nonzero(module.bias) == 0
            bound = (6.0 / (module.in_features + module.out_features)) ** 0.5
            assert module.weight.abs().max() <= bound + 1e-6
        elif isinstance(module, nn.LayerNorm):
            assert torch.all(module.weight == 1) and torch.all(module.bias == 0)


@pytest.mark.parametrize("with_lengths", [True, False])
def test_unmasked_forward_equals_seed_forward(with_lengths: bool) -> None:
    model = tiny(mask_padding=False)
    torch.manual_seed(1)
    x = torch.randn(3, 9, 12)
    lengths = torch.tensor([9, 4, 6]) if with_lengths else None
    if lengths is not None:
        x[1, 4:] = 0
        x[2, 6:] = 0
    with torch.no_grad():
        torch.testing.assert_close(model(x, lengths), seed_forward(model, x, lengths), rtol=1e-5, atol=1e-6)


def padded_vs_alone(model: nn.Module) -> tuple[torch.Tensor, torch.Tensor]:
    torch.manual_seed(2)
    short, long = torch.randn(5, 12), torch.randn(9, 12)
    batch = torch.zeros(2, 9, 12)
    batch[0], batch[1, :5] = long, short
    with torch.no_grad():
        mixed = model(batch, torch.tensor([9, 5]))[1]
        alone = model(short.unsqueeze(0), torch.tensor([5]))[0]
    return mixed, alone


def test_padding_does_not_change_logits_with_mask() -> None:
    mixed, alone = padded_vs_alone(tiny(mask_padding=True))
    torch.testing.assert_close(mixed, alone, rtol=1e-5, atol=1e-5)


def test_padding_leaks_without_mask_as_in_seed() -> None:
    """The control: the predecessor's forward does depend on padding, which is what the mask fixes."""
    mixed, alone = padded_vs_alone(tiny(mask_padding=False))
    assert not torch.allclose(mixed, alone, atol=1e-4)


def test_attention_weights_are_zero_on_padding() -> None:
    model = tiny()
    x = torch.randn(2, 7, 12)
    _, weights = model(x, torch.tensor([7, 3]), return_attention=True)
    assert weights.shape == (2, 7)
    assert torch.all(weights[1, 3:] == 0)
    torch.testing.assert_close(weights.sum(dim=1), torch.ones(2))


def test_forward_under_cpu_bf16_autocast() -> None:
    model = tiny()
    x = torch.randn(2, 6, 12)
    with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16):
        logits = model(x, torch.tensor([6, 2]))
        plain = model(x)
    assert logits.shape == (2, 4) and torch.isfinite(logits.float()).all() and torch.isfinite(plain.float()).all()
    torch.testing.assert_close(logits.float(), model(x, torch.tensor([6, 2])), atol=0.1, rtol=0.1)


def test_baseline_padding_invariant_and_shape() -> None:
    torch.manual_seed(0)
    model = MeanPoolBaseline(feature_dim=12, hidden_dim=8, num_classes=4).eval()
    mixed, alone = padded_vs_alone(model)
    torch.testing.assert_close(mixed, alone)


@pytest.mark.parametrize("mask_padding", [True, False])
def test_unpadded_batch_shortcut_equals_packed_path(mask_padding: bool) -> None:
    """Lengths that are all T skip packing (fused LSTM kernel); results must equal the packed path."""
    torch.manual_seed(0)
    model = SuperEnhancedTemporalModel(
        feature_dim=12, hidden_dim=16, num_lstm_layers=2, num_attention_heads=2, mask_padding=mask_padding
    ).eval()
    x = torch.randn(3, 7, 12)
    with torch.no_grad():
        # Row 0 is full length; the shorter rows force the packed path for the whole batch.
        packed = model(x, torch.tensor([7, 5, 3]))[0]
        shortcut = model(x[:1], torch.tensor([7]))[0]
        unpacked = model(x[:1])[0]
    torch.testing.assert_close(shortcut, unpacked)
    torch.testing.assert_close(packed, shortcut, rtol=1e-5, atol=1e-5)
