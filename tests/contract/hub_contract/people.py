"""The hub contract: Countries and people."""

from __future__ import annotations

import uuid

import pytest

from etwin_lti.domain.model import (
    PersonKind,
    ProjectScope,
)
from etwin_lti.domain.people import NewPerson
from etwin_lti.domain.ports import HubPort
from etwin_lti.errors import (
    InvalidInputError,
    PermissionDeniedError,
    RuleViolationError,
)
from schemas.api.common import BATCH_MAX
from tests.contract.hub_contract.builders import (
    LONG,
    R,
    Refusal,
    _create_person,
    _new_project,
    _project_call,
    _set_country,
    approved_project,
    newcomer,
    person,
    space,
    teacher,
)

PEOPLE_REFUSALS: list[Refusal] = [
    # --- people
    Refusal(
        "unknown country",
        InvalidInputError,
        _create_person(display_name="T", kind=PersonKind.TEACHER, country_code="ZZ"),
        "country_code",
    ),
    Refusal(
        "NSO officer without country",
        InvalidInputError,
        _create_person(display_name="N", kind=PersonKind.NSO_OFFICER),
        "country_code",
    ),
    Refusal(
        "country no longer eligible",
        InvalidInputError,
        _create_person(display_name="T", kind=PersonKind.TEACHER, country_code="GB"),
        "country_code",
    ),
    Refusal(
        "pupil e-mail",
        InvalidInputError,
        _create_person(
            display_name="P", kind=PersonKind.PUPIL, country_code="FR", email="kid@example.org"
        ),
        "email",
    ),
    Refusal(
        "empty display name",
        InvalidInputError,
        _create_person(display_name="   ", kind=PersonKind.GUEST),
        "display_name",
    ),
    Refusal(
        "overlong display name",
        InvalidInputError,
        _create_person(display_name=LONG, kind=PersonKind.GUEST),
        "display_name",
    ),
    Refusal(
        "malformed e-mail",
        InvalidInputError,
        _create_person(display_name="T", kind=PersonKind.TEACHER, country_code="FR", email="nope"),
        "email",
    ),
    Refusal(
        "teacher renames a pupil of another TwinSpace",
        PermissionDeniedError,
        lambda hub: (
            lambda s, outsider: (
                (lambda: hub.rename_person(outsider.id, s.members[R.PUPIL], "Renamed")),
                (lambda: hub.get_person(s.members[R.PUPIL])),
            )
        )(space(hub), teacher(hub)),
    ),
    Refusal(
        "rename to empty",
        InvalidInputError,
        lambda hub: (
            lambda t: ((lambda: hub.rename_person(t.id, t.id, "")), (lambda: hub.get_person(t.id)))
        )(teacher(hub)),
        "display_name",
    ),
    # --- a person's country (docs/decisions/0006)
    Refusal(
        "unknown country set",
        InvalidInputError,
        _set_country(lambda hub, t: t.id, "ZZ"),
        "country_code",
    ),
    Refusal(
        "country no longer eligible set",
        InvalidInputError,
        _set_country(lambda hub, t: t.id, "GB"),
        "country_code",
    ),
    Refusal(
        "another person's country set",
        PermissionDeniedError,
        _set_country(lambda hub, t: teacher(hub).id, "IT"),
    ),
    Refusal(
        "country changed after founding",
        RuleViolationError,
        _set_country(lambda hub, t: t.id, "DE", founded=True),
    ),
    Refusal(
        "founder without a country",
        InvalidInputError,
        _new_project(
            lambda hub: person(hub, country=None).id, lambda hub: teacher(hub, "IT").id, "Rivers"
        ),
        "founder_id",
    ),
    Refusal(
        "partner founder without a country",
        InvalidInputError,
        _new_project(
            lambda hub: teacher(hub).id, lambda hub: person(hub, country=None).id, "Rivers"
        ),
        "partner_founder_id",
    ),
    Refusal(
        "partner without a country",
        InvalidInputError,
        _project_call(
            approved_project,
            lambda hub, p: hub.add_partner(p.founder_ids[0], p.id, newcomer(hub, country=None).id),
        ),
        "teacher_id",
    ),
]


class PeopleContract:
    """Countries and people

    Mixed into ``HubContract``, which provides the ``hub`` fixture.
    """

    def test_countries_are_versioned_data_with_their_nso(self, hub: HubPort) -> None:
        countries = hub.list_countries()
        codes = [c.code for c in countries]
        assert codes == sorted(codes)
        by_code = {c.code: c for c in countries}
        # the seed's founding members and today's eTwinning Plus members
        for code in ("FR", "IT", "ES", "PL", "DE", "RO", "TR", "MK"):
            assert by_code[code].eligible and by_code[code].programme == "erasmus_plus"
        for code in ("AM", "AZ", "GE", "JO", "LB", "MD", "TN", "UA"):
            assert by_code[code].eligible and by_code[code].programme == "etwinning_plus"
        assert not by_code["GB"].eligible  # left on 31 Dec 2020
        assert by_code["ES"].nso.startswith("Instituto Nacional de Tecnologías Educativas")
        assert all(c.nso for c in countries)

    def test_people_round_trip(self, hub: HubPort) -> None:
        t = hub.create_person(
            "  Marie Curie ", PersonKind.TEACHER, country_code="fr", school="Lycée", email="m@e.fr"
        )
        assert (t.display_name, t.country_code, t.school, t.email) == (
            "Marie Curie",
            "FR",
            "Lycée",
            "m@e.fr",
        )
        assert hub.get_person(t.id) == t
        pupil = hub.create_person("Pupil A. (FR)", PersonKind.PUPIL, country_code="FR")
        assert pupil.email is None and pupil.kind is PersonKind.PUPIL
        guest = hub.create_person("A parent", PersonKind.GUEST)
        assert guest.country_code is None

    def test_teacher_of_the_pupils_space_edits_the_pseudonym(self, hub: HubPort) -> None:
        s = space(hub)
        pupil = s.members[R.PUPIL]
        assert hub.rename_person(s.members[R.TEACHER], pupil, "Pupil Z.").display_name == "Pupil Z."
        assert hub.get_person(pupil).display_name == "Pupil Z."
        me = teacher(hub)
        assert hub.rename_person(me.id, me.id, "Me").display_name == "Me"

    def test_teacher_without_country_sets_it_before_founding(self, hub: HubPort) -> None:
        t = hub.create_person("Arrived from Moodle", PersonKind.TEACHER)
        assert t.country_code is None and hub.get_person(t.id) == t
        with pytest.raises(InvalidInputError) as caught:
            hub.create_project(t.id, teacher(hub, "IT").id, "Rivers")
        assert caught.value.errors == {
            "founder_id": ["Set your country in your eTwinning profile before founding a project."]
        }
        assert hub.list_projects(member_id=t.id) == []

        assert hub.set_person_country(t.id, t.id, " fr ").country_code == "FR"
        assert hub.set_person_country(t.id, t.id, "PL").country_code == "PL"  # nothing founded yet
        assert hub.get_person(t.id).country_code == "PL"
        project = hub.create_project(t.id, teacher(hub, "IT").id, "Rivers")
        assert project.scope is ProjectScope.EUROPEAN and project.founder_countries[0] == "PL"
        # The same country again is a harmless repeat, even after founding.
        assert hub.set_person_country(t.id, t.id, "pl") == hub.get_person(t.id)

    def test_tool_administrator_sets_anyones_country(self, hub: HubPort) -> None:
        admin = hub.create_person("Tool admin", PersonKind.ADMIN)
        t = hub.create_person("New teacher", PersonKind.TEACHER)
        updated = hub.set_person_country(admin.id, t.id, "UA")
        assert (updated.id, updated.country_code, updated.kind) == (t.id, "UA", PersonKind.TEACHER)
        assert hub.get_person(t.id) == updated
        assert hub.get_person(admin.id).country_code is None

    def test_people_created_in_bulk_in_order(self, hub: HubPort) -> None:
        assert hub.create_people([]) == []
        drafts = [
            NewPerson("Pupil 1A2B", PersonKind.PUPIL, None, None, None),
            NewPerson("A visitor", PersonKind.GUEST, None, None, None),
            NewPerson(" Bulk Teacher ", PersonKind.TEACHER, "fr", "Lycée", "bulk@school.example"),
            NewPerson("Pupil 3C4D", PersonKind.PUPIL, None, None, None),
        ]
        created = hub.create_people(drafts)
        assert [(p.display_name, p.kind) for p in created] == [
            ("Pupil 1A2B", PersonKind.PUPIL),
            ("A visitor", PersonKind.GUEST),
            ("Bulk Teacher", PersonKind.TEACHER),
            ("Pupil 3C4D", PersonKind.PUPIL),
        ]
        assert len({p.id for p in created}) == 4
        assert (created[2].country_code, created[2].school) == ("FR", "Lycée")
        assert all(p.email is None for p in created if p.kind is PersonKind.PUPIL)
        assert [hub.get_person(p.id) for p in created] == created

    def test_more_people_than_one_call_takes(self, hub: HubPort) -> None:
        """The HTTP hub sends ``BATCH_MAX`` drafts a call: the order and the ids hold across."""
        drafts = [
            NewPerson(f"Pupil {n:04X}", PersonKind.PUPIL, None, None, None)
            for n in range(BATCH_MAX + 2)
        ]
        created = hub.create_people(drafts)
        assert [p.display_name for p in created] == [d.display_name for d in drafts]
        assert len({p.id for p in created}) == len(drafts)
        assert hub.get_person(created[-1].id) == created[-1]

    def test_an_invalid_person_past_one_call_refuses_them_all(self, hub: HubPort) -> None:
        name = f"Bulk first {uuid.uuid4().hex[:8]}"
        pupils = [NewPerson("Pupil 9I0J", PersonKind.PUPIL, None, None, None)] * BATCH_MAX
        drafts = [
            NewPerson(name, PersonKind.TEACHER, "FR", None, None),
            *pupils,
            NewPerson("Pupil 5E6F", PersonKind.PUPIL, None, None, "kid@example.org"),
        ]
        with pytest.raises(InvalidInputError) as caught:
            hub.create_people(drafts)
        assert "email" in caught.value.errors
        assert hub.find_teachers(name) == []

    def test_one_invalid_person_refuses_the_whole_batch(self, hub: HubPort) -> None:
        name = f"Bulk refused {uuid.uuid4().hex[:8]}"
        drafts = [
            NewPerson(name, PersonKind.TEACHER, "FR", None, None),
            NewPerson("Pupil 5E6F", PersonKind.PUPIL, None, None, "kid@example.org"),
        ]
        with pytest.raises(InvalidInputError) as caught:
            hub.create_people(drafts)
        assert "email" in caught.value.errors
        assert hub.find_teachers(name) == []  # the valid one was not written either
