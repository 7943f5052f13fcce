"""Learning Events (domain-facts.md 1.8): short, intensive online events led by an expert.

- "short (between one and three weeks)": here 7 to 21 calendar days, first and last day
  included (the 2015 example, 30 Nov-11 Dec, is 12 days).
- Capacity per event is not published anywhere, so it is per-event data (at least one seat).
- Teachers enrol; the event's expert marks participants complete, which issues the certificate
  of participation once.
- Status comes from the dates: open before the start, running until the last day, then
  finished. Enrolment stays possible until the last day (asynchronous activities let late
  participants catch up); a finished event takes no one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from etwin_lti.domain.model import EventStatus, LearningEvent, Person, PersonKind
from etwin_lti.domain.translatable import N_
from etwin_lti.domain.validation import DESCRIPTION_MAX, FieldErrors
from etwin_lti.errors import PermissionDeniedError, RuleViolationError

MIN_DAYS = 7
MAX_DAYS = 21
MAX_CAPACITY = 10_000
ENROLLING_KINDS = frozenset({PersonKind.TEACHER})


class EventFullError(RuleViolationError):
    error = "event_full"
    description = N_("This Learning Event is full.")


class AlreadyEnrolledError(RuleViolationError):
    error = "already_enrolled"
    description = N_("This teacher is already enrolled in the Learning Event.")


@dataclass(frozen=True)
class NewEvent:
    title: str
    description: str
    starts_on: date
    ends_on: date
    capacity: int


def check_new_event(
    title: str,
    description: str,
    starts_on: date,
    ends_on: date,
    capacity: int,
) -> NewEvent:
    errors = FieldErrors()
    clean_title = errors.title("title", title)
    clean_description = errors.text(
        "description", description, max_length=DESCRIPTION_MAX, required=False
    )
    if not isinstance(starts_on, date) or not isinstance(ends_on, date):
        errors.add("ends_on", "Both dates are required.")
    elif ends_on < starts_on:
        errors.add("ends_on", "Must not be before the start date.")
    else:
        days = duration_days(starts_on, ends_on)
        if not MIN_DAYS <= days <= MAX_DAYS:
            errors.add(
                "ends_on",
                f"A Learning Event lasts {MIN_DAYS} to {MAX_DAYS} days (this one: {days}).",
            )
    if isinstance(capacity, bool) or not isinstance(capacity, int):
        errors.add("capacity", "Must be a whole number.")
    elif not 1 <= capacity <= MAX_CAPACITY:
        errors.add("capacity", f"Must be between 1 and {MAX_CAPACITY}.")
    errors.raise_if_any()
    return NewEvent(clean_title, clean_description, starts_on, ends_on, capacity)


def duration_days(starts_on: date, ends_on: date) -> int:
    """Calendar days, first and last included."""
    return (ends_on - starts_on).days + 1


def check_expert(person: Person) -> None:
    if person.kind is not PersonKind.EXPERT:
        raise RuleViolationError(N_("A Learning Event is led by an expert."))


def event_status(starts_on: date, ends_on: date, today: date) -> EventStatus:
    if today < starts_on:
        return EventStatus.OPEN
    if today <= ends_on:
        return EventStatus.RUNNING
    return EventStatus.FINISHED


def accepts_enrolments(event: LearningEvent) -> bool:
    return event.status is not EventStatus.FINISHED


def check_enrolment(event: LearningEvent, person: Person, *, already_enrolled: bool) -> None:
    """Checks that do not depend on the seat count (that one is atomic in the store)."""
    if person.kind not in ENROLLING_KINDS:
        raise RuleViolationError(N_("Learning Events are for teachers."))
    if not accepts_enrolments(event):
        raise RuleViolationError(N_("This Learning Event has finished."))
    if already_enrolled:
        raise AlreadyEnrolledError()
    if event.enrolled >= event.capacity:
        raise EventFullError()


def check_completion(event: LearningEvent, actor_id: int, *, enrolled: bool) -> None:
    if actor_id != event.expert_id:
        raise PermissionDeniedError(N_("Only the event's expert marks participants complete."))
    if event.status is EventStatus.OPEN:
        raise RuleViolationError(N_("The Learning Event has not started yet."))
    if not enrolled:
        raise RuleViolationError(N_("This person is not enrolled in the Learning Event."))


def certificate_subject(event_id: int) -> str:
    return f"event:{event_id}"


def certificate_title(event: LearningEvent) -> str:
    return f"Certificate of participation: {event.title}"[:200]
