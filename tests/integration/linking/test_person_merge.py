"""Linking merges the provisional person into the claimed profile and loses nothing
(``SqlTeacherAccounts.make_link`` over ``connectors.sql_person_merge``), on SQLite and
PostgreSQL: memberships unioned keeping the stronger decision, enrolments and completions,
acknowledgements, authorship and LTI identities moved, duplicates of one fact kept once, and a
merge that would break a rule refused with nothing written."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text

from connectors.sql_person_merge import MergeRefusedError
from etwin_lti.domain.identities import KnownPerson, LtiIdentity
from etwin_lti.domain.linking_ports import Link
from etwin_lti.domain.model import PersonKind, RoleSource, TwinSpaceRole
from etwin_lti.domain.teacher_linking import AccountStatus, LinkMethod
from etwin_lti.errors import NotFoundError
from tests.e2e.harness import Resources, seed_resources

NOW = datetime(2030, 1, 1, tzinfo=UTC)
ISSUER = "https://moodle.school.example"


def _link(claimant: int, target: int) -> Link:
    return Link(claimant, target, AccountStatus.VALIDATED, LinkMethod.CODE, NOW)


def _dump(container: Any) -> dict[str, list[tuple[Any, ...]]]:
    tables = {
        "people": "SELECT id FROM people ORDER BY id",
        "members": "SELECT twinspace_id, person_id, role, role_source FROM twinspace_members"
        " ORDER BY 1, 2",
        "identities": "SELECT sub, person_id FROM lti_identities ORDER BY sub",
        "acknowledgements": "SELECT kind, person_id, subject FROM acknowledgements ORDER BY 1",
        "accounts": "SELECT person_id, status FROM teacher_accounts",
    }
    with container.database.engine.connect() as connection:
        return {name: [tuple(r) for r in connection.execute(text(q))] for name, q in tables.items()}


@pytest.fixture
def world(container: Any) -> tuple[Any, Resources]:
    return container, seed_resources(container.hub)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def container(request: pytest.FixtureRequest, tmp_path: Any) -> Any:
    from tests.conftest import make_test_app

    url = request.getfixturevalue(f"{request.param}_url")
    app = make_test_app(url, tmp_path)
    yield app.extensions["etwin"]
    app.extensions["etwin"].database.dispose()


def test_merging_a_provisional_teacher_into_a_founder_keeps_everything(
    world: tuple[Any, Resources],
) -> None:
    container, r = world
    hub = container.hub
    founders = hub.get_project(hub.get_twinspace(r.twinspace_id).project_id).founder_ids
    bernd = founders[1]
    provisional = hub.create_person("Bernd (Moodle)", PersonKind.TEACHER).id
    container.identities.link(
        LtiIdentity(ISSUER, "moodle-42"), provisional, deployment_id="1", kind=PersonKind.TEACHER
    )
    hub.sync_member(r.twinspace_id, provisional, TwinSpaceRole.TEACHER)  # the first launch
    page = hub.add_page(provisional, r.twinspace_id, "Our river", "Photos soon.")
    line = hub.post_chat_message(provisional, r.twinspace_id, "Hello from Moodle")
    expert = hub.get_event(r.event_id).expert_id
    today = date.today()
    event_id = hub.create_event("Running now", "", expert, today, today + timedelta(days=10), 20).id
    hub.enrol(event_id, provisional)
    hub.enrol(event_id, bernd)
    certificate = hub.complete_event(expert, event_id, provisional)
    unit = hub.get_unit(r.unit_id)
    for person in (provisional, bernd):
        hub.enrol_trainee(unit.edition_id, person)
        hub.mark_activity_done(person, unit.activities[0].id)

    container.teacher_accounts.make_link(_link(provisional, bernd))

    with pytest.raises(NotFoundError):
        hub.get_person(provisional)
    member = hub.get_member(r.twinspace_id, bernd)
    assert (member.role, member.role_source, member.is_founder) == (
        TwinSpaceRole.TEACHER_ADMINISTRATOR,
        RoleSource.PROJECT,
        True,
    )
    assert container.identities.find(LtiIdentity(ISSUER, "moodle-42")) == KnownPerson(
        bernd, PersonKind.TEACHER
    )
    assert [p.author_id for p in hub.list_pages(r.twinspace_id, viewer_id=bernd)] == [bernd]
    assert page.id in {p.id for p in hub.list_pages(r.twinspace_id, viewer_id=bernd)}
    chat = hub.recent_chat(bernd, r.twinspace_id).messages
    assert [(m.id, m.author_id) for m in chat] == [(line.id, bernd)]
    (enrolment,) = hub.list_enrolments(event_id)
    assert enrolment.person_id == bernd and enrolment.completed_at is not None
    assert hub.get_event(event_id).enrolled == 1
    moved = hub.get_acknowledgement(certificate.id)
    assert moved.person_id == bernd and moved.revoked_at is None
    progress = hub.unit_progress(bernd, unit.id)
    assert progress.done_activity_ids == (unit.activities[0].id,)
    assert [t.id for t in hub.list_trainees(unit.edition_id)] == [bernd]
    assert container.teacher_accounts.get_account(bernd).status is AccountStatus.VALIDATED


def test_an_lms_membership_moves_to_a_profile_that_had_none(world: tuple[Any, Resources]) -> None:
    container, r = world
    hub = container.hub
    profile = hub.create_person("Carla", PersonKind.TEACHER, country_code="IT").id
    provisional = hub.create_person("Carla (Moodle)", PersonKind.TEACHER).id
    hub.sync_member(r.twinspace_id, provisional, TwinSpaceRole.TEACHER)
    container.teacher_accounts.make_link(_link(provisional, profile))
    member = hub.get_member(r.twinspace_id, profile)
    assert (member.role, member.role_source) == (TwinSpaceRole.TEACHER, RoleSource.LMS)


def test_two_founders_of_one_project_cannot_merge(world: tuple[Any, Resources]) -> None:
    container, r = world
    hub = container.hub
    anna, bernd = hub.get_project(hub.get_twinspace(r.twinspace_id).project_id).founder_ids
    before = _dump(container)
    with pytest.raises(MergeRefusedError):
        container.teacher_accounts.make_link(_link(anna, bernd))
    assert _dump(container) == before


def test_an_erased_person_cannot_merge(world: tuple[Any, Resources]) -> None:
    container, _ = world
    hub = container.hub
    profile = hub.create_person("Carla", PersonKind.TEACHER, country_code="IT").id
    provisional = hub.create_person("Gone", PersonKind.TEACHER).id
    container.privacy.erase(provisional, now=NOW)
    before = _dump(container)
    with pytest.raises(MergeRefusedError):
        container.teacher_accounts.make_link(_link(provisional, profile))
    assert _dump(container) == before


def test_partner_invitations_follow_the_merge_and_one_stays_pending(
    world: tuple[Any, Resources],
) -> None:
    container, r = world
    hub = container.hub
    project = hub.get_project(hub.get_twinspace(r.twinspace_id).project_id)
    founder = project.founder_ids[0]
    profile = hub.create_person("Carla", PersonKind.TEACHER, country_code="IT").id
    provisional = hub.create_person("Carla (Moodle)", PersonKind.TEACHER, country_code="IT").id
    kept = hub.invite_partner(founder, project.id, profile)
    doubled = hub.invite_partner(founder, project.id, provisional)
    container.teacher_accounts.make_link(_link(provisional, profile))
    assert hub.pending_partner_invitations(profile) == [kept]
    states = {i.id: (i.invitee_id, i.state.value) for i in hub.list_partner_invitations(project.id)}
    assert states[kept.id] == (profile, "pending")
    assert states[doubled.id] == (profile, "withdrawn")
