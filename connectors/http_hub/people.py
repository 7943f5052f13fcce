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
from schemas.api.people import CountrySchema, PersonSchema


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
        """The hub's API creates one person per call: every draft is checked here first with
        the hub's own rules, so that an invalid one refuses the call before anything is
        written (only a failure of the hub half-way can leave the first ones created)."""
        people.check_new_people(drafts, lambda: {c.code: c for c in self.list_countries()})
        return [
            self.create_person(
                d.display_name, d.kind, country_code=d.country_code, school=d.school, email=d.email
            )
            for d in drafts
        ]

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
