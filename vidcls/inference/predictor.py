"""The predict core shared by ``predict.py`` and the web app: video file → ensemble probabilities.

UI-free: no printing, no files written. Features are extracted by the same
:class:`vidcls.extraction.FeatureExtractor` as ``extract.py``, rebuilt from the provenance recorded
in the checkpoints, so inference always sees the backbone and frame settings the models trained on.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import torch

from vidcls.errors import VidclsError
from vidcls.inference.ensemble import Ensemble
from vidcls.inference.timeline import (
    WindowPrediction,
    extract_frame_windows,
    extract_windows,
    plan_windows,
    spans_of,
    weighted_mean,
)
from vidcls.inference.tta import resolve_views
from vidcls.schema import EXTRACTION_KEYS, Provenance
from vidcls.utils.scan import link_problem

log = logging.getLogger(__name__)


class Extractor(Protocol):
    """What the predictor needs from :class:`vidcls.extraction.FeatureExtractor` (timelines and frame
    arrays also use its ``probe``, ``decode_span``, ``decode_frames`` and ``encode``)."""

    def extract(self, path: str | os.PathLike[str], progress: Callable[[float], None] | None = None) -> Any: ...


@dataclass
class VideoPrediction:
    """One file's answer, or its error (then every other field but ``path`` is empty)."""

    path: str
    class_names: list[str]
    probs: np.ndarray | None = None  # [C], ensemble mean over views then members
    member_probs: dict[str, np.ndarray] = field(default_factory=dict)  # name -> [C]
    member_weights: dict[str, float] = field(default_factory=dict)  # name -> its weight in ``probs``
    attention: np.ndarray | None = None  # [t] pooling weights of the original view, mean over members
    timestamps_s: np.ndarray | None = None  # [t] moment each feature row stands for
    duration_s: float | None = None
    num_frames: int | None = None
    error: str | None = None
    frames: np.ndarray | None = None  # [t, h, w, 3] uint8 thumbnail of each row's frame (thumbnail_px > 0)
    windows: list[WindowPrediction] | None = None  # the timeline (segment_s set), in time order

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def predicted_index(self) -> int | None:
        return None if self.probs is None else int(np.argmax(self.probs))

    @property
    def predicted(self) -> str | None:
        index = self.predicted_index
        return None if index is None else self.class_names[index]

    @property
    def spans(self) -> list[dict[str, Any]] | None:
        """The timeline's runs of one class (``segment_s`` set), else None."""
        return None if self.windows is None else spans_of(self.windows, self.class_names)

    @property
    def confidence(self) -> float | None:
        return None if self.probs is None else float(np.max(self.probs))

    def to_dict(self) -> dict[str, Any]:
        """The one prediction record (predict.py's JSON results, the web API's result; docs/web.md).

        JSON-ready: probabilities as lists in ``class_names`` order, each member's vote, and the
        attention weights with the moment each row stands for. A timeline (``segment_s``) adds
        ``windows`` and ``spans``; without one the record has neither key. The web adds its own fields on top.
        """
        names = self.class_names

        def vote(name: str, probs: np.ndarray) -> dict[str, Any]:
            p = [float(v) for v in probs]
            best = int(np.argmax(p))
            weight = self.member_weights.get(name)
            return {
                "name": name,
                "predicted": names[best],
                "confidence": p[best],
                "probabilities": p,
                "weight": weight,
            }

        attention = None
        if self.attention is not None:
            times = None if self.timestamps_s is None else [float(t) for t in self.timestamps_s]
            attention = {"weights": [float(a) for a in self.attention], "timestamps_s": times}
        record = {
            "path": self.path,
            "ok": self.ok,
            "error": self.error,
            "class_names": list(names),
            "probabilities": None if self.probs is None else [float(p) for p in self.probs],
            "predicted": self.predicted,
            "confidence": self.confidence,
            "members": [vote(name, p) for name, p in self.member_probs.items()],
            "attention": attention,
            "num_frames": self.num_frames,
            "duration_s": self.duration_s,
        }
        if self.windows is not None:
            record["windows"] = [w.to_dict(names) for w in self.windows]
            record["spans"] = self.spans
        return record

    @classmethod
    def from_windows(
        cls,
        path: str,
        class_names: list[str],
        windows: Sequence[WindowPrediction],
        duration_s: float,
        member_weights: Mapping[str, float] | None = None,
    ) -> VideoPrediction:
        """The file's answer from its windows: probabilities (each member's too) are the windows' means
        weighted by their durations; attention rows and their times are the windows' in order.
        ``member_weights``: the ensemble's (:attr:`Ensemble.member_weights`), reported with each member's vote."""
        weights = [w.duration_s for w in windows]
        members = windows[0].member_probs.keys()
        attention = None
        if all(w.attention is not None for w in windows):
            attention = np.concatenate([w.attention for w in windows])  # type: ignore[misc]
        times = None
        if all(w.timestamps_s is not None for w in windows):
            times = np.concatenate([w.timestamps_s for w in windows])  # type: ignore[misc]
        return cls(
            path=path,
            class_names=class_names,
            probs=weighted_mean([w.probs for w in windows], weights),
            member_probs={m: weighted_mean([w.member_probs[m] for w in windows], weights) for m in members},
            member_weights=dict(member_weights or {}),
            attention=attention,
            timestamps_s=times,
            duration_s=float(duration_s),
            num_frames=sum(w.num_frames for w in windows),
            windows=list(windows),
        )


def extraction_provenance(ensemble: Ensemble, override: Mapping[str, Any] | None = None) -> Provenance:
    """The checkpoints' feature recipe, optionally completed (never contradicted) by ``override``.

    Predecessor checkpoints record no recipe; their users must supply one via ``override``.
    """
    recorded = Provenance.of(ensemble.provenance)
    wanted = Provenance.of(override)
    recorded.require_compatible(
        wanted,
        "the provenance override contradicts the checkpoints (checkpoints != override)",
        "The models only work with features made the way they were trained; drop the override.",
    )
    provenance = recorded.merged(wanted)
    missing = provenance.missing(EXTRACTION_KEYS)
    if missing:
        raise VidclsError(
            f"the checkpoints do not record how their features were extracted (missing {missing}); predecessor "
            "checkpoints never do. Evaluate them on feature files with eval.py, or give the recipe explicitly, e.g. "
            "provenance='{backbone: effnetv2_s, frame_size: [256, 256], max_frames: 64, scales: [1.0, 0.85, 1.15], "
            "sampling: uniform-aligned-v1}' (it must match how the training features were made)."
        )
    return provenance


def check_input(path: str | os.PathLike[str]) -> None:
    """Raise the one-line reason a path cannot be a video file (missing, a symlink loop, not a file)."""
    problem = link_problem(Path(path))
    if problem is not None:
        raise VidclsError(f"{path}: {problem}.")
    if not Path(path).exists():
        raise VidclsError(f"{path}: no such file.")
    if not Path(path).is_file():
        raise VidclsError(f"{path}: not a regular file.")


class VideoPredictor:
    """Ensemble + extractor + TTA views → :class:`VideoPrediction` per file; bad files become errors.

    ``segment_s`` (seconds, None: off) classifies each file window by window (:mod:`vidcls.inference.timeline`);
    a timeline keeps no thumbnails (``thumbnail_px`` applies to whole-file predictions).
    """

    def __init__(
        self,
        ensemble: Ensemble,
        extractor: Extractor,
        tta: Sequence[str] | None = None,
        return_attention: bool = True,
        thumbnail_px: int = 0,
        segment_s: float | None = None,
    ) -> None:
        self.ensemble = ensemble
        self.extractor = extractor
        self.views = resolve_views(tta)
        self.return_attention = return_attention
        self.thumbnail_px = int(thumbnail_px)
        if segment_s is not None:
            plan_windows(1.0, segment_s)  # a bad segment_s is one error line now, not one per file
        self.segment_s = None if segment_s is None else float(segment_s)

    @classmethod
    def from_ensemble(
        cls,
        ensemble: Ensemble,
        tta: Sequence[str] | None = None,
        device: str = "cpu",
        batch_size: int = 24,
        provenance_override: Mapping[str, Any] | None = None,
        return_attention: bool = True,
        thumbnail_px: int = 0,
        runtime: str | None = "auto",
        segment_s: float | None = None,
    ) -> VideoPredictor:
        """Rebuild the training-time extractor from the checkpoints' provenance (same code as extract.py).

        The provenance fixes the backbone, frame settings and sampling rule (a v1-trained checkpoint keeps
        extracting v1); ``runtime`` only picks how the CNN runs (``auto``: the fastest installed on CPU).
        """
        from vidcls.extraction import FeatureExtractor

        provenance = extraction_provenance(ensemble, provenance_override)
        extractor = FeatureExtractor.from_provenance(provenance, device=device, batch_size=batch_size, runtime=runtime)
        return cls(
            ensemble,
            extractor,
            tta=tta,
            return_attention=return_attention,
            thumbnail_px=thumbnail_px,
            segment_s=segment_s,
        )

    def _checked(self, features: np.ndarray | torch.Tensor, path: str) -> torch.Tensor:
        """One unpadded feature sequence ``[t, D]`` as float32, or the one-line reason it cannot be classified."""
        x = torch.as_tensor(np.asarray(features, dtype=np.float32))
        if x.ndim != 2 or x.shape[0] < 1:
            raise VidclsError(
                f"{path or 'features'}: expected a non-empty [t, D] feature sequence, got {list(x.shape)}."
            )
        if x.shape[1] != self.ensemble.feature_dim:
            raise VidclsError(
                f"{path or 'features'}: extracted {x.shape[1]}-dim features but the checkpoints expect "
                f"{self.ensemble.feature_dim}; the extractor does not match the checkpoints' backbone."
            )
        return x

    def predict_features(
        self, features: np.ndarray | torch.Tensor, path: str = "", timestamps_s: np.ndarray | None = None
    ) -> VideoPrediction:
        """Classify one unpadded feature sequence ``[t, D]``."""
        return self.predict_feature_batch([features], [path], [timestamps_s])[0]

    def predict_feature_batch(
        self,
        features: Sequence[np.ndarray | torch.Tensor],
        paths: Sequence[str],
        timestamps_s: Sequence[np.ndarray | None],
    ) -> list[VideoPrediction]:
        """Classify several files' feature sequences ``[t_i, D]`` in one ensemble call, one answer each.

        On CPU each answer is the same bits as :meth:`predict_features` of that file alone
        (:attr:`Ensemble.batch_invariant`); the stream only batches files when that holds.
        """
        rows = [self._checked(f, path) for f, path in zip(features, paths, strict=True)]
        lengths = torch.tensor([len(r) for r in rows])
        x = torch.zeros(len(rows), int(lengths.max()), self.ensemble.feature_dim)
        for i, r in enumerate(rows):
            x[i, : len(r)] = r
        out = self.ensemble.predict(x, lengths, tta=self.views, return_attention=self.return_attention)
        return [
            VideoPrediction(
                path=path,
                class_names=self.ensemble.class_names,
                probs=out.probs[i].numpy(),
                member_probs={name: out.member_probs[m, i].numpy() for m, name in enumerate(self.ensemble.names)},
                member_weights=self.ensemble.member_weights,
                attention=None if out.attention is None else out.attention[i, : len(rows[i])].numpy(),
                timestamps_s=None if times is None else np.asarray(times, dtype=np.float64),
                num_frames=len(rows[i]),
            )
            for i, (path, times) in enumerate(zip(paths, timestamps_s, strict=True))
        ]

    def predict_window(self, start_s: float, end_s: float, video: Any, path: str = "") -> WindowPrediction:
        """One timeline window's answer from its extracted features (``video``: an ``ExtractedVideo``)."""
        result = self.predict_features(video.features, path=path, timestamps_s=video.timestamps_s)
        assert result.probs is not None
        return WindowPrediction(
            start_s=float(start_s),
            end_s=float(end_s),
            probs=result.probs,
            member_probs=result.member_probs,
            attention=result.attention,
            timestamps_s=result.timestamps_s,
            num_frames=int(video.num_frames),
        )

    def predict_frames(
        self,
        frames: np.ndarray,
        fps: float,
        name: str = "frames",
        progress: Callable[[float], None] | None = None,
    ) -> VideoPrediction:
        """Classify frames already in memory: ``[n, h, w, 3]`` uint8 RGB, frame ``k`` shown at ``k / fps``.

        The same sampling, resize and multi-scale extraction as a file of that content
        (:meth:`vidcls.extraction.FeatureExtractor.decode_frames`), a timeline too when ``segment_s`` is set.
        A bad array raises :class:`VidclsError` (the caller's mistake, not a bad file).
        """
        frames = np.asarray(frames)
        if frames.ndim != 4 or frames.shape[-1] != 3 or frames.dtype != np.uint8:
            raise VidclsError(
                f"{name}: frames must be an [n, h, w, 3] uint8 RGB array, got {frames.dtype} {list(frames.shape)}"
            )
        from vidcls.extraction.extractor import check_frame_rate

        check_frame_rate(fps)  # before the timeline divides by it
        if self.segment_s is not None:
            windows = extract_frame_windows(self.extractor, frames, fps, self.segment_s, name, progress)
            return self._from_windows(name, windows)
        extractor: Any = self.extractor
        video = extractor.encode(extractor.decode_frames(frames, fps, name), progress)
        return self.predict_extracted(video, path=name)

    def _from_windows(self, name: str, windows: Iterator[tuple[float, float, Any]]) -> VideoPrediction:
        """Predict each window as it is extracted (only its answer is kept), then the file's answer."""
        answers = [self.predict_window(start, end, video, name) for start, end, video in windows]
        return VideoPrediction.from_windows(
            name, self.ensemble.class_names, answers, answers[-1].end_s, self.ensemble.member_weights
        )

    def predict_file(
        self, path: str | os.PathLike[str], progress: Callable[[float], None] | None = None
    ) -> VideoPrediction:
        """Extract and classify one file; a problem with the file is returned as ``error``, not raised."""
        name = str(path)
        try:
            check_input(path)
            if self.segment_s is not None:
                return self._from_windows(name, extract_windows(self.extractor, path, self.segment_s, progress))
            frames = None
            if self.thumbnail_px > 0:
                from vidcls.inference.frames import extract_with_frames

                video, sampled = extract_with_frames(self.extractor, path, self.thumbnail_px, progress)
                frames = sampled.images
            else:
                video = self.extractor.extract(path, progress=progress)
            return self.predict_extracted(video, path=name, frames=frames)
        except Exception as err:  # one broken file must not cost the others their answers
            return self.failed(name, err)

    def predict_extracted(self, video: Any, path: str, frames: np.ndarray | None = None) -> VideoPrediction:
        """Classify one file's already extracted features (an :class:`ExtractedVideo`): ``predict_file``'s
        second half."""
        result = self.predict_extracted_batch([video], [path])[0]
        result.frames = frames
        return result

    def predict_extracted_batch(self, videos: Sequence[Any], paths: Sequence[str]) -> list[VideoPrediction]:
        """Several files' extracted features through one ensemble call (the streaming loop,
        :mod:`vidcls.inference.stream`); a file's answer is the one it gets alone (see ``predict_feature_batch``)."""
        results = self.predict_feature_batch(
            [v.features for v in videos], list(paths), [v.timestamps_s for v in videos]
        )
        for result, video in zip(results, videos, strict=True):
            result.duration_s = float(video.duration_s)
        return results

    def failed(self, path: str, err: BaseException | str) -> VideoPrediction:
        """The error record of one file: a :class:`VidclsError` or reason string as is, anything else named."""
        if isinstance(err, str | VidclsError):
            return VideoPrediction(path=path, class_names=self.ensemble.class_names, error=str(err))
        log.error("unexpected error on %s", path, exc_info=err)
        return VideoPrediction(
            path=path, class_names=self.ensemble.class_names, error=f"unexpected error ({type(err).__name__}: {err})"
        )

    def predict_files(
        self,
        paths: Sequence[str | os.PathLike[str]],
        on_result: Callable[[VideoPrediction], None] | None = None,
    ) -> list[VideoPrediction]:
        results = []
        for path in paths:
            result = self.predict_file(path)
            if on_result is not None:
                on_result(result)
            results.append(result)
        return results
