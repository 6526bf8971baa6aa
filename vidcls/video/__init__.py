"""Video decoding and the frame-sampling rule (pure functions in :mod:`vidcls.video.sampling`)."""

from vidcls.video.decode import (
    DecodedFrames,
    MomentDecoder,
    VideoInfo,
    decode_moments,
    open_video,
    probe_video,
    resize_geometry,
    select_moments,
    shrink_frames,
)
from vidcls.video.sampling import (
    SAMPLING_RULE,
    SAMPLING_RULES,
    SamplingPlan,
    combine_scales,
    interpolation_matrix,
    parse_sampling,
    parse_sampling_tag,
    plan_sampling,
    sampling_tag,
    scale_counts,
    uniform_times,
)

__all__ = [
    "SAMPLING_RULE",
    "SAMPLING_RULES",
    "DecodedFrames",
    "MomentDecoder",
    "SamplingPlan",
    "VideoInfo",
    "combine_scales",
    "decode_moments",
    "interpolation_matrix",
    "open_video",
    "parse_sampling",
    "parse_sampling_tag",
    "plan_sampling",
    "probe_video",
    "resize_geometry",
    "sampling_tag",
    "scale_counts",
    "select_moments",
    "shrink_frames",
    "uniform_times",
]
