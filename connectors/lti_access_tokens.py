"""Access tokens for LTI Advantage services (NRPS, AGS), shared by every worker and instance.

Security Framework 1.0, section 4.1 (https://www.imsglobal.org/spec/security/v1p0/#using-json-web-tokens-with-oauth-2-0-client-credentials-grant):
OAuth 2 client-credentials grant where the client authenticates with a JWT assertion signed by
the tool's current key: ``iss`` = ``sub`` = client_id, ``aud`` = the token URL (or the
platform's declared audience), a fresh ``jti``, a short ``exp``.

What other libraries miss (lti-landscape.md 8.3), done here:

- tokens live in the SHARED cache (``KeyValueCache``: database or Redis) keyed by
  (platform, sorted scope set), so N workers make one token request, not N;
- a token is reused until ``expires_in`` minus a safety margin, never past it;
- callers ask for the scopes of the call they are about to make only (least privilege);
- ``authorized_request`` sends a call with the token and, on a 401, drops the cached token and
  retries once with a fresh one (the platform may revoke tokens before they expire);
- the token is never logged; errors name the platform and its OAuth ``error`` code only;
- with ``memo_seconds`` (bootstrap: ``MEMO_SECONDS``), a process also keeps the tokens it uses
  in memory that long (docs/decisions/0038): a worker posting hundreds of scores a second would
  otherwise read and decrypt the shared entry for every one. Short, because the shared entry's
  remaining life is unknown here (it ends at least a safety margin before the token's own end,
  and a 401 still refreshes). Threads missing the same token fetch it once (a lock per key),
  and ``invalidate`` drops the memory with the shared entry. Off (0) by default: a provider
  built without it reads the shared cache on every call, as before.

The tokens themselves sit in the cache table/Redis for at most their lifetime (≤ 1 hour on
Moodle), encrypted (``SecretBox``): a cache dump or a database backup holds no usable bearer
token. One that no configured key opens (after a key rotation) is fetched again.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

import jwt
import requests

from etwin_lti.domain.cache import KeyValueCache
from etwin_lti.domain.ports import RegistrationStore
from etwin_lti.domain.registrations import Platform
from etwin_lti.domain.tool_keys import ToolKeyStore
from etwin_lti.domain.translatable import N_
from etwin_lti.errors import RemoteServiceError, RemoteTimeoutError
from etwin_lti.persistence.secret_box import SecretBox

CLIENT_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ASSERTION_SECONDS = 300
DEFAULT_EXPIRES_IN = 300  # when the platform does not say, assume a short life
SAFETY_MARGIN_SECONDS = 60  # never use a token in its last minute (clock skew, slow calls)
MIN_CACHE_SECONDS = 5
MAX_TOKEN_RESPONSE_BYTES = 64 * 1024
MEMO_SECONDS = 5.0  # how long bootstrap's provider trusts a token in memory (see above)


class AccessTokenRefusedError(RemoteServiceError):
    """The token endpoint refused the tool; its OAuth ``error`` is in ``platform_error``."""

    error = "access_token_refused"
    description = N_("The LMS refused to give the tool an access token for its services.")
    who_can_fix = N_("your LMS administrator (check the tool's registration and enabled services)")

    def __init__(self, description: str | None = None, *, platform_error: str = "") -> None:
        super().__init__(description, errors={"platform_error": [platform_error]})
        self.platform_error = platform_error


class ScopeNotGrantedError(AccessTokenRefusedError):
    """A token came back without a scope we asked for: the service is switched off."""

    error = "scope_not_granted"
    description = N_("The LMS did not allow the tool to use one of its services.")


class AccessTokenProvider:
    def __init__(
        self,
        registrations: RegistrationStore,
        tool_keys: ToolKeyStore,
        cache: KeyValueCache,
        session: requests.Session,
        *,
        box: SecretBox,
        clock: Callable[[], float] = time.time,
        timeout: float = 10.0,
        jti: Callable[[], str] = lambda: secrets.token_urlsafe(24),
        memo_seconds: float = 0.0,
    ) -> None:
        self._registrations = registrations
        self._tool_keys = tool_keys
        self._cache = cache
        self._session = session
        self._box = box
        self._clock = clock
        self._timeout = timeout
        self._jti = jti
        self._memo_seconds = memo_seconds
        # key -> (token, the clock time until which it is used without asking the cache)
        self._memo: dict[str, tuple[str, float]] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._locks_lock = threading.Lock()

    # --- tokens ---------------------------------------------------------------------------------
    def token(self, platform_id: int, scopes: Sequence[str]) -> str:
        """A bearer token for exactly these scopes (cached and shared; fetched when missing)."""
        key = _cache_key(platform_id, scopes)
        memo = self._memo.get(key)
        if memo is not None and self._clock() < memo[1]:
            return memo[0]
        with self._lock_for(key):  # one fetch per key and process, not one per thread
            memo = self._memo.get(key)
            if memo is not None and self._clock() < memo[1]:
                return memo[0]
            return self._shared_or_new(key, platform_id, scopes)

    def _shared_or_new(self, key: str, platform_id: int, scopes: Sequence[str]) -> str:
        cached = self._cache.get(key)
        plain = self._box.decrypt_bytes(cached) if cached is not None else None
        if plain is not None:
            return self._remember(key, plain.decode(), self._memo_seconds)
        platform = self._registrations.get_platform(platform_id)
        token, lifetime = self._request_token(platform, sorted(set(scopes)))
        ttl = lifetime - min(SAFETY_MARGIN_SECONDS, lifetime // 10 + 1)
        if ttl >= MIN_CACHE_SECONDS:
            self._cache.set(key, self._box.encrypt_bytes(token.encode()), ttl)
            self._remember(key, token, min(ttl, self._memo_seconds))
        return token

    def _remember(self, key: str, token: str, seconds: float) -> str:
        if seconds > 0:
            self._memo[key] = (token, self._clock() + seconds)
        return token

    def _lock_for(self, key: str) -> threading.Lock:
        with self._locks_lock:
            return self._locks.setdefault(key, threading.Lock())

    def invalidate(self, platform_id: int, scopes: Sequence[str]) -> None:
        """Forget the cached token (after the platform answered 401 with it)."""
        key = _cache_key(platform_id, scopes)
        self._memo.pop(key, None)
        self._cache.delete(key)

    def authorized_request(
        self,
        platform_id: int,
        scopes: Sequence[str],
        method: str,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        **kwargs: Any,
    ) -> requests.Response:
        """Send one service call with the bearer token; on 401, refresh the token once and
        retry. The URL is used exactly as given (Moodle's ``?type_id=`` stays). Network
        failures become ``RemoteTimeoutError``/``RemoteServiceError``; other statuses are
        returned for the caller to judge."""
        response = self._send(platform_id, scopes, method, url, headers, kwargs)
        if response.status_code == 401:
            self.invalidate(platform_id, scopes)
            response = self._send(platform_id, scopes, method, url, headers, kwargs)
        return response

    def _send(
        self,
        platform_id: int,
        scopes: Sequence[str],
        method: str,
        url: str,
        headers: Mapping[str, str] | None,
        kwargs: dict[str, Any],
    ) -> requests.Response:
        token = self.token(platform_id, scopes)
        sent = {**(headers or {}), "Authorization": f"Bearer {token}"}
        kwargs.setdefault("timeout", self._timeout)
        try:
            return self._session.request(method, url, headers=sent, **kwargs)
        except requests.Timeout as error:
            raise RemoteTimeoutError(
                f"The LMS did not answer in time ({method} {_origin(url)})."
            ) from error
        except requests.RequestException as error:
            raise RemoteServiceError(f"The LMS could not be reached ({_origin(url)}).") from error

    # --- Security Framework 4.1 -----------------------------------------------------------------
    def client_assertion(self, platform: Platform) -> str:
        key = self._tool_keys.signing_key()
        now = int(self._clock())
        claims = {
            "iss": platform.client_id,
            "sub": platform.client_id,
            "aud": platform.audience or platform.auth_token_url,
            "iat": now,
            "exp": now + ASSERTION_SECONDS,
            "jti": self._jti(),
        }
        return jwt.encode(claims, key.private_key, algorithm="RS256", headers={"kid": key.kid})

    def _request_token(self, platform: Platform, scopes: list[str]) -> tuple[str, int]:
        form = {
            "grant_type": "client_credentials",
            "client_assertion_type": CLIENT_ASSERTION_TYPE,
            "client_assertion": self.client_assertion(platform),
            "scope": " ".join(scopes),
        }
        try:
            response = self._session.post(
                platform.auth_token_url,
                data=form,
                headers={"Accept": "application/json"},
                timeout=self._timeout,
            )
        except requests.Timeout as error:
            raise RemoteTimeoutError(
                f"The token endpoint of {platform.name} did not answer in time."
            ) from error
        except requests.RequestException as error:
            raise RemoteServiceError(
                f"The token endpoint of {platform.name} could not be reached."
            ) from error
        body = _json_object(response)
        if response.status_code != 200 or not isinstance(body.get("access_token"), str):
            code = str(body.get("error") or f"http_{response.status_code}")[:100]
            raise AccessTokenRefusedError(
                f"{platform.name} refused an access token ({code}); check the tool's "
                "registration there and that its services are switched on.",
                platform_error=code,
            )
        granted = body.get("scope")
        if isinstance(granted, str):
            missing = [s for s in scopes if s not in granted.split()]
            if missing:
                raise ScopeNotGrantedError(
                    f"{platform.name} did not grant {', '.join(missing)}: switch the matching "
                    "service on for the tool (in Moodle: the tool's 'Services' settings).",
                    platform_error="scope_not_granted",
                )
        expires_in = body.get("expires_in")
        lifetime = int(expires_in) if isinstance(expires_in, int | float) else DEFAULT_EXPIRES_IN
        return str(body["access_token"]), max(0, lifetime)


def _cache_key(platform_id: int, scopes: Sequence[str]) -> str:
    scope_set = " ".join(sorted(set(scopes)))
    return f"lti-access-token:{platform_id}:{hashlib.sha256(scope_set.encode()).hexdigest()[:32]}"


def _json_object(response: requests.Response) -> dict[str, Any]:
    if len(response.content) > MAX_TOKEN_RESPONSE_BYTES:
        return {}
    try:
        body = json.loads(response.content or b"null")
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _origin(url: str) -> str:
    """Scheme and host only: service URLs may carry identifiers we keep out of messages."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"
