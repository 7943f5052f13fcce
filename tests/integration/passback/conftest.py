"""An app on SQLite or PostgreSQL with one LMS, one resource link to a unit and one pupil
linked to an LTI identity there: finishing the unit must leave one pending score."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from etwin_lti.domain.identities import LtiIdentity
from etwin_lti.domain.launches import Resource, ResourceKind, ServiceEndpoints
from etwin_lti.domain.model import PersonKind
from etwin_lti.domain.passback import Decision, ScoreStatus
from etwin_lti.domain.registrations import PlatformRegistration
from tests.conftest import make_test_app

ISSUER = "https://lms.example"
LINEITEM = "https://lms.example/mod/lti/services.php/2/lineitems/7/lineitem?type_id=18"


@dataclass
class Scene:
    app: Flask
    platform_id: int
    person_id: int
    unit_id: int
    activity_ids: tuple[int, ...]

    @property
    def container(self) -> Any:
        return self.app.extensions["etwin"]

    def link(
        self,
        resource: Resource,
        endpoints: ServiceEndpoints,
        launched_by: int | None,
        resource_link_id: str = "rl-1",
    ) -> None:
        """The course's activity ``resource_link_id`` (re)pointed at ``resource``, as a launch of
        ``launched_by`` through it records it."""
        record_link(
            self.container, self.platform_id, resource, endpoints, launched_by, resource_link_id
        )

    def finish_unit(self) -> None:
        for activity_id in self.activity_ids:
            self.container.progress.mark_activity_done(self.person_id, activity_id)

    def dead_letter(self, reason: str) -> int:
        """Finish the unit and give its one score up, as the worker would after its last try."""
        self.finish_unit()
        service = self.container.passback
        outbox = service._outbox  # noqa: SLF001
        [entry] = service.list()
        now = datetime.now(UTC) + timedelta(seconds=1)
        outbox.claim(entry.id, now=now, lease_seconds=60)
        outbox.finish(
            entry.id,
            Decision(ScoreStatus.DEAD, reason),
            now=now,
            last_status=None,
            lineitem_url=None,
        )
        return int(entry.id)


def record_link(
    c: Any,
    platform_id: int,
    resource: Resource,
    endpoints: ServiceEndpoints,
    launched_by: int | None,
    resource_link_id: str = "rl-1",
) -> None:
    c.resource_links.record(
        platform_id=platform_id,
        deployment_id="1",
        resource_link_id=resource_link_id,
        context_id="course-1",
        context_title="Course 1",
        resource=resource,
        endpoints=endpoints,
        now=datetime.now(UTC),
        launched_by=launched_by,
    )


def build_scene(app: Flask) -> Scene:
    c = app.extensions["etwin"]
    platform = c.registrations.add_platform(
        PlatformRegistration(
            issuer=ISSUER,
            client_id="client-1",
            name="School Moodle",
            auth_login_url=ISSUER + "/auth",
            auth_token_url=ISSUER + "/token",
            key_set_url=ISSUER + "/jwks",
        )
    )
    c.registrations.add_deployment(platform.id, "1", active=True)
    today = date.today()
    edition = c.hub.create_edition("Course", today.year, today, today + timedelta(days=30))
    unit = c.hub.add_unit(edition.id, "Unit 1", "Intro", activities=[("A", "a"), ("B", "b")])
    person = c.hub.create_person("Trainee", PersonKind.TEACHER, country_code="FR")
    c.hub.enrol_trainee(edition.id, person.id)
    c.identities.link(
        LtiIdentity(ISSUER, "lms-user-9"), person.id, deployment_id="1", kind=person.kind
    )
    # The person came through this link.
    endpoints = ServiceEndpoints(lineitem_url=LINEITEM, ags_scopes=("x",))
    record_link(c, platform.id, Resource(ResourceKind.UNIT, unit.id), endpoints, person.id)
    return Scene(app, platform.id, person.id, unit.id, tuple(a.id for a in unit.activities))


@dataclass(frozen=True)
class EventScene:
    expert_id: int
    event_id: int


def event_with_link(scene: Scene) -> EventScene:
    """A running Learning Event the scene's person is enrolled in and launched through link
    ``rl-event``."""
    c = scene.container
    expert = c.hub.create_person("Eva Expert", PersonKind.EXPERT)
    start = date.today()
    event = c.hub.create_event(
        "Climate", "Expert-led.", expert.id, start, start + timedelta(days=7), 5
    )
    c.hub.enrol(event.id, scene.person_id)
    # The person came through this link (issue 9 item 6).
    scene.link(
        Resource(ResourceKind.EVENT, event.id),
        ServiceEndpoints(lineitem_url="https://lms.example/li/8?type_id=18"),
        scene.person_id,
        resource_link_id="rl-event",
    )
    return EventScene(expert.id, event.id)


@pytest.fixture
def scene(app_database_url: str, tmp_path: Path) -> Iterator[Scene]:
    # The queue is unreachable on purpose: nothing here may depend on it.
    missing = tmp_path / "no-such-folder" / "queue.sqlite"
    app = make_test_app(app_database_url, tmp_path, QUEUE_PATH=str(missing))
    yield build_scene(app)
    app.extensions["etwin"].database.dispose()
