"""Uploaded files: stored in a private temp dir, checked by decoding a frame, removed afterwards.

The type check trusts neither the file name nor the client's Content-Type: a file is a video only
if it has a video stream and a frame of it actually decodes.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import av
from werkzeug.datastructures import FileStorage
from werkzeug.utils import secure_filename

from vidcls.errors import VidclsError
from vidcls.video.decode import open_video, quarter_turns, shown_size

#: Packets read before giving up on finding a decodable frame (a few seconds of any real video).
MAX_PROBE_PACKETS = 2000


class NotAVideoError(VidclsError):
    """The upload is not a decodable video (answered with 415)."""


def check_decodes(path: Path) -> dict[str, object]:
    """Decode one frame of the first video stream; raise :class:`NotAVideoError` if that is impossible.

    :func:`vidcls.video.decode.open_video` already refuses files without a video stream and still
    images; a header alone can lie, so a frame is decoded too.
    """
    hint = "Upload a video file such as .mp4, .webm, .mkv or .avi."
    try:
        with open_video(path) as (container, stream):
            for packets, packet in enumerate(container.demux(stream)):
                for frame in packet.decode():
                    width, height = shown_size(frame, quarter_turns(frame))  # a portrait phone video as shown
                    return {"width": width, "height": height, "codec": stream.codec_context.name}
                if packets >= MAX_PROBE_PACKETS:
                    break
    except VidclsError as err:
        message = str(err).replace(str(path), "the uploaded file")
        raise NotAVideoError(f"{message}. {hint}") from None
    except (av.FFmpegError, UnicodeDecodeError, ValueError, IndexError, OSError) as err:
        why = type(err).__name__
        raise NotAVideoError(f"the uploaded file could not be decoded as a video ({why}). {hint}") from None
    raise NotAVideoError(f"the uploaded file contains no decodable video frame. {hint}")


class UploadStore:
    """Saves each upload to its own temp directory under ``root`` (default: the system temp dir)."""

    def __init__(self, root: str | Path | None = None) -> None:
        self.root = Path(root) if root is not None else None
        if self.root is not None:
            self.root.mkdir(parents=True, exist_ok=True)

    def save(self, upload: FileStorage) -> tuple[Path, Callable[[], None]]:
        """``(path, remove)``: the saved file and the callable that deletes it (call it exactly once)."""
        filename = secure_filename(upload.filename or "") or "upload"
        suffix = Path(filename).suffix.lower()[:10]
        directory = Path(tempfile.mkdtemp(prefix="vidcls-upload-", dir=self.root))
        path = directory / f"video{suffix}"

        def remove() -> None:
            shutil.rmtree(directory, ignore_errors=True)

        try:
            upload.save(path)
        except BaseException:
            remove()
            raise
        return path, remove
