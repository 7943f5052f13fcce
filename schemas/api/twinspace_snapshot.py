"""`GET /api/v1/twinspaces/{id}/snapshot`: the embedded TwinSpace page's data in one answer."""

from __future__ import annotations

from marshmallow import fields

from etwin_lti.domain.twinspace_snapshot import TwinSpaceSnapshot
from schemas.api.acknowledgements import EqlStatusSchema
from schemas.api.common import ModelSchema
from schemas.api.content import DiaryPostSchema, ForumThreadSchema, MaterialSchema, PageSchema
from schemas.api.projects import ProjectSchema
from schemas.api.twinspaces import MemberSchema, TwinSpaceSchema


class TwinSpaceSnapshotSchema(ModelSchema):
    model = TwinSpaceSnapshot
    twinspace = fields.Nested(TwinSpaceSchema, required=True)
    project = fields.Nested(ProjectSchema, required=True)
    members = fields.List(fields.Nested(MemberSchema), required=True)
    pages = fields.List(fields.Nested(PageSchema), required=True)
    materials = fields.List(fields.Nested(MaterialSchema), required=True)
    diary = fields.List(fields.Nested(DiaryPostSchema), required=True)
    threads = fields.List(fields.Nested(ForumThreadSchema), required=True)
    viewer = fields.Nested(MemberSchema, required=True, allow_none=True)
    # An older remote hub sends none: read as "no EQL".
    eql = fields.Nested(EqlStatusSchema, load_default=None, allow_none=True)
