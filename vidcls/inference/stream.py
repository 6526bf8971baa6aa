"""Files → predictions as a pipeline: decoder threads run ahead of the CNN and the ensemble.

The same overlap as ``extract.py`` (:func:`vidcls.extraction.run.prefetch`, the extractor's
thread-safe ``decode`` in workers, ``encode`` on the caller's thread), yielding each file's
:class:`VideoPrediction` in input order as soon as it is done, so a caller can write it at once.
Bad files come back as error records; nothing here prints.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import torch

from vidcls.inference.predictor import VideoPrediction, VideoPredictor, check_input

#: Called with each file as its CNN stage starts: returns the file's 0..1 progress callback (or None).
OnStart = Callable[[Path], Callable[[float], None] | None]


@contextlib.contextmanager
def one_torch_thread(enabled: bool) -> Iterator[None]:
    """Run the block on one torch intra-op thread (then restore the count), when ``enabled``.

    One file's sequence through the ensemble is a few small matrix products per step: more threads
    gain nothing there, while torch's OpenMP threads spinning beside the CNN runtime's threads and
    the decoders made that step 4-10x slower on a busy 2-core machine (0.46-1.98 s vs 0.10-0.19 s
    per file for the default model; bench/RESULTS.md). The CNN keeps its own thread count.
    """
    if not enabled:
        yield
        return
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


def _decode(predictor: VideoPredictor, path: Path) -> object:
    """Worker thread: the decoded video, or the exception that stops this file (never raised here)."""
    try:
        check_input(path)
        return predictor.extractor.decode(path)  # type: ignore[attr-defined]
    except Exception as err:  # one broken file must not cost the others their answers
        return err


def stream_predictions(
    predictor: VideoPredictor,
    paths: Iterable[str | os.PathLike[str]],
    num_workers: int,
    on_start: OnStart | None = None,
) -> Iterator[VideoPrediction]:
    """Each path's prediction, in order, decoding up to ``2 * num_workers`` files ahead of the CNN.

    Predictors whose extractor cannot decode apart from encoding (test doubles), or that keep frame
    thumbnails for attention plots, run one file at a time through :meth:`VideoPredictor.predict_file`.
    """
    items = [Path(p) for p in paths]
    extractor = predictor.extractor
    if predictor.thumbnail_px > 0 or not (hasattr(extractor, "decode") and hasattr(extractor, "encode")):
        for path in items:
            yield predictor.predict_file(path, progress=on_start(path) if on_start else None)
        return
    from vidcls.extraction.run import prefetch

    workers = max(1, int(num_workers))
    on_cpu = predictor.ensemble.device.type == "cpu"
    with ThreadPoolExecutor(workers, thread_name_prefix="predict-decode") as pool:
        for path, decoded in prefetch(pool, lambda p: _decode(predictor, p), items, depth=max(2, 2 * workers)):
            progress = on_start(path) if on_start else None
            if isinstance(decoded, BaseException):
                yield predictor.failed(str(path), decoded)
                continue
            try:
                video = extractor.encode(decoded, progress)  # type: ignore[attr-defined]
                with one_torch_thread(on_cpu):
                    result = predictor.predict_extracted(video, path=str(path))
            except Exception as err:
                result = predictor.failed(str(path), err)
            yield result
