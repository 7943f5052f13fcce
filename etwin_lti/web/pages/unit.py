"""``/embed/unit/<id>`` and the trainee's "mark done" (``services.pages.unit``)."""

from __future__ import annotations

from typing import Any

from flask import request

from etwin_lti.services.pages.unit import MESSAGES
from etwin_lti.web.pages import bp, done, pages, posting_session, render_page
from etwin_lti.web.session import current_launch


@bp.get("/embed/unit/<int:unit_id>")
def unit(unit_id: int) -> Any:
    """``?page=N``: which 50 trainees the trainers' table shows."""
    view = pages().unit.view(current_launch(), unit_id, request.args.get("page"))
    return render_page("pages/unit.html", view, MESSAGES)


@bp.post("/embed/unit/<int:unit_id>/activities/<int:activity_id>/done")
def mark_done(unit_id: int, activity_id: int) -> Any:
    code = pages().unit.mark_done(posting_session(), unit_id, activity_id)
    return done(code, "pages.unit", unit_id=unit_id)
