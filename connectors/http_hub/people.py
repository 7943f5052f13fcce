"""Countries and people over ``/api/v1``."""

from __future__ import annotations

from collections.abc import Sequence

from connectors.http_hub.base import HttpHubBase
from etwin_lti.domain import people
from etwin_lti.domain.model import (
    Country,
    Person,
    PersonKind,
)
from etwin_lti.domain.people import NewPerson
from schemas.api.common import BATCH_MAX
from schemas.api.people import CountrySchema, PeopleBatchResultSchema, PersonSchema


class PeopleArea(HttpHubBase):
    def list_countries(self) -> list[Country]:
        return self._call("GET", "/countries", CountrySchema(many=True))

    def create_person(
        self,
        display_name: str,
        kind: PersonKind,
        *,
        country_code: str | None = None,
        school: str | None = None,
        email: str | None = None,
    ) -> Person:
        body = {
            "display_name": display_name,
            "kind": kind,
            "country_code": country_code,
            "school": school,
            "email": email,
        }
        return self._call("POST", "/people", PersonSchema(), body=body)

    def create_people(self, drafts: Sequence[NewPerson]) -> list[Person]:
        """One ``POST /people/batch`` per ``BATCH_MAX`` drafts, each all or none on the hub.
        More than one call is checked here first with the hub's own rules, so that an invalid
        draft refuses before anything is written (only a failure of the hub between two calls
        can leave the first ones created)."""
        if not drafts:
            return []
        if len(drafts) > BATCH_MAX:
            people.check_new_people(drafts, lambda: {c.code: c for c in self.list_countries()})
        created: list[Person] = []
        for start in range(0, len(drafts), BATCH_MAX):
            body = {"people": [_draft(d) for d in drafts[start : start + BATCH_MAX]]}
            answer = self._call("POST", "/people/batch", PeopleBatchResultSchema(), body=body)
            created.extend(answer["people"])
        return created

    def get_person(self, person_id: int) -> Person:
        return self._call("GET", f"/people/{person_id}", PersonSchema())

    def find_teachers(self, name: str, *, limit: int = 20) -> list[Person]:
        query = {"name": name, "limit": limit}
        return self._call("GET", "/teachers", PersonSchema(many=True), query=query)

    def rename_person(self, actor_id: int, person_id: int, display_name: str) -> Person:
        body = {"actor_id": actor_id, "display_name": display_name}
        return self._call("PATCH", f"/people/{person_id}", PersonSchema(), body=body)

    def set_person_country(self, actor_id: int, person_id: int, country_code: str) -> Person:
        # PUT: setting the same country twice is harmless, so the session may retry it.
        body = {"actor_id": actor_id, "country_code": country_code}
        return self._call("PUT", f"/people/{person_id}/country", PersonSchema(), body=body)


def _draft(draft: NewPerson) -> dict[str, object]:
    return {
        "display_name": draft.display_name,
        "kind": draft.kind,
        "country_code": draft.country_code,
        "school": draft.school,
        "email": draft.email,
    }
