"""CSRF tokens of the forms posted from inside the LMS iframe: pages, picker, admin.

There the launch cookie is ``SameSite=None``, so another site could post these forms too. Every
form uses the one scheme of ``etwin_lti.services.pages.common`` (an HMAC of the launch session
id under a key derived from the secret: nothing to store); each caller raises its own error.
"""

from __future__ import annotations

import hmac

from flask import current_app, request

from etwin_lti.domain.launches import LaunchSession
from etwin_lti.services.pages.common import CSRF_FIELD, check_csrf, csrf_key, csrf_token


def _key() -> bytes:
    return csrf_key(current_app.config["SECRET_KEY"])


def form_csrf_token(session: LaunchSession) -> str:
    """The hidden ``csrf_token`` field of a form shown to this launch session."""
    return csrf_token(_key(), session)


def check_form_csrf(session: LaunchSession) -> None:
    """``CsrfError`` (403) unless the posted ``csrf_token`` is this launch session's."""
    check_csrf(_key(), session, request.form.get(CSRF_FIELD))


def form_csrf_matches(session: LaunchSession) -> bool:
    """Whether the posted ``csrf_token`` is this launch session's."""
    given = request.form.get(CSRF_FIELD, "")
    return bool(given) and hmac.compare_digest(given.encode(), form_csrf_token(session).encode())
