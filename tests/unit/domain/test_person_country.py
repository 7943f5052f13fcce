"""A teacher's country: optional until eTwinning needs it (docs/decisions/0006)."""

from __future__ import annotations

import pytest

from etwin_lti.domain import acknowledgements as acks
from etwin_lti.domain import projects
from etwin_lti.domain.model import Person, PersonKind
from etwin_lti.domain.people import (
    CountryLockedError,
    CountryRequiredError,
    check_can_set_country,
    check_country_change,
    check_person_country,
)
from etwin_lti.errors import InvalidInputError, PermissionDeniedError
from tests.unit.domain.test_hub_rules import COUNTRIES, project


def person(pid: int, kind: PersonKind = PersonKind.TEACHER, country: str | None = None) -> Person:
    return Person(pid, f"P{pid}", kind, country)


# --- where a missing country is refused, and what the teacher is told --------------------------


@pytest.mark.parametrize(
    ("founder", "partner", "field"),
    [
        (person(1), person(2, country="IT"), "founder_id"),
        (person(1, country="FR"), person(2), "partner_founder_id"),
    ],
    ids=["founder", "partner founder"],
)
def test_founding_needs_both_countries(founder: Person, partner: Person, field: str) -> None:
    with pytest.raises(CountryRequiredError) as caught:
        projects.check_founders(COUNTRIES, founder, partner)
    assert caught.value.status_code == 422
    assert caught.value.errors == {field: [projects.SET_COUNTRY_FIRST[field]]}
    assert "before founding a project" in caught.value.errors[field][0]


def test_founder_is_told_to_set_their_country() -> None:
    with pytest.raises(CountryRequiredError) as caught:
        projects.check_founders(COUNTRIES, person(1), person(2, country="IT"))
    assert caught.value.errors == {
        "founder_id": ["Set your country in your eTwinning profile before founding a project."]
    }


def test_joining_as_partner_needs_a_country() -> None:
    with pytest.raises(CountryRequiredError) as caught:
        projects.check_project_teacher(COUNTRIES, person(3), field="teacher_id")
    assert "before joining a project" in caught.value.errors["teacher_id"][0]


def test_applying_for_an_nql_needs_a_country() -> None:
    with pytest.raises(CountryRequiredError) as caught:
        acks.check_nql_application(
            project(),
            1,
            teacher_ids=(1, 2),
            applications_this_year=[],
            holds_nql=False,
            teacher_country=None,
        )
    assert "before applying for a National Quality Label" in caught.value.errors["actor_id"][0]


# --- setting a country -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "code", "result"),
    [
        (PersonKind.TEACHER, "fr", "FR"),
        (PersonKind.TEACHER, " UA ", "UA"),
        (PersonKind.NSO_OFFICER, "IT", "IT"),
        (PersonKind.PUPIL, "GB", "GB"),  # known is enough for people who found nothing
        (PersonKind.TEACHER, "GB", "left eTwinning"),
        (PersonKind.NSO_OFFICER, "GB", "left eTwinning"),
        (PersonKind.TEACHER, "ZZ", "unknown"),
        (PersonKind.TEACHER, "", "empty"),
        (PersonKind.TEACHER, "$Person.address.country", "unsubstituted"),
    ],
)
def test_country_values(kind: PersonKind, code: str, result: str) -> None:
    if len(result) == 2:
        assert check_person_country(COUNTRIES, kind, code) == result
    else:
        with pytest.raises(InvalidInputError) as caught:
            check_person_country(COUNTRIES, kind, code)
        assert caught.value.errors["country_code"]


@pytest.mark.parametrize(
    ("actor", "target", "allowed"),
    [
        (person(1), person(1), True),  # themself (also what a launch does)
        (person(9, PersonKind.ADMIN), person(1), True),
        (person(2), person(1), False),
        (person(3, PersonKind.NSO_OFFICER, "FR"), person(1), False),
        (person(4, PersonKind.CSS_OFFICER), person(1), False),
    ],
    ids=["self", "tool admin", "another teacher", "NSO officer", "CSS officer"],
)
def test_who_sets_a_country(actor: Person, target: Person, allowed: bool) -> None:
    if allowed:
        check_can_set_country(actor, target)
    else:
        with pytest.raises(PermissionDeniedError):
            check_can_set_country(actor, target)


@pytest.mark.parametrize(
    ("current", "new", "has_founded", "result"),
    [
        (None, "FR", False, True),
        ("FR", "IT", False, True),  # not founded yet: free to correct
        ("FR", "FR", False, False),
        ("FR", "FR", True, False),  # the same again after founding: a no-op, not a conflict
        ("FR", "IT", True, CountryLockedError),
    ],
)
def test_country_changes(
    current: str | None, new: str, has_founded: bool, result: bool | type[Exception]
) -> None:
    target = person(1, country=current)
    if isinstance(result, bool):
        assert check_country_change(target, new, has_founded=has_founded) is result
    else:
        with pytest.raises(result) as caught:
            check_country_change(target, new, has_founded=has_founded)
        assert caught.value.status_code == 409
