"""The REST API of the project's life (issue 12 item 5): the plan, extending, expert permits and
the NQL application's evidence. One row per refusal (status, JSON code, field map, nothing
written); the hub's rules themselves are the contract's (``tests/contract/hub_contract``)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask

from tests.integration.api.test_bad_input import Headers, send
from tests.integration.api.world import World, build_world, snapshot


@pytest.fixture
def world(app: Flask) -> World:
    return build_world(app.extensions["etwin"].hub)


def plan(w: World, **overrides: Any) -> dict[str, Any]:
    body = {
        "actor_id": w.fr,
        "description": "Water",
        "subjects": ["Geography"],
        "languages": ["en", "de"],
        "levels": ["primary"],
    }
    return {**body, **overrides}


def soon(days: int = 30) -> str:
    return (datetime.now(UTC).date() + timedelta(days=days)).isoformat()


# (method, path, body, status, code, field)
Row = tuple[str, str, Callable[[World], Any], int, str, str | None]
PROFILE = "/projects/{project}/profile"
EXTEND = "/projects/{project}/extend"
EXPERT = "/twinspaces/{twinspace}/expert-permits/"
REFUSED: dict[str, Row] = {
    "unknown field": (
        "PUT",
        PROFILE,
        lambda w: plan(w, project_id=w.national),
        422,
        "invalid_input",
        "project_id",
    ),
    "missing languages": (
        "PUT",
        PROFILE,
        lambda w: {k: v for k, v in plan(w).items() if k != "languages"},
        422,
        "invalid_input",
        "languages",
    ),
    "languages as a string": (
        "PUT",
        PROFILE,
        lambda w: plan(w, languages="en"),
        422,
        "invalid_input",
        "languages",
    ),
    "unknown language code": (
        "PUT",
        PROFILE,
        lambda w: plan(w, languages=["en", "klingon"]),
        422,
        "invalid_input",
        "languages",
    ),
    "unknown level": (
        "PUT",
        PROFILE,
        lambda w: plan(w, levels=["university"]),
        422,
        "invalid_input",
        "levels",
    ),
    "huge description": (
        "PUT",
        PROFILE,
        lambda w: plan(w, description="d" * 5_001),
        422,
        "invalid_input",
        "description",
    ),
    "actor id as a string": (
        "PUT",
        PROFILE,
        lambda w: plan(w, actor_id=str(w.fr)),
        422,
        "invalid_input",
        "actor_id",
    ),
    "a teacher of no project": (
        "PUT",
        PROFILE,
        lambda w: plan(w, actor_id=w.it),
        403,
        "not_a_project_founder",
        None,
    ),
    "a pupil": (
        "PUT",
        PROFILE,
        lambda w: plan(w, actor_id=w.pupil),
        403,
        "not_a_project_founder",
        None,
    ),
    "unknown project": (
        "PUT",
        "/projects/999999/profile",
        lambda w: plan(w),
        404,
        "not_found",
        None,
    ),
    "end date not a date": (
        "POST",
        EXTEND,
        lambda w: {"actor_id": w.fr, "ends_on": "next June"},
        422,
        "invalid_input",
        "ends_on",
    ),
    "end date in the past": (
        "POST",
        EXTEND,
        lambda w: {"actor_id": w.fr, "ends_on": "2020-01-01"},
        422,
        "invalid_input",
        "ends_on",
    ),
    "end date as a timestamp": (
        "POST",
        EXTEND,
        lambda w: {"actor_id": w.fr, "ends_on": 1893456000},
        422,
        "invalid_input",
        "ends_on",
    ),
    "another project's founder extends": (
        "POST",
        EXTEND,
        lambda w: {"actor_id": w.fr2, "ends_on": soon()},
        403,
        "not_a_project_founder",
        None,
    ),
    "expert permit for a pupil": (
        "PUT",
        EXPERT + "{pupil}",
        lambda w: {"actor_id": w.fr},
        409,
        "not_an_expert",
        None,
    ),
    "expert permit by a teacher of no role here": (
        "PUT",
        EXPERT + "{expert}",
        lambda w: {"actor_id": w.it},
        403,
        "forbidden",
        None,
    ),
    "withdrawing an expert permit nobody holds": (
        "DELETE",
        EXPERT + "{pupil}",
        lambda w: {"actor_id": w.fr},
        409,
        "not_an_expert",
        None,
    ),
}


def _path(path: str, w: World) -> str:
    return path.replace("{pupil}", str(w.pupil)).replace("{expert}", str(w.expert))


@pytest.mark.parametrize("row", REFUSED.values(), ids=REFUSED.keys())
def test_refused_and_nothing_written(app: Flask, admin: Headers, world: World, row: Row) -> None:
    method, path, body, status, code, field = row
    before = snapshot(app.extensions["etwin"].database)
    response = send(app, admin, method, _path(path, world), body(world), world)
    assert response.status_code == status, response.get_data(as_text=True)
    payload = response.get_json()
    assert payload["code"] == code and payload["message"]
    if field is not None:
        assert field in payload["errors"], payload
    assert snapshot(app.extensions["etwin"].database) == before


def test_the_plan_the_extension_and_the_permits_over_the_api(
    app: Flask, admin: Headers, world: World
) -> None:
    saved = send(app, admin, "PUT", PROFILE, plan(world, languages=["EN", "de"]), world)
    assert saved.status_code == 200, saved.get_json()
    body = saved.get_json()
    assert (body["languages"], body["levels"], body["subjects"]) == (
        ["en", "de"],
        ["primary"],
        ["Geography"],
    )
    extended = send(app, admin, "POST", EXTEND, {"actor_id": world.de, "ends_on": soon()}, world)
    assert extended.status_code == 200 and extended.get_json()["ends_on"] == soon()
    granted = send(
        app, admin, "PUT", _path(EXPERT + "{expert}", world), {"actor_id": world.fr}, world
    )
    assert granted.status_code == 200 and granted.get_json()["role"] == "expert"
    withdrawn = send(
        app, admin, "DELETE", _path(EXPERT + "{expert}", world), {"actor_id": world.fr}, world
    )
    assert withdrawn.status_code == 200 and withdrawn.get_json()["status"] == "suspended"
    applied = send(
        app, admin, "POST", "/projects/{project}/nql-applications", {"actor_id": world.fr}, world
    )
    assert applied.status_code == 201
    evidence = applied.get_json()["evidence"]
    assert evidence["countries"] == "DE,FR" and evidence["languages"] == "en,de"
    audit = send(app, admin, "GET", "/audit?limit=10", None, world).get_json()["entries"]
    actions = {e["action"] for e in audit}
    assert {"project.profile_edited", "project.extended", "label.nql_applied"} <= actions


def test_nql_evidence_cannot_be_sent_by_the_applicant(
    app: Flask, admin: Headers, world: World
) -> None:
    before = snapshot(app.extensions["etwin"].database)
    response = send(
        app,
        admin,
        "POST",
        "/projects/{project}/nql-applications",
        {"actor_id": world.fr, "evidence": {"pages": "999"}},
        world,
    )
    assert response.status_code == 422 and "evidence" in response.get_json()["errors"]
    assert snapshot(app.extensions["etwin"].database) == before


def test_officer_tokens_cannot_edit_plans(
    app: Flask, make_token: Callable[..., Headers], world: World
) -> None:
    before = snapshot(app.extensions["etwin"].database)
    response = send(app, make_token("nso_officer", "FR"), "PUT", PROFILE, plan(world), world)
    assert response.status_code == 403
    assert snapshot(app.extensions["etwin"].database) == before
