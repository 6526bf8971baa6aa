"""The web app's classification core: one ensemble, loaded once, shared by every request.

Everything model-related is delegated to the predict core that ``predict.py`` uses
(:class:`vidcls.inference.VideoPredictor`: ensemble × TTA, attention) and to
:class:`vidcls.extraction.FeatureExtractor` (rebuilt from the checkpoints' provenance). This module
only adds what a server needs on top: locks (concurrent requests never run a model at the same
time), a feature extractor built on first use, a TTA on/off switch per request, and JSON results
that carry the thumbnails of the frames the model saw (:mod:`vidcls.inference.frames`).
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from vidcls.errors import VidclsError
from vidcls.inference import Ensemble, VideoPrediction, VideoPredictor, extraction_provenance
from vidcls.inference.frames import SampledFrames, extract_with_frames, jpeg_data_urls, sampled_frames
from vidcls.inference.timeline import extract_windows
from vidcls.web.catalog import VideoEntry

ProgressFn = Callable[[float, str], None]
#: Precomputed-feature videos whose thumbnails are kept (about 200 KB each at 64 rows x 96 px).
FRAMES_CACHE_SIZE = 32


def _noop(_fraction: float, _stage: str) -> None:
    return None


class LazyExtractor:
    """Builds the checkpoints' feature extractor (a CNN) on first use, so serving precomputed features
    never pays for it, and a checkpoint without extraction provenance still serves them."""

    def __init__(self, ensemble: Ensemble, device: str, batch_size: int, runtime: str = "auto") -> None:
        self._ensemble, self._device, self._batch_size, self._runtime = ensemble, device, batch_size, runtime
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
                    provenance, device=self._device, batch_size=self._batch_size, runtime=self._runtime
                )
            return self._extractor

    def extract(self, path: str | os.PathLike[str], progress: Callable[[float], None] | None = None) -> Any:
        return self.get().extract(path, progress=progress)

    def decode(self, path: str | os.PathLike[str], progress: Callable[[float], None] | None = None) -> Any:
        return self.get().decode(path, progress=progress)

    def encode(self, decoded: Any, progress: Callable[[float], None] | None = None) -> Any:
        return self.get().encode(decoded, progress=progress)

    def probe(self, path: str | os.PathLike[str]) -> Any:
        return self.get().probe(path)

    def decode_span(
        self, path: str | os.PathLike[str], info: Any, start_s: float, end_s: float, progress: Any, decoder: Any = None
    ) -> Any:
        return self.get().decode_span(path, info, start_s, end_s, progress, decoder=decoder)

    def window_decoder(self, path: str | os.PathLike[str]) -> Any:
        return self.get().window_decoder(path)


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
        thumbnail_px: int = 96,
        extractor_runtime: str = "auto",
        segment_s: float | None = None,
    ) -> None:
        self.extractor = (
            extractor
            if extractor is not None
            else LazyExtractor(ensemble, device, extractor_batch_size, extractor_runtime)
        )
        # One predict core per position of the page's TTA switch, sharing the ensemble and the extractor;
        # thumbnails come from frames_of/extract_with_frames here, so the cores keep none.
        views = {True: list(tta_views), False: None}
        self._predictors = {
            on: VideoPredictor(ensemble, self.extractor, tta, segment_s=segment_s) for on, tta in views.items()
        }
        self.segment_s = self._predictors[False].segment_s
        self.ensemble, self.device, self.thumbnail_px = ensemble, device, int(thumbnail_px)
        self.tta_views = self._predictors[True].views
        self._predict_lock = threading.Lock()
        self._extract_lock = threading.Lock()
        self._frames_cache: OrderedDict[tuple[str, int, int], SampledFrames] = OrderedDict()
        self._cache_lock = threading.Lock()

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

    def classify_entry(
        self, entry: VideoEntry, features: np.ndarray, tta: bool, file: Path | None = None
    ) -> dict[str, Any]:
        """Instant path: a dataset video with precomputed features (thumbnails decoded from ``file`` if given)."""
        start = time.perf_counter()
        frames, why = None, "no video file for these features under data.videos_dir"
        if file is not None:
            frames, why = self.frames_of(file, entry.name, len(features))
        times = None if frames is None else frames.timestamps_s
        prediction = self.predict_features(features, tta, name=entry.id, timestamps_s=times)
        return self.result_json(
            prediction,
            video=entry.to_json(),
            ground_truth=entry.label,
            tta=tta,
            source="features",
            start=start,
            frames=frames,
            frames_unavailable=why,
        )

    def frames_of(self, path: Path, shown: str, rows: int) -> tuple[SampledFrames | None, str | None]:
        """Row thumbnails of a video whose features were extracted earlier: the extractor's own decode
        (the same moments, no CNN), or ``(None, why)`` when they cannot be had or do not line up.

        Kept for the last :data:`FRAMES_CACHE_SIZE` files (keyed by path, size and mtime), so asking
        again (TTA on/off) stays instant."""
        try:
            stat = path.stat()
            key = (str(path), stat.st_size, stat.st_mtime_ns)
            with self._cache_lock:
                frames = self._frames_cache.get(key)
                if frames is not None:
                    self._frames_cache.move_to_end(key)
            if frames is None:
                frames = sampled_frames(self.extractor.decode(path), self.thumbnail_px)
                with self._cache_lock:
                    self._frames_cache[key] = frames
                    while len(self._frames_cache) > FRAMES_CACHE_SIZE:
                        self._frames_cache.popitem(last=False)
        except (VidclsError, OSError) as err:
            return None, "the sampled frames could not be decoded: " + str(err).replace(str(path), shown)
        if len(frames.images) != rows:
            return None, (
                f"the file now samples to {len(frames.images)} frames but its features have {rows} rows "
                "(the file changed after extraction?)"
            )
        return frames, None

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
        if self.segment_s is not None:
            prediction = self.classify_windows(path, shown, tta, progress)
            return self.result_json(
                prediction,
                video=video,
                ground_truth=ground_truth,
                tta=tta,
                source="extracted",
                start=start,
                frames_unavailable="a timeline keeps no thumbnails (segment_s is set)",
            )
        try:
            with self._extract_lock:
                progress(0.02, "decoding and extracting features")
                extracted, frames = extract_with_frames(
                    self.extractor,
                    path,
                    self.thumbnail_px,
                    progress=lambda f: progress(0.02 + 0.93 * float(f), "decoding and extracting features"),
                )
        except VidclsError as err:
            raise VidclsError(str(err).replace(str(path), shown)) from None
        progress(0.96, "classifying")
        prediction = self.predict_features(extracted.features, tta, name=shown, timestamps_s=extracted.timestamps_s)
        prediction.duration_s = float(extracted.duration_s)
        return self.result_json(
            prediction, video=video, ground_truth=ground_truth, tta=tta, source="extracted", start=start, frames=frames
        )

    def classify_windows(self, path: Path, shown: str, tta: bool, progress: ProgressFn) -> VideoPrediction:
        """A timeline (``segment_s``): each window extracted (holding the extraction lock) and then classified
        (holding the model lock) before the next is decoded, so a long video neither holds the models nor
        keeps more than one window's frames."""
        predictor = self._predictors[bool(tta)]
        stage = "decoding and extracting features, window by window"
        windows = extract_windows(
            self.extractor, path, predictor.segment_s, progress=lambda f: progress(0.02 + 0.95 * float(f), stage)
        )
        answers = []
        try:
            with contextlib.closing(windows):  # an error mid-way closes the file the windows are decoded from
                while True:
                    with self._extract_lock:
                        item = next(windows, None)
                    if item is None:
                        break
                    with self._predict_lock:
                        answers.append(predictor.predict_window(*item, path=shown))
        except VidclsError as err:
            raise VidclsError(str(err).replace(str(path), shown)) from None
        return VideoPrediction.from_windows(
            shown, self.class_names, answers, answers[-1].end_s, self.ensemble.member_weights
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
        frames: SampledFrames | None = None,
        frames_unavailable: str | None = None,
    ) -> dict[str, Any]:
        """The prediction record (:meth:`VideoPrediction.to_dict`, as predict.py writes it) plus what only the
        page needs: the video, TTA mode, ground truth, frame thumbnails and timing (docs/web.md)."""
        record = prediction.to_dict()
        known = ground_truth if ground_truth in prediction.class_names else None
        return {
            "video": video,
            "source": source,
            "tta": bool(tta),
            "tta_views": self._predictors[bool(tta)].views,
            **record,
            "ground_truth": ground_truth,
            "correct": None if known is None else prediction.predicted == known,
            # One JPEG data URL per attention weight: the centre crop the CNN saw for that row.
            "frames": None if frames is None else jpeg_data_urls(frames.images),
            "frames_unavailable": None if frames is not None else frames_unavailable or "no frames",
            "elapsed_s": round(time.perf_counter() - start, 4),
        }
