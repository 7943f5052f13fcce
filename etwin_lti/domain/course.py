"""The eTwinning distance training course (domain-facts.md 1.9; course unit 1).

- One or two editions a year, each with trainers and trainees, units in order, each unit with
  documents to read and activities to do.
- A unit is complete for a trainee when every one of its activities is done; a unit without
  activities is reading only and never blocks the course.
- The certificate is issued once per trainee and edition: by a trainer of the edition once every
  unit is complete, or by the system (Moodle course completion is then the authority).
- ``is_current``: the newest edition (latest start, then highest id) running today.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from etwin_lti.domain.model import Edition, Person, PersonKind, Unit, UnitProgress
from etwin_lti.domain.translatable import N_
from etwin_lti.domain.validation import DESCRIPTION_MAX, FieldErrors
from etwin_lti.errors import PermissionDeniedError, RuleViolationError

MIN_YEAR = 2005  # eTwinning started in January 2005
MAX_YEAR = 2100
MAX_DOCUMENTS = 50
MAX_ACTIVITIES = 50
INSTRUCTIONS_MAX = DESCRIPTION_MAX
TRAINER_KINDS = frozenset({PersonKind.TRAINER})
# The course trains teachers; an LMS learner provisioned as a pupil (the tool cannot tell a
# Moodle learner who is a teacher in training apart) may follow it too.
TRAINEE_KINDS = frozenset({PersonKind.TEACHER, PersonKind.PUPIL})


class UnitsUnfinishedError(RuleViolationError):
    error = "units_unfinished"
    description = N_("The trainee has not finished every unit of the course.")


class NotATraineeError(RuleViolationError):
    error = "not_a_trainee"
    description = N_("This person is not a trainee of the course edition.")


@dataclass(frozen=True)
class NewEdition:
    title: str
    year: int
    starts_on: date
    ends_on: date


@dataclass(frozen=True)
class NewUnit:
    title: str
    summary: str
    documents: tuple[tuple[str, str], ...]
    activities: tuple[tuple[str, str], ...]


def check_new_edition(title: str, year: int, starts_on: date, ends_on: date) -> NewEdition:
    errors = FieldErrors()
    clean_title = errors.title("title", title)
    if isinstance(year, bool) or not isinstance(year, int) or not MIN_YEAR <= year <= MAX_YEAR:
        errors.add("year", f"Must be a year between {MIN_YEAR} and {MAX_YEAR}.")
    if not isinstance(starts_on, date) or not isinstance(ends_on, date):
        errors.add("ends_on", "Both dates are required.")
    elif ends_on < starts_on:
        errors.add("ends_on", "Must not be before the start date.")
    errors.raise_if_any()
    return NewEdition(clean_title, year, starts_on, ends_on)


def check_new_unit(
    title: str,
    summary: str,
    documents: Sequence[tuple[str, str]],
    activities: Sequence[tuple[str, str]],
) -> NewUnit:
    errors = FieldErrors()
    clean_title = errors.title("title", title)
    clean_summary = errors.text("summary", summary, max_length=DESCRIPTION_MAX, required=False)
    docs: list[tuple[str, str]] = []
    if len(documents) > MAX_DOCUMENTS:
        errors.add("documents", f"At most {MAX_DOCUMENTS} documents per unit.")
    for index, pair in enumerate(documents[:MAX_DOCUMENTS]):
        doc_title, url = _pair(errors, f"documents[{index}]", pair)
        docs.append(
            (
                errors.title(f"documents[{index}].title", doc_title),
                errors.url(f"documents[{index}].url", url),
            )
        )
    acts: list[tuple[str, str]] = []
    if len(activities) > MAX_ACTIVITIES:
        errors.add("activities", f"At most {MAX_ACTIVITIES} activities per unit.")
    for index, pair in enumerate(activities[:MAX_ACTIVITIES]):
        act_title, instructions = _pair(errors, f"activities[{index}]", pair)
        acts.append(
            (
                errors.title(f"activities[{index}].title", act_title),
                errors.text(
                    f"activities[{index}].instructions",
                    instructions,
                    max_length=INSTRUCTIONS_MAX,
                    required=False,
                ),
            )
        )
    errors.raise_if_any()
    return NewUnit(clean_title, clean_summary, tuple(docs), tuple(acts))


def _pair(errors: FieldErrors, field: str, value: object) -> tuple[object, object]:
    if isinstance(value, list | tuple) and len(value) == 2:
        return value[0], value[1]
    errors.add(field, "Must be a pair (title, text).")
    return "", ""


def check_trainers(trainers: Iterable[Person]) -> None:
    for person in trainers:
        if person.kind not in TRAINER_KINDS:
            raise RuleViolationError(
                N_("%(name)s is not a trainer."),
                errors={"trainer_ids": [f"Person {person.id} is not a trainer."]},
                params={"name": person.display_name},
            )


def check_trainee(person: Person) -> None:
    if person.kind not in TRAINEE_KINDS:
        raise RuleViolationError(N_("The distance course is for teachers."))


def current_edition_id(editions: Iterable[Edition], today: date) -> int | None:
    running = [e for e in editions if e.starts_on <= today <= e.ends_on]
    if not running:
        return None
    return max(running, key=lambda e: (e.starts_on, e.id)).id


def unit_progress(unit: Unit, person_id: int, done_at: dict[int, datetime]) -> UnitProgress:
    """``done_at``: activity id -> when this person did it (any activities, filtered here)."""
    activity_ids = [a.id for a in unit.activities]
    done = tuple(sorted(a for a in activity_ids if a in done_at))
    completed_at = None
    if activity_ids and len(done) == len(activity_ids):
        completed_at = max(done_at[a] for a in activity_ids)
    return UnitProgress(
        unit_id=unit.id, person_id=person_id, done_activity_ids=done, completed_at=completed_at
    )


def is_unit_complete(unit: Unit, progress: UnitProgress) -> bool:
    return not unit.activities or progress.completed_at is not None


def check_course_completion(
    edition: Edition,
    actor_id: int | None,
    *,
    is_trainee: bool,
    unfinished_unit_titles: Sequence[str],
) -> None:
    """System decisions (``actor_id`` None) pass; a trainer needs every unit complete."""
    if actor_id is None:
        return
    if actor_id not in edition.trainer_ids:
        raise PermissionDeniedError(N_("Only a trainer of this edition issues its certificate."))
    if not is_trainee:
        raise NotATraineeError()
    if unfinished_unit_titles:
        raise UnitsUnfinishedError(
            "Not finished yet: " + ", ".join(unfinished_unit_titles[:5]) + "."
        )


def certificate_subject(edition_id: int) -> str:
    return f"edition:{edition_id}"


def certificate_title(edition: Edition) -> str:
    return f"Course certificate: {edition.title}"[:200]
