"""Per request: the request id, the request's log line and the launch and refusal counters;
and ``GET /metrics`` (etwin_lti.observability).

The request line carries ``method``, ``path``, ``status`` and ``duration_ms``. Its path is the
route with ids filled in (``/embed/twinspace/12``) and any other argument left as its name
(``/lti/link/invitation/<token>``: that one is a secret); never the query string (login hints,
registration tokens). A path no route matched is cut to its first segment.

``/metrics`` must not leak to the world: without ``ETWIN_METRICS_TOKEN`` it answers only a
client on the loopback interface (the direct peer and, behind the proxy, the forwarded client
both); with the token, ``Authorization: Bearer <token>`` from anywhere, compared in constant
time.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import re
import time
from typing import Any

from flask import Blueprint, Flask, Response, g, request

from etwin_lti.errors import AuthenticationError, PermissionDeniedError
from etwin_lti.observability.request_ids import HEADER, begin_request, end_request
from etwin_lti.web.container import services

log = logging.getLogger("etwin_lti.requests")
bp = Blueprint("metrics", __name__)
LAUNCH_ENDPOINT = "lti.launch"
QUIET_ENDPOINTS = {"health.healthz", "metrics.metrics"}  # probes every few seconds: DEBUG
_ARGUMENT = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")
_SHOWN_CONVERTERS = {"int", "any"}  # ids and fixed words; any other value may be a secret
_STATE = "_etwin_request"


def install_observability(app: Flask) -> None:
    """Before every other hook, so that everything a request logs carries its id."""
    app.before_request(_begin)
    app.after_request(_finish)
    app.teardown_request(_end)
    app.register_blueprint(bp)


def note_refusal(code: str) -> None:
    """The error mapping (etwin_lti.web.errors) names the code it answered with."""
    if _STATE in g:
        g.etwin_refusal = code


def _begin() -> None:
    request_id, token = begin_request(request.headers.get(HEADER))
    setattr(g, _STATE, (request_id, token, time.perf_counter()))


def _finish(response: Response) -> Response:
    state = g.get(_STATE)
    if state is None:
        return response
    request_id, _token, started = state
    response.headers[HEADER] = request_id
    status = response.status_code
    container = services()
    if request.endpoint == LAUNCH_ENDPOINT:
        container.metrics.launch(status)
    code = g.pop("etwin_refusal", None)
    if code is not None and status >= 400:
        container.metrics.refusal(code, status_code=status)
    path = logged_path()
    duration_ms = round((time.perf_counter() - started) * 1000, 1)
    log.log(
        logging.DEBUG if request.endpoint in QUIET_ENDPOINTS else logging.INFO,
        "%s %s %s %.1f ms",
        request.method,
        path,
        status,
        duration_ms,
        extra={
            "method": request.method,
            "path": path,
            "status": status,
            "duration_ms": duration_ms,
        },
    )
    return response


def _end(_error: BaseException | None) -> None:
    state = g.pop(_STATE, None)
    if state is not None:
        end_request(state[1])


def logged_path() -> str:
    rule = request.url_rule
    if rule is None:
        first = request.path.lstrip("/").split("/", 1)
        head = re.sub(r"[^A-Za-z0-9._-]", "?", first[0][:40])
        return f"/{head}" + ("/…" if len(first) > 1 else "")
    values: dict[str, Any] = request.view_args or {}

    def fill(match: re.Match[str]) -> str:
        converter, name = match.group(1) or "default", match.group(2)
        if converter in _SHOWN_CONVERTERS and name in values:
            return str(values[name])
        return f"<{name}>"

    return _ARGUMENT.sub(fill, rule.rule)


@bp.get("/metrics")
def metrics() -> Response:
    container = services()
    _check_scraper(container.settings.metrics_token)
    body, content_type = container.metrics.render(container.queue_snapshot)
    response = Response(body, content_type=content_type)
    response.cache_control.no_store = True
    return response


def _check_scraper(token: str | None) -> None:
    if token is None:
        if not _from_loopback():
            raise PermissionDeniedError(
                "/metrics answers only on the loopback interface.",
                who_can_fix="the tool administrator (set ETWIN_METRICS_TOKEN to scrape from "
                "another machine)",
            )
        return
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    # Bytes: compare_digest refuses non-ASCII str, and a header may carry anything.
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        given.strip().encode("utf-8", "surrogateescape"), token.encode("utf-8")
    ):
        raise AuthenticationError("/metrics needs Authorization: Bearer <ETWIN_METRICS_TOKEN>.")


def _from_loopback() -> bool:
    # Behind ProxyFix (an https base URL) remote_addr is the forwarded client; the direct peer
    # must be local too, or anyone could claim 127.0.0.1 in X-Forwarded-For.
    original = request.environ.get("werkzeug.proxy_fix.orig", {}).get("REMOTE_ADDR")
    addresses = [request.remote_addr] + ([original] if original is not None else [])
    return all(_is_loopback(address) for address in addresses)


def _is_loopback(address: str | None) -> bool:
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_loopback
