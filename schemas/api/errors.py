"""The one error body of the REST API (``etwin_lti.errors.EtwinLtiError.to_dict``)."""

from __future__ import annotations

from marshmallow import Schema, fields


class ApiErrorSchema(Schema):
    code = fields.String(
        required=True, metadata={"description": "Stable machine code, e.g. invalid_input."}
    )
    message = fields.String(required=True, metadata={"description": "Safe to show to a user."})
    errors = fields.Dict(
        keys=fields.String(),
        metadata={"description": "Field name -> list of messages (422 only)."},
    )
