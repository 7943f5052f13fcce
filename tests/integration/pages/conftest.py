"""The embedded pages on a real app, with the demo data and real launches
(``tests.support.launching``)."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from etwin_lti.domain.audiences import Audience
from etwin_lti.lti import claims as c
from etwin_lti.services.demo import DemoResources, load_demo
from tests.conftest import make_test_app, settle
from tests.support.databases import PostgresDatabase, Snapshot, sqlite_copy, sqlite_path
from tests.support.launching import Launcher
from tests.support.lti_tokens import ROLE_INSTRUCTOR, ROLE_LEARNER

# Learning Events and course units are launched from the NSO's distance course, a
# teacher-training course of the same LMS (its learners are teachers); TwinSpaces from a class.
TRAINING_COURSE = {"id": "nso-distance-course", "title": "eTwinning distance course"}

# LMS users of the Mini LMS linked to demo people (DemoResources.people keys).
LINKED = {
    "founder-fr": "founder_fr",  # teacher administrator (founder), trainee, event participant
    "partner-pl": "partner_pl",  # a partner teacher (posts to the Diary, manages nobody)
    "pupil-b": "pupil_b",
    "pupil-a": "pupil_a",  # pupil administrator
    "expert": "expert",
    "trainer": "trainer_1",
}


@pytest.fixture(scope="session")
def launcher() -> Iterator[Launcher]:
    running = Launcher.start()
    yield running
    running.stop()


@dataclass
class PagesWorld:
    app: Flask
    demo: DemoResources
    launcher: Launcher

    @property
    def hub(self) -> Any:
        return self.app.extensions["etwin"].hub

    def client(self) -> FlaskClient:
        return self.app.test_client()

    def launched(self, sub: str, roles: list[str], resource: str, **claims: Any) -> FlaskClient:
        """A test client holding the launch cookie of ``sub``; asserts the launch worked."""
        client = self.client()
        if resource.startswith(("event:", "unit:")):
            claims.setdefault(c.CONTEXT, TRAINING_COURSE)
        response = self.launcher.launch(client, sub=sub, roles=roles, resource=resource, **claims)
        assert response.status_code == 200, response.get_data(as_text=True)[:800]
        return client

    def as_founder(self) -> FlaskClient:
        return self.launched("founder-fr", [ROLE_INSTRUCTOR], self.ts)

    def as_pupil(self, sub: str = "pupil-b") -> FlaskClient:
        return self.launched(sub, [ROLE_LEARNER], self.ts)

    @property
    def ts(self) -> str:
        return f"twinspace:{self.demo.twinspace_id}"

    @property
    def ts_url(self) -> str:
        return f"/embed/twinspace/{self.demo.twinspace_id}"


def prepare(app: Flask, launcher: Launcher) -> DemoResources:
    """The pages' data: the Mini LMS registered, the demo loaded, its users linked."""
    launcher.register(app)
    container = app.extensions["etwin"]
    [platform] = container.registrations.list_platforms()
    container.role_policies.set_audience(
        platform.id, Audience.TRAINING, context_id=TRAINING_COURSE["id"]
    )
    demo = load_demo(container.hub)
    for sub, key in LINKED.items():
        launcher.link(app, sub, demo.people[key])
    return demo


# Preparing takes longer than most page tests: it is done once per session on a template that
# each test copies (SQLite) or reloads (PostgreSQL); the launcher, hence the registered
# platform URL, lives for the session too. The template's ids are the copy's.
@pytest.fixture(scope="session")
def _pages_sqlite(
    _app_sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory, launcher: Launcher
) -> tuple[Path, DemoResources]:
    directory = tmp_path_factory.mktemp("pages-template")
    app = make_test_app(sqlite_copy(_app_sqlite_template, directory), directory)
    demo = prepare(app, launcher)
    settle(app)
    return sqlite_path(app.extensions["etwin"].settings.database_url), demo


@pytest.fixture(scope="session")
def _pages_postgres(
    _postgres: PostgresDatabase,
    _app_postgres_snapshot: Snapshot,
    tmp_path_factory: pytest.TempPathFactory,
    launcher: Launcher,
) -> tuple[Snapshot, DemoResources]:
    app = make_test_app(
        _postgres.restore(_app_postgres_snapshot), tmp_path_factory.mktemp("pages-template")
    )
    demo = prepare(app, launcher)
    settle(app)
    return _postgres.snapshot(), demo


@pytest.fixture
def world(
    _pages_sqlite: tuple[Path, DemoResources], tmp_path: Path, launcher: Launcher
) -> Iterator[PagesWorld]:
    template, demo = _pages_sqlite
    w = PagesWorld(make_test_app(sqlite_copy(template, tmp_path), tmp_path), demo, launcher)
    yield w
    settle(w.app)


@pytest.fixture
def pg_world(
    _postgres: PostgresDatabase,
    _pages_postgres: tuple[Snapshot, DemoResources],
    tmp_path: Path,
    launcher: Launcher,
) -> Iterator[PagesWorld]:
    snapshot, demo = _pages_postgres
    w = PagesWorld(make_test_app(_postgres.restore(snapshot), tmp_path), demo, launcher)
    yield w
    settle(w.app)


HIDDEN = re.compile(r'<meta name="(csrf_token|etwin_launch_token)" content="([^"]*)"')


def hidden_fields(page: str) -> dict[str, str]:
    """The CSRF and launch-token values of a rendered page (the same in each of its forms)."""
    return {k: html.unescape(v) for k, v in HIDDEN.findall(page)}


def submit(client: FlaskClient, page_url: str, action: str, **fields: str) -> Any:
    """Post a form of the page at ``page_url`` as the browser would (with its hidden fields)."""
    page = client.get(page_url)
    assert page.status_code == 200, page.get_data(as_text=True)[:500]
    return client.post(action, data={**hidden_fields(page.get_data(as_text=True)), **fields})


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def either(request: pytest.FixtureRequest) -> PagesWorld:
    """The demo world on SQLite, then on PostgreSQL."""
    world: PagesWorld = request.getfixturevalue(
        "world" if request.param == "sqlite" else "pg_world"
    )
    return world
