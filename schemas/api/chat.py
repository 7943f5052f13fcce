"""The TwinSpace chat (``/api/v1/twinspaces/<id>/chat``): messages, polls and moderation."""

from __future__ import annotations

from marshmallow import fields, validate

from etwin_lti.domain.chat import (
    CURSOR_DIGITS_MAX,
    MESSAGE_MAX,
    PAGE_MAX,
    RECENT_DEFAULT,
    ChatChanges,
    ChatMessage,
)
from schemas.api.common import ID_RANGE, ModelSchema, body_id
from schemas.base import StrictSchema


class ChatMessageSchema(ModelSchema):
    model = ChatMessage
    id = fields.Integer(required=True)
    twinspace_id = fields.Integer(required=True)
    author_id = fields.Integer(required=True)
    body = fields.String(required=True)
    created_at = fields.DateTime(required=True)
    revision = fields.Integer(required=True)
    hidden = fields.Boolean(required=True)
    deleted = fields.Boolean(required=True)


class ChatChangesSchema(ModelSchema):
    model = ChatChanges
    messages = fields.List(fields.Nested(ChatMessageSchema), required=True)
    cursor = fields.Integer(required=True)
    more = fields.Boolean(required=True)


class ChatPollQuery(StrictSchema):
    """Members only: ``viewer_id`` is required (and needs an admin token; the view says so,
    so that an officer's token is refused whatever it sends)."""

    viewer_id = fields.Integer(load_default=None, validate=ID_RANGE)
    after = fields.Integer(
        load_default=0, validate=validate.Range(min=0, max=10**CURSOR_DIGITS_MAX - 1)
    )
    limit = fields.Integer(load_default=PAGE_MAX, validate=validate.Range(min=1, max=PAGE_MAX))


class ChatRecentQuery(StrictSchema):
    viewer_id = fields.Integer(load_default=None, validate=ID_RANGE)
    limit = fields.Integer(
        load_default=RECENT_DEFAULT, validate=validate.Range(min=1, max=PAGE_MAX)
    )


class ChatPostSchema(StrictSchema):
    actor_id = body_id(required=True)
    # The length and character rules are the hub's (422 with the same field map); the schema
    # only bounds what it parses.
    body = fields.String(required=True, validate=validate.Length(max=MESSAGE_MAX * 4))


class ChatHiddenSchema(StrictSchema):
    actor_id = body_id(required=True)
    hidden = fields.Boolean(required=True)
