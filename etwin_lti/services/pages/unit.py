"""The course unit page (domain-facts.md 1.9): summary, documents, activities with "mark done",
the trainee's progress, and for the edition's trainers a table of trainees x activities done.

The table is for the unit's trainers: the edition's trainers in the hub and, in a
teacher-training LMS, the course's Instructors (DESIGN.md's table). Who is one is decided by
``domain.audiences.unit_role``, at the launch and here alike, so the header's role and the page
agree: a school LMS's teacher who trains nobody is shown as a teacher. The table shows the
number of trainees and 50 of them a page (``?page=N``), their progress read in one query, so
the page costs the same for 20 trainees or 2,000 (issue 11 item 2, ADR 0016).

The edition's last unit tells its trainee what comes next (issue 13 item 3): the course
certificate, how and when it is issued, and its link once it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from etwin_lti.domain import course, paging
from etwin_lti.domain.audiences import unit_role
from etwin_lti.domain.launches import LaunchSession
from etwin_lti.domain.model import Edition, Person, Unit
from etwin_lti.domain.ports import CourseHub, RecognitionHub
from etwin_lti.domain.translatable import N_
from etwin_lti.errors import NotFoundError
from etwin_lti.services.pages.acknowledgements import AcknowledgementLine, AcknowledgementLinks
from etwin_lti.services.pages.common import NotYourResourceError, launched_for, require_person
from etwin_lti.services.progress import ProgressService

MESSAGES = {"done": N_("Well done: the activity is marked as done.")}


@dataclass(frozen=True)
class ActivityLine:
    id: int
    title: str
    instructions: str
    done: bool


@dataclass(frozen=True)
class TraineeActivities:
    name: str
    done: tuple[bool, ...]  # one per activity, in order
    complete: bool


@dataclass(frozen=True)
class UnitView:
    unit: Unit
    edition: Edition
    role: str  # data-etwin-role
    is_trainee: bool
    activities: tuple[ActivityLine, ...]
    done_count: int
    completed_at: datetime | None
    is_edition_trainer: bool
    trainees: tuple[TraineeActivities, ...]  # one page, for the edition's trainers only
    trainee_total: int
    page: int
    last_page: int
    is_last_unit: bool = False
    certificates: tuple[AcknowledgementLine, ...] = ()  # the trainee's, on the last unit only

    @property
    def complete(self) -> bool:
        return self.is_trainee and (not self.activities or self.completed_at is not None)


class UnitPageHub(CourseHub, RecognitionHub, Protocol):
    """The unit, its edition, and the trainee's course certificate."""


class UnitPages:
    def __init__(
        self, hub: UnitPageHub, links: AcknowledgementLinks, progress: ProgressService
    ) -> None:
        self.hub = hub
        self.links = links
        self.progress = progress

    def _access(self, session: LaunchSession, unit_id: int) -> tuple[Unit, Edition, bool]:
        unit = self.hub.get_unit(unit_id)  # unknown: 404 first
        edition = self.hub.get_edition(unit.edition_id)
        me = session.person_id
        is_trainee = me is not None and self.hub.is_trainee(edition.id, me)
        related = me is not None and (is_trainee or me in edition.trainer_ids)
        if not (launched_for(session, "unit", unit_id) or related):
            raise NotYourResourceError()
        return unit, edition, is_trainee

    def view(self, session: LaunchSession, unit_id: int, raw_page: str | None = None) -> UnitView:
        unit, edition, is_trainee = self._access(session, unit_id)
        number = paging.page_number(raw_page)
        me = session.person_id
        granted = session.role if launched_for(session, "unit", unit_id) else "teacher"
        role = unit_role(
            granted,
            is_edition_trainer=me is not None and me in edition.trainer_ids,
            is_trainee=is_trainee,
        )
        is_trainer = role == "trainer"
        progress = self.hub.unit_progress(me, unit_id) if is_trainee and me else None
        done = set(progress.done_activity_ids) if progress else set()
        trainees: tuple[TraineeActivities, ...] = ()
        total = 0
        if is_trainer:
            found = self.hub.trainee_page(
                edition.id, offset=paging.offset_of(number), limit=paging.PAGE_SIZE
            )
            paging.check_page_exists(number, found.total)
            total = found.total
            trainees = self._trainees(unit, found.trainees)
        elif number != 1:
            raise NotFoundError(N_("Only the edition's trainers see pages of its trainees."))
        positions = [u.position for u in self.hub.list_units(edition_id=edition.id)]
        is_last = unit.position >= max(positions, default=unit.position)
        certificates: tuple[AcknowledgementLine, ...] = ()
        if is_last and is_trainee and me is not None:
            held = self.hub.list_acknowledgements(
                person_id=me, subject=course.certificate_subject(edition.id)
            )
            certificates = self.links.lines(held)
        return UnitView(
            unit=unit,
            edition=edition,
            role=role,
            is_trainee=is_trainee,
            activities=tuple(
                ActivityLine(a.id, a.title, a.instructions, a.id in done) for a in unit.activities
            ),
            done_count=len(done),
            completed_at=progress.completed_at if progress else None,
            is_edition_trainer=is_trainer,
            trainees=trainees,
            trainee_total=total,
            page=number,
            last_page=paging.last_page(total),
            is_last_unit=is_last,
            certificates=certificates,
        )

    def _trainees(self, unit: Unit, people: tuple[Person, ...]) -> tuple[TraineeActivities, ...]:
        """One page of the table: the page's progress in one hub read."""
        if not people:
            return ()
        progress = self.hub.unit_progress_of(unit.id, [p.id for p in people])
        lines = []
        for person, theirs in zip(people, progress, strict=True):
            done = set(theirs.done_activity_ids)
            lines.append(
                TraineeActivities(
                    name=person.display_name,
                    done=tuple(a.id in done for a in unit.activities),
                    complete=course.is_unit_complete(unit, theirs),
                )
            )
        return tuple(lines)

    def mark_done(self, session: LaunchSession, unit_id: int, activity_id: int) -> str:
        unit, _edition, _is_trainee = self._access(session, unit_id)
        person = require_person(session)
        if activity_id not in {a.id for a in unit.activities}:
            raise NotFoundError(N_("There is no such activity in this unit."))
        self.progress.mark_activity_done(person, activity_id)  # and the scores it owes
        return "done"
