"""Launch sessions inside the LMS iframe: cookies, the header token, and ``current_launch()``.

After a launch the browser holds ``etwin_launch``: a random id (the server keeps only its hash)
in an HttpOnly; Secure; SameSite=None; Partitioned cookie, so it works inside the LMS iframe with
third-party cookies partitioned (CHIPS). When even that cookie is blocked, a page can send the
short signed token from ``launch_token()`` in the ``X-Etwin-Launch`` header of its own requests.
No URL ever carries anything that grants access (lti-landscape.md 8.7).

Over plain http on a loopback host (127.0.0.1, localhost, ::1: local development) the cookies keep
``Secure; SameSite=None; Partitioned``, which browsers accept there. On any other plain-http host
browsers refuse ``Secure``, so the cookies fall back to ``SameSite=Lax`` (and a launch from an
LMS on another site says the tool needs https). Decided by ``Settings.base_url``
(``etwin_lti.lti.secure_context``), not by the request, so a TLS-terminating proxy cannot make
us drop the attributes.
"""

from __future__ import annotations

from flask import current_app, g, request
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.wrappers import Response

from etwin_lti.domain.launches import LaunchSession
from etwin_lti.errors import LaunchSessionError
from etwin_lti.lti.secure_context import cookies_cross_sites
from etwin_lti.web.container import services

SESSION_COOKIE = "etwin_launch"
STATE_COOKIE = "etwin_lti_state"
TOKEN_HEADER = "X-Etwin-Launch"
TOKEN_FIELD = "etwin_launch_token"  # the same token as a hidden field of the pages' own forms
TOKEN_SECONDS = 15 * 60
STATE_COOKIE_SECONDS = 600
_TOKEN_SALT = "etwin-launch-token"


def _secure() -> bool:
    return cookies_cross_sites(services().settings.base_url)


def set_cookie(response: Response, name: str, value: str, *, max_age: int, path: str) -> None:
    secure = _secure()
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path=path,
        httponly=True,
        secure=secure,
        samesite="None" if secure else "Lax",
        partitioned=secure,
    )


def clear_cookie(response: Response, name: str, *, path: str) -> None:
    secure = _secure()
    response.delete_cookie(
        name,
        path=path,
        httponly=True,
        secure=secure,
        samesite="None" if secure else "Lax",
        partitioned=secure,
    )


def start_session(response: Response, session: LaunchSession) -> None:
    seconds = int((session.expires_at - session.created_at).total_seconds())
    set_cookie(response, SESSION_COOKIE, session.id, max_age=seconds, path="/")
    g.etwin_launch = session


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_TOKEN_SALT)


def launch_token() -> str:
    """A signed token for the page's own requests (header ``X-Etwin-Launch``), valid
    ``TOKEN_SECONDS``; put it in the page, never in a URL."""
    return str(_serializer().dumps(current_launch().id))


def _session_id_from_request() -> str | None:
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        return cookie
    token = request.headers.get(TOKEN_HEADER)
    if not token and request.method == "POST":
        token = request.form.get(TOKEN_FIELD)
    if not token:
        return None
    try:
        return str(_serializer().loads(token, max_age=TOKEN_SECONDS))
    except BadSignature:  # includes SignatureExpired
        return None


def current_launch() -> LaunchSession:
    """The launch session of this request; ``LaunchSessionError`` (401, a friendly page telling
    the user to open the activity again from the course) when there is none."""
    session = g.get("etwin_launch")
    if session is not None:
        return session
    session_id = _session_id_from_request()
    if not session_id:
        raise LaunchSessionError()
    session = services().launches.load_session(session_id)
    g.etwin_launch = session
    return session
