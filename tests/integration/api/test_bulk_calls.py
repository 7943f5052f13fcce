"""The API's two bulk calls, ``POST /people/batch`` and ``POST /twinspaces/<id>/members/sync``:
what a remote hub's roster sync sends (``connectors/http_hub``, one call per ``BATCH_MAX``
items). The hub contract runs both through ``HttpHubConnector``; here, the wire: statuses, field
maps, and that a refused call writes nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask

from schemas.api.common import BATCH_MAX
from tests.integration.api.world import World, build_world, snapshot

Headers = dict[str, str]
PUPIL = {"display_name": "Pupil 7G8H", "kind": "pupil"}


@pytest.fixture
def world(app: Flask) -> World:
    return build_world(app.extensions["etwin"].hub)


def post(app: Flask, headers: Headers, path: str, body: Any) -> Any:
    client = app.test_client()
    if isinstance(body, str):
        return client.post(
            "/api/v1" + path, headers=headers, data=body, content_type="application/json"
        )
    return client.post("/api/v1" + path, headers=headers, json=body)


def test_people_created_in_one_call_in_their_order(app: Flask, admin: Headers) -> None:
    drafts = [
        PUPIL,
        {"display_name": "Ana", "kind": "teacher", "country_code": "pt", "school": "EB1"},
        {"display_name": "A visitor", "kind": "guest"},
    ]
    response = post(app, admin, "/people/batch", {"people": drafts})
    assert response.status_code == 201, response.get_json()
    people = response.get_json()["people"]
    assert [(p["display_name"], p["kind"]) for p in people] == [
        ("Pupil 7G8H", "pupil"),
        ("Ana", "teacher"),
        ("A visitor", "guest"),
    ]
    assert people[1]["country_code"] == "PT" and people[0]["email"] is None
    for person in people:
        read = app.test_client().get(f"/api/v1/people/{person['id']}", headers=admin)
        assert read.get_json() == person


def test_memberships_synced_in_one_call(app: Flask, admin: Headers, world: World) -> None:
    newcomer = post(app, admin, "/people/batch", {"people": [PUPIL]}).get_json()["people"][0]
    changes = [
        {"person_id": newcomer["id"], "role": "pupil"},
        {"person_id": world.pupil, "role": "pupil", "active": False},
        {"person_id": world.it, "role": "pupil"},  # a teacher is never a pupil
        {"person_id": 999999, "role": "pupil"},
    ]
    response = post(app, admin, f"/twinspaces/{world.twinspace}/members/sync", {"changes": changes})
    assert response.status_code == 200, response.get_json()
    answer = response.get_json()
    members = {m["person_id"]: m for m in answer["members"]}
    assert set(members) == {newcomer["id"], world.pupil}
    assert members[newcomer["id"]]["role_source"] == "lms"
    refused = {r["person_id"]: r for r in answer["refused"]}
    assert set(refused) == {world.it, 999999}
    assert refused[999999]["status"] == 404 and refused[world.it]["status"] == 409
    assert all(r["code"] and r["message"] for r in refused.values())
    member = f"/api/v1/twinspaces/{world.twinspace}/members/{newcomer['id']}"
    assert app.test_client().get(member, headers=admin).get_json() == members[newcomer["id"]]


def too_many_people(w: World) -> Any:
    return {"people": [PUPIL] * (BATCH_MAX + 1)}


def too_many_changes(w: World) -> Any:
    return {"changes": [{"person_id": w.pupil, "role": "pupil"}] * (BATCH_MAX + 1)}


# (path, body, status, code, field in the field map)
Row = tuple[str, Callable[[World], Any], int, str, str | None]
TS_SYNC = "/twinspaces/{twinspace}/members/sync"
BAD: dict[str, Row] = {
    "no people": ("/people/batch", lambda w: {"people": []}, 422, "invalid_input", "people"),
    "more people than one call takes": (
        "/people/batch",
        too_many_people,
        422,
        "invalid_input",
        "people",
    ),
    "people not a list": (
        "/people/batch",
        lambda w: {"people": PUPIL},
        422,
        "invalid_input",
        "people",
    ),
    "a body without people": ("/people/batch", lambda w: {}, 422, "invalid_input", "people"),
    "an unknown field in a draft": (
        "/people/batch",
        lambda w: {"people": [PUPIL, {**PUPIL, "password": "x"}]},
        422,
        "invalid_input",
        "people",
    ),
    "a draft of an unknown kind": (
        "/people/batch",
        lambda w: {"people": [PUPIL, {**PUPIL, "kind": "robot"}]},
        422,
        "invalid_input",
        "people",
    ),
    # The hub's rules: the valid draft before it is not written either.
    "a pupil with an e-mail": (
        "/people/batch",
        lambda w: {"people": [PUPIL, {**PUPIL, "email": "kid@example.org"}]},
        422,
        "invalid_input",
        "email",
    ),
    "a teacher of an unknown country": (
        "/people/batch",
        lambda w: {
            "people": [PUPIL, {"display_name": "T", "kind": "teacher", "country_code": "ZZ"}]
        },
        422,
        "invalid_input",
        "country_code",
    ),
    "malformed JSON": ("/people/batch", lambda w: '{"people": [', 422, "invalid_input", "_schema"),
    "no changes": (TS_SYNC, lambda w: {"changes": []}, 422, "invalid_input", "changes"),
    "more changes than one call takes": (
        TS_SYNC,
        too_many_changes,
        422,
        "invalid_input",
        "changes",
    ),
    "a person id as text": (
        TS_SYNC,
        lambda w: {"changes": [{"person_id": str(w.pupil), "role": "pupil"}]},
        422,
        "invalid_input",
        "changes",
    ),
    "a negative person id": (
        TS_SYNC,
        lambda w: {"changes": [{"person_id": -1, "role": "pupil"}]},
        422,
        "invalid_input",
        "changes",
    ),
    "an unknown role": (
        TS_SYNC,
        lambda w: {"changes": [{"person_id": w.pupil, "role": "founder"}]},
        422,
        "invalid_input",
        "changes",
    ),
    "an actor smuggled into a change": (
        TS_SYNC,
        lambda w: {"changes": [{"person_id": w.pupil, "role": "pupil", "actor_id": w.fr}]},
        422,
        "invalid_input",
        "changes",
    ),
    "an unknown TwinSpace": (
        "/twinspaces/999999/members/sync",
        lambda w: {"changes": [{"person_id": w.pupil, "role": "pupil", "active": False}]},
        404,
        "not_found",
        None,
    ),
}


@pytest.mark.parametrize("row", BAD.values(), ids=BAD.keys())
def test_a_refused_bulk_call_writes_nothing(
    app: Flask, admin: Headers, world: World, row: Row
) -> None:
    path, body, status, code, field = row
    before = snapshot(app.extensions["etwin"].database)
    response = post(app, admin, path.format(twinspace=world.twinspace), body(world))
    assert response.status_code == status, response.get_data(as_text=True)
    payload = response.get_json()
    assert payload["code"] == code and payload["message"]
    if field is not None:
        assert field in payload["errors"], payload
    assert snapshot(app.extensions["etwin"].database) == before
