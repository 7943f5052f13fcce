"""Connecting an LMS teacher to their eTwinning teacher account (``services.teacher_linking``).

GET  /lti/link                          the three ways (invitation, code, registration)
GET  /lti/link/invitation/<token>       an invitation link opened: accept it inside the activity
POST /lti/link/invitation               ``invitation`` (the link or its token)
POST /lti/link/code                     ``email``: send a one-time code
POST /lti/link/code/verify              ``code``
POST /lti/link/register                 ``display_name``, ``school``, ``country_code``
GET  /embed/twinspace/<id>/invitations  a teacher administrator's invitations
POST /embed/twinspace/<id>/invitations  ``role``, ``invitee``, ``note``: a new one (shown once)
POST /embed/twinspace/<id>/invitations/<inv>/revoke

Every POST carries the CSRF token and the launch token like the pages' forms. A successful
link replaces the launch session (cookie and token) by one for the profile.

An invitation link carries a token in its URL: it grants nothing by itself, only together with a
teacher's launch session, and only its hash is stored.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, g, make_response, render_template, request
from flask_babel import gettext
from werkzeug.wrappers import Response

from etwin_lti.domain.launches import LaunchSession
from etwin_lti.domain.teacher_linking import CODE_MINUTES
from etwin_lti.errors import LaunchSessionError, PermissionDeniedError
from etwin_lti.services.pages.common import CSRF_FIELD
from etwin_lti.services.teacher_linking import LinkResult
from etwin_lti.web.container import services
from etwin_lti.web.csrf import check_form_csrf, form_csrf_token
from etwin_lti.web.limits import ONE_TIME_CODE, rate_limited
from etwin_lti.web.session import TOKEN_FIELD, current_launch, launch_token, start_session

bp = Blueprint("linking", __name__)


def _service() -> Any:
    linking = services().teacher_linking
    if linking is None:
        raise PermissionDeniedError(
            "With a remote hub (ETWIN_HUB_URL), teachers connect their accounts on that hub.",
            who_can_fix="the tool administrator",
        )
    return linking


@bp.before_request
def _linking_available() -> None:
    """With a remote hub every linking page says so first, before asking for a session."""
    _service()


def _hidden(session: LaunchSession) -> dict[str, str]:
    return {CSRF_FIELD: form_csrf_token(session), TOKEN_FIELD: launch_token()}


def _posting() -> LaunchSession:
    session = current_launch()
    check_form_csrf(session)
    return session


def _linking_page(session: LaunchSession, *, status: int = 200, **extra: Any) -> tuple[str, int]:
    page = render_template(
        "linking/link.html",
        session=session,
        state=_service().state(session),
        countries=_service().countries(),
        hidden=_hidden(session),
        **extra,
    )
    return page, status


def _linked_page(result: LinkResult) -> Response:
    response = make_response(
        render_template(
            "linking/linked.html",
            result=result,
            session=result.session,
            hidden=_hidden_after(result.session),
        )
    )
    start_session(response, result.session)
    return response


def _hidden_after(session: LaunchSession) -> dict[str, str]:
    g.etwin_launch = session  # the new session signs the page's launch token
    return _hidden(session)


@bp.get("/lti/link")
def link() -> tuple[str, int]:
    return _linking_page(current_launch())


@bp.get("/lti/link/invitation/<token>")
@rate_limited(ONE_TIME_CODE)
def invitation_link(token: str) -> tuple[str, int]:
    try:
        session = current_launch()
    except LaunchSessionError:
        # Opened outside the LMS (from an e-mail): say where to paste it.
        return render_template("linking/open_in_lms.html"), 200
    return _linking_page(session, invitation=token)


@bp.post("/lti/link/invitation")
@rate_limited(ONE_TIME_CODE)
def accept_invitation() -> Response:
    session = _posting()
    return _linked_page(_service().accept_invitation(session, request.form.get("invitation", "")))


@bp.post("/lti/link/code")
@rate_limited(ONE_TIME_CODE)
def request_code() -> tuple[str, int]:
    session = _posting()
    sent = _service().request_code(session, request.form.get("email", ""))
    return _linking_page(session, code_sent=gettext(sent, minutes=CODE_MINUTES))


@bp.post("/lti/link/code/verify")
@rate_limited(ONE_TIME_CODE)
def verify_code() -> Response:
    session = _posting()
    return _linked_page(_service().verify_code(session, request.form.get("code", "")))


@bp.post("/lti/link/register")
@rate_limited(ONE_TIME_CODE)
def register() -> Response:
    session = _posting()
    form = request.form
    result = _service().register(
        session,
        display_name=form.get("display_name", ""),
        school=form.get("school", ""),
        country_code=form.get("country_code", ""),
    )
    return _linked_page(result)


@bp.get("/embed/twinspace/<int:twinspace_id>/invitations")
def invitations(twinspace_id: int) -> tuple[str, int]:
    return _invitations_page(current_launch(), twinspace_id)


@bp.post("/embed/twinspace/<int:twinspace_id>/invitations")
def create_invitation(twinspace_id: int) -> tuple[str, int]:
    session, form = _posting(), request.form
    created = _service().create_invitation(
        session,
        twinspace_id,
        role=form.get("role", "teacher"),
        invitee=form.get("invitee", ""),
        note=form.get("note", ""),
    )
    return _invitations_page(session, twinspace_id, created=created)


@bp.post("/embed/twinspace/<int:twinspace_id>/invitations/<invitation_id>/revoke")
def revoke_invitation(twinspace_id: int, invitation_id: str) -> tuple[str, int]:
    session = _posting()
    revoked = _service().revoke_invitation(session, twinspace_id, invitation_id)
    return _invitations_page(session, twinspace_id, revoked=revoked)


def _invitations_page(session: LaunchSession, twinspace_id: int, **extra: Any) -> tuple[str, int]:
    lines = _service().invitations(session, twinspace_id)
    page = render_template(
        "linking/invitations.html",
        session=session,
        lines=lines,
        twinspace_id=twinspace_id,
        hidden=_hidden(session),
        **extra,
    )
    return page, 200


@bp.app_context_processor
def _linking_state() -> dict[str, Any]:
    """``teacher_linking_state()`` for every template: the launched teacher's linking state, or
    None (no launch session, not a teacher, or no linking with a remote hub)."""

    def state() -> Any:
        if "etwin_linking_state" not in g:
            g.etwin_linking_state = None
            linking = services().teacher_linking
            if linking is not None:
                try:
                    g.etwin_linking_state = linking.state(current_launch())
                except LaunchSessionError:
                    pass
        return g.etwin_linking_state

    return {"teacher_linking_state": state}
