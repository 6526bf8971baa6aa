"""waitress with every connection bounded in time, so that idle or half-sent clients cannot lock others out.

Plain waitress stops accepting once ``connection_limit`` connections are open, and closes an idle
one only after ``channel_timeout`` (120 s, checked every 30 s). So 32 sockets that send half a
request and wait lock everyone out for about 2.5 minutes, and a local process that reopens them,
for as long as it likes. :func:`bounded_server` changes three things:

* **At the limit, make room instead of refusing.** The open connection idle the longest (none of
  its requests being answered; a silent one only once it is :data:`GRACE_S` old) is closed so that
  a new one can be accepted. Sockets held open without finishing a request only push out each other; a real
  request arrives within milliseconds of its connection being accepted and is then never chosen.
* **Headers have a deadline.** A request whose headers are not complete ``header_timeout`` seconds
  after its first byte is dropped, however slowly it keeps dripping bytes ("slowloris"). A body is
  bounded by ``channel_timeout`` instead (no byte for that long), so big uploads on slow links work.
* **Idle connections are checked every second** (not every 30 s) against ``channel_timeout``.

Clients that send complete requests and then stop reading the answers hold a request thread, not
just a connection: ``server.threads`` and the job cap bound that, not this module.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from typing import Any

from waitress.adjustments import Adjustments
from waitress.channel import HTTPChannel
from waitress.server import MultiSocketServer, TcpWSGIServer
from waitress.task import ThreadedTaskDispatcher

log = logging.getLogger(__name__)

#: Seconds between two sweeps for timed-out connections (waitress's own default is 30).
SWEEP_INTERVAL_S = 1
#: A connection this young that has sent nothing yet is never closed to make room: its request may be on the way.
GRACE_S = 0.5
#: The "connection limit reached" warning is repeated at most this often while it lasts.
WARN_EVERY_S = 60.0


class TimedChannel(HTTPChannel):
    """An HTTP connection that remembers when its unfinished request started to arrive."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._timed_request: Any = None
        self.request_started: float | None = None
        self.heard_from = False

    def received(self, data: bytes) -> bool:
        """Runs on the event loop thread (as do the sweeps that read ``request_started``)."""
        self.heard_from = self.heard_from or bool(data)
        accepted = super().received(data)
        if self.request is None:
            self._timed_request, self.request_started = None, None
        elif self.request is not self._timed_request:  # a new request began in this chunk of data
            self._timed_request, self.request_started = self.request, time.time()
        return accepted

    def headers_overdue(self, now: float, header_timeout: float) -> bool:
        """True when a request's headers have been arriving for longer than ``header_timeout`` seconds."""
        return (
            self.request is not None
            and self.request_started is not None
            and not self.request.headers_finished
            and now - self.request_started > header_timeout
        )

    def evictable(self, now: float) -> bool:
        """Nothing being answered or sent on it, not already closing, and it had its chance to send a request:
        some bytes came (a whole request would be being answered), or it is older than :data:`GRACE_S`."""
        busy = self.requests or self.total_outbufs_len or self.will_close or self.close_when_flushed
        return not busy and (self.heard_from or now - self.creation_time >= GRACE_S)


class BoundedServer(TcpWSGIServer):
    """A waitress TCP server that sheds stale connections at the limit and enforces a header deadline."""

    channel_class = TimedChannel

    def __init__(self, *args: Any, header_timeout: float, **kwargs: Any) -> None:
        self.header_timeout = float(header_timeout)
        self._shed = 0
        self._warned_at = float("-inf")
        self._recheck: threading.Timer | None = None
        super().__init__(*args, **kwargs)

    def channels(self) -> list[TimedChannel]:
        """Every open connection, those of the other listening sockets too (they share one map)."""
        return [obj for obj in self._map.values() if isinstance(obj, TimedChannel)]

    def maintenance(self, now: float) -> None:
        """waitress's idle sweep (``channel_timeout``), then the header deadline."""
        super().maintenance(now)
        for channel in self.active_channels.values():
            if channel.headers_overdue(now, self.header_timeout):
                channel.will_close = True

    def readable(self) -> bool:
        """Accept while under the limit; at the limit, close the stalest idle connection to make room."""
        now = time.time()
        if now >= self.next_channel_cleanup:
            self.next_channel_cleanup = now + self.adj.cleanup_interval
            self.maintenance(now)
        if not self.accepting:
            return False
        if len(self._map) < self.adj.connection_limit:
            return True
        self.make_room(now)
        return False  # accept on the next loop turn, once the chosen connection is closed

    def make_room(self, now: float) -> None:
        channels = self.channels()
        if any(c.will_close or c.close_when_flushed for c in channels):
            return  # a connection is already on its way out
        idle = [c for c in channels if c.evictable(now)]
        if idle:
            min(idle, key=lambda c: c.last_activity).will_close = True
            self._shed += 1
            self.pull_trigger()  # wake the loop so the connection is closed now, not after its 1 s select
        else:
            self.recheck_when_grace_ends([c.creation_time + GRACE_S for c in channels if not c.heard_from], now)
        if now - self._warned_at >= WARN_EVERY_S:
            self._warned_at = now
            log.warning(
                "connection limit (server.connection_limit=%d) reached: %s",
                self.adj.connection_limit,
                f"closed {self._shed} connection(s) idle the longest to make room"
                if idle
                else "every connection is busy or just opened; new ones wait until one is free",
            )
            self._shed = 0

    def recheck_when_grace_ends(self, grace_ends: list[float], now: float) -> None:
        """Wake the loop when the first silent connection's grace ends (left alone, it sleeps up to 1 s)."""
        if not grace_ends or (self._recheck is not None and self._recheck.is_alive()):
            return
        self._recheck = threading.Timer(max(0.0, min(grace_ends) - now) + 0.01, self._wake)
        self._recheck.daemon = True
        self._recheck.start()

    def _wake(self) -> None:
        if self.trigger._closed:  # the server was closed meanwhile: its pipe's fd may belong to another file now
            return
        with contextlib.suppress(OSError):
            self.pull_trigger()

    def close(self) -> None:
        if self._recheck is not None:
            self._recheck.cancel()
        super().close()


def bounded_server(app: Any, *, header_timeout: float, **adjustments: Any) -> BoundedServer | MultiSocketServer:
    """Like :func:`waitress.create_server` for TCP, with :class:`BoundedServer` on every listening socket."""
    adj = Adjustments(cleanup_interval=SWEEP_INTERVAL_S, **adjustments)
    dispatcher = ThreadedTaskDispatcher()
    dispatcher.set_thread_count(adj.threads)
    shared: dict[int, Any] = {}
    servers = [
        BoundedServer(app, shared, dispatcher=dispatcher, adj=adj, sockinfo=info, header_timeout=header_timeout)
        for info in adj.listen
    ]
    if len(servers) == 1:
        return servers[0]
    listening = [(s.effective_host, s.effective_port) for s in servers]
    return MultiSocketServer(shared, adj, listening, dispatcher, servers[0].log_info)
