"""The one place where errors become HTTP responses.

API clients (paths under ``/api/`` or requests that prefer JSON) get
``{"code", "message", "errors"}``; people inside an LMS iframe get a page that says what went
wrong and who can fix it, written for its reader (a pupil reads a pupil's words and is sent to
their teacher: ``EtwinLtiError.words_for``), with a way back (the links the error carries, or
back to the activity and the course of the launch session) and the error code in small print.
No stack trace ever reaches a response; unexpected errors are logged with their trace and
answered with a generic 500 page.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, g, jsonify, render_template, request, url_for
from flask.typing import ResponseReturnValue
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from etwin_lti.domain.launches import LaunchSession
from etwin_lti.domain.model import TwinSpaceRole
from etwin_lti.domain.translatable import N_
from etwin_lti.errors import (
    AuthenticationError,
    DependencyUnavailableError,
    EtwinLtiError,
    InvalidInputError,
    Reader,
    WayOut,
)
from etwin_lti.persistence.db import lost_database
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
    session: LaunchSession | None = g.get("etwin_launch")
    reader = error.reader or _reader_of(session)
    description, who_can_fix = error.words_for(reader)
    # A pupil's own wording is a marked text of its own; otherwise the description, its values
    # filled in after translation.
    title = (
        translated_description(error)
        if description == error.description
        else translate(description)
    )
    page = render_template(
        "errors/error.html",
        title=title,
        error=error.error,
        who_can_fix=translate(who_can_fix),
        errors=error.errors,
        status=error.status_code,
        reader=reader.value,
        ways_out=error.ways_out or _ways_back(session),
    )
    return page, error.status_code


def _reader_of(session: LaunchSession | None) -> Reader:
    if session is not None and session.role == TwinSpaceRole.PUPIL.value:
        return Reader.PUPIL
    return Reader.ADULT


def _ways_back(session: LaunchSession | None) -> tuple[WayOut, ...]:
    """Back to the activity the session opened (unless this is it) and to the LMS course."""
    if session is None:
        return ()
    ways = []
    resource = session.resource
    if resource is not None:
        values: dict[str, Any] = {f"{resource.kind.value}_id": resource.id}
        url = url_for(f"pages.{resource.kind.value}", **values)
        if url != request.path:
            ways.append(WayOut(N_("Back to the activity"), url))
    if session.return_url:
        ways.append(WayOut(N_("Back to the course"), session.return_url))
    return tuple(ways)


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
        if lost_database(error):
            # A read outside ``Database.session()`` (the launch's Core statements) met the
            # database down: the same 503 "try again" as every other path, not a 500.
            log.error("database unavailable on %s %s: %s", request.method, request.path, error)
            return _etwin_error(DependencyUnavailableError())
        log.exception("unexpected error on %s %s", request.method, request.path)
        generic = EtwinLtiError(
            "Something went wrong on our side. The error was logged.",
            who_can_fix="the tool administrator",
        )
        generic.error = "internal_error"
        generic.status_code = 500
        return error_response(generic)
