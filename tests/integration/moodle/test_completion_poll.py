"""Moodle completion → acknowledgements, against the fake Moodle over HTTP, on both databases."""

from __future__ import annotations

import threading

import pytest

from etwin_lti.domain.identities import LtiIdentity
from etwin_lti.domain.model import AcknowledgementKind, PersonKind
from etwin_lti.domain.moodle import MarkState
from moodle_bridge.completion_poll import FAILED_MAPPING, SKIPPED_MAPPING
from tests.support.moodle_world import COURSE_ID, EVENT_COURSE_ID, MoodleWorld, identities


def states(report, user_id: int) -> list[str]:  # type: ignore[no-untyped-def]
    return [o.state for o in report.outcomes if o.moodle_user_id == user_id]


def test_completed_learner_gets_the_course_certificate_once(world: MoodleWorld) -> None:
    mapping = world.map()
    ana = world.learner(21)
    world.learner(22)
    world.moodle.complete(COURSE_ID, 21)

    first = world.poll()
    assert states(first, 21) == ["issued"] and states(first, 22) == ["incomplete"]
    [ack] = world.acknowledgements(subject=f"edition:{world.edition_id}")
    assert (ack.kind, ack.person_id) == (AcknowledgementKind.COURSE_CERTIFICATE, ana)
    assert first.issued[0].acknowledgement_id == ack.id

    second = world.poll()
    assert states(second, 21) == []  # issued: Moodle is not asked again
    assert states(second, 22) == ["incomplete"]
    asked = [
        c["userid"] for c in world.moodle.calls("core_completion_get_course_completion_status")
    ]
    assert asked == ["21", "22", "22"]
    assert len(world.acknowledgements()) == 1
    marks = world.bridge.store.marks(mapping.id)
    assert marks[21].state is MarkState.ISSUED and marks[21].acknowledgement_id == ack.id
    assert world.bridge.store.get_mapping(mapping.id).last_polled_at is not None


def test_event_mapping_issues_the_event_certificate(world: MoodleWorld) -> None:
    world.moodle.enrol(EVENT_COURSE_ID, 31)
    world.learner(31)
    world.map(EVENT_COURSE_ID, event=True)
    world.moodle.complete(EVENT_COURSE_ID, 31)
    report = world.poll()
    assert report.count("issued") == 1
    [ack] = world.acknowledgements(subject=f"event:{world.event_id}")
    assert ack.kind is AcknowledgementKind.EVENT_CERTIFICATE
    assert ack.title == "Certificate of participation: Media literacy"
    assert ack.evidence["moodle_user_id"] == "31" and "email" not in ack.evidence


def test_activity_mapping_uses_the_activity_state(world: MoodleWorld) -> None:
    world.map(cmid=43)
    for user_id, state in [(41, 0), (42, 1), (43, 2), (44, 3), (45, 4)]:
        world.learner(user_id)
        world.moodle.set_activity(COURSE_ID, user_id, 43, state)
    report = world.poll()
    issued = sorted(o.moodle_user_id for o in report.issued)
    assert issued == [42, 43]  # complete and complete-pass; fails are not achievements
    assert report.count("incomplete") == 3


def test_unmatched_user_is_reported_then_issued_after_first_launch(world: MoodleWorld) -> None:
    world.map()
    world.learner(51, link=False)
    world.moodle.complete(COURSE_ID, 51)
    report = world.poll()
    assert states(report, 51) == ["unmatched"]
    assert "never launched" in report.outcomes[0].detail
    assert world.acknowledgements() == []
    # The learner launches the tool once: the identity link appears, the next poll issues.
    person = world.container.hub.create_person("Late", PersonKind.TEACHER, country_code="FR")
    identities(world.container).link(
        LtiIdentity(world.site.issuer, "51"), person.id, deployment_id="1", kind=person.kind
    )
    assert states(world.poll(), 51) == ["issued"]


def test_teacher_is_not_tracked_and_deleted_user_is_skipped(world: MoodleWorld) -> None:
    mapping = world.map()
    world.moodle.enrol(COURSE_ID, 4, "Tina Trainer", role="editingteacher")
    world.learner(61)
    world.learner(62)
    assert states(world.poll(), 4) == ["not_tracked"]
    # 61 deleted in Moodle since the last poll (gone from the roster); 62 deleted between
    # the roster read and the completion call (userdeleted error body).
    world.moodle.delete_user(61)
    world.moodle.delete_user(62, keep_enrolments=True)
    world.moodle.complete(COURSE_ID, 62)
    report = world.poll()
    assert states(report, 61) == ["gone"] and states(report, 62) == ["gone"]
    assert world.acknowledgements() == []
    assert world.bridge.store.marks(mapping.id)[61].state is MarkState.GONE


def test_course_without_criteria_skips_the_mapping(world: MoodleWorld) -> None:
    world.moodle.add_course(8, has_criteria=False)
    world.moodle.enrol(8, 71)
    world.learner(71)
    world.moodle.complete(COURSE_ID, 71)
    bad = world.map(8)
    good = world.map()
    report = world.poll()
    [skipped] = [o for o in report.outcomes if o.state == SKIPPED_MAPPING]
    assert skipped.mapping_id == bad.id and "no completion criteria" in skipped.detail
    assert [o.mapping_id for o in report.issued] == [good.id]  # other mappings go on
    assert "no completion criteria" in (world.bridge.store.get_mapping(bad.id).last_error or "")


def test_missing_activity_skips_the_mapping(world: MoodleWorld) -> None:
    world.map(cmid=999)
    world.learner(72)
    report = world.poll()
    assert [o.state for o in report.outcomes] == [SKIPPED_MAPPING]
    assert "999" in report.outcomes[0].detail


@pytest.mark.parametrize(
    ("failure", "error_code"),
    [
        ("invalidtoken", "moodle_invalid_token"),
        ("accessexception", "moodle_access_denied"),
        ("invalidparameter", "moodle_invalid_parameter"),
        ("login_page", "moodle_protocol_error"),
        ("invalid_json", "moodle_protocol_error"),
    ],
)
def test_moodle_failure_mid_poll_is_resumable(
    world: MoodleWorld, failure: str, error_code: str
) -> None:
    """Learner 81's completion is read and issued; then Moodle fails on learner 82. Nothing is
    issued wrongly, the failure is reported, and the next poll resumes without issuing twice."""
    mapping = world.map()
    for user_id in (81, 82, 83):
        world.learner(user_id)
        world.moodle.complete(COURSE_ID, user_id)
    # The completion of 81 is read; the second completion call (82) fails.
    world.moodle.fail_call("core_completion_get_course_completion_status", 2, failure)
    report = world.poll()
    [failed] = [o for o in report.outcomes if o.state == FAILED_MAPPING]
    assert failed.detail.startswith(error_code)
    assert world.bridge.store.get_mapping(mapping.id).last_error.startswith(error_code)
    issued_first = {o.moodle_user_id for o in report.issued}
    assert issued_first <= {81, 82}
    resumed = world.poll()
    assert {o.moodle_user_id for o in resumed.issued} == {81, 82, 83} - issued_first
    assert world.bridge.store.get_mapping(mapping.id).last_error is None
    assert len(world.acknowledgements()) == 3


def test_timeout_fails_the_mapping_and_issues_nothing(world: MoodleWorld) -> None:
    world.map()
    world.learner(91)
    world.moodle.complete(COURSE_ID, 91)
    world.bridge._client_options["timeout"] = 0.2
    world.moodle.state.slow_seconds = 1.0
    report = world.poll()
    assert [o.state for o in report.outcomes] == [FAILED_MAPPING]
    assert report.outcomes[0].detail.startswith("remote_timeout")
    world.moodle.state.slow_seconds = 0.0
    world.bridge._client_options["timeout"] = 5.0
    assert world.acknowledgements() == []
    assert world.poll().count("issued") == 1


def test_acknowledgement_issued_elsewhere_counts_as_already_issued(world: MoodleWorld) -> None:
    world.map()
    person = world.learner(95)
    world.moodle.complete(COURSE_ID, 95)
    trainer_decision = world.container.hub.complete_course(None, world.edition_id, person)
    report = world.poll()
    assert states(report, 95) == ["already_issued"]
    assert report.outcomes[0].acknowledgement_id == trainer_decision.id
    assert len(world.acknowledgements()) == 1


def test_two_pollers_at_once_issue_one_acknowledgement(world: MoodleWorld) -> None:
    world.map()
    for user_id in range(100, 106):
        world.learner(user_id)
        world.moodle.complete(COURSE_ID, user_id)
    barrier = threading.Barrier(2)
    reports = []

    def poller() -> None:
        barrier.wait()
        reports.append(world.poll())

    threads = [threading.Thread(target=poller) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(reports) == 2
    acknowledgements = world.acknowledgements()
    assert sorted(a.person_id for a in acknowledgements) == sorted(world.people.values())
    issued = sum(r.count("issued") for r in reports)
    already = sum(r.count("already_issued") for r in reports)
    assert issued == 6 and issued + already <= 12


def test_poll_one_site_only(world: MoodleWorld) -> None:
    world.map()
    world.learner(110)
    world.moodle.complete(COURSE_ID, 110)
    assert world.poll(site_id=world.site.id).count("issued") == 1
