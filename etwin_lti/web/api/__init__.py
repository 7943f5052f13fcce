"""The REST API ``/api/v1`` over the eTwinning hub (flask-smorest on ``schemas/api``).

Views are thin: parse with a schema, call ``HubPort``, dump with a schema. Every view needs a
bearer token (``auth.requires``); the OpenAPI document ``/api/v1/openapi.json`` does not.
Errors are not handled here: ``etwin_lti.web.errors`` writes the one JSON error body, so the
flask-smorest handler (a different shape) is not installed.
"""

from __future__ import annotations

from flask import Flask
from flask_smorest import Api

from etwin_lti.web.api import (
    acknowledgements,
    content,
    course,
    events,
    people,
    projects,
    twinspaces,
)
from schemas.api.errors import ApiErrorSchema

BLUEPRINTS = (
    people.bp,
    projects.bp,
    twinspaces.bp,
    content.bp,
    events.bp,
    course.bp,
    acknowledgements.bp,
)


class EtwinApi(Api):
    ERROR_SCHEMA = ApiErrorSchema  # documents our error body, not flask-smorest's

    def _register_error_handlers(self) -> None:
        """Keep ``etwin_lti.web.errors`` the one place that turns errors into responses."""


def init_api(app: Flask) -> Api:
    app.config.setdefault("API_TITLE", "etwin-lti hub API")
    app.config.setdefault("API_VERSION", "v1")
    app.config.setdefault("OPENAPI_VERSION", "3.0.3")
    app.config.setdefault("OPENAPI_URL_PREFIX", "/api/v1")
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    app.config.setdefault(
        "API_SPEC_OPTIONS",
        {
            "security": [{"bearerAuth": []}],
            "info": {
                "description": "eTwinning hub: projects, TwinSpaces, Learning Events, the "
                "distance course and acknowledgements. Create a token with "
                "`etwin-lti token create --role admin|nso_officer|css_officer`; each "
                "operation lists the token roles it accepts in `x-token-roles`."
            },
        },
    )
    api = EtwinApi(app)
    api.spec.components.security_scheme(
        "bearerAuth", {"type": "http", "scheme": "bearer", "description": "An API token."}
    )
    for blueprint in BLUEPRINTS:
        api.register_blueprint(blueprint)
    return api
