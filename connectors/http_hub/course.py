"""The distance training course over ``/api/v1``."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from connectors.http_hub.base import HttpHubBase
from etwin_lti.domain import paging
from etwin_lti.domain.model import (
    Acknowledgement,
    Edition,
    Person,
    Unit,
    UnitProgress,
)
from etwin_lti.domain.paging import TraineePage
from schemas.api.acknowledgements import (
    AcknowledgementSchema,
)
from schemas.api.course import EditionSchema, UnitProgressSchema, UnitSchema
from schemas.api.paging import TraineePageSchema, TraineeStatusSchema
from schemas.api.people import PersonSchema


class CourseArea(HttpHubBase):
    def create_edition(
        self,
        title: str,
        year: int,
        starts_on: date,
        ends_on: date,
        *,
        trainer_ids: Sequence[int] = (),
    ) -> Edition:
        body = {
            "title": title,
            "year": year,
            "starts_on": starts_on,
            "ends_on": ends_on,
            "trainer_ids": list(trainer_ids),
        }
        return self._call("POST", "/editions", EditionSchema(), body=body)

    def get_edition(self, edition_id: int) -> Edition:
        return self._call("GET", f"/editions/{edition_id}", EditionSchema())

    def list_editions(self) -> list[Edition]:
        return self._call("GET", "/editions", EditionSchema(many=True))

    def add_unit(
        self,
        edition_id: int,
        title: str,
        summary: str,
        *,
        documents: Sequence[tuple[str, str]] = (),
        activities: Sequence[tuple[str, str]] = (),
    ) -> Unit:
        body = {
            "title": title,
            "summary": summary,
            "documents": [{"title": t, "url": u} for t, u in documents],
            "activities": [{"title": t, "instructions": i} for t, i in activities],
        }
        return self._call("POST", f"/editions/{edition_id}/units", UnitSchema(), body=body)

    def get_unit(self, unit_id: int) -> Unit:
        return self._call("GET", f"/units/{unit_id}", UnitSchema())

    def list_units(self, *, edition_id: int | None = None) -> list[Unit]:
        query = {"edition_id": edition_id}
        return self._call("GET", "/units", UnitSchema(many=True), query=query)

    def enrol_trainee(self, edition_id: int, person_id: int) -> None:
        body = {"person_id": person_id}
        self._call("POST", f"/editions/{edition_id}/trainees", None, body=body)

    def list_trainees(self, edition_id: int) -> list[Person]:
        return self._call("GET", f"/editions/{edition_id}/trainees", PersonSchema(many=True))

    def is_trainee(self, edition_id: int, person_id: int) -> bool:
        path = f"/editions/{edition_id}/trainees/{person_id}"
        return bool(self._call("GET", path, TraineeStatusSchema())["trainee"])

    def trainee_page(self, edition_id: int, *, offset: int, limit: int) -> TraineePage:
        paging.check_window(offset, limit)
        query = {"offset": offset, "limit": limit}
        path = f"/editions/{edition_id}/trainee-page"
        return self._call("GET", path, TraineePageSchema(), query=query)

    def unit_progress_of(self, unit_id: int, person_ids: Sequence[int]) -> list[UnitProgress]:
        paging.check_people(person_ids)
        query = {"person_id": list(person_ids)}
        path = f"/units/{unit_id}/progress-of"
        return self._call("GET", path, UnitProgressSchema(many=True), query=query)

    def mark_activity_done(self, person_id: int, activity_id: int) -> UnitProgress:
        path = f"/activities/{activity_id}/done/{person_id}"
        return self._call("PUT", path, UnitProgressSchema())

    def unit_progress(self, person_id: int, unit_id: int) -> UnitProgress:
        return self._call("GET", f"/units/{unit_id}/progress/{person_id}", UnitProgressSchema())

    def complete_course(
        self, actor_id: int | None, edition_id: int, person_id: int
    ) -> Acknowledgement:
        body = {"actor_id": actor_id, "person_id": person_id}
        return self._call(
            "POST", f"/editions/{edition_id}/completions", AcknowledgementSchema(), body=body
        )
