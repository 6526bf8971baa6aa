"""Who may talk to the app: the Host header and request line (DNS rebinding), the Origin of state changes (CSRF).

A page on another site cannot read this app's answers, but two tricks get around that for a tool
listening on localhost without a login:

* **DNS rebinding**: ``evil.example`` first resolves to the attacker, then to 127.0.0.1; the browser
  thinks it is still talking to ``evil.example`` and lets the page read the answers. The request
  still says ``Host: evil.example:<port>``, so only Host values naming this server are answered.
* **Cross-site requests**: any page can *send* a form or ``fetch`` POST to localhost. Browsers add
  ``Origin`` (or at least ``Referer``) to such requests, so a state-changing request whose Origin
  is not this server is refused. Scripts and curl send neither header and are allowed: they are not
  a browser being steered by somebody else's page.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from vidcls.errors import VidclsError

#: Names the app always answers to (with its port): the machine itself.
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]")
#: Bind addresses that mean "every interface": not a name a browser puts in a Host header.
WILDCARD_BINDS = ("0.0.0.0", "::", "")
#: Methods that change state (start work, store files) and so need a same-origin check.
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class ForeignHostError(VidclsError):
    """The Host header names another server (DNS rebinding, or a LAN name not allowed): 400."""


class CrossOriginError(VidclsError):
    """A state-changing request sent by a page of another origin: 403."""


def _bracket(host: str) -> str:
    """IPv6 literals appear in Host headers as ``[::1]``."""
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


def accepted_hosts(bind: str, port: int, extra: Iterable[str] = ()) -> frozenset[str] | None:
    """Every Host header value the server answers, or ``None`` (no check) when ``extra`` holds ``*``.

    The bind address (unless it is a wildcard), ``localhost``, ``127.0.0.1`` and ``[::1]`` are
    accepted with ``port``; so is each ``extra`` name (``server.allowed_hosts``), which may also carry
    its own port (``name:8080``, for a reverse proxy). Port 80 also accepts the bare name, since
    browsers leave the default port out.
    """
    extra = [str(e).strip().lower() for e in extra if str(e).strip()]
    if "*" in extra:
        return None
    names = [*LOOPBACK_NAMES]
    if bind.strip() not in WILDCARD_BINDS:
        names.append(_bracket(bind.strip().lower()))
    hosts: set[str] = set()
    for name in [*names, *extra]:
        if name.count(":") > 1 and not name.startswith("["):  # a bare IPv6 literal: no port in it
            has_port = False
        else:
            has_port = name.rsplit(":", 1)[-1].isdigit() and (not name.startswith("[") or "]:" in name)
        if has_port:
            hosts.add(name)
            continue
        name = _bracket(name)
        hosts.add(f"{name}:{port}")
        if port == 80:
            hosts.add(name)
    return frozenset(hosts)


@dataclass(frozen=True)
class RequestGuard:
    """The two checks, applied to every request before any route runs."""

    hosts: frozenset[str] | None

    def check_host(self, host: str, *, source: str = "") -> None:
        """Refuse a Host value (or a request line's authority, named in ``source``) that is not this server."""
        if self.hosts is None or host.lower() in self.hosts:
            return
        shown = host if len(host) <= 100 else host[:100] + "..."
        raise ForeignHostError(
            f"this server does not answer to Host {shown!r}{source}. Open it as http://localhost:<port>/ or "
            "http://127.0.0.1:<port>/, or add the name you use to server.allowed_hosts in conf/app.yaml."
        )

    def check_target(self, target: str | None) -> None:
        """The request line's own host: ``GET http://evil.example/api/health`` (absolute form) names one too.

        HTTP/1.1 tells a server to take the host from an absolute-form target and ignore ``Host``, so
        the target's authority must pass the same check. waitress hands the raw target over as
        ``REQUEST_URI`` and keeps only its path; an origin-form ``/path`` (or ``*``) names no host.
        """
        if not target or target.startswith("/") or target == "*":
            return
        try:
            authority = urlsplit(target).netloc
        except ValueError:  # e.g. an unclosed IPv6 bracket
            authority = target
        shown = target if len(target) <= 100 else target[:100] + "..."
        self.check_host(authority, source=f" (from the request line {shown!r})")

    def check_origin(self, method: str, scheme: str, host: str, origin: str | None, referer: str | None) -> None:
        """Refuse a state change whose Origin (or, without one, Referer) is not ``scheme://host``."""
        if method.upper() not in UNSAFE_METHODS:
            return
        source, header = (origin, "Origin") if origin is not None else (referer, "Referer")
        if source is None:
            return  # not sent by a browser on behalf of a page (curl, scripts)
        parts = urlsplit(source.strip()) if source.strip() != "null" else None
        if parts is not None and parts.scheme == scheme and parts.netloc.lower() == host.lower():
            return
        shown = source if len(source) <= 100 else source[:100] + "..."
        raise CrossOriginError(
            f"refused a {method} from another site ({header}: {shown}): only this app's own page may start "
            "classifications. Use the page at this address, or a script (which sends no Origin)."
        )
