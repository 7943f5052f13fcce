"""The Learning Event page (domain-facts.md 1.8): what it is, who leads it, the seats, and the
certificate of participation.

Participants see their enrolment and, once the expert marked them complete, their certificate.
Only the event's own expert in the hub sees the participant list and the "mark complete"
buttons: the counts and one page of 50 participants (``?page=N``), so that the page costs the
same for 20 participants or 2,000 (issue 11 item 2, ADR 0016); the hub checks again on the
write. Any other teacher sees an "Enrol" button while places remain. The role shown comes
from ``domain.audiences.event_role``, as at the launch.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from etwin_lti.domain import paging
from etwin_lti.domain.audiences import event_role
from etwin_lti.domain.events import accepts_enrolments, certificate_subject
from etwin_lti.domain.launches import LaunchSession
from etwin_lti.domain.model import Enrolment, EventStatus, LearningEvent
from etwin_lti.domain.ports import EventsHub, PeopleHub, RecognitionHub
from etwin_lti.domain.translatable import N_
from etwin_lti.errors import NotFoundError, RuleViolationError
from etwin_lti.services.pages.acknowledgements import AcknowledgementLine, AcknowledgementLinks
from etwin_lti.services.pages.common import NotYourResourceError, launched_for, require_person
from etwin_lti.services.progress import ProgressService

MESSAGES = {
    "completed": N_("The participant is complete: their certificate was issued."),
    "enrolled": N_("You are enrolled: welcome to the Learning Event."),
}


@dataclass(frozen=True)
class ParticipantLine:
    person_id: int
    name: str
    completed_at: datetime | None


@dataclass(frozen=True)
class EventView:
    event: LearningEvent
    role: str  # data-etwin-role
    expert_name: str
    is_expert: bool  # the event's own expert: sees participants, marks them complete
    enrolled: bool
    completed_at: datetime | None
    certificates: tuple[AcknowledgementLine, ...]
    participants: tuple[ParticipantLine, ...]  # one page, for the expert only
    participant_total: int
    completed_total: int
    page: int
    last_page: int
    can_complete: bool  # the event has started (the hub refuses before)
    may_enrol: bool  # a teacher neither expert nor enrolled, while places remain
    is_full: bool
    accepts_enrolments: bool  # not finished


class EventPageHub(EventsHub, PeopleHub, RecognitionHub, Protocol):
    """The event, its expert's name and the certificates."""


class EventPages:
    def __init__(
        self, hub: EventPageHub, links: AcknowledgementLinks, progress: ProgressService
    ) -> None:
        self.hub = hub
        self.links = links
        self.progress = progress

    def _access(
        self, session: LaunchSession, event_id: int
    ) -> tuple[LearningEvent, Enrolment | None]:
        """The event and the viewer's own enrolment (one read each, whatever the class)."""
        event = self.hub.get_event(event_id)  # unknown: 404 first
        me = session.person_id
        mine = self._enrolment(event_id, me) if me is not None and me != event.expert_id else None
        related = me is not None and (me == event.expert_id or mine is not None)
        if not (launched_for(session, "event", event_id) or related):
            raise NotYourResourceError()
        return event, mine

    def _enrolment(self, event_id: int, person_id: int) -> Enrolment | None:
        try:
            return self.hub.get_enrolment(event_id, person_id)
        except NotFoundError:
            return None

    def view(self, session: LaunchSession, event_id: int, raw_page: str | None = None) -> EventView:
        event, mine = self._access(session, event_id)
        number = paging.page_number(raw_page)
        me = session.person_id
        is_expert = me is not None and me == event.expert_id
        granted = session.role if launched_for(session, "event", event_id) else "teacher"
        role = event_role(granted, is_expert=is_expert, enrolled=mine is not None)
        is_full = event.enrolled >= event.capacity
        open_ = accepts_enrolments(event)
        certificates: tuple[AcknowledgementLine, ...] = ()
        if me is not None and mine is not None:
            held = self.hub.list_acknowledgements(
                person_id=me, subject=certificate_subject(event_id)
            )
            certificates = self.links.lines(held)
        participants: tuple[ParticipantLine, ...] = ()
        total = completed = 0
        if is_expert:
            found = self.hub.participant_page(
                event_id, offset=paging.offset_of(number), limit=paging.PAGE_SIZE
            )
            paging.check_page_exists(number, found.total)
            total, completed = found.total, found.completed
            participants = tuple(
                ParticipantLine(p.person_id, p.display_name, p.completed_at)
                for p in found.participants
            )
        elif number != 1:
            raise NotFoundError(N_("Only the event's expert sees pages of its participants."))
        return EventView(
            event=event,
            role=role,
            expert_name=self.hub.get_person(event.expert_id).display_name,
            is_expert=is_expert,
            enrolled=mine is not None,
            completed_at=mine.completed_at if mine else None,
            certificates=certificates,
            participants=participants,
            participant_total=total,
            completed_total=completed,
            page=number,
            last_page=paging.last_page(total),
            can_complete=event.status is not EventStatus.OPEN,
            may_enrol=role == "teacher" and me is not None and open_ and not is_full,
            is_full=is_full,
            accepts_enrolments=open_,
        )

    def enrol(self, session: LaunchSession, event_id: int) -> str:
        """A teacher enrols themself; the hub refuses when full or over (409, its reason)."""
        event, _mine = self._access(session, event_id)
        actor = require_person(session)
        if actor == event.expert_id:
            raise RuleViolationError(N_("The event's expert leads it and does not enrol in it."))
        self.hub.enrol(event_id, actor)
        return "enrolled"

    def complete(self, session: LaunchSession, event_id: int, person_id: int) -> str:
        """The expert marks a participant complete; the hub issues the certificate once."""
        _event, _mine = self._access(session, event_id)
        actor = require_person(session)
        if self._enrolment(event_id, person_id) is None:
            raise NotFoundError(N_("This person is not a participant of the Learning Event."))
        self.progress.complete_event(actor, event_id, person_id)
        return "completed"
