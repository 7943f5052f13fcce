"""The audit log for admin tokens (``GET /api/v1/audit``)."""

from __future__ import annotations

from marshmallow import fields, validate

from etwin_lti.domain.audit import AuditEntry
from schemas.api.common import ModelSchema
from schemas.base import StrictSchema

PAGE_MAX = 200


class AuditEntrySchema(ModelSchema):
    model = AuditEntry
    id = fields.Integer(required=True)
    at = fields.DateTime(required=True)
    actor = fields.String(required=True)
    action = fields.String(required=True)
    subject_kind = fields.String(required=True)
    subject_id = fields.String(required=True)
    details = fields.Dict(keys=fields.String(), values=fields.String(), load_default=dict)


class AuditPageSchema(StrictSchema):
    entries = fields.List(fields.Nested(AuditEntrySchema), required=True)
    total = fields.Integer(required=True)
    offset = fields.Integer(required=True)
    limit = fields.Integer(required=True)


class AuditQuery(StrictSchema):
    offset = fields.Integer(
        load_default=0, strict=False, validate=validate.Range(min=0, max=2_000_000_000)
    )
    limit = fields.Integer(load_default=50, strict=False, validate=validate.Range(1, PAGE_MAX))
