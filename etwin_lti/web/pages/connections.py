"""``/embed/connections``: courses copied from another course wait here for a teacher
administrator of the TwinSpace (the event's expert, a trainer of the course) to approve or
decline using the resource (``services.resource_binding``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from etwin_lti.domain.translatable import N_
from etwin_lti.services.resource_binding import ConnectionRequest, ResourceResolver
from etwin_lti.web.container import services
from etwin_lti.web.pages import bp, done, posting_session, render_page
from etwin_lti.web.session import current_launch

MESSAGES = {
    "approved": N_("The course is connected: its activity opens the resource from now on."),
    "declined": N_("The request was declined: that course's activity opens nothing."),
}


@dataclass(frozen=True)
class ConnectionsView:
    role: str
    requests: tuple[ConnectionRequest, ...]


def resolver() -> ResourceResolver:
    return services().resource_bindings


@bp.get("/embed/connections")
def connections() -> Any:
    session = current_launch()
    view = ConnectionsView(session.role, tuple(resolver().requests_for(session.person_id)))
    return render_page("pages/connections.html", view, MESSAGES)


@bp.post("/embed/connections/<int:request_id>/<any(approve, decline):decision>")
def decide_connection(request_id: int, decision: str) -> Any:
    session = posting_session()
    resolver().decide(session.person_id, request_id, approve=decision == "approve")
    return done("approved" if decision == "approve" else "declined", "pages.connections")
