"""``/api/v1/events``: Learning Events, enrolment and certificates of participation."""

from __future__ import annotations

from typing import Any

from etwin_lti.domain.api_tokens import ApiPermission
from etwin_lti.web.api.auth import hub, progress, requires
from etwin_lti.web.api.parsing import ApiBlueprint
from schemas.api.acknowledgements import AcknowledgementSchema
from schemas.api.events import (
    EnrolmentSchema,
    EnrolSchema,
    EventCompletionSchema,
    EventCreateSchema,
    EventListQuery,
    LearningEventSchema,
)
from schemas.api.paging import ParticipantPageSchema, WindowQuery

bp = ApiBlueprint("api_events", __name__, url_prefix="/api/v1", description="Learning Events")


@bp.get("/events")
@requires(ApiPermission.READ)
@bp.arguments(EventListQuery, location="query")
@bp.response(200, LearningEventSchema(many=True))
def list_events(query: dict[str, Any]) -> Any:
    """Ordered by start date then id."""
    return hub().list_events(open_only=query["open_only"])


@bp.post("/events")
@requires(ApiPermission.WRITE)
@bp.arguments(EventCreateSchema)
@bp.response(201, LearningEventSchema)
def create_event(body: dict[str, Any]) -> Any:
    """Expert-led; 7 to 21 days; capacity at least 1."""
    return hub().create_event(
        body["title"],
        body["description"],
        body["expert_id"],
        body["starts_on"],
        body["ends_on"],
        body["capacity"],
    )


@bp.get("/events/<int:event_id>")
@requires(ApiPermission.READ)
@bp.response(200, LearningEventSchema)
def get_event(event_id: int) -> Any:
    return hub().get_event(event_id)


@bp.get("/events/<int:event_id>/enrolments")
@requires(ApiPermission.READ)
@bp.response(200, EnrolmentSchema(many=True))
def list_enrolments(event_id: int) -> Any:
    return hub().list_enrolments(event_id)


@bp.post("/events/<int:event_id>/enrolments")
@requires(ApiPermission.WRITE)
@bp.arguments(EnrolSchema)
@bp.response(201, EnrolmentSchema)
def enrol(body: dict[str, Any], event_id: int) -> Any:
    """Teachers only; 409 when full or already enrolled."""
    return hub().enrol(event_id, body["person_id"])


@bp.post("/events/<int:event_id>/completions")
@requires(ApiPermission.WRITE)
@bp.arguments(EventCompletionSchema)
@bp.response(201, AcknowledgementSchema)
def complete_event(body: dict[str, Any], event_id: int) -> Any:
    """The event's expert marks a participant complete: the certificate, issued once."""
    return progress().complete_event(body["actor_id"], event_id, body["person_id"])


# --- one participant, a page of participants (ADR 0016) ---


@bp.get("/events/<int:event_id>/enrolments/<int:person_id>")
@requires(ApiPermission.READ)
@bp.response(200, EnrolmentSchema)
def get_enrolment(event_id: int, person_id: int) -> Any:
    return hub().get_enrolment(event_id, person_id)


@bp.get("/events/<int:event_id>/participant-page")
@requires(ApiPermission.READ)
@bp.arguments(WindowQuery, location="query")
@bp.response(200, ParticipantPageSchema)
def participant_page(query: dict[str, Any], event_id: int) -> Any:
    """By display name (case-insensitive) then id, with the totals."""
    return hub().participant_page(event_id, offset=query["offset"], limit=query["limit"])
