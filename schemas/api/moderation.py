"""Editing and moderating TwinSpace content (``etwin_lti.domain.moderation``)."""

from __future__ import annotations

from marshmallow import fields, validate

from etwin_lti.domain.model import Visibility
from etwin_lti.domain.moderation import ContentKind, ContentState, ModerationEntry
from etwin_lti.domain.validation import BODY_MAX, TITLE_MAX, URL_MAX
from schemas.api.common import ID_RANGE, ModelSchema, body_id
from schemas.base import StrictSchema

LOG_MAX = 100


class ContentStateSchema(ModelSchema):
    model = ContentState
    kind = fields.Enum(ContentKind, by_value=True, required=True)
    id = fields.Integer(required=True)
    twinspace_id = fields.Integer(required=True)
    author_id = fields.Integer(required=True)
    hidden = fields.Boolean(required=True)
    visibility = fields.Enum(Visibility, by_value=True, required=True, allow_none=True)


class ModerationEntrySchema(ModelSchema):
    model = ModerationEntry
    id = fields.Integer(required=True)
    at = fields.DateTime(required=True)
    action = fields.String(required=True)
    kind = fields.Enum(ContentKind, by_value=True, required=True)
    content_id = fields.Integer(required=True)
    by = fields.Integer(required=True, allow_none=True)
    visibility = fields.Enum(Visibility, by_value=True, load_default=None, allow_none=True)


class ContentEditSchema(StrictSchema):
    """Only the fields that change; which a kind has: ``moderation.EDITABLE`` (the hub checks
    lengths and emptiness with the same rules as when the content was added)."""

    actor_id = body_id(required=True)
    # Bounds here only keep absurd payloads out; the hub's FieldErrors give the field messages.
    title = fields.String(
        load_default=None, allow_none=True, validate=validate.Length(max=TITLE_MAX * 5)
    )
    body = fields.String(
        load_default=None, allow_none=True, validate=validate.Length(max=BODY_MAX * 5)
    )
    url = fields.String(
        load_default=None, allow_none=True, validate=validate.Length(max=URL_MAX * 5)
    )


class VisibilityChangeSchema(StrictSchema):
    actor_id = body_id(required=True)
    visibility = fields.Enum(Visibility, by_value=True, required=True)


class ModerationLogQuery(StrictSchema):
    """The teacher administrator asking (only admin tokens act for a person)."""

    actor_id = fields.Integer(required=True, validate=ID_RANGE)
    limit = fields.Integer(load_default=20, validate=validate.Range(min=1, max=LOG_MAX))
