"""Uploaded files of materials (issue 12): the file's description in a material, and the
multipart form that uploads one (``POST /twinspaces/<id>/materials`` with a ``file`` part)."""

from __future__ import annotations

from marshmallow import fields

from etwin_lti.domain.model import MaterialFile, Visibility
from schemas.api.common import ID_RANGE, ModelSchema
from schemas.base import StrictSchema


class MaterialFileSchema(ModelSchema):
    model = MaterialFile
    content_type = fields.String(required=True)
    size = fields.Integer(required=True)
    filename = fields.String(required=True)
    has_thumbnail = fields.Boolean(required=True)


class MaterialUploadFormSchema(StrictSchema):
    """The form fields beside the ``file`` part (form values are text: ids are parsed)."""

    actor_id = fields.Integer(required=True, validate=ID_RANGE)
    title = fields.String(required=True)
    visibility = fields.Enum(Visibility, by_value=True, load_default=None, allow_none=True)


class FileUsageSchema(StrictSchema):
    used_bytes = fields.Integer(required=True)
