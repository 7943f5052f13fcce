"""Which sites may frame the tool: the origins of the registered platforms (CSP
``frame-ancestors``, CSP Level 3 section 6.4.2, https://www.w3.org/TR/CSP3/#directive-frame-ancestors).

An LMS embeds the tool in an iframe on its own pages, so the origins of its issuer and of its
authorization endpoint are the ones to allow; any other site that frames the tool is refused by
the browser (clickjacking). Read from the registration store and kept for ``ttl_seconds``:
a registration through this process calls ``invalidate()``, one through another process (the
CLI, another web worker) is seen within the ttl.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from urllib.parse import urlsplit

from etwin_lti.domain.ports import RegistrationStore

DEFAULT_TTL_SECONDS = 30.0
log = logging.getLogger(__name__)


def origin_of(url: str) -> str | None:
    """``scheme://host[:port]`` of an http(s) URL; None for anything else (never a CSP token)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    host = parts.hostname
    if any(ch in host for ch in " ;,'\"") or not host.isascii():
        return None
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}"


class FrameAncestors:
    def __init__(
        self,
        registrations: RegistrationStore,
        *,
        ttl_seconds: float = DEFAULT_TTL_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._registrations = registrations
        self._ttl = ttl_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._cached: tuple[float, tuple[str, ...]] | None = None

    def origins(self) -> tuple[str, ...]:
        with self._lock:
            now = self._clock()
            if self._cached is not None and now - self._cached[0] < self._ttl:
                return self._cached[1]
        found: set[str] = set()
        try:
            platforms = self._registrations.list_platforms()
        except Exception:  # noqa: BLE001 - any store failure (the database is down, say)
            # Headers go on every answer, error pages included: keep the last known list (or
            # 'self' only) rather than turn the answer into a 500. Retried on the next answer.
            log.warning("frame-ancestors: the registered platforms could not be read")
            return self._cached[1] if self._cached is not None else ()
        for platform in platforms:
            for url in (platform.issuer, platform.auth_login_url):
                origin = origin_of(url)
                if origin is not None:
                    found.add(origin)
        origins = tuple(sorted(found))
        with self._lock:
            self._cached = (self._clock(), origins)
        return origins

    def invalidate(self) -> None:
        with self._lock:
            self._cached = None
