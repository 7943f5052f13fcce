"""``/api/v1/twinspaces/{id}/content/{kind}/{id}`` and ``.../moderation``: malformed, hostile
and out-of-order requests get the JSON error body and write nothing; the good path works and
officers can neither moderate nor read the trail."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask import Flask

from etwin_lti.domain.model import MaterialKind
from tests.integration.api.world import World, build_world, snapshot

Headers = dict[str, str]


@pytest.fixture
def world(app: Flask) -> World:
    return build_world(app.extensions["etwin"].hub)


@pytest.fixture
def made(app: Flask, world: World) -> dict[str, Any]:
    hub = app.extensions["etwin"].hub
    post = hub.post_diary(world.fr, world.project, "Week 1", "We met.")
    return {
        "page": hub.add_page(world.fr, world.twinspace, "Our town", "Text"),
        "material": hub.add_material(
            world.pupil, world.twinspace, "Drawing", MaterialKind.PHOTO, "https://e.org/d.png"
        ),
        "post": post,
        "comment": hub.comment_diary(world.pupil, post.id, "Fun"),
    }


def url(world: World, kind: str, content_id: object, tail: str = "") -> str:
    return f"/api/v1/twinspaces/{world.twinspace}/content/{kind}/{content_id}{tail}"


def send(app: Flask, headers: Headers, method: str, path: str, body: Any = None) -> Any:
    client = app.test_client()
    if isinstance(body, str):
        return client.open(
            path, method=method, headers=headers, data=body, content_type="application/json"
        )
    return client.open(path, method=method, headers=headers, json=body)


# (what, method, path(world, made), body(world, made), status, code, field)
ROWS = [
    (
        "no body",
        "PATCH",
        lambda w, m: url(w, "page", m["page"].id),
        lambda w, m: None,
        422,
        "invalid_input",
        None,
    ),
    (
        "malformed JSON",
        "PATCH",
        lambda w, m: url(w, "page", m["page"].id),
        lambda w, m: '{"actor_id": ',
        422,
        "invalid_input",
        None,
    ),
    (
        "unknown field",
        "PATCH",
        lambda w, m: url(w, "page", m["page"].id),
        lambda w, m: {"actor_id": w.fr, "title": "T", "author_id": 1},
        422,
        "invalid_input",
        "author_id",
    ),
    (
        "actor id as text",
        "POST",
        lambda w, m: url(w, "page", m["page"].id, "/hide"),
        lambda w, m: {"actor_id": str(w.fr)},
        422,
        "invalid_input",
        "actor_id",
    ),
    (
        "negative actor id",
        "POST",
        lambda w, m: url(w, "page", m["page"].id, "/hide"),
        lambda w, m: {"actor_id": -1},
        422,
        "invalid_input",
        "actor_id",
    ),
    (
        "huge title",
        "PATCH",
        lambda w, m: url(w, "page", m["page"].id),
        lambda w, m: {"actor_id": w.fr, "title": "x" * 5000},
        422,
        "invalid_input",
        "title",
    ),
    (
        "overlong title",
        "PATCH",
        lambda w, m: url(w, "page", m["page"].id),
        lambda w, m: {"actor_id": w.fr, "title": "x" * 201},
        422,
        "invalid_input",
        "title",
    ),
    (
        "title of a comment",
        "PATCH",
        lambda w, m: url(w, "diary_comment", m["comment"].id),
        lambda w, m: {"actor_id": w.pupil, "title": "T"},
        422,
        "invalid_input",
        "title",
    ),
    (
        "javascript: link",
        "PATCH",
        lambda w, m: url(w, "material", m["material"].id),
        lambda w, m: {"actor_id": w.pupil, "url": "javascript:alert(1)"},
        422,
        "invalid_input",
        "url",
    ),
    (
        "unknown visibility",
        "PUT",
        lambda w, m: url(w, "page", m["page"].id, "/visibility"),
        lambda w, m: {"actor_id": w.fr, "visibility": "secret"},
        422,
        "invalid_input",
        "visibility",
    ),
    (
        "visibility of a comment",
        "PUT",
        lambda w, m: url(w, "diary_comment", m["comment"].id, "/visibility"),
        lambda w, m: {"actor_id": w.fr, "visibility": "public"},
        422,
        "invalid_input",
        "kind",
    ),
    (
        "unknown kind",
        "POST",
        lambda w, m: url(w, "account", m["page"].id, "/hide"),
        lambda w, m: {"actor_id": w.fr},
        404,
        "not_found",
        None,
    ),
    (
        "unknown content",
        "POST",
        lambda w, m: url(w, "page", 2_000_000_000, "/hide"),
        lambda w, m: {"actor_id": w.fr},
        404,
        "not_found",
        None,
    ),
    (
        "content of another TwinSpace's kind",
        "POST",
        lambda w, m: url(w, "thread", m["page"].id, "/hide"),
        lambda w, m: {"actor_id": w.fr},
        404,
        "not_found",
        None,
    ),
    (
        "unknown actor",
        "POST",
        lambda w, m: url(w, "page", m["page"].id, "/hide"),
        lambda w, m: {"actor_id": 2_000_000_000},
        404,
        "not_found",
        None,
    ),
    (
        "pupil edits the founder's page",
        "PATCH",
        lambda w, m: url(w, "page", m["page"].id),
        lambda w, m: {"actor_id": w.pupil, "title": "Mine"},
        403,
        "not_the_author",
        None,
    ),
    (
        "outsider hides",
        "POST",
        lambda w, m: url(w, "material", m["material"].id, "/hide"),
        lambda w, m: {"actor_id": w.it},
        403,
        "moderation_refused",
        None,
    ),
    (
        "pupil publishes own material",
        "PUT",
        lambda w, m: url(w, "material", m["material"].id, "/visibility"),
        lambda w, m: {"actor_id": w.pupil, "visibility": "public"},
        403,
        "moderation_refused",
        None,
    ),
    (
        "restore what is shown",
        "POST",
        lambda w, m: url(w, "diary_post", m["post"].id, "/restore"),
        lambda w, m: {"actor_id": w.fr},
        409,
        "content_state",
        None,
    ),
    (
        "pupil reads the trail",
        "GET",
        lambda w, m: f"/api/v1/twinspaces/{w.twinspace}/moderation?actor_id={w.pupil}",
        lambda w, m: None,
        403,
        "moderation_refused",
        None,
    ),
    (
        "trail without actor",
        "GET",
        lambda w, m: f"/api/v1/twinspaces/{w.twinspace}/moderation",
        lambda w, m: None,
        422,
        "invalid_input",
        "actor_id",
    ),
    (
        "trail limit too high",
        "GET",
        lambda w, m: f"/api/v1/twinspaces/{w.twinspace}/moderation?actor_id={w.fr}&limit=100000",
        lambda w, m: None,
        422,
        "invalid_input",
        "limit",
    ),
]


@pytest.mark.parametrize("row", ROWS, ids=[r[0] for r in ROWS])
def test_refused_requests_write_nothing(
    app: Flask, admin: Headers, world: World, made: dict[str, Any], row: Any
) -> None:
    _, method, path, body, status, code, field = row
    before = snapshot(app.extensions["etwin"].database)
    response = send(app, admin, method, path(world, made), body(world, made))
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    payload = response.get_json()
    assert payload["code"] == code and payload["message"]
    if field is not None:
        assert field in payload["errors"], payload
    assert snapshot(app.extensions["etwin"].database) == before


def test_the_good_path_and_the_trail(
    app: Flask, admin: Headers, world: World, made: dict[str, Any]
) -> None:
    page, comment = made["page"], made["comment"]
    edited = send(
        app, admin, "PATCH", url(world, "page", page.id), {"actor_id": world.fr, "body": "**New**"}
    )
    assert edited.status_code == 200
    assert edited.get_json() == {
        "kind": "page",
        "id": page.id,
        "twinspace_id": world.twinspace,
        "author_id": world.fr,
        "hidden": False,
        "visibility": "private",
    }
    hidden = send(
        app, admin, "POST", url(world, "diary_comment", comment.id, "/hide"), {"actor_id": world.fr}
    )
    assert hidden.status_code == 200 and hidden.get_json()["hidden"] is True
    diary = send(app, admin, "GET", f"/api/v1/projects/{world.project}/diary").get_json()
    assert diary[0]["comments"] == []  # no viewer: hidden for everyone
    as_founder = send(
        app, admin, "GET", f"/api/v1/projects/{world.project}/diary?viewer_id={world.fr}"
    ).get_json()
    assert [c["hidden"] for c in as_founder[0]["comments"]] == [True]
    deleted = send(app, admin, "DELETE", url(world, "page", page.id), {"actor_id": world.fr})
    assert deleted.status_code == 204 and deleted.get_data() == b""
    trail = send(
        app, admin, "GET", f"/api/v1/twinspaces/{world.twinspace}/moderation?actor_id={world.fr}"
    )
    assert [(e["action"], e["kind"], e["by"]) for e in trail.get_json()] == [
        ("content.deleted", "page", world.fr),
        ("content.hidden", "diary_comment", world.fr),
        ("content.edited", "page", world.fr),
    ]


@pytest.mark.parametrize(("role", "country"), [("nso_officer", "FR"), ("css_officer", None)])
def test_officers_neither_moderate_nor_read_the_trail(
    app: Flask, make_token: Any, world: World, made: dict[str, Any], role: str, country: str | None
) -> None:
    headers = make_token(role, country)
    before = snapshot(app.extensions["etwin"].database)
    hide = send(
        app, headers, "POST", url(world, "page", made["page"].id, "/hide"), {"actor_id": world.fr}
    )
    trail = send(
        app, headers, "GET", f"/api/v1/twinspaces/{world.twinspace}/moderation?actor_id={world.fr}"
    )
    assert (hide.status_code, trail.status_code) == (403, 403)
    assert snapshot(app.extensions["etwin"].database) == before
    assert json.loads(trail.get_data())["code"] == "forbidden" or trail.get_json()["message"]
