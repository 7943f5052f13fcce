"""``PUT /api/v1/people/{id}/country`` and the country a teacher needs to found a project
(docs/decisions/0006): over the Flask test client, with "nothing written" checked on every table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask

from etwin_lti.domain.model import PersonKind
from tests.integration.api.world import snapshot

Headers = dict[str, str]


@dataclass(frozen=True)
class People:
    newcomer: int  # a teacher who arrived without a country
    founder: int  # French, founded a project
    italian: int
    pupil: int


@pytest.fixture
def people(app: Flask) -> People:
    hub = app.extensions["etwin"].hub
    newcomer = hub.create_person("From Moodle", PersonKind.TEACHER).id
    founder = hub.create_person("Marie", PersonKind.TEACHER, country_code="FR").id
    italian = hub.create_person("Giulia", PersonKind.TEACHER, country_code="IT").id
    pupil = hub.create_person("Pupil 1", PersonKind.PUPIL).id
    hub.create_project(founder, italian, "Water around us")
    return People(newcomer, founder, italian, pupil)


def put_country(app: Flask, headers: Headers, person_id: int, body: Any):  # type: ignore[no-untyped-def]
    return app.test_client().put(f"/api/v1/people/{person_id}/country", headers=headers, json=body)


def test_a_teacher_without_country_sets_it_then_founds(
    app: Flask, admin: Headers, people: People
) -> None:
    client = app.test_client()
    created = client.post(
        "/api/v1/people",
        headers=admin,
        json={"display_name": "Ana", "kind": "teacher", "email": "ana@school.pt"},
    )
    assert created.status_code == 201, created.get_json()
    ana = created.get_json()
    assert ana["country_code"] is None

    founding = {"founder_id": ana["id"], "partner_founder_id": people.italian, "title": "Rivers"}
    refused = client.post("/api/v1/projects", headers=admin, json=founding)
    assert refused.status_code == 422
    assert refused.get_json()["code"] == "country_required"
    assert refused.get_json()["errors"] == {
        "founder_id": ["Set your country in your eTwinning profile before founding a project."]
    }

    answer = put_country(app, admin, ana["id"], {"actor_id": ana["id"], "country_code": "pt"})
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json() == {**ana, "country_code": "PT"}
    assert client.get(f"/api/v1/people/{ana['id']}", headers=admin).get_json()["country_code"] == (
        "PT"
    )
    founded = client.post("/api/v1/projects", headers=admin, json=founding)
    assert founded.status_code == 201, founded.get_json()
    assert founded.get_json()["scope"] == "european"
    assert founded.get_json()["founder_countries"] == ["PT", "IT"]


# (token role, person, body, status, code, field): one row per rule.
Row = tuple[str, Callable[[People], int], Callable[[People], dict[str, Any]], int, str, str | None]
ROWS: dict[str, Row] = {
    "unknown country": (
        "admin",
        lambda p: p.newcomer,
        lambda p: {"actor_id": p.newcomer, "country_code": "ZZ"},
        422,
        "invalid_input",
        "country_code",
    ),
    "country no longer eligible": (
        "admin",
        lambda p: p.newcomer,
        lambda p: {"actor_id": p.newcomer, "country_code": "GB"},
        422,
        "invalid_input",
        "country_code",
    ),
    "no country given": (
        "admin",
        lambda p: p.newcomer,
        lambda p: {"actor_id": p.newcomer},
        422,
        "invalid_input",
        "country_code",
    ),
    "unknown field": (
        "admin",
        lambda p: p.newcomer,
        lambda p: {"actor_id": p.newcomer, "country_code": "FR", "country": "FR"},
        422,
        "invalid_input",
        "country",
    ),
    "another person's country": (
        "admin",
        lambda p: p.newcomer,
        lambda p: {"actor_id": p.italian, "country_code": "IT"},
        403,
        "forbidden",
        None,
    ),
    "change after founding": (
        "admin",
        lambda p: p.founder,
        lambda p: {"actor_id": p.founder, "country_code": "DE"},
        409,
        "country_locked",
        None,
    ),
    "unknown person": (
        "admin",
        lambda p: 2_000_000_000,
        lambda p: {"actor_id": p.newcomer, "country_code": "FR"},
        404,
        "not_found",
        None,
    ),
    "read-only token": (
        "css_officer",
        lambda p: p.newcomer,
        lambda p: {"actor_id": p.newcomer, "country_code": "FR"},
        403,
        "forbidden",
        None,
    ),
}


@pytest.mark.parametrize("row", ROWS.values(), ids=ROWS.keys())
def test_refused_country_changes_write_nothing(
    app: Flask, make_token: Callable[..., Headers], people: People, row: Row
) -> None:
    role, target, body, status, code, field = row
    headers = make_token(role)
    before = snapshot(app.extensions["etwin"].database)
    response = put_country(app, headers, target(people), body(people))
    payload = response.get_json()
    assert (response.status_code, payload["code"]) == (status, code), payload
    if field is not None:
        assert payload["errors"][field], payload
    assert snapshot(app.extensions["etwin"].database) == before


def test_the_same_country_again_after_founding_is_accepted(
    app: Flask, admin: Headers, people: People
) -> None:
    before = snapshot(app.extensions["etwin"].database)
    response = put_country(
        app, admin, people.founder, {"actor_id": people.founder, "country_code": "FR"}
    )
    assert response.status_code == 200
    assert response.get_json()["country_code"] == "FR"
    assert snapshot(app.extensions["etwin"].database) == before


def test_the_endpoint_is_documented(app: Flask) -> None:
    spec = app.test_client().get("/api/v1/openapi.json").get_json()
    operation = spec["paths"]["/api/v1/people/{person_id}/country"]["put"]
    assert operation["x-token-roles"] == ["admin", "teacher"]  # a teacher sets their own
