"""Files → predictions as a pipeline: decoder threads run ahead of the CNN and the ensemble.

The same overlap as ``extract.py`` (:func:`vidcls.extraction.run.prefetch`, the extractor's
thread-safe ``decode`` in workers, ``encode`` on the caller's thread), plus one thread running the
ensemble on file i while the CNN encodes file i+1, yielding each file's :class:`VideoPrediction` in
input order as soon as it is done, so a caller can write it at once.
Bad files come back as error records; nothing here prints.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import torch

from vidcls.inference.predictor import VideoPrediction, VideoPredictor, check_input

#: Called with each file as its CNN stage starts: returns the file's 0..1 progress callback (or None).
OnStart = Callable[[Path], Callable[[float], None] | None]


@contextlib.contextmanager
def one_torch_thread(enabled: bool) -> Iterator[None]:
    """Run the block with torch on one intra-op thread (then restore the count), when ``enabled``.

    For the ensemble beside a CNN that runs outside torch (OpenVINO, ONNX Runtime): one file's
    sequence is a few small matrix products per step, so more threads gain nothing, while torch's
    OpenMP threads spinning beside the runtime's threads and the decoders made that step several
    times slower on a busy 2-core machine (bench/RESULTS.md, "predict.py vs extract.py").
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


def cnn_outside_torch(extractor: object) -> bool:
    """Whether the extractor's CNN runs in a runtime of its own (then torch's threads are the ensemble's alone)."""
    backbone = getattr(extractor, "backbone", None)
    return getattr(backbone, "runtime", "torch") != "torch" and not getattr(backbone, "uses_torch", True)


def _decode(predictor: VideoPredictor, path: Path) -> object:
    """Worker thread: the decoded video, or the exception that stops this file (never raised here)."""
    try:
        check_input(path)
        return predictor.extractor.decode(path)  # type: ignore[attr-defined]
    except Exception as err:  # one broken file must not cost the others their answers
        return err


def _classify(predictor: VideoPredictor, video: object, path: Path, one_thread: bool) -> VideoPrediction:
    """Model thread: one extracted video through the ensemble; an error becomes the file's error record."""
    try:
        with one_torch_thread(one_thread):  # torch's thread count is per thread: set it where torch runs
            return predictor.predict_extracted(video, path=str(path))
    except Exception as err:
        return predictor.failed(str(path), err)


def stream_predictions(
    predictor: VideoPredictor,
    paths: Iterable[str | os.PathLike[str]],
    num_workers: int,
    on_start: OnStart | None = None,
) -> Iterator[VideoPrediction]:
    """Each path's prediction, in order: decoder threads run up to ``2 * num_workers`` files ahead of
    the CNN, and the ensemble classifies file i in a thread of its own while the CNN encodes file i+1.

    Each file goes through the ensemble alone (never batched with others), so an answer does not depend
    on its neighbours: a resumed or sharded run writes the same lines as a single one. Predictors whose
    extractor cannot decode apart from encoding (test doubles), or that keep frame thumbnails for
    attention plots, or that classify window by window (``segment_s``: each window is decoded as the file is
    walked, so there is no whole-file decode to run ahead), run one file at a time through
    :meth:`VideoPredictor.predict_file`.
    """
    items = [Path(p) for p in paths]
    extractor = predictor.extractor
    pipelined = hasattr(extractor, "decode") and hasattr(extractor, "encode")
    if predictor.thumbnail_px > 0 or predictor.segment_s is not None or not pipelined:
        for path in items:
            yield predictor.predict_file(path, progress=on_start(path) if on_start else None)
        return
    from vidcls.extraction.run import prefetch

    workers = max(1, int(num_workers))
    one_thread = predictor.ensemble.device.type == "cpu" and cnn_outside_torch(extractor)
    with (
        ThreadPoolExecutor(workers, thread_name_prefix="predict-decode") as pool,
        ThreadPoolExecutor(1, thread_name_prefix="predict-model") as model,
    ):
        waiting: Future[VideoPrediction] | None = None  # the previous file, in the ensemble
        for path, decoded in prefetch(pool, lambda p: _decode(predictor, p), items, depth=max(2, 2 * workers)):
            progress = on_start(path) if on_start else None
            current: Future[VideoPrediction] = Future()
            if isinstance(decoded, BaseException):
                current.set_result(predictor.failed(str(path), decoded))
            else:
                try:
                    video = extractor.encode(decoded, progress)  # type: ignore[attr-defined]
                except Exception as err:
                    current.set_result(predictor.failed(str(path), err))
                else:
                    current = model.submit(_classify, predictor, video, path, one_thread)
            if waiting is not None:
                yield waiting.result()
            waiting = current
        if waiting is not None:
            yield waiting.result()
