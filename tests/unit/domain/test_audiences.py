"""DESIGN.md's role table as ``admit`` decides it: one row per rule (audience × granted role ×
resource × a known kind), and every refusal with its error type and status."""

from __future__ import annotations

import pytest

from etwin_lti.domain.audiences import (
    Audience,
    PersonKindFixedError,
    TeachersOnlyError,
    VisitorsOnlyInTwinSpacesError,
    admit,
    event_role,
    parse_audience,
    unit_role,
)
from etwin_lti.domain.identities import LtiIdentity
from etwin_lti.domain.launches import ResourceKind
from etwin_lti.domain.model import PersonKind, TwinSpaceRole
from etwin_lti.errors import InvalidInputError

S, T = Audience.SCHOOL, Audience.TRAINING
TS, EV, UN = ResourceKind.TWINSPACE, ResourceKind.EVENT, ResourceKind.UNIT
R = TwinSpaceRole
K = PersonKind

ADMITTED = [
    # audience, granted, resource, known kind -> kind, TwinSpace role, shown, needs permit
    (S, R.TEACHER, TS, None, K.TEACHER, R.TEACHER, "teacher", False),
    (S, R.TEACHER, EV, None, K.TEACHER, R.TEACHER, "teacher", False),  # may enrol
    (S, R.TEACHER, UN, None, K.TEACHER, R.TEACHER, "teacher", False),  # trains nobody
    (S, R.OBSERVER, TS, None, K.TEACHER, R.OBSERVER, "observer", False),
    (S, R.PUPIL, TS, None, K.PUPIL, R.PUPIL, "pupil", False),
    (S, R.PUPIL, None, None, K.PUPIL, R.PUPIL, "pupil", False),
    (S, R.GUEST, TS, None, K.GUEST, R.GUEST, "guest", True),
    (T, R.TEACHER, UN, None, K.TEACHER, R.TEACHER, "trainer", False),
    (T, R.TEACHER, EV, None, K.TEACHER, R.TEACHER, "teacher", False),  # expert: the hub's
    (T, R.PUPIL, UN, None, K.TEACHER, R.TEACHER, "trainee", False),
    (T, R.PUPIL, EV, None, K.TEACHER, R.TEACHER, "participant", False),
    (T, R.PUPIL, TS, None, K.TEACHER, R.TEACHER, "teacher", False),
    (T, R.GUEST, TS, None, K.GUEST, R.GUEST, "guest", True),
    (S, None, TS, None, None, None, "admin", False),
    (T, None, UN, K.TEACHER, None, None, "admin", False),
    # a known person keeps their kind; a teacher may visit with a visitor's role
    (S, R.PUPIL, TS, K.PUPIL, K.PUPIL, R.PUPIL, "pupil", False),
    (S, R.GUEST, TS, K.TEACHER, K.TEACHER, R.GUEST, "guest", True),
    (S, R.TEACHER, TS, K.EXPERT, K.EXPERT, R.TEACHER, "teacher", False),
]


@pytest.mark.parametrize(
    ("audience", "granted", "resource", "known", "kind", "role", "shown", "permit"), ADMITTED
)
def test_admitted(
    audience: Audience,
    granted: TwinSpaceRole | None,
    resource: ResourceKind | None,
    known: PersonKind | None,
    kind: PersonKind | None,
    role: TwinSpaceRole | None,
    shown: str,
    permit: bool,
) -> None:
    admission = admit(audience, granted, resource, known_kind=known)
    assert (admission.person_kind, admission.twinspace_role) == (kind, role)
    assert (admission.shown_role, admission.needs_permit) == (shown, permit)


REFUSED = [
    (S, R.PUPIL, EV, None, TeachersOnlyError),
    (S, R.PUPIL, UN, None, TeachersOnlyError),
    (S, R.PUPIL, UN, K.TEACHER, TeachersOnlyError),  # the rule, before the kind
    (S, R.GUEST, EV, None, VisitorsOnlyInTwinSpacesError),
    (T, R.GUEST, UN, None, VisitorsOnlyInTwinSpacesError),
    (S, R.PUPIL, TS, K.TEACHER, PersonKindFixedError),  # never flips teacher → pupil
    (S, R.TEACHER, TS, K.PUPIL, PersonKindFixedError),  # nor pupil → teacher
    (T, R.PUPIL, UN, K.PUPIL, PersonKindFixedError),
    (S, R.TEACHER, TS, K.GUEST, PersonKindFixedError),  # a visitor does not become a teacher
    (S, R.GUEST, TS, K.PUPIL, PersonKindFixedError),
]


@pytest.mark.parametrize(("audience", "granted", "resource", "known", "error"), REFUSED)
def test_refused(
    audience: Audience,
    granted: TwinSpaceRole,
    resource: ResourceKind,
    known: PersonKind | None,
    error: type[Exception],
) -> None:
    with pytest.raises(error) as raised:
        admit(audience, granted, resource, known_kind=known)
    assert raised.value.status_code == 403  # type: ignore[attr-defined]
    assert raised.value.who_can_fix  # type: ignore[attr-defined]


def test_a_pupil_is_told_in_a_childs_words() -> None:
    assert TeachersOnlyError.who_can_fix == "your teacher"
    assert "only for teachers" in TeachersOnlyError.description


@pytest.mark.parametrize(
    ("value", "expected"),
    [("school", S), ("training", T), (" Training ", T)],
)
def test_parse_audience(value: str, expected: Audience) -> None:
    assert parse_audience(value) is expected


@pytest.mark.parametrize("value", ["", "university", "schools"])
def test_parse_audience_refuses(value: str) -> None:
    with pytest.raises(InvalidInputError) as raised:
        parse_audience(value)
    assert raised.value.status_code == 422 and "audience" in raised.value.errors


def test_a_pseudonym_belongs_to_the_issuer_and_subject_only() -> None:
    one = LtiIdentity("https://moodle.example", "42")
    assert one.pseudonym("Pupil") == LtiIdentity("https://moodle.example", "42").pseudonym("Pupil")
    assert one.pseudonym("Pupil") != LtiIdentity("https://other.example", "42").pseudonym("Pupil")
    assert one.pseudonym("Pupil").startswith("Pupil ") and "42" not in one.pseudonym("Pupil")


EVENT_ROLES = [
    # granted, is the hub's expert, enrolled -> shown
    ("teacher", True, False, "expert"),
    ("participant", True, False, "expert"),  # an LMS learner who is the event's expert leads it
    ("teacher", False, False, "teacher"),  # may enrol
    ("participant", False, False, "teacher"),  # a full event: not enrolled, may not enrol
    ("teacher", False, True, "participant"),
    ("participant", False, True, "participant"),
    ("guest", False, False, "guest"),
    ("expert", False, False, "teacher"),  # a stale "expert" grants nothing
]


@pytest.mark.parametrize(("granted", "is_expert", "enrolled", "shown"), EVENT_ROLES)
def test_the_role_shown_at_an_event_is_settled_by_the_hub(
    granted: str, is_expert: bool, enrolled: bool, shown: str
) -> None:
    assert event_role(granted, is_expert=is_expert, enrolled=enrolled) == shown


UNIT_ROLES = [
    # granted, the hub's trainer of the edition, trainee -> shown
    ("teacher", True, False, "trainer"),  # a school's teacher who trains this edition
    ("trainer", False, False, "trainer"),  # a teacher-training LMS's Instructor
    ("teacher", False, False, "teacher"),  # a school's teacher: reads the unit
    ("trainee", False, True, "trainee"),
    ("teacher", False, True, "trainee"),
    ("trainer", False, True, "trainer"),
    ("guest", False, False, "guest"),
]


@pytest.mark.parametrize(("granted", "trainer", "trainee", "shown"), UNIT_ROLES)
def test_the_role_shown_at_a_unit_is_settled_by_the_hub_and_the_audience(
    granted: str, trainer: bool, trainee: bool, shown: str
) -> None:
    assert unit_role(granted, is_edition_trainer=trainer, is_trainee=trainee) == shown
