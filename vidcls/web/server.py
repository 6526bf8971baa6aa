"""Build the web app from a Hydra config and serve it (what ``app.py`` calls).

The app is served by waitress, a production WSGI server in pure Python (a thread pool, request
bodies buffered and size-checked before the app sees them). Flask's development server is used
only with ``server.debug=true``, and even then without the interactive debugger.
"""

from __future__ import annotations

import logging
import signal
from typing import Any

from flask import Flask
from omegaconf import DictConfig, OmegaConf

from vidcls.errors import VidclsError
from vidcls.inference import load_ensemble
from vidcls.web.app import create_app
from vidcls.web.catalog import VideoCatalog
from vidcls.web.guard import WILDCARD_BINDS, accepted_hosts
from vidcls.web.service import ClassifierService

log = logging.getLogger(__name__)

_LOOPBACK = {"127.0.0.1", "localhost", "::1"}
_MB = 1024 * 1024


def build_app(cfg: DictConfig) -> Flask:
    """Load the ensemble once, index the dataset, and wire both into the Flask app."""
    if cfg.get("ckpt_paths") in (None, "", "???"):
        raise VidclsError("set ckpt_paths=<checkpoint, glob, list or run directory> to choose the models to serve.")
    ckpt_paths = OmegaConf.to_object(cfg.ckpt_paths) if OmegaConf.is_config(cfg.ckpt_paths) else cfg.ckpt_paths
    ensemble = load_ensemble(ckpt_paths, device=cfg.device, allow_unsafe_load=bool(cfg.get("allow_unsafe_load")))
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


def wsgi_server(app: Flask, host: str, port: int, *, threads: int, connection_limit: int) -> Any:
    """A waitress server for ``app`` (not yet running): bodies over the upload limit are refused unread."""
    from waitress import create_server

    return create_server(
        app,
        host=host,
        port=port,
        threads=threads,
        connection_limit=connection_limit,
        max_request_body_size=int(app.config["MAX_CONTENT_LENGTH"]),
        clear_untrusted_proxy_headers=True,
    )


def serve(cfg: DictConfig) -> None:
    """Serve until Ctrl-C (or SIGTERM) on ``server.host:server.port``."""
    app = build_app(cfg)
    server = cfg.server
    host, port = str(server.host), int(server.port)
    if host not in _LOOPBACK:
        log.warning("serving on %s: anyone who can reach this address can use the app (it has no login)", host)
    shown = "localhost" if host in _LOOPBACK or host in WILDCARD_BINDS else host
    log.info("%d videos indexed; open http://%s:%d/", len(app.extensions["vidcls"].catalog), shown, port)
    try:
        if bool(server.debug):
            log.warning("server.debug=true: Flask's development server (for development only, never exposed)")
            app.config.update(TEMPLATES_AUTO_RELOAD=True, SEND_FILE_MAX_AGE_DEFAULT=0)
            app.run(host=host, port=port, threaded=True, debug=False, use_reloader=False)
            return
        wsgi = wsgi_server(app, host, port, threads=int(server.threads), connection_limit=int(server.connection_limit))

        def stop(_signum: int, _frame: object) -> None:
            raise KeyboardInterrupt

        signal.signal(signal.SIGTERM, stop)  # `kill` stops it like Ctrl-C: jobs finish, uploads are removed
        log.info("waitress serving on http://%s:%d/ with %d threads", host, port, int(server.threads))
        try:
            wsgi.run()
        except KeyboardInterrupt:
            log.info("stopping")
        finally:
            wsgi.close()
    finally:
        app.extensions["vidcls"].jobs.shutdown()
