"""One person per platform user (DESIGN.md "People"), over real HTTP.

- the same LMS user through a second registration of the same Moodle is the same person, with
  their memberships (identities keyed by issuer and ``sub``);
- a person's kind is decided by the audience and the LTI role, never by the resource opened
  first, and it never flips;
- every refusal is a page that names who can fix it, and writes nothing;
- two first launches of a new user at the same instant make one person and no orphan row.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import text

from etwin_lti.domain.identities import LtiIdentity
from etwin_lti.domain.model import PersonKind, TwinSpaceRole
from etwin_lti.lti import claims as c
from etwin_lti.sandbox.model import ToolClient
from tests.e2e.conftest import World, build_world
from tests.e2e.harness import LateApp, Resources, ServerThread, seed_resources
from tests.e2e.lti_world import ServiceWorld, service_world
from tests.e2e.peer import launch_through
from tests.support.lti_tokens import ROLE_INSTRUCTOR, ROLE_LEARNER, ROLE_MENTOR

pytestmark = pytest.mark.e2e

SECOND_CLIENT, SECOND_DEPLOYMENT = "etwin-second-registration", "sandbox-2"


@pytest.fixture
def peer_world(database_url: str, tmp_path: Path) -> Iterator[ServiceWorld]:
    with service_world(database_url, tmp_path) as running:
        yield running


def launch(world: ServiceWorld, user: str, resource: str, **params: str) -> requests.Response:
    with requests.Session() as browser:
        url = world.peer.launch_url(user=user, etwin_resource=resource, **params)
        return launch_through(browser, url)


def session_of(world: Any, response: requests.Response) -> Any:
    assert response.status_code == 200, response.text[:600]
    return world.container.launches.load_session(response.cookies["etwin_launch"])


UNLINKED = (
    "SELECT count(*) FROM people p "
    "WHERE NOT EXISTS (SELECT 1 FROM lti_identities i WHERE i.person_id = p.id)"
)


def rows(world: Any, resources: Resources) -> dict[str, int]:
    """Everything a refused launch must not create."""
    hub = world.container.hub
    with world.container.database.engine.connect() as connection:
        counts = {
            table: int(connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())
            for table in ("people", "lti_identities", "launch_sessions")
        }
        counts["unlinked_people"] = int(connection.execute(text(UNLINKED)).scalar_one())
    counts["members"] = len(hub.list_members(resources.twinspace_id))
    counts["enrolments"] = len(hub.list_enrolments(resources.event_id))
    counts["trainees"] = len(hub.list_trainees(resources.edition_id))
    return counts


# --- one person per (issuer, sub) ---------------------------------------------------------------
def test_the_same_user_through_a_second_registration_is_the_same_person(
    peer_world: ServiceWorld,
) -> None:
    world = peer_world
    r = seed_resources(world.container.hub)
    ts = f"twinspace:{r.twinspace_id}"
    # The same Moodle registers the tool a second time (another client id and deployment).
    world.peer.platform.add_client(
        ToolClient.for_tool(
            world.tool_url, client_id=SECOND_CLIENT, deployment_id=SECOND_DEPLOYMENT
        )
    )
    second = world.peer.register_with(world.container.registrations, client_id=SECOND_CLIENT)
    assert second.id != world.platform_id

    teacher = session_of(world, launch(world, "teacher", ts))
    pupil = session_of(world, launch(world, "pupil", ts))
    before = rows(world, r)
    teacher_again = session_of(world, launch(world, "teacher", ts, client_id=SECOND_CLIENT))
    pupil_again = session_of(world, launch(world, "pupil", ts, client_id=SECOND_CLIENT))

    assert teacher_again.platform_id == second.id
    assert teacher_again.deployment_id == SECOND_DEPLOYMENT
    assert (teacher_again.person_id, pupil_again.person_id) == (teacher.person_id, pupil.person_id)
    assert (teacher_again.role, pupil_again.role) == ("teacher", "pupil")
    after = rows(world, r)
    assert (
        after["people"] == before["people"] and after["lti_identities"] == before["lti_identities"]
    )
    assert after["members"] == before["members"]  # the memberships they already had
    hub = world.container.hub
    assert hub.get_member(r.twinspace_id, pupil.person_id).role is TwinSpaceRole.PUPIL
    # The pseudonym belongs to the user, not to the registration they came through.
    assert hub.get_person(pupil.person_id).display_name == LtiIdentity(
        world.peer.issuer, "3"
    ).pseudonym("Pupil")


# --- the kind comes from the audience and the role, not from the first resource -------------
def test_a_pupil_who_opens_a_learning_event_first_stays_a_pupil(peer_world: ServiceWorld) -> None:
    world = peer_world
    r = seed_resources(world.container.hub)
    before = rows(world, r)
    refused = launch(world, "pupil", f"event:{r.event_id}")
    assert refused.status_code == 403, refused.text[:500]
    assert 'data-error="teachers_only"' in refused.text
    assert "only for teachers" in refused.text and "your teacher" in refused.text
    assert rows(world, r) == before  # no person, no identity, no seat, no session

    inside = session_of(world, launch(world, "pupil", f"twinspace:{r.twinspace_id}"))
    assert inside.role == "pupil"
    person = world.container.hub.get_person(inside.person_id)
    assert person.kind is PersonKind.PUPIL
    assert world.container.hub.get_event(r.event_id).enrolled == 0


def test_a_pupil_who_opens_a_course_unit_first_leaves_no_name_nor_email(
    database_url: str, tmp_path: Path
) -> None:
    # The school shares names and e-mails with the tool but did not opt in to storing them.
    peer = {"share_names": True, "share_email": True}
    with service_world(database_url, tmp_path, peer=peer, STORE_PUPIL_NAMES=False) as world:
        r = seed_resources(world.container.hub)
        before = rows(world, r)
        refused = launch(world, "pupil", f"unit:{r.unit_id}")
        assert refused.status_code == 403 and 'data-error="teachers_only"' in refused.text
        assert rows(world, r) == before
        inside = session_of(world, launch(world, "pupil", f"twinspace:{r.twinspace_id}"))
        person = world.container.hub.get_person(inside.person_id)
        assert (person.kind, person.email) == (PersonKind.PUPIL, None)
        assert person.display_name.startswith("Pupil ") and "Piet" not in person.display_name
        assert world.container.hub.list_trainees(r.edition_id) == []
        edition = world.container.hub.get_edition(r.edition_id)
        assert inside.person_id not in edition.trainer_ids


# --- refusals: a clear page, nothing written ------------------------------------------------------
def _teacher_first(world: World, resources: Resources) -> None:
    world.platform.claims = {
        "roles": [ROLE_INSTRUCTOR],
        c.CUSTOM: {"etwin_resource": f"twinspace:{resources.twinspace_id}"},
    }
    assert world.browser().launch(login_hint="flip").status_code == 200


REFUSALS: list[tuple[str, list[str], str, str, str, Callable[..., None] | None]] = [
    # (id, roles, resource kind, error code, who can fix (part), set-up launch)
    ("pupil-at-event", [ROLE_LEARNER], "event", "teachers_only", "your teacher", None),
    ("pupil-at-unit", [ROLE_LEARNER], "unit", "teachers_only", "your teacher", None),
    (
        "mentor-without-permit",
        [ROLE_MENTOR],
        "twinspace",
        "visitor_permit_required",
        "a teacher administrator of this TwinSpace",
        None,
    ),
    (
        "mentor-at-event",
        [ROLE_MENTOR],
        "event",
        "visitors_only_in_twinspaces",
        "the teacher of this course",
        None,
    ),
    ("no-role", [], "twinspace", "unmapped_role", "LMS administrator", None),
    (
        "unknown-role",
        ["http://example.org/roles#Wizard"],
        "twinspace",
        "unmapped_role",
        "LMS administrator",
        None,
    ),
    (
        "teacher-launched-as-learner",
        [ROLE_LEARNER],
        "twinspace",
        "person_kind_fixed",
        "LMS administrator",
        _teacher_first,
    ),
]


@pytest.mark.parametrize(
    ("roles", "kind", "code", "who", "setup"),
    [row[1:] for row in REFUSALS],
    ids=[row[0] for row in REFUSALS],
)
def test_each_refusal_names_who_can_fix_it_and_writes_nothing(
    any_db_world: World,
    roles: list[str],
    kind: str,
    code: str,
    who: str,
    setup: Callable[..., None] | None,
) -> None:
    world, r = any_db_world, any_db_world.resources
    if setup is not None:
        setup(world, r)
    ident = {"twinspace": r.twinspace_id, "event": r.event_id, "unit": r.unit_id}[kind]
    world.platform.claims = {"roles": roles, c.CUSTOM: {"etwin_resource": f"{kind}:{ident}"}}
    before = rows(world, r)
    response = world.browser().launch(login_hint="flip")
    assert response.status_code == 403, response.text[:600]
    assert f'data-error="{code}"' in response.text
    assert "Who can fix this" in response.text and who in response.text
    assert "etwin_launch" not in response.cookies
    assert rows(world, r) == before


# --- two first launches at the same instant ---------------------------------------------------
@pytest.fixture
def pg_world(
    postgres_url: str, tmp_path: Path, platform_server: tuple[ServerThread, LateApp]
) -> Iterator[World]:
    yield from build_world(postgres_url, tmp_path, platform_server)


@pytest.mark.postgres
@pytest.mark.parametrize("roles", [[ROLE_LEARNER], [ROLE_INSTRUCTOR]], ids=["pupil", "teacher"])
def test_simultaneous_first_launches_make_one_person_and_no_orphan(
    pg_world: World, roles: list[str]
) -> None:
    world, r = pg_world, pg_world.resources
    world.platform.claims = {
        "roles": roles,
        c.CUSTOM: {"etwin_resource": f"twinspace:{r.twinspace_id}"},
        "name": "Same Person",
    }
    browsers = [world.browser() for _ in range(4)]
    forms = [b.authorize(b.start_login(login_hint="same-user")) for b in browsers]
    before = rows(world, r)
    start = threading.Barrier(len(browsers))

    def post(index: int) -> requests.Response:
        start.wait()  # every id_token POST leaves at the same instant
        return browsers[index].post(forms[index])

    with ThreadPoolExecutor(len(browsers)) as pool:
        answers = list(pool.map(post, range(len(browsers))))
    assert [a.status_code for a in answers] == [200] * len(browsers), [
        a.text[:300] for a in answers
    ]
    people = {session_of(world, a).person_id for a in answers}
    assert len(people) == 1
    after = rows(world, r)
    assert after["people"] == before["people"] + 1
    assert after["lti_identities"] == before["lti_identities"] + 1
    assert after["members"] == before["members"] + 1
    assert after["unlinked_people"] == before["unlinked_people"]  # no orphan person
    with world.container.database.engine.connect() as connection:
        unsettled = connection.execute(
            text("SELECT count(*) FROM lti_identities WHERE person_id IS NULL")
        ).scalar_one()
    assert unsettled == 0
