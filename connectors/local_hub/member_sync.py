"""The LMS's memberships in bulk (``HubPort.sync_members``): a roster's page in one unit of work.

``TwinSpacesArea.sync_member`` is the one-member path (a launch: a Core read built once, and no
write when nothing changed); this is the same rules (``_sync_one``, in ``sync_member``'s order)
for many members: one read of the people and their memberships, then one INSERT
(``connectors.bulk_rows``) and one UPDATE executemany for what changed (issue 11, ADR 0037).
"""

from __future__ import annotations

import typing
from collections.abc import Sequence
from dataclasses import replace

from sqlalchemy import Integer, Table, bindparam, func, select, update
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session

from connectors import hub_records as rec
from connectors.bulk_rows import insert_rows
from connectors.local_hub.base import LocalHubBase, _enum, _once_more_on_conflict
from connectors.local_hub.page_cache import touch_twinspace
from connectors.local_hub.twinspaces import _MEMBER_COLUMNS
from etwin_lti.domain import twinspaces
from etwin_lti.domain.model import (
    Member,
    MemberStatus,
    PersonKind,
    RoleSource,
    TwinSpaceRole,
    TwinSpaceStatus,
)
from etwin_lti.domain.translatable import N_
from etwin_lti.domain.twinspaces import MemberSync, SyncedMembers
from etwin_lti.errors import NotFoundError, RuleViolationError
from etwin_lti.persistence.models.hub import MemberRow, PersonRow, TwinSpaceRow

# A roster batch's people and their memberships of one TwinSpace. The ids travel as one array
# on PostgreSQL (``= ANY(:ids)``): an expanded ``IN`` of thousands of parameters is a statement
# psycopg and the server parse anew each time; SQLite expands them (in-process, cheap).
_BATCH_COLUMNS = (
    select(
        PersonRow.id.label("person_id"),
        PersonRow.display_name,
        PersonRow.kind,
        *_MEMBER_COLUMNS,
    )
    .select_from(PersonRow)
    .outerjoin(
        MemberRow,
        (MemberRow.person_id == PersonRow.id)
        & (MemberRow.twinspace_id == bindparam("twinspace_id")),
    )
)
_BATCH_READ = {
    "postgresql": _BATCH_COLUMNS.where(
        PersonRow.id == func.any(bindparam("ids", type_=postgresql.ARRAY(Integer)))
    ),
    "sqlite": _BATCH_COLUMNS.where(PersonRow.id.in_(bindparam("ids", expanding=True))),
}
_MEMBERS = typing.cast(Table, MemberRow.__table__)  # the Core table, for executemany
_BATCH_UPDATE = (
    update(_MEMBERS)
    .where(
        _MEMBERS.c.twinspace_id == bindparam("b_twinspace_id"),
        _MEMBERS.c.person_id == bindparam("b_person_id"),
    )
    .values(
        role=bindparam("b_role"),
        status=bindparam("b_status"),
        role_source=RoleSource.LMS.value,
        updated_at=bindparam("b_updated_at"),
    )
)


class MemberSyncArea(LocalHubBase):
    def sync_members(self, twinspace_id: int, changes: Sequence[MemberSync]) -> SyncedMembers:
        return _once_more_on_conflict(lambda: self._sync_members(twinspace_id, changes))

    def _sync_members(self, twinspace_id: int, changes: Sequence[MemberSync]) -> SyncedMembers:
        """``_sync_member``'s rules for a batch (a roster's page): one read of the people and
        their memberships, then one INSERT and one UPDATE (executemany) for what changed, in
        one transaction."""
        result = SyncedMembers()
        with self._db.session() as s:
            space = rec.load(s, TwinSpaceRow, twinspace_id, "TwinSpace")
            if not changes:
                return result
            archived = space.status == TwinSpaceStatus.ARCHIVED.value
            ids = sorted({c.person_id for c in changes})
            state: dict[int, Member | None] = {}
            people: dict[int, tuple[PersonKind, str]] = {}
            read = {"twinspace_id": twinspace_id, "ids": ids}
            connection = s.connection()
            statement = _BATCH_READ.get(connection.dialect.name, _BATCH_READ["sqlite"])
            for row in connection.execute(statement, read):
                people[row.person_id] = (PersonKind(row.kind), row.display_name)
                state[row.person_id] = (
                    rec.member(row, row.display_name) if row.twinspace_id is not None else None
                )
            new: set[int] = set()
            changed: dict[int, Member] = {}
            for change in changes:
                person_id = change.person_id
                role = _enum(TwinSpaceRole, change.role, "role")
                status = MemberStatus.ACTIVE if change.active else MemberStatus.SUSPENDED
                before = state.get(person_id)
                try:
                    after = _sync_one(
                        twinspace_id, person_id, role, status, people, before, archived=archived
                    )
                except (NotFoundError, RuleViolationError) as refused:
                    result.refuse(person_id, refused)
                    continue
                result.synced(person_id, after)
                if after is not before:
                    if before is None:
                        new.add(person_id)
                    state[person_id] = changed[person_id] = after
            if changed:
                self._write_members(s, twinspace_id, changed, new)
        return result

    def _write_members(
        self, s: Session, twinspace_id: int, changed: dict[int, Member], new: set[int]
    ) -> None:
        now = self._now()
        values = [
            {
                "twinspace_id": twinspace_id,
                "person_id": m.person_id,
                "role": m.role.value,
                "status": m.status.value,
                "role_source": RoleSource.LMS.value,
                "is_founder": False,
                "joined_at": now,
                "updated_at": now,
            }
            for m in changed.values()
            if m.person_id in new
        ]
        updates = [
            {
                "b_twinspace_id": twinspace_id,
                "b_person_id": m.person_id,
                "b_role": m.role.value,
                "b_status": m.status.value,
                "b_updated_at": now,
            }
            for m in changed.values()
            if m.person_id not in new
        ]
        # Core on the session's connection (no ORM objects for a class of thousands); the
        # page cache is told which TwinSpace changed, as its flush listener would be.
        connection = s.connection()
        if values:
            insert_rows(connection, _MEMBERS, values)
        if updates:
            connection.execute(_BATCH_UPDATE, updates)
        touch_twinspace(s, twinspace_id)


def _sync_one(
    twinspace_id: int,
    person_id: int,
    role: TwinSpaceRole,
    status: MemberStatus,
    people: dict[int, tuple[PersonKind, str]],
    existing: Member | None,
    *,
    archived: bool,
) -> Member:
    """The member after one LMS sync, by ``_sync_member``'s rules (the same checks in the same
    order), from what was read; raises what ``sync_member`` raises."""
    if person_id not in people:
        raise NotFoundError(N_("Person %(id)s does not exist."), params={"id": person_id})
    kind, name = people[person_id]
    if archived:
        raise twinspaces.TwinSpaceArchivedError()
    if not twinspaces.sync_applies(existing):
        assert existing is not None
        return existing  # a teacher administrator or the project decided: keep it
    twinspaces.check_sync_role(role, kind)
    if existing is not None and (existing.role, existing.status) == (role, status):
        return existing
    if existing is None:
        if status is not MemberStatus.ACTIVE:
            raise NotFoundError(f"Person {person_id} is not a member of TwinSpace {twinspace_id}.")
        return Member(
            twinspace_id=twinspace_id,
            person_id=person_id,
            display_name=name,
            role=role,
            status=status,
            role_source=RoleSource.LMS,
            is_founder=False,
        )
    return replace(existing, role=role, status=status, role_source=RoleSource.LMS)
