"""Counts and pages of the lists that grow with the class (ADR 0016): member counts per role,
a page of members, of event participants, of trainees; and the window query they take."""

from __future__ import annotations

from marshmallow import fields, validate

from etwin_lti.domain.model import TwinSpaceRole
from etwin_lti.domain.paging import (
    MemberPage,
    Participant,
    ParticipantPage,
    RoleCount,
    TraineePage,
)
from schemas.api.common import ID_RANGE, ModelSchema
from schemas.api.people import PersonSchema
from schemas.api.twinspaces import MemberSchema
from schemas.base import InboundSchema, StrictSchema


class WindowQuery(StrictSchema):
    """``offset`` from 0, ``limit`` 1 to 500 (50 when absent)."""

    offset = fields.Integer(load_default=0, validate=validate.Range(min=0, max=10**11))
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))


class ProgressOfQuery(StrictSchema):
    """Whose progress: one to 500 person ids, repeated (``?person_id=1&person_id=2``)."""

    person_id = fields.List(
        fields.Integer(validate=ID_RANGE), required=True, validate=validate.Length(min=1, max=500)
    )


class RoleCountSchema(ModelSchema):
    model = RoleCount
    role = fields.Enum(TwinSpaceRole, by_value=True, required=True)
    active = fields.Integer(required=True)
    suspended = fields.Integer(required=True)


class _WindowSchema(ModelSchema):
    """One page of a list: where it starts, how long it may be, and how many there are."""

    total = fields.Integer(required=True)
    offset = fields.Integer(required=True)
    limit = fields.Integer(required=True)


class MemberPageSchema(_WindowSchema):
    model = MemberPage
    members = fields.List(fields.Nested(MemberSchema), required=True)


class ParticipantSchema(ModelSchema):
    model = Participant
    person_id = fields.Integer(required=True)
    display_name = fields.String(required=True)
    completed_at = fields.DateTime(required=True, allow_none=True)


class ParticipantPageSchema(_WindowSchema):
    model = ParticipantPage
    participants = fields.List(fields.Nested(ParticipantSchema), required=True)
    completed = fields.Integer(required=True)


class TraineePageSchema(_WindowSchema):
    model = TraineePage
    trainees = fields.List(fields.Nested(PersonSchema), required=True)


class TraineeStatusSchema(InboundSchema):
    trainee = fields.Boolean(required=True)
