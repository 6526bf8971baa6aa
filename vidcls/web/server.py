"""Build the web app from a Hydra config and serve it (what ``app.py`` calls)."""

from __future__ import annotations

import logging

from flask import Flask
from omegaconf import DictConfig, OmegaConf

from vidcls.errors import VidclsError
from vidcls.inference import load_ensemble
from vidcls.web.app import create_app
from vidcls.web.catalog import VideoCatalog
from vidcls.web.service import ClassifierService

log = logging.getLogger(__name__)

_LOOPBACK = {"127.0.0.1", "localhost", "::1"}


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
    )
    return create_app(
        service,
        catalog,
        max_upload_mb=float(cfg.server.max_upload_mb),
        tta_default=bool(cfg.tta_default),
        upload_dir=cfg.server.get("upload_dir"),
        job_workers=int(cfg.server.job_workers),
    )


def serve(cfg: DictConfig) -> None:
    """Serve until Ctrl-C on ``server.host:server.port`` (threaded: polling never waits on a classification)."""
    app = build_app(cfg)
    host, port = str(cfg.server.host), int(cfg.server.port)
    if host not in _LOOPBACK:
        log.warning("serving on %s: anyone who can reach this address can use the app (it has no login)", host)
    catalog = app.extensions["vidcls"]["catalog"]
    log.info("%d videos indexed; open http://%s:%d/", len(catalog), "localhost" if host in _LOOPBACK else host, port)
    try:
        app.run(host=host, port=port, threaded=True, debug=False, use_reloader=False)
    finally:
        app.extensions["vidcls"]["jobs"].shutdown()
