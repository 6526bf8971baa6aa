"""The web app's classification core: one ensemble, loaded once, shared by every request.

Everything model-related is delegated to the predict core that ``predict.py`` uses
(:class:`vidcls.inference.VideoPredictor`: ensemble × TTA, attention) and to
:class:`vidcls.extraction.FeatureExtractor` (rebuilt from the checkpoints' provenance). This module
only adds what a server needs on top: locks (concurrent requests never run a model at the same
time), a feature extractor built on first use, a TTA on/off switch per request, and JSON results.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from vidcls.errors import VidclsError
from vidcls.inference import Ensemble, VideoPrediction, VideoPredictor, extraction_provenance
from vidcls.web.catalog import VideoEntry

ProgressFn = Callable[[float, str], None]


def _noop(_fraction: float, _stage: str) -> None:
    return None


class LazyExtractor:
    """Builds the checkpoints' feature extractor (a CNN) on first use, so serving precomputed features
    never pays for it, and a checkpoint without extraction provenance still serves them."""

    def __init__(self, ensemble: Ensemble, device: str, batch_size: int) -> None:
        self._ensemble, self._device, self._batch_size = ensemble, device, batch_size
        self._extractor: Any = None
        self._lock = threading.Lock()

    @property
    def loaded(self) -> bool:
        return self._extractor is not None

    def get(self) -> Any:
        with self._lock:
            if self._extractor is None:
                from vidcls.extraction import FeatureExtractor

                provenance = extraction_provenance(self._ensemble)
                self._extractor = FeatureExtractor.from_provenance(
                    provenance, device=self._device, batch_size=self._batch_size
                )
            return self._extractor

    def extract(self, path: str | os.PathLike[str], progress: Callable[[float], None] | None = None) -> Any:
        return self.get().extract(path, progress=progress)


class ClassifierService:
    """Classify a feature sequence or a video file with a loaded ensemble, TTA on or off per request.

    ``tta_views`` are the views used when a request turns TTA on (``conf/tta/<mode>.yaml``); with TTA
    off only the original sequence is scored.
    """

    def __init__(
        self,
        ensemble: Ensemble,
        tta_views: Sequence[str],
        device: str = "cpu",
        extractor_batch_size: int = 24,
        extractor: Any = None,
    ) -> None:
        self.ensemble = ensemble
        self.device = device
        self.extractor = extractor if extractor is not None else LazyExtractor(ensemble, device, extractor_batch_size)
        self._predictors = {
            True: VideoPredictor(ensemble, self.extractor, tta=list(tta_views), return_attention=True),
            False: VideoPredictor(ensemble, self.extractor, tta=None, return_attention=True),
        }
        self.tta_views = self._predictors[True].views
        self._predict_lock = threading.Lock()
        self._extract_lock = threading.Lock()

    @property
    def class_names(self) -> list[str]:
        return self.ensemble.class_names

    def describe(self) -> dict[str, Any]:
        return {
            "class_names": self.class_names,
            "feature_dim": int(self.ensemble.feature_dim),
            "members": self.ensemble.names,
            "provenance": self.ensemble.provenance,
            "device": self.device,
            "tta_views": self.tta_views,
            "extractor_loaded": bool(getattr(self.extractor, "loaded", True)),
        }

    def predict_features(
        self, features: np.ndarray, tta: bool, name: str = "", timestamps_s: np.ndarray | None = None
    ) -> VideoPrediction:
        """Ensemble (× TTA) prediction for one ``[t, D]`` sequence; the lock keeps model forwards serial."""
        with self._predict_lock:
            return self._predictors[bool(tta)].predict_features(features, path=name, timestamps_s=timestamps_s)

    def classify_entry(self, entry: VideoEntry, features: np.ndarray, tta: bool) -> dict[str, Any]:
        """Instant path: a dataset video with precomputed features."""
        start = time.perf_counter()
        prediction = self.predict_features(features, tta, name=entry.id)
        return self.result_json(
            prediction, video=entry.to_json(), ground_truth=entry.label, tta=tta, source="features", start=start
        )

    def classify_file(
        self,
        path: Path,
        video: dict[str, Any],
        tta: bool,
        ground_truth: str | None = None,
        progress: ProgressFn = _noop,
    ) -> dict[str, Any]:
        """Slow path: extract features on the fly (reporting the extractor's real progress), then classify."""
        start = time.perf_counter()
        shown = str(video.get("name") or "the video")
        progress(0.01, "loading the feature extractor" if not getattr(self.extractor, "loaded", True) else "queued")
        try:
            with self._extract_lock:
                progress(0.02, "decoding and extracting features")
                extracted = self.extractor.extract(
                    path, progress=lambda f: progress(0.02 + 0.93 * float(f), "decoding and extracting features")
                )
        except VidclsError as err:
            raise VidclsError(str(err).replace(str(path), shown)) from None
        progress(0.96, "classifying")
        prediction = self.predict_features(extracted.features, tta, name=shown, timestamps_s=extracted.timestamps_s)
        prediction.duration_s = float(extracted.duration_s)
        return self.result_json(
            prediction, video=video, ground_truth=ground_truth, tta=tta, source="extracted", start=start
        )

    def result_json(
        self,
        prediction: VideoPrediction,
        *,
        video: dict[str, Any],
        ground_truth: str | None,
        tta: bool,
        source: str,
        start: float,
    ) -> dict[str, Any]:
        """The one result shape the page and scripts read (documented in docs/web.md)."""
        names = prediction.class_names
        probs = [float(p) for p in prediction.probs]
        members = []
        for member_name, member_probs in prediction.member_probs.items():
            p = [float(v) for v in member_probs]
            vote = int(np.argmax(p))
            members.append({"name": member_name, "predicted": names[vote], "confidence": p[vote], "probabilities": p})
        attention = None
        if prediction.attention is not None:
            times = prediction.timestamps_s
            attention = {
                "weights": [float(a) for a in prediction.attention],
                "timestamps_s": None if times is None else [float(t) for t in times],
            }
        known = ground_truth if ground_truth in names else None
        return {
            "video": video,
            "source": source,
            "tta": bool(tta),
            "tta_views": self._predictors[bool(tta)].views,
            "class_names": names,
            "probabilities": probs,
            "predicted": prediction.predicted,
            "confidence": prediction.confidence,
            "members": members,
            "ground_truth": ground_truth,
            "correct": None if known is None else prediction.predicted == known,
            "attention": attention,
            "num_frames": prediction.num_frames,
            "duration_s": prediction.duration_s,
            "elapsed_s": round(time.perf_counter() - start, 4),
        }
