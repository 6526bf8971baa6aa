"""Decode only the frames a sampling plan needs, by timestamp, with bounded memory.

Frames are located by presentation time (``pts * time_base``), never by index x fps, so
variable-frame-rate files sample the right moments. The decoder walks forward once: it seeks when
the next needed moment is far ahead (hour-long files) and decodes straight through otherwise
(short clips, where seeking costs more than it saves). A frame is converted (scaled by FFmpeg's
swscale straight from YUV, then centre-cropped) only when a moment selects it, so at most the
latest decoded full-resolution frame and the two before it exist at any time. :class:`MomentDecoder`
keeps one such walk open across batches of later moments (a timeline's windows).

When the decoder will walk straight through an H.264 file, a demux-only pre-pass finds the
non-reference pictures (``nal_ref_idc == 0``) that no moment selects; their packets are never sent to
the decoder. No other picture is predicted from them, so every selected frame decodes to the same
pixels (tested), and about a third of an x264 file's frames are never decoded.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np
from av.video.reformatter import VideoReformatter

from vidcls.errors import VidclsError
from vidcls.utils.scan import link_problem

#: Seek instead of decoding through when the next needed moment is this far ahead (seconds).
SEEK_GAP_S = 2.0
#: Container formats that hold still images; they "decode" to one frame but are not videos.
_IMAGE_FORMATS = ("image2", "_pipe", "apng", "webp")


@dataclass(frozen=True)
class VideoInfo:
    """What the container says about its first video stream."""

    path: Path
    start_s: float
    duration_s: float
    width: int
    height: int
    codec: str
    average_fps: float | None
    frames_in_header: int


@dataclass
class DecodedFrames:
    """Distinct selected frames ``[m,H,W,3]`` uint8, their times, and which frame each moment got."""

    frames: np.ndarray
    frame_times: np.ndarray  # [m] seconds, absolute pts
    moment_to_frame: np.ndarray  # [len(moments)] index into frames
    frames_decoded: int = 0  # frames the decoder produced (tells how much seeking saved)
    #: [m] whether ``frames[i]`` holds pixels (False: selected only by moments that did not need them; zeros)
    converted: np.ndarray | None = None


def _describe(err: Exception) -> str:
    return f"{type(err).__name__}: {err}".strip()


@contextlib.contextmanager
def open_video(path: str | os.PathLike[str]) -> Iterator[tuple[av.container.InputContainer, av.video.VideoStream]]:
    """Open a file with PyAV and yield its first video stream; every failure is a clear VidclsError."""
    path = Path(path)
    if not path.is_file():
        problem = link_problem(path)
        raise VidclsError(f"{path} is a {problem}" if problem else f"video not found: {path}")
    if path.stat().st_size == 0:
        raise VidclsError(f"{path} is empty (0 bytes); re-copy or delete it")
    try:
        container = av.open(str(path), mode="r", metadata_errors="ignore")
    except (av.FFmpegError, OSError, UnicodeDecodeError, ValueError) as err:
        raise VidclsError(f"{path} is not a readable video (FFmpeg: {_describe(err)})") from None
    try:
        fmt = container.format.name or ""
        if any(tag in fmt for tag in _IMAGE_FORMATS):
            raise VidclsError(f"{path} is a still image ({fmt}), not a video")
        if not container.streams.video:
            kinds = sorted({s.type for s in container.streams}) or ["no streams"]
            raise VidclsError(f"{path} has no video stream (contains: {', '.join(kinds)})")
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        yield container, stream
    finally:
        container.close()


def _stream_times(container: av.container.InputContainer, stream: av.video.VideoStream) -> tuple[float, float]:
    """``(start_s, duration_s)`` from the header, or from packet timestamps when the header lacks them."""
    tb = float(stream.time_base) if stream.time_base else None
    start = float(stream.start_time * tb) if stream.start_time is not None and tb else 0.0
    if stream.duration and tb:
        duration = float(stream.duration * tb)
    elif container.duration:
        duration = float(container.duration / av.time_base) - max(
            0.0, start - float((container.start_time or 0) / av.time_base)
        )
    else:
        duration = 0.0
    if duration > 0 or tb is None:
        return start, duration
    # No duration in the header (raw streams, some MKV/WebM): demux packets, no decoding.
    first, last_end = None, None
    for packet in container.demux(stream):
        if packet.pts is None:
            continue
        t0 = float(packet.pts * tb)
        t1 = t0 + float((packet.duration or 0) * tb)
        first = t0 if first is None else min(first, t0)
        last_end = t1 if last_end is None else max(last_end, t1)
    container.seek(0)
    if first is None or last_end is None:
        return start, 0.0
    return first, max(last_end - first, 0.0)


def probe_video(path: str | os.PathLike[str]) -> VideoInfo:
    """Open the file and read its header; raises :class:`VidclsError` for anything that is not a video."""
    with open_video(path) as (container, stream):
        start, duration = _stream_times(container, stream)
        ctx = stream.codec_context
        return VideoInfo(
            path=Path(path),
            start_s=start,
            duration_s=duration,
            width=int(ctx.width or 0),
            height=int(ctx.height or 0),
            codec=str(ctx.name),
            average_fps=float(stream.average_rate) if stream.average_rate else None,
            frames_in_header=int(stream.frames or 0),
        )


def resize_geometry(width: int, height: int, frame_size: tuple[int, int]) -> tuple[int, int, int, int]:
    """Scale so the frame covers ``frame_size`` (H, W) keeping aspect, then centre-crop offsets.

    Returns ``(scaled_w, scaled_h, crop_x, crop_y)``. For a square target this is the usual
    "resize the short side, centre crop".
    """
    out_h, out_w = frame_size
    scale = max(out_h / height, out_w / width)
    scaled_w = max(out_w, round(width * scale))
    scaled_h = max(out_h, round(height * scale))
    return scaled_w, scaled_h, (scaled_w - out_w) // 2, (scaled_h - out_h) // 2


def quarter_turns(frame: av.VideoFrame) -> int:
    """How many quarter turns counterclockwise show ``frame`` upright (0-3), from its display matrix.

    Phones record sideways or upside down and store the turn as metadata (the display matrix, which
    PyAV reads as ``frame.rotation``: degrees the frame is turned counterclockwise to be shown). Players
    and ``ffmpeg`` apply it; decoded pixels do not, so a portrait phone video would reach the CNN on its side.
    A PyAV without ``VideoFrame.rotation`` (older than the constraints file's) decodes frames as coded.
    """
    rotation = getattr(frame, "rotation", 0) or 0
    return round(rotation / 90) % 4


def shown_size(frame: av.VideoFrame, turns: int) -> tuple[int, int]:
    """``(width, height)`` of ``frame`` as shown once turned ``turns`` quarter turns (swapped for an odd count)."""
    return (frame.height, frame.width) if turns % 2 else (frame.width, frame.height)


def upright(rgb: np.ndarray, turns: int) -> np.ndarray:
    """``rgb`` (H, W, 3) turned ``turns`` quarter turns counterclockwise, as a player would show it."""
    return np.rot90(rgb, turns) if turns else rgb


def _to_rgb(
    frame: av.VideoFrame, frame_size: tuple[int, int], reformatter: VideoReformatter | None = None
) -> np.ndarray:
    """Scale (swscale, AREA, straight from YUV), turn upright and centre-crop one frame to ``frame_size`` RGB.

    Pass one ``reformatter`` for all frames of a video: ``frame.reformat`` builds a new swscale
    context (filter tables included) for every frame, which cost ~25% of the conversion
    (640x360 -> 455x256: 4.7 ms vs 3.7 ms per frame); the pixels are identical.
    """
    turns = quarter_turns(frame)
    scaled_w, scaled_h, x0, y0 = resize_geometry(*shown_size(frame, turns), frame_size)
    coded_w, coded_h = (scaled_h, scaled_w) if turns % 2 else (scaled_w, scaled_h)  # swscale works on coded pixels
    reformatter = reformatter if reformatter is not None else VideoReformatter()
    rgb = reformatter.reformat(frame, width=coded_w, height=coded_h, format="rgb24", interpolation="AREA")
    shown = upright(rgb.to_ndarray(), turns)
    return np.ascontiguousarray(shown[y0 : y0 + frame_size[0], x0 : x0 + frame_size[1]])


def shrink_frames(frames: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """RGB frames ``[N, H, W, 3]`` reduced to ``size`` (H, W) with the decoder's own filter (swscale AREA).

    Spatial scales (``FeatureExtractor(spatial_scales=...)``) shrink the decoded frames instead of
    decoding again: one pass over the video serves every CNN input size.
    """
    height, width = size
    if frames.shape[1:3] == (height, width):
        return frames
    out = np.empty((len(frames), height, width, 3), dtype=np.uint8)
    reformatter = VideoReformatter()
    for i, frame in enumerate(frames):
        rgb = av.VideoFrame.from_ndarray(np.ascontiguousarray(frame), format="rgb24")
        out[i] = reformatter.reformat(rgb, width=width, height=height, interpolation="AREA").to_ndarray()
    return out


#: H.264 NAL unit types that carry slice data of a picture (non-IDR, data partitions A-C, IDR).
_H264_SLICE_TYPES = frozenset({1, 2, 3, 4, 5})


def _nal_headers(data: bytes, length_size: int) -> Iterator[int]:
    """First byte of each NAL unit: length-prefixed (MP4/MKV, ``length_size`` 1-4) or Annex B (0)."""
    if length_size:
        pos = 0
        while pos + length_size < len(data):
            size = int.from_bytes(data[pos : pos + length_size], "big")
            if size == 0 or pos + length_size + size > len(data):
                raise ValueError("NAL length runs past the packet")
            yield data[pos + length_size]
            pos += length_size + size
        return
    pos = data.find(b"\x00\x00\x01")
    while 0 <= pos < len(data) - 3:
        yield data[pos + 3]
        pos = data.find(b"\x00\x00\x01", pos + 3)


def h264_is_nonref(data: bytes, length_size: int) -> bool:
    """True when a packet's picture is one no other picture predicts from (every slice ``nal_ref_idc == 0``).

    Anything unexpected (no slice, a malformed length) answers False: such a packet is always decoded.
    """
    try:
        refs = [(header >> 5) & 3 for header in _nal_headers(data, length_size) if header & 0x1F in _H264_SLICE_TYPES]
    except ValueError:
        return False
    return bool(refs) and not any(refs)


def _unneeded_nonref_pts(path: str | os.PathLike[str], moments: np.ndarray) -> frozenset[int]:
    """Packet pts of H.264 non-reference pictures that no moment selects (empty when unsure or not worth it).

    Only when no gap between moments reaches ``SEEK_GAP_S``: then the decoder walks the whole span
    anyway, and demuxing it once more (no decoding) costs far less than the frames it saves.
    """
    if len(moments) > 1 and float(np.max(np.diff(moments))) > SEEK_GAP_S:
        return frozenset()
    with open_video(path) as (container, stream):
        ctx = stream.codec_context
        if ctx.name != "h264" or stream.time_base is None:
            return frozenset()
        extradata = bytes(ctx.extradata or b"")
        length_size = (extradata[4] & 3) + 1 if len(extradata) > 4 and extradata[0] == 1 else 0
        pts_list: list[int] = []
        nonref: set[int] = set()
        try:
            for packet in container.demux(stream):
                if packet.size == 0:
                    continue
                if packet.pts is None:
                    return frozenset()  # cannot tell which frame a moment selects
                pts_list.append(packet.pts)
                if h264_is_nonref(bytes(packet), length_size):
                    nonref.add(packet.pts)
        except av.FFmpegError:
            return frozenset()  # the decoding pass reports damage with its own clear message
        if not nonref or len(set(pts_list)) != len(pts_list):
            return frozenset()  # field-coded or odd timestamps: decode everything
        pts = np.sort(np.asarray(pts_list, dtype=np.int64))
        times = pts * float(stream.time_base)
        on_screen = np.clip(np.searchsorted(times, moments, side="right") - 1, 0, len(pts) - 1)
        return frozenset(nonref - set(pts[on_screen].tolist()))


class _PacketEnd:
    """The latest ``pts + duration`` (in time-base units) of the packets demuxed so far.

    What the container actually delivered, as opposed to what its header promises: a GIF whose
    last frame stays on screen for 2 s has a last packet lasting 2 s, a file cut in half has no
    packets past the cut.
    """

    def __init__(self) -> None:
        self.value: int | None = None

    def see(self, packet: av.Packet) -> None:
        if packet.pts is not None and packet.size:
            end = packet.pts + max(int(packet.duration or 0), 0)
            self.value = end if self.value is None else max(self.value, end)


def _decode_packets(
    container: av.container.InputContainer,
    stream: av.video.VideoStream,
    skip_pts: frozenset[int],
    packet_end: _PacketEnd | None = None,
) -> Iterator[av.VideoFrame]:
    """``container.decode(stream)``, except that packets whose pts is in ``skip_pts`` never reach the decoder."""
    for packet in container.demux(stream):
        if packet_end is not None:
            packet_end.see(packet)
        if skip_pts and packet.pts is not None and packet.pts in skip_pts:
            continue
        yield from packet.decode()


def delivered_end_s(last_frame_s: float, last_frame_duration_s: float, packet_end_s: float | None, fps: float) -> float:
    """When the delivered stream stops showing its last frame: that frame's pts plus its own duration
    (one frame interval when the file does not say), or the end of the last packet, whichever is later."""
    held = last_frame_duration_s if last_frame_duration_s > 0 else 1.0 / fps
    end = last_frame_s + held
    return max(end, packet_end_s) if packet_end_s is not None else end


class _Selection:
    """The distinct frames the moments select, each converted at most once, and only when needed.

    ``needs_pixels[i]`` says whether moment ``i`` needs the pixels of its frame or only which frame
    it is (e.g. the output moments of ``uniform-aligned-v2``, used only to tell a short video);
    a frame no pixel-moment selects is never converted (its row stays zero, ``converted`` False).
    """

    def __init__(
        self,
        moments: np.ndarray,
        frame_size: tuple[int, int],
        needs_pixels: np.ndarray | None,
        progress: Callable[[float], None] | None,
        reformatter: VideoReformatter | None = None,
    ) -> None:
        self.moments = moments
        self.frame_size = frame_size
        self.needs_pixels = np.ones(len(moments), bool) if needs_pixels is None else np.asarray(needs_pixels, bool)
        if self.needs_pixels.shape != moments.shape:
            raise ValueError("needs_pixels must have one entry per moment")
        self.progress = progress
        # One swscale context for the whole video (a timeline's windows share their decoder's).
        self.reformatter = reformatter if reformatter is not None else VideoReformatter()
        self.frames: list[np.ndarray | None] = []
        self.times: list[float] = []
        self.moment_to_frame = np.full(len(moments), -1, dtype=np.int64)
        self.next_moment = 0

    @property
    def done(self) -> bool:
        return self.next_moment >= len(self.moments)

    def assign(self, frame: av.VideoFrame, time_s: float, upto: int) -> None:
        """Give moments ``next_moment..upto-1`` to ``frame`` (converted once, if any of them needs pixels)."""
        if not self.times or self.times[-1] != time_s:
            self.frames.append(None)
            self.times.append(time_s)
        if self.frames[-1] is None and self.needs_pixels[self.next_moment : upto].any():
            self.frames[-1] = _to_rgb(frame, self.frame_size, self.reformatter)
        self.moment_to_frame[self.next_moment : upto] = len(self.frames) - 1
        self.next_moment = upto
        if self.progress is not None:
            self.progress(self.next_moment / len(self.moments))

    def result(self, frames_decoded: int) -> DecodedFrames:
        converted = np.array([f is not None for f in self.frames])
        frames = np.zeros((len(self.frames), *self.frame_size, 3), dtype=np.uint8)
        for i, rgb in enumerate(self.frames):
            if rgb is not None:
                frames[i] = rgb
        return DecodedFrames(frames, np.asarray(self.times), self.moment_to_frame, frames_decoded, converted)


@dataclass
class _Walk:
    """Where the forward walk through the stream is (the frame on screen, the latest one decoded)."""

    prev: av.VideoFrame | None = None
    prev_time: float = -np.inf
    #: The frame before ``prev`` (None right after a seek): on screen at moments just before ``prev_time``.
    before: av.VideoFrame | None = None
    before_time: float = -np.inf
    last_time: float = -np.inf
    last_duration: float = 0.0  # display duration of the latest frame (seconds; 0 when unknown)
    frames_decoded: int = 0


def decode_moments(
    path: str | os.PathLike[str],
    moments: np.ndarray,
    frame_size: tuple[int, int],
    expected_end_s: float | None = None,
    progress: Callable[[float], None] | None = None,
    skip_unneeded: bool = True,
    needs_pixels: np.ndarray | None = None,
) -> DecodedFrames:
    """Decode the frame on screen at each sorted moment (absolute seconds); each frame converted once.

    A moment selects the last frame whose pts <= moment (the first frame for moments before it).
    Raises :class:`VidclsError` when the stream ends well before the moments it should cover
    (a truncated file) or FFmpeg reports corrupt data. ``skip_unneeded=False`` sends every packet to
    the decoder (the reference the skipping is tested against). ``needs_pixels`` (bool per moment,
    default all) limits conversion to the frames those moments select (see :class:`_Selection`).
    """
    moments = np.asarray(moments, dtype=np.float64)
    if len(moments) == 0 or np.any(np.diff(moments) < 0):
        raise ValueError("moments must be a non-empty sorted array")
    skip_pts = _unneeded_nonref_pts(path, moments) if skip_unneeded else frozenset()
    with MomentDecoder(path, frame_size, skip_pts) as decoder:
        return decoder.decode(moments, expected_end_s, progress, needs_pixels)


def select_moments(
    frames: np.ndarray, frame_times_s: np.ndarray, moments: np.ndarray, frame_size: tuple[int, int]
) -> DecodedFrames:
    """:func:`decode_moments` for frames already in memory (``[n, H, W, 3]`` uint8 RGB shown at ``frame_times_s``).

    The same rule (a moment takes the last frame whose time <= moment, the first frame for moments before
    it, the last frame for moments after it) and the same conversion (swscale AREA to cover ``frame_size``,
    centre crop), each selected frame converted once; callers holding decoded frames
    (:meth:`vidcls.inference.VideoPredictor.predict_frames`) get the features a file would give.
    """
    frames = np.asarray(frames)
    times = np.asarray(frame_times_s, dtype=np.float64)
    moments = np.asarray(moments, dtype=np.float64)
    if frames.ndim != 4 or frames.shape[-1] != 3 or frames.dtype != np.uint8 or len(frames) == 0:
        raise VidclsError(f"frames must be a non-empty [n, h, w, 3] uint8 RGB array, got {frames.dtype} {frames.shape}")
    if times.shape != (len(frames),) or np.any(np.diff(times) <= 0):
        raise VidclsError("frame times must be one increasing time per frame")
    on_screen = np.clip(np.searchsorted(times, moments, side="right") - 1, 0, len(frames) - 1)
    used, moment_to_frame = np.unique(on_screen, return_inverse=True)
    reformatter = VideoReformatter()
    converted = np.empty((len(used), *frame_size, 3), dtype=np.uint8)
    for i, index in enumerate(used):
        rgb = av.VideoFrame.from_ndarray(np.ascontiguousarray(frames[index]), format="rgb24")
        converted[i] = _to_rgb(rgb, frame_size, reformatter)
    return DecodedFrames(
        converted, times[used], moment_to_frame.reshape(-1).astype(np.int64), len(used), np.ones(len(used), bool)
    )


class MomentDecoder:
    """One open file walked forward once, batch after batch of later moments: :func:`decode_moments` is one
    batch; a timeline (:mod:`vidcls.inference.timeline`) gives one batch per window, so the file is opened
    once, a frame is decoded about once (a seek may land on a keyframe behind the walk), and each window's
    frames are dropped before the next window is decoded."""

    def __init__(
        self, path: str | os.PathLike[str], frame_size: tuple[int, int], skip_pts: frozenset[int] = frozenset()
    ) -> None:
        self.path, self.frame_size = path, frame_size
        self._opened = open_video(path)
        self.container, self.stream = self._opened.__enter__()
        try:
            self.tb = float(self.stream.time_base)
        except TypeError:
            self.close()
            raise VidclsError(f"{path}: the video stream has no time base, so its frames cannot be timed") from None
        self.fps = float(self.stream.average_rate) if self.stream.average_rate else 25.0
        self.packet_end = _PacketEnd()
        self.skip_pts = skip_pts
        self.frames = _decode_packets(self.container, self.stream, skip_pts, self.packet_end)
        self.walk = _Walk()
        self.seek_gap = SEEK_GAP_S
        self.reformatter = VideoReformatter()
        self.last_moment = -np.inf

    def __enter__(self) -> MomentDecoder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._opened.__exit__(None, None, None)

    def decode(
        self,
        moments: np.ndarray,
        expected_end_s: float | None = None,
        progress: Callable[[float], None] | None = None,
        needs_pixels: np.ndarray | None = None,
    ) -> DecodedFrames:
        """The frames on screen at ``moments`` (sorted, all after the previous batch's); see :func:`decode_moments`."""
        moments = np.asarray(moments, dtype=np.float64)
        if len(moments) == 0 or np.any(np.diff(moments) < 0) or moments[0] < self.last_moment:
            raise ValueError("moments must be a non-empty sorted array after the previous batch's moments")
        self.last_moment = float(moments[-1])
        selection = _Selection(moments, self.frame_size, needs_pixels, progress, self.reformatter)
        walk, decoded_before = self.walk, self.walk.frames_decoded
        if walk.prev is not None:
            # The previous batch stopped at the first frame past its moments; this batch's moments before
            # that frame see the frame before it (or, right after a seek, that first frame itself).
            upto = int(np.searchsorted(moments, walk.prev_time, side="left"))
            if upto:
                on_screen = walk.before is not None
                selection.assign(
                    walk.before if on_screen else walk.prev, walk.before_time if on_screen else walk.prev_time, upto
                )
        try:
            self._walk(selection)
        except av.FFmpegError as err:
            raise VidclsError(
                f"{self.path}: decoding failed near {max(walk.last_time, 0.0):.2f}s ({_describe(err)})"
            ) from None
        if not selection.done:
            packet_end_s = self.packet_end.value * self.tb if self.packet_end.value is not None else None
            _finish_at_end(self.path, selection, walk, expected_end_s, packet_end_s, self.fps)
        return selection.result(walk.frames_decoded - decoded_before)

    def _walk(self, selection: _Selection) -> None:
        """Walk forward, giving each moment the frame on screen; seek across gaps longer than ``seek_gap``."""
        walk, tb, fps = self.walk, self.tb, self.fps
        moments = selection.moments
        behind_frames = 0  # frames re-decoded because a seek landed behind the current position
        while not selection.done:
            frame = next(self.frames, None)
            if frame is None:
                return
            walk.frames_decoded += 1
            time_s = float(frame.pts * tb) if frame.pts is not None else walk.last_time + 1.0 / fps
            if time_s <= walk.last_time:  # after a seek that landed behind us, or a repeated pts
                behind_frames += 1
                continue
            walk.last_time = time_s
            walk.last_duration = float(frame.duration * tb) if frame.duration else 0.0
            upto = int(np.searchsorted(moments, time_s, side="left"))  # moments strictly before this frame
            if upto > selection.next_moment:
                on_screen = walk.prev is not None
                selection.assign(walk.prev if on_screen else frame, walk.prev_time if on_screen else time_s, upto)
            walk.before, walk.before_time = walk.prev, walk.prev_time
            walk.prev, walk.prev_time = frame, time_s
            if behind_frames:
                # The keyframe before the target was behind us: the GOP is long, so seeking
                # re-decodes frames already seen. Seek only across longer gaps from now on.
                self.seek_gap *= 2.0
                behind_frames = 0
            if not selection.done and moments[selection.next_moment] - time_s > self.seek_gap:
                self.container.seek(
                    int(moments[selection.next_moment] / tb), stream=self.stream, backward=True, any_frame=False
                )
                self.frames = _decode_packets(self.container, self.stream, self.skip_pts, self.packet_end)
                # The frame on screen at the moment comes from after the seek; forget the old ones.
                walk.prev, walk.prev_time = None, -np.inf
                walk.before, walk.before_time = None, -np.inf


def _finish_at_end(
    path: str | os.PathLike[str],
    selection: _Selection,
    walk: _Walk,
    expected_end_s: float | None,
    packet_end_s: float | None,
    fps: float,
) -> None:
    """The stream ended before the last moments: give them the last frame, unless the file is truncated."""
    moments = selection.moments
    if walk.last_time == -np.inf:
        raise VidclsError(f"{path}: no decodable video frames (corrupt or truncated file)")
    end_s = expected_end_s if expected_end_s is not None else float(moments[-1])
    # Judge by what was delivered: the last frame lasts its own duration (a GIF or screen
    # recording may hold it for seconds), and packets may say more than decoded frames.
    frames_end = delivered_end_s(max(walk.last_time, walk.prev_time), walk.last_duration, packet_end_s, fps)
    shortfall = float(moments[-1]) - frames_end
    if walk.prev is None or shortfall > max(1.0, 0.1 * (end_s - float(moments[0]))):
        raise VidclsError(
            f"{path}: frames stop at {frames_end:.2f}s but the header promises {end_s:.2f}s "
            "(truncated or corrupt file); re-encode or re-download it"
        )
    selection.assign(walk.prev, walk.prev_time, len(moments))
