"""The Flask app: configuration and shared state; the routes live in :mod:`vidcls.web.routes`."""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

from flask import Flask

from vidcls.web.catalog import VideoCatalog
from vidcls.web.guard import RequestGuard, accepted_hosts
from vidcls.web.jobs import JobManager
from vidcls.web.redact import Redactor
from vidcls.web.routes import WebState, bp
from vidcls.web.service import ClassifierService
from vidcls.web.uploads import UploadStore


def create_app(
    service: ClassifierService,
    catalog: VideoCatalog,
    *,
    max_upload_mb: float = 200.0,
    tta_default: bool = False,
    upload_dir: str | Path | None = None,
    job_workers: int = 1,
    max_jobs: int = 4,
    hosts: Collection[str] | None = accepted_hosts("127.0.0.1", 5000),
) -> Flask:
    """Build the app around an already loaded service (models load once, before the first request).

    ``hosts`` are the exact Host header values answered (see :func:`vidcls.web.guard.accepted_hosts`;
    ``None`` turns the check off); at most ``max_jobs`` classifications are queued or running at once.
    """
    app = Flask(__name__, static_folder="static", template_folder="templates")
    app.config.update(
        MAX_CONTENT_LENGTH=int(max_upload_mb * 1024 * 1024),
        PROPAGATE_EXCEPTIONS=False,
        TRAP_HTTP_EXCEPTIONS=False,
    )
    app.json.sort_keys = False  # results read top-down: video, source, probabilities, ...
    # "/media//etc/passwd" must not be "merged" into another path by a redirect: it is simply no route.
    app.url_map.merge_slashes = False
    uploads = UploadStore(upload_dir)
    roots = {"data.videos_dir": catalog.videos_root, "data.features_dir": catalog.features_dir}
    app.extensions["vidcls"] = WebState(
        service=service,
        catalog=catalog,
        jobs=JobManager(workers=job_workers, max_active=max_jobs),
        uploads=uploads,
        guard=RequestGuard(None if hosts is None else frozenset(h.lower() for h in hosts)),
        redactor=Redactor({**roots, "server.upload_dir": uploads.root}),
        tta_default=tta_default,
        max_upload_mb=max_upload_mb,
    )
    app.register_blueprint(bp)
    return app
