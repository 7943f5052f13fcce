"""Tool administrators' page for progress passback: scores the LMS would not take.

GET  /admin/passback           dead letters (reason, attempts, link) and the latest scores
POST /admin/passback/retry     ``entry`` = one id, or ``all=1``: back to pending and queued
GET  /admin/audit              the audit log, newest first, ``offset`` pages through it

Only for a launch session with ``is_tool_admin`` (an LMS institution or system administrator,
DESIGN.md "Role mapping"); everyone else gets 403. POSTs carry the launch token (for iframes
whose cookie is blocked) and a CSRF token bound to the launch session.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from etwin_lti.domain.launches import LaunchSession
from etwin_lti.domain.translatable import N_
from etwin_lti.errors import InvalidInputError, PermissionDeniedError, PupilFixer
from etwin_lti.web.container import services
from etwin_lti.web.csrf import form_csrf_matches, form_csrf_token
from etwin_lti.web.session import TOKEN_FIELD, current_launch, launch_token

bp = Blueprint("admin", __name__, url_prefix="/admin")


class NotToolAdminError(PermissionDeniedError):
    error = "not_tool_admin"
    description = N_("Only the tool's administrators (LMS administrators) can see this page.")
    who_can_fix = N_("your LMS administrator")
    pupil_fixer = PupilFixer.TEACHER


def _passback() -> Any:
    return services().passback


def _admin() -> LaunchSession:
    session = current_launch()
    if not session.is_tool_admin:
        raise NotToolAdminError()
    return session


@bp.get("/passback")
def passback() -> str:
    session = _admin()
    return render_template(
        "admin/passback.html",
        dead=_passback().list(dead_only=True),
        recent=_passback().list(limit=50),
        csrf_token=form_csrf_token(session),
        token_field=TOKEN_FIELD,
        launch_token=launch_token(),
        retried=request.args.get("retried"),
    )


@bp.post("/passback/retry")
def retry() -> Response:
    session = _admin()
    if not form_csrf_matches(session):
        raise PermissionDeniedError(N_("This form was not sent from the page the tool showed you."))
    if request.form.get("all") == "1":
        ids = _passback().retry(None)
    else:
        entry = request.form.get("entry", "")
        if not entry.isdigit():
            raise InvalidInputError(errors={"entry": ["Give the number of a score."]})
        ids = _passback().retry([int(entry)])
    return redirect(url_for("admin.passback", retried=len(ids)), code=303)


AUDIT_PAGE = 50


@bp.get("/audit")
def audit() -> str:
    _admin()
    raw = request.args.get("offset", "0")
    if not raw.isdigit() or len(raw) > 9:
        raise InvalidInputError(errors={"offset": ["Give a whole number."]})
    offset = int(raw)
    page = services().audit.list_entries(offset=offset, limit=AUDIT_PAGE)
    return render_template("admin/audit.html", page=page, offset=offset, size=AUDIT_PAGE)
