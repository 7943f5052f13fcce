"""The distance training course: editions, units, activities and progress."""

from __future__ import annotations

from marshmallow import fields

from etwin_lti.domain.model import Activity, Document, Edition, Unit, UnitProgress
from schemas.api.common import ModelSchema, body_id, optional_body_id, query_id
from schemas.base import StrictSchema


class EditionSchema(ModelSchema):
    model = Edition
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    year = fields.Integer(required=True)
    starts_on = fields.Date(required=True)
    ends_on = fields.Date(required=True)
    trainer_ids = fields.List(fields.Integer(), load_default=list)
    is_current = fields.Boolean(load_default=False)


class DocumentSchema(ModelSchema):
    model = Document
    title = fields.String(required=True)
    url = fields.String(required=True)


class ActivitySchema(ModelSchema):
    model = Activity
    id = fields.Integer(required=True)
    unit_id = fields.Integer(required=True)
    title = fields.String(required=True)
    instructions = fields.String(required=True)
    position = fields.Integer(required=True)


class UnitSchema(ModelSchema):
    model = Unit
    id = fields.Integer(required=True)
    edition_id = fields.Integer(required=True)
    title = fields.String(required=True)
    summary = fields.String(required=True)
    position = fields.Integer(required=True)
    documents = fields.List(fields.Nested(DocumentSchema), load_default=list)
    activities = fields.List(fields.Nested(ActivitySchema), load_default=list)


class UnitProgressSchema(ModelSchema):
    model = UnitProgress
    unit_id = fields.Integer(required=True)
    person_id = fields.Integer(required=True)
    done_activity_ids = fields.List(fields.Integer(), required=True)
    completed_at = fields.DateTime(required=True, allow_none=True)


class EditionCreateSchema(StrictSchema):
    title = fields.String(required=True)
    year = fields.Integer(strict=True, required=True)
    starts_on = fields.Date(required=True)
    ends_on = fields.Date(required=True)
    trainer_ids = fields.List(body_id(), load_default=list)


class DocumentInSchema(StrictSchema):
    title = fields.String(required=True)
    url = fields.String(required=True)


class ActivityInSchema(StrictSchema):
    title = fields.String(required=True)
    instructions = fields.String(required=True)


class UnitCreateSchema(StrictSchema):
    title = fields.String(required=True)
    summary = fields.String(required=True)
    documents = fields.List(fields.Nested(DocumentInSchema), load_default=list)
    activities = fields.List(fields.Nested(ActivityInSchema), load_default=list)


class UnitListQuery(StrictSchema):
    edition_id = query_id()


class TraineeSchema(StrictSchema):
    person_id = body_id(required=True)


class CourseCompletionSchema(StrictSchema):
    """``actor_id`` null: a system decision (Moodle course completion)."""

    actor_id = optional_body_id()
    person_id = body_id(required=True)
