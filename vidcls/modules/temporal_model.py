"""SuperEnhancedTemporalModel: the predecessor's temporal classifier, with padding masks added.

Submodule names, constructor arguments, defaults and initialisation follow the predecessor's specification
so that the predecessor's state_dicts load with ``strict=True``
(65,277,701 parameters at ``feature_dim=1280``).

One deliberate difference, switchable: with ``mask_padding=True`` (default) and ``lengths`` given,
padded time steps are excluded from self-attention (``key_padding_mask``) and from attention
pooling (scores set to -inf), so a sequence's logits do not depend on how much it was padded.
With ``mask_padding=False`` the forward pass is the predecessor's own (padding leaks into both).
The predecessor's CUDA-retry-after-sleep around the LSTM is not reproduced.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from vidcls.errors import VidclsError


def padding_mask(lengths: torch.Tensor, max_len: int, device: torch.device) -> torch.Tensor:
    """Boolean ``[B, max_len]`` mask, True where a step is padding (PyTorch's key_padding_mask rule)."""
    steps = torch.arange(max_len, device=device)
    return steps.unsqueeze(0) >= lengths.to(device).unsqueeze(1)


def masked_softmax_over_time(scores: torch.Tensor, mask: torch.Tensor | None) -> torch.Tensor:
    """Softmax of ``[B, T, 1]`` scores over time, padded steps given zero weight.

    Computed in float32: under fp16 autocast, -inf fill and exp of large scores are the usual
    sources of NaN.
    """
    scores = scores.float()
    if mask is not None:
        scores = scores.masked_fill(mask.unsqueeze(-1), float("-inf"))
    return F.softmax(scores, dim=1)


def masked_mean_over_time(x: torch.Tensor, lengths: torch.Tensor | None) -> tuple[torch.Tensor, torch.Tensor]:
    """Mean of ``x [B, T, D]`` over each row's valid steps, and the weights ``[B, T]`` it used (0 on padding)."""
    batch, steps, _ = x.shape
    if lengths is None:
        weights = x.new_full((batch, steps), 1.0 / steps)
    else:
        valid = ~padding_mask(lengths, steps, x.device)
        weights = valid.to(x.dtype) / lengths.to(x.device, x.dtype).clamp(min=1).unsqueeze(1)
    return (x * weights.unsqueeze(-1)).sum(dim=1), weights


class SequenceClassifier(nn.Module):
    """What every vidcls network is: features ``[B, T, D]`` (+ true lengths) → logits ``[B, C]``.

    Subclasses implement :meth:`logits_and_weights`; the pooling weights over time ``[B, T']`` are
    what ``predict.py`` plots. The sizes are kept as attributes for checkpoints and checks.
    ``learns_attention`` says whether those weights are learned (False: a fixed mean over the valid steps,
    which an ensemble's attention plot leaves out so that it is not flattened towards uniform).
    """

    learns_attention: bool = True

    def __init__(self, feature_dim: int, hidden_dim: int, num_classes: int) -> None:
        super().__init__()
        self.feature_dim = feature_dim
        self.hidden_dim = hidden_dim
        self.num_classes = num_classes

    def logits_and_weights(
        self, x: torch.Tensor, lengths: torch.Tensor | None
    ) -> tuple[torch.Tensor, torch.Tensor]:  # pragma: no cover - abstract
        raise NotImplementedError

    def penalty(self) -> torch.Tensor | float:
        """A term the training loss adds (weight penalties outside the optimizer, e.g. for LBFGS); none here."""
        return 0.0

    def forward(
        self,
        x: torch.Tensor,
        lengths: torch.Tensor | None = None,
        return_attention: bool = False,
    ) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
        """Logits ``[B, C]``; with ``return_attention`` also the pooling weights over time."""
        logits, weights = self.logits_and_weights(x, lengths)
        return (logits, weights) if return_attention else logits


class SuperEnhancedTemporalModel(SequenceClassifier):
    """Projection → BiLSTM → multi-head self-attention + residual → attention pooling → MLP."""

    def __init__(
        self,
        feature_dim: int = 2048,
        hidden_dim: int = 768,
        num_classes: int = 4,
        num_lstm_layers: int = 4,
        num_attention_heads: int = 12,
        dropout: float = 0.4,
        bidirectional: bool = True,
        mask_padding: bool = True,
    ) -> None:
        super().__init__(feature_dim, hidden_dim, num_classes)
        self.mask_padding = mask_padding

        self.input_projection = nn.Sequential(
            nn.Linear(feature_dim, hidden_dim),
            nn.LayerNorm(hidden_dim),
            nn.ReLU(),
            nn.Dropout(dropout * 0.5),
        )
        self.lstm = nn.LSTM(
            input_size=hidden_dim,
            hidden_size=hidden_dim,
            num_layers=num_lstm_layers,
            batch_first=True,
            dropout=dropout if num_lstm_layers > 1 else 0.0,
            bidirectional=bidirectional,
        )
        sequence_dim = hidden_dim * 2 if bidirectional else hidden_dim
        self.attention = nn.MultiheadAttention(
            embed_dim=sequence_dim, num_heads=num_attention_heads, dropout=dropout, batch_first=True
        )
        self.attention_norm = nn.LayerNorm(sequence_dim)
        self.attention_dropout = nn.Dropout(dropout)
        self.attention_pooling = nn.Sequential(
            nn.Linear(sequence_dim, sequence_dim // 2),
            nn.LayerNorm(sequence_dim // 2),
            nn.Tanh(),
            nn.Dropout(dropout * 0.5),
            nn.Linear(sequence_dim // 2, 1),
        )
        # The predecessor's classifier widths (768, 512, 256) are fixed, independent of hidden_dim.
        self.classifier = nn.Sequential(
            nn.Linear(sequence_dim, 768),
            nn.LayerNorm(768),
            nn.ReLU(),
            nn.Dropout(dropout),
            nn.Linear(768, 512),
            nn.LayerNorm(512),
            nn.ReLU(),
            nn.Dropout(dropout),
            nn.Linear(512, 256),
            nn.LayerNorm(256),
            nn.ReLU(),
            nn.Dropout(dropout * 0.5),
            nn.Linear(256, num_classes),
        )
        self._initialize_weights()

    def _initialize_weights(self) -> None:
        """Xavier-uniform Linear weights, zero biases, LayerNorm 1/0; LSTM keeps PyTorch's default."""
        for module in self.modules():
            if isinstance(module, nn.Linear):
                nn.init.xavier_uniform_(module.weight)
                if module.bias is not None:
                    nn.init.zeros_(module.bias)
            elif isinstance(module, nn.LayerNorm):
                nn.init.ones_(module.weight)
                nn.init.zeros_(module.bias)

    def logits_and_weights(self, x: torch.Tensor, lengths: torch.Tensor | None) -> tuple[torch.Tensor, torch.Tensor]:
        """Logits ``[B, C]`` and pooling weights ``[B, T']`` for features ``[B, T, D]``.

        ``T'`` is ``T`` without ``lengths`` and ``max(lengths)`` with them (the LSTM output is
        unpacked to the longest sequence in the batch, as in the predecessor).
        """
        x = self.input_projection(x)
        if lengths is not None and bool((lengths == x.shape[1]).all()):
            # Nothing is padded: the unpacked LSTM gives the same result and uses the fused kernel
            # (a packed batch takes PyTorch's slower step-by-step path on CPU; timings in bench/RESULTS.md).
            lengths = None
        if lengths is not None:
            lengths_cpu = lengths.detach().to("cpu", torch.int64)
            packed = nn.utils.rnn.pack_padded_sequence(x, lengths_cpu, batch_first=True, enforce_sorted=False)
            packed_out, _ = self.lstm(packed)
            sequence, _ = nn.utils.rnn.pad_packed_sequence(packed_out, batch_first=True)
        else:
            sequence, _ = self.lstm(x)

        mask = None
        if self.mask_padding and lengths is not None:
            mask = padding_mask(lengths, sequence.shape[1], sequence.device)

        attended, _ = self.attention(sequence, sequence, sequence, key_padding_mask=mask, need_weights=False)
        attended = self.attention_norm(sequence + self.attention_dropout(attended))

        weights = masked_softmax_over_time(self.attention_pooling(attended), mask).to(attended.dtype)
        pooled = (attended * weights).sum(dim=1)
        return self.classifier(pooled), weights.squeeze(-1)


class MeanPoolBaseline(SequenceClassifier):
    """Masked mean over time + MLP: the yardstick for what the temporal machinery buys."""

    learns_attention = False

    def __init__(
        self, feature_dim: int = 2048, hidden_dim: int = 512, num_classes: int = 4, dropout: float = 0.3
    ) -> None:
        super().__init__(feature_dim, hidden_dim, num_classes)
        self.classifier = nn.Sequential(
            nn.LayerNorm(feature_dim),
            nn.Linear(feature_dim, hidden_dim),
            nn.ReLU(),
            nn.Dropout(dropout),
            nn.Linear(hidden_dim, num_classes),
        )

    def logits_and_weights(self, x: torch.Tensor, lengths: torch.Tensor | None) -> tuple[torch.Tensor, torch.Tensor]:
        pooled, weights = masked_mean_over_time(x, lengths)
        return self.classifier(pooled), weights


#: How a LinearProbe summarises a clip over its valid frames: the mean, or the mean and the (population) std.
PROBE_POOLINGS = ("mean", "mean_std")


class LinearProbe(SequenceClassifier):
    """Masked pooling over time → per-feature standardisation → one linear layer, with an L2 penalty on its weights.

    The linear evaluation of a backbone's features: no temporal modelling, nothing random, so a fit is the
    same model whatever the seed (full-batch LBFGS, ``conf/model/linear_probe.yaml``). ``pooling``: the mean
    of each feature over the clip's valid frames, or that mean and the features' std over them (``mean_std``,
    twice the width: how much each feature changes through the clip, which real training video teaches and
    the synthetic demo does not; docs/results.md). The standardisation's mean and std are buffers fitted once
    on the training rows (:meth:`fit_standardisation`, called by VideoClassifier at the start of fitting) and
    saved in the checkpoint; ``l2_penalty`` multiplies the squared weights' sum in the training loss
    (:meth:`penalty`).
    """

    learns_attention = False

    def __init__(
        self, feature_dim: int = 2048, num_classes: int = 4, l2_penalty: float = 0.3, pooling: str = "mean"
    ) -> None:
        if pooling not in PROBE_POOLINGS:  # a config value: one error line, not a traceback
            raise VidclsError(f"model.pooling must be one of {', '.join(PROBE_POOLINGS)}; got {pooling!r}")
        pooled_dim = feature_dim * (2 if pooling == "mean_std" else 1)
        super().__init__(feature_dim, pooled_dim, num_classes)
        if not l2_penalty >= 0:
            raise VidclsError(f"model.l2_penalty must be a number >= 0, got {l2_penalty}")
        self.l2_penalty = float(l2_penalty)
        self.pooling = pooling
        self.register_buffer("feature_mean", torch.zeros(pooled_dim))
        self.register_buffer("feature_std", torch.ones(pooled_dim))
        # A buffer, so a checkpoint says whether its statistics were fitted (a resumed fit keeps them).
        self.register_buffer("standardised", torch.tensor(False))
        self.classifier = nn.Linear(pooled_dim, num_classes)
        nn.init.zeros_(self.classifier.weight)  # the convex problem's usual start: every class equally likely
        nn.init.zeros_(self.classifier.bias)

    @property
    def is_standardised(self) -> bool:
        return bool(self.standardised)

    @torch.no_grad()
    def fit_standardisation(self, pooled: torch.Tensor) -> None:
        """Set the mean and std from the training rows' pooled features ``[N, D]`` (population std, floored)."""
        if pooled.ndim != 2 or pooled.shape[1] != self.hidden_dim or pooled.shape[0] == 0:
            raise ValueError(f"expected pooled features [N>0, {self.hidden_dim}], got {tuple(pooled.shape)}")
        pooled = pooled.double()
        self.feature_mean.copy_(pooled.mean(dim=0))
        self.feature_std.copy_(pooled.std(dim=0, correction=0) + 1e-6)
        self.standardised.fill_(True)

    def pool(self, x: torch.Tensor, lengths: torch.Tensor | None) -> torch.Tensor:
        """The clip-level vector the linear layer reads (before standardisation)."""
        return self._pool_and_weights(x, lengths)[0]

    def _pool_and_weights(self, x: torch.Tensor, lengths: torch.Tensor | None) -> tuple[torch.Tensor, torch.Tensor]:
        mean, weights = masked_mean_over_time(x, lengths)
        if self.pooling == "mean":
            return mean, weights
        # population std over the valid steps (weights are 1/length there, 0 on padding)
        variance = ((x - mean.unsqueeze(1)).pow(2) * weights.unsqueeze(-1)).sum(dim=1)
        return torch.cat([mean, variance.clamp(min=0).sqrt()], dim=-1), weights

    def penalty(self) -> torch.Tensor:
        return self.l2_penalty * self.classifier.weight.pow(2).sum()

    def logits_and_weights(self, x: torch.Tensor, lengths: torch.Tensor | None) -> tuple[torch.Tensor, torch.Tensor]:
        pooled, weights = self._pool_and_weights(x, lengths)
        standard = (pooled - self.feature_mean.to(pooled.dtype)) / self.feature_std.to(pooled.dtype)
        return self.classifier(standard), weights
