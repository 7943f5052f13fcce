"""``/embed/api-access``: a teacher's own REST API tokens (``etwin_lti.services.api_tokens``).

Create (the secret is in that one answer, never in a URL nor stored), list (label, created,
last used, expiry) and revoke. Teachers only; every answer is ``no-store`` so no cache keeps a
secret. The page's own scripts need no token at all: they call ``/api/v1`` with the launch
session and the ``X-Etwin-CSRF`` header (``etwin_lti.web.api.auth``).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from flask import g, make_response, request

from etwin_lti.domain.translatable import N_
from etwin_lti.errors import InvalidInputError
from etwin_lti.services.api_tokens import (
    api_access_view,
    create_teacher_token,
    parse_new_token_form,
    require_teacher,
)
from etwin_lti.web.container import services
from etwin_lti.web.pages import FormErrors, bp, done, posting_session, refused_form, render_page
from etwin_lti.web.session import current_launch

MESSAGES = {
    "created": N_("Your token is made. Copy it now: it is shown only this once."),
    "revoked": N_("The token is revoked: requests with it are refused from now on."),
}


def _page(person_id: int, status: int = 200, **extra: Any) -> Any:
    errors: FormErrors | None = extra.pop("errors", None)
    now = datetime.now(UTC)
    view = api_access_view(services().api_tokens, current_launch().role, person_id, now=now)
    if extra:
        view = replace(view, **extra)
    page, code = render_page(
        "pages/api_access.html", view, MESSAGES, status=status, form_errors=errors
    )
    response = make_response(page, code)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/embed/api-access")
def api_access() -> Any:
    return _page(require_teacher(services().hub, current_launch().person_id))


@bp.post("/embed/api-access")
def create_api_token() -> Any:
    session = posting_session()
    person_id = require_teacher(services().hub, session.person_id)
    try:
        label, days = parse_new_token_form(request.form)
        token, secret = create_teacher_token(
            services().hub,
            services().api_tokens,
            person_id,
            label=label,
            days=days,
            now=datetime.now(UTC),
        )
    except InvalidInputError as error:
        return _page(person_id, 422, errors=refused_form("create", None, error.errors))
    # Not Post/Redirect/Get: the secret must not travel through a URL or a second request.
    g.page_message = "created"
    return _page(person_id, 201, new_secret=secret, new_token_id=token.id)


@bp.post("/embed/api-access/<int:token_id>/revoke")
def revoke_api_token(token_id: int) -> Any:
    session = posting_session()
    person_id = require_teacher(services().hub, session.person_id)
    services().api_tokens.revoke(token_id, now=datetime.now(UTC), person_id=person_id)
    return done("revoked", "pages.api_access")
