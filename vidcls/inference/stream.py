"""Files → predictions as a pipeline: decoder threads run ahead of the CNN and the ensemble.

The same overlap as ``extract.py`` (:func:`vidcls.extraction.run.prefetch`, the extractor's
thread-safe ``decode`` in workers, ``encode`` on the caller's thread), plus one thread running the
ensemble on the files encoded so far (several in one call) while the CNN encodes the next, yielding each
file's :class:`VideoPrediction` in input order as soon as it is done, so a caller can write it at once.
Bad files come back as error records; nothing here prints.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import torch

from vidcls.inference.ensemble import ROW_BLOCK
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


class _ModelThread:
    """The ensemble's thread: encoded files wait in its inbox and go through the ensemble together.

    A batch is taken when ``block`` files wait, when the input has ended or the reader must have the
    oldest answer (:meth:`flush`), or when the oldest has waited ``wait_s``; each file's future gets its
    answer (an error record if it fails). ``block=1``: one file per call, taken at once.
    """

    def __init__(self, predictor: VideoPredictor, one_thread: bool, block: int, wait_s: float) -> None:
        self._predictor = predictor
        self._one_thread = one_thread
        self._block = max(1, block)
        self._wait_s = max(0.0, wait_s) if block > 1 else 0.0
        self._cond = threading.Condition()
        self._inbox: deque[tuple[float, Path, object, Future[VideoPrediction]]] = deque()
        self._flush_until = 0  # files put so far that must not wait for more (the reader waits on them)
        self._put = 0
        self._taken = 0
        self._closed = False
        self._abandoned = False
        self._thread = threading.Thread(target=self._run, name="predict-model", daemon=True)
        self._thread.start()

    def put(self, path: Path, video: object) -> tuple[Future[VideoPrediction], int]:
        """Queue one encoded file: its future answer and its number (for :meth:`flush`)."""
        future: Future[VideoPrediction] = Future()
        with self._cond:
            self._inbox.append((time.monotonic(), path, video, future))
            self._put += 1
            self._cond.notify()
            return future, self._put

    def flush(self, number: int | None = None) -> None:
        """Classify the files up to ``number`` (all: None) without waiting for more: the reader waits on it."""
        with self._cond:
            self._flush_until = max(self._flush_until, self._put if number is None else number)
            self._cond.notify()

    def close(self, abandon: bool = False) -> None:
        """No more files: classify what waits (or drop it when ``abandon``), then end the thread."""
        with self._cond:
            self._closed = True
            self._abandoned = abandon
            self._cond.notify()
        self._thread.join()

    def _take(self) -> list[tuple[float, Path, object, Future[VideoPrediction]]] | None:
        with self._cond:
            while True:
                if self._abandoned or (self._closed and not self._inbox):
                    return None
                if self._inbox:
                    waited = time.monotonic() - self._inbox[0][0]
                    if (
                        len(self._inbox) >= self._block
                        or self._closed
                        or self._flush_until > self._taken
                        or waited >= self._wait_s
                    ):
                        batch = [self._inbox.popleft() for _ in range(min(self._block, len(self._inbox)))]
                        self._taken += len(batch)
                        return batch
                    self._cond.wait(self._wait_s - waited)
                else:
                    self._cond.wait()

    def _run(self) -> None:
        while (batch := self._take()) is not None:
            try:
                answers = self._classify(batch)
            except Exception as err:  # a bug, not a bad file: the reader gets it instead of waiting forever
                for entry in batch:
                    entry[3].set_exception(err)
                continue
            for entry, answer in zip(batch, answers, strict=True):
                entry[3].set_result(answer)

    def _classify(self, batch: list[tuple[float, Path, object, Future[VideoPrediction]]]) -> list[VideoPrediction]:
        """The batch's answers; should the batch fail, each file alone, so one bad file costs only its answer."""
        predictor = self._predictor
        with one_torch_thread(self._one_thread):  # torch's thread count is per thread: set it where torch runs
            try:
                return predictor.predict_extracted_batch([b[2] for b in batch], [str(b[1]) for b in batch])
            except Exception as err:
                if len(batch) == 1:
                    return [predictor.failed(str(batch[0][1]), err)]
            answers = []
            for _, path, video, _ in batch:
                try:
                    answers.append(predictor.predict_extracted(video, path=str(path)))
                except Exception as err:
                    answers.append(predictor.failed(str(path), err))
            return answers


def stream_predictions(
    predictor: VideoPredictor,
    paths: Iterable[str | os.PathLike[str]],
    num_workers: int,
    batch_wait_s: float,
    on_start: OnStart | None = None,
) -> Iterator[VideoPrediction]:
    """Each path's prediction, in order: decoder threads run up to ``2 * num_workers`` files ahead of
    the CNN, and the ensemble classifies encoded files in a thread of its own while the CNN encodes the next.

    Files that are encoded share one ensemble call (up to ``ROW_BLOCK``; a file waits at most ``batch_wait_s``
    for others) when the ensemble is batch-invariant (CPU, masked members: each row's answer is the same
    bits alone or beside any others), so a resumed or sharded run still writes the same lines as a single
    one; otherwise each file goes through alone. Each answer is yielded as soon as it and those before it
    are done; at most ``2 * ROW_BLOCK`` encoded files wait for their answers (what a kill loses, beside the
    decoders' files). Predictors whose extractor cannot decode apart from encoding (test doubles), or that
    keep frame thumbnails for attention plots, or that classify window by window (``segment_s``: each window
    is decoded as the file is walked, so there is no whole-file decode to run ahead), run one file at a time
    through :meth:`VideoPredictor.predict_file`.
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
    block = ROW_BLOCK if predictor.ensemble.batch_invariant else 1
    model = _ModelThread(predictor, one_thread, block, float(batch_wait_s))
    pending: deque[tuple[Future[VideoPrediction], int]] = deque()  # input order: answer to come, number
    finished = False
    try:
        with ThreadPoolExecutor(workers, thread_name_prefix="predict-decode") as pool:
            for path, decoded in prefetch(pool, lambda p: _decode(predictor, p), items, depth=max(2, 2 * workers)):
                progress = on_start(path) if on_start else None
                current: tuple[Future[VideoPrediction], int] = (Future(), 0)
                if isinstance(decoded, BaseException):
                    current[0].set_result(predictor.failed(str(path), decoded))
                else:
                    try:
                        video = extractor.encode(decoded, progress)  # type: ignore[attr-defined]
                    except Exception as err:
                        current[0].set_result(predictor.failed(str(path), err))
                    else:
                        current = model.put(path, video)
                pending.append(current)
                while pending and (pending[0][0].done() or len(pending) > 2 * block):
                    model.flush(pending[0][1])  # (a no-op when the oldest is done or already in the ensemble)
                    yield pending.popleft()[0].result()
        model.flush()
        while pending:
            yield pending.popleft()[0].result()
        finished = True
    finally:
        model.close(abandon=not finished)
