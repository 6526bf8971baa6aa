"""Metrics, bootstrap confidence intervals, calibration, report figures and the eval.py runner."""

from vidcls.evaluation.metrics import (
    Calibration,
    ClassificationMetrics,
    bootstrap_ci,
    bootstrap_indices,
    calibration,
    classification_metrics,
    confusion_matrix,
)

__all__ = [
    "Calibration",
    "ClassificationMetrics",
    "bootstrap_ci",
    "bootstrap_indices",
    "calibration",
    "classification_metrics",
    "confusion_matrix",
]
