"""TwinSpace pages and materials, the Project Diary and the forum."""

from __future__ import annotations

from marshmallow import fields

from etwin_lti.domain.model import (
    DiaryComment,
    DiaryPost,
    ForumPost,
    ForumThread,
    Material,
    MaterialKind,
    Page,
    Visibility,
)
from schemas.api.common import ModelSchema, body_id, query_id
from schemas.api.material_files import MaterialFileSchema
from schemas.base import StrictSchema


class PageSchema(ModelSchema):
    model = Page
    id = fields.Integer(required=True)
    twinspace_id = fields.Integer(required=True)
    title = fields.String(required=True)
    body = fields.String(required=True)
    visibility = fields.Enum(Visibility, by_value=True, required=True)
    author_id = fields.Integer(required=True)
    created_at = fields.DateTime(required=True)
    hidden = fields.Boolean(load_default=False)  # shown to teacher administrators only


class MaterialSchema(ModelSchema):
    model = Material
    id = fields.Integer(required=True)
    twinspace_id = fields.Integer(required=True)
    title = fields.String(required=True)
    kind = fields.Enum(MaterialKind, by_value=True, required=True)
    url = fields.String(required=True, allow_none=True)  # None: an uploaded file
    visibility = fields.Enum(Visibility, by_value=True, required=True)
    author_id = fields.Integer(required=True)
    created_at = fields.DateTime(required=True)
    file = fields.Nested(MaterialFileSchema, allow_none=True, load_default=None)
    hidden = fields.Boolean(load_default=False)  # shown to teacher administrators only


class DiaryCommentSchema(ModelSchema):
    model = DiaryComment
    id = fields.Integer(required=True)
    post_id = fields.Integer(required=True)
    author_id = fields.Integer(required=True)
    body = fields.String(required=True)
    created_at = fields.DateTime(required=True)
    hidden = fields.Boolean(load_default=False)  # shown to teacher administrators only


class DiaryPostSchema(ModelSchema):
    model = DiaryPost
    id = fields.Integer(required=True)
    project_id = fields.Integer(required=True)
    author_id = fields.Integer(required=True)
    title = fields.String(required=True)
    body = fields.String(required=True)
    created_at = fields.DateTime(required=True)
    comments = fields.List(fields.Nested(DiaryCommentSchema), load_default=list)
    hidden = fields.Boolean(load_default=False)  # shown to teacher administrators only


class ForumPostSchema(ModelSchema):
    model = ForumPost
    id = fields.Integer(required=True)
    thread_id = fields.Integer(required=True)
    author_id = fields.Integer(required=True)
    body = fields.String(required=True)
    created_at = fields.DateTime(required=True)
    hidden = fields.Boolean(load_default=False)  # shown to teacher administrators only


class ForumThreadSchema(ModelSchema):
    model = ForumThread
    id = fields.Integer(required=True)
    twinspace_id = fields.Integer(required=True)
    author_id = fields.Integer(required=True)
    title = fields.String(required=True)
    created_at = fields.DateTime(required=True)
    posts = fields.List(fields.Nested(ForumPostSchema), load_default=list)
    hidden = fields.Boolean(load_default=False)  # shown to teacher administrators only


class PageCreateSchema(StrictSchema):
    actor_id = body_id(required=True)
    title = fields.String(required=True)
    body = fields.String(required=True)
    visibility = fields.Enum(Visibility, by_value=True, load_default=None, allow_none=True)


class MaterialCreateSchema(StrictSchema):
    actor_id = body_id(required=True)
    title = fields.String(required=True)
    kind = fields.Enum(MaterialKind, by_value=True, required=True)
    url = fields.String(required=True)
    visibility = fields.Enum(Visibility, by_value=True, load_default=None, allow_none=True)


class ViewerQuery(StrictSchema):
    """Without ``viewer_id`` public items only; only admin tokens may read as a person."""

    viewer_id = query_id()


class TitledPostSchema(StrictSchema):
    """A diary post or a new forum thread."""

    actor_id = body_id(required=True)
    title = fields.String(required=True)
    body = fields.String(required=True)


class ReplySchema(StrictSchema):
    """A diary comment or a forum reply."""

    actor_id = body_id(required=True)
    body = fields.String(required=True)
