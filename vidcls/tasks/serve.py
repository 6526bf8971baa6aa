"""``app.py``'s task: build the web app and serve it until Ctrl-C or SIGTERM.

waitress serves by default; Flask's development server only with ``server.debug=true``, and even
then without the interactive debugger.
"""

from __future__ import annotations

import logging
import signal
from typing import Any

from omegaconf import DictConfig

from vidcls.utils.cli import seed_from_config
from vidcls.web.guard import WILDCARD_BINDS
from vidcls.web.server import build_app, wsgi_server

log = logging.getLogger(__name__)

_LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def run(cfg: DictConfig) -> dict[str, Any]:
    """Serve on ``server.host:server.port``; once stopped, the results dict says where it served."""
    seed_from_config(cfg)
    app = build_app(cfg)
    server = cfg.server
    host, port = str(server.host), int(server.port)
    url = f"http://{'localhost' if host in _LOOPBACK or host in WILDCARD_BINDS else host}:{port}/"
    if host not in _LOOPBACK:
        log.warning("serving on %s: anyone who can reach this address can use the app (it has no login)", host)
    log.info("%d videos indexed; open %s", len(app.extensions["vidcls"].catalog), url)
    try:
        if bool(server.debug):
            log.warning("server.debug=true: Flask's development server (for development only, never exposed)")
            app.config.update(TEMPLATES_AUTO_RELOAD=True, SEND_FILE_MAX_AGE_DEFAULT=0)
            app.run(host=host, port=port, threaded=True, debug=False, use_reloader=False)
            return {"url": url, "server": "flask"}
        wsgi = wsgi_server(
            app,
            host,
            port,
            threads=int(server.threads),
            connection_limit=int(server.connection_limit),
            channel_timeout=int(server.channel_timeout),
            header_timeout=float(server.header_timeout),
        )

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
        return {"url": url, "server": "waitress"}
    finally:
        app.extensions["vidcls"].jobs.shutdown()
