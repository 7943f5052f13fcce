"""Countries and people: the country list, creating people, names and countries."""

from __future__ import annotations

import json
import typing
from collections.abc import Sequence
from importlib import resources

from sqlalchemy import Table, func, select, update
from sqlalchemy.orm import Session

from connectors import hub_records as rec
from connectors.bulk_rows import insert_rows
from connectors.local_hub.base import COUNTRY_LIST, LocalHubBase
from etwin_lti.domain import people
from etwin_lti.domain.countries import parse_country_list
from etwin_lti.domain.model import (
    Country,
    MemberStatus,
    Person,
    PersonKind,
    TwinSpaceRole,
)
from etwin_lti.errors import (
    PermissionDeniedError,
)
from etwin_lti.persistence.models.hub import (
    CountryListRow,
    CountryRow,
    MemberRow,
    PersonRow,
    ProjectFounderRow,
)
from etwin_lti.persistence.models.privacy import ErasureRow

_PEOPLE = typing.cast(Table, PersonRow.__table__)  # the Core table, for executemany


class PeopleArea(LocalHubBase):
    def seed_countries(self) -> str:
        """Load the shipped country list (idempotent): upsert by code, record the version and
        make it current. Countries missing from the new version stay (old projects refer to
        them) but are no longer listed and no longer eligible."""
        data = self._country_list
        if data is None:
            text = resources.files(COUNTRY_LIST[0]).joinpath(COUNTRY_LIST[1]).read_text("utf-8")
            data = json.loads(text)
        parsed = parse_country_list(data)
        with self._db.session() as s:
            version = s.get(CountryListRow, parsed.version)
            if version is None:
                s.add(CountryListRow(version=parsed.version, loaded_at=self._now()))
                s.flush()
            s.execute(
                update(CountryListRow)
                .values(is_current=CountryListRow.version == parsed.version)
                .execution_options(synchronize_session=False)
            )
            # One SELECT for the whole list: every app start runs this (dozens of countries).
            existing = {row.code: row for row in s.scalars(select(CountryRow))}
            for c in parsed.countries:
                row = existing.get(c.code)
                if row is None:
                    row = CountryRow(code=c.code)
                    s.add(row)
                row.name, row.nso, row.programme = c.name, c.nso, c.programme
                row.eligible, row.list_version = c.eligible, parsed.version
            s.execute(
                update(CountryRow)
                .where(CountryRow.list_version != parsed.version)
                .values(eligible=False)
                .execution_options(synchronize_session=False)
            )
        return parsed.version

    # --- countries and people ------------------------------------------------------------------

    def list_countries(self) -> list[Country]:
        with self._db.session() as s:
            return list(rec.current_countries(s).values())

    def create_person(
        self,
        display_name: str,
        kind: PersonKind,
        *,
        country_code: str | None = None,
        school: str | None = None,
        email: str | None = None,
    ) -> Person:
        with self._db.session() as s:
            # The country list is read only when a country is involved: a first launch creates
            # its person without one (two round trips fewer on the launch's hot path).
            needs_list = country_code is not None or kind in people.KINDS_NEEDING_COUNTRY
            new = people.check_new_person(
                rec.current_countries(s) if needs_list else {},
                display_name,
                kind,
                country_code=country_code,
                school=school,
                email=email,
            )
            row = PersonRow(
                display_name=new.display_name,
                kind=new.kind.value,
                country_code=new.country_code,
                school=new.school,
                email=new.email,
                created_at=self._now(),
            )
            s.add(row)
            s.flush()
            return rec.person(row)

    def create_people(self, drafts: Sequence[people.NewPerson]) -> list[Person]:
        if not drafts:
            return []
        with self._db.session() as s:
            # Checked first, all of them: one refusal writes nothing.
            checked = people.check_new_people(drafts, lambda: rec.current_countries(s))
            now = self._now()
            rows = [
                {
                    "display_name": new.display_name,
                    "kind": new.kind.value,
                    "country_code": new.country_code,
                    "school": new.school,
                    "email": new.email,
                    "created_at": now,
                }
                for new in checked
            ]
            # One INSERT for the batch (``connectors.bulk_rows``), ids in the order given. Core
            # on the session's connection: a new person is on no page, so the page cache has
            # nothing to renew.
            found = insert_rows(s.connection(), _PEOPLE, rows, returning=[_PEOPLE.c.id])
            ids = sorted(row.id for row in found)
            return [
                Person(
                    id=person_id,
                    display_name=new.display_name,
                    kind=new.kind,
                    country_code=new.country_code,
                    school=new.school,
                    email=new.email,
                )
                for person_id, new in zip(ids, checked, strict=True)
            ]

    def get_person(self, person_id: int) -> Person:
        with self._db.session() as s:
            return rec.load_person(s, person_id)

    def find_teachers(self, name: str, *, limit: int = 20) -> list[Person]:
        text, limit = people.clean_teacher_search(name, limit)
        with self._db.session() as s:
            rows = s.scalars(
                select(PersonRow)
                .where(
                    PersonRow.kind == PersonKind.TEACHER.value,
                    PersonRow.country_code.is_not(None),
                    func.lower(PersonRow.display_name).contains(text.lower(), autoescape=True),
                    # An erased teacher keeps a pseudonym only: nobody to invite any more.
                    PersonRow.id.not_in(select(ErasureRow.person_id)),
                )
                .order_by(func.lower(PersonRow.display_name), PersonRow.id)
                .limit(limit)
            )
            return [rec.person(row) for row in rows]

    def rename_person(self, actor_id: int, person_id: int, display_name: str) -> Person:
        name = people.clean_display_name(display_name)
        with self._db.session() as s:
            actor = rec.load_person(s, actor_id)
            row = rec.load(s, PersonRow, person_id, "Person")
            if not self._may_rename(s, actor, rec.person(row)):
                raise PermissionDeniedError(
                    "Only the person themself, or a teacher of a pupil's TwinSpace, can rename."
                )
            row.display_name = name
            return rec.person(row)

    def set_person_country(self, actor_id: int, person_id: int, country_code: str) -> Person:
        with self._db.session() as s:
            # Locked like the founders' rows in create_project: a founding and a change of
            # country never interleave, so the "founded" count below is current.
            row = rec.load(s, PersonRow, person_id, "Person", lock=True)
            actor = rec.load_person(s, actor_id)
            target = rec.person(row)
            people.check_can_set_country(actor, target)
            code = people.check_person_country(rec.current_countries(s), target.kind, country_code)
            # Only a change of a set country needs to know (the launch's first-time set does not).
            founded = target.country_code not in (None, code) and bool(
                s.scalar(
                    select(func.count())
                    .select_from(ProjectFounderRow)
                    .where(ProjectFounderRow.person_id == person_id)
                )
            )
            if people.check_country_change(target, code, has_founded=founded):
                row.country_code = code
                s.flush()
            return rec.person(row)

    def _may_rename(self, s: Session, actor: Person, target: Person) -> bool:
        if actor.id == target.id or actor.kind is PersonKind.ADMIN:
            return True
        if target.kind is not PersonKind.PUPIL:
            return False
        # A teacher (administrator) active in a TwinSpace the pupil belongs to.
        teacher_roles = [TwinSpaceRole.TEACHER_ADMINISTRATOR.value, TwinSpaceRole.TEACHER.value]
        pupil_spaces = select(MemberRow.twinspace_id).where(MemberRow.person_id == target.id)
        shared = s.scalar(
            select(func.count())
            .select_from(MemberRow)
            .where(
                MemberRow.person_id == actor.id,
                MemberRow.status == MemberStatus.ACTIVE.value,
                MemberRow.role.in_(teacher_roles),
                MemberRow.twinspace_id.in_(pupil_spaces),
            )
        )
        return bool(shared)
