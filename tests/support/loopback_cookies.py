"""The tests' HTTP clients keep Secure cookies on loopback http, as browsers do.

Over plain http on 127.0.0.1, localhost or ::1 the tool sets ``Secure; SameSite=None`` cookies
(``etwin_lti.lti.secure_context``): browsers treat loopback as a secure context and send them
back. The standard library's cookie jar (behind ``requests.Session``) sends Secure cookies over
https only; the end-to-end tests play browsers, so their jars follow the browsers' rule.
"""

from __future__ import annotations

from bench.support import loopback_is_secure

__all__ = ["loopback_is_secure"]
