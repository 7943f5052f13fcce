"""Learning Events: creation, enrolment under capacity, completion and certificate."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from connectors import hub_records as rec
from connectors.local_hub.base import LocalHubBase
from etwin_lti.domain import events, paging
from etwin_lti.domain.model import (
    Acknowledgement,
    AcknowledgementKind,
    Enrolment,
    LearningEvent,
)
from etwin_lti.domain.paging import Participant, ParticipantPage
from etwin_lti.errors import NotFoundError
from etwin_lti.persistence.models.hub import (
    EnrolmentRow,
    LearningEventRow,
    PersonRow,
)


class EventsArea(LocalHubBase):
    def create_event(
        self,
        title: str,
        description: str,
        expert_id: int,
        starts_on: date,
        ends_on: date,
        capacity: int,
    ) -> LearningEvent:
        new = events.check_new_event(title, description, starts_on, ends_on, capacity)
        with self._db.session() as s:
            events.check_expert(rec.load_person(s, expert_id))
            row = LearningEventRow(
                title=new.title,
                description=new.description,
                expert_id=expert_id,
                starts_on=new.starts_on,
                ends_on=new.ends_on,
                capacity=new.capacity,
                enrolled=0,
                created_at=self._now(),
            )
            s.add(row)
            s.flush()
            return rec.learning_event(row, self._today())

    def get_event(self, event_id: int) -> LearningEvent:
        with self._db.session() as s:
            row = rec.load(s, LearningEventRow, event_id, "Learning Event")
            return rec.learning_event(row, self._today())

    def list_events(self, *, open_only: bool = False) -> list[LearningEvent]:
        today = self._today()
        with self._db.session() as s:
            query = select(LearningEventRow).order_by(
                LearningEventRow.starts_on, LearningEventRow.id
            )
            if open_only:
                query = query.where(LearningEventRow.ends_on >= today)
            return [rec.learning_event(row, today) for row in s.scalars(query)]

    def enrol(self, event_id: int, person_id: int) -> Enrolment:
        with self._db.session() as s:
            row = rec.load(s, LearningEventRow, event_id, "Learning Event")
            person = rec.load_person(s, person_id)
            already = s.get(EnrolmentRow, (event_id, person_id)) is not None
            events.check_enrolment(
                rec.learning_event(row, self._today()), person, already_enrolled=already
            )
            taken = s.execute(
                update(LearningEventRow)
                .where(
                    LearningEventRow.id == event_id,
                    LearningEventRow.enrolled < LearningEventRow.capacity,
                )
                .values(enrolled=LearningEventRow.enrolled + 1)
                .execution_options(synchronize_session=False)
            )
            if taken.rowcount != 1:  # type: ignore[attr-defined]
                raise events.EventFullError()
            enrolment = EnrolmentRow(
                event_id=event_id, person_id=person_id, enrolled_at=self._now()
            )
            s.add(enrolment)
            try:
                s.flush()
            except IntegrityError as error:  # the same person enrolling twice at once
                raise events.AlreadyEnrolledError() from error
            return Enrolment(event_id=event_id, person_id=person_id)

    def list_enrolments(self, event_id: int) -> list[Enrolment]:
        with self._db.session() as s:
            rec.load(s, LearningEventRow, event_id, "Learning Event")
            rows = s.scalars(
                select(EnrolmentRow)
                .where(EnrolmentRow.event_id == event_id)
                .order_by(EnrolmentRow.enrolled_at, EnrolmentRow.person_id)
            )
            return [Enrolment(r.event_id, r.person_id, completed_at=r.completed_at) for r in rows]

    def get_enrolment(self, event_id: int, person_id: int) -> Enrolment:
        with self._db.session() as s:
            rec.load(s, LearningEventRow, event_id, "Learning Event")
            row = s.get(EnrolmentRow, (event_id, person_id))
            if row is None:
                raise NotFoundError(
                    f"Person {person_id} is not a participant of Learning Event {event_id}."
                )
            return Enrolment(row.event_id, row.person_id, completed_at=row.completed_at)

    def participant_page(self, event_id: int, *, offset: int, limit: int) -> ParticipantPage:
        paging.check_window(offset, limit)
        with self._db.session() as s:
            rec.load(s, LearningEventRow, event_id, "Learning Event")
            total, completed = s.execute(
                select(func.count(), func.count(EnrolmentRow.completed_at)).where(
                    EnrolmentRow.event_id == event_id
                )
            ).one()
            rows = s.execute(
                select(EnrolmentRow, PersonRow.display_name)
                .join(PersonRow, PersonRow.id == EnrolmentRow.person_id)
                .where(EnrolmentRow.event_id == event_id)
                .order_by(func.lower(PersonRow.display_name), EnrolmentRow.person_id)
                .offset(offset)
                .limit(limit)
            ).all()
            return ParticipantPage(
                participants=tuple(
                    Participant(row.person_id, name, row.completed_at) for row, name in rows
                ),
                total=int(total or 0),
                completed=int(completed or 0),
                offset=offset,
                limit=limit,
            )

    def complete_event(self, actor_id: int, event_id: int, person_id: int) -> Acknowledgement:
        with self._db.session() as s:
            return self.complete_event_in(s, actor_id, event_id, person_id)

    def complete_event_in(
        self, s: Session, actor_id: int, event_id: int, person_id: int
    ) -> Acknowledgement:
        """``complete_event`` inside the caller's transaction (the progress unit of work)."""
        row = rec.load(s, LearningEventRow, event_id, "Learning Event")
        rec.load_person(s, actor_id)
        rec.load_person(s, person_id)
        event = rec.learning_event(row, self._today())
        enrolment = s.get(EnrolmentRow, (event_id, person_id))
        events.check_completion(event, actor_id, enrolled=enrolment is not None)
        assert enrolment is not None
        if enrolment.completed_at is None:
            enrolment.completed_at = self._now()
        return self._issue(
            s,
            AcknowledgementKind.EVENT_CERTIFICATE,
            person_id,
            events.certificate_subject(event_id),
            events.certificate_title(event),
            {"event_id": str(event_id), "expert_id": str(actor_id)},
        )

    def event_completed_at_in(self, s: Session, event_id: int, person_id: int) -> datetime | None:
        enrolment = s.get(EnrolmentRow, (event_id, person_id))
        return enrolment.completed_at if enrolment is not None else None
