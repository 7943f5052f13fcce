"""The hub contract: The distance training course (domain-facts.md 1.9)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from etwin_lti.domain.model import (
    AcknowledgementKind,
    PersonKind,
)
from etwin_lti.domain.ports import HubPort
from etwin_lti.errors import (
    DuplicateAcknowledgementError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
    RuleViolationError,
)
from tests.contract.hub_contract.builders import (
    LONG,
    UNKNOWN_ID,
    Refusal,
    _course_call,
    _finished_course,
    _new_edition,
    _new_unit,
    edition,
    newcomer,
    person,
    teacher,
    today,
    trainee,
)

COURSE_REFUSALS: list[Refusal] = [
    # --- distance course (domain-facts.md 1.9)
    Refusal(
        "edition run by a teacher",
        RuleViolationError,
        _new_edition(trainer_ids=lambda hub: [teacher(hub).id]),
    ),
    Refusal(
        "edition ending before it starts",
        InvalidInputError,
        _new_edition(ends_on=today() - timedelta(days=1)),
        "ends_on",
    ),
    Refusal("edition in 1999", InvalidInputError, _new_edition(year=1999), "year"),
    Refusal("edition with overlong title", InvalidInputError, _new_edition(title=LONG), "title"),
    Refusal("unit with empty title", InvalidInputError, _new_unit(title=""), "title"),
    Refusal(
        "unit document without http URL",
        InvalidInputError,
        _new_unit(documents=[("Guide", "file:///etc/passwd")]),
        "documents[0].url",
    ),
    Refusal(
        "unit activity with empty title",
        InvalidInputError,
        _new_unit(activities=[("", "Do it")]),
        "activities[0].title",
    ),
    Refusal(
        "guest as trainee",
        RuleViolationError,
        _course_call(
            lambda hub, ed, units, trainer, t: hub.enrol_trainee(
                ed.id, newcomer(hub, PersonKind.GUEST, None).id
            )
        ),
    ),
    Refusal(
        "activity done by a non-trainee",
        RuleViolationError,
        _course_call(
            lambda hub, ed, units, trainer, t: hub.mark_activity_done(
                newcomer(hub).id, units[0].activities[0].id
            )
        ),
    ),
    Refusal(
        "certificate with unfinished units",
        RuleViolationError,
        _course_call(
            lambda hub, ed, units, trainer, t: hub.complete_course(trainer.id, ed.id, t.id)
        ),
    ),
    Refusal(
        "certificate by a non-trainer",
        PermissionDeniedError,
        _course_call(
            lambda hub, ed, units, trainer, t: hub.complete_course(
                newcomer(hub, PersonKind.TRAINER, "ES").id, ed.id, t.id
            )
        ),
    ),
    Refusal(
        "duplicate course certificate",
        DuplicateAcknowledgementError,
        _course_call(
            lambda hub, ed, units, trainer, t: hub.complete_course(trainer.id, ed.id, t.id),
            before=_finished_course,
        ),
    ),
    Refusal(
        "duplicate system course certificate",
        DuplicateAcknowledgementError,
        _course_call(
            lambda hub, ed, units, trainer, t: hub.complete_course(None, ed.id, t.id),
            before=lambda hub, ed, units, trainer, t: hub.complete_course(None, ed.id, t.id),
        ),
    ),
]


class CourseContract:
    """The distance training course (domain-facts.md 1.9)

    Mixed into ``HubContract``, which provides the ``hub`` fixture.
    """

    def test_course_units_progress_and_certificate(self, hub: HubPort) -> None:
        ed, units, trainer = edition(hub, units=3)
        assert ed.trainer_ids == (trainer.id,) and ed.is_current
        assert [u.position for u in hub.list_units(edition_id=ed.id)] == [1, 2, 3]
        unit = hub.get_unit(units[0].id)
        assert unit.documents[0].url == "https://example.org/guide.pdf"
        assert [a.position for a in unit.activities] == [1, 2]
        t = trainee(hub, ed.id)
        hub.enrol_trainee(ed.id, t.id)  # idempotent
        first = hub.mark_activity_done(t.id, unit.activities[0].id)
        assert first.done_activity_ids == (unit.activities[0].id,) and first.completed_at is None
        again = hub.mark_activity_done(t.id, unit.activities[0].id)
        assert again == first
        for u in units:
            for a in u.activities:
                progress = hub.mark_activity_done(t.id, a.id)
            assert progress.completed_at is not None
        assert hub.unit_progress(t.id, units[1].id).completed_at is not None
        cert = hub.complete_course(trainer.id, ed.id, t.id)
        assert (cert.kind, cert.subject) == (
            AcknowledgementKind.COURSE_CERTIFICATE,
            f"edition:{ed.id}",
        )
        assert ed.id in [e.id for e in hub.list_editions()]
        assert hub.get_edition(ed.id) == ed

    def test_list_trainees_in_name_order(self, hub: HubPort) -> None:
        ed, _, _ = edition(hub)
        other, _, _ = edition(hub)
        zoe = hub.create_person("zoe", PersonKind.TEACHER, country_code="ES")
        adam = hub.create_person("Adam", PersonKind.TEACHER, country_code="ES")
        for t in (zoe, adam):
            hub.enrol_trainee(ed.id, t.id)
        hub.enrol_trainee(ed.id, zoe.id)  # idempotent: listed once
        assert [p.id for p in hub.list_trainees(ed.id)] == [adam.id, zoe.id]
        assert hub.list_trainees(other.id) == []
        with pytest.raises(NotFoundError):
            hub.list_trainees(UNKNOWN_ID)

    def test_system_completion_needs_no_unit_progress(self, hub: HubPort) -> None:
        ed, _, _ = edition(hub)
        t = teacher(hub)
        cert = hub.complete_course(None, ed.id, t.id)
        assert cert.person_id == t.id and cert.evidence.get("decided_by") == "system"

    def test_current_edition_is_the_newest_running_one(self, hub: HubPort) -> None:
        trainer = person(hub, PersonKind.TRAINER, "ES")
        old = hub.create_edition(
            "Old", 2006, date(2006, 1, 1), date(2006, 6, 1), trainer_ids=[trainer.id]
        )
        assert not old.is_current
        units = [hub.add_unit(old.id, "Only", "").id]
        assert [u.id for u in hub.list_units(edition_id=old.id)] == units
        assert units[0] in [u.id for u in hub.list_units()]
