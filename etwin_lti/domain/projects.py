"""Project registration, NSO validation, partners and closing (domain-facts.md 1.3).

- Two founders, both teachers (eTwinners) of eligible countries: a teacher who has not set a
  country yet (one who arrived from an LMS) is told to set it first. Founders from two different
  countries make a **European** project; from the same country a **national** one (no NQL,
  never an EQL, even if foreign partners join later).
- The project is pending until the NSO of each founder's country has validated it; then it is
  approved: its TwinSpace and Project Diary exist, the founders are its teacher administrators and
  each holds the eTwinning label (course unit 1, "Acknowledgement and visibility").
- Partners join an approved project in any number and of any nationality.
- Closing a project archives its TwinSpace read-only (ESEP lifecycle).
"""

from __future__ import annotations

from collections.abc import Mapping

from etwin_lti.domain.countries import check_country
from etwin_lti.domain.model import (
    Country,
    Person,
    PersonKind,
    Project,
    ProjectScope,
    ProjectStatus,
)
from etwin_lti.domain.people import CountryRequiredError
from etwin_lti.errors import InvalidInputError, PermissionDeniedError, RuleViolationError

# Kinds that count as eTwinners able to found or join a project.
PROJECT_TEACHER_KINDS = frozenset({PersonKind.TEACHER})
# What a teacher without a country is told, by the field that names them.
SET_COUNTRY_FIRST = {
    "founder_id": "Set your country in your eTwinning profile before founding a project.",
    "partner_founder_id": (
        "This teacher has not set their country in their eTwinning profile yet; they must "
        "before founding a project."
    ),
    "teacher_id": (
        "This teacher has not set their country in their eTwinning profile yet; they must "
        "before joining a project."
    ),
}


def project_scope(country_a: str, country_b: str) -> ProjectScope:
    return ProjectScope.EUROPEAN if country_a != country_b else ProjectScope.NATIONAL


def check_project_teacher(
    countries: Mapping[str, Country], person: Person, *, field: str
) -> Country:
    """A founder or partner: a teacher whose country is set and still takes part in eTwinning."""
    if person.kind not in PROJECT_TEACHER_KINDS:
        raise RuleViolationError(
            f"Only teachers registered in eTwinning can found or join a project ({field}).",
            errors={field: ["Must be a teacher."]},
        )
    if person.country_code is None:
        raise CountryRequiredError(errors={field: [SET_COUNTRY_FIRST[field]]})
    return check_country(countries, person.country_code, field=field)


def check_founders(
    countries: Mapping[str, Country], founder: Person, partner_founder: Person
) -> ProjectScope:
    if founder.id == partner_founder.id:
        raise InvalidInputError(
            errors={"partner_founder_id": ["The two founders must be different teachers."]}
        )
    first = check_project_teacher(countries, founder, field="founder_id")
    second = check_project_teacher(countries, partner_founder, field="partner_founder_id")
    return project_scope(first.code, second.code)


def check_validation(project: Project, nso_country_code: str) -> tuple[str, ...]:
    """The NSOs that have validated once this one does; refuses other NSOs and repeats."""
    if nso_country_code not in project.founder_countries:
        raise PermissionDeniedError("Only the NSO of a founder's country validates a project.")
    if project.status is not ProjectStatus.PENDING:
        raise RuleViolationError("This project is not waiting for validation.")
    if nso_country_code in project.validated_by:
        raise RuleViolationError("This NSO has already validated the project.")
    return (*project.validated_by, nso_country_code)


def is_fully_validated(project: Project, validated_by: tuple[str, ...]) -> bool:
    return set(project.founder_countries) <= set(validated_by)


def project_teacher_ids(project: Project) -> tuple[int, ...]:
    """Founders then partners: the people who may post to the Diary and apply for an NQL."""
    return (*project.founder_ids, *project.partner_ids)


def check_can_add_partner(project: Project, teacher_id: int) -> None:
    if project.status is not ProjectStatus.APPROVED:
        raise RuleViolationError("Partners join a project once it is approved and still open.")
    if teacher_id in project_teacher_ids(project):
        raise RuleViolationError("This teacher is already a partner of the project.")


def check_can_close(project: Project, actor_id: int) -> None:
    if actor_id not in project.founder_ids:
        raise PermissionDeniedError("Only a founder can close the project.")
    if project.status is not ProjectStatus.APPROVED:
        raise RuleViolationError("Only an approved, open project can be closed.")


def check_diary_author(project: Project, actor_id: int) -> None:
    if actor_id not in project_teacher_ids(project):
        raise PermissionDeniedError("Only the project's partners post to its Project Diary.")
    check_diary_open(project)


def check_diary_open(project: Project) -> None:
    if project.status is ProjectStatus.PENDING:
        raise RuleViolationError("The Project Diary exists once the project is approved.")
    if project.status is ProjectStatus.CLOSED:
        raise RuleViolationError("The project is closed: its Project Diary is read-only.")
