"""Platforms' public key sets (JWKS), fetched over HTTP and cached in the shared cache.

Security Framework 1.0, section 6.3 (https://www.imsglobal.org/spec/security/v1p0/#h_key-set-url):
platforms rotate keys and name them by ``kid``. What the other libraries miss
(lti-landscape.md 0.2, 8.2), done here:

- one cache entry per key-set URL, shared by every worker (``KeyValueCache``), fresh for the
  response's ``Cache-Control: max-age`` (default ``DEFAULT_MAX_AGE``, between the
  ``min_refetch_seconds`` floor and ``MAX_AGE_CAP``);
- an unknown ``kid`` triggers one refetch, at most once per ``min_refetch_seconds`` per URL for
  all workers together (a shared "recently fetched" mark), so forged kids cannot make us hammer
  the platform;
- when a refetch fails, the stale keys keep working for ``STALE_SECONDS``;
- one injected ``requests.Session`` with explicit timeouts; no redirects to other hosts matter
  because only the JSON body is used;
- each worker also keeps the entry it last read, for ``LOCAL_SECONDS`` at most (issue 11, ADR
  0033): a launch signed with a known kid reads nothing at all. A rotated key has a new kid,
  which misses here and goes to the shared entry (and, if needed, to the platform); a changed
  key-set URL is another entry; a key the platform withdrew is refused here too once the local
  copy is older than ``LOCAL_SECONDS`` and the shared entry no longer holds it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import time
from collections.abc import Callable, Mapping
from typing import Any

import requests

from etwin_lti.domain.cache import KeyValueCache
from etwin_lti.domain.translatable import N_
from etwin_lti.lti.errors import PlatformKeysUnavailableError
from etwin_lti.lti.jwks import key_ids

log = logging.getLogger(__name__)

DEFAULT_MAX_AGE = 3600
MAX_AGE_CAP = 24 * 3600
LOCAL_SECONDS = 60  # a worker's own copy of a shared entry
STALE_SECONDS = 7 * 24 * 3600  # how long old keys stay usable when the platform is down
MAX_JWKS_BYTES = 256 * 1024
_MAX_AGE = re.compile(r"(?:^|,)\s*(?:s-)?max-age\s*=\s*\"?(\d+)", re.IGNORECASE)


def max_age(cache_control: str | None, *, default: int, floor: int, cap: int) -> int:
    """Seconds a response may be reused, from its Cache-Control header, kept in [floor, cap].
    ``no-store``/``no-cache`` mean "the floor": refetching on every launch is not an option."""
    if not cache_control:
        return max(floor, min(default, cap))
    lowered = cache_control.lower()
    if "no-store" in lowered or "no-cache" in lowered:
        return floor
    match = _MAX_AGE.search(cache_control)
    seconds = int(match.group(1)) if match else default
    return max(floor, min(seconds, cap))


class HttpPlatformKeySource:
    """``key_set(url, kid=...)`` returns the set that should hold ``kid``."""

    def __init__(
        self,
        cache: KeyValueCache,
        session: requests.Session,
        *,
        timeout_seconds: float,
        min_refetch_seconds: int,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._cache = cache
        self._session = session
        self._timeout = timeout_seconds
        self._min_refetch = min_refetch_seconds
        self._clock = clock
        # url -> (fresh_until, the set, its kids): this worker's copies of shared entries.
        self._local: dict[str, tuple[float, Mapping[str, Any], frozenset[str]]] = {}

    def key_set(self, url: str, *, kid: str) -> Mapping[str, Any]:
        now = self._clock()
        local = self._local.get(url)
        if local is not None and local[0] > now and kid in local[2]:
            return local[1]  # the hot path: no cache read, no HTTP
        name = hashlib.sha256(url.encode()).hexdigest()[:32]
        entry = self._read(name)
        if entry is not None and entry["fresh_until"] > now:
            if kid in key_ids(entry["jwks"]):
                return self._keep(url, entry["fresh_until"], entry["jwks"])
            if not self._cache.add(f"jwks-fetched:{name}", b"1", self._min_refetch):
                return entry["jwks"]  # refetched moments ago: the kid really is unknown
        return self._refresh(url, name, entry)

    def _keep(self, url: str, fresh_until: float, jwks: Mapping[str, Any]) -> Mapping[str, Any]:
        if len(self._local) > 1024:  # as many URLs as platforms; more means something odd
            self._local.clear()
        until = min(float(fresh_until), self._clock() + LOCAL_SECONDS)
        self._local[url] = (until, jwks, key_ids(jwks))
        return jwks

    def _refresh(self, url: str, name: str, stale: dict[str, Any] | None) -> Mapping[str, Any]:
        try:
            jwks, fresh_for = self._fetch(url)
        except PlatformKeysUnavailableError:
            if stale is not None:
                log.warning("platform key set %s unavailable; using cached keys", url)
                return stale["jwks"]
            raise
        fresh_until = self._clock() + fresh_for
        entry = {"jwks": jwks, "fresh_until": fresh_until}
        self._cache.set(f"jwks:{name}", json.dumps(entry).encode(), STALE_SECONDS)
        return self._keep(url, fresh_until, jwks)

    def _read(self, name: str) -> dict[str, Any] | None:
        raw = self._cache.get(f"jwks:{name}")
        if raw is None:
            return None
        try:
            entry = json.loads(raw)
        except ValueError:
            return None
        return entry if isinstance(entry, dict) and "jwks" in entry else None

    def _fetch(self, url: str) -> tuple[dict[str, Any], int]:
        try:
            response = self._session.get(
                url, timeout=self._timeout, headers={"Accept": "application/json"}
            )
        except requests.RequestException as error:
            raise PlatformKeysUnavailableError() from error
        if response.status_code != 200 or len(response.content) > MAX_JWKS_BYTES:
            raise PlatformKeysUnavailableError(
                f"The LMS's public key set answered HTTP {response.status_code}; "
                "the launch cannot be checked."
            )
        try:
            jwks = response.json()
        except ValueError as error:
            raise PlatformKeysUnavailableError() from error
        if not isinstance(jwks, dict) or not isinstance(jwks.get("keys"), list):
            raise PlatformKeysUnavailableError(
                N_("The LMS's public key set is not a JWKS document.")
            )
        fresh_for = max_age(
            response.headers.get("Cache-Control"),
            default=DEFAULT_MAX_AGE,
            floor=self._min_refetch,
            cap=MAX_AGE_CAP,
        )
        return jwks, fresh_for
