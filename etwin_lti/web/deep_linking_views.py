"""The Deep Linking 2.0 picker pages (DESIGN.md flow 2).

GET  /lti/deep-link            the picker (``?q=`` searches when the session cookie works)
POST /lti/deep-link            ``action=embed`` (items), ``cancel`` or ``search`` (q)
POST /lti/deep-link/project    start a project draft (teachers in no TwinSpace yet)

Every POST carries the launch token (``etwin_launch_token``, for browsers that block the
iframe's cookie) and a CSRF token bound to the launch session. The signed response goes to the
``deep_link_return_url`` stored in the launch session, never to anything from the request.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, request

from etwin_lti.domain.launches import LaunchSession
from etwin_lti.domain.translatable import N_
from etwin_lti.errors import InvalidInputError, PermissionDeniedError
from etwin_lti.lti.deep_linking import UnsupportedAcceptTypesError
from etwin_lti.web.container import services
from etwin_lti.web.csrf import form_csrf_matches, form_csrf_token
from etwin_lti.web.session import TOKEN_FIELD, current_launch, launch_token

bp = Blueprint("deep_linking", __name__)


class CsrfError(PermissionDeniedError):
    error = "csrf"
    description = N_("This form was not sent from the page the tool showed you.")
    who_can_fix = N_("you: open the activity chooser again from your course")


def _service() -> Any:
    return services().deep_linking


def _checked_session() -> LaunchSession:
    session = current_launch()
    if not form_csrf_matches(session):
        raise CsrfError()
    return session


def _picker_page(
    session: LaunchSession, query: str = "", status: int = 200, **extra: Any
) -> tuple[str, int]:
    try:
        picker = _service().picker(session, query)
    except UnsupportedAcceptTypesError as error:
        # The return URL is fine: tell the LMS too (errormsg), so the teacher can go back.
        answer = _service().refuse(session, error.description)
        page = render_template("deep_linking/refused.html", error=error, answer=answer, s=session)
        return page, error.status_code
    return render_template(
        "deep_linking/picker.html",
        picker=picker,
        session=session,
        launch_token=launch_token(),
        token_field=TOKEN_FIELD,
        csrf_token=form_csrf_token(session),
        **extra,
    ), status


@bp.get("/lti/deep-link")
def picker() -> tuple[str, int]:
    return _picker_page(current_launch(), request.args.get("q", ""))


@bp.post("/lti/deep-link")
def choose() -> tuple[str, int]:
    session, action = _checked_session(), request.form.get("action", "embed")
    if action == "search":
        return _picker_page(session, request.form.get("q", ""))
    if action == "cancel":
        answer = _service().cancel(session)
    else:
        chosen = request.form.getlist("item")
        try:
            answer = _service().respond(session, chosen)
        except InvalidInputError as error:
            # A slip (nothing ticked, two where the LMS takes one): the same picker, as it was
            # left, saying what to do; never an error page without a way back.
            query = request.form.get("q", "")
            return _picker_page(session, query, 422, refused=error, chosen=set(chosen))
    return render_template("deep_linking/return.html", answer=answer, session=session), 200


@bp.post("/lti/deep-link/project")
def create_project() -> tuple[str, int]:
    session = _checked_session()
    project = _service().create_project_draft(
        session,
        title=request.form.get("title", ""),
        description=request.form.get("description", ""),
        partner_founder_id=request.form.get("partner_founder_id", ""),
    )
    return _picker_page(session, created=project)
