"""``FeatureExtractor``: one video in, aligned multi-scale per-frame features out.

The same object serves ``extract.py`` (whole corpora), ``predict.py`` and the web app (single
videos), so a video is always turned into features by exactly the rule the model was trained on.
Decoding (:meth:`FeatureExtractor.decode`, pure CPU, thread-safe) and encoding
(:meth:`FeatureExtractor.encode`, the CNN) are separate so a corpus run can overlap them.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from vidcls.backbones.loader import ExportedBackbone, open_backbone
from vidcls.errors import VidclsError
from vidcls.schema import EXTRACTION_KEYS, SINGLE_SPATIAL_SCALE, Provenance
from vidcls.utils.progress import FileProgress, part_progress
from vidcls.video import (
    DecodedFrames,
    MomentDecoder,
    VideoInfo,
    decode_moments,
    parse_sampling,
    plan_sampling,
    probe_video,
    sampling_tag,
    select_moments,
    shrink_frames,
)
from vidcls.video.sampling import SAMPLING_RULE, SAMPLING_RULES, SamplingPlan, combine_scales

if TYPE_CHECKING:
    from vidcls.backbones import Backbone

#: Share of a single-video progress bar spent decoding (the rest is the CNN).
_DECODE_SHARE = 0.5


@dataclass
class ExtractedVideo:
    """Features of one video: ``features [t, D]`` float32 with t = true length <= max_frames, no padding."""

    features: np.ndarray
    num_frames: int
    duration_s: float
    timestamps_s: np.ndarray  # [t] the moment (seconds from the video start) each row stands for


@dataclass
class DecodedVideo:
    """Decoder output waiting for the CNN: distinct frames plus how rows are built from them."""

    path: Path
    frames: np.ndarray  # [m, H, W, 3] uint8, each distinct selected frame once
    duration_s: float
    timestamps_s: np.ndarray  # [t] moments the rows stand for (relative to the video start)
    short: bool
    row_frames: np.ndarray | None  # short videos: [t] frame index per row
    scale_frames: list[np.ndarray]  # long videos: per scale [n_s] frame index per sampled moment
    plan: SamplingPlan | None


def normalize_frame_size(frame_size: int | Sequence[int]) -> tuple[int, int]:
    """``256`` or ``[256]`` -> ``(256, 256)``; ``[H, W]`` kept."""
    if isinstance(frame_size, int | np.integer):
        size = (int(frame_size), int(frame_size))
    else:
        values = [int(v) for v in frame_size]
        size = (values[0], values[0]) if len(values) == 1 else (values[0], values[1])
    if min(size) < 16:
        raise VidclsError(f"frame_size {frame_size} is too small; use e.g. 256 or [H, W] with both >= 16")
    return size


def spatial_sizes(frame_size: tuple[int, int], spatial_scales: Sequence[float]) -> list[tuple[int, int]]:
    """The CNN input sizes: ``frame_size`` times each spatial scale (0 < s <= 1), rounded to whole pixels."""
    scales = [float(s) for s in spatial_scales]
    if not scales or any(not 0 < s <= 1 for s in scales):
        raise VidclsError(f"spatial_scales must be numbers in (0, 1], e.g. [1.0, 0.714], got {list(spatial_scales)}")
    sizes = [(round(frame_size[0] * s), round(frame_size[1] * s)) for s in scales]
    if min(min(size) for size in sizes) < 16:
        raise VidclsError(f"spatial_scales {scales} of frame_size {list(frame_size)} give a size under 16 px")
    if len(set(sizes)) != len(sizes):
        raise VidclsError(f"spatial_scales {scales} of frame_size {list(frame_size)} repeat a size: {sizes}")
    return sizes


def _scale_moments_mask(plan: SamplingPlan) -> np.ndarray:
    """Which of ``plan.union_times`` some scale samples (their frames' pixels go through the CNN)."""
    mask = np.zeros(len(plan.union_times), dtype=bool)
    for index in plan.scale_index:
        mask[index] = True
    return mask


def check_frame_rate(fps: Any) -> None:
    """Frames in memory need their rate: ``fps`` must be a positive number (one message for every caller)."""
    if not (isinstance(fps, int | float | np.number) and float(fps) > 0):
        raise VidclsError(f"fps must be a positive number, got {fps!r}")


class FeatureExtractor:
    """Decode, sample, encode and combine scales for one video at a time."""

    def __init__(
        self,
        backbone: Backbone | ExportedBackbone | str = "effnet_lite0_style",
        weights: str | None = "DEFAULT",
        num_frames: int = 64,
        scales: Sequence[float] = (1.0, 0.85, 1.15),
        frame_size: int | Sequence[int] = 256,
        spatial_scales: Sequence[float] = SINGLE_SPATIAL_SCALE,
        batch_size: int = 24,
        device: Any = "cpu",
        min_duration_s: float = 1.0,
        sampling: str = SAMPLING_RULE,
        runtime: str | None = "auto",
    ) -> None:
        if sampling not in SAMPLING_RULES:
            raise VidclsError(f"unknown sampling={sampling!r}; use one of {', '.join(SAMPLING_RULES)}")
        self.backbone = open_backbone(backbone, weights, device, runtime) if isinstance(backbone, str) else backbone
        if num_frames < 1:
            raise VidclsError(f"num_frames must be >= 1, got {num_frames}")
        if not scales or any(float(s) <= 0 for s in scales):
            raise VidclsError(f"scales must be positive numbers, got {list(scales)}")
        self.num_frames = int(num_frames)
        self.scales = [float(s) for s in scales]
        self.frame_size = normalize_frame_size(frame_size)
        self.spatial_scales = [float(s) for s in spatial_scales]
        self.sizes = spatial_sizes(self.frame_size, self.spatial_scales)
        self.batch_size = max(1, int(batch_size))
        self.min_duration_s = float(min_duration_s)
        self.sampling = sampling
        # Export/load the fast CNN runtime now, so a problem surfaces before any video is decoded.
        for size in self.sizes:
            self.backbone.prepare(size)

    @property
    def feature_dim(self) -> int:
        return self.backbone.feature_dim

    @property
    def provenance(self) -> Provenance:
        """The HDF5/checkpoint provenance that :meth:`from_provenance` inverts."""
        return Provenance.of(
            {
                "backbone": self.backbone.name,
                "backbone_weights": self.backbone.weights_tag,
                "feature_dim": self.feature_dim,
                "frame_size": self.frame_size,
                "spatial_scales": self.spatial_scales,
                "max_frames": self.num_frames,
                "scales": self.scales,
                "sampling": sampling_tag(self.min_duration_s, self.sampling),
            }
        )

    @classmethod
    def from_provenance(
        cls,
        provenance: Mapping[str, Any],
        device: Any = "cpu",
        batch_size: int = 24,
        runtime: str | None = "auto",
    ) -> FeatureExtractor:
        """Rebuild the exact extractor recorded in an HDF5 file or checkpoint (its sampling rule included).

        ``runtime`` only picks how the CNN runs (features agree within 1e-4), so it is not provenance.
        """
        recipe = Provenance.of(provenance)
        missing = recipe.missing(EXTRACTION_KEYS)
        if missing:
            raise VidclsError(
                f"the features/checkpoint carry no extraction provenance ({', '.join(missing)} missing), so the "
                "extractor that made them is unknown (predecessor files lack it). Build FeatureExtractor(backbone=..., "
                "num_frames=..., ...) explicitly with the settings those features were made with."
            )
        try:
            rule, params = parse_sampling(str(provenance["sampling"]))
        except ValueError as err:
            raise VidclsError(f"{err}; re-extract the features with this version of extract.py") from None
        weights = provenance.get("backbone_weights", "DEFAULT")
        extractor = cls(
            backbone=str(provenance["backbone"]),
            weights=weights,
            num_frames=int(provenance["max_frames"]),
            scales=list(provenance["scales"]),
            frame_size=provenance["frame_size"],
            spatial_scales=recipe["spatial_scales"],
            batch_size=batch_size,
            device=device,
            min_duration_s=params.get("min_duration_s", 1.0),
            sampling=rule,
            runtime=runtime,
        )
        expected_dim = provenance.get("feature_dim")
        if expected_dim is not None and int(expected_dim) != extractor.feature_dim:
            raise VidclsError(
                f"provenance says feature_dim={expected_dim} but backbone {extractor.backbone.name} gives "
                f"{extractor.feature_dim}; the file's attrs are inconsistent, re-extract."
            )
        return extractor

    # -- the two stages -------------------------------------------------------------------------
    def decode(self, path: str | os.PathLike[str], progress: FileProgress | None = None) -> DecodedVideo:
        """Probe, plan and decode the needed frames (CPU only; safe to run in worker threads)."""
        info = self.probe(path)
        return self.decode_span(path, info, 0.0, info.duration_s, progress)

    def probe(self, path: str | os.PathLike[str]) -> VideoInfo:
        """The file's header (start, duration); a stream without a duration cannot be sampled."""
        info = probe_video(path)
        if not info.duration_s > 0:
            raise VidclsError(f"{Path(path)}: the video stream has no duration (no frames?); it cannot be sampled")
        return info

    def decode_span(
        self,
        path: str | os.PathLike[str],
        info: VideoInfo,
        start_s: float,
        end_s: float,
        progress: FileProgress | None = None,
        decoder: MomentDecoder | None = None,
    ) -> DecodedVideo:
        """Decode ``[start_s, end_s)`` of the file (seconds from its start) sampled like a video of its own.

        The whole file is the span ``[0, duration)``; a timeline window (:mod:`vidcls.inference.timeline`)
        is a shorter one: the same rule and parameters over the window's own duration, so its features
        mean what the checkpoints' training features meant. Row times stay relative to the file's start.
        Consecutive windows pass one ``decoder`` (:meth:`window_decoder`): the file is opened and walked
        forward once for all of them.
        """
        path = Path(path)
        duration = float(end_s) - float(start_s)
        begin = info.start_s + float(start_s)
        plan = plan_sampling(duration, self.num_frames, self.scales, start=begin, rule=self.sampling)
        stop = info.start_s + float(end_s)
        whole = start_s <= 0 and end_s >= info.duration_s
        surely_short = duration < self.min_duration_s
        # A long video's rows come from the scales' moments only; the output moments just tell
        # whether the video is short, which needs no pixels (v2: 74 of 126 frames converted at T=64).
        needs_pixels = None if surely_short else _scale_moments_mask(plan)

        def decode(needs: np.ndarray | None, report: FileProgress | None) -> DecodedFrames:
            # A window skips the H.264 pre-pass: it demuxes the whole file, once per window.
            return decode_moments(
                path, plan.union_times, self.frame_size, stop, progress=report, skip_unneeded=whole, needs_pixels=needs
            )

        if decoder is not None:
            first = decoder.decode(plan.union_times, stop, progress, needs_pixels)
        else:
            first = decode(needs_pixels, progress)
        return self._rows_from(first, plan, duration, info.start_s, path, surely_short, decode)

    def window_decoder(self, path: str | os.PathLike[str]) -> MomentDecoder:
        """An open decoder that consecutive :meth:`decode_span` windows of ``path`` share (close it after)."""
        return MomentDecoder(path, self.frame_size)

    def decode_frames(
        self, frames: np.ndarray, fps: float, name: str = "frames", span: tuple[float, float] | None = None
    ) -> DecodedVideo:
        """:meth:`decode` for frames already in memory: ``[n, h, w, 3]`` uint8 RGB shown at ``fps``.

        Frame ``k`` is on screen from ``k / fps`` for ``1 / fps`` seconds, so the clip lasts ``n / fps``; the
        sampling plan, the frame each moment selects, the resize and the rows are those of a file
        (:func:`vidcls.video.select_moments`). ``span=(start_s, end_s)``: that window only, as
        :meth:`decode_span` samples a window of a file.
        """
        check_frame_rate(fps)
        if len(frames) == 0:
            raise VidclsError(f"{name}: no frames; pass a non-empty [n, h, w, 3] uint8 RGB array")
        times = np.arange(len(frames), dtype=np.float64) / float(fps)
        start_s, end_s = span if span is not None else (0.0, len(frames) / float(fps))
        duration = float(end_s) - float(start_s)
        plan = plan_sampling(duration, self.num_frames, self.scales, start=float(start_s), rule=self.sampling)
        selected = select_moments(frames, times, plan.union_times, self.frame_size)
        return self._rows_from(selected, plan, duration, 0.0, Path(name), duration < self.min_duration_s, None)

    def _rows_from(
        self,
        decoded: DecodedFrames,
        plan: SamplingPlan,
        duration_s: float,
        origin_s: float,
        path: Path,
        surely_short: bool,
        redecode: Callable[[np.ndarray | None, FileProgress | None], DecodedFrames] | None,
    ) -> DecodedVideo:
        """The one sampling step after decoding (files, windows, frame arrays): short or long, which frames
        go through the CNN and how the rows are built from them. ``origin_s``: the time row times count from."""
        distinct = np.unique(decoded.moment_to_frame[plan.output_index])
        short = len(distinct) < self.num_frames or surely_short
        if short and decoded.converted is not None and not decoded.converted[distinct].all():
            # Fewer distinct frames than rows (rare, and few frames to decode): again, with every frame's pixels.
            assert redecode is not None, "frames in memory are always converted"
            decoded = redecode(None, None)
        if short:
            # One row per distinct frame on screen at the output moments; no repeats, no scale mixing.
            keep = distinct
            row_frames = np.arange(len(keep))
            timestamps = decoded.frame_times[keep] - origin_s
            scale_frames: list[np.ndarray] = []
        else:
            used = [decoded.moment_to_frame[idx] for idx in plan.scale_index]
            keep = np.unique(np.concatenate(used))
            remap = np.full(len(decoded.frames), -1, dtype=np.int64)
            remap[keep] = np.arange(len(keep))
            scale_frames = [remap[u] for u in used]
            row_frames = None
            timestamps = plan.output_times - origin_s
        return DecodedVideo(
            path=path,
            frames=decoded.frames[keep],
            duration_s=duration_s,
            timestamps_s=np.asarray(timestamps, dtype=np.float64),
            short=short,
            row_frames=row_frames,
            scale_frames=scale_frames,
            plan=None if short else plan,
        )

    def encode(self, decoded: DecodedVideo, progress: FileProgress | None = None) -> ExtractedVideo:
        """Run the CNN once per distinct frame and spatial scale, average the scales, build the aligned rows."""
        frames = decoded.frames
        total = len(frames) * len(self.sizes)
        feats = np.zeros((len(frames), self.feature_dim), dtype=np.float32)
        done = 0
        for size in self.sizes:
            sized = shrink_frames(frames, size)
            for start in range(0, len(sized), self.batch_size):
                batch = sized[start : start + self.batch_size]
                feats[start : start + len(batch)] += self.backbone.features(batch, self.batch_size)
                done += len(batch)
                if progress is not None:
                    progress(min(1.0, done / total))
        if len(self.sizes) > 1:
            feats /= len(self.sizes)
        if decoded.short:
            rows = feats[decoded.row_frames]
        else:
            assert decoded.plan is not None
            rows = combine_scales([feats[idx] for idx in decoded.scale_frames], decoded.plan)
        if not np.isfinite(rows).all():
            raise VidclsError(f"{decoded.path}: the backbone produced non-finite features; check the weights file")
        return ExtractedVideo(
            features=np.ascontiguousarray(rows, dtype=np.float32),
            num_frames=len(rows),
            duration_s=decoded.duration_s,
            timestamps_s=decoded.timestamps_s,
        )

    def extract(self, path: str | os.PathLike[str], progress: FileProgress | None = None) -> ExtractedVideo:
        """Features of one video; undecodable/non-video/empty files raise :class:`VidclsError`."""

        decoded = self.decode(path, part_progress(progress, 0.0, _DECODE_SHARE))
        result = self.encode(decoded, part_progress(progress, _DECODE_SHARE, 1 - _DECODE_SHARE))
        if progress is not None:
            progress(1.0)
        return result
