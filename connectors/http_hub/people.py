"""Countries and people over ``/api/v1``."""

from __future__ import annotations

from connectors.http_hub.base import HttpHubBase
from etwin_lti.domain.model import (
    Country,
    Person,
    PersonKind,
)
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
