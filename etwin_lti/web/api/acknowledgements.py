"""NQL applications and decisions, the EQL, prize eligibility and acknowledgements."""

from __future__ import annotations

from typing import Any

from etwin_lti.domain.api_tokens import ApiPermission
from etwin_lti.web.api.auth import hub, nso_country, requires
from etwin_lti.web.api.parsing import ApiBlueprint
from schemas.api.acknowledgements import (
    AcknowledgementIssueSchema,
    AcknowledgementListQuery,
    AcknowledgementSchema,
    NqlApplicationSchema,
    NqlApplySchema,
    NqlDecisionSchema,
    NqlListQuery,
    PrizeEligibilitySchema,
    PrizeQuery,
    RevocationSchema,
)

bp = ApiBlueprint(
    "api_acknowledgements",
    __name__,
    url_prefix="/api/v1",
    description="Labels, NQL/EQL decisions, prizes and certificates",
)


@bp.post("/projects/<int:project_id>/nql-applications")
@requires(ApiPermission.WRITE)
@bp.arguments(NqlApplySchema)
@bp.response(201, NqlApplicationSchema)
def apply_nql(body: dict[str, Any], project_id: int) -> Any:
    """A teacher of a European project; at most 4 applications per school year.

    The school year is the one of today (September to August); a ``school_year`` field is
    refused with 422 like any unknown field, so no caller can choose it."""
    return hub().apply_nql(body["actor_id"], project_id)


@bp.get("/nql-applications")
@requires(ApiPermission.READ)
@bp.arguments(NqlListQuery, location="query")
@bp.response(200, NqlApplicationSchema(many=True))
def list_nql_applications(query: dict[str, Any]) -> Any:
    return hub().list_nql_applications(
        project_id=query["project_id"], teacher_id=query["teacher_id"]
    )


@bp.post("/nql-applications/<int:application_id>/decision")
@requires(ApiPermission.DECIDE_NQL)
@bp.arguments(NqlDecisionSchema)
@bp.response(200, NqlApplicationSchema)
def decide_nql(body: dict[str, Any], application_id: int) -> Any:
    """The applicant's NSO scores the five criteria and the three minimum sub-criteria."""
    return hub().decide_nql(
        nso_country(body["nso_country_code"]),
        application_id,
        body["scores"],
        body["sub_scores"],
    )


@bp.post("/projects/<int:project_id>/eql")
@requires(ApiPermission.AWARD_EQL)
@bp.response(201, AcknowledgementSchema(many=True))
def award_eql(project_id: int) -> Any:
    """The EQL is awarded by rule when an NSO grants the NQL that makes two countries; this
    call applies the same rule to NQLs granted before it existed. Once the rule awarded it:
    409 ``eql_already_awarded`` (nothing changes); withdrawn: 409 ``eql_withdrawn``."""
    return hub().award_eql(project_id)


@bp.post("/projects/<int:project_id>/eql/withdrawal")
@requires(ApiPermission.AWARD_EQL)
@bp.arguments(RevocationSchema)
@bp.response(200, AcknowledgementSchema(many=True))
def withdraw_eql(body: dict[str, Any], project_id: int) -> Any:
    """The CSS withdraws the project's EQL with a reason (audited); the rule never awards it
    again. 409 ``eql_not_held`` when the project holds none."""
    return hub().withdraw_eql(project_id, body["reason"])


@bp.get("/projects/<int:project_id>/prize-eligibility")
@requires(ApiPermission.READ)
@bp.arguments(PrizeQuery, location="query")
@bp.response(200, PrizeEligibilitySchema)
def prize_eligibility(query: dict[str, Any], project_id: int) -> Any:
    return hub().prize_eligibility(project_id, query["category"])


@bp.get("/acknowledgements")
@requires(ApiPermission.READ)
@bp.arguments(AcknowledgementListQuery, location="query")
@bp.response(200, AcknowledgementSchema(many=True))
def list_acknowledgements(query: dict[str, Any]) -> Any:
    """Ordered by id."""
    return hub().list_acknowledgements(person_id=query["person_id"], subject=query["subject"])


@bp.post("/acknowledgements")
@requires(ApiPermission.WRITE)
@bp.arguments(AcknowledgementIssueSchema)
@bp.response(201, AcknowledgementSchema)
def issue_acknowledgement(body: dict[str, Any]) -> Any:
    """At most once per (kind, person, subject): a second one is 409."""
    return hub().issue_acknowledgement(
        body["kind"], body["person_id"], body["subject"], body["title"], evidence=body["evidence"]
    )


@bp.get("/acknowledgements/<int:acknowledgement_id>")
@requires(ApiPermission.READ)
@bp.response(200, AcknowledgementSchema)
def get_acknowledgement(acknowledgement_id: int) -> Any:
    return hub().get_acknowledgement(acknowledgement_id)


@bp.post("/acknowledgements/<int:acknowledgement_id>/revocation")
@requires(ApiPermission.WRITE)
@bp.arguments(RevocationSchema)
@bp.response(200, AcknowledgementSchema)
def revoke_acknowledgement(body: dict[str, Any], acknowledgement_id: int) -> Any:
    return hub().revoke_acknowledgement(acknowledgement_id, body["reason"])
