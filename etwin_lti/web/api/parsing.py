"""Request parsing for the REST API: every refusal is an ``InvalidInputError`` (422).

webargs answers a broken JSON body with a 400 and puts its own shape in the exception; we raise
our error instead so that the one handler in ``etwin_lti.web.errors`` writes the one JSON body.
A body sent with another content type is refused rather than silently read as empty.

Every location a view reads (JSON body, query string, form) passes through
``auth.bind_acting_person``: a teacher's credential acts as its own person, set here once for
every endpoint (``etwin_lti.web.api.auth``, "Writes act as the person").
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NoReturn

import marshmallow as ma
from flask import Request
from flask_smorest import Blueprint
from webargs.flaskparser import FlaskParser, is_json_request

from etwin_lti.errors import InvalidInputError
from etwin_lti.web.api.auth import bind_acting_person


class ApiParser(FlaskParser):
    DEFAULT_VALIDATION_STATUS = 422
    # Our API refuses unknown query parameters too, not only unknown body fields.
    DEFAULT_UNKNOWN_BY_LOCATION = {
        **FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION,
        "query": ma.RAISE,
        "querystring": ma.RAISE,
    }

    def load_json(self, req: Request, schema: ma.Schema) -> Any:
        return bind_acting_person(super().load_json(req, schema), schema)

    def load_querystring(self, req: Request, schema: ma.Schema) -> Any:
        return bind_acting_person(super().load_querystring(req, schema), schema)

    def load_form(self, req: Request, schema: ma.Schema) -> Any:
        return bind_acting_person(super().load_form(req, schema), schema)

    def _raw_load_json(self, req: Request) -> Any:
        if req.get_data(cache=True) and not is_json_request(req):
            raise InvalidInputError(
                errors={"_schema": ["The body must be JSON (Content-Type: application/json)."]}
            )
        return super()._raw_load_json(req)

    def _handle_invalid_json_error(
        self, error: Exception, req: Request, *_: Any, **__: Any
    ) -> NoReturn:
        raise InvalidInputError(errors={"_schema": ["The body is not valid JSON."]}) from error

    def handle_error(
        self,
        error: ma.ValidationError,
        req: Request,
        schema: ma.Schema,
        *,
        error_status_code: int | None,
        error_headers: Mapping[str, str] | None,
    ) -> NoReturn:
        raise InvalidInputError(errors=_field_map(error.messages)) from error


class ApiBlueprint(Blueprint):
    ARGUMENTS_PARSER = ApiParser()


def _field_map(messages: Any) -> dict[str, Any]:
    """webargs keys messages by location (``{"json": {...}}``); clients want the fields."""
    if not isinstance(messages, dict):
        return {"_schema": messages}
    flat: dict[str, Any] = {}
    for location, fields in messages.items():
        flat.update(fields if isinstance(fields, dict) else {location: fields})
    return flat
