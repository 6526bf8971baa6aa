"""VideoClassifier: the LightningModule that trains a temporal model on feature batches.

Checkpoint contract (others load these without our config files)::

    ckpt["hyper_parameters"] = {
        "net": {"_target_": "vidcls.modules.SuperEnhancedTemporalModel", <every constructor kwarg>},
        "class_names": [...], "feature_dim": D, "provenance": {...HDF5 provenance attrs...},
        "loss": {...}, "optimizer": {...}, "scheduler": {...} | None, "class_counts": [...] | None,
        "ensemble_share": float | None,  # the member's fraction of an ensemble's probability (null: equal)
    }
    ckpt["state_dict"]: the network's weights under ``net.`` (plus the loss's ``criterion.alpha``).

Every hyper-parameter is plain Python (no OmegaConf, no tensors), so
``torch.load(path, weights_only=True)`` reads the checkpoint.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Mapping, Sequence
from typing import Any

import lightning as L
import torch
from torch import nn
from torchmetrics import MaxMetric, MeanMetric
from torchmetrics.classification import MulticlassAccuracy, MulticlassConfusionMatrix, MulticlassF1Score

from vidcls.errors import VidclsError
from vidcls.modules.losses import FocalLoss, class_weights_from_labels
from vidcls.utils.config import import_class, to_plain
from vidcls.utils.rng import collect_rng_states, restore_rng_states

#: Keys of a ``conf/model/*.yaml`` that are not the network's constructor arguments: how it trains, and its
#: share of an ensemble's probability (``ensemble_share``, read by :class:`vidcls.inference.ensemble.Ensemble`).
TRAINING_KEYS: tuple[str, ...] = ("loss", "optimizer", "scheduler", "ensemble_share")
STAGES: tuple[str, ...] = ("train", "val", "test")


def import_target(target: str) -> type:
    """The class ``package.module.Name`` names (:func:`import_class`); a typo becomes a :class:`VidclsError`.

    Something that exists but is not a class raises ``ValueError`` (callers say what they expected).
    """
    try:
        return import_class(target)
    except (ImportError, AttributeError):
        raise VidclsError(
            f"cannot import '{target}'. Check the `_target_` in the model config or checkpoint "
            "(e.g. vidcls.modules.SuperEnhancedTemporalModel)."
        ) from None


def resolve_net_config(net_cfg: Mapping[str, Any]) -> dict[str, Any]:
    """Fill every constructor default into ``net_cfg`` so a checkpoint never depends on code defaults."""
    net_cfg = to_plain(dict(net_cfg))
    if "_target_" not in net_cfg:
        raise VidclsError("the network config has no `_target_` naming the model class.")
    try:
        cls: Any = import_target(net_cfg["_target_"])
    except ValueError:  # it exists but is not a class
        cls = None
    if not (inspect.isclass(cls) and issubclass(cls, nn.Module)):
        raise VidclsError(f"`_target_: {net_cfg['_target_']}` is not a torch.nn.Module class.")
    params = inspect.signature(cls.__init__).parameters
    unknown = sorted(set(net_cfg) - {"_target_"} - set(params))
    if unknown:
        raise VidclsError(
            f"{cls.__name__} has no argument(s) {unknown}. Valid: {sorted(p for p in params if p != 'self')}."
        )
    resolved = {"_target_": net_cfg["_target_"]}
    for name, param in params.items():
        if name == "self" or param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            continue
        if name in net_cfg:
            resolved[name] = net_cfg[name]
        elif param.default is not inspect.Parameter.empty:
            resolved[name] = param.default
    return resolved


def build_net(net_cfg: Mapping[str, Any]) -> nn.Module:
    """Instantiate a network from a checkpoint's ``hyper_parameters["net"]`` (``_target_`` + kwargs)."""
    resolved = resolve_net_config(net_cfg)
    cls = import_target(resolved.pop("_target_"))
    return cls(**resolved)


def split_model_config(model_cfg: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """A flat ``conf/model`` entry → (network constructor config, training config)."""
    plain = to_plain(model_cfg)
    net_cfg = {k: v for k, v in plain.items() if k not in TRAINING_KEYS}
    training = {k: plain.get(k) for k in TRAINING_KEYS}
    return net_cfg, training


def resolve_alpha(spec: Any, class_counts: Sequence[int] | None, num_classes: int) -> list[float] | None:
    """The focal loss's per-class weights from ``loss.alpha``: ``auto`` | list | ``none``/null."""
    if spec is None or (isinstance(spec, str) and spec.lower() in ("none", "null", "off")):
        return None
    if isinstance(spec, str):
        if spec.lower() != "auto":
            raise VidclsError(
                f"model.loss.alpha must be 'auto', a list of {num_classes} weights or null; got {spec!r}."
            )
        if class_counts is None:
            raise VidclsError("model.loss.alpha=auto needs the training set's class counts.")
        counts = torch.as_tensor(class_counts, dtype=torch.long)
        labels = torch.repeat_interleave(torch.arange(len(counts)), counts)
        return class_weights_from_labels(labels, num_classes).tolist()
    weights = [float(w) for w in spec]
    if len(weights) != num_classes:
        raise VidclsError(f"model.loss.alpha has {len(weights)} weights but the data has {num_classes} classes.")
    return weights


def check_ensemble_share(value: Any, setting: str) -> float | None:
    """``ensemble_share``: null (an equal part of what shares leave) or a number in (0, 1]."""
    if value is None:
        return None
    try:
        share = float(value)
    except (TypeError, ValueError):
        share = math.nan
    if not 0.0 < share <= 1.0:
        raise VidclsError(f"{setting}={value!r}: an ensemble share is null or a number in (0, 1].")
    return share


def _key(stage: str) -> str:
    """ModuleDict key for a stage ("train" itself would clash with ``nn.Module.train``)."""
    return f"{stage}_split"


class VideoClassifier(L.LightningModule):
    """Temporal model + focal loss + AdamW/cosine-restarts + torchmetrics, checkpointed self-contained."""

    def __init__(
        self,
        net: Mapping[str, Any],
        class_names: Sequence[str],
        feature_dim: int,
        loss: Mapping[str, Any],
        optimizer: Mapping[str, Any],
        scheduler: Mapping[str, Any] | None = None,
        provenance: Mapping[str, Any] | None = None,
        class_counts: Sequence[int] | None = None,
        ensemble_share: float | None = None,
    ) -> None:
        super().__init__()
        class_names = [str(c) for c in to_plain(class_names)]
        feature_dim = int(feature_dim)
        net_cfg = dict(to_plain(net))
        for key, value in (("feature_dim", feature_dim), ("num_classes", len(class_names))):
            if net_cfg.get(key) is not None and int(net_cfg[key]) != value:
                raise VidclsError(
                    f"model {key}={net_cfg[key]} but the data has {key}={value}; drop model.{key} "
                    "(it is taken from the feature files)."
                )
            net_cfg[key] = value
        net_cfg = resolve_net_config(net_cfg)
        loss = dict(to_plain(loss))
        ensemble_share = check_ensemble_share(ensemble_share, "model.ensemble_share")
        alpha = resolve_alpha(loss.get("alpha"), class_counts, len(class_names))
        # logger=False: train.py logs hparams once, at the end, together with the final metrics.
        self.save_hyperparameters(
            {
                "net": net_cfg,
                "class_names": class_names,
                "feature_dim": feature_dim,
                "provenance": to_plain(dict(provenance or {})),
                "loss": loss,
                "optimizer": to_plain(dict(optimizer)),
                "scheduler": None if scheduler is None else to_plain(dict(scheduler)),
                "class_counts": None if class_counts is None else [int(c) for c in to_plain(class_counts)],
                "alpha": alpha,
                "ensemble_share": ensemble_share,
            },
            logger=False,
        )
        self.class_names = class_names
        self.net = build_net(net_cfg)
        self.criterion = FocalLoss(
            gamma=float(loss["gamma"]), label_smoothing=float(loss["label_smoothing"]), alpha=alpha
        )
        num_classes = len(class_names)
        self.metrics = nn.ModuleDict(
            {
                _key(stage): nn.ModuleDict(
                    {
                        "acc": MulticlassAccuracy(num_classes, average="micro"),
                        "f1_macro": MulticlassF1Score(num_classes, average="macro"),
                        "f1_weighted": MulticlassF1Score(num_classes, average="weighted"),
                        "f1_per_class": MulticlassF1Score(num_classes, average=None),
                        "confusion": MulticlassConfusionMatrix(num_classes),
                    }
                )
                for stage in STAGES
            }
        )
        self.losses = nn.ModuleDict({_key(stage): MeanMetric() for stage in STAGES})
        self.val_acc_best = MaxMetric()
        #: The last computed confusion matrix per stage (list of rows), for callbacks and metrics.json.
        self.confusion: dict[str, list[list[int]]] = {}
        #: Generator states and best val/acc read from a checkpoint, put back when training resumes
        #: (:meth:`on_train_start`); ``val_acc_best`` is no weight, so Lightning does not restore it.
        self._resumed_rng_states: dict[str, Any] | None = None
        self._resumed_val_acc_best: float | None = None

    @classmethod
    def from_model_config(
        cls,
        model_cfg: Mapping[str, Any],
        class_names: Sequence[str],
        feature_dim: int,
        provenance: Mapping[str, Any] | None = None,
        class_counts: Sequence[int] | None = None,
    ) -> VideoClassifier:
        """Build from a flat ``conf/model/*.yaml`` entry plus facts taken from the data."""
        net_cfg, training = split_model_config(model_cfg)
        if training["loss"] is None or training["optimizer"] is None:
            raise VidclsError("the model config needs `loss` and `optimizer` sections (see conf/model/).")
        return cls(
            net=net_cfg,
            class_names=class_names,
            feature_dim=feature_dim,
            loss=training["loss"],
            optimizer=training["optimizer"],
            scheduler=training["scheduler"],
            provenance=provenance,
            class_counts=class_counts,
            ensemble_share=training["ensemble_share"],
        )

    def forward(self, x: torch.Tensor, lengths: torch.Tensor | None = None) -> torch.Tensor:
        return self.net(x, lengths)

    # ------------------------------------------------------------------ steps
    def _step(self, batch: tuple[torch.Tensor, torch.Tensor, torch.Tensor], stage: str) -> torch.Tensor:
        x, lengths, y = batch
        logits = self.net(x, lengths)
        loss = self.criterion(logits, y)
        if stage == "train":  # the objective the optimizer minimises (LinearProbe's L2 term; 0 for the others)
            loss = loss + self.net.penalty()
        preds = logits.detach().argmax(dim=1)
        for metric in self.metrics[_key(stage)].values():
            metric.update(preds, y)
        self.losses[_key(stage)].update(loss.detach(), weight=y.shape[0])
        return loss

    def training_step(self, batch: Any, batch_idx: int) -> torch.Tensor:
        loss = self._step(batch, "train")
        self.log("train/loss_step", loss, on_step=True, on_epoch=False, prog_bar=True, batch_size=batch[2].shape[0])
        return loss

    def validation_step(self, batch: Any, batch_idx: int) -> None:
        self._step(batch, "val")

    def test_step(self, batch: Any, batch_idx: int) -> None:
        self._step(batch, "test")

    def _log_epoch(self, stage: str) -> dict[str, float]:
        """Compute (synced across processes by torchmetrics), log and reset one stage's metrics."""
        metrics = self.metrics[_key(stage)]
        values = {
            f"{stage}/loss": self.losses[_key(stage)].compute(),
            f"{stage}/acc": metrics["acc"].compute(),
            f"{stage}/f1_macro": metrics["f1_macro"].compute(),
            f"{stage}/f1_weighted": metrics["f1_weighted"].compute(),
        }
        for name, value in zip(self.class_names, metrics["f1_per_class"].compute(), strict=True):
            values[f"{stage}/f1/{name.replace('/', '_')}"] = value
        self.confusion[stage] = metrics["confusion"].compute().cpu().tolist()
        acc = values.pop(f"{stage}/acc")
        self.log(f"{stage}/acc", acc, prog_bar=True)
        self.log_dict(values)
        values[f"{stage}/acc"] = acc
        for metric in metrics.values():
            metric.reset()
        self.losses[_key(stage)].reset()
        return {k: float(v) for k, v in values.items()}

    def on_fit_start(self) -> None:
        """Networks with fitted input statistics (LinearProbe) get them from every training row, unaugmented."""
        if not hasattr(self.net, "fit_standardisation") or self.net.is_standardised:
            return  # nothing to fit, or restored from a checkpoint
        datamodule = getattr(self.trainer, "datamodule", None)
        if datamodule is None or not hasattr(datamodule, "check_split"):
            raise VidclsError(
                f"{type(self.net).__name__} fits its standardisation on the training split and needs the "
                "FeatureDataModule (data=features) to read it."
            )
        from vidcls.datamodules.features import feature_loader  # the datamodule package imports this one

        pooled = []
        with torch.no_grad():
            for x, lengths, _ in feature_loader(datamodule.check_split("train"), batch_size=256):
                pooled.append(self.net.pool(x.to(self.device), lengths.to(self.device)))
        self.net.fit_standardisation(torch.cat(pooled))

    def on_train_start(self) -> None:
        # The sanity check's validation pass must not count as the best epoch.
        self.val_acc_best.reset()
        if self._resumed_val_acc_best is not None:  # the epochs before the resume count too
            self.val_acc_best.update(torch.tensor(self._resumed_val_acc_best, device=self.device))
            self._resumed_val_acc_best = None
        if self._resumed_rng_states is not None:
            # Resuming: dropout draws continue where the checkpointed run left off. The data stream
            # replays by itself (EpochSampler), and making its iterators draws nothing from these.
            restore_rng_states(self._resumed_rng_states)
            self._resumed_rng_states = None

    def on_save_checkpoint(self, checkpoint: dict[str, Any]) -> None:
        checkpoint["rng_states"] = collect_rng_states()
        if self.val_acc_best.update_called:
            checkpoint["val_acc_best"] = float(self.val_acc_best.compute())

    def on_load_checkpoint(self, checkpoint: dict[str, Any]) -> None:
        self._resumed_rng_states = checkpoint.get("rng_states")
        self._resumed_val_acc_best = checkpoint.get("val_acc_best")

    def on_train_epoch_end(self) -> None:
        self._log_epoch("train")

    def on_validation_epoch_end(self) -> None:
        values = self._log_epoch("val")
        self.val_acc_best.update(torch.tensor(values["val/acc"], device=self.device))
        self.log("val/acc_best", self.val_acc_best.compute(), prog_bar=True)

    def on_test_epoch_end(self) -> None:
        self._log_epoch("test")

    def _is_logging_step(self) -> bool:
        """True when this optimizer step's on_step values reach the logger.

        Lightning has no public "will this step be logged" query; this restates its rule (write when
        ``(steps taken + 1) % log_every_n_steps == 0`` or the run stops) from public trainer state.
        ``test_grad_norm_is_computed_only_on_logged_steps`` compares it with the steps the logger
        really writes, so a change in Lightning's rule fails that test rather than dropping norms.
        """
        every = int(self.trainer.log_every_n_steps or 0)
        return every > 0 and ((self.trainer.global_step + 1) % every == 0 or self.trainer.should_stop)

    def on_before_optimizer_step(self, optimizer: torch.optim.Optimizer) -> None:
        # Gradients are already unscaled under 16-mixed here; this is the norm before clipping.
        # Only on steps that are written: a norm over every gradient is a full pass over the
        # parameters (65 M at full size), wasted on the steps the logger drops.
        if not self._is_logging_step():
            return
        grads = [p.grad for p in self.net.parameters() if p.grad is not None]
        if grads:
            total = torch.nn.utils.get_total_norm(grads, norm_type=2.0)
            self.log("train/grad_norm", total, on_step=True, on_epoch=False)

    def predict_step(self, batch: Any, batch_idx: int) -> torch.Tensor:
        x, lengths = batch[0], batch[1]
        return torch.softmax(self.net(x, lengths).float(), dim=1)

    # ------------------------------------------------------------------ optimisation
    def configure_optimizers(self) -> Any:
        opt_cfg = dict(self.hparams["optimizer"])
        optimizer = import_target(opt_cfg.pop("_target_"))(self.parameters(), **opt_cfg)
        if isinstance(optimizer, torch.optim.LBFGS):
            self._check_lbfgs_trainer()
        sched_cfg = self.hparams["scheduler"]
        if not sched_cfg:
            return optimizer
        sched_cfg = dict(sched_cfg)
        interval = sched_cfg.pop("interval", "epoch")
        if interval not in ("epoch", "step"):
            raise VidclsError(f"model.scheduler.interval must be 'epoch' or 'step', got {interval!r}.")
        scheduler = import_target(sched_cfg.pop("_target_"))(optimizer, **sched_cfg)
        return {"optimizer": optimizer, "lr_scheduler": {"scheduler": scheduler, "interval": interval}}

    def _check_lbfgs_trainer(self) -> None:
        """LBFGS's line search needs the loss's exact gradients: no clipping, no mixed precision's scaling."""
        trainer = self._trainer
        if trainer is None:
            return
        problems = []
        if trainer.gradient_clip_val:
            problems.append(f"trainer.gradient_clip_val={trainer.gradient_clip_val} (set it to null)")
        if "mixed" in str(trainer.precision):
            problems.append(f"trainer.precision={trainer.precision} (use 32-true)")
        if problems:
            raise VidclsError(
                "the LBFGS optimizer (model=linear_probe) needs exact gradients, but "
                + " and ".join(problems)
                + ". experiment=demo_probe and experiment=real_video_probe set both."
            )

    def lr_scheduler_step(self, scheduler: Any, metric: Any | None) -> None:
        """Per-step warm restarts advance by fractional epochs, so ``T_0`` always counts epochs.

        (The predecessor stepped the restarts once per batch, which made ``T_0=20`` mean 20 batches.)
        """
        per_step = (self.hparams["scheduler"] or {}).get("interval", "epoch") == "step"
        if per_step and isinstance(scheduler, torch.optim.lr_scheduler.CosineAnnealingWarmRestarts):
            steps_per_epoch = max(
                1, math.ceil(self.trainer.num_training_batches / self.trainer.accumulate_grad_batches)
            )
            scheduler.step(self.trainer.global_step / steps_per_epoch)
        elif metric is None:
            scheduler.step()
        else:
            scheduler.step(metric)
