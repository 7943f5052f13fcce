"""The OpenAPI document: public, valid JSON, every hub operation listed with its token roles."""

from __future__ import annotations

import re
from pathlib import Path

from flask import Flask

from etwin_lti.domain.ports import HubPort
from tests.conftest import make_test_app

# dir(), not vars(): HubPort inherits its methods from the area ports.
HUB_METHODS = {
    name for name in dir(HubPort) if not name.startswith("_") and callable(getattr(HubPort, name))
}


def api_rules(app: Flask) -> list:
    return [
        rule
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/") and rule.endpoint != "api-docs.openapi_json"
    ]


def test_document_is_public_json_listing_every_path(app: Flask) -> None:
    response = app.test_client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    doc = response.get_json()
    assert doc["openapi"] == "3.0.3"
    assert doc["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    documented = {
        (method.upper(), path)
        for path, operations in doc["paths"].items()
        for method in operations
        if method in {"get", "post", "put", "patch", "delete"}
    }
    served = {
        # <int:id>, <any(page, material):kind> and <name> all become {name}
        (method, re.sub(r"<(?:\w+(?:\([^)]*\))?:)?(\w+)>", r"{\1}", rule.rule))
        for rule in api_rules(app)
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert documented == served
    for operations in doc["paths"].values():
        for operation in operations.values():
            if isinstance(operation, dict) and "responses" in operation:
                assert operation["x-token-roles"]  # who may call it, in the document


# One operation for two hub methods: a JSON body adds a link, a multipart body a file.
SERVED_BY = {"add_file_material": "add_material"}


def test_every_hub_method_is_reachable(app: Flask) -> None:
    """Each HubPort method has one view named after it."""
    views = {rule.endpoint.split(".")[-1] for rule in api_rules(app)}
    assert {SERVED_BY.get(m, m) for m in HUB_METHODS} - views == set()
    assert len(HUB_METHODS) >= 50


def test_every_view_declares_its_permission(app: Flask) -> None:
    for rule in api_rules(app):
        assert hasattr(app.view_functions[rule.endpoint], "api_permission"), rule.rule


def test_apps_with_the_same_settings_serve_the_same_document(
    app: Flask, app_sqlite_url: str, tmp_path: Path
) -> None:
    """The document is built once per process and settings (start-up cost), never stale."""
    first = app.test_client().get("/api/v1/openapi.json").get_json()
    again = make_test_app(app_sqlite_url, tmp_path / "again")
    assert again.test_client().get("/api/v1/openapi.json").get_json() == first
    other = make_test_app(app_sqlite_url, tmp_path / "other", API_TITLE="Another hub API")
    document = other.test_client().get("/api/v1/openapi.json").get_json()
    assert document["info"]["title"] == "Another hub API"
    assert document["paths"] == first["paths"]
    for built in (again, other):
        built.extensions["etwin"].database.dispose()
