"""Learning Events and their enrolments."""

from __future__ import annotations

from marshmallow import fields

from etwin_lti.domain.model import Enrolment, EventStatus, LearningEvent
from schemas.api.common import ModelSchema, body_id
from schemas.base import StrictSchema


class LearningEventSchema(ModelSchema):
    model = LearningEvent
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    description = fields.String(required=True)
    expert_id = fields.Integer(required=True)
    starts_on = fields.Date(required=True)
    ends_on = fields.Date(required=True)
    capacity = fields.Integer(required=True)
    enrolled = fields.Integer(required=True)
    status = fields.Enum(EventStatus, by_value=True, required=True)


class EnrolmentSchema(ModelSchema):
    model = Enrolment
    event_id = fields.Integer(required=True)
    person_id = fields.Integer(required=True)
    completed_at = fields.DateTime(allow_none=True)


class EventCreateSchema(StrictSchema):
    title = fields.String(required=True)
    description = fields.String(required=True)
    expert_id = body_id(required=True)
    starts_on = fields.Date(required=True)
    ends_on = fields.Date(required=True)
    capacity = fields.Integer(strict=True, required=True)


class EventListQuery(StrictSchema):
    open_only = fields.Boolean(load_default=False)


class EnrolSchema(StrictSchema):
    # A teacher's credential enrols its own person only (etwin_lti.web.api.auth).
    person_id = body_id(required=True, metadata={"x-acting-person": True})


class EventCompletionSchema(StrictSchema):
    actor_id = body_id(required=True)
    person_id = body_id(required=True)
