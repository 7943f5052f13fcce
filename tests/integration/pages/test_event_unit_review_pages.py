"""Learning Event, course unit, submission review and acknowledgements pages (SQLite), and the
main flows once more on PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest

from etwin_lti.lti import claims as c
from tests.integration.pages.conftest import TRAINING_COURSE, PagesWorld, hidden_fields, submit
from tests.support.lti_tokens import ROLE_INSTITUTION_ADMIN, ROLE_INSTRUCTOR, ROLE_LEARNER


def text(response: Any) -> str:
    return str(response.get_data(as_text=True))


def event_flow(world: PagesWorld) -> None:
    event_id, founder = world.demo.event_id, world.demo.people["founder_fr"]
    url, resource = f"/embed/event/{event_id}", f"event:{event_id}"
    participant = world.launched("founder-fr", [ROLE_LEARNER], resource)
    page = text(participant.get(url))
    assert 'data-etwin-role="participant"' in page and 'data-completed="false"' in page
    assert "Mark complete" not in page
    expert = world.launched("expert", [ROLE_INSTRUCTOR], resource)
    page = text(expert.get(url))
    assert 'data-etwin-role="expert"' in page and f'data-participant="{founder}"' in page
    response = submit(expert, url, f"{url}/participants/{founder}/complete")
    assert response.status_code == 303
    page = text(participant.get(url))
    assert 'data-completed="true"' in page and 'data-link="certificate"' in page
    certificate = page.split('data-link="certificate"')[0].rsplit('href="', 1)[1].split('"')[0]
    assert "?k=" in certificate
    assert participant.get(certificate.replace("http://tool.test", "")).status_code == 200


def unit_flow(world: PagesWorld) -> None:
    unit_id = world.demo.unit_ids[1]  # unit 2: nobody started it
    url, resource = f"/embed/unit/{unit_id}", f"unit:{unit_id}"
    activities = world.hub.get_unit(unit_id).activities
    trainee = world.launched("founder-fr", [ROLE_LEARNER], resource)
    page = text(trainee.get(url))
    assert 'data-etwin-role="trainee"' in page and 'data-done="0" data-total="2"' in page
    for n, activity in enumerate(activities, start=1):
        response = submit(trainee, url, f"{url}/activities/{activity.id}/done")
        assert response.status_code == 303
        page = text(trainee.get(response.headers["Location"]))
        assert f'data-done="{n}" data-total="2"' in page
    assert 'data-unit-complete="true"' in page
    trainer = world.launched("trainer", [ROLE_INSTRUCTOR], resource)
    page = text(trainer.get(url))
    assert 'data-etwin-role="trainer"' in page
    assert 'data-trainee="Camille Martin"' in page and 'data-trainee="Giulia Rossi"' in page


def test_event_participant_expert_and_certificate(world: PagesWorld) -> None:
    event_flow(world)


def test_unit_trainee_marks_done_and_trainer_sees_the_table(world: PagesWorld) -> None:
    unit_flow(world)


@pytest.mark.postgres
def test_main_flows_on_postgres(pg_world: PagesWorld) -> None:
    event_flow(pg_world)
    unit_flow(pg_world)
    founder = pg_world.as_founder()
    response = submit(founder, pg_world.ts_url, f"{pg_world.ts_url}/pages", title="PG page")
    assert response.status_code == 303
    assert "PG page" in text(founder.get(pg_world.ts_url))


def test_an_instructor_who_is_not_the_events_expert_marks_nobody(world: PagesWorld) -> None:
    event_id, founder = world.demo.event_id, world.demo.people["founder_fr"]
    url = f"/embed/event/{event_id}"
    teacher = world.launched("some-teacher", [ROLE_INSTRUCTOR], f"event:{event_id}")
    page = text(teacher.get(url))
    # Issue 9 item 5: an LMS instructor is no expert; the hub names the event's expert.
    assert 'data-etwin-role="teacher"' in page and 'data-action="enrol"' in page
    assert "data-participant=" not in page
    response = submit(teacher, url, f"{url}/participants/{founder}/complete")
    assert response.status_code == 403
    assert world.hub.list_acknowledgements(person_id=founder, subject=f"event:{event_id}") == []


def test_event_refusals(world: PagesWorld) -> None:
    event_id = world.demo.event_id
    expert = world.launched("expert", [ROLE_INSTRUCTOR], f"event:{event_id}")
    url = f"/embed/event/{event_id}"
    assert expert.get("/embed/event/999999").status_code == 404
    not_enrolled = world.demo.people["pupil_b"]
    assert submit(expert, url, f"{url}/participants/{not_enrolled}/complete").status_code == 404
    fields = hidden_fields(text(expert.get(url)))
    founder = world.demo.people["founder_fr"]
    forged = expert.post(f"{url}/participants/{founder}/complete", data={"csrf_token": "x"})
    assert forged.status_code == 403
    cookieless = world.client().post(
        f"{url}/participants/{founder}/complete", data={"csrf_token": fields["csrf_token"]}
    )
    assert cookieless.status_code == 401
    # A pupil's TwinSpace launch does not open the event page.
    assert world.as_pupil().get(url).status_code == 403
    assert world.hub.list_acknowledgements(subject=f"event:{event_id}") == []


def test_unit_refusals(world: PagesWorld) -> None:
    unit_id, other_unit = world.demo.unit_ids[0], world.demo.unit_ids[1]
    url = f"/embed/unit/{unit_id}"
    trainee = world.launched("founder-fr", [ROLE_LEARNER], f"unit:{unit_id}")
    foreign = world.hub.get_unit(other_unit).activities[0].id
    assert submit(trainee, url, f"{url}/activities/{foreign}/done").status_code == 404
    assert trainee.get("/embed/unit/999999").status_code == 404
    instructor = world.launched("some-teacher", [ROLE_INSTRUCTOR], f"unit:{unit_id}")
    page = text(instructor.get(url))
    # A teacher-training course's Instructor trains it: header and table agree (issue 9 item 5).
    assert 'data-etwin-role="trainer"' in page and "data-trainee=" in page
    assert "Mark done" not in page
    activity = world.hub.get_unit(unit_id).activities[0].id
    refused = submit(instructor, url, f"{url}/activities/{activity}/done")
    assert refused.status_code == 409 and 'data-error="not_a_trainee"' in text(refused)
    assert world.as_pupil().get(url).status_code == 403


def test_submission_review_shows_the_launchers_progress_and_says_so(world: PagesWorld) -> None:
    unit_id = world.demo.unit_id
    client = world.client()
    response = world.launcher.launch(
        client,
        sub="founder-fr",
        roles=[ROLE_LEARNER],
        resource=f"unit:{unit_id}",
        message_type=c.SUBMISSION_REVIEW_REQUEST,
        **{c.CONTEXT: TRAINING_COURSE},
    )
    assert response.status_code == 303 and response.headers["Location"].endswith("/lti/review")
    page = text(client.get("/lti/review"))
    assert 'data-etwin-role="trainee"' in page and 'data-review-subject="launcher"' in page
    assert "3 of 3" in page and "completed" in page  # the demo finished unit 1 for her


def test_learner_acknowledgements_with_badge_and_certificate_links(world: PagesWorld) -> None:
    client = world.as_founder()
    page = text(client.get("/embed/acknowledgements"))
    assert 'data-kind="etwinning_label"' in page  # granted with the project's approval
    assert "/badges/assertions/" in page and "/certificate?k=" in page
    assert "edition-dashboard" not in page


def test_trainer_dashboard_and_csv(world: PagesWorld) -> None:
    demo = world.demo
    trainer = world.launched("trainer", [ROLE_INSTRUCTOR], f"unit:{demo.unit_id}")
    page = text(trainer.get("/embed/acknowledgements"))
    assert f'data-edition="{demo.edition_id}"' in page
    assert 'data-unit-count="1"' in page  # Camille finished unit 1
    world.hub.complete_course(None, demo.edition_id, demo.people["founder_it"])
    csv = trainer.get(f"/embed/edition/{demo.edition_id}/progress.csv")
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    lines = text(csv).splitlines()
    assert lines[0].startswith("trainee,Unit 1: What is eTwinning?")
    rows = {line.split(",")[0]: line for line in lines[1:]}
    assert set(rows) == {"Camille Martin", "Giulia Rossi"}
    assert rows["Camille Martin"].endswith(",1/4,")
    assert not rows["Giulia Rossi"].endswith(",")  # her certificate date
    assert "@" not in text(csv)


@pytest.mark.parametrize(
    ("sub", "roles", "edition", "status"),
    [
        ("founder-fr", [ROLE_LEARNER], "own", 403),
        ("some-teacher", [ROLE_INSTRUCTOR], "own", 403),
        ("new-admin", [ROLE_INSTITUTION_ADMIN], "own", 403),
        ("trainer", [ROLE_INSTRUCTOR], "unknown", 404),
    ],
)
def test_csv_is_for_the_editions_trainers_only(
    world: PagesWorld, sub: str, roles: list[str], edition: str, status: int
) -> None:
    client = world.launched(sub, roles, f"unit:{world.demo.unit_id}")
    edition_id = world.demo.edition_id if edition == "own" else 999999
    response = client.get(f"/embed/edition/{edition_id}/progress.csv")
    assert response.status_code == status and "<main" in text(response)  # an error page


def test_admin_sees_no_acknowledgements_of_their_own(world: PagesWorld) -> None:
    client = world.launched("new-admin", [ROLE_INSTITUTION_ADMIN], world.ts)
    page = text(client.get("/embed/acknowledgements"))
    assert 'data-etwin-role="admin"' in page and "Tool administrators hold no" in page


ENROL_REFUSALS = [
    # who posts "enrol", to which event ("this" / "unknown"), how -> status, error
    ("expert", "this", "form", 409, "rule_violation"),  # the expert leads, takes no place
    ("participant", "this", "form", 409, "already_enrolled"),
    ("teacher", "unknown", "form", 404, None),
    ("pupil", "this", "form", 403, None),  # launched into the TwinSpace: not this event's page
    ("teacher", "this", "forged", 403, None),
    ("teacher", "this", "cookieless", 401, None),
]


@pytest.mark.parametrize(("who", "target", "how", "status", "error"), ENROL_REFUSALS)
def test_enrol_refusals(
    world: PagesWorld, who: str, target: str, how: str, status: int, error: str | None
) -> None:
    event_id = world.demo.event_id
    resource, url = f"event:{event_id}", f"/embed/event/{event_id}"
    clients = {
        "expert": lambda: world.launched("expert", [ROLE_INSTRUCTOR], resource),
        "participant": lambda: world.launched("founder-fr", [ROLE_LEARNER], resource),
        "teacher": lambda: world.launched("some-teacher", [ROLE_INSTRUCTOR], resource),
        "pupil": lambda: world.as_pupil(),
    }
    client = clients[who]()
    before = world.hub.list_enrolments(event_id)
    action = f"/embed/event/{999999 if target == 'unknown' else event_id}/enrol"
    page = client.get(url if who != "pupil" else world.ts_url)
    fields = hidden_fields(text(page))
    if how == "forged":
        fields["csrf_token"] = "x"
    poster = client
    if how == "cookieless":  # neither the cookie nor the page's launch token
        poster, fields = world.client(), {"csrf_token": fields["csrf_token"]}
    response = poster.post(action, data=fields)
    assert response.status_code == status, text(response)[:500]
    if error is not None:
        assert f'data-error="{error}"' in text(response)
    assert world.hub.list_enrolments(event_id) == before  # nothing written
