"""``/api/v1/projects``: founding, NSO validation, partners, closing."""

from __future__ import annotations

from typing import Any

from etwin_lti.domain.api_tokens import ApiPermission
from etwin_lti.web.api.auth import hub, nso_country, requires
from etwin_lti.web.api.parsing import ApiBlueprint
from schemas.api.common import ActorSchema
from schemas.api.projects import (
    MemberFilterQuery,
    PartnerAddSchema,
    ProjectCreateSchema,
    ProjectExtensionSchema,
    ProjectProfileSchema,
    ProjectSchema,
    ProjectValidationSchema,
)

bp = ApiBlueprint("api_projects", __name__, url_prefix="/api/v1", description="Projects")


@bp.get("/projects")
@requires(ApiPermission.READ)
@bp.arguments(MemberFilterQuery, location="query")
@bp.response(200, ProjectSchema(many=True))
def list_projects(query: dict[str, Any]) -> Any:
    """Ordered by id; ``member_id`` keeps projects where they are founder or partner."""
    return hub().list_projects(member_id=query["member_id"])


@bp.post("/projects")
@requires(ApiPermission.WRITE)
@bp.arguments(ProjectCreateSchema)
@bp.response(201, ProjectSchema)
def create_project(body: dict[str, Any]) -> Any:
    """Two teacher founders; European when their countries differ; PENDING until validated."""
    return hub().create_project(
        body["founder_id"],
        body["partner_founder_id"],
        body["title"],
        body["description"],
        age_band=body["age_band"],
    )


@bp.get("/projects/<int:project_id>")
@requires(ApiPermission.READ)
@bp.response(200, ProjectSchema)
def get_project(project_id: int) -> Any:
    return hub().get_project(project_id)


@bp.post("/projects/<int:project_id>/validations")
@requires(ApiPermission.VALIDATE_PROJECT)
@bp.arguments(ProjectValidationSchema)
@bp.response(200, ProjectSchema)
def validate_project(body: dict[str, Any], project_id: int) -> Any:
    """A founder's NSO validates; an NSO officer's token may act for its own country only."""
    return hub().validate_project(nso_country(body["nso_country_code"]), project_id)


@bp.post("/projects/<int:project_id>/partners")
@requires(ApiPermission.WRITE, admin_only=True)
@bp.arguments(PartnerAddSchema)
@bp.response(200, ProjectSchema)
def add_partner(body: dict[str, Any], project_id: int) -> Any:
    """Admin tokens only (a remote hub's connector, provisioning): the teacher is not asked.
    Teachers invite instead (``/partner-invitations``, docs/decisions/0028)."""
    return hub().add_partner(body["actor_id"], project_id, body["teacher_id"])


@bp.post("/projects/<int:project_id>/close")
@requires(ApiPermission.WRITE)
@bp.arguments(ActorSchema)
@bp.response(200, ProjectSchema)
def close_project(body: dict[str, Any], project_id: int) -> Any:
    """A founder closes the project; its TwinSpace is archived read-only."""
    return hub().close_project(body["actor_id"], project_id)


@bp.put("/projects/<int:project_id>/profile")
@requires(ApiPermission.WRITE)
@bp.arguments(ProjectProfileSchema)
@bp.response(200, ProjectSchema)
def update_project_profile(body: dict[str, Any], project_id: int) -> Any:
    """The founder or co-founder replaces the plan: description, subjects, working languages
    (ISO 639-1), educational levels. 409 once the project is closed."""
    return hub().update_project_profile(
        body["actor_id"],
        project_id,
        description=body["description"],
        subjects=body["subjects"],
        languages=body["languages"],
        levels=body["levels"],
    )


@bp.post("/projects/<int:project_id>/extend")
@requires(ApiPermission.WRITE)
@bp.arguments(ProjectExtensionSchema)
@bp.response(200, ProjectSchema)
def extend_project(body: dict[str, Any], project_id: int) -> Any:
    """The founder or co-founder sets a later planned end (after today and the current end)."""
    return hub().extend_project(body["actor_id"], project_id, body["ends_on"])
