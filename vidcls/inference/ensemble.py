"""An ensemble of checkpoints that agree on what features they read, and its TTA-averaged prediction."""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from vidcls.errors import VidclsError
from vidcls.inference.checkpoints import Member, load_member, member_names, resolve_checkpoint_paths
from vidcls.inference.shares import mean_over_members, member_weights
from vidcls.inference.tta import build_views, resolve_views
from vidcls.schema import PREDECESSOR_CLASS_NAMES, FeatureFileMeta, Provenance
from vidcls.utils.device import resolve_device

log = logging.getLogger(__name__)

#: Rows per CPU forward: every equal-length group of rows runs in forwards of up to ``ROW_BLOCK`` rows, each
#: padded with zero rows to a multiple of ``ROW_ALIGN`` (a lone row runs as 4, 5..8 rows as 8, ...), whether a
#: call holds one file (the web page, a timeline window) or many (eval.py, predict.py's stream). oneDNN/MKL
#: pick kernels by shape: a batch of 1 (GEMV) and some row counts (2 at an odd length) give other bits than
#: larger batches, while 4-, 8-, 12- and 16-row forwards give every row the same bits wherever it sits,
#: whatever its neighbours hold and on 1 or 2 threads (measured with the full-size model and tiny ones:
#: bench/diag_batch_invariance.py, bench/RESULTS.md). So a file's probabilities are the same bits alone or
#: batched, and a resumed or sharded predict.py run writes the same lines as one run. Not tunables: other
#: values change the last bits of every CPU answer. Cost, full-size model: a lone row pays a 4-row forward
#: (1.8-3.2x a batch of 1, 15 to 64 steps, 1 or 2 threads), while 16 rows in one forward cost each 0.28x
#: (15 steps) to 0.5x (64 steps) of a batch of 1.
ROW_ALIGN = 4
ROW_BLOCK = 16


@dataclass
class EnsemblePrediction:
    """``probs [N, C]`` = mean over members of (mean over views of softmax); per-view detail kept for reports."""

    probs: torch.Tensor
    member_probs: torch.Tensor  # [M, N, C], each member's mean over views
    view_probs: torch.Tensor  # [M, V, N, C]
    views: list[str]
    # [N, T]: the original view's pooling weights, averaged over the members that learn them (attention_weights)
    attention: torch.Tensor | None = None
    # [M, N, C] as member_probs but without the members' temperatures (same tensor when all are 1).
    raw_member_probs: torch.Tensor | None = None


def _num_outputs(member: Member) -> int | None:
    value = getattr(member.model, "num_classes", None)
    return int(value) if value is not None else None


class Ensemble:
    """Members that read the same features and predict the same classes, checked at construction."""

    def __init__(
        self, members: Sequence[Member], device: str | torch.device = "cpu", apply_temperature: bool = True
    ) -> None:
        if not members:
            raise VidclsError("an ensemble needs at least one checkpoint; ckpt_paths found none.")
        self.members = list(members)
        self.device = torch.device(resolve_device(device))
        # Each member's fitted temperature scales its logits (eval, predict and the web all go through here).
        self.apply_temperature = apply_temperature
        for m in self.members:  # inference only: dropout off, on the ensemble's device
            m.model.to(self.device).eval()
        dims = {m.name: m.feature_dim for m in self.members}
        if len(set(dims.values())) > 1:
            raise VidclsError(
                f"checkpoints expect different feature dims {dims}: they were trained on features from different "
                "backbones and cannot be ensembled. Pass checkpoints from one training setup."
            )
        named = [m for m in self.members if m.class_names is not None]
        for m in named[1:]:
            if m.class_names != named[0].class_names:
                raise VidclsError(
                    f"checkpoints disagree on classes: {named[0].name} has {named[0].class_names}, {m.name} has "
                    f"{m.class_names}. Ensemble only checkpoints trained on the same class set."
                )
        self._provenance = Provenance()  # what the members record, together
        for i, m in enumerate(self.members):
            self._provenance.require_compatible(
                m.provenance,
                f"checkpoints were trained on differently extracted features ({', '.join(self.names[:i])} vs {m.name})",
                "Ensemble only checkpoints trained on the same feature files.",
            )
            self._provenance = self._provenance.merged(m.provenance)
        if named:
            self._class_names = list(named[0].class_names or [])
            self.class_names_known = True
        else:
            self._class_names = list(PREDECESSOR_CLASS_NAMES)
            self.class_names_known = False
            log.warning(
                "checkpoints record no class names (predecessor format); assuming the predecessor's %s until a feature "
                "file supplies the real ones",
                self._class_names,
            )
        self._check_num_outputs(self._class_names)
        #: Each member's weight in the ensemble's mean (None: equal), from their checkpoints' ensemble shares.
        self.weights = member_weights([m.ensemble_share for m in self.members], self.names)

    def _check_num_outputs(self, class_names: Sequence[str]) -> None:
        for m in self.members:
            outputs = _num_outputs(m)
            if outputs is not None and outputs != len(class_names):
                raise VidclsError(
                    f"checkpoint {m.name} predicts {outputs} classes but the class list has {len(class_names)} "
                    f"({list(class_names)}). Use checkpoints trained on this class set."
                )

    @property
    def class_names(self) -> list[str]:
        return list(self._class_names)

    @property
    def num_classes(self) -> int:
        return len(self._class_names)

    @property
    def feature_dim(self) -> int:
        return self.members[0].feature_dim

    @property
    def provenance(self) -> dict[str, Any]:
        """How the training features were made, as a plain dict; only feature_dim for predecessor files."""
        return self._provenance.to_dict()

    @property
    def names(self) -> list[str]:
        return [m.name for m in self.members]

    def _weight_array(self) -> np.ndarray:
        """Each member's weight in the ensemble's mean, in member order (equal when no member carries a share)."""
        count = len(self.members)
        return np.full(count, 1.0 / count) if self.weights is None else np.asarray(self.weights, np.float64)

    @property
    def member_weights(self) -> dict[str, float]:
        """Each member's weight in the ensemble's mean (equal unless some carry an ``ensemble_share``)."""
        return {name: float(w) for name, w in zip(self.names, self._weight_array(), strict=True)}

    @property
    def attention_weights(self) -> np.ndarray:
        """Each member's weight in the ensemble's attention plot: its ensemble weight among the members whose
        pooling over time is learned, 0 for a fixed mean (the linear probe, the mean-pool baseline), whose
        uniform weights would only flatten the plot; equal over all members when none learns one."""
        learned = np.array([bool(getattr(m.model, "learns_attention", True)) for m in self.members])
        if not learned.any():
            return np.full(len(self.members), 1.0 / len(self.members))
        weights = np.where(learned, self._weight_array(), 0.0)
        return weights / weights.sum()

    @property
    def temperatures(self) -> dict[str, float]:
        return {m.name: m.temperature for m in self.members}

    @property
    def calibrated(self) -> bool:
        """Whether predictions differ from the raw softmax: some member carries a temperature != 1."""
        return self.apply_temperature and any(m.temperature != 1.0 for m in self.members)

    def check_feature_file(self, meta: FeatureFileMeta) -> None:
        """Refuse a feature file the members cannot read meaningfully; adopt its class names if unknown."""
        if meta.feature_dim != self.feature_dim:
            raise VidclsError(
                f"{meta.path} has {meta.feature_dim}-dim features but the checkpoints expect {self.feature_dim}: "
                "they come from different backbones. Evaluate on features extracted with the checkpoints' backbone "
                f"({self._provenance.get('backbone', 'unknown')})."
            )
        if self.class_names_known:
            if meta.class_names != self._class_names:
                raise VidclsError(
                    f"{meta.path} has classes {meta.class_names} but the checkpoints were trained on "
                    f"{self._class_names}. Evaluate on a file with the same classes in the same order."
                )
        else:
            self._check_num_outputs(meta.class_names)
            self._class_names = list(meta.class_names)
            self.class_names_known = True
        self._provenance.require_compatible(
            meta.provenance,
            f"{meta.path} was extracted differently from the checkpoints' training features",
            "Re-extract with the checkpoints' settings (see their provenance) or use matching checkpoints.",
        )

    def subset(self, names: Sequence[str]) -> Ensemble:
        keep = [m for m in self.members if m.name in set(names)]
        sub = Ensemble(keep, device=self.device, apply_temperature=self.apply_temperature)
        sub._class_names, sub.class_names_known = list(self._class_names), self.class_names_known
        return sub

    @property
    def batch_invariant(self) -> bool:
        """Whether a row's probabilities are the same bits whatever rows share its call (CPU, masked members).

        Then files may be classified together (:mod:`vidcls.inference.stream`) and still get the answer
        they get alone; on CUDA, or with an unmasked predecessor member (one padded pass), they may not.
        """
        return self.device.type == "cpu" and all(getattr(m.model, "mask_padding", True) for m in self.members)

    def _length_groups(self, lengths: torch.Tensor, num_views: int) -> list[tuple[int, torch.Tensor]] | None:
        """On CPU, ``(length, row indices)`` per view and distinct length; ``None`` (one padded pass) elsewhere.

        Views stay apart on CPU: oneDNN's fused LSTM gains little from more rows in one call and is
        erratic in between (measured by ``bench/diag_infer_grouping.py``; figures in bench/RESULTS.md).
        """
        if self.device.type != "cpu":
            return None
        values = lengths.cpu()
        view_of_row = torch.arange(len(values)) // max(1, len(values) // num_views)
        groups = []
        for view in range(num_views):
            for length in torch.unique(values[view_of_row == view]):
                rows = torch.nonzero((view_of_row == view) & (values == length)).flatten()
                groups.append((int(length), rows))
        return groups

    @staticmethod
    def _forward_block(
        model: torch.nn.Module, x: torch.Tensor, length: int, return_attention: bool
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        """Logits (and pooling weights) of up to ``ROW_BLOCK`` equal-length rows ``x [r, length, D]``, computed
        as one forward of ``r`` rounded up to a multiple of ``ROW_ALIGN``: the added rows are zeros, their
        outputs dropped."""
        real = x.shape[0]
        rows = -(-real // ROW_ALIGN) * ROW_ALIGN
        if rows > real:
            x = torch.cat([x, x.new_zeros(rows - real, *x.shape[1:])])
        out = model(x, torch.full((rows,), length, dtype=torch.int64), return_attention=return_attention)
        logits, weights = out if return_attention else (out, None)
        return logits[:real], None if weights is None else weights[:real]

    @classmethod
    def _forward(
        cls,
        model: torch.nn.Module,
        x: torch.Tensor,
        lengths: torch.Tensor,
        groups: list[tuple[int, torch.Tensor]] | None,
        return_attention: bool,
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        """Logits ``[R, C]`` (and pooling weights ``[R, T']``) of all rows, in one pass or per length group.

        Per length group (CPU), the rows go through in blocks of ``ROW_BLOCK`` padded to ``ROW_ALIGN`` (see
        there), so each row's bits depend on its own features only, never on the rows beside it or how many
        there are.
        """
        if groups is None or not getattr(model, "mask_padding", True):
            # Unmasked (predecessor) models see padding, so their answer depends on the batch:
            # keep the one padded pass they were evaluated with, on every device.
            out = model(x, lengths, return_attention=return_attention)
            return out if return_attention else (out, None)
        logits: torch.Tensor | None = None
        weights: torch.Tensor | None = None
        for length, group in groups:
            for rows in group.split(ROW_BLOCK):
                rows_dev = rows.to(x.device)
                part, part_weights = cls._forward_block(model, x[rows_dev, :length], length, return_attention)
                if logits is None:
                    logits = part.new_empty(x.shape[0], part.shape[1])
                logits[rows_dev] = part
                if part_weights is not None:
                    if weights is None:
                        weights = part_weights.new_zeros(x.shape[0], x.shape[1])
                    weights[rows_dev, :length] = part_weights
        assert logits is not None
        return logits, weights

    @torch.inference_mode()
    def predict(
        self,
        features: torch.Tensor,
        lengths: torch.Tensor,
        tta: Sequence[str] | None = None,
        return_attention: bool = False,
    ) -> EnsemblePrediction:
        """Probabilities for ``features [N, T, D]`` with valid ``lengths [N]``.

        All views of all rows are stacked into one batch per member. On CUDA that batch goes through
        in one forward pass (cuDNN runs packed sequences natively). On CPU each view's rows run as
        unpadded equal-length groups: a padded batch sends the LSTM down PyTorch's step-by-step packed
        path, measured slower than one forward per view (bench/RESULTS.md), while equal-length groups
        use the fused oneDNN kernel. With padding masked (vidcls models) both give the same
        probabilities (to float rounding); unmasked predecessor models always take the one padded pass.
        On CPU with masked members each row's probabilities are also the same bits whatever other rows
        the call holds (``ROW_BLOCK``, :attr:`batch_invariant`); on CUDA they may differ in the last bits.
        """
        views = resolve_views(tta)
        if features.ndim != 3 or features.shape[-1] != self.feature_dim:
            raise VidclsError(
                f"features of shape {tuple(features.shape)} do not match the checkpoints' feature_dim "
                f"{self.feature_dim} (expected [N, T, {self.feature_dim}])."
            )
        n, t, _ = features.shape
        x = features.to(self.device, torch.float32)
        lengths = lengths.to(torch.int64).cpu()
        x_views, view_lengths = build_views(x, lengths, views)
        num_views = len(views)
        view_probs, raw_view_probs, attentions = [], [], []
        groups = self._length_groups(view_lengths, num_views)
        for member in self.members:
            logits, weights = self._forward(member.model, x_views, view_lengths, groups, return_attention)
            raw = torch.softmax(logits.float(), dim=-1).reshape(num_views, n, -1)
            raw_view_probs.append(raw)
            if self.apply_temperature and member.temperature != 1.0:
                view_probs.append(torch.softmax(logits.float() / member.temperature, dim=-1).reshape(num_views, n, -1))
            else:
                view_probs.append(raw)
            if return_attention:
                if "original" in views:
                    start = views.index("original") * n
                    weights = weights[start : start + n]
                else:  # the original view's weights, computed as the views are (per length group on CPU)
                    _, weights = self._forward(member.model, x, lengths, self._length_groups(lengths, 1), True)
                padded = torch.zeros(n, t, dtype=torch.float32, device=weights.device)
                width = min(t, weights.shape[1])
                padded[:, :width] = weights[:, :width].float()
                attentions.append(padded)
        stacked = torch.stack(view_probs).cpu()  # [M, V, N, C]
        member_probs = stacked.mean(dim=1)
        raw_member_probs = torch.stack(raw_view_probs).cpu().mean(dim=1) if self.calibrated else member_probs
        return EnsemblePrediction(
            probs=mean_over_members(member_probs, self.weights),
            member_probs=member_probs,
            view_probs=stacked,
            views=views,
            attention=mean_over_members(torch.stack(attentions), self.attention_weights).cpu()
            if return_attention
            else None,
            raw_member_probs=raw_member_probs,
        )


def load_ensemble(
    ckpt_paths: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
    device: str | torch.device = "cpu",
    allow_unsafe_load: bool = False,
    apply_temperature: bool = True,
) -> Ensemble:
    """Load every checkpoint named by ``ckpt_paths`` (files, globs, run/multirun directories)."""
    paths = resolve_checkpoint_paths(ckpt_paths)
    device = torch.device(resolve_device(device))
    members = [
        load_member(path, name=name, device=device, allow_unsafe_load=allow_unsafe_load)
        for path, name in zip(paths, member_names(paths), strict=True)
    ]
    ensemble = Ensemble(members, device=device, apply_temperature=apply_temperature)
    log.info("loaded %d checkpoint(s): %s", len(members), ", ".join(ensemble.names))
    return ensemble
