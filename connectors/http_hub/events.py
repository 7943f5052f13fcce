"""Learning Events over ``/api/v1``."""

from __future__ import annotations

from datetime import date

from connectors.http_hub.base import HttpHubBase
from etwin_lti.domain import paging
from etwin_lti.domain.model import (
    Acknowledgement,
    Enrolment,
    LearningEvent,
)
from etwin_lti.domain.paging import ParticipantPage
from schemas.api.acknowledgements import (
    AcknowledgementSchema,
)
from schemas.api.events import EnrolmentSchema, LearningEventSchema
from schemas.api.paging import ParticipantPageSchema


class EventsArea(HttpHubBase):
    def create_event(
        self,
        title: str,
        description: str,
        expert_id: int,
        starts_on: date,
        ends_on: date,
        capacity: int,
    ) -> LearningEvent:
        body = {
            "title": title,
            "description": description,
            "expert_id": expert_id,
            "starts_on": starts_on,
            "ends_on": ends_on,
            "capacity": capacity,
        }
        return self._call("POST", "/events", LearningEventSchema(), body=body)

    def get_event(self, event_id: int) -> LearningEvent:
        return self._call("GET", f"/events/{event_id}", LearningEventSchema())

    def list_events(self, *, open_only: bool = False) -> list[LearningEvent]:
        query = {"open_only": "true" if open_only else None}
        return self._call("GET", "/events", LearningEventSchema(many=True), query=query)

    def enrol(self, event_id: int, person_id: int) -> Enrolment:
        body = {"person_id": person_id}
        return self._call("POST", f"/events/{event_id}/enrolments", EnrolmentSchema(), body=body)

    def list_enrolments(self, event_id: int) -> list[Enrolment]:
        return self._call("GET", f"/events/{event_id}/enrolments", EnrolmentSchema(many=True))

    def get_enrolment(self, event_id: int, person_id: int) -> Enrolment:
        path = f"/events/{event_id}/enrolments/{person_id}"
        return self._call("GET", path, EnrolmentSchema())

    def participant_page(self, event_id: int, *, offset: int, limit: int) -> ParticipantPage:
        paging.check_window(offset, limit)
        query = {"offset": offset, "limit": limit}
        path = f"/events/{event_id}/participant-page"
        return self._call("GET", path, ParticipantPageSchema(), query=query)

    def complete_event(self, actor_id: int, event_id: int, person_id: int) -> Acknowledgement:
        body = {"actor_id": actor_id, "person_id": person_id}
        return self._call(
            "POST", f"/events/{event_id}/completions", AcknowledgementSchema(), body=body
        )
