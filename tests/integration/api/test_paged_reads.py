"""The REST API's counts and pages (ADR 0016): what ``HttpHubConnector`` asks a remote hub for
when it renders the TwinSpace, event and unit pages. Bad windows and id lists are 422 JSON,
unknown ids 404, and nothing is ever written by a read."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from flask import Flask

from etwin_lti.domain.model import PersonKind
from tests.integration.api.world import World, build_world, snapshot

Headers = dict[str, str]


@pytest.fixture
def world(app: Flask) -> World:
    return build_world(app.extensions["etwin"].hub)


def edition_and_unit(app: Flask) -> tuple[int, int]:
    hub = app.extensions["etwin"].hub
    trainer = hub.create_person("Tina Trainer", PersonKind.TRAINER, country_code="ES")
    edition = hub.create_edition(
        "Course", 2030, date(2030, 1, 10), date(2030, 6, 30), trainer_ids=[trainer.id]
    )
    unit = hub.add_unit(edition.id, "Unit 1", "", activities=[("Read", "")])
    return edition.id, unit.id


def get(app: Flask, headers: Headers, path: str) -> Any:
    return app.test_client().get("/api/v1" + path, headers=headers)


BAD = [
    "offset=-1",
    "offset=abc",
    "offset=100000000001",
    "limit=0",
    "limit=501",
    "limit=1.5",
    "limit=",
    "page=2",  # an unknown parameter: our own API rejects unknown fields
]


@pytest.mark.parametrize("query", BAD)
@pytest.mark.parametrize("kind", ["member-page", "participant-page", "trainee-page"])
def test_bad_windows_are_422_json_and_write_nothing(
    app: Flask, admin: Headers, world: World, kind: str, query: str
) -> None:
    edition, _unit = edition_and_unit(app)
    path = {
        "member-page": f"/twinspaces/{world.twinspace}/member-page",
        "participant-page": f"/events/{world.event}/participant-page",
        "trainee-page": f"/editions/{edition}/trainee-page",
    }[kind]
    before = snapshot(app.extensions["etwin"].database)
    response = get(app, admin, f"{path}?{query}")
    assert response.status_code == 422, response.get_data(as_text=True)
    assert response.mimetype == "application/json" and response.get_json()["code"]
    assert snapshot(app.extensions["etwin"].database) == before


@pytest.mark.parametrize(
    "query",
    ["", "person_id=abc", "person_id=0", "person_id=-4", "&".join(["person_id=1"] * 501)],
)
def test_progress_of_needs_1_to_500_person_ids(app: Flask, admin: Headers, query: str) -> None:
    _edition, unit = edition_and_unit(app)
    response = get(app, admin, f"/units/{unit}/progress-of?{query}")
    assert response.status_code == 422 and response.get_json()["code"] == "invalid_input"


def test_unknown_ids_are_404(app: Flask, admin: Headers, world: World) -> None:
    edition, _unit = edition_and_unit(app)
    for path in (
        "/twinspaces/999999/role-counts",
        "/twinspaces/999999/member-page",
        "/events/999999/participant-page",
        f"/events/{world.event}/enrolments/{world.it}",  # not enrolled
        "/events/999999/enrolments/1",
        "/editions/999999/trainee-page",
        "/editions/999999/trainees/1",
        "/units/999999/progress-of?person_id=1",
    ):
        response = get(app, admin, path)
        assert response.status_code == 404, path
        assert response.get_json()["code"] == "not_found"
    # An unknown person is no trainee (a question, not a lookup).
    answer = get(app, admin, f"/editions/{edition}/trainees/999999")
    assert answer.status_code == 200 and answer.get_json() == {"trainee": False}


def test_counts_and_pages_answer_in_the_member_order(
    app: Flask, admin: Headers, world: World
) -> None:
    counts = get(app, admin, f"/twinspaces/{world.twinspace}/role-counts").get_json()
    assert counts == [
        {"role": "teacher_administrator", "active": 2, "suspended": 0},
        {"role": "pupil", "active": 1, "suspended": 0},
    ]
    first = get(app, admin, f"/twinspaces/{world.twinspace}/member-page?limit=2").get_json()
    rest = get(app, admin, f"/twinspaces/{world.twinspace}/member-page?offset=2").get_json()
    assert (first["total"], first["offset"], first["limit"]) == (3, 0, 2)
    everyone = get(app, admin, f"/twinspaces/{world.twinspace}/members").get_json()
    assert first["members"] + rest["members"] == everyone
