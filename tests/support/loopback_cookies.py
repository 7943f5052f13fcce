"""The tests' HTTP clients keep Secure cookies on loopback http, as browsers do.

Over plain http on 127.0.0.1, localhost or ::1 the tool sets ``Secure; SameSite=None`` cookies
(``etwin_lti.lti.secure_context``): browsers treat loopback as a secure context and send them
back. The standard library's cookie jar (behind ``requests.Session``) sends Secure cookies over
https only; the end-to-end tests play browsers, so their jars follow the browsers' rule.
"""

from __future__ import annotations

import http.cookiejar
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

from etwin_lti.lti.secure_context import is_loopback


@contextmanager
def loopback_is_secure() -> Iterator[None]:
    policy = http.cookiejar.DefaultCookiePolicy
    original = policy.return_ok_secure

    def return_ok_secure(self: Any, cookie: http.cookiejar.Cookie, request: Any) -> bool:
        if cookie.secure and is_loopback(request.get_full_url()):
            return urlsplit(request.get_full_url()).scheme == "http" or original(
                self, cookie, request
            )
        return bool(original(self, cookie, request))

    policy.return_ok_secure = return_ok_secure  # type: ignore[method-assign]
    try:
        yield
    finally:
        policy.return_ok_secure = original  # type: ignore[method-assign]
