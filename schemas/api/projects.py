"""Projects, their NSO validation and partners."""

from __future__ import annotations

from marshmallow import fields

from etwin_lti.domain.model import (
    EducationalLevel,
    PrizeCategory,
    Project,
    ProjectScope,
    ProjectStatus,
)
from schemas.api.common import ModelSchema, body_id, query_id
from schemas.base import StrictSchema


class ProjectSchema(ModelSchema):
    model = Project
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    description = fields.String(required=True)
    scope = fields.Enum(ProjectScope, by_value=True, required=True)
    status = fields.Enum(ProjectStatus, by_value=True, required=True)
    founder_ids = fields.Tuple((fields.Integer(), fields.Integer()), required=True)
    founder_countries = fields.Tuple((fields.String(), fields.String()), required=True)
    validated_by = fields.List(fields.String(), required=True)
    partner_ids = fields.List(fields.Integer(), required=True)
    twinspace_id = fields.Integer(required=True, allow_none=True)
    age_band = fields.Enum(PrizeCategory, by_value=True, required=True, allow_none=True)
    created_at = fields.DateTime(required=True)
    approved_at = fields.DateTime(allow_none=True)
    closed_at = fields.DateTime(allow_none=True)
    # The plan (issue 12 item 5); defaults let this instance read a hub that predates them.
    subjects = fields.List(fields.String(), load_default=list)
    languages = fields.List(fields.String(), load_default=list)
    levels = fields.List(fields.Enum(EducationalLevel, by_value=True), load_default=list)
    ends_on = fields.Date(load_default=None, allow_none=True)


class ProjectCreateSchema(StrictSchema):
    founder_id = body_id(required=True)
    partner_founder_id = body_id(required=True)
    title = fields.String(required=True)
    description = fields.String(load_default="")
    age_band = fields.Enum(PrizeCategory, by_value=True, load_default=None, allow_none=True)


class ProjectValidationSchema(StrictSchema):
    """Admin tokens name the NSO's country; an NSO officer's token implies it."""

    nso_country_code = fields.String(load_default=None, allow_none=True)


class PartnerAddSchema(StrictSchema):
    actor_id = body_id(required=True)
    teacher_id = body_id(required=True)


class MemberFilterQuery(StrictSchema):
    member_id = query_id()


class ProjectProfileSchema(StrictSchema):
    """The whole plan, replaced at once. Items are checked by the hub's rules
    (``domain.projects.clean_profile``), so a client gets the same messages from every hub:
    languages are ISO 639-1 codes, levels values of ``EducationalLevel``."""

    actor_id = body_id(required=True)
    description = fields.String(required=True)
    subjects = fields.List(fields.String(), required=True)
    languages = fields.List(fields.String(), required=True)
    levels = fields.List(
        fields.String(),
        required=True,
        metadata={"description": "Any of: " + ", ".join(v.value for v in EducationalLevel)},
    )


class ProjectExtensionSchema(StrictSchema):
    actor_id = body_id(required=True)
    ends_on = fields.Date(required=True)
