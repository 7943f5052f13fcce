"""Learning Events and course units run from the LMS (issue 9 item 5), through the sandbox LMS.

- A Learning Event is led by its expert in the hub (a linked eTwinning account): they see the
  participants, mark them complete, and the participant gets the certificate. Any other teacher
  sees an "Enrol" button while places remain, and a clear message when the event is full;
  pupils are refused with a page in a child's words.
- A course unit's trainers are the edition's trainers in the hub and, in a teacher-training
  LMS, the course's Instructors: they see trainees x activities. A school's teacher who trains
  nobody is shown as a teacher. The header's role and the page always agree.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urljoin

import pytest
import requests
from sqlalchemy import text

from etwin_lti.domain.audiences import Audience
from etwin_lti.domain.identities import LtiIdentity
from etwin_lti.domain.model import PersonKind
from etwin_lti.sandbox.model import INSTRUCTOR, TRAINING_CONTEXTS, TRAINING_USERS, SandboxUser
from tests.e2e.harness import seed_resources
from tests.e2e.lti_world import ServiceWorld, service_world
from tests.e2e.peer import launch_through

pytestmark = pytest.mark.e2e

TEACHER, PUPIL = "2", "3"  # the sandbox's default users
FORM = re.compile(r'<form method="post"[^>]*action="([^"]*)"[^>]*>(.*?)</form>', re.S)
HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')
META = re.compile(r'<meta name="([^"]+)" content="([^"]*)">')
HEADER_ROLE = re.compile(r'<span class="who">[^<]*?([a-z ]+)</span>')
PAGE_ROLE = re.compile(r'data-etwin-role="([a-z_]+)"')


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


def open_page(
    world: ServiceWorld, browser: requests.Session, user: str, resource: str
) -> requests.Response:
    """Launch ``user`` into ``resource`` from the LMS and load the embedded page."""
    answer = launch_through(browser, world.peer.launch_url(user=user, etwin_resource=resource))
    assert answer.status_code == 200, answer.text[:600]
    page = browser.get(urljoin(answer.url, answer.headers["Content-Location"]), timeout=10)
    assert page.status_code == 200, page.text[:600]
    return page


def role_of(page: requests.Response) -> str:
    """The role the page shows, after checking that its header says the same."""
    shown = PAGE_ROLE.search(page.text)
    header = HEADER_ROLE.search(page.text)
    assert shown and header, page.text[:600]
    assert header.group(1).strip() == shown.group(1).replace("_", " ")
    return shown.group(1)


def submit(browser: requests.Session, page: requests.Response, action: str) -> requests.Response:
    """Press the button ``data-action=<action>`` of ``page`` (the form's hidden fields too)."""
    for target, fields in FORM.findall(page.text):
        if f'data-action="{action}"' in fields:
            data = {name: html.unescape(value) for name, value in HIDDEN.findall(fields)}
            return browser.post(urljoin(page.url, html.unescape(target)), data=data, timeout=10)
    raise AssertionError(f"no {action!r} button on the page: {page.text[:600]}")


def link(world: ServiceWorld, sub: str, person_id: int, kind: PersonKind) -> None:
    """The LMS user ``sub`` connected their eTwinning account (teacher linking)."""
    world.container.identities.link(
        LtiIdentity(world.peer.issuer, sub),
        person_id,
        deployment_id=world.peer.deployment_id,
        kind=kind,
    )


def add_teacher(world: ServiceWorld, sub: str, name: str) -> None:
    world.peer.platform.add_user(SandboxUser(sub, name, (INSTRUCTOR,), None, sub, "FR"))


def running_event(world: ServiceWorld, expert_id: int, capacity: int) -> int:
    today = date.today()
    hub = world.container.hub
    event = hub.create_event(
        "Running now", "", expert_id, today, today + timedelta(days=10), capacity
    )
    return int(event.id)


def person_count(world: ServiceWorld) -> int:
    with world.container.database.engine.connect() as connection:
        return int(connection.execute(text("SELECT count(*) FROM people")).scalar_one())


# --- Learning Events ----------------------------------------------------------------------------
def test_the_events_expert_runs_it_from_the_lms_and_another_teacher_enrols(
    school: ServiceWorld,
) -> None:
    world = school
    hub = world.container.hub
    r = seed_resources(hub)
    expert_id = hub.get_event(r.event_id).expert_id
    event_id = running_event(world, expert_id, capacity=5)
    link(world, TEACHER, expert_id, PersonKind.EXPERT)  # Ada is Eva Expert's LMS account
    add_teacher(world, "8", "Olga Other")
    resource = f"event:{event_id}"

    with requests.Session() as olga:
        page = open_page(world, olga, "8", resource)
        assert role_of(page) == "teacher"
        assert 'data-action="enrol"' in page.text
        assert "Participants" not in page.text
        enrolled = submit(olga, page, "enrol")
        assert enrolled.status_code == 200, enrolled.text[:600]
        assert "You are enrolled" in enrolled.text
        assert role_of(enrolled) == "participant"
        assert 'data-action="enrol"' not in enrolled.text
        assert 'data-completed="false"' in enrolled.text
    olga_id = world.container.identities.find(LtiIdentity(world.peer.issuer, "8")).person_id
    assert [e.person_id for e in hub.list_enrolments(event_id)] == [olga_id]

    with requests.Session() as ada:
        page = open_page(world, ada, TEACHER, resource)
        assert role_of(page) == "expert"
        assert f'data-participant="{olga_id}"' in page.text and "Olga Other" in page.text
        assert 'data-action="enrol"' not in page.text
        completed = submit(ada, page, "complete")
        assert completed.status_code == 200, completed.text[:600]
        assert "their certificate was issued" in completed.text
    assert hub.get_event(event_id).enrolled == 1  # the expert took no place

    with requests.Session() as olga:
        page = open_page(world, olga, "8", resource)
        assert role_of(page) == "participant"
        assert 'data-completed="true"' in page.text
        assert "Certificate of participation: Running now" in page.text


def test_a_full_event_says_so_and_refuses_a_late_enrolment(school: ServiceWorld) -> None:
    world = school
    hub = world.container.hub
    r = seed_resources(hub)
    event_id = running_event(world, hub.get_event(r.event_id).expert_id, capacity=1)
    add_teacher(world, "8", "Olga Other")
    resource = f"event:{event_id}"
    with requests.Session() as ada, requests.Session() as olga:
        ada_page = open_page(world, ada, TEACHER, resource)
        olga_page = open_page(world, olga, "8", resource)  # both see a free place
        assert submit(olga, olga_page, "enrol").status_code == 200
        late = submit(ada, ada_page, "enrol")  # the last place went meanwhile
        assert late.status_code == 409, late.text[:600]
        assert "This Learning Event is full." in late.text
        again = open_page(world, ada, TEACHER, resource)
    assert role_of(again) == "teacher"
    assert 'data-enrolment="full"' in again.text
    assert "all 1 places are taken" in again.text
    assert 'data-action="enrol"' not in again.text
    assert hub.get_event(event_id).enrolled == 1


def test_a_finished_event_offers_no_enrolment(school: ServiceWorld) -> None:
    world = school
    hub = world.container.hub
    r = seed_resources(hub)
    with requests.Session() as ada:
        page = open_page(world, ada, TEACHER, f"event:{r.event_id}")
        # The hub's clock moves on: the event is over before Ada presses the button.
        with world.container.database.engine.begin() as connection:
            connection.execute(
                text("UPDATE learning_events SET starts_on = :s, ends_on = :e WHERE id = :id"),
                {
                    "s": date.today() - timedelta(days=20),
                    "e": date.today() - timedelta(days=6),
                    "id": r.event_id,
                },
            )
        late = submit(ada, page, "enrol")
        assert late.status_code == 409, late.text[:600]
        assert "has finished" in late.text
        again = browser_get(ada, page.url)
    assert 'data-enrolment="finished"' in again.text
    assert 'data-action="enrol"' not in again.text
    assert hub.list_enrolments(r.event_id) == []


def browser_get(browser: requests.Session, url: str) -> requests.Response:
    page = browser.get(url, timeout=10)
    assert page.status_code == 200, page.text[:600]
    return page


@pytest.mark.parametrize("kind", ["event", "unit"])
def test_pupils_are_refused_in_a_childs_words(school: ServiceWorld, kind: str) -> None:
    world = school
    r = seed_resources(world.container.hub)
    before = person_count(world)
    resource = f"event:{r.event_id}" if kind == "event" else f"unit:{r.unit_id}"
    with requests.Session() as piet:
        url = world.peer.launch_url(user=PUPIL, etwin_resource=resource)
        refused = launch_through(piet, url)
    assert refused.status_code == 403, refused.text[:600]
    assert "only for teachers" in refused.text and "ask your teacher" in refused.text
    assert person_count(world) == before  # nobody created, nothing enrolled
    assert world.container.hub.list_enrolments(r.event_id) == []


def test_in_a_training_lms_the_instructor_is_no_expert_and_learners_take_part(
    training: ServiceWorld,
) -> None:
    world = training
    r = seed_resources(world.container.hub)
    resource = f"event:{r.event_id}"
    with requests.Session() as theo:
        page = open_page(world, theo, "trainee", resource)
        assert role_of(page) == "participant"  # a learner of the course takes part
    with requests.Session() as tina:
        page = open_page(world, tina, "trainer", resource)
        assert role_of(page) == "teacher"  # the expert is Eva, whom the hub names
        assert 'data-action="enrol"' in page.text and "Participants" not in page.text


# --- course units -------------------------------------------------------------------------------
def test_a_school_teacher_who_trains_nobody_is_shown_as_a_teacher(school: ServiceWorld) -> None:
    world = school
    r = seed_resources(world.container.hub)
    with requests.Session() as ada:
        page = open_page(world, ada, TEACHER, f"unit:{r.unit_id}")
    assert role_of(page) == "teacher"
    assert "Trainees' progress is shown to the trainers" in page.text
    assert "progress-table" not in page.text
    assert 'data-action="mark-done"' not in page.text


def test_the_editions_trainer_in_the_hub_sees_trainees_by_activities(
    school: ServiceWorld,
) -> None:
    world = school
    hub = world.container.hub
    r = seed_resources(hub)
    trainer = hub.create_person("Tim Trainer", PersonKind.TRAINER)
    today = date.today()
    edition = hub.create_edition(
        "Edition with a trainer",
        today.year,
        today,
        today + timedelta(days=60),
        trainer_ids=[trainer.id],
    )
    unit = hub.add_unit(edition.id, "Unit A", "", activities=[("Read", "r"), ("Write", "w")])
    trainee = hub.create_person("Theo Trainee", PersonKind.TEACHER)
    hub.enrol_trainee(edition.id, trainee.id)
    hub.mark_activity_done(trainee.id, unit.activities[0].id)
    link(world, TEACHER, trainer.id, PersonKind.TRAINER)  # Ada is Tim's LMS account
    with requests.Session() as ada:
        page = open_page(world, ada, TEACHER, f"unit:{unit.id}")
    assert role_of(page) == "trainer"
    assert 'data-trainee="Theo Trainee"' in page.text
    row = re.search(r'data-trainee="Theo Trainee">(.*?)</tr>', page.text, re.S)
    assert row and row.group(1).count("✓") == 1 and row.group(1).count("–") == 1
    assert "shown to the trainers of this course edition only" not in page.text
    assert r.unit_id != unit.id


def test_in_a_training_lms_the_instructor_trains_and_sees_the_trainees(
    training: ServiceWorld,
) -> None:
    world = training
    r = seed_resources(world.container.hub)
    resource = f"unit:{r.unit_id}"
    with requests.Session() as theo:
        page = open_page(world, theo, "trainee", resource)
        assert role_of(page) == "trainee"
        done = submit(theo, page, "mark-done")
        assert done.status_code == 200 and "Well done" in done.text, done.text[:600]
        assert role_of(done) == "trainee"
    with requests.Session() as tina:
        page = open_page(world, tina, "trainer", resource)
    assert role_of(page) == "trainer"
    assert 'data-trainee="Theo Trainee"' in page.text
    row = re.search(r'data-trainee="Theo Trainee">(.*?)</tr>', page.text, re.S)
    assert row and "✓" in row.group(1) and "complete" in row.group(1)
    assert 'data-action="mark-done"' not in page.text  # a trainer is no trainee
    assert [p.display_name for p in world.container.hub.list_trainees(r.edition_id)] == [
        "Theo Trainee"
    ]
