"""The REST API ``/api/v1`` over the eTwinning hub (flask-smorest on ``schemas/api``).

Views are thin: parse with a schema, call ``HubPort``, dump with a schema. Every view needs a
bearer token (``auth.requires``); the OpenAPI document ``/api/v1/openapi.json`` does not.
Errors are not handled here: ``etwin_lti.web.errors`` writes the one JSON error body, so the
flask-smorest handler (a different shape) is not installed.
"""

from __future__ import annotations

from typing import Any

from apispec import APISpec
from flask import Flask
from flask_smorest import Api

from etwin_lti.web.api import (
    acknowledgements,
    audit,
    chat,
    content,
    course,
    events,
    material_files,
    moderation,
    partner_invitations,
    people,
    projects,
    public,
    twinspaces,
)
from etwin_lti.web.api.auth import CSRF_HEADER
from etwin_lti.web.session import SESSION_COOKIE
from schemas.api.errors import ApiErrorSchema

BLUEPRINTS = (
    people.bp,
    projects.bp,
    partner_invitations.bp,
    twinspaces.bp,
    content.bp,
    moderation.bp,
    events.bp,
    course.bp,
    acknowledgements.bp,
    audit.bp,
    material_files.bp,
    chat.bp,
    public.bp,
)


SPEC_SETTINGS = ("API_TITLE", "API_VERSION", "OPENAPI_VERSION", "API_SPEC_OPTIONS")

# The OpenAPI document depends only on the blueprints above and the SPEC_SETTINGS, yet building
# it is most of an app's start-up (every schema converted, every view documented). An app
# whose settings match an earlier one's in this process reuses that document: it is read-only
# once built (served by ``openapi.json``), so apps can share it.
_documents: dict[str, APISpec] = {}


class EtwinApi(Api):
    ERROR_SCHEMA = ApiErrorSchema  # documents our error body, not flask-smorest's

    def __init__(self, app: Flask, document: APISpec | None) -> None:
        self._document = document
        super().__init__(app)

    def _init_spec(self, *args: Any, **kwargs: Any) -> None:
        if self._document is None:
            super()._init_spec(*args, **kwargs)
        else:
            self.spec = self._document
            self.flask_plugin, self.ma_plugin = self._document.plugins[:2]

    def register_blueprint(self, blp: Any, *, parameters: Any = None, **options: Any) -> None:
        if self._document is None:
            super().register_blueprint(blp, parameters=parameters, **options)
            return
        # What Api.register_blueprint does, less documenting the views again.
        self._app.extensions["flask-smorest"]["blp_name_to_api"][options.get("name", blp.name)] = (
            self
        )
        self._app.register_blueprint(blp, **options)

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
            # A bearer token, or a teacher's launch session with the page's CSRF token.
            "security": [{"bearerAuth": []}, {"launchSession": [], "launchCsrf": []}],
            "info": {
                "description": "eTwinning hub: projects, TwinSpaces, Learning Events, the "
                "distance course and acknowledgements. Create a token with "
                "`etwin-lti token create --role admin|nso_officer|css_officer` or "
                "`--role teacher --person ID` (teachers also create their own on the "
                "activity's API access page); each operation lists the token roles it "
                "accepts in `x-token-roles`. A teacher's credential acts as that teacher: "
                "fields marked `x-acting-person` (and `actor_id`, `viewer_id`, `member_id`) "
                "may be left out and any other value is 403. The embedded pages' own "
                "scripts call the API with their launch session and the `X-Etwin-CSRF` "
                "header (the page's `csrf_token`)."
            },
        },
    )
    key = repr([app.config[name] for name in SPEC_SETTINGS])
    api = EtwinApi(app, _documents.get(key))
    if key not in _documents:
        api.spec.components.security_scheme(
            "bearerAuth", {"type": "http", "scheme": "bearer", "description": "An API token."}
        )
        api.spec.components.security_scheme(
            "launchSession",
            {
                "type": "apiKey",
                "in": "cookie",
                "name": SESSION_COOKIE,
                "description": "A teacher's launch session (or the X-Etwin-Launch header "
                "token), only together with launchCsrf.",
            },
        )
        api.spec.components.security_scheme(
            "launchCsrf",
            {
                "type": "apiKey",
                "in": "header",
                "name": CSRF_HEADER,
                "description": "The embedded page's CSRF token (its csrf_token meta tag).",
            },
        )
    for blueprint in BLUEPRINTS:
        api.register_blueprint(blueprint)
    _documents.setdefault(key, api.spec)
    return api
