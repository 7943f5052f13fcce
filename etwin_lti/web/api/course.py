"""``/api/v1/editions``, ``/units``, ``/activities``: the distance training course."""

from __future__ import annotations

from typing import Any

from etwin_lti.domain.api_tokens import ApiPermission
from etwin_lti.web.api.auth import hub, progress, requires
from etwin_lti.web.api.parsing import ApiBlueprint
from schemas.api.acknowledgements import AcknowledgementSchema
from schemas.api.course import (
    CourseCompletionSchema,
    EditionCreateSchema,
    EditionSchema,
    TraineeSchema,
    UnitCreateSchema,
    UnitListQuery,
    UnitProgressSchema,
    UnitSchema,
)
from schemas.api.paging import ProgressOfQuery, TraineePageSchema, TraineeStatusSchema, WindowQuery
from schemas.api.people import PersonSchema

bp = ApiBlueprint(
    "api_course", __name__, url_prefix="/api/v1", description="Distance training course"
)


@bp.get("/editions")
@requires(ApiPermission.READ)
@bp.response(200, EditionSchema(many=True))
def list_editions() -> Any:
    """Ordered by year then id; ``is_current`` marks the newest edition running today."""
    return hub().list_editions()


@bp.post("/editions")
@requires(ApiPermission.WRITE)
@bp.arguments(EditionCreateSchema)
@bp.response(201, EditionSchema)
def create_edition(body: dict[str, Any]) -> Any:
    return hub().create_edition(
        body["title"],
        body["year"],
        body["starts_on"],
        body["ends_on"],
        trainer_ids=tuple(body["trainer_ids"]),
    )


@bp.get("/editions/<int:edition_id>")
@requires(ApiPermission.READ)
@bp.response(200, EditionSchema)
def get_edition(edition_id: int) -> Any:
    return hub().get_edition(edition_id)


@bp.post("/editions/<int:edition_id>/units")
@requires(ApiPermission.WRITE)
@bp.arguments(UnitCreateSchema)
@bp.response(201, UnitSchema)
def add_unit(body: dict[str, Any], edition_id: int) -> Any:
    """Appended after the edition's last unit."""
    return hub().add_unit(
        edition_id,
        body["title"],
        body["summary"],
        documents=[(d["title"], d["url"]) for d in body["documents"]],
        activities=[(a["title"], a["instructions"]) for a in body["activities"]],
    )


@bp.post("/editions/<int:edition_id>/trainees")
@requires(ApiPermission.WRITE)
@bp.arguments(TraineeSchema)
@bp.response(204)
def enrol_trainee(body: dict[str, Any], edition_id: int) -> None:
    hub().enrol_trainee(edition_id, body["person_id"])


@bp.get("/editions/<int:edition_id>/trainees")
@requires(ApiPermission.READ)
@bp.response(200, PersonSchema(many=True))
def list_trainees(edition_id: int) -> Any:
    """Ordered by display name (case-insensitive) then id."""
    return hub().list_trainees(edition_id)


@bp.post("/editions/<int:edition_id>/completions")
@requires(ApiPermission.WRITE)
@bp.arguments(CourseCompletionSchema)
@bp.response(201, AcknowledgementSchema)
def complete_course(body: dict[str, Any], edition_id: int) -> Any:
    """The course certificate, issued once; ``actor_id`` null for a system decision."""
    return hub().complete_course(body["actor_id"], edition_id, body["person_id"])


@bp.get("/units")
@requires(ApiPermission.READ)
@bp.arguments(UnitListQuery, location="query")
@bp.response(200, UnitSchema(many=True))
def list_units(query: dict[str, Any]) -> Any:
    """Ordered by edition then position."""
    return hub().list_units(edition_id=query["edition_id"])


@bp.get("/units/<int:unit_id>")
@requires(ApiPermission.READ)
@bp.response(200, UnitSchema)
def get_unit(unit_id: int) -> Any:
    return hub().get_unit(unit_id)


@bp.get("/units/<int:unit_id>/progress/<int:person_id>")
@requires(ApiPermission.READ)
@bp.response(200, UnitProgressSchema)
def unit_progress(unit_id: int, person_id: int) -> Any:
    return hub().unit_progress(person_id, unit_id)


@bp.put("/activities/<int:activity_id>/done/<int:person_id>")
@requires(ApiPermission.WRITE, acting_path="person_id")  # a teacher marks their own
@bp.response(200, UnitProgressSchema)
def mark_activity_done(activity_id: int, person_id: int) -> Any:
    """Idempotent; the unit is completed when its last activity is done."""
    return progress().mark_activity_done(person_id, activity_id)


# --- is one person a trainee, a page of trainees, progress of a page (ADR 0016) ---


@bp.get("/editions/<int:edition_id>/trainees/<int:person_id>")
@requires(ApiPermission.READ)
@bp.response(200, TraineeStatusSchema)
def is_trainee(edition_id: int, person_id: int) -> Any:
    return {"trainee": hub().is_trainee(edition_id, person_id)}


@bp.get("/editions/<int:edition_id>/trainee-page")
@requires(ApiPermission.READ)
@bp.arguments(WindowQuery, location="query")
@bp.response(200, TraineePageSchema)
def trainee_page(query: dict[str, Any], edition_id: int) -> Any:
    """In the order of the trainee list, and the total."""
    return hub().trainee_page(edition_id, offset=query["offset"], limit=query["limit"])


@bp.get("/units/<int:unit_id>/progress-of")
@requires(ApiPermission.READ)
@bp.arguments(ProgressOfQuery, location="query")
@bp.response(200, UnitProgressSchema(many=True))
def unit_progress_of(query: dict[str, Any], unit_id: int) -> Any:
    """Several people's progress in the unit, in the order asked."""
    return hub().unit_progress_of(unit_id, query["person_id"])
