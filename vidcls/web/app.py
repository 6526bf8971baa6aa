"""The Flask app: one page plus the JSON API it (and any script) uses.

Routes::

    GET  /                      the page
    GET  /api/health            models, classes, TTA views, dataset size
    GET  /api/videos            ?split=&class=&q=&offset=&limit=  dataset videos (404 for unknown split/class)
    GET  /media/<path>          a dataset video file, with HTTP range support (for <video> seeking)
    POST /api/classify          JSON {"video": id, "tta": bool, "wait": bool}  or  multipart file=<upload>
    GET  /api/jobs/<id>         progress / result of a classification that needed feature extraction

Every error, including 404/405/413/500 from Flask itself, is answered as JSON
``{"error": {"status": ..., "message": ...}}``; the Werkzeug debugger is never enabled.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from pathlib import Path
from typing import Any

from flask import Flask, Response, jsonify, render_template, request, send_file
from werkzeug.exceptions import HTTPException

from vidcls.errors import VidclsError
from vidcls.web.catalog import CatalogError, VideoCatalog
from vidcls.web.jobs import JobManager
from vidcls.web.safety import UnsafePathError, VideoNotFoundError
from vidcls.web.service import ClassifierService
from vidcls.web.uploads import NotAVideoError, UploadStore, check_decodes

log = logging.getLogger(__name__)

#: How long ``wait=true`` blocks before answering 202 with the job to poll instead.
MAX_WAIT_S = 300.0
#: Largest page of /api/videos.
MAX_LIMIT = 5000

_CSP = (
    "default-src 'self'; img-src 'self' data:; media-src 'self' blob:; style-src 'self'; script-src 'self'; "
    "connect-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)


class BadRequestError(VidclsError):
    """A malformed request (missing field, bad value): answered with 400."""


def error_status(err: VidclsError) -> int:
    """The HTTP status for a user-fixable error (anything else the user can fix: 422)."""
    if isinstance(err, UnsafePathError | BadRequestError):
        return 400
    if isinstance(err, VideoNotFoundError | CatalogError):
        return 404
    if isinstance(err, NotAVideoError):
        return 415
    return 422


def _json_error(status: int, message: str) -> tuple[Response, int]:
    return jsonify({"error": {"status": status, "name": HTTPStatus(status).phrase, "message": message}}), status


def _as_bool(value: Any, name: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in {"1", "true", "yes", "on", "0", "false", "no", "off", ""}:
        return value.strip().lower() in {"1", "true", "yes", "on"}
    raise BadRequestError(f"'{name}' must be true or false, got {value!r}.")


def create_app(
    service: ClassifierService,
    catalog: VideoCatalog,
    *,
    max_upload_mb: float = 200.0,
    tta_default: bool = True,
    upload_dir: str | Path | None = None,
    job_workers: int = 1,
) -> Flask:
    """Build the app around an already loaded service (models load once, before the first request)."""
    app = Flask(__name__, static_folder="static", template_folder="templates")
    app.config.update(
        MAX_CONTENT_LENGTH=int(max_upload_mb * 1024 * 1024),
        PROPAGATE_EXCEPTIONS=False,
        TRAP_HTTP_EXCEPTIONS=False,
    )
    app.json.sort_keys = False  # results read top-down: video, source, probabilities, ...
    # "/media//etc/passwd" must not be "merged" into another path by a redirect: it is simply no route.
    app.url_map.merge_slashes = False
    jobs = JobManager(workers=job_workers)
    uploads = UploadStore(upload_dir)
    app.extensions["vidcls"] = {"service": service, "catalog": catalog, "jobs": jobs, "uploads": uploads}

    # --- errors: always JSON ------------------------------------------------------------------
    @app.errorhandler(HTTPException)
    def http_error(err: HTTPException) -> Response | tuple[Response, int]:
        status = err.code or 500
        if status < 400:  # routing redirects are not errors
            return err.get_response()
        message = err.description or HTTPStatus(status).phrase
        if status == 413:
            message = f"upload too large: the limit is {max_upload_mb:g} MB (server.max_upload_mb)."
        return _json_error(status, message)

    @app.errorhandler(VidclsError)
    def user_error(err: VidclsError) -> tuple[Response, int]:
        return _json_error(error_status(err), str(err))

    @app.errorhandler(Exception)
    def internal_error(err: Exception) -> tuple[Response, int]:
        log.exception("unhandled error on %s %s", request.method, request.path)
        return _json_error(500, "internal server error; the details are in the server log.")

    @app.after_request
    def security_headers(response: Response) -> Response:
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        response.headers.setdefault("Content-Security-Policy", _CSP)
        if request.path.startswith("/api/"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    # --- page ----------------------------------------------------------------------------------
    @app.get("/")
    def index() -> str:
        return render_template("index.html", tta_default=tta_default, max_upload_mb=max_upload_mb)

    # --- API -----------------------------------------------------------------------------------
    @app.get("/api/health")
    def health() -> Response:
        return jsonify(
            {
                "status": "ok",
                **service.describe(),
                "tta_default": tta_default,
                "max_upload_mb": max_upload_mb,
                "videos": len(catalog),
                "videos_root": catalog.videos_root is not None,
                "features": catalog.features_dir is not None,
                "skipped_feature_files": catalog.skipped_feature_files,
            }
        )

    @app.get("/api/videos")
    def videos() -> Response:
        args = request.args
        try:
            offset = int(args.get("offset", 0))
            limit = int(args.get("limit", MAX_LIMIT))
        except ValueError:
            raise BadRequestError("'offset' and 'limit' must be integers.") from None
        if offset < 0 or not 1 <= limit <= MAX_LIMIT:
            raise BadRequestError(f"need offset >= 0 and 1 <= limit <= {MAX_LIMIT}.")
        entries = catalog.filter(split=args.get("split") or None, label=args.get("class") or None, query=args.get("q"))
        return jsonify(
            {
                "splits": catalog.splits,
                "classes": catalog.classes,
                "counts": catalog.counts(),
                "total": len(entries),
                "offset": offset,
                "videos": [e.to_json() for e in entries[offset : offset + limit]],
            }
        )

    @app.get("/media/<path:relpath>")
    def media(relpath: str) -> Response:
        path = catalog.file_path(relpath)
        return send_file(path, conditional=True, etag=True, max_age=0)

    @app.get("/api/jobs/<job_id>")
    def job_status(job_id: str) -> Response | tuple[Response, int]:
        snapshot = jobs.snapshot(job_id)
        if snapshot is None:
            return _json_error(404, f"no job {job_id!r} (finished jobs are kept for a while, then forgotten).")
        return jsonify(snapshot)

    @app.post("/api/classify")
    def classify() -> Response | tuple[Response, int]:
        if request.files or (request.mimetype or "").startswith("multipart/"):
            return _classify_upload()
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            raise BadRequestError(
                'send JSON {"video": "<id from /api/videos>", "tta": true} or a multipart upload with field "file".'
            )
        ident = body.get("video")
        if not isinstance(ident, str) or not ident:
            raise BadRequestError('missing "video": give an id from /api/videos.')
        tta = _as_bool(body.get("tta", tta_default), "tta")
        wait = _as_bool(body.get("wait", False), "wait")
        entry = catalog.get(ident)
        if entry.features is not None:
            return jsonify(service.classify_entry(entry, catalog.load_features(entry), tta))
        path = catalog.file_path(entry)
        video = entry.to_json()
        job = jobs.submit(
            "dataset",
            lambda progress: service.classify_file(path, video, tta, ground_truth=entry.label, progress=progress),
            error_status=error_status,
        )
        return _job_response(job.id, wait)

    def _classify_upload() -> Response | tuple[Response, int]:
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            raise BadRequestError('no file in the upload: send it as multipart form field "file".')
        tta = _as_bool(request.form.get("tta", tta_default), "tta")
        wait = _as_bool(request.form.get("wait", False), "wait")
        path, remove = uploads.save(upload)
        try:
            info = check_decodes(path)
        except BaseException:
            remove()
            raise
        video = {
            "id": None,
            "name": Path(upload.filename).name,
            "split": None,
            "label": None,
            "path": None,
            "playable": False,
            "has_features": False,
            "upload": {"bytes": path.stat().st_size, **info},
        }
        job = jobs.submit(
            "upload",
            lambda progress: service.classify_file(path, video, tta, progress=progress),
            cleanup=remove,
            error_status=error_status,
        )
        return _job_response(job.id, wait)

    def _job_response(job_id: str, wait: bool) -> Response | tuple[Response, int]:
        job = jobs.get(job_id)
        assert job is not None
        if wait and job.done_event.wait(MAX_WAIT_S):
            snapshot = jobs.snapshot(job_id) or {}
            if snapshot.get("status") == "error":
                error = snapshot["error"]
                return _json_error(error["status"], error["message"])
            return jsonify(snapshot["result"])
        body = jobs.snapshot(job_id) or {}
        response = jsonify({**body, "poll": f"/api/jobs/{job_id}"})
        response.headers["Location"] = f"/api/jobs/{job_id}"
        return response, 202

    return app
