"""``etwin-lti hub list``, ``etwin-lti demo load`` and ``serve --demo``'s demo step."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask

from connectors.local_hub import LocalHub
from etwin_lti.cli import CliState, main
from etwin_lti.domain.model import (
    EventStatus,
    MemberStatus,
    ProjectScope,
    ProjectStatus,
    TwinSpaceRole,
    Visibility,
)
from etwin_lti.persistence.db import Database
from etwin_lti.services.demo import EDITION_DAYS, EVENT_TITLE, PROJECT_TITLE, load_demo
from tests.conftest import make_test_app
from tests.support.hub_tables import dump


def run(app: Flask, *args: str) -> str:
    result = CliRunner().invoke(main, list(args), obj=CliState(app))
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    yield database
    database.dispose()


def test_demo_is_complete_and_idempotent(database: Database) -> None:
    hub = LocalHub(database)
    hub.seed_countries()
    first = load_demo(hub)
    assert len(first.created) > 30
    stored = dump(database)
    second = load_demo(hub)
    assert second.created == ()
    assert dump(database) == stored
    assert (second.twinspace_id, second.event_id, second.unit_id) == (
        first.twinspace_id,
        first.event_id,
        first.unit_id,
    )
    assert second.people == first.people and len(first.people) == 12

    project = hub.get_project(first.project_id)
    assert project.scope is ProjectScope.EUROPEAN and project.status is ProjectStatus.APPROVED
    assert project.founder_countries == ("FR", "IT") and len(project.partner_ids) == 1
    members = hub.list_members(first.twinspace_id)
    pupils = [
        m for m in members if m.role in (TwinSpaceRole.PUPIL, TwinSpaceRole.PUPIL_ADMINISTRATOR)
    ]
    assert len(pupils) == 4 and all(m.display_name.startswith("Pupil ") for m in pupils)
    assert all(hub.get_person(m.person_id).email is None for m in pupils)
    assert all(m.status is MemberStatus.ACTIVE for m in members)
    pages = hub.list_pages(first.twinspace_id, viewer_id=first.teacher_id)
    assert {p.visibility for p in pages} == {Visibility.PUBLIC, Visibility.PRIVATE}
    assert len(hub.list_pages(first.twinspace_id)) == 1  # what outsiders see
    assert len(hub.list_materials(first.twinspace_id, viewer_id=first.teacher_id)) == 3
    diary = hub.list_diary(first.project_id)
    assert len(diary) == 2 and all(post.comments for post in diary)
    [thread] = hub.list_threads(first.twinspace_id)
    assert len(thread.posts) == 4

    national = hub.get_project(first.national_project_id)
    assert national.scope is ProjectScope.NATIONAL and national.status is ProjectStatus.PENDING

    event = hub.get_event(first.event_id)
    assert event.title == EVENT_TITLE and event.status is EventStatus.RUNNING
    assert [e.person_id for e in hub.list_enrolments(event.id)] == [first.teacher_id]

    edition = hub.get_edition(first.edition_id)
    assert edition.is_current and len(edition.trainer_ids) == 2
    units = hub.list_units(edition_id=edition.id)
    assert [u.id for u in units] == list(first.unit_ids) and len(units) == 4
    assert all(u.documents and 2 <= len(u.activities) <= 3 for u in units)
    assert hub.unit_progress(first.teacher_id, first.unit_id).completed_at is not None


def test_demo_on_a_later_day_keeps_resources_and_renews_a_finished_event(
    database: Database,
) -> None:
    hub = LocalHub(database)
    hub.seed_countries()
    today = date.today()
    first = load_demo(hub, today=today)
    later = LocalHub(database, clock=lambda: _at(today + timedelta(days=20)))
    again = load_demo(later, today=today + timedelta(days=20))
    assert again.twinspace_id == first.twinspace_id and again.edition_id == first.edition_id
    assert again.event_id != first.event_id  # the demo event had ended: a new one is open
    assert again.created == ("Learning Event " + EVENT_TITLE, "enrolment of Camille Martin")
    assert EDITION_DAYS[1] > 20


def _at(day: date) -> datetime:
    return datetime.combine(day, time(12), tzinfo=UTC)


def test_demo_load_command(app: Flask) -> None:
    output = run(app, "demo", "load")
    assert "created" in output and PROJECT_TITLE in output
    assert "already loaded" in run(app, "demo", "load")


@pytest.mark.parametrize("kind", ["twinspaces", "events", "units", "editions"])
def test_hub_list_json(app: Flask, kind: str) -> None:
    assert json.loads(run(app, "hub", "list", kind, "--json")) == []
    run(app, "demo", "load")
    rows = json.loads(run(app, "hub", "list", kind, "--json"))
    assert rows and all(isinstance(r["id"], int) and r["title"] for r in rows)
    if kind != "editions":
        assert rows[0]["resource"] == f"{kind.rstrip('s')}:{rows[0]['id']}"


def test_hub_list_table(app: Flask) -> None:
    assert run(app, "hub", "list", "units").strip() == "(none)"
    run(app, "demo", "load")
    lines = run(app, "hub", "list", "units").splitlines()
    assert lines[0].split()[:2] == ["id", "title"]
    assert len(lines) == 5 and "Unit 1: What is eTwinning?" in lines[1]


def test_hub_list_refuses_unknown_kinds(app: Flask) -> None:
    result = CliRunner().invoke(main, ["hub", "list", "schools"], obj=CliState(app))
    assert result.exit_code == 2 and "schools" in result.output


def test_serve_demo_registers_the_demo_step(sqlite_url: str, tmp_path: Path) -> None:
    plain = make_test_app(sqlite_url, tmp_path)
    assert "load_demo_data" not in [step.__name__ for step in plain.extensions["etwin"].on_serve]
    app = make_test_app(sqlite_url, tmp_path, DEMO=True)
    container = app.extensions["etwin"]
    steps = [s for s in container.on_serve if s.__name__ == "load_demo_data"]
    assert len(steps) == 1
    steps[0]()
    assert [p.title for p in container.hub.list_projects()][0] == PROJECT_TITLE
