"""``/api/v1/countries`` and ``/api/v1/people``."""

from __future__ import annotations

from typing import Any

from etwin_lti.domain.api_tokens import ApiPermission
from etwin_lti.domain.people import NewPerson
from etwin_lti.web.api.auth import hub, person_view, requires
from etwin_lti.web.api.parsing import ApiBlueprint
from schemas.api.people import (
    CountrySchema,
    PeopleBatchResultSchema,
    PeopleBatchSchema,
    PersonCountrySchema,
    PersonCreateSchema,
    PersonRenameSchema,
    PersonSchema,
)

bp = ApiBlueprint("api_people", __name__, url_prefix="/api/v1", description="Countries and people")


@bp.get("/countries")
@requires(ApiPermission.READ)
@bp.response(200, CountrySchema(many=True))
def list_countries() -> Any:
    """Every country of the current country-list version, ordered by code."""
    return hub().list_countries()


@bp.post("/people")
@requires(ApiPermission.WRITE)
@bp.arguments(PersonCreateSchema)
@bp.response(201, PersonSchema)
def create_person(body: dict[str, Any]) -> Any:
    """Create a person. NSO officers need a country; teachers may be created without one
    (they set it before founding, joining or applying for a label), but a given country must
    be eligible. Pupils never have an e-mail."""
    return hub().create_person(
        body["display_name"],
        body["kind"],
        country_code=body["country_code"],
        school=body["school"],
        email=body["email"],
    )


@bp.post("/people/batch")
@requires(ApiPermission.WRITE)
@bp.arguments(PeopleBatchSchema)
@bp.response(201, PeopleBatchResultSchema)
def create_people(body: dict[str, Any]) -> Any:
    """Create up to 1,000 people in one call, in their order, all or none: one invalid draft
    refuses the call and nothing is written (422: a malformed draft's fields keyed by its index
    under ``people``; a draft the hub's rules refuse, that rule's field map). A remote hub's
    roster sync creates a course's newcomers this way."""
    drafts = [NewPerson(**draft) for draft in body["people"]]
    return {"people": hub().create_people(drafts)}


@bp.get("/people/<int:person_id>")
@requires(ApiPermission.READ)
@bp.response(200, PersonSchema)
def get_person(person_id: int) -> Any:
    """Officers see an e-mail only of their own country's people (the CSS none)."""
    return person_view(hub().get_person(person_id))


@bp.patch("/people/<int:person_id>")
@requires(ApiPermission.WRITE)
@bp.arguments(PersonRenameSchema)
@bp.response(200, PersonSchema)
def rename_person(body: dict[str, Any], person_id: int) -> Any:
    """A teacher edits a pupil's pseudonym; anyone may rename themself."""
    return hub().rename_person(body["actor_id"], person_id, body["display_name"])


@bp.put("/people/<int:person_id>/country")
@requires(ApiPermission.WRITE)
@bp.arguments(PersonCountrySchema)
@bp.response(200, PersonSchema)
def set_person_country(body: dict[str, Any], person_id: int) -> Any:
    """Set a person's country: themself, or a tool administrator for anyone. Once the person
    founded a project only the same country is accepted (409 ``country_locked``)."""
    return hub().set_person_country(body["actor_id"], person_id, body["country_code"])
