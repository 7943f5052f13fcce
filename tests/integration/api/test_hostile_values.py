"""Values no field may hold, on both databases: one row per rule, each refused with its status
(422 from the input guard, 404 for an id no column can hold), none a 500, nothing written.

The rows are the 500s the security review found (integers ≥ 2^63, deep JSON, lone surrogates,
NUL stored on SQLite and a 500 on PostgreSQL, a 20-digit badge id) and their neighbours.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from tests.conftest import make_test_app, settle
from tests.integration.api.test_bad_input import Headers, send
from tests.integration.api.world import World, build_world, snapshot

DEEP = "[" * 10_000 + "]" * 10_000


@pytest.fixture
def hub_app(app_database_url: str, tmp_path: Path) -> Iterator[Flask]:
    app = make_test_app(app_database_url, tmp_path)
    yield app
    settle(app)


@pytest.fixture
def world(hub_app: Flask) -> World:
    return build_world(hub_app.extensions["etwin"].hub)


def teacher(**overrides: Any) -> dict[str, Any]:
    return {"display_name": "Ana", "kind": "teacher", "country_code": "PT", **overrides}


# (method, path, body, status, field): body as in test_bad_input (dict = JSON, str = raw JSON).
Row = tuple[str, str, Callable[[World], Any], int, str | None]

ROWS: dict[str, Row] = {
    "NUL in a string": (
        "POST",
        "/people",
        lambda w: teacher(display_name="A\x00n"),
        422,
        "display_name",
    ),
    "lone surrogate in a string": (
        "POST",
        "/people",
        lambda w: '{"display_name": "A\\ud800", "kind": "teacher", "country_code": "PT"}',
        422,
        "display_name",
    ),
    "lone low surrogate in a nested string": (
        "POST",
        "/twinspaces/{twinspace}/pages",
        lambda w: f'{{"actor_id": {w.fr}, "title": "t", "body": "\\udc00x"}}',
        422,
        "body",
    ),
    "NUL in a field name": ("POST", "/people", lambda w: {**teacher(), "a\x00": 1}, 422, "_schema"),
    "NUL in a query string": ("GET", "/people?country=F%00R", lambda w: None, 422, "country"),
    "id of 2^63 in a body": (
        "POST",
        "/projects",
        lambda w: {"founder_id": 2**63, "partner_founder_id": w.de, "title": "R"},
        422,
        "founder_id",
    ),
    "id below -2^63 in a body": (
        "POST",
        "/projects",
        lambda w: {"founder_id": w.fr, "partner_founder_id": -(2**63) - 1, "title": "R"},
        422,
        "partner_founder_id",
    ),
    "id over PostgreSQL INTEGER": (
        "POST",
        "/projects",
        lambda w: {"founder_id": 2**31, "partner_founder_id": w.de, "title": "R"},
        422,
        "founder_id",
    ),
    "negative id": (
        "POST",
        "/projects",
        lambda w: {"founder_id": -1, "partner_founder_id": w.de, "title": "R"},
        422,
        "founder_id",
    ),
    "integer over INTEGER in a non-id field": (
        "POST",
        "/events",
        lambda w: {
            "title": "LE",
            "description": "d",
            "expert_id": w.expert,
            "starts_on": "2030-06-02",
            "ends_on": "2030-06-16",
            "capacity": 2**40,
        },
        422,
        "capacity",
    ),
    "NaN": ("POST", "/events", lambda w: '{"capacity": NaN}', 422, "capacity"),
    "Infinity": ("POST", "/events", lambda w: '{"capacity": 1e999}', 422, "capacity"),
    "query id of 20 digits": (
        "GET",
        "/acknowledgements?person_id=99999999999999999999",
        lambda w: None,
        422,
        "person_id",
    ),
    "deeply nested JSON": ("POST", "/people", lambda w: DEEP, 422, "_schema"),
    "deep JSON inside a string is only text": (
        "POST",
        "/people",
        lambda w: teacher(display_name=DEEP[:50] + DEEP[-50:]),
        201,
        None,
    ),
    "path id of 20 digits": ("GET", "/people/99999999999999999999", lambda w: None, 404, None),
    "path id over INTEGER": ("GET", f"/projects/{2**31}", lambda w: None, 404, None),
}


@pytest.mark.parametrize("row", ROWS.values(), ids=ROWS.keys())
def test_hostile_values_are_refused_on_both_databases(
    hub_app: Flask,
    world: World,
    row: Row,
    make_hub_token: Callable[..., Headers],
    caplog: pytest.LogCaptureFixture,
) -> None:
    method, path, body, status, field = row
    before = snapshot(hub_app.extensions["etwin"].database)
    with caplog.at_level(logging.ERROR):
        response = send(hub_app, make_hub_token(hub_app), method, path, body(world), world)
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/json"
    if status == 201:
        return
    payload = response.get_json()
    assert payload["code"] == ("invalid_input" if status == 422 else "not_found")
    if field is not None:
        assert field in payload["errors"], payload
    assert snapshot(hub_app.extensions["etwin"].database) == before
    assert not [r for r in caplog.records if r.exc_info], "a traceback was logged"


@pytest.fixture
def make_hub_token() -> Callable[[Flask], Headers]:
    from datetime import UTC, datetime

    from etwin_lti.domain.api_tokens import ApiTokenRole

    def make(app: Flask) -> Headers:
        store = app.extensions["etwin"].api_tokens
        _, secret = store.create(ApiTokenRole.ADMIN, now=datetime.now(UTC))
        return {"Authorization": f"Bearer {secret}"}

    return make


def test_badge_assertion_with_a_twenty_digit_id_is_a_404_without_a_traceback(
    hub_app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR):
        response = hub_app.test_client().get("/badges/assertions/12345678901234567890")
    assert response.status_code == 404
    assert response.mimetype == "application/json"
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_an_embedded_page_form_with_nul_is_refused_with_a_page(
    hub_app: Flask, world: World
) -> None:
    before = snapshot(hub_app.extensions["etwin"].database)
    response = hub_app.test_client().post(
        f"/embed/twinspace/{world.twinspace}/pages",
        data={"title": "Our\x00page", "body": "hi"},
        headers={"Accept": "text/html"},
    )
    assert response.status_code == 422
    assert response.mimetype == "text/html"
    assert 'data-error="invalid_input"' in response.get_data(as_text=True)
    assert snapshot(hub_app.extensions["etwin"].database) == before
