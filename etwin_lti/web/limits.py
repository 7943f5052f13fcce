"""Abuse limits (Flask-Limiter): login initiation, launch, dynamic registration, API tokens,
uploads and one-time codes.

Views say which limit they need with ``@rate_limited(LOGIN)`` (a mark, nothing else); when the
app is built, ``install_limits`` wraps each marked view with this app's ``Limiter``, so every
app (and every test) has its own counters. The limits are ``Settings.rate_limit_*``; counters
live in Redis when ``ETWIN_REDIS_URL`` is set (shared by every web process) and in memory on the
embedded default. A refused request is a 429 through ``etwin_lti.web.errors`` (a page for
people in the LMS iframe, the JSON body for the API) with ``Retry-After``.

Keys: the client address (``ProxyFix`` trusts one proxy's ``X-Forwarded-For`` behind TLS), and
for the API the token itself (a hash of it), plus refused tokens per address so that guessing
tokens is slow while a busy school's valid token is not throttled by its neighbours. The chat's
posting limit counts per person and TwinSpace, and only accepted messages: a whole class sits
behind one address, and a refused post is no flood.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from werkzeug.wrappers import Response

from etwin_lti.errors import EtwinLtiError
from etwin_lti.settings import Settings
from etwin_lti.web.session import current_launch

F = TypeVar("F", bound=Callable[..., Any])

LOGIN = "login"
LAUNCH = "launch"
REGISTRATION = "registration"
UPLOAD = "upload"
ONE_TIME_CODE = "one_time_code"  # e.g. the teacher-linking codes: @rate_limited(ONE_TIME_CODE)
CHAT = "chat"  # posting in a TwinSpace chat, per person and TwinSpace
NAMES = (LOGIN, LAUNCH, REGISTRATION, UPLOAD, ONE_TIME_CODE, CHAT)
_MARK = "_etwin_rate_limit"
EXTENSION = "etwin_limiter"


def rate_limited(name: str) -> Callable[[F], F]:
    """Put the view under the named limit: one of ``NAMES``, its value is
    ``Settings.rate_limit_<name>``."""
    if name not in NAMES:
        raise ValueError(f"unknown rate limit {name!r}")

    def mark(view: F) -> F:
        setattr(view, _MARK, name)
        return view

    return mark


def _token_key() -> str:
    _scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    return "api-token:" + hashlib.sha256(secret.strip().encode()).hexdigest()[:32]


def _refused(response: Response) -> bool:
    return response.status_code in (401, 403)


def _accepted(response: Response) -> bool:
    return response.status_code < 400


def _person_in_twinspace_key() -> str:
    """The launch session's person in the TwinSpace of the URL; without a session (the view
    answers 401) the client address."""
    try:
        person_id = current_launch().person_id
    except EtwinLtiError:
        person_id = None
    twinspace_id = (request.view_args or {}).get("twinspace_id")
    if person_id is None:
        return "address:" + (get_remote_address() or "unknown")
    return f"person:{person_id}:twinspace:{twinspace_id}"


# Limits whose key, message or counting differ from the default (per address, every request).
_KEYS: dict[str, Callable[[], str]] = {CHAT: _person_in_twinspace_key}
_MESSAGES = {
    CHAT: "You are sending messages too fast. Wait a few seconds, then send your message again."
}
_DEDUCT_WHEN: dict[str, Callable[[Response], bool]] = {CHAT: _accepted}


def install_limits(app: Flask, settings: Settings) -> Limiter:
    """After every blueprint is registered: wrap the marked views and the API's views."""
    limiter = Limiter(
        get_remote_address,
        app=app,
        storage_uri=settings.redis_url or "memory://",
        strategy="moving-window",
        headers_enabled=True,
        key_prefix="etwin-limits",
        enabled=settings.rate_limits_enabled,
        # A Redis outage must not take the launch down with it: count in memory meanwhile.
        in_memory_fallback_enabled=bool(settings.redis_url),
        swallow_errors=True,
    )
    views: dict[str, Any] = app.view_functions  # re-wrapped in place, any view signature
    for endpoint, view in list(views.items()):
        name = getattr(view, _MARK, None)
        if name is not None:
            value = getattr(settings, f"rate_limit_{name}")
            views[endpoint] = limiter.limit(
                value,
                scope=name,
                key_func=_KEYS.get(name),
                error_message=_MESSAGES.get(name),
                deduct_when=_DEDUCT_WHEN.get(name),
            )(view)
        elif getattr(view, "api_permission", None) is not None:
            per_token = limiter.limit(settings.rate_limit_api_token, key_func=_token_key)
            failures = limiter.limit(
                settings.rate_limit_api_failures, scope="api-failures", deduct_when=_refused
            )
            views[endpoint] = failures(per_token(view))
    app.extensions[EXTENSION] = limiter  # the limits hold it weakly: the app keeps it alive
    return limiter
