"""``/embed/event/<id>``, a teacher's "enrol" and the expert's "mark complete"
(``services.pages.event``)."""

from __future__ import annotations

from typing import Any

from flask import request

from etwin_lti.services.pages.event import MESSAGES
from etwin_lti.web.pages import back_page, bp, done, pages, posting_session, render_page
from etwin_lti.web.session import current_launch


@bp.get("/embed/event/<int:event_id>")
def event(event_id: int, page: str | None = None) -> Any:
    """``?page=N``: which 50 participants the expert sees (``page`` from ``done`` only, after
    a cookieless post whose own query string carries the same number)."""
    view = pages().event.view(current_launch(), event_id, request.args.get("page"))
    return render_page("pages/event.html", view, MESSAGES)


@bp.post("/embed/event/<int:event_id>/participants/<int:person_id>/complete")
def complete_participant(event_id: int, person_id: int) -> Any:
    code = pages().event.complete(posting_session(), event_id, person_id)
    return done(code, "pages.event", event_id=event_id, page=back_page())


@bp.post("/embed/event/<int:event_id>/enrol")
def enrol(event_id: int) -> Any:
    code = pages().event.enrol(posting_session(), event_id)
    return done(code, "pages.event", event_id=event_id)
