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
- Its founders run it from the LMS page (issue 12 item 5): the block at the end of the module.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from etwin_lti.domain.countries import check_country
from etwin_lti.domain.languages import ISO_639_1
from etwin_lti.domain.model import (
    Country,
    EducationalLevel,
    Person,
    PersonKind,
    Project,
    ProjectScope,
    ProjectStatus,
)
from etwin_lti.domain.people import CountryRequiredError
from etwin_lti.domain.translatable import N_
from etwin_lti.domain.validation import DESCRIPTION_MAX, FieldErrors
from etwin_lti.errors import (
    InvalidInputError,
    PermissionDeniedError,
    PupilFixer,
    RuleViolationError,
)

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
        raise PermissionDeniedError(N_("Only the NSO of a founder's country validates a project."))
    if project.status is not ProjectStatus.PENDING:
        raise RuleViolationError(N_("This project is not waiting for validation."))
    if nso_country_code in project.validated_by:
        raise RuleViolationError(N_("This NSO has already validated the project."))
    return (*project.validated_by, nso_country_code)


def is_fully_validated(project: Project, validated_by: tuple[str, ...]) -> bool:
    return set(project.founder_countries) <= set(validated_by)


def project_teacher_ids(project: Project) -> tuple[int, ...]:
    """Founders then partners: the people who may post to the Diary and apply for an NQL."""
    return (*project.founder_ids, *project.partner_ids)


def check_can_add_partner(project: Project, teacher_id: int) -> None:
    if project.status is not ProjectStatus.APPROVED:
        raise RuleViolationError(N_("Partners join a project once it is approved and still open."))
    if teacher_id in project_teacher_ids(project):
        raise RuleViolationError(N_("This teacher is already a partner of the project."))


def check_can_close(project: Project, actor_id: int) -> None:
    check_project_founder(project, actor_id)
    check_project_changeable(project)
    if project.status is not ProjectStatus.APPROVED:
        raise RuleViolationError(N_("Only an approved, open project can be closed."))


def check_diary_author(project: Project, actor_id: int) -> None:
    if actor_id not in project_teacher_ids(project):
        raise PermissionDeniedError(N_("Only the project's partners post to its Project Diary."))
    check_diary_open(project)


def check_diary_open(project: Project) -> None:
    if project.status is ProjectStatus.PENDING:
        raise RuleViolationError(N_("The Project Diary exists once the project is approved."))
    if project.status is ProjectStatus.CLOSED:
        raise RuleViolationError(N_("The project is closed: its Project Diary is read-only."))


# --- the project's life, run by its founders from the LMS page (issue 12 item 5) -----------------
#
# The founder and the co-founder (``Project.founder_ids``: the teacher who registered the project
# and the partner founder) edit the project's plan (description, subjects, working languages,
# levels), extend it and close it; no other teacher administrator does, as on ESEP where the
# project's information is the founders' (domain-facts.md 1.3). A closed project changes no more.
#
# Our choices where eTwinning publishes no number, kept as named constants: at most
# ``SUBJECTS_MAX`` subjects of ``SUBJECT_NAME_MAX`` characters (ESEP's subject list is not in our
# sources, so subjects are the founders' own words); at most ``LANGUAGES_MAX`` working
# languages (the EU has 24 official languages); an end date at most ``END_YEARS_AHEAD`` years
# ahead (a project is a school-year plan, a typo like 2206 must not pass).

SUBJECTS_MAX = 10
SUBJECT_NAME_MAX = 60
LANGUAGES_MAX = 24
END_YEARS_AHEAD = 5


class NotAProjectFounderError(PermissionDeniedError):
    error = "not_a_project_founder"
    description = N_("Only the project's founder and co-founder can change or close the project.")
    who_can_fix = N_("the project's founder or co-founder")
    pupil_fixer = PupilFixer.TEACHER


class ProjectClosedError(RuleViolationError):
    error = "project_closed"
    description = N_("This project is closed: its TwinSpace is archived read-only.")
    who_can_fix = N_("nobody: a closed project stays as it was (its NSO keeps the record)")


@dataclass(frozen=True)
class ProjectProfile:
    """The part of a project its founders edit, cleaned: what the hub stores."""

    description: str
    subjects: tuple[str, ...]
    languages: tuple[str, ...]
    levels: tuple[EducationalLevel, ...]


def check_project_founder(project: Project, actor_id: int) -> None:
    """The actor is the founder or co-founder of THIS project (the hub's record, not a form)."""
    if actor_id not in project.founder_ids:
        raise NotAProjectFounderError()


def check_project_changeable(project: Project) -> None:
    if project.status is ProjectStatus.CLOSED:
        raise ProjectClosedError()


def clean_profile(description: Any, subjects: Any, languages: Any, levels: Any) -> ProjectProfile:
    """Every field checked, problems collected per field (one 422 for all of them)."""
    errors = FieldErrors()
    clean_description = errors.text(
        "description", description, max_length=DESCRIPTION_MAX, required=False
    )
    profile = ProjectProfile(
        description=clean_description,
        subjects=_clean_subjects(errors, subjects),
        languages=_clean_languages(errors, languages),
        levels=_clean_levels(errors, levels),
    )
    errors.raise_if_any()
    return profile


def _items(errors: FieldErrors, field: str, value: Any, limit: int) -> list[Any]:
    if isinstance(value, str) or not isinstance(value, (list, tuple)):
        errors.add(field, "Must be a list.")
        return []
    if len(value) > limit:
        errors.add(field, f"At most {limit} values.")
        return []
    return list(value)


def _clean_subjects(errors: FieldErrors, value: Any) -> tuple[str, ...]:
    kept: dict[str, str] = {}  # casefolded -> as written, first spelling wins
    for item in _items(errors, "subjects", value, SUBJECTS_MAX):
        if not isinstance(item, str) or not item.strip():
            errors.add("subjects", "Each subject must be some text.")
            continue
        name = " ".join(item.split())  # tabs, newlines and runs of spaces become one space
        if len(name) > SUBJECT_NAME_MAX:
            errors.add("subjects", f"Each subject must be at most {SUBJECT_NAME_MAX} characters.")
        elif any(not ch.isprintable() for ch in name):
            errors.add("subjects", "Subjects must not contain control characters.")
        else:
            kept.setdefault(name.casefold(), name)
    return tuple(kept.values())


def _clean_languages(errors: FieldErrors, value: Any) -> tuple[str, ...]:
    kept: dict[str, None] = {}
    unknown: list[str] = []
    for item in _items(errors, "languages", value, LANGUAGES_MAX):
        code = item.strip().lower() if isinstance(item, str) else None
        if code is None or code not in ISO_639_1:
            unknown.append(repr(item)[:20])
        else:
            kept.setdefault(code)
    if unknown:
        errors.add(
            "languages",
            "Unknown language codes (use ISO 639-1, e.g. 'en', 'fr', 'pl'): "
            + ", ".join(unknown)
            + ".",
        )
    return tuple(kept)


def _clean_levels(errors: FieldErrors, value: Any) -> tuple[EducationalLevel, ...]:
    known = {level.value: level for level in EducationalLevel}
    kept: dict[EducationalLevel, None] = {}
    for item in _items(errors, "levels", value, len(known)):
        level = known.get(item) if isinstance(item, str) else None
        if level is None:
            errors.add("levels", "Choose levels among: " + ", ".join(known) + ".")
            break
        kept.setdefault(level)
    # Stored in the order of the list (youngest first), whatever order they came in.
    return tuple(level for level in EducationalLevel if level in kept)


def clean_end_date(value: Any) -> date:
    """A calendar date (not a datetime), or 422 before anything is read."""
    if isinstance(value, datetime) or not isinstance(value, date):
        raise InvalidInputError(errors={"ends_on": ["Must be a date (YYYY-MM-DD)."]})
    return value


def check_extension(project: Project, ends_on: date, today: date) -> date:
    """A new planned end: a date after today and after the current end, within reach."""
    check_project_changeable(project)
    if ends_on <= today:
        raise InvalidInputError(errors={"ends_on": ["The new end date must be after today."]})
    if project.ends_on is not None and ends_on <= project.ends_on:
        raise InvalidInputError(
            errors={
                "ends_on": [f"The new end date must be after the current one ({project.ends_on})."]
            }
        )
    if ends_on > _years_later(today, END_YEARS_AHEAD):
        raise InvalidInputError(
            errors={"ends_on": [f"The end date must be within {END_YEARS_AHEAD} years."]}
        )
    return ends_on


def _years_later(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def nql_evidence(
    project: Project,
    *,
    partner_countries: Mapping[int, str | None],
    pages: int,
    public_pages: int,
    materials: int,
    diary_posts: int,
    diary_comments: int,
    pupils: int,
) -> dict[str, str]:
    """What an NQL application carries from the TwinSpace (the hub assembles it at apply time):
    counts and dates only, never a name. ``partner_countries``: every project teacher's
    country, founders included."""
    countries = sorted({c for c in partner_countries.values() if c})
    evidence = {
        "project_id": str(project.id),
        "scope": project.scope.value,
        "partners": str(len(partner_countries)),
        "countries": ",".join(countries),
        "country_count": str(len(countries)),
        "pages": str(pages),
        "public_pages": str(public_pages),
        "materials": str(materials),
        "diary_posts": str(diary_posts),
        "diary_comments": str(diary_comments),
        "pupils": str(pupils),
        "subjects": ", ".join(project.subjects),
        "languages": ",".join(project.languages),
        "levels": ",".join(level.value for level in project.levels),
        "created_on": project.created_at.date().isoformat(),
    }
    if project.approved_at is not None:
        evidence["approved_on"] = project.approved_at.date().isoformat()
    if project.ends_on is not None:
        evidence["ends_on"] = project.ends_on.isoformat()
    return evidence
