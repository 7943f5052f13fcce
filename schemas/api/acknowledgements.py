"""NQL applications, the EQL, prize eligibility and acknowledgements (certificates, labels)."""

from __future__ import annotations

from marshmallow import fields

from etwin_lti.domain.acknowledgements import EqlStatus
from etwin_lti.domain.model import (
    Acknowledgement,
    AcknowledgementKind,
    NqlApplication,
    NqlDecision,
    PrizeCategory,
    PrizeEligibility,
)
from schemas.api.common import ModelSchema, body_id, query_id
from schemas.base import StrictSchema


def _scores() -> fields.Dict:
    return fields.Dict(keys=fields.String(), values=fields.Integer(strict=True), required=True)


class NqlApplicationSchema(ModelSchema):
    model = NqlApplication
    id = fields.Integer(required=True)
    project_id = fields.Integer(required=True)
    teacher_id = fields.Integer(required=True)
    school_year = fields.String(required=True)
    decision = fields.Enum(NqlDecision, by_value=True, required=True)
    scores = fields.Dict(keys=fields.String(), values=fields.Integer(), load_default=dict)
    sub_scores = fields.Dict(keys=fields.String(), values=fields.Integer(), load_default=dict)
    decided_by = fields.String(allow_none=True)
    evidence = fields.Dict(keys=fields.String(), values=fields.String(), load_default=dict)


class AcknowledgementSchema(ModelSchema):
    model = Acknowledgement
    id = fields.Integer(required=True)
    kind = fields.Enum(AcknowledgementKind, by_value=True, required=True)
    person_id = fields.Integer(required=True)
    subject = fields.String(required=True)
    title = fields.String(required=True)
    issued_at = fields.DateTime(required=True)
    revoked_at = fields.DateTime(allow_none=True)
    evidence = fields.Dict(keys=fields.String(), values=fields.String(), load_default=dict)


class EqlStatusSchema(ModelSchema):
    """The project's EQL as its pages show it (``acknowledgements.EqlStatus``)."""

    model = EqlStatus
    awarded_on = fields.Date(required=True)
    awarded_by = fields.String(required=True)
    country_codes = fields.List(fields.String(), required=True)
    country_names = fields.List(fields.String(), required=True)
    withdrawn_on = fields.Date(load_default=None, allow_none=True)
    withdrawal_reason = fields.String(load_default=None, allow_none=True)


class PrizeEligibilitySchema(ModelSchema):
    model = PrizeEligibility
    project_id = fields.Integer(required=True)
    category = fields.Enum(PrizeCategory, by_value=True, required=True)
    eligible = fields.Boolean(required=True)
    reasons = fields.List(fields.String(), required=True)
    eligible_teacher_ids = fields.List(fields.Integer(), load_default=list)


class NqlApplySchema(StrictSchema):
    """No ``school_year``: the hub derives it from the application's date (a caller choosing it
    would void the four-per-year limit); sending one is 422 like any unknown field."""

    actor_id = body_id(required=True)


class NqlDecisionSchema(StrictSchema):
    """Admin tokens name the NSO's country; an NSO officer's token implies it."""

    nso_country_code = fields.String(load_default=None, allow_none=True)
    scores = _scores()
    sub_scores = _scores()


class NqlListQuery(StrictSchema):
    project_id = query_id()
    teacher_id = query_id()


class PrizeQuery(StrictSchema):
    category = fields.Enum(PrizeCategory, by_value=True, required=True)


class AcknowledgementIssueSchema(StrictSchema):
    kind = fields.Enum(AcknowledgementKind, by_value=True, required=True)
    person_id = body_id(required=True)
    subject = fields.String(required=True)
    title = fields.String(required=True)
    evidence = fields.Dict(
        keys=fields.String(), values=fields.String(), load_default=None, allow_none=True
    )


class AcknowledgementListQuery(StrictSchema):
    person_id = query_id()
    subject = fields.String(load_default=None)


class RevocationSchema(StrictSchema):
    reason = fields.String(required=True)
