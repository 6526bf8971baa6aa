"""The routes: small handlers over :class:`~vidcls.web.service.ClassifierService` and the catalog.

Routes::

    GET  /                      the page
    GET  /api/health            models, classes, TTA views, dataset size, limits
    GET  /api/videos            ?split=&class=&q=&offset=&limit=  dataset videos (404 for unknown split/class)
    GET  /media/<path>          a dataset video file, with HTTP range support (for <video> seeking)
    POST /api/classify          JSON {"video": id, "tta": bool, "wait": bool}  or  multipart file=<upload>
    GET  /api/jobs/<id>         progress / result of a classification that needed feature extraction

Before any of them, :mod:`vidcls.web.guard` checks the Host header (and an absolute-form request
line's host) and, for POSTs, the Origin.
Every error, including 404/405/413/500 from Flask itself, is answered as JSON
``{"error": {"status": ..., "name": ..., "message": ...}}`` with server paths redacted.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, render_template, request, send_file
from werkzeug.exceptions import HTTPException

from vidcls.classes import CLASS_DEFINITIONS
from vidcls.errors import VidclsError
from vidcls.web.catalog import CatalogError, VideoCatalog
from vidcls.web.guard import CrossOriginError, ForeignHostError, RequestGuard
from vidcls.web.jobs import DescribeError, JobLimitError, JobManager, Slot
from vidcls.web.redact import Redactor
from vidcls.web.safety import UnsafePathError, VideoNotFoundError
from vidcls.web.service import ClassifierService
from vidcls.web.uploads import NotAVideoError, UploadStore, check_decodes

log = logging.getLogger(__name__)

#: How long ``wait=true`` blocks before answering 202 with the job to poll instead.
MAX_WAIT_S = 300.0
#: Largest page of /api/videos.
MAX_LIMIT = 5000
#: Largest JSON request body (a classify request is a few dozen bytes).
MAX_JSON_BYTES = 64 * 1024

CSP = (
    "default-src 'self'; img-src 'self' data:; media-src 'self' blob:; style-src 'self'; script-src 'self'; "
    "connect-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)

bp = Blueprint("vidcls", __name__)


@dataclass
class WebState:
    """Everything the handlers share, kept in ``current_app.extensions["vidcls"]``."""

    service: ClassifierService
    catalog: VideoCatalog
    jobs: JobManager
    uploads: UploadStore
    guard: RequestGuard
    redactor: Redactor
    tta_default: bool
    max_upload_mb: float


def state() -> WebState:
    return current_app.extensions["vidcls"]


class BadRequestError(VidclsError):
    """A malformed request (missing field, bad value, malformed JSON): answered with 400."""


class JsonTooLargeError(VidclsError):
    """A JSON body over :data:`MAX_JSON_BYTES`: answered with 413."""


_STATUS: tuple[tuple[type[VidclsError], int], ...] = (
    (UnsafePathError, 400),
    (BadRequestError, 400),
    (ForeignHostError, 400),
    (CrossOriginError, 403),
    (VideoNotFoundError, 404),
    (CatalogError, 404),
    (JsonTooLargeError, 413),
    (NotAVideoError, 415),
    (JobLimitError, 429),
)


def error_status(err: VidclsError) -> int:
    """The HTTP status for a user-fixable error (anything not listed: 422, the models cannot use it)."""
    return next((status for kind, status in _STATUS if isinstance(err, kind)), 422)


def error_describer(redactor: Redactor) -> DescribeError:
    """``err -> (status, redacted message)`` for jobs, which run outside any request (no ``current_app``)."""
    return lambda err: (error_status(err), redactor.text(str(err)))


def json_error(status: int, message: str) -> tuple[Response, int]:
    body = {"status": status, "name": HTTPStatus(status).phrase, "message": state().redactor.text(message)}
    return jsonify({"error": body}), status


def as_bool(value: Any, name: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in {"1", "true", "yes", "on", "0", "false", "no", "off", ""}:
        return value.strip().lower() in {"1", "true", "yes", "on"}
    raise BadRequestError(f"'{name}' must be true or false, got {value!r}.")


def json_body() -> Any:
    """The request's JSON, or 400/413: never a 500 for a malformed, huge or absurdly nested body."""
    usage = 'send JSON {"video": "<id from /api/videos>", "tta": true} or a multipart upload with field "file".'
    if not request.is_json:
        raise BadRequestError(usage)
    if (request.content_length or 0) > MAX_JSON_BYTES:
        raise JsonTooLargeError(f"JSON body over {MAX_JSON_BYTES // 1024} KB; {usage}")
    raw = request.stream.read(MAX_JSON_BYTES + 1)
    if len(raw) > MAX_JSON_BYTES:
        raise JsonTooLargeError(f"JSON body over {MAX_JSON_BYTES // 1024} KB; {usage}")
    try:
        return json.loads(raw)
    except RecursionError:
        raise BadRequestError(f"JSON nested too deeply; {usage}") from None
    except ValueError as err:  # includes UnicodeDecodeError
        raise BadRequestError(f"malformed JSON ({type(err).__name__}); {usage}") from None


# --- guards, headers, errors ---------------------------------------------------------------------
@bp.before_app_request
def check_request() -> None:
    """Host and the request line's host first (DNS rebinding), then Origin on state changes (CSRF): every route."""
    guard = state().guard
    guard.check_host(request.host)
    guard.check_target(request.environ.get("REQUEST_URI"))
    guard.check_origin(request.method, request.scheme, request.host, request.origin, request.referrer)


@bp.after_app_request
def security_headers(response: Response) -> Response:
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("Content-Security-Policy", CSP)
    if request.path.startswith("/api/"):
        response.headers.setdefault("Cache-Control", "no-store")
    return response


@bp.app_errorhandler(HTTPException)
def http_error(err: HTTPException) -> Response | tuple[Response, int]:
    status = err.code or 500
    if status < 400:  # routing redirects are not errors
        return err.get_response()
    message = err.description or HTTPStatus(status).phrase
    if status == 413:
        message = f"upload too large: the limit is {state().max_upload_mb:g} MB (server.max_upload_mb)."
    return json_error(status, message)


@bp.app_errorhandler(VidclsError)
def user_error(err: VidclsError) -> tuple[Response, int]:
    response, status = json_error(error_status(err), str(err))
    if isinstance(err, JobLimitError):
        response.headers["Retry-After"] = str(err.retry_after_s)
    return response, status


@bp.app_errorhandler(Exception)
def internal_error(err: Exception) -> tuple[Response, int]:
    log.exception("unhandled error on %s %s", request.method, request.path)
    return json_error(500, "internal server error; the details are in the server log.")


# --- page and read-only API ----------------------------------------------------------------------
@bp.get("/")
def index() -> str:
    st = state()
    definitions = [(name, CLASS_DEFINITIONS[name]) for name in st.service.class_names if name in CLASS_DEFINITIONS]
    return render_template(
        "index.html", tta_default=st.tta_default, max_upload_mb=st.max_upload_mb, class_definitions=definitions
    )


@bp.get("/api/health")
def health() -> Response:
    st = state()
    body = {
        "status": "ok",
        **st.service.describe(),
        "tta_default": st.tta_default,
        "max_upload_mb": st.max_upload_mb,
        "max_jobs": st.jobs.max_active,
        "active_jobs": st.jobs.active,
        "videos": len(st.catalog),
        "videos_root": st.catalog.videos_root is not None,
        "features": st.catalog.features_dir is not None,
        "skipped_feature_files": st.catalog.skipped_feature_files,
    }
    return jsonify(st.redactor.json(body))


@bp.get("/api/videos")
def videos() -> Response:
    catalog, args = state().catalog, request.args
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


@bp.get("/media/<path:relpath>")
def media(relpath: str) -> Response:
    return send_file(state().catalog.file_path(relpath), conditional=True, etag=True, max_age=0)


@bp.get("/api/jobs/<job_id>")
def job_status(job_id: str) -> Response | tuple[Response, int]:
    snapshot = state().jobs.snapshot(job_id)
    if snapshot is None:
        return json_error(404, f"no job {job_id!r} (finished jobs are kept for a while, then forgotten).")
    return jsonify(snapshot)


# --- classification ------------------------------------------------------------------------------
@bp.post("/api/classify")
def classify() -> Response | tuple[Response, int]:
    # Decided on the Content-Type alone: touching request.files would store the upload before the job cap.
    if (request.mimetype or "").startswith("multipart/"):
        return classify_upload()
    return classify_dataset_video(json_body())


def classify_dataset_video(body: Any) -> Response | tuple[Response, int]:
    st = state()
    if not isinstance(body, dict):
        raise BadRequestError('send a JSON object: {"video": "<id from /api/videos>", "tta": true}.')
    ident = body.get("video")
    if not isinstance(ident, str) or not ident:
        raise BadRequestError('missing "video": give an id from /api/videos.')
    tta = as_bool(body.get("tta", st.tta_default), "tta")
    wait = as_bool(body.get("wait", False), "wait")
    entry = st.catalog.get(ident)
    if entry.features is not None:
        try:  # the file only adds thumbnails: its absence must not cost the instant answer
            file = st.catalog.file_path(entry) if entry.path is not None else None
        except VidclsError:
            file = None
        return jsonify(st.service.classify_entry(entry, st.catalog.load_features(entry), tta, file=file))
    path, video = st.catalog.file_path(entry), entry.to_json()
    job = st.jobs.submit(
        "dataset",
        lambda progress: st.service.classify_file(path, video, tta, ground_truth=entry.label, progress=progress),
        describe_error=error_describer(st.redactor),
    )
    return job_response(job.id, wait)


def classify_upload() -> Response | tuple[Response, int]:
    """Take a job slot first (429 when full), then store, check and queue the upload."""
    st = state()
    slot = st.jobs.reserve()
    try:
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            raise BadRequestError('no file in the upload: send it as multipart form field "file".')
        tta = as_bool(request.form.get("tta", st.tta_default), "tta")
        wait = as_bool(request.form.get("wait", False), "wait")
        return queue_upload(st, slot, upload, tta, wait)
    except BaseException:
        slot.release()
        raise


def queue_upload(st: WebState, slot: Slot, upload: Any, tta: bool, wait: bool) -> Response | tuple[Response, int]:
    path, remove = st.uploads.save(upload)
    try:
        info = check_decodes(path)
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
        job = st.jobs.submit(
            "upload",
            lambda progress: st.service.classify_file(path, video, tta, progress=progress),
            cleanup=remove,
            describe_error=error_describer(st.redactor),
            slot=slot,
        )
    except BaseException:
        remove()
        raise
    return job_response(job.id, wait)


def job_response(job_id: str, wait: bool) -> Response | tuple[Response, int]:
    """The result when ``wait`` and the job ends in time; else 202 with the job to poll."""
    jobs = state().jobs
    job = jobs.get(job_id)
    assert job is not None
    if wait and job.done_event.wait(MAX_WAIT_S):
        snapshot = jobs.snapshot(job_id) or {}
        if snapshot.get("status") == "error":
            error = snapshot["error"]
            return json_error(error["status"], error["message"])
        return jsonify(snapshot["result"])
    body = jobs.snapshot(job_id) or {}
    response = jsonify({**body, "poll": f"/api/jobs/{job_id}"})
    response.headers["Location"] = f"/api/jobs/{job_id}"
    return response, 202
