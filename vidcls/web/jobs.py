"""Background jobs for slow classifications (on-the-fly extraction), polled by the page.

Extraction takes seconds to minutes, longer than a request should block. A job runs in a small
thread pool and publishes the extractor's real ``progress`` callback, so ``GET /api/jobs/<id>``
reports how far decoding + CNN features have got, not a fake timer.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from vidcls.errors import VidclsError

log = logging.getLogger(__name__)

Progress = Callable[[float, str], None]


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


class JobManager:
    """Runs callables on ``workers`` threads and keeps the newest ``keep`` jobs for polling."""

    def __init__(self, workers: int = 1, keep: int = 200) -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="vidcls-job")
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._lock = threading.Lock()
        self._keep = keep

    def submit(
        self,
        kind: str,
        work: Callable[[Progress], dict[str, Any]],
        cleanup: Callable[[], None] | None = None,
        error_status: Callable[[VidclsError], int] = lambda _err: 422,
    ) -> Job:
        """Queue ``work(progress)``; ``cleanup`` runs afterwards whatever happens (e.g. delete an upload)."""
        job = Job(id=uuid.uuid4().hex, kind=kind)
        with self._lock:
            self._jobs[job.id] = job
            self._prune()

        def report(fraction: float, stage: str) -> None:
            with self._lock:
                job.progress = min(1.0, max(job.progress, float(fraction)))
                job.stage = stage

        def run() -> None:
            with self._lock:
                job.status, job.stage = "running", "starting"
            outcome: dict[str, Any] = {}
            try:
                outcome["result"] = work(report)
            except VidclsError as err:
                outcome.update(error=str(err), error_status=error_status(err))
            except Exception:
                log.exception("job %s failed", job.id)
                outcome.update(error="internal error while classifying; see the server log.", error_status=500)
            finally:
                # Clean up *before* announcing the end: whoever sees "done" may rely on the upload being gone.
                if cleanup is not None:
                    try:
                        cleanup()
                    except Exception:
                        log.exception("cleanup of job %s failed", job.id)
                self._finish(job, **outcome)

        try:
            self._pool.submit(run)
        except RuntimeError:  # pool shut down
            if cleanup is not None:
                cleanup()
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
