"""``/embed/twinspace/<id>/project`` and the forms it posts (``etwin_lti.services.pages.project``).

The page service is composed here per request from the container's ports (it keeps no state,
building it costs nothing), so that adding it touched no other page's wiring.
"""

from __future__ import annotations

from typing import Any

from flask import request

from etwin_lti.errors import InvalidInputError
from etwin_lti.services.pages.project import MESSAGES, LmsPeople, ProjectPages
from etwin_lti.web.container import services
from etwin_lti.web.pages import (
    FormErrors,
    bp,
    done,
    partner_invitation_pages,
    posting_session,
    refused_form,
    render_page,
)
from etwin_lti.web.session import current_launch


def _pages() -> ProjectPages:
    c = services()
    return ProjectPages(
        c.hub,
        c.pages.acknowledgements.links,
        LmsPeople(c.identities, c.registrations),
        partner_invitation_pages(),
    )


def _page(
    twinspace_id: int, status: int = 200, errors: FormErrors | None = None, query: str = ""
) -> Any:
    view = _pages().view(current_launch(), twinspace_id, query)
    return render_page("pages/project.html", view, MESSAGES, status=status, form_errors=errors)


@bp.get("/embed/twinspace/<int:twinspace_id>/project")
def project(twinspace_id: int) -> Any:
    return _page(twinspace_id)


@bp.post("/embed/twinspace/<int:twinspace_id>/project/<action>")
def project_action(twinspace_id: int, action: str) -> Any:
    """plan, extend, close, nql."""
    session = posting_session()
    try:
        code = _pages().act(
            session, twinspace_id, action, request.form, request.form.getlist("levels")
        )
    except InvalidInputError as error:
        return _page(twinspace_id, 422, refused_form(action, None, error.errors))
    return done(code, "pages.project", twinspace_id=twinspace_id)


@bp.post("/embed/twinspace/<int:twinspace_id>/project/permits/<action>")
def project_permit(twinspace_id: int, action: str) -> Any:
    """grant-visitor, withdraw-visitor, grant-expert, withdraw-expert; ``person`` names one of
    the people the page offered (anything else is 404)."""
    session = posting_session()
    code = _pages().permit(session, twinspace_id, request.form.get("person", ""), action)
    return done(code, "pages.project", twinspace_id=twinspace_id)


@bp.post("/embed/twinspace/<int:twinspace_id>/project/partners/<action>")
def project_partner(twinspace_id: int, action: str) -> Any:
    """search (``q``: the page again, with the teachers found; a POST, as the launch token
    must never go into a URL), invite (``person`` one of the teachers the page offered, ``q``
    the search it came from) or withdraw (``invitation`` of this project); else 404."""
    session = posting_session()
    if action == "search":
        return _page(twinspace_id, query=request.form.get("q", "")[:200])
    code = _pages().partner(session, twinspace_id, action, request.form)
    return done(code, "pages.project", twinspace_id=twinspace_id)
