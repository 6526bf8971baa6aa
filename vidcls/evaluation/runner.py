"""The eval task's building blocks (:mod:`vidcls.tasks.evaluate` composes them; cv.py reuses them).

Predicting a split in every TTA mode, member selection on val, per-model scores with paired
bootstrap CIs, comparisons, and the report's files, tables and TensorBoard events.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from rich.console import Console
from rich.table import Table
from torch.utils.data import DataLoader

from vidcls.errors import VidclsError
from vidcls.evaluation import plots
from vidcls.evaluation.metrics import (
    Calibration,
    bootstrap_ci,
    calibration,
    classification_metrics,
    ece_if_calibrated,
    nll,
)
from vidcls.inference import Ensemble
from vidcls.inference.shares import mean_over_members
from vidcls.utils.figures import confusion_figure
from vidcls.utils.io import atomic_write_text
from vidcls.utils.progress import progress_bar

ENSEMBLE = "ensemble"
NO_TTA = "no_tta"
TTA = "tta"


def model_probabilities(ensemble: Ensemble, member_probs: np.ndarray) -> dict[str, np.ndarray]:
    """Ensemble first (the members' mean, weighted by their shares), then each member, each ``[N, C]``."""
    out = {ENSEMBLE: mean_over_members(member_probs, ensemble.weights)}
    out.update({name: member_probs[i] for i, name in enumerate(ensemble.names)})
    return out


def tta_modes(views: Sequence[str]) -> dict[str, list[str]]:
    """Always the plain forward pass; the TTA mode too when it is more than the original view."""
    modes = {NO_TTA: ["original"]}
    if list(views) != ["original"]:
        modes[TTA] = list(views)
    return modes


def predict_split(
    ensemble: Ensemble,
    loader: DataLoader,
    modes: dict[str, list[str]],
    description: str,
    console: Console | None = None,
    raw_out: dict[str, np.ndarray] | None = None,
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Run every mode over a loader of ``(x, lengths, y)`` batches → ``(labels [N], {mode: [M, N, C]})``.

    ``raw_out``, if given, receives the same without the members' temperatures (for before/after reports).
    """
    console = console or Console(stderr=True)
    labels: list[np.ndarray] = []
    chunks: dict[str, list[np.ndarray]] = {mode: [] for mode in modes}
    raw_chunks: dict[str, list[np.ndarray]] = {mode: [] for mode in modes}
    with progress_bar("videos", console) as progress:
        task = progress.add_task(description, total=len(loader.dataset))
        for x, lengths, y in loader:
            for mode, views in modes.items():
                out = ensemble.predict(x, lengths, tta=views)
                chunks[mode].append(out.member_probs.numpy())
                raw = out.raw_member_probs if out.raw_member_probs is not None else out.member_probs
                raw_chunks[mode].append(raw.numpy())
            labels.append(y.numpy())
            progress.advance(task, len(y))
    if raw_out is not None:
        raw_out.update({mode: np.concatenate(c, axis=1) for mode, c in raw_chunks.items()})
    return np.concatenate(labels), {mode: np.concatenate(c, axis=1) for mode, c in chunks.items()}


def temperature_report(
    ensemble: Ensemble, labels: np.ndarray, member_probs: np.ndarray, raw_member_probs: np.ndarray, bins: int
) -> dict[str, Any]:
    """The ensemble's accuracy, ECE and NLL without and with the members' fitted temperatures."""

    def numbers(probs: np.ndarray) -> dict[str, float]:
        return {
            "accuracy": float((probs.argmax(axis=1) == labels).mean()),
            "ece": calibration(probs, labels, bins).ece,
            "nll": nll(probs, labels),
            "mean_confidence": float(probs.max(axis=1).mean()),
        }

    return {
        "members": ensemble.temperatures,
        "before": numbers(mean_over_members(raw_member_probs, ensemble.weights)),
        "after": numbers(mean_over_members(member_probs, ensemble.weights)),
    }


def select_members(
    ensemble: Ensemble,
    val_member_probs: np.ndarray,
    val_labels: np.ndarray,
    top_k: int | None,
    min_accuracy: float | None,
) -> tuple[list[str], dict[str, float]]:
    """Members to keep, ranked by validation accuracy: the best ``top_k`` and/or those ≥ ``min_accuracy``."""
    accuracies = {
        name: float((val_member_probs[i].argmax(axis=1) == val_labels).mean()) for i, name in enumerate(ensemble.names)
    }
    ranked = sorted(ensemble.names, key=lambda n: (-accuracies[n], ensemble.names.index(n)))
    if min_accuracy is not None:
        ranked = [n for n in ranked if accuracies[n] >= float(min_accuracy)]
    if top_k is not None:
        if int(top_k) < 1:
            raise VidclsError(f"select_members must be >= 1, got {top_k}.")
        ranked = ranked[: int(top_k)]
    if not ranked:
        raise VidclsError(
            f"no member reaches select_min_val_accuracy={min_accuracy} (validation accuracies: "
            f"{ {n: round(a, 4) for n, a in accuracies.items()} }). Lower the threshold."
        )
    keep = [n for n in ensemble.names if n in set(ranked)]
    return keep, accuracies


def score(
    probs: np.ndarray,
    labels: np.ndarray,
    class_names: Sequence[str],
    boot: np.ndarray,
    confidence: float,
    calibration_bins: int,
) -> tuple[dict[str, Any], Calibration]:
    """All per-model numbers for one mode; ``boot`` are shared resample indices (paired CIs)."""
    predicted = probs.argmax(axis=1)
    metrics = classification_metrics(labels, predicted, len(class_names))
    correct = (predicted == labels).astype(np.float64)
    cal = calibration(probs, labels, calibration_bins)
    out = metrics.to_dict()
    out["accuracy_ci"] = list(bootstrap_ci(correct, boot, confidence))
    out["ece"] = cal.ece
    out["ece_if_calibrated"] = ece_if_calibrated(probs, labels, calibration_bins)
    out["per_class"] = {
        name: {"precision": p, "recall": r, "f1": f, "support": s}
        for name, p, r, f, s in zip(
            class_names, metrics.precision, metrics.recall, metrics.f1, metrics.support, strict=True
        )
    }
    return out, cal


def paired_difference(
    correct_a: np.ndarray, correct_b: np.ndarray, boot: np.ndarray, confidence: float
) -> dict[str, Any]:
    """Accuracy difference a − b with a paired bootstrap CI: if it spans 0, the gap may be noise."""
    diff = correct_a.astype(np.float64) - correct_b.astype(np.float64)
    low, high = bootstrap_ci(diff, boot, confidence)
    return {"difference": float(diff.mean()), "ci": [low, high], "significant": bool(low > 0 or high < 0)}


def predictions_csv(
    video_paths: Sequence[str],
    labels: np.ndarray,
    class_names: Sequence[str],
    probs_by_mode: dict[str, dict[str, np.ndarray]],
    headline_mode: str,
) -> str:
    """One row per video: path, label, the ensemble's headline prediction and probabilities, then every
    model × mode as ``<model>/<mode>/predicted`` and ``<model>/<mode>/p_<class>``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    header = ["video_path", "label", "predicted", *[f"p_{c}" for c in class_names]]
    columns: list[tuple[str, str]] = [(m, mode) for mode, by_model in probs_by_mode.items() for m in by_model]
    for model, mode in columns:
        header += [f"{model}/{mode}/predicted", *[f"{model}/{mode}/p_{c}" for c in class_names]]
    writer.writerow(header)
    headline = probs_by_mode[headline_mode][ENSEMBLE]
    for i, path in enumerate(video_paths):
        row: list[Any] = [path, class_names[labels[i]], class_names[int(headline[i].argmax())]]
        row += [f"{p:.6f}" for p in headline[i]]
        for model, mode in columns:
            probs = probs_by_mode[mode][model][i]
            row += [class_names[int(probs.argmax())], *[f"{p:.6f}" for p in probs]]
        writer.writerow(row)
    return buffer.getvalue()


def results_table(results: dict[str, dict[str, dict[str, Any]]], confidence: float, title: str) -> Table:
    table = Table(title=title, show_lines=False)
    for column, justify in (("model", "left"), ("TTA", "left"), ("accuracy", "right"),
                            (f"{confidence:.0%} CI", "right"), ("macro F1", "right"),
                            ("weighted F1", "right"), ("ECE", "right")):  # fmt: skip
        table.add_column(column, justify=justify)  # type: ignore[arg-type]
    for model, by_mode in results.items():
        for mode, r in by_mode.items():
            lo, hi = r["accuracy_ci"]
            style = "bold" if model == ENSEMBLE else None
            table.add_row(
                model, mode, f"{r['accuracy']:.2%}", f"{lo:.1%}–{hi:.1%}", f"{r['macro_f1']:.4f}",
                f"{r['weighted_f1']:.4f}", f"{r['ece']:.4f}", style=style,
            )  # fmt: skip
    return table


def per_class_table(result: dict[str, Any], title: str) -> Table:
    table = Table(title=title)
    for column in ("class", "precision", "recall", "F1", "support"):
        table.add_column(column, justify="left" if column == "class" else "right")
    for name, r in result["per_class"].items():
        table.add_row(name, f"{r['precision']:.4f}", f"{r['recall']:.4f}", f"{r['f1']:.4f}", str(r["support"]))
    return table


def _markdown_table(results: dict[str, dict[str, dict[str, Any]]]) -> str:
    lines = ["| model | TTA | accuracy | CI | macro F1 | weighted F1 | ECE |", "|---|---|---|---|---|---|---|"]
    for model, by_mode in results.items():
        for mode, r in by_mode.items():
            lo, hi = r["accuracy_ci"]
            lines.append(
                f"| {model} | {mode} | {r['accuracy']:.4f} | [{lo:.4f}, {hi:.4f}] | {r['macro_f1']:.4f} | "
                f"{r['weighted_f1']:.4f} | {r['ece']:.4f} |"
            )
    return "\n".join(lines)


def write_outputs(
    out_dir: Path,
    report: dict[str, Any],
    calibrations: dict[str, dict[str, Calibration]],
    video_paths: Sequence[str],
    labels: np.ndarray,
    probs_by_mode: dict[str, dict[str, np.ndarray]],
    headline_mode: str,
    class_names: Sequence[str],
) -> None:
    atomic_write_text(out_dir / "eval_metrics.json", json.dumps(report, indent=2))
    atomic_write_text(
        out_dir / "predictions.csv", predictions_csv(video_paths, labels, class_names, probs_by_mode, headline_mode)
    )
    results = report["results"][ENSEMBLE]
    for mode, result in results.items():
        fig = confusion_figure(
            result["confusion_matrix"], class_names,
            f"ensemble, {mode}: accuracy {result['accuracy']:.2%} ({report['split']}, n={report['num_videos']})",
        )  # fmt: skip
        plots.save_figure(fig, out_dir / f"confusion_matrix_{mode}.png")
        plots.close(fig)
    fig = plots.reliability_figure(
        {f"ensemble {mode}": cal for mode, cal in calibrations[ENSEMBLE].items()},
        f"Reliability, {report['split']} (n={report['num_videos']})",
    )
    plots.save_figure(fig, out_dir / "reliability.png")
    plots.close(fig)


def log_tensorboard(
    log_dir: Path,
    report: dict[str, Any],
    calibrations: dict[str, dict[str, Calibration]],
    class_names: Sequence[str],
    headline_mode: str,
) -> None:
    from torch.utils.tensorboard import SummaryWriter

    split = report["split"]
    writer = SummaryWriter(log_dir=str(log_dir))
    try:
        for model, by_mode in report["results"].items():
            for mode, r in by_mode.items():
                prefix = f"eval_{split}/{model}/{mode}"
                for key in ("accuracy", "macro_f1", "weighted_f1", "ece"):
                    writer.add_scalar(f"{prefix}/{key}", r[key], 0)
                writer.add_scalar(f"{prefix}/accuracy_ci_low", r["accuracy_ci"][0], 0)
                writer.add_scalar(f"{prefix}/accuracy_ci_high", r["accuracy_ci"][1], 0)
                for name, pc in r["per_class"].items():
                    writer.add_scalar(f"{prefix}/f1/{name}", pc["f1"], 0)
        writer.add_text(f"eval_{split}/results", _markdown_table(report["results"]), 0)
        ensemble = report["results"][ENSEMBLE]
        for mode, r in ensemble.items():
            fig = confusion_figure(r["confusion_matrix"], class_names, f"ensemble, {mode}")
            writer.add_figure(f"eval_{split}/confusion_matrix/{mode}", fig, 0, close=True)
        fig = plots.reliability_figure({f"ensemble {m}": c for m, c in calibrations[ENSEMBLE].items()})
        writer.add_figure(f"eval_{split}/reliability", fig, 0, close=True)
    finally:
        writer.close()
