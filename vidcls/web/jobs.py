"""Background jobs for slow classifications (on-the-fly extraction), polled by the page.

Extraction takes seconds to minutes, longer than a request should block. A job runs in a small
thread pool and publishes the extractor's real ``progress`` callback, so ``GET /api/jobs/<id>``
reports how far decoding + CNN features have got, not a fake timer.

Work is bounded: at most ``max_active`` jobs are queued or running at once (each may hold an
upload on disk). A request takes a :class:`Slot` *before* it stores anything; when none is free it
gets :class:`JobLimitError` (429 with ``Retry-After``), so queued uploads never exceed
``max_active`` files.
"""

from __future__ import annotations

import logging
import math
import threading
import time
import uuid
from collections import OrderedDict, deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from vidcls.errors import VidclsError

log = logging.getLogger(__name__)

Progress = Callable[[float, str], None]
#: ``(status, message)`` a job reports for a user-fixable error.
DescribeError = Callable[[VidclsError], tuple[int, str]]
#: Retry-After (s) before any job has finished, when there is no measured duration to go by.
DEFAULT_RETRY_S = 5


class JobLimitError(VidclsError):
    """Every job slot is taken: answered 429 with ``Retry-After``."""

    def __init__(self, message: str, retry_after_s: int) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


def _default_describe(err: VidclsError) -> tuple[int, str]:
    return 422, str(err)


@dataclass
class Job:
    """A job's public state; mutated only under :class:`JobManager`'s lock."""

    id: str
    kind: str
    status: str = "queued"  # queued | running | done | error
    progress: float = 0.0
    stage: str = "waiting for a free worker"
    result: dict[str, Any] | None = None
    error: str | None = None
    error_status: int | None = None
    created: float = field(default_factory=time.time)
    finished: float | None = None
    done_event: threading.Event = field(default_factory=threading.Event, repr=False)

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "job": self.id,
            "kind": self.kind,
            "status": self.status,
            "progress": round(self.progress, 4),
            "stage": self.stage,
        }
        if self.result is not None:
            body["result"] = self.result
        if self.error is not None:
            body["error"] = {"status": self.error_status, "message": self.error}
        return body


class Slot:
    """One of the manager's ``max_active`` places, held from before an upload is stored until its job ends."""

    def __init__(self, manager: JobManager) -> None:
        self._manager = manager
        self._held = True

    def release(self) -> None:
        """Give the place back (idempotent: the job's end and an early error may both call it)."""
        with self._manager._lock:
            if self._held:
                self._held = False
                self._manager._active -= 1


class JobManager:
    """Runs callables on ``workers`` threads, at most ``max_active`` queued + running, keeps ``keep`` for polling."""

    def __init__(self, workers: int = 1, keep: int = 200, max_active: int = 8) -> None:
        if workers < 1 or max_active < 1:
            raise VidclsError(f"server.job_workers and server.max_jobs must be >= 1, got {workers} and {max_active}.")
        self.workers = workers
        self.max_active = max_active
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="vidcls-job")
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._lock = threading.Lock()
        self._keep = keep
        self._active = 0
        self._durations: deque[float] = deque(maxlen=20)

    @property
    def active(self) -> int:
        """Slots held now (reserved for an upload being stored, queued or running)."""
        with self._lock:
            return self._active

    def retry_after_s(self) -> int:
        """Seconds until a slot is likely free: the recent mean job time x the queue ahead per worker."""
        with self._lock:
            if not self._durations:
                return DEFAULT_RETRY_S
            mean = sum(self._durations) / len(self._durations)
            rounds = max(1, math.ceil(self._active / self.workers))
        return max(1, math.ceil(mean * rounds))

    def reserve(self) -> Slot:
        """A slot for one job, or :class:`JobLimitError` when ``max_active`` are taken."""
        with self._lock:
            full = self._active >= self.max_active
            if not full:
                self._active += 1
        if full:
            wait = self.retry_after_s()
            raise JobLimitError(
                f"the server is busy: {self.max_active} classifications are already queued or running "
                f"(server.max_jobs). Try again in about {wait} s.",
                wait,
            )
        return Slot(self)

    def submit(
        self,
        kind: str,
        work: Callable[[Progress], dict[str, Any]],
        cleanup: Callable[[], None] | None = None,
        describe_error: DescribeError = _default_describe,
        slot: Slot | None = None,
    ) -> Job:
        """Queue ``work(progress)`` in ``slot`` (reserved now if not given); ``cleanup`` runs afterwards
        whatever happens (e.g. delete an upload), and the slot is freed after it."""
        held = slot if slot is not None else self.reserve()
        job = Job(id=uuid.uuid4().hex, kind=kind)
        with self._lock:
            self._jobs[job.id] = job
            self._prune()

        def report(fraction: float, stage: str) -> None:
            with self._lock:
                job.progress = min(1.0, max(job.progress, float(fraction)))
                job.stage = stage

        def run() -> None:
            started = time.monotonic()
            with self._lock:
                job.status, job.stage = "running", "starting"
            outcome: dict[str, Any] = {
                "error": "internal error while classifying; see the server log.",
                "error_status": 500,
            }  # what is reported unless the work, or the description of its error, succeeds
            try:
                outcome = {"result": work(report)}
            except VidclsError as err:
                try:
                    status, message = describe_error(err)
                    outcome = {"error": message, "error_status": status}
                except Exception:
                    log.exception("job %s: describing its error failed", job.id)
            except Exception:
                log.exception("job %s failed", job.id)
            finally:
                # Clean up *before* announcing the end: whoever sees "done" may rely on the upload being gone.
                if cleanup is not None:
                    try:
                        cleanup()
                    except Exception:
                        log.exception("cleanup of job %s failed", job.id)
                with self._lock:
                    self._durations.append(time.monotonic() - started)
                held.release()
                self._finish(job, **outcome)

        try:
            self._pool.submit(run)
        except RuntimeError:  # pool shut down
            if cleanup is not None:
                cleanup()
            held.release()
            with self._lock:
                self._jobs.pop(job.id, None)
            raise
        return job

    def _finish(
        self,
        job: Job,
        result: dict[str, Any] | None = None,
        error: str | None = None,
        error_status: int | None = None,
    ) -> None:
        with self._lock:
            job.result, job.error, job.error_status = result, error, error_status
            job.status = "error" if error is not None else "done"
            job.stage = "failed" if error is not None else "done"
            if error is None:
                job.progress = 1.0
            job.finished = time.time()
        job.done_event.set()

    def _prune(self) -> None:
        finished = [jid for jid, j in self._jobs.items() if j.finished is not None]
        while len(self._jobs) > self._keep and finished:
            self._jobs.pop(finished.pop(0), None)

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)

    def snapshot(self, job_id: str) -> dict[str, Any] | None:
        """A consistent JSON view of a job (taken under the lock, so progress and status agree)."""
        with self._lock:
            job = self._jobs.get(job_id)
            return None if job is None else job.to_json()

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True)  # queued jobs still run, so their uploads are removed
