"""A new Moodle teacher connects their LMS account to eTwinning, over real HTTP (issue 9 item 3).

The sandbox LMS peer (lti1p3platform) on localhost, the tool on 127.0.0.1, a requests.Session
as each teacher's browser, a real SMTP server in-process for the one-time codes. Each way ends
the same: the picker lists the teacher's TwinSpaces, and a founder launches the TwinSpace as a
teacher administrator with member management, "Sync roster now" and the Diary form.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from sqlalchemy import text

from etwin_lti.domain.model import PersonKind
from tests.e2e.linking_world import LinkWorld, founder_makes_invitation, link_world
from tests.e2e.peer import launch_through

pytestmark = pytest.mark.e2e


@pytest.fixture
def world(database_url: str, tmp_path: Path) -> Iterator[LinkWorld]:
    yield from link_world(database_url, tmp_path)


def _assert_teacher_administrator_page(page: requests.Response) -> None:
    assert 'data-etwin-role="teacher_administrator"' in page.text
    assert 'data-action="sync-roster"' in page.text  # Sync roster now
    assert 'data-form="diary"' in page.text  # a Diary post
    assert 'data-action="invitations"' in page.text  # inviting teachers


def test_invitation_naming_a_profile_makes_a_new_moodle_teacher_that_founder(
    world: LinkWorld,
) -> None:
    ts, bernd_id = world.resources.twinspace_id, world.anna_id + 1  # seed order: Anna, Bernd
    assert world.hub.get_person(bernd_id).display_name == "Bernd Founder"
    url = founder_makes_invitation(world, invitee=str(bernd_id), note="Bernd")
    world.add_teacher("bernd-lms", "B. Founder (Moodle)")
    with requests.Session() as bernd:
        picker = world.open_picker(bernd, "bernd-lms")
        assert f'data-item="twinspace:{ts}"' not in picker.text
        assert 'data-linking-offer="true"' in picker.text
        provisional = world.person_of("bernd-lms")
        linking = world.get(bernd, "/lti/link")
        linked = world.post_form(bernd, linking, "invitation", invitation=url)
        assert linked.status_code == 200, linked.text[:800]
        assert (
            f'data-person="{bernd_id}"' in linked.text and 'data-linked="validated"' in linked.text
        )
        picker = world.get(bernd, "/lti/deep-link")
        assert f'data-item="twinspace:{ts}"' in picker.text
        assert 'data-linking-offer="true"' not in picker.text
        page = world.embed_and_launch(bernd, picker, f"twinspace:{ts}", "bernd-lms")
    _assert_teacher_administrator_page(page)
    assert world.person_of("bernd-lms") == bernd_id
    with pytest.raises(Exception, match="does not exist"):
        world.hub.get_person(provisional)  # merged into Bernd's profile


def test_invitation_naming_nobody_makes_a_member_teacher_the_founder_manages(
    world: LinkWorld,
) -> None:
    ts = world.resources.twinspace_id
    url = founder_makes_invitation(world, note="Tom from the school next door")
    world.add_teacher("tom-lms", "Tom Teacher")
    with requests.Session() as tom:
        picker = world.open_picker(tom, "tom-lms")
        linked = world.post_form(tom, world.get(tom, "/lti/link"), "invitation", invitation=url)
        assert 'data-linked="invited_member"' in linked.text, linked.text[:800]
        picker = world.get(tom, "/lti/deep-link")
        page = world.embed_and_launch(tom, picker, f"twinspace:{ts}", "tom-lms")
    assert 'data-etwin-role="teacher"' in page.text
    assert 'data-action="sync-roster"' not in page.text
    tom_id = world.person_of("tom-lms")
    with requests.Session() as anna:
        launched = launch_through(
            anna, world.peer.launch_url(user="anna", etwin_resource=f"twinspace:{ts}")
        )
        page = world.get(anna, launched.headers["Content-Location"])
        members = world.get(anna, f"/embed/twinspace/{ts}/members")  # the list, 50 a page
        invitations = world.get(anna, f"/embed/twinspace/{ts}/invitations")
    _assert_teacher_administrator_page(page)
    # Member management: Tom is manageable (a role form), and the invitation shows as used.
    member = re.search(rf'<li data-member="{tom_id}".*?</li>', members.text, re.S)
    assert member and 'data-action="change-role"' in member.group(0)
    assert 'data-state="used"' in invitations.text


def test_one_time_code_claims_a_profile_and_keeps_the_first_launch_work(world: LinkWorld) -> None:
    hub = world.hub
    carla = hub.create_person(
        "Carla Founder", PersonKind.TEACHER, country_code="IT", email="carla@school.example"
    )
    project = hub.create_project(carla.id, world.anna_id, "Rivers of Europe")
    hub.validate_project("IT", project.id)
    rivers = hub.validate_project("FR", project.id).twinspace_id
    world.add_teacher("carla-lms", "Carla (Moodle)", "carla.moodle@school.example")
    with requests.Session() as browser:
        picker = world.open_picker(browser, "carla-lms")
        assert f'data-item="twinspace:{rivers}"' not in picker.text
        # What her provisional person did before linking must survive the merge.
        provisional = world.person_of("carla-lms")
        unit = hub.get_unit(world.resources.unit_id)
        hub.enrol_trainee(unit.edition_id, provisional)
        hub.mark_activity_done(provisional, unit.activities[0].id)
        hub.enrol(world.resources.event_id, provisional)
        linking = world.get(browser, "/lti/link")
        sent = world.post_form(browser, linking, "code-request", email="Carla@School.example")
        assert sent.status_code == 200 and 'data-code-sent="true"' in sent.text
        (mail,) = world.smtp.messages
        assert mail["To"] == "Carla@School.example"
        assert mail["From"] == "etwinning@tool.example"
        code = re.search(r"\b(\d{6})\b", mail.get_body(("plain",)).get_content()).group(1)  # type: ignore[union-attr]
        linked = world.post_form(browser, sent, "code-verify", code=code)
        assert linked.status_code == 200, linked.text[:800]
        assert f'data-person="{carla.id}"' in linked.text
        picker = world.get(browser, "/lti/deep-link")
        assert f'data-item="twinspace:{rivers}"' in picker.text
        page = world.embed_and_launch(browser, picker, f"twinspace:{rivers}", "carla-lms")
    _assert_teacher_administrator_page(page)
    assert hub.unit_progress(carla.id, unit.id).done_activity_ids == (unit.activities[0].id,)
    assert carla.id in {e.person_id for e in hub.list_enrolments(world.resources.event_id)}
    assert hub.get_event(world.resources.event_id).enrolled == 1
    assert [t.id for t in hub.list_trainees(unit.edition_id)] == [carla.id]
    with world.container.database.engine.connect() as connection:
        stored = connection.execute(text("SELECT code_hash FROM teacher_login_codes")).scalar_one()
    assert code not in stored  # hashed at rest


def test_registration_waits_for_the_nso_then_founds_a_project(world: LinkWorld) -> None:
    world.add_teacher("dora-lms", "Dora Newcomer")
    with requests.Session() as dora:
        picker = world.open_picker(dora, "dora-lms")
        linking = world.get(dora, "/lti/link")
        assert '<option value="ES">' in linking.text  # countries from the hub's list
        linked = world.post_form(
            dora,
            linking,
            "registration",
            display_name="Dora Newcomer",
            school="IES Mar",
            country_code="ES",
        )
        assert 'data-linked="pending_validation"' in linked.text, linked.text[:800]
        dora_id = world.person_of("dora-lms")
        person = world.hub.get_person(dora_id)
        assert (person.school, person.country_code) == ("IES Mar", "ES")
        picker = world.get(dora, "/lti/deep-link")
        assert 'data-linking-pending="true"' in picker.text
        assert "Start an eTwinning project" not in picker.text  # pending: may not found
        refused = world.create_project(
            dora, picker, title="Too early", partner_founder_id=str(world.anna_id)
        )
        assert refused.status_code == 403 and 'data-error="pending_validation"' in refused.text
        # Meanwhile she works in a TwinSpace she is invited to.
        url = founder_makes_invitation(world, note="Dora")
        joined = world.post_form(dora, world.get(dora, "/lti/link"), "invitation", invitation=url)
        assert 'data-linked="pending_validation"' in joined.text, joined.text[:800]
        picker = world.get(dora, "/lti/deep-link")
        assert f'data-item="twinspace:{world.resources.twinspace_id}"' in picker.text
        world.container.teacher_linking.validate_registration(dora_id, "ES")
        picker = world.get(dora, "/lti/deep-link")
        assert "Start an eTwinning project" not in picker.text  # she is in a TwinSpace now
        created = world.create_project(
            dora, picker, title="Sea life", partner_founder_id=str(world.anna_id)
        )
        project = world.hub.list_projects(member_id=dora_id)[0]
        assert created.status_code == 200 and project.title == "Sea life"
        world.hub.validate_project("ES", project.id)
        space = world.hub.validate_project("FR", project.id).twinspace_id
        picker = world.get(dora, "/lti/deep-link")
        assert f'data-item="twinspace:{space}"' in picker.text
        page = world.embed_and_launch(dora, picker, f"twinspace:{space}", "dora-lms")
    _assert_teacher_administrator_page(page)


def test_a_resource_launch_links_teachers_not_pupils_to_their_account(world: LinkWorld) -> None:
    ts = world.resources.twinspace_id
    world.add_teacher("eve-lms", "Eve Teacher")
    with requests.Session() as eve:
        launched = launch_through(
            eve, world.peer.launch_url(user="eve-lms", etwin_resource=f"twinspace:{ts}")
        )
        page = world.get(eve, launched.headers["Content-Location"])
        assert 'data-action="connect-account"' in page.text
        linking = world.get(eve, "/lti/link")
    assert all(
        f'data-way="{way}"' in linking.text for way in ("invitation", "code", "registration")
    )
    with requests.Session() as pupil:
        launched = launch_through(
            pupil, world.peer.launch_url(user="pupil", etwin_resource=f"twinspace:{ts}")
        )
        page = world.get(pupil, launched.headers["Content-Location"])
    assert page.status_code == 200 and 'data-action="connect-account"' not in page.text
