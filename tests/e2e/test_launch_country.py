"""A teacher's country over real launches (docs/decisions/0006): optional at the door, adopted
from the LMS's ``etwin_country`` once, and asked for where eTwinning needs it."""

from __future__ import annotations

from typing import Any

import pytest

from etwin_lti.domain.model import PersonKind
from etwin_lti.errors import InvalidInputError
from etwin_lti.lti import claims as c
from tests.e2e.conftest import World
from tests.support.lti_tokens import ROLE_INSTRUCTOR, ROLE_LEARNER

pytestmark = pytest.mark.e2e


def launch_as(world: World, user: str, role: str, **custom: str) -> Any:
    """Launch into the seeded TwinSpace; the person the launch session names."""
    ts = world.resources.twinspace_id
    world.platform.claims = {
        "roles": [role],
        c.CUSTOM: {"etwin_resource": f"twinspace:{ts}", **custom},
        "name": "Tom Teacher",
    }
    browser = world.browser()
    response = browser.launch(login_hint=user)
    assert response.status_code == 200, response.text[:800]
    assert response.headers["Content-Location"] == f"/embed/twinspace/{ts}"
    page = browser.get(response.headers["Content-Location"])
    assert page.status_code == 200, page.text[:800]
    session = world.container.launches.load_session(response.cookies["etwin_launch"])
    return page, world.container.hub.get_person(session.person_id)


def test_teacher_enters_without_country_and_the_lms_supplies_it_later(any_db_world: World) -> None:
    world = any_db_world
    hub = world.container.hub
    page, teacher = launch_as(world, "teacher-1", ROLE_INSTRUCTOR)  # no etwin_country
    assert 'data-etwin-role="teacher"' in page.text
    assert (teacher.kind, teacher.country_code) == (PersonKind.TEACHER, None)

    partner = hub.create_person("Giulia", PersonKind.TEACHER, country_code="IT")
    with pytest.raises(InvalidInputError) as caught:
        hub.create_project(teacher.id, partner.id, "Rivers")
    assert caught.value.errors == {
        "founder_id": ["Set your country in your eTwinning profile before founding a project."]
    }
    assert hub.list_projects(member_id=teacher.id) == []

    _, again = launch_as(world, "teacher-1", ROLE_INSTRUCTOR, etwin_country="fr")
    assert (again.id, again.country_code) == (teacher.id, "FR")
    # The LMS never overwrites a country the hub has: here one the teacher changed by hand.
    hub.set_person_country(teacher.id, teacher.id, "PL")
    _, later = launch_as(world, "teacher-1", ROLE_INSTRUCTOR, etwin_country="DE")
    assert later.country_code == "PL"

    project = hub.create_project(teacher.id, partner.id, "Rivers")
    assert project.founder_countries == ("PL", "IT")


def test_first_launch_with_country_provisions_it(world: World) -> None:
    _, teacher = launch_as(world, "teacher-2", ROLE_INSTRUCTOR, etwin_country="DE")
    assert teacher.country_code == "DE"


@pytest.mark.parametrize(
    "offered",
    ["", "$Person.address.country", "ZZ", "GB"],
    ids=["empty", "unsubstituted", "unknown", "left eTwinning"],
)
def test_a_country_the_hub_refuses_does_not_keep_the_teacher_out(
    world: World, offered: str
) -> None:
    page, teacher = launch_as(world, "teacher-3", ROLE_INSTRUCTOR, etwin_country=offered)
    assert 'data-etwin-role="teacher"' in page.text
    assert teacher.country_code is None


def test_pupils_get_no_country_from_the_lms(world: World) -> None:
    page, pupil = launch_as(world, "pupil-1", ROLE_LEARNER, etwin_country="FR")
    assert 'data-etwin-role="pupil"' in page.text
    assert (pupil.kind, pupil.country_code, pupil.email) == (PersonKind.PUPIL, None, None)
