"""Projects, Learning Events, the course, labels, countries and field checks: rule tables."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from etwin_lti.domain import acknowledgements as acks
from etwin_lti.domain import course, events, projects
from etwin_lti.domain.countries import check_country, parse_country_list
from etwin_lti.domain.model import (
    AcknowledgementKind,
    Activity,
    Country,
    Edition,
    EventStatus,
    LearningEvent,
    NqlApplication,
    NqlDecision,
    Person,
    PersonKind,
    PrizeCategory,
    Project,
    ProjectScope,
    ProjectStatus,
    Unit,
)
from etwin_lti.domain.people import CountryRequiredError, check_new_person
from etwin_lti.domain.validation import FieldErrors, clean_title, clean_url
from etwin_lti.errors import (
    InvalidInputError,
    PermissionDeniedError,
    RuleViolationError,
)
from tests.unit.domain.builders import a_project

COUNTRIES = {
    "FR": Country("FR", "France", "Réseau Canopé", "erasmus_plus"),
    "IT": Country("IT", "Italy", "INDIRE", "erasmus_plus"),
    "UA": Country("UA", "Ukraine", "NSO Ukraine", "etwinning_plus"),
    "GB": Country("GB", "United Kingdom", "British Council", "erasmus_plus", eligible=False),
}
NOW = datetime(2030, 1, 1, tzinfo=UTC)


def person(pid: int, kind: PersonKind = PersonKind.TEACHER, country: str | None = "FR") -> Person:
    return Person(pid, f"P{pid}", kind, country)


def project(**changes: Any) -> Project:
    return a_project(NOW, **changes)


# --- projects ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "scope"),
    [
        (person(1, country="FR"), person(2, country="IT"), ProjectScope.EUROPEAN),
        (person(1, country="FR"), person(2, country="UA"), ProjectScope.EUROPEAN),
        (person(1, country="FR"), person(2, country="FR"), ProjectScope.NATIONAL),
    ],
)
def test_founders_decide_the_scope(a: Person, b: Person, scope: ProjectScope) -> None:
    assert projects.check_founders(COUNTRIES, a, b) is scope


@pytest.mark.parametrize(
    ("a", "b", "error"),
    [
        (person(1), person(1), InvalidInputError),
        (person(1, PersonKind.PUPIL), person(2, country="IT"), RuleViolationError),
        (person(1), person(2, PersonKind.EXPERT, "IT"), RuleViolationError),
        (person(1), person(2, country="GB"), InvalidInputError),  # left eTwinning
        (person(1), person(2, country="ZZ"), InvalidInputError),
        (person(1), person(2, country=None), CountryRequiredError),  # not set yet
        (person(1, country=None), person(2), CountryRequiredError),
    ],
)
def test_founders_refused(a: Person, b: Person, error: type[Exception]) -> None:
    with pytest.raises(error):
        projects.check_founders(COUNTRIES, a, b)


@pytest.mark.parametrize(
    ("p", "nso", "result"),
    [
        (project(status=ProjectStatus.PENDING, validated_by=()), "FR", ("FR",)),
        (project(status=ProjectStatus.PENDING, validated_by=("IT",)), "FR", ("IT", "FR")),
        (project(status=ProjectStatus.PENDING, validated_by=()), "DE", PermissionDeniedError),
        (project(status=ProjectStatus.PENDING, validated_by=("FR",)), "FR", RuleViolationError),
        (project(), "FR", RuleViolationError),
        (project(status=ProjectStatus.CLOSED), "IT", RuleViolationError),
    ],
)
def test_nso_validation(p: Project, nso: str, result: object) -> None:
    if isinstance(result, tuple):
        assert projects.check_validation(p, nso) == result
    else:
        with pytest.raises(result):  # type: ignore[call-overload]
            projects.check_validation(p, nso)


def test_approved_once_every_founders_nso_validated() -> None:
    national = project(founder_countries=("FR", "FR"), status=ProjectStatus.PENDING)
    assert projects.is_fully_validated(national, ("FR",))
    assert not projects.is_fully_validated(project(), ("FR",))
    assert projects.is_fully_validated(project(), ("IT", "FR"))


@pytest.mark.parametrize(
    ("p", "actor", "error"),
    [
        (project(), 1, None),
        (project(), 2, None),
        (project(), 3, PermissionDeniedError),  # a partner is not a founder
        (project(status=ProjectStatus.PENDING), 1, RuleViolationError),
        (project(status=ProjectStatus.CLOSED), 1, RuleViolationError),
    ],
)
def test_closing(p: Project, actor: int, error: type[Exception] | None) -> None:
    if error is None:
        projects.check_can_close(p, actor)
    else:
        with pytest.raises(error):
            projects.check_can_close(p, actor)


@pytest.mark.parametrize(
    ("p", "teacher", "error"),
    [
        (project(), 4, None),
        (project(), 3, RuleViolationError),
        (project(), 1, RuleViolationError),
        (project(status=ProjectStatus.PENDING), 4, RuleViolationError),
        (project(status=ProjectStatus.CLOSED), 4, RuleViolationError),
    ],
)
def test_adding_partners(p: Project, teacher: int, error: type[Exception] | None) -> None:
    if error is None:
        projects.check_can_add_partner(p, teacher)
    else:
        with pytest.raises(error):
            projects.check_can_add_partner(p, teacher)


# --- Learning Events ---------------------------------------------------------------------------

D = date(2030, 3, 1)


@pytest.mark.parametrize(
    ("ends", "capacity", "title", "field"),
    [
        (date(2030, 3, 7), 10, "E", None),  # 7 days, first and last included
        (date(2030, 3, 21), 1, "E", None),  # 21 days
        (date(2030, 3, 6), 10, "E", "ends_on"),  # 6 days
        (date(2030, 3, 22), 10, "E", "ends_on"),  # 22 days
        (date(2030, 2, 27), 10, "E", "ends_on"),
        (date(2030, 3, 10), 0, "E", "capacity"),
        (date(2030, 3, 10), 10_001, "E", "capacity"),
        (date(2030, 3, 10), 10, " ", "title"),
        (date(2030, 3, 10), 10, "x" * 201, "title"),
    ],
)
def test_new_event(ends: date, capacity: int, title: str, field: str | None) -> None:
    if field is None:
        assert events.check_new_event(title, "", D, ends, capacity).capacity == capacity
    else:
        with pytest.raises(InvalidInputError) as caught:
            events.check_new_event(title, "", D, ends, capacity)
        assert list(caught.value.errors) == [field]


@pytest.mark.parametrize(
    ("today", "status"),
    [
        (date(2030, 2, 28), EventStatus.OPEN),
        (D, EventStatus.RUNNING),
        (date(2030, 3, 14), EventStatus.RUNNING),
        (date(2030, 3, 15), EventStatus.FINISHED),
    ],
)
def test_event_status_from_dates(today: date, status: EventStatus) -> None:
    assert events.event_status(D, date(2030, 3, 14), today) is status


def learning_event(**changes: Any) -> LearningEvent:
    values: dict[str, Any] = {
        "id": 1,
        "title": "E",
        "description": "",
        "expert_id": 50,
        "starts_on": D,
        "ends_on": date(2030, 3, 14),
        "capacity": 2,
        "enrolled": 0,
        "status": EventStatus.OPEN,
    }
    values.update(changes)
    return LearningEvent(**values)


@pytest.mark.parametrize(
    ("event", "who", "already", "error"),
    [
        (learning_event(), person(1), False, None),
        (learning_event(status=EventStatus.RUNNING), person(1), False, None),
        (learning_event(enrolled=2), person(1), False, events.EventFullError),
        (learning_event(), person(1), True, events.AlreadyEnrolledError),
        (learning_event(status=EventStatus.FINISHED), person(1), False, RuleViolationError),
        (learning_event(), person(1, PersonKind.PUPIL), False, RuleViolationError),
        (learning_event(), person(1, PersonKind.EXPERT), False, RuleViolationError),
    ],
)
def test_enrolment(
    event: LearningEvent, who: Person, already: bool, error: type[Exception] | None
) -> None:
    if error is None:
        events.check_enrolment(event, who, already_enrolled=already)
    else:
        with pytest.raises(error):
            events.check_enrolment(event, who, already_enrolled=already)


@pytest.mark.parametrize(
    ("event", "actor", "enrolled", "error"),
    [
        (learning_event(status=EventStatus.RUNNING), 50, True, None),
        (learning_event(status=EventStatus.FINISHED), 50, True, None),
        (learning_event(status=EventStatus.RUNNING), 51, True, PermissionDeniedError),
        (learning_event(status=EventStatus.OPEN), 50, True, RuleViolationError),
        (learning_event(status=EventStatus.RUNNING), 50, False, RuleViolationError),
    ],
)
def test_completion(
    event: LearningEvent, actor: int, enrolled: bool, error: type[Exception] | None
) -> None:
    if error is None:
        events.check_completion(event, actor, enrolled=enrolled)
    else:
        with pytest.raises(error):
            events.check_completion(event, actor, enrolled=enrolled)


# --- distance course ---------------------------------------------------------------------------


def unit(activity_ids: tuple[int, ...]) -> Unit:
    return Unit(
        1, 1, "U", "", 1, activities=tuple(Activity(a, 1, f"A{a}", "", a) for a in activity_ids)
    )


def test_unit_complete_when_every_activity_is_done() -> None:
    t1, t2 = datetime(2030, 1, 1, tzinfo=UTC), datetime(2030, 1, 2, tzinfo=UTC)
    partial = course.unit_progress(unit((1, 2)), 5, {1: t1, 99: t2})
    assert partial.done_activity_ids == (1,) and partial.completed_at is None
    done = course.unit_progress(unit((1, 2)), 5, {1: t1, 2: t2})
    assert done.completed_at == t2 and course.is_unit_complete(unit((1, 2)), done)
    reading_only = course.unit_progress(unit(()), 5, {})
    assert reading_only.completed_at is None and course.is_unit_complete(unit(()), reading_only)


def edition(eid: int, starts: date, ends: date, trainers: tuple[int, ...] = (8,)) -> Edition:
    return Edition(eid, "C", starts.year, starts, ends, trainers)


def test_current_edition_is_the_newest_running() -> None:
    today = date(2030, 5, 1)
    editions = [
        edition(1, date(2030, 1, 1), date(2030, 6, 30)),
        edition(2, date(2030, 3, 1), date(2030, 9, 30)),
        edition(3, date(2030, 6, 1), date(2030, 12, 31)),  # not started
        edition(4, date(2029, 1, 1), date(2029, 6, 30)),  # over
    ]
    assert course.current_edition_id(editions, today) == 2
    assert course.current_edition_id(editions[2:], today) is None


@pytest.mark.parametrize(
    ("actor", "trainee", "unfinished", "error"),
    [
        (None, False, ["Unit 1"], None),  # the system (Moodle completion) decides
        (8, True, [], None),
        (8, True, ["Unit 2"], course.UnitsUnfinishedError),
        (8, False, [], course.NotATraineeError),
        (9, True, [], PermissionDeniedError),
    ],
)
def test_course_certificate(
    actor: int | None, trainee: bool, unfinished: list[str], error: type[Exception] | None
) -> None:
    ed = edition(1, date(2030, 1, 1), date(2030, 6, 30))
    if error is None:
        course.check_course_completion(
            ed, actor, is_trainee=trainee, unfinished_unit_titles=unfinished
        )
    else:
        with pytest.raises(error):
            course.check_course_completion(
                ed, actor, is_trainee=trainee, unfinished_unit_titles=unfinished
            )


@pytest.mark.parametrize(
    ("year", "ends", "field"),
    [
        (2030, date(2030, 2, 1), None),
        (2004, date(2030, 2, 1), "year"),
        (2030, date(2029, 12, 31), "ends_on"),
    ],
)
def test_new_edition(year: int, ends: date, field: str | None) -> None:
    if field is None:
        assert course.check_new_edition(" C ", year, date(2030, 1, 1), ends).title == "C"
    else:
        with pytest.raises(InvalidInputError) as caught:
            course.check_new_edition("C", year, date(2030, 1, 1), ends)
        assert field in caught.value.errors


@pytest.mark.parametrize(
    ("documents", "activities", "field"),
    [
        ([("Guide", "https://e.org/g.pdf")], [("Do", "it")], None),
        ([("Guide", "mailto:a@b.c")], [], "documents[0].url"),
        ([("", "https://e.org")], [], "documents[0].title"),
        ([("only one",)], [], "documents[0]"),
        ([], [("x" * 201, "")], "activities[0].title"),
    ],
)
def test_new_unit(documents: list[Any], activities: list[Any], field: str | None) -> None:
    if field is None:
        assert course.check_new_unit("U", "", documents, activities).documents == tuple(documents)
    else:
        with pytest.raises(InvalidInputError) as caught:
            course.check_new_unit("U", "", documents, activities)
        assert field in caught.value.errors


# --- Quality Labels and prizes -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "year"),
    [
        (date(2026, 9, 1), "2026-2027"),  # the first day of a school year
        (date(2026, 12, 31), "2026-2027"),
        (date(2027, 1, 1), "2026-2027"),
        (date(2027, 8, 31), "2026-2027"),  # its last day
        (date(2027, 9, 1), "2027-2028"),
        (date(2000, 2, 29), "1999-2000"),
    ],
)
def test_school_year_of_a_date(day: date, year: str) -> None:
    """September to August: the caller never names it, the application's date does."""
    assert acks.school_year_of(day) == year


@pytest.mark.parametrize(
    ("kind", "subject", "error"),
    [
        (AcknowledgementKind.NATIONAL_QUALITY_LABEL, "project:1", RuleViolationError),
        (AcknowledgementKind.EUROPEAN_QUALITY_LABEL, "project:1", RuleViolationError),
        (AcknowledgementKind.ETWINNING_LABEL, "project:1", RuleViolationError),
        (AcknowledgementKind.EVENT_CERTIFICATE, "edition:1", InvalidInputError),
        (AcknowledgementKind.COURSE_CERTIFICATE, "event:1", InvalidInputError),
        (AcknowledgementKind.COURSE_CERTIFICATE, "project:1", InvalidInputError),
        (AcknowledgementKind.EVENT_CERTIFICATE, "event:1", None),
        (AcknowledgementKind.COURSE_CERTIFICATE, "edition:1", None),
    ],
)
def test_generic_issue_records_certificates_only(
    kind: AcknowledgementKind, subject: str, error: type[Exception] | None
) -> None:
    def issue() -> None:
        acks.check_certificate_subject(kind, subject)
        acks.check_issue(kind)

    if error is None:
        issue()
    else:
        with pytest.raises(error):
            issue()


def application(
    pid: int, project_id: int, decision: NqlDecision = NqlDecision.PENDING
) -> NqlApplication:
    return NqlApplication(pid, project_id, 1, "2030-2031", decision)


@pytest.mark.parametrize(
    ("p", "teacher", "this_year", "holds", "error"),
    [
        (project(), 1, [], False, None),
        (project(), 3, [application(i, 100 + i) for i in range(3)], False, None),  # 4th: fine
        (
            project(),
            1,
            [application(i, 100 + i) for i in range(4)],
            False,
            acks.NqlApplicationLimitError,
        ),
        (project(scope=ProjectScope.NATIONAL), 1, [], False, acks.NationalProjectError),
        (project(), 4, [], False, PermissionDeniedError),
        (project(status=ProjectStatus.PENDING), 1, [], False, RuleViolationError),
        (project(), 1, [application(1, 7)], False, RuleViolationError),
        (project(), 1, [], True, RuleViolationError),
        (project(status=ProjectStatus.CLOSED), 1, [], False, None),  # finished projects apply
    ],
)
def test_nql_application(
    p: Project,
    teacher: int,
    this_year: list[NqlApplication],
    holds: bool,
    error: type[Exception] | None,
) -> None:
    def check() -> None:
        acks.check_nql_application(
            p,
            teacher,
            teacher_ids=projects.project_teacher_ids(p),
            applications_this_year=this_year,
            holds_nql=holds,
            teacher_country="FR",
        )

    if error is None:
        check()
    else:
        with pytest.raises(error):
            check()


FIVE = {
    c: 3
    for c in (
        "collaboration",
        "use_of_technology",
        "pedagogical_approaches",
        "curricular_integration",
        "results_and_documentation",
    )
}


@pytest.mark.parametrize(
    ("sub", "decision"),
    [
        (
            {"pupil_collaboration": 3, "use_of_ict": 3, "gdpr_copyright_esafety": 3},
            NqlDecision.GRANTED,
        ),
        (
            {"pupil_collaboration": 5, "use_of_ict": 5, "gdpr_copyright_esafety": 5},
            NqlDecision.GRANTED,
        ),
        (
            {"pupil_collaboration": 2, "use_of_ict": 5, "gdpr_copyright_esafety": 5},
            NqlDecision.REFUSED,
        ),
        (
            {"pupil_collaboration": 5, "use_of_ict": 2, "gdpr_copyright_esafety": 5},
            NqlDecision.REFUSED,
        ),
        (
            {"pupil_collaboration": 5, "use_of_ict": 5, "gdpr_copyright_esafety": 0},
            NqlDecision.REFUSED,
        ),
    ],
)
def test_nql_minimums(sub: dict[str, int], decision: NqlDecision) -> None:
    scores, clean_sub = acks.check_scores(FIVE, sub)
    assert scores == FIVE and acks.nql_decision(scores, clean_sub) is decision


MET = {"pupil_collaboration": 5, "use_of_ict": 5, "gdpr_copyright_esafety": 5}


@pytest.mark.parametrize(
    ("scores", "decision"),
    [
        ({c: 0 for c in FIVE}, NqlDecision.REFUSED),  # 0/25: never a label
        ({**{c: 2 for c in FIVE}, "collaboration": 4}, NqlDecision.REFUSED),  # 12/25
        ({**{c: 2 for c in FIVE}, "collaboration": 5}, NqlDecision.GRANTED),  # 13/25
        ({c: 5 for c in FIVE}, NqlDecision.GRANTED),
    ],
)
def test_nql_criteria_total(scores: dict[str, int], decision: NqlDecision) -> None:
    assert acks.NQL_MIN_TOTAL_SCORE == 13
    assert acks.nql_decision(scores, MET) is decision


@pytest.mark.parametrize(
    ("scores", "sub", "field"),
    [
        ({**FIVE, "collaboration": -1}, None, "scores.collaboration"),
        ({**FIVE, "collaboration": 6}, None, "scores.collaboration"),
        ({**FIVE, "collaboration": True}, None, "scores.collaboration"),
        ({**FIVE, "creativity": 3}, None, "scores"),
        ({k: v for k, v in FIVE.items() if k != "use_of_technology"}, None, "scores"),
        (FIVE, {"pupil_collaboration": 3, "use_of_ict": 3}, "sub_scores"),
        (
            FIVE,
            {"pupil_collaboration": 3, "use_of_ict": 3, "gdpr_copyright_esafety": 9},
            "sub_scores.gdpr_copyright_esafety",
        ),
    ],
)
def test_nql_scores_refused(scores: dict[str, Any], sub: dict[str, Any] | None, field: str) -> None:
    sub = sub or {"pupil_collaboration": 3, "use_of_ict": 3, "gdpr_copyright_esafety": 3}
    with pytest.raises(InvalidInputError) as caught:
        acks.check_scores(scores, sub)
    assert field in caught.value.errors


@pytest.mark.parametrize(
    ("nso", "decision", "error"),
    [
        ("FR", NqlDecision.PENDING, None),
        ("IT", NqlDecision.PENDING, PermissionDeniedError),
        ("FR", NqlDecision.GRANTED, RuleViolationError),
    ],
)
def test_nql_decider(nso: str, decision: NqlDecision, error: type[Exception] | None) -> None:
    if error is None:
        acks.check_nql_decider(application(1, 7, decision), nso, "FR")
    else:
        with pytest.raises(error):
            acks.check_nql_decider(application(1, 7, decision), nso, "FR")


# The EQL's rule: tests/unit/domain/test_eql_rule.py


@pytest.mark.parametrize(
    ("p", "category", "has_eql", "eligible"),
    [
        (project(age_band=PrizeCategory.AGE_7_11), PrizeCategory.AGE_7_11, True, True),
        (project(), PrizeCategory.INITIAL_VET, True, True),  # no band registered yet
        (project(age_band=PrizeCategory.AGE_7_11), PrizeCategory.AGE_12_15, True, False),
        (project(age_band=PrizeCategory.AGE_7_11), PrizeCategory.AGE_7_11, False, False),
        (project(scope=ProjectScope.NATIONAL), PrizeCategory.AGE_7_11, False, False),
    ],
)
def test_prize_eligibility(
    p: Project, category: PrizeCategory, has_eql: bool, eligible: bool
) -> None:
    result = acks.prize_eligibility(p, category, has_eql=has_eql, nql_holder_ids=[2, 1, 2])
    assert result.eligible is eligible and bool(result.reasons) is not eligible
    assert result.eligible_teacher_ids == (1, 2)


# --- countries, people and fields --------------------------------------------------------------


def test_shipped_country_list() -> None:
    path = Path(__file__).parents[3] / "etwin_lti" / "data" / "countries.json"
    parsed = parse_country_list(json.loads(path.read_text("utf-8")))
    by_code = parsed.by_code()
    # Course unit 1 prints 31 names and says 33: Romania and Turkey (named in the same unit).
    seed = (
        "AT BE BG CY CZ DE DK EE ES FI FR GB GR HR HU IE IS IT LT LU LV MK MT NL NO PL PT RO "
        "SE SI SK CH TR"
    )
    assert len(seed.split()) == 33 and set(seed.split()) <= set(by_code)
    plus = {c.code for c in parsed.countries if c.programme == "etwinning_plus"}
    assert plus == {"AM", "AZ", "GE", "JO", "LB", "MD", "TN", "UA"}
    assert {c.code for c in parsed.countries if not c.eligible} == {"GB", "CH"}


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"version": "1", "countries": []}, "countries"),
        (
            {
                "version": "",
                "countries": [{"code": "FR", "name": "F", "nso": "N", "programme": "erasmus_plus"}],
            },
            "version",
        ),
        (
            {
                "version": "1",
                "countries": [{"code": "fr", "name": "F", "nso": "N", "programme": "erasmus_plus"}],
            },
            "countries[0]",
        ),
        (
            {
                "version": "1",
                "countries": [{"code": "FR", "name": "F", "nso": "N", "programme": "mars"}],
            },
            "countries[0]",
        ),
        (
            {
                "version": "1",
                "countries": [
                    {"code": "FR", "name": "F", "nso": "N", "programme": "erasmus_plus", "x": 1}
                ],
            },
            "countries[0]",
        ),
        (
            {
                "version": "1",
                "countries": [{"code": "FR", "name": "F", "nso": "N", "programme": "erasmus_plus"}]
                * 2,
            },
            "countries[1]",
        ),
    ],
)
def test_country_list_refused(data: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        parse_country_list(data)
    assert field in caught.value.errors


def test_country_codes_are_case_insensitive_and_eligibility_optional() -> None:
    assert check_country(COUNTRIES, " fr ").code == "FR"
    assert check_country(COUNTRIES, "GB", require_eligible=False).code == "GB"


@pytest.mark.parametrize(
    ("kind", "country", "email", "field"),
    [
        (PersonKind.TEACHER, "FR", "t@school.fr", None),
        (PersonKind.PUPIL, "FR", None, None),
        (PersonKind.GUEST, None, None, None),
        (PersonKind.EXPERT, "GB", None, None),  # only teachers and NSO officers need eligibility
        (PersonKind.TEACHER, None, None, None),  # from an LMS: the country comes later
        (PersonKind.TRAINER, None, None, None),
        (PersonKind.NSO_OFFICER, None, None, "country_code"),
        (PersonKind.TEACHER, "GB", None, "country_code"),
        (PersonKind.GUEST, "ZZ", None, "country_code"),
        (PersonKind.PUPIL, "FR", "kid@school.fr", "email"),
        (PersonKind.TEACHER, "FR", "not an address", "email"),
        ("headmaster", "FR", None, "kind"),
    ],
)
def test_new_person(kind: Any, country: str | None, email: str | None, field: str | None) -> None:
    def check() -> object:
        return check_new_person(
            COUNTRIES, "Name", kind, country_code=country, school=None, email=email
        )

    if field is None:
        check()
    else:
        with pytest.raises(InvalidInputError) as caught:
            check()
        assert field in caught.value.errors


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("T", True),
        ("  T  ", True),
        ("x" * 200, True),
        ("", False),
        ("   ", False),
        ("x" * 201, False),
        (None, False),
        (3, False),
    ],
)
def test_titles(value: Any, ok: bool) -> None:
    if ok:
        assert clean_title(value) == value.strip()
    else:
        with pytest.raises(InvalidInputError) as caught:
            clean_title(value)
        assert caught.value.errors["title"]


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("https://example.org/a?b=c", True),
        ("http://example.org", True),
        ("ftp://example.org", False),
        ("javascript:alert(1)", False),
        ("https://", False),
        ("example.org", False),
        ("https://exa mple.org", False),
    ],
)
def test_urls(value: str, ok: bool) -> None:
    if ok:
        assert clean_url(value) == value
    else:
        with pytest.raises(InvalidInputError):
            clean_url(value)


def test_field_errors_are_collected_together() -> None:
    errors = FieldErrors()
    errors.title("title", "")
    errors.url("url", "nope")
    errors.evidence("evidence", {"": "x", "k": "v" * 3000})
    with pytest.raises(InvalidInputError) as caught:
        errors.raise_if_any()
    assert set(caught.value.errors) == {"title", "url", "evidence"}
    assert len(caught.value.errors["evidence"]) == 2
