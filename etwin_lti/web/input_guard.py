"""One check of every request's input, before any view or parser reads it.

Query strings, forms (the embedded pages, deep linking, the LTI endpoints), path segments and
JSON bodies (the REST API) all pass ``etwin_lti.domain.input_rules``: no NUL, no lone
surrogate, no integer a column cannot hold, no nesting deeper than the cap. A refusal is an
``InvalidInputError`` (422), rendered by ``etwin_lti.web.errors`` as JSON or as a page.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, request
from werkzeug.datastructures import MultiDict
from werkzeug.routing import IntegerConverter, Map

from etwin_lti.domain.input_rules import ID_MAX, MAX_JSON_DEPTH, json_too_deep, value_problems
from etwin_lti.errors import InvalidInputError
from etwin_lti.web.files import UPLOAD_MARK, UPLOAD_REQUEST_MAX


class IdConverter(IntegerConverter):
    """``<int:…>`` in every route: an id no column can hold matches no route (404), and the
    OpenAPI document says so (flask-smorest documents a converter's ``min``/``max``)."""

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min", 0)
        kwargs.setdefault("max", ID_MAX)
        super().__init__(map, *args, **kwargs)


def check_input() -> None:
    problems: dict[str, list[str]] = {}
    problems.update(value_problems(request.view_args or {}))
    problems.update(_form_problems(request.args))
    if _accepts_upload():
        # An upload view (etwin_lti.web.files): its own, larger limit, set before any byte is
        # read; the multipart body is parsed as a stream, never cached whole in memory.
        request.max_content_length = UPLOAD_REQUEST_MAX
        if request.mimetype == "multipart/form-data":
            problems.update(_form_problems(request.form))
            if problems:
                raise InvalidInputError(errors=problems)
            return
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        # Cached first: the form is then parsed from a copy, and a parser reading the raw
        # body afterwards (the API's, which refuses forms) still finds it.
        request.get_data(cache=True)
        problems.update(_form_problems(request.form))
    if request.is_json:
        raw = request.get_data(cache=True)
        if json_too_deep(raw):
            raise InvalidInputError(
                errors={"_schema": [f"The JSON body nests deeper than {MAX_JSON_DEPTH} levels."]}
            )
        # A body that does not parse is left to the view's parser, which says so in its words.
        problems.update(value_problems(request.get_json(silent=True)))
    if problems:
        raise InvalidInputError(errors=problems)


def _accepts_upload() -> bool:
    view = current_app.view_functions.get(request.endpoint or "")
    return bool(getattr(view, UPLOAD_MARK, False))


def _form_problems(fields: MultiDict[str, str]) -> dict[str, list[str]]:
    """Each field by its name, whether it came once or repeated."""
    problems: dict[str, list[str]] = {}
    for name, value in fields.items(multi=True):
        problems.update(value_problems({name: value}))
    return problems


def register_input_guard(app: Flask) -> None:
    app.before_request(check_input)
