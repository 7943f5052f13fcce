"""Roster sync over real HTTP against the sandbox LMS's NRPS endpoint (lti1p3platform peer)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import text

from connectors.nrps_client import RosterFetchError, RosterPagingLoopError
from etwin_lti.domain.model import MemberStatus, RoleSource, TwinSpaceRole
from etwin_lti.lti.nrps import MalformedRosterPageError
from etwin_lti.sandbox.model import INSTRUCTOR, LEARNER
from etwin_lti.services.roster_sync import UnknownRosterRolesError
from tests.e2e.harness import Resources, seed_resources
from tests.e2e.lti_world import ServiceWorld, service_world
from tests.e2e.peer import launch_through

pytestmark = pytest.mark.e2e

COURSE = "course-7b"
MEMBERSHIPS = f"/nrps/{COURSE}/memberships"


@pytest.fixture
def world(app_sqlite_url: str, tmp_path: Path) -> Iterator[ServiceWorld]:
    with service_world(app_sqlite_url, tmp_path) as running:
        yield running


@pytest.fixture
def any_db_world(app_database_url: str, tmp_path: Path) -> Iterator[ServiceWorld]:
    with service_world(app_database_url, tmp_path) as running:
        yield running


def launch(world: ServiceWorld, user: str, resource: str) -> requests.Response:
    with requests.Session() as browser:
        response = launch_through(
            browser, world.peer.launch_url(user=user, etwin_resource=resource)
        )
    assert response.status_code == 200, response.text[:500]
    return response


def prepare(world: ServiceWorld) -> Resources:
    """A TwinSpace, and the course's teacher launching it once (records the NRPS URL)."""
    resources = seed_resources(world.container.hub)
    launch(world, "teacher", f"twinspace:{resources.twinspace_id}")
    return resources


def learner(user_id: str, **extra: Any) -> dict[str, Any]:
    return {"user_id": user_id, "roles": [LEARNER], **extra}


def teacher_member() -> dict[str, Any]:
    return {"user_id": "2", "roles": [INSTRUCTOR], "name": "Ada Teacher"}


def members_by_sub(world: ServiceWorld, twinspace_id: int) -> dict[str, Any]:
    container = world.container
    issuer = world.peer.issuer
    people = container.identities.known(issuer)
    current = {m.person_id: m for m in container.hub.list_members(twinspace_id)}
    return {sub: current[p.person_id] for sub, p in people.items() if p.person_id in current}


def snapshot(world: ServiceWorld, twinspace_id: int) -> dict[str, Any]:
    """Everything a refused sync must leave as it was."""
    with world.container.database.engine.connect() as connection:
        people = connection.execute(text("SELECT count(*) FROM people")).scalar_one()
        links = connection.execute(text("SELECT count(*) FROM lti_identities")).scalar_one()
    members = [
        (m.person_id, m.role, m.status, m.role_source)
        for m in world.container.hub.list_members(twinspace_id)
    ]
    return {"people": people, "identities": links, "members": members}


def test_the_launch_records_the_resource_link_with_its_nrps_url(world: ServiceWorld) -> None:
    resources = prepare(world)
    [context] = world.container.resource_links.list_contexts()
    assert context.context_id == COURSE
    assert context.nrps_url == world.peer.issuer + MEMBERSHIPS
    assert [str(r) for r in context.resources] == [f"twinspace:{resources.twinspace_id}"]


def test_roster_of_three(any_db_world: ServiceWorld) -> None:
    world = any_db_world
    ts = prepare(world).twinspace_id
    world.peer.platform.nrps.set_roster(
        COURSE,
        [
            teacher_member(),
            learner("p-1", name="Lena Learner", email="lena@school.example"),
            learner("p-2"),  # the school shares no names
        ],
    )
    report = world.container.roster_sync.sync_all()
    assert report.failures == []
    [result] = report.results
    assert (result.added, result.unchanged, result.suspended) == (2, 1, 0)
    assert result.pages == 1 and result.members == 3
    members = members_by_sub(world, ts)
    assert members["2"].role is TwinSpaceRole.TEACHER
    for sub in ("p-1", "p-2"):
        assert members[sub].role is TwinSpaceRole.PUPIL
        assert members[sub].role_source is RoleSource.LMS
        person = world.container.hub.get_person(members[sub].person_id)
        assert person.email is None and person.display_name.startswith("Pupil ")
    # One token for the whole sync, scoped to NRPS only.
    assert world.requests["/token"] == 1
    assert world.requests[MEMBERSHIPS] == 1
    # A second sync changes nothing and reuses the cached token.
    [again] = world.container.roster_sync.sync_all().results
    assert (again.added, again.unchanged) == (0, 3)
    assert world.requests["/token"] == 1


def test_roster_of_a_thousand_in_pages(world: ServiceWorld) -> None:
    ts = prepare(world).twinspace_id
    nrps = world.peer.platform.nrps
    nrps.page_size = 100
    nrps.set_roster(COURSE, [teacher_member()] + [learner(f"p-{n}") for n in range(999)])
    seen: list[tuple[int, int]] = []
    report = world.container.roster_sync.sync_all(progress=lambda d, t: seen.append((d, t)))
    [result] = report.results
    assert result.pages == 10 and result.members == 1000
    assert (result.added, result.unchanged, result.skipped) == (999, 1, [])
    assert seen[-1] == (1000, 1000)
    members = members_by_sub(world, ts)
    assert sum(m.role is TwinSpaceRole.PUPIL for m in members.values()) == 999
    assert world.requests[MEMBERSHIPS] == 10 and world.requests["/token"] == 1


@pytest.mark.parametrize("style", ["quoted", "unquoted", "curly"])
def test_every_link_header_style_is_followed(world: ServiceWorld, style: str) -> None:
    prepare(world)
    nrps = world.peer.platform.nrps
    nrps.page_size, nrps.link_style = 2, style
    nrps.set_roster(COURSE, [teacher_member()] + [learner(f"p-{n}") for n in range(4)])
    [result] = world.container.roster_sync.sync_all().results
    assert result.pages == 3 and result.added == 4


def test_moodle_type_id_urls_are_kept(world: ServiceWorld) -> None:
    world.peer.platform.nrps.type_id = "18"
    world.peer.platform.nrps.page_size = 2
    prepare(world)
    [context] = world.container.resource_links.list_contexts()
    assert context.nrps_url == world.peer.issuer + MEMBERSHIPS + "?type_id=18"
    world.peer.platform.nrps.set_roster(COURSE, [learner(f"p-{n}") for n in range(3)])
    [result] = world.container.roster_sync.sync_all().results
    assert result.pages == 2 and result.added == 3


def test_members_who_left_are_suspended_and_manual_decisions_kept(world: ServiceWorld) -> None:
    ts = prepare(world).twinspace_id
    nrps = world.peer.platform.nrps
    nrps.set_roster(COURSE, [teacher_member()] + [learner(f"p-{n}") for n in range(4)])
    world.container.roster_sync.sync_all()
    hub = world.container.hub
    members = members_by_sub(world, ts)
    founder = next(m for m in hub.list_members(ts) if m.role is TwinSpaceRole.TEACHER_ADMINISTRATOR)
    hub.change_role(founder.person_id, ts, members["2"].person_id, TwinSpaceRole.OBSERVER)
    hub.suspend_member(founder.person_id, ts, members["p-0"].person_id)
    thread = hub.create_thread(founder.person_id, ts, "Our pond", "What lives there?")
    reply = hub.reply_thread(members["p-3"].person_id, thread.id, "Frogs.")
    # p-3 left the course; p-0 (suspended by hand) is still in it; the teacher is too.
    nrps.set_roster(COURSE, [teacher_member()] + [learner(f"p-{n}") for n in range(3)])
    [result] = world.container.roster_sync.sync_all().results
    assert result.suspended == 1 and result.protected == 2
    after = members_by_sub(world, ts)
    assert after["p-3"].status is MemberStatus.SUSPENDED
    assert after["p-0"].status is MemberStatus.SUSPENDED  # the administrator's decision stays
    assert after["p-0"].role_source is RoleSource.MANUAL
    assert after["2"].role is TwinSpaceRole.OBSERVER  # never "upgraded" back
    [kept] = hub.list_threads(ts)
    assert reply.id in [p.id for p in kept.posts]  # content kept
    # Back in the course: reactivated.
    nrps.set_roster(COURSE, [teacher_member()] + [learner(f"p-{n}") for n in range(4)])
    [back] = world.container.roster_sync.sync_all().results
    assert back.reactivated == 1
    assert members_by_sub(world, ts)["p-3"].status is MemberStatus.ACTIVE


def test_differences_are_used_when_offered(world: ServiceWorld) -> None:
    ts = prepare(world).twinspace_id
    nrps = world.peer.platform.nrps
    nrps.offer_differences = True
    nrps.set_roster(COURSE, [teacher_member(), learner("p-1"), learner("p-2")])
    [first] = world.container.roster_sync.sync_all().results
    assert not first.delta and first.added == 2
    nrps.remove_member(COURSE, "p-2")
    [second] = world.container.roster_sync.sync_all().results
    assert second.delta and second.members == 1 and second.suspended == 1
    assert members_by_sub(world, ts)["p-2"].status is MemberStatus.SUSPENDED
    assert members_by_sub(world, ts)["p-1"].status is MemberStatus.ACTIVE


def _fail_page(nrps: Any) -> None:
    nrps.faults.fail_page, nrps.faults.fail_status = 2, 503


def _malformed(nrps: Any) -> None:
    nrps.faults.malformed_page = 2


def _unknown_role(nrps: Any) -> None:
    nrps.faults.unknown_role = "http://example.com/roles#Wizard"


def _loop(nrps: Any) -> None:
    nrps.faults.loop_page = 2


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        (_fail_page, RosterFetchError),
        (_malformed, MalformedRosterPageError),
        (_unknown_role, UnknownRosterRolesError),
        (_loop, RosterPagingLoopError),
    ],
    ids=["503-halfway", "malformed-page", "unknown-roles", "paging-loop"],
)
def test_faults_stop_the_sync_with_no_change(
    any_db_world: ServiceWorld, fault: Any, error: type[Exception]
) -> None:
    world = any_db_world
    ts = prepare(world).twinspace_id
    nrps = world.peer.platform.nrps
    nrps.page_size = 2
    nrps.set_roster(COURSE, [teacher_member()] + [learner(f"p-{n}") for n in range(6)])
    world.container.roster_sync.sync_all()
    # Two pupils leave; the next read (3 pages) breaks on page 2.
    nrps.set_roster(COURSE, [teacher_member()] + [learner(f"p-{n}") for n in range(4)])
    before = snapshot(world, ts)
    fault(nrps)
    with pytest.raises(error):
        world.container.roster_sync.sync_context(1, world.peer.deployment_id, COURSE)
    report = world.container.roster_sync.sync_all()
    assert report.results == [] and isinstance(report.failures[0].error, error)
    assert snapshot(world, ts) == before
    nrps.faults.reset()
    [result] = world.container.roster_sync.sync_all().results
    assert result.suspended == 2


def test_the_sandbox_shows_its_roster(world: ServiceWorld) -> None:
    world.peer.platform.nrps.set_roster(COURSE, [teacher_member(), learner("p-1")])
    world.peer.platform.nrps.remove_member(COURSE, "p-1")
    with requests.Session() as browser:
        page = browser.get(world.peer.base_url + "/roster", timeout=10)
        index = browser.get(world.peer.base_url + "/", timeout=10)
    assert page.status_code == 200
    assert 'data-user="2"' in page.text and "Ada Teacher" in page.text
    assert 'data-user="p-1"' not in page.text  # removed users vanish, as in Moodle
    assert world.peer.platform.nrps.memberships_url(COURSE) in page.text
    assert 'href="/roster"' in index.text
