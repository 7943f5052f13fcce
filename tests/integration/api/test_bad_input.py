"""Refused requests: one row per rule, asserting status, JSON code, field map and that nothing
was written. Value rules come from the hub (the same for the HTTP connector); types, unknown
fields and malformed bodies from the API's schemas."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask

from tests.integration.api.world import World, build_world, snapshot

Headers = dict[str, str]
LONG = "x" * 201


@pytest.fixture
def world(app: Flask) -> World:
    return build_world(app.extensions["etwin"].hub)


def teacher(**overrides: Any) -> dict[str, Any]:
    return {"display_name": "Ana", "kind": "teacher", "country_code": "PT", **overrides}


def project(w: World, **overrides: Any) -> dict[str, Any]:
    return {"founder_id": w.fr, "partner_founder_id": w.it, "title": "Rivers", **overrides}


def event(w: World, **overrides: Any) -> dict[str, Any]:
    body = {
        "title": "LE",
        "description": "d",
        "expert_id": w.expert,
        "starts_on": "2030-06-02",
        "ends_on": "2030-06-16",
        "capacity": 10,
    }
    return {**body, **overrides}


def page(w: World, **overrides: Any) -> dict[str, Any]:
    return {"actor_id": w.fr, "title": "Our page", "body": "Hello", **overrides}


# (method, path, body, status, code, field): body is a dict (sent as JSON), a str (sent raw
# as application/json) or a (content_type, data) pair. ``field`` is the key expected in the
# field map (422 only).
Row = tuple[str, str, Callable[[World], Any], int, str, str | None]

BAD_INPUT: dict[str, Row] = {
    "malformed JSON": ("POST", "/people", lambda w: "{broken", 422, "invalid_input", "_schema"),
    "truncated JSON": (
        "POST",
        "/projects",
        lambda w: '{"title": "a"',
        422,
        "invalid_input",
        "_schema",
    ),
    "JSON that is not UTF-8": (
        "POST",
        "/people",
        lambda w: ("application/json", b"\xff\xfe{"),
        422,
        "invalid_input",
        "_schema",
    ),
    "form body": (
        "POST",
        "/people",
        lambda w: ("application/x-www-form-urlencoded", "a=1"),
        422,
        "invalid_input",
        "_schema",
    ),
    "plain text body": (
        "POST",
        "/projects",
        lambda w: ("text/plain", json.dumps(project(w))),
        422,
        "invalid_input",
        "_schema",
    ),
    "JSON array body": ("POST", "/people", lambda w: [teacher()], 422, "invalid_input", "_schema"),
    "empty body": (
        "POST",
        "/people",
        lambda w: ("application/json", ""),
        422,
        "invalid_input",
        "display_name",
    ),
    "unknown field": (
        "POST",
        "/people",
        lambda w: teacher(nickname="A"),
        422,
        "invalid_input",
        "nickname",
    ),
    "unknown query parameter": (
        "GET",
        "/projects?owner=1",
        lambda w: None,
        422,
        "invalid_input",
        "owner",
    ),
    "missing field": (
        "POST",
        "/projects",
        lambda w: {"founder_id": w.fr, "title": "T"},
        422,
        "invalid_input",
        "partner_founder_id",
    ),
    "id as string": (
        "POST",
        "/projects",
        lambda w: project(w, founder_id=str(w.fr)),
        422,
        "invalid_input",
        "founder_id",
    ),
    "title as number": (
        "POST",
        "/projects",
        lambda w: project(w, title=42),
        422,
        "invalid_input",
        "title",
    ),
    "unknown enum value": (
        "POST",
        "/people",
        lambda w: teacher(kind="wizard"),
        422,
        "invalid_input",
        "kind",
    ),
    "query id not a number": (
        "GET",
        "/projects?member_id=abc",
        lambda w: None,
        422,
        "invalid_input",
        "member_id",
    ),
    "empty title": (
        "POST",
        "/projects",
        lambda w: project(w, title=""),
        422,
        "invalid_input",
        "title",
    ),
    "blank title": (
        "POST",
        "/projects",
        lambda w: project(w, title="   "),
        422,
        "invalid_input",
        "title",
    ),
    "overlong title": (
        "POST",
        "/projects",
        lambda w: project(w, title=LONG),
        422,
        "invalid_input",
        "title",
    ),
    "overlong page title": (
        "POST",
        "/twinspaces/{twinspace}/pages",
        lambda w: page(w, title=LONG),
        422,
        "invalid_input",
        "title",
    ),
    "empty display name": (
        "POST",
        "/people",
        lambda w: teacher(display_name=""),
        422,
        "invalid_input",
        "display_name",
    ),
    "unknown country": (
        "POST",
        "/people",
        lambda w: teacher(country_code="ZZ"),
        422,
        "invalid_input",
        "country_code",
    ),
    "pupil with an e-mail": (
        "POST",
        "/people",
        lambda w: teacher(kind="pupil", country_code=None, email="pupil@school.eu"),
        422,
        "invalid_input",
        "email",
    ),
    "date not a date": (
        "POST",
        "/events",
        lambda w: event(w, starts_on="next monday"),
        422,
        "invalid_input",
        "starts_on",
    ),
    "event ends before it starts": (
        "POST",
        "/events",
        lambda w: event(w, ends_on="2030-06-01"),
        422,
        "invalid_input",
        "ends_on",
    ),
    "capacity zero": (
        "POST",
        "/events",
        lambda w: event(w, capacity=0),
        422,
        "invalid_input",
        "capacity",
    ),
    "score not a number": (
        "POST",
        "/nql-applications/1/decision",
        lambda w: {"nso_country_code": "FR", "scores": {"collaboration": "high"}, "sub_scores": {}},
        422,
        "invalid_input",
        "scores",
    ),
    "unknown project": ("GET", "/projects/999", lambda w: None, 404, "not_found", None),
    "unknown founder": (
        "POST",
        "/projects",
        lambda w: project(w, partner_founder_id=999),
        404,
        "not_found",
        None,
    ),
    "unknown TwinSpace": ("POST", "/twinspaces/999/pages", page, 404, "not_found", None),
    "unknown route": ("GET", "/twinspace", lambda w: None, 404, "not_found", None),
    "public page of an unknown project": (
        "GET",
        "/public/projects/999",
        lambda w: None,
        404,
        "no_public_page",
        None,
    ),
    "public gallery of zero entries a page": (
        "GET",
        "/public/projects?limit=0",
        lambda w: None,
        422,
        "invalid_input",
        "limit",
    ),
    "public gallery beyond the page maximum": (
        "GET",
        "/public/projects?limit=101",
        lambda w: None,
        422,
        "invalid_input",
        "limit",
    ),
    "public gallery at a negative offset": (
        "GET",
        "/public/projects?offset=-1",
        lambda w: None,
        422,
        "invalid_input",
        "offset",
    ),
    "public gallery with an unknown query field": (
        "GET",
        "/public/projects?page=2",
        lambda w: None,
        422,
        "invalid_input",
        "page",
    ),
    "wrong method": (
        "DELETE",
        "/projects/{project}",
        lambda w: None,
        405,
        "method_not_allowed",
        None,
    ),
}


def send(app: Flask, headers: Headers, method: str, path: str, body: Any, w: World):  # type: ignore[no-untyped-def]
    url = "/api/v1" + path.format(project=w.project, twinspace=w.twinspace, event=w.event)
    client = app.test_client()
    if body is None:
        return client.open(url, method=method, headers=headers)
    if isinstance(body, tuple):
        content_type, data = body
        return client.open(
            url, method=method, headers=headers, data=data, content_type=content_type
        )
    if isinstance(body, str):
        return client.open(
            url, method=method, headers=headers, data=body, content_type="application/json"
        )
    return client.open(url, method=method, headers=headers, json=body)


@pytest.mark.parametrize("row", BAD_INPUT.values(), ids=BAD_INPUT.keys())
def test_bad_input_is_refused_and_writes_nothing(
    app: Flask, admin: Headers, world: World, row: Row
) -> None:
    method, path, body, status, code, field = row
    before = snapshot(app.extensions["etwin"].database)
    response = send(app, admin, method, path, body(world), world)
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    payload = response.get_json()
    assert payload["code"] == code
    assert payload["message"]
    if field is not None:
        assert field in payload["errors"], payload
    assert snapshot(app.extensions["etwin"].database) == before


# Rule conflicts and permissions: (token role, token country, method, path, body, status, code)
RuleRow = tuple[str, str | None, str, str, Callable[[World], Any], int, str]

RULES: dict[str, RuleRow] = {
    "pupil invites a member": (
        "admin",
        None,
        "POST",
        "/twinspaces/{twinspace}/members",
        lambda w: {"actor_id": w.pupil, "person_id": w.it, "role": "teacher"},
        403,
        "forbidden",
    ),
    "teacher changes a founder's role": (
        "admin",
        None,
        "PATCH",
        "/twinspaces/{twinspace}/members/" + "{de}",
        lambda w: {"actor_id": w.fr, "role": "teacher"},
        403,
        "founder_protected",
    ),
    "outsider adds a page": (
        "admin",
        None,
        "POST",
        "/twinspaces/{twinspace}/pages",
        lambda w: page(w, actor_id=w.it),
        403,
        "forbidden",
    ),
    "same-country NQL application": (
        "admin",
        None,
        "POST",
        "/projects/{national}/nql-applications",
        lambda w: {"actor_id": w.fr},
        409,
        "national_project",
    ),
    "EQL with no NQL holder": (
        "css_officer",
        None,
        "POST",
        "/projects/{project}/eql",
        lambda w: {},
        409,
        "eql_not_earned",
    ),
    "EQL withdrawn from a project that holds none": (
        "css_officer",
        None,
        "POST",
        "/projects/{project}/eql/withdrawal",
        lambda w: {"reason": "Copied work"},
        409,
        "eql_not_held",
    ),
    "EQL withdrawn without a reason": (
        "css_officer",
        None,
        "POST",
        "/projects/{project}/eql/withdrawal",
        lambda w: {},
        422,
        "invalid_input",
    ),
    "EQL withdrawn with a blank reason": (
        "css_officer",
        None,
        "POST",
        "/projects/{project}/eql/withdrawal",
        lambda w: {"reason": "   "},
        422,
        "invalid_input",
    ),
    "EQL withdrawn with a reason that is no text": (
        "css_officer",
        None,
        "POST",
        "/projects/{project}/eql/withdrawal",
        lambda w: {"reason": 12},
        422,
        "invalid_input",
    ),
    "EQL withdrawn with an unknown field": (
        "css_officer",
        None,
        "POST",
        "/projects/{project}/eql/withdrawal",
        lambda w: {"reason": "Copied work", "recipient_ids": [1]},
        422,
        "invalid_input",
    ),
    "EQL withdrawn from an unknown project": (
        "css_officer",
        None,
        "POST",
        "/projects/999/eql/withdrawal",
        lambda w: {"reason": "Copied work"},
        404,
        "not_found",
    ),
    "NSO officer withdraws the EQL": (
        "nso_officer",
        "FR",
        "POST",
        "/projects/{project}/eql/withdrawal",
        lambda w: {"reason": "Copied work"},
        403,
        "forbidden",
    ),
    "duplicate certificate": (
        "admin",
        None,
        "POST",
        "/acknowledgements",
        lambda w: {
            "kind": "course_certificate",
            "person_id": w.fr,
            "subject": "edition:1",
            "title": "Course certificate",
        },
        409,
        "duplicate_acknowledgement",
    ),
    "NSO of another country validates": (
        "nso_officer",
        "IT",
        "POST",
        "/projects/{national}/validations",
        lambda w: {},
        403,
        "forbidden",
    ),
    "NSO names another country": (
        "nso_officer",
        "FR",
        "POST",
        "/projects/{national}/validations",
        lambda w: {"nso_country_code": "DE"},
        403,
        "forbidden",
    ),
    "admin validates without naming the NSO": (
        "admin",
        None,
        "POST",
        "/projects/{national}/validations",
        lambda w: {},
        422,
        "invalid_input",
    ),
    "NSO officer writes content": (
        "nso_officer",
        "FR",
        "POST",
        "/twinspaces/{twinspace}/pages",
        page,
        403,
        "forbidden",
    ),
    "CSS officer validates a project": (
        "css_officer",
        None,
        "POST",
        "/projects/{national}/validations",
        lambda w: {"nso_country_code": "FR"},
        403,
        "forbidden",
    ),
    "NSO officer awards the EQL": (
        "nso_officer",
        "FR",
        "POST",
        "/projects/{project}/eql",
        lambda w: {},
        403,
        "forbidden",
    ),
    "officer reads as a pupil": (
        "nso_officer",
        "FR",
        "GET",
        "/twinspaces/{twinspace}/pages?viewer_id=1",
        lambda w: None,
        403,
        "forbidden",
    ),
}


@pytest.mark.parametrize("row", RULES.values(), ids=RULES.keys())
def test_rule_conflicts_and_permissions_write_nothing(
    app: Flask, make_token: Callable[..., Headers], world: World, row: RuleRow
) -> None:
    role, country, method, path, body, status, code = row
    headers = make_token(role, country)
    path = path.replace("{national}", str(world.national)).replace("{de}", str(world.de))
    before = snapshot(app.extensions["etwin"].database)
    response = send(app, headers, method, path, body(world), world)
    assert (response.status_code, response.get_json()["code"]) == (status, code), (
        response.get_json()
    )
    assert snapshot(app.extensions["etwin"].database) == before


def test_nso_officer_validates_for_its_own_country(
    app: Flask, make_token: Callable[..., Headers], world: World
) -> None:
    response = send(
        app,
        make_token("nso_officer", "FR"),
        "POST",
        f"/projects/{world.national}/validations",
        {},
        world,
    )
    assert response.status_code == 200
    assert response.get_json()["validated_by"] == ["FR"]


def test_officers_read_public_pages_only(
    app: Flask, make_token: Callable[..., Headers], admin: Headers, world: World
) -> None:
    for visibility in ("public", "private"):
        created = send(
            app,
            admin,
            "POST",
            "/twinspaces/{twinspace}/pages",
            page(world, title=visibility, visibility=visibility),
            world,
        )
        assert created.status_code == 201, created.get_json()
    as_officer = send(
        app, make_token("css_officer"), "GET", "/twinspaces/{twinspace}/pages", None, world
    )
    as_member = send(
        app, admin, "GET", f"/twinspaces/{{twinspace}}/pages?viewer_id={world.fr}", None, world
    )
    assert [p["title"] for p in as_officer.get_json()] == ["public"]
    assert [p["title"] for p in as_member.get_json()] == ["public", "private"]
