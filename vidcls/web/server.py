"""Build the web app from a Hydra config, and the WSGI server that serves it (:mod:`vidcls.tasks.serve` runs both).

The app is served by waitress, a production WSGI server in pure Python (a thread pool, request
bodies buffered and size-checked before the app sees them).
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask
from omegaconf import DictConfig

from vidcls.errors import VidclsError
from vidcls.inference import load_ensemble
from vidcls.utils.config import to_plain
from vidcls.web.app import create_app
from vidcls.web.catalog import VideoCatalog
from vidcls.web.guard import accepted_hosts
from vidcls.web.service import ClassifierService

log = logging.getLogger(__name__)


def build_app(cfg: DictConfig) -> Flask:
    """Load the ensemble once, index the dataset, and wire both into the Flask app."""
    if cfg.get("ckpt_paths") in (None, "", "???"):
        raise VidclsError("set ckpt_paths=<checkpoint, glob, list or run directory> to choose the models to serve.")
    ensemble = load_ensemble(
        to_plain(cfg.ckpt_paths), device=cfg.device, allow_unsafe_load=bool(cfg.get("allow_unsafe_load"))
    )
    videos_dir, features_dir = cfg.data.get("videos_dir"), cfg.data.get("features_dir")
    catalog = VideoCatalog(videos_dir, features_dir, check_features=ensemble.check_feature_file)
    catalog.order_classes(ensemble.class_names)
    if videos_dir is None and features_dir is None:
        log.warning("no data.videos_dir / data.features_dir: the page can only classify uploads")
    service = ClassifierService(
        ensemble,
        tta_views=list(cfg.tta.views),
        device=str(cfg.device),
        extractor_batch_size=int(cfg.extractor_batch_size),
        extractor_runtime=str(cfg.extractor_runtime),
        thumbnail_px=int(cfg.thumbnail_px),
        segment_s=cfg.get("segment_s"),
    )
    server = cfg.server
    extra = list(server.allowed_hosts or [])
    if "*" in extra:
        log.warning("server.allowed_hosts contains '*': any Host header is answered (no DNS-rebinding protection)")
    return create_app(
        service,
        catalog,
        max_upload_mb=float(server.max_upload_mb),
        tta_default=bool(cfg.tta_default),
        upload_dir=server.get("upload_dir"),
        job_workers=int(server.job_workers),
        max_jobs=int(server.max_jobs),
        hosts=accepted_hosts(str(server.host), int(server.port), extra),
    )


def wsgi_server(
    app: Flask,
    host: str,
    port: int,
    *,
    threads: int,
    connection_limit: int,
    channel_timeout: int,
    header_timeout: float,
) -> Any:
    """A waitress server for ``app`` (not yet running): bodies over the upload limit are refused unread,
    and idle or half-sent connections are bounded in time (:mod:`vidcls.web.connections`)."""
    from vidcls.web.connections import bounded_server

    return bounded_server(
        app,
        header_timeout=header_timeout,
        host=host,
        port=port,
        threads=threads,
        connection_limit=connection_limit,
        channel_timeout=channel_timeout,
        max_request_body_size=int(app.config["MAX_CONTENT_LENGTH"]),
        clear_untrusted_proxy_headers=True,
    )
