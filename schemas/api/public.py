"""The public project page and the gallery index (``etwin_lti.domain.public_pages``)."""

from __future__ import annotations

from marshmallow import fields, validate

from etwin_lti.domain.model import MaterialKind, ProjectScope
from etwin_lti.domain.public_pages import (
    GALLERY_PAGE_MAX,
    GALLERY_PAGE_SIZE,
    OFFSET_MAX,
    PublicDiaryPost,
    PublicMaterial,
    PublicPage,
    PublicProject,
    PublicProjectList,
    PublicProjectSummary,
)
from schemas.api.acknowledgements import EqlStatusSchema
from schemas.api.common import ModelSchema
from schemas.base import StrictSchema


class PublicPageSchema(ModelSchema):
    model = PublicPage
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    body = fields.String(required=True)
    created_at = fields.DateTime(required=True)


class PublicMaterialSchema(ModelSchema):
    model = PublicMaterial
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    kind = fields.Enum(MaterialKind, by_value=True, required=True)
    url = fields.String(required=True, allow_none=True)  # None: an uploaded file
    created_at = fields.DateTime(required=True)
    has_thumbnail = fields.Boolean(load_default=False)


class PublicDiaryPostSchema(ModelSchema):
    model = PublicDiaryPost
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    body = fields.String(required=True)
    created_at = fields.DateTime(required=True)
    country_name = fields.String(required=True, allow_none=True)


class PublicProjectSchema(ModelSchema):
    model = PublicProject
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    description = fields.String(required=True)
    scope = fields.Enum(ProjectScope, by_value=True, required=True)
    country_codes = fields.List(fields.String(), required=True)
    country_names = fields.List(fields.String(), required=True)
    approved_at = fields.DateTime(required=True)
    closed_at = fields.DateTime(required=True, allow_none=True)
    pages = fields.List(fields.Nested(PublicPageSchema), required=True)
    materials = fields.List(fields.Nested(PublicMaterialSchema), required=True)
    diary = fields.List(fields.Nested(PublicDiaryPostSchema), required=True)
    eql = fields.Nested(EqlStatusSchema, required=True, allow_none=True)


class PublicProjectSummarySchema(ModelSchema):
    model = PublicProjectSummary
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    description = fields.String(required=True)
    country_names = fields.List(fields.String(), required=True)
    approved_at = fields.DateTime(required=True)
    closed_at = fields.DateTime(required=True, allow_none=True)
    pages = fields.Integer(required=True)
    materials = fields.Integer(required=True)
    diary_posts = fields.Integer(required=True)
    has_eql = fields.Boolean(required=True)


class PublicProjectListSchema(ModelSchema):
    model = PublicProjectList
    entries = fields.List(fields.Nested(PublicProjectSummarySchema), required=True)
    total = fields.Integer(required=True)
    offset = fields.Integer(required=True)
    limit = fields.Integer(required=True)


class PublicListQuery(StrictSchema):
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0, max=OFFSET_MAX))
    limit = fields.Integer(
        load_default=GALLERY_PAGE_SIZE, validate=validate.Range(min=1, max=GALLERY_PAGE_MAX)
    )
