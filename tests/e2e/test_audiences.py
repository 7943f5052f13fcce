"""Audiences and DESIGN.md's role table through the sandbox LMS, launch and roster sync alike.

- a teacher-training LMS (the NSO's Moodle): its learners are teachers (trainees, event
  participants), per platform or per course;
- Moodle's site administrators (Instructor of every course, in no roster) get no membership;
- a Mentor is a visitor only with a teacher administrator's permit, at launch and in roster sync;
- a non-editing teacher (launch: Instructor#TeachingAssistant, roster: TeachingAssistant) gets
  one role whichever path comes first.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import text

from etwin_lti.domain.api_tokens import ApiTokenRole
from etwin_lti.domain.audiences import Audience
from etwin_lti.domain.identities import LtiIdentity
from etwin_lti.domain.model import MemberStatus, PersonKind, RoleSource, TwinSpaceRole
from etwin_lti.sandbox.model import (
    MOODLE_NON_EDITING_TEACHER,
    MOODLE_SITE_ADMIN,
    TRAINING_CONTEXTS,
    TRAINING_USERS,
    SandboxContext,
    SandboxUser,
)
from tests.e2e.harness import Resources, seed_resources
from tests.e2e.lti_world import ServiceWorld, service_world
from tests.e2e.peer import launch_through

pytestmark = pytest.mark.e2e

COURSE = "course-7b"
MENTOR, PUPIL, TEACHER = "4", "3", "2"  # the sandbox's default users


@pytest.fixture
def school(database_url: str, tmp_path: Path) -> Iterator[ServiceWorld]:
    with service_world(database_url, tmp_path) as running:
        yield running


@pytest.fixture
def training(database_url: str, tmp_path: Path) -> Iterator[ServiceWorld]:
    peer = {"users": TRAINING_USERS, "contexts": TRAINING_CONTEXTS}
    with service_world(database_url, tmp_path, peer=peer) as running:
        running.container.role_policies.set_audience(running.platform_id, Audience.TRAINING)
        yield running


def launch(world: ServiceWorld, user: str, resource: str, **params: str) -> requests.Response:
    with requests.Session() as browser:
        url = world.peer.launch_url(user=user, etwin_resource=resource, **params)
        return launch_through(browser, url)


def session_of(world: ServiceWorld, response: requests.Response) -> Any:
    assert response.status_code == 200, response.text[:600]
    return world.container.launches.load_session(response.cookies["etwin_launch"])


def person_of(world: ServiceWorld, sub: str) -> int | None:
    known = world.container.identities.find(LtiIdentity(world.peer.issuer, sub))
    return known.person_id if known else None


def counts(world: ServiceWorld, r: Resources) -> dict[str, Any]:
    with world.container.database.engine.connect() as connection:
        people = connection.execute(text("SELECT count(*) FROM people")).scalar_one()
        links = connection.execute(text("SELECT count(*) FROM lti_identities")).scalar_one()
    members = sorted(
        (m.person_id, m.role.value, m.status.value, m.role_source.value)
        for m in world.container.hub.list_members(r.twinspace_id)
    )
    return {"people": people, "identities": links, "members": members}


def teacher_administrator(world: ServiceWorld, r: Resources) -> int:
    return next(
        m.person_id
        for m in world.container.hub.list_members(r.twinspace_id)
        if m.role is TwinSpaceRole.TEACHER_ADMINISTRATOR
    )


def api(world: ServiceWorld, method: str, path: str, body: dict[str, Any]) -> requests.Response:
    _, secret = world.container.api_tokens.create(ApiTokenRole.ADMIN, now=datetime.now(UTC))
    return requests.request(
        method,
        world.tool_url + path,
        json=body,
        headers={"Authorization": f"Bearer {secret}"},
        timeout=10,
    )


# --- a teacher-training LMS ---------------------------------------------------------------------
def test_a_training_lms_learner_is_a_teacher_trainee(training: ServiceWorld) -> None:
    world = training
    r = seed_resources(world.container.hub)
    trainee = session_of(world, launch(world, "trainee", f"unit:{r.unit_id}"))
    assert trainee.role == "trainee"
    assert world.container.hub.get_person(trainee.person_id).kind is PersonKind.TEACHER
    assert [p.id for p in world.container.hub.list_trainees(r.edition_id)] == [trainee.person_id]
    event = session_of(world, launch(world, "trainee", f"event:{r.event_id}"))
    assert (event.role, event.person_id) == ("participant", trainee.person_id)
    assert trainee.person_id in {
        e.person_id for e in world.container.hub.list_enrolments(r.event_id)
    }
    space = session_of(world, launch(world, "trainee", f"twinspace:{r.twinspace_id}"))
    assert space.role == "teacher"
    trainer = session_of(world, launch(world, "trainer", f"unit:{r.unit_id}"))
    assert trainer.role == "trainer"
    # The second trainee never launched: the roster enrols nobody who has no hub account yet.
    launch(world, "trainer", f"unit:{r.unit_id}")
    report = world.container.roster_sync.sync_all()
    [result] = [x for x in report.results if x.resource.kind.value == "unit"]
    assert [(s.user_id, s.reason) for s in result.skipped] == [("23", "not_launched_yet")]
    assert (result.unchanged, result.added) == (1, 0)


def test_one_course_of_a_training_lms_may_be_a_school_class(training: ServiceWorld) -> None:
    world = training
    r = seed_resources(world.container.hub)
    world.peer.platform.add_context(SandboxContext("school-class", "A school class", "7C"))
    world.container.role_policies.set_audience(
        world.platform_id, Audience.SCHOOL, context_id="school-class"
    )
    before = counts(world, r)
    refused = launch(world, "trainee", f"unit:{r.unit_id}", context="school-class")
    assert refused.status_code == 403 and 'data-error="teachers_only"' in refused.text
    assert counts(world, r) == before
    pupil = session_of(
        world, launch(world, "trainee", f"twinspace:{r.twinspace_id}", context="school-class")
    )
    assert pupil.role == "pupil"
    assert world.container.hub.get_person(pupil.person_id).kind is PersonKind.PUPIL


# --- Moodle's site administrators -------------------------------------------------------------
def test_a_site_administrator_outside_the_roster_gets_no_membership(school: ServiceWorld) -> None:
    world = school
    platform = world.peer.platform
    platform.add_user(MOODLE_SITE_ADMIN)
    enrolled_admin = SandboxUser(
        "10", "Erin Enrolled", MOODLE_SITE_ADMIN.roles, None, "admin-teacher", "FR"
    )
    platform.add_user(enrolled_admin)
    r = seed_resources(world.container.hub)
    ts = f"twinspace:{r.twinspace_id}"
    session_of(world, launch(world, "teacher", ts))  # the course's teacher: records NRPS
    before = counts(world, r)
    visiting = session_of(world, launch(world, "siteadmin", ts))
    assert (visiting.role, visiting.person_id, visiting.is_tool_admin) == ("admin", None, True)
    assert counts(world, r) == before  # no person, no identity, no membership
    # An administrator who is in the course's roster is what the roster says: a teacher.
    enrolled = session_of(world, launch(world, "admin-teacher", ts))
    assert enrolled.role == "teacher" and enrolled.is_tool_admin
    # Roster sync never adds the visiting one either (Moodle lists only enrolled users).
    world.container.roster_sync.sync_all()
    assert person_of(world, MOODLE_SITE_ADMIN.id) is None


# --- Mentors (parents) need a visitor permit ---------------------------------------------------
def test_a_mentor_is_a_visitor_only_with_a_permit(school: ServiceWorld) -> None:
    world = school
    r = seed_resources(world.container.hub)
    ts = f"twinspace:{r.twinspace_id}"
    session_of(world, launch(world, "teacher", ts))
    before = counts(world, r)
    refused = launch(world, "mentor", ts)
    assert refused.status_code == 403 and 'data-error="visitor_permit_required"' in refused.text
    assert "teacher administrator of this TwinSpace" in refused.text
    assert counts(world, r) == before

    # Roster sync (restricted to teacher and mentor: no pupils in this space) records the
    # Mentor so that a permit can be granted, and does not let them in.
    world.peer.platform.nrps.set_roster(
        COURSE,
        [
            {"user_id": TEACHER, "roles": [world_role("Instructor")], "name": "Ada Teacher"},
            {"user_id": MENTOR, "roles": [world_role("Mentor")], "name": "Maria Mentor"},
        ],
    )
    [result] = world.container.roster_sync.sync_all().results
    assert [(s.user_id, s.reason) for s in result.skipped] == [(MENTOR, "no_visitor_permit")]
    mentor = person_of(world, MENTOR)
    assert mentor is not None
    assert world.container.hub.get_person(mentor).kind is PersonKind.GUEST
    assert mentor not in {m.person_id for m in world.container.hub.list_members(r.twinspace_id)}
    assert launch(world, "mentor", ts).status_code == 403

    # A teacher administrator grants the permit (REST API, as the TwinSpace page would).
    admin = teacher_administrator(world, r)
    permit = f"/api/v1/twinspaces/{r.twinspace_id}/visitor-permits/{mentor}"
    granted = api(world, "PUT", permit, {"actor_id": admin})
    assert granted.status_code == 200, granted.text
    assert granted.json()["role"] == "guest"
    visitor = session_of(world, launch(world, "mentor", ts))
    assert (visitor.role, visitor.person_id) == ("guest", mentor)
    [again] = world.container.roster_sync.sync_all().results
    assert again.protected == 1 and again.skipped == []
    member = world.container.hub.get_member(r.twinspace_id, mentor)
    assert (member.role_source, member.status) == (RoleSource.MANUAL, MemberStatus.ACTIVE)

    withdrawn = api(world, "DELETE", permit, {"actor_id": admin})
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "suspended"
    assert launch(world, "mentor", ts).status_code == 403


@pytest.mark.parametrize(
    ("actor", "person", "status", "code"),
    [
        ("teacher", "mentor", 403, "forbidden"),  # a plain teacher grants nothing
        ("admin", "pupil", 409, "not_a_visitor"),
        ("admin", 999, 404, "not_found"),
    ],
    ids=["not-an-administrator", "pupil", "nobody"],
)
def test_a_permit_is_refused_without_writing(
    school: ServiceWorld, actor: str, person: str | int, status: int, code: str
) -> None:
    world = school
    r = seed_resources(world.container.hub)
    ts = f"twinspace:{r.twinspace_id}"
    session_of(world, launch(world, "teacher", ts))
    world.peer.platform.nrps.set_roster(
        COURSE, [{"user_id": MENTOR, "roles": [world_role("Mentor")], "name": "Maria Mentor"}]
    )
    world.container.roster_sync.sync_all()  # records the Mentor
    session_of(world, launch(world, "pupil", ts))
    ids = {"teacher": person_of(world, TEACHER), "admin": teacher_administrator(world, r)}
    ids |= {"mentor": person_of(world, MENTOR), "pupil": person_of(world, PUPIL)}
    target = ids[person] if isinstance(person, str) else person
    before = counts(world, r)
    answer = api(
        world,
        "PUT",
        f"/api/v1/twinspaces/{r.twinspace_id}/visitor-permits/{target}",
        {"actor_id": ids[actor]},
    )
    assert (answer.status_code, answer.json()["code"]) == (status, code)
    assert counts(world, r) == before


# --- non-editing teachers ----------------------------------------------------------------------
def test_a_non_editing_teacher_gets_the_same_role_by_launch_and_by_roster(
    school: ServiceWorld,
) -> None:
    world = school
    world.peer.platform.add_user(MOODLE_NON_EDITING_TEACHER)
    world.container.role_policies.set_override(world.platform_id, "TeachingAssistant", "observer")
    r = seed_resources(world.container.hub)
    ts = f"twinspace:{r.twinspace_id}"
    session_of(world, launch(world, "teacher", ts))
    launched = session_of(world, launch(world, "non-editing", ts))  # Instructor#TeachingAssistant
    assert launched.role == "observer"
    [result] = world.container.roster_sync.sync_all().results  # roster: TeachingAssistant
    assert result.updated == 0
    member = world.container.hub.get_member(r.twinspace_id, launched.person_id)
    assert (member.role, member.role_source) == (TwinSpaceRole.OBSERVER, RoleSource.LMS)
    again = session_of(world, launch(world, "non-editing", ts))
    assert again.role == "observer"


def world_role(name: str) -> str:
    return "http://purl.imsglobal.org/vocab/lis/v2/membership#" + name
