"""The one place where errors become HTTP responses.

API clients (paths under ``/api/`` or requests that prefer JSON) get
``{"code", "message", "errors"}``; people inside an LMS iframe get a page that says what went
wrong and who can fix it. No stack trace ever reaches a response; unexpected errors are logged
with their trace and answered with a generic 500 page.
"""

from __future__ import annotations

import logging

from flask import Flask, Response, g, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from etwin_lti.errors import AuthenticationError, EtwinLtiError, InvalidInputError
from etwin_lti.web.i18n import speak_as, translate, translated_description
from etwin_lti.web.negotiation import prefers_html
from etwin_lti.web.observability import note_refusal

log = logging.getLogger(__name__)


def wants_json() -> bool:
    if g.get("json_errors"):  # a view read only by a script (the chat poll)
        return True
    if request.path.startswith("/api/") or request.path.startswith("/lti/register/api"):
        return True
    if request.path.startswith("/badges/") and not _badge_page(request.path):
        # Open Badges documents are JSON for verifiers (404 JSON for unknown ones), unless a
        # browser asks: it opened an assertion's URL and reads the answer (content negotiation).
        return not prefers_html()
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return (
        best == "application/json"
        and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]
    )


def _badge_page(path: str) -> bool:
    """The printable certificates and the verify page: always pages for people."""
    return "/certificate" in path or path.endswith("/verify")


def error_response(error: EtwinLtiError) -> tuple[Response | str, int]:
    note_refusal(error.error)  # etwin_lti_refusals_total{reason}
    if wants_json():
        return jsonify(error.to_dict()), error.status_code
    speak_as(error)
    page = render_template(
        "errors/error.html",
        title=translated_description(error),
        error=error.error,
        who_can_fix=translate(error.who_can_fix),
        errors=error.errors,
        status=error.status_code,
    )
    return page, error.status_code


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(EtwinLtiError)
    def _etwin_error(error: EtwinLtiError) -> ResponseReturnValue:
        if error.status_code >= 500:
            log.error("%s: %s", error.error, error.description)
        if isinstance(error, AuthenticationError):  # RFC 6750 section 3: name the scheme
            body, status = error_response(error)
            return body, status, {"WWW-Authenticate": 'Bearer realm="etwin-lti"'}
        return error_response(error)

    @app.errorhandler(ValidationError)
    def _validation_error(error: ValidationError) -> ResponseReturnValue:
        messages = (
            error.messages if isinstance(error.messages, dict) else {"_schema": error.messages}
        )
        return error_response(InvalidInputError(errors=messages))

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> ResponseReturnValue:
        code = error.code or 500
        if code == 422 and getattr(error, "data", None):
            # flask-smorest/webargs attach the marshmallow field map here.
            messages = error.data.get("messages", {})  # type: ignore[attr-defined]
            flat = {k: v for location in messages.values() for k, v in location.items()}
            return error_response(InvalidInputError(errors=flat or messages))
        generic = EtwinLtiError(error.description or error.name, who_can_fix="you")
        generic.error = error.name.lower().replace(" ", "_")
        generic.status_code = code
        body, status = error_response(generic)
        if isinstance(error, MethodNotAllowed) and error.valid_methods:
            # RFC 9110 section 15.5.6: a 405 names the methods the resource does allow.
            return body, status, {"Allow": ", ".join(sorted(error.valid_methods))}
        return body, status

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> ResponseReturnValue:
        log.exception("unexpected error on %s %s", request.method, request.path)
        generic = EtwinLtiError(
            "Something went wrong on our side. The error was logged.",
            who_can_fix="the tool administrator",
        )
        generic.error = "internal_error"
        generic.status_code = 500
        return error_response(generic)
