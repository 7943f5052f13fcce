"""TwinSpaces and their members: reads, the page snapshot, invitations, roles, LMS sync."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from sqlalchemy import String, bindparam, case, cast, func, literal, select
from sqlalchemy.orm import Session

from connectors import hub_records as rec
from connectors import sql_audit as audit
from connectors.local_hub.base import LocalHubBase, _enum, _once_more_on_conflict
from etwin_lti.domain import moderation, paging, twinspaces
from etwin_lti.domain import twinspace_snapshot as snapshots
from etwin_lti.domain.audit import AuditAction
from etwin_lti.domain.model import (
    AcknowledgementKind,
    Member,
    MemberStatus,
    Person,
    PersonKind,
    RoleSource,
    TwinSpace,
    TwinSpaceRole,
    TwinSpaceStatus,
    Visibility,
)
from etwin_lti.domain.paging import MemberPage, RoleCount
from etwin_lti.domain.translatable import N_
from etwin_lti.domain.twinspace_snapshot import TwinSpaceSnapshot
from etwin_lti.errors import (
    NotFoundError,
    RuleViolationError,
)
from etwin_lti.persistence.models.hub import (
    AcknowledgementRow,
    MaterialRow,
    MemberRow,
    PageRow,
    PersonRow,
    ProjectRow,
    TwinSpaceRow,
)

# The launch's read of a membership, built once as a Core statement over columns (issue 11,
# ADR 0033): building a statement and the ORM objects of its rows cost more CPU than running
# it. The person, their membership and the TwinSpace's status: what the launch's sync checks
# and what the page shows as its viewer (one read serves both, memoised per worker, ADR 0036).
_MEMBER_COLUMNS = (
    MemberRow.twinspace_id,
    MemberRow.role,
    MemberRow.status,
    MemberRow.role_source,
    MemberRow.is_founder,
)
_MEMBERSHIP_READ = (
    select(
        PersonRow.id.label("person_id"),
        PersonRow.display_name,
        PersonRow.kind,
        *_MEMBER_COLUMNS,
        select(TwinSpaceRow.status)
        .where(TwinSpaceRow.id == bindparam("twinspace_id"))
        .scalar_subquery()
        .label("space_status"),
    )
    .select_from(PersonRow)
    .outerjoin(
        MemberRow,
        (MemberRow.person_id == PersonRow.id)
        & (MemberRow.twinspace_id == bindparam("twinspace_id")),
    )
    .where(PersonRow.id == bindparam("person_id"))
)
_MEMBERS_READ = (
    select(MemberRow.person_id, PersonRow.display_name, *_MEMBER_COLUMNS)
    .join(PersonRow, PersonRow.id == MemberRow.person_id)
    .where(MemberRow.twinspace_id == bindparam("twinspace_id"))
)


@dataclass(frozen=True)
class Membership:
    """A member as the launch reads it: only existing members of existing TwinSpaces."""

    member: Member
    kind: PersonKind
    archived: bool


class TwinSpacesArea(LocalHubBase):
    def get_twinspace(self, twinspace_id: int) -> TwinSpace:
        with self._db.session() as s:
            return rec.load_twinspace(s, twinspace_id)

    def list_twinspaces(self, *, member_id: int | None = None) -> list[TwinSpace]:
        with self._db.session() as s:
            query = select(TwinSpaceRow).order_by(TwinSpaceRow.id)
            if member_id is not None:
                query = query.where(
                    TwinSpaceRow.id.in_(
                        select(MemberRow.twinspace_id).where(
                            MemberRow.person_id == member_id,
                            MemberRow.status == MemberStatus.ACTIVE.value,
                        )
                    )
                )
            return [rec.twinspace(s, row) for row in s.scalars(query).all()]

    def list_members(self, twinspace_id: int) -> list[Member]:
        with self._db.session() as s:
            rec.load(s, TwinSpaceRow, twinspace_id, "TwinSpace")
            # Columns, not ORM objects: a roster sync reads a class of thousands this way.
            rows = s.connection().execute(_MEMBERS_READ, {"twinspace_id": twinspace_id})
            members = [rec.member(row, row.display_name) for row in rows]
            return sorted(members, key=twinspaces.member_sort_key)

    def get_member(self, twinspace_id: int, person_id: int) -> Member:
        with self._db.session() as s:
            rec.load(s, TwinSpaceRow, twinspace_id, "TwinSpace")
            return rec.load_member(s, twinspace_id, person_id)

    def role_counts(self, twinspace_id: int) -> list[RoleCount]:
        with self._db.session() as s:
            rec.load(s, TwinSpaceRow, twinspace_id, "TwinSpace")
            return _role_counts(s, twinspace_id)

    def member_page(self, twinspace_id: int, *, offset: int, limit: int) -> MemberPage:
        paging.check_window(offset, limit)
        with self._db.session() as s:
            rec.load(s, TwinSpaceRow, twinspace_id, "TwinSpace")
            total = s.scalar(select(func.count()).where(MemberRow.twinspace_id == twinspace_id))
            # The order of ``twinspaces.member_sort_key``, in SQL so that only one page of
            # rows leaves the database.
            rank = case(
                {role.value: order for role, order in twinspaces.ROLE_ORDER.items()},
                value=MemberRow.role,
                else_=len(twinspaces.ROLE_ORDER),
            )
            rows = s.execute(
                select(MemberRow, PersonRow.display_name)
                .join(PersonRow, PersonRow.id == MemberRow.person_id)
                .where(MemberRow.twinspace_id == twinspace_id)
                .order_by(rank, func.lower(PersonRow.display_name), MemberRow.person_id)
                .offset(offset)
                .limit(limit)
            ).all()
            return MemberPage(
                members=tuple(rec.member(row, name) for row, name in rows),
                total=int(total or 0),
                offset=offset,
                limit=limit,
            )

    def twinspace_snapshot(
        self, twinspace_id: int, *, viewer_id: int | None = None
    ) -> TwinSpaceSnapshot:
        """The viewer's membership (one read), then the shared part of the page from the
        page cache (``page_cache``) or, on a miss, from one unit of work whose statements do
        not depend on the number of members: the counts are one ``GROUP BY`` and only the
        authors of the content shown are read."""
        viewer = self._viewer(twinspace_id, viewer_id)
        private = snapshots.sees_private(viewer)
        hidden = moderation.sees_hidden(viewer)  # its teacher administrators only
        pages = self._pages
        key = pages.key(twinspace_id, private, hidden=hidden) if pages is not None else None
        cached = pages.get(key) if pages is not None and key else None
        if cached is None:
            cached = self._read_snapshot(twinspace_id, private, hidden)
            if self._pages is not None and key:
                self._pages.put(key, cached)
        return replace(cached, viewer=viewer)

    def _viewer(self, twinspace_id: int, viewer_id: int | None) -> Member | None:
        if viewer_id is None:
            return None
        found = self._membership(twinspace_id, viewer_id)
        return found.member if found is not None else None

    def _membership(self, twinspace_id: int, person_id: int) -> Membership | None:
        """The launch's and the page's read of a membership; from the worker's memo when the
        hub has one (``connectors.memoized_stores``: dropped on every instance after any
        committed change to members, people or TwinSpaces). Absent rows are never
        remembered, so a first launch's new membership is read at once."""

        def load() -> Membership | None:
            with self._db.connect() as connection:
                found = connection.execute(
                    _MEMBERSHIP_READ, {"twinspace_id": twinspace_id, "person_id": person_id}
                ).first()
            if found is None or found.twinspace_id is None or found.space_status is None:
                return None
            return Membership(
                rec.member(found, found.display_name),
                PersonKind(found.kind),
                archived=found.space_status == TwinSpaceStatus.ARCHIVED.value,
            )

        memo = self._memberships
        return memo.get((twinspace_id, person_id), load) if memo is not None else load()

    def _read_snapshot(self, twinspace_id: int, private: bool, hidden: bool) -> TwinSpaceSnapshot:
        with self._db.session() as s:
            # Whether the project ever had an EQL rides on the first query: a quiet space
            # (most of them) pays no statement for it.
            has_eql = (
                select(AcknowledgementRow.id)
                .where(
                    AcknowledgementRow.kind == AcknowledgementKind.EUROPEAN_QUALITY_LABEL.value,
                    AcknowledgementRow.subject
                    == literal("project:").concat(cast(ProjectRow.id, String)),
                )
                .exists()
            )
            found = s.execute(
                select(TwinSpaceRow, ProjectRow, has_eql)
                .join(ProjectRow, ProjectRow.id == TwinSpaceRow.project_id)
                .where(TwinSpaceRow.id == twinspace_id)
            ).first()
            if found is None:
                raise NotFoundError(
                    N_("TwinSpace %(id)s does not exist."), params={"id": twinspace_id}
                )
            space_row, project_row, eql_given = found
            counts = tuple(_role_counts(s, twinspace_id))
            space = TwinSpace(
                id=space_row.id,
                project_id=space_row.project_id,
                title=space_row.title,
                status=TwinSpaceStatus(space_row.status),
                has_pupils=any(c.role in twinspaces.PUPIL_ROLES for c in counts),
            )
            project = rec.project(s, project_row, twinspace_id=space_row.id)
            pages = select(PageRow).where(PageRow.twinspace_id == twinspace_id)
            materials = select(MaterialRow).where(MaterialRow.twinspace_id == twinspace_id)
            if not private:
                pages = pages.where(PageRow.visibility == Visibility.PUBLIC.value)
                materials = materials.where(MaterialRow.visibility == Visibility.PUBLIC.value)
            if not hidden:
                pages = pages.where(PageRow.hidden_at.is_(None))
                materials = materials.where(MaterialRow.hidden_at.is_(None))
            page_list = tuple(rec.page(r) for r in s.scalars(pages.order_by(PageRow.id)))
            material_list = tuple(
                rec.material(r) for r in s.scalars(materials.order_by(MaterialRow.id))
            )
            diary = rec.diary_posts(s, project.id, with_hidden=hidden)
            threads = rec.forum_threads(s, twinspace_id, with_hidden=hidden) if private else ()
            wrote = snapshots.author_ids(page_list, material_list, diary, threads)
            authors: tuple[Member, ...] = ()
            if wrote:
                rows = s.execute(
                    select(MemberRow, PersonRow.display_name)
                    .join(PersonRow, PersonRow.id == MemberRow.person_id)
                    .where(
                        MemberRow.twinspace_id == twinspace_id,
                        MemberRow.person_id.in_(sorted(wrote)),
                    )
                    .order_by(MemberRow.person_id)
                ).all()
                authors = tuple(rec.member(row, name) for row, name in rows)
            return TwinSpaceSnapshot(
                twinspace=space,
                project=project,
                role_counts=counts,
                authors=authors,
                pages=page_list,
                materials=material_list,
                diary=diary,
                threads=threads,
                viewer=None,
                eql=rec.eql_status(s, project.id) if eql_given else None,
            )

    def add_member(
        self,
        actor_id: int,
        twinspace_id: int,
        person_id: int,
        role: TwinSpaceRole,
    ) -> Member:
        return _once_more_on_conflict(
            lambda: self._add_member(actor_id, twinspace_id, person_id, role)
        )

    def _add_member(
        self,
        actor_id: int,
        twinspace_id: int,
        person_id: int,
        role: TwinSpaceRole,
    ) -> Member:
        role = _enum(TwinSpaceRole, role, "role")
        with self._db.session() as s:
            space = rec.load_twinspace(s, twinspace_id)
            invitee = rec.load_person(s, person_id)
            rec.load_person(s, actor_id)
            actor = rec.find_member(s, twinspace_id, actor_id)
            twinspaces.check_invite(actor, role, invitee.kind)
            twinspaces.check_writable(space)
            if rec.member_row(s, twinspace_id, person_id) is not None:
                raise RuleViolationError(N_("This person is already a member of the TwinSpace."))
            now = self._now()
            row = MemberRow(
                twinspace_id=twinspace_id,
                person_id=person_id,
                role=role.value,
                status=MemberStatus.ACTIVE.value,
                role_source=RoleSource.MANUAL.value,
                is_founder=False,
                joined_at=now,
                updated_at=now,
            )
            s.add(row)
            audit.record(
                s,
                AuditAction.MEMBER_ADDED,
                "twinspace",
                twinspace_id,
                {"person_id": person_id, "role": role.value},
                at=now,
                person_id=actor_id,
            )
            s.flush()
            return rec.member(row, invitee.display_name)

    def change_role(
        self, actor_id: int, twinspace_id: int, person_id: int, role: TwinSpaceRole
    ) -> Member:
        role = _enum(TwinSpaceRole, role, "role")

        def apply(row: MemberRow, target: Person) -> None:
            twinspaces.check_role_for_kind(role, target.kind)
            row.role = role.value

        return self._manage(
            actor_id, twinspace_id, person_id, apply, AuditAction.MEMBER_ROLE_CHANGED
        )

    def suspend_member(self, actor_id: int, twinspace_id: int, person_id: int) -> Member:
        def apply(row: MemberRow, _target: Person) -> None:
            row.status = MemberStatus.SUSPENDED.value

        return self._manage(actor_id, twinspace_id, person_id, apply, AuditAction.MEMBER_SUSPENDED)

    def reactivate_member(self, actor_id: int, twinspace_id: int, person_id: int) -> Member:
        def apply(row: MemberRow, _target: Person) -> None:
            row.status = MemberStatus.ACTIVE.value

        return self._manage(
            actor_id, twinspace_id, person_id, apply, AuditAction.MEMBER_REACTIVATED
        )

    def _manage(
        self,
        actor_id: int,
        twinspace_id: int,
        person_id: int,
        apply: Callable[[MemberRow, Person], None],
        action: AuditAction,
    ) -> Member:
        """A teacher administrator's decision on another member: recorded as MANUAL."""
        with self._db.session() as s:
            space = rec.load_twinspace(s, twinspace_id)
            rec.load_person(s, actor_id)
            target_person = rec.load_person(s, person_id)
            target = rec.load_member(s, twinspace_id, person_id)
            actor = rec.find_member(s, twinspace_id, actor_id)
            twinspaces.check_manage(actor, target)
            twinspaces.check_writable(space)
            row = rec.member_row(s, twinspace_id, person_id)
            assert row is not None
            apply(row, target_person)
            row.role_source = RoleSource.MANUAL.value
            row.updated_at = self._now()
            audit.record(
                s,
                action,
                "twinspace",
                twinspace_id,
                {"person_id": person_id, "role": row.role, "status": row.status},
                at=row.updated_at,
                person_id=actor_id,
            )
            s.flush()
            return rec.member(row, target_person.display_name)

    def sync_member(
        self, twinspace_id: int, person_id: int, role: TwinSpaceRole, *, active: bool = True
    ) -> Member:
        return _once_more_on_conflict(
            lambda: self._sync_member(twinspace_id, person_id, role, active=active)
        )

    def _sync_member(
        self, twinspace_id: int, person_id: int, role: TwinSpaceRole, *, active: bool = True
    ) -> Member:
        role = _enum(TwinSpaceRole, role, "role")
        status = MemberStatus.ACTIVE if active else MemberStatus.SUSPENDED
        unchanged = self._unchanged_member(twinspace_id, person_id, role, status)
        if unchanged is not None:
            return unchanged
        with self._db.session() as s:
            # Every launch of a returning member comes here: one read (the person, their
            # membership and the TwinSpace's status) and no write when nothing changed.
            space_status = (
                select(TwinSpaceRow.status).where(TwinSpaceRow.id == twinspace_id).scalar_subquery()
            )
            found = s.execute(
                select(PersonRow, MemberRow, space_status)
                .outerjoin(
                    MemberRow,
                    (MemberRow.person_id == PersonRow.id)
                    & (MemberRow.twinspace_id == twinspace_id),
                )
                .where(PersonRow.id == person_id)
            ).first()
            if found is None or found[2] is None:
                rec.load(s, TwinSpaceRow, twinspace_id, "TwinSpace")  # the TwinSpace first
                raise NotFoundError(N_("Person %(id)s does not exist."), params={"id": person_id})
            target, row = rec.person(found[0]), found[1]
            if found[2] == TwinSpaceStatus.ARCHIVED.value:
                # Only the status matters here; has_pupils is read only to build the refusal.
                space_row = rec.load(s, TwinSpaceRow, twinspace_id, "TwinSpace")
                twinspaces.check_writable(rec.twinspace(s, space_row))
            existing = rec.member(row, target.display_name) if row is not None else None
            if not twinspaces.sync_applies(existing):
                assert existing is not None
                return existing  # a teacher administrator or the project decided: keep it
            twinspaces.check_sync_role(role, target.kind)
            if existing is not None and (existing.role, existing.status) == (role, status):
                return existing  # nothing changed: no write (updated_at = the last change)
            now = self._now()
            if row is None:
                if not active:
                    raise NotFoundError(
                        f"Person {person_id} is not a member of TwinSpace {twinspace_id}."
                    )
                row = MemberRow(
                    twinspace_id=twinspace_id,
                    person_id=person_id,
                    is_founder=False,
                    joined_at=now,
                )
                s.add(row)
            row.role, row.status = role.value, status.value
            row.role_source, row.updated_at = RoleSource.LMS.value, now
            s.flush()
            return rec.member(row, target.display_name)

    def _unchanged_member(
        self, twinspace_id: int, person_id: int, role: TwinSpaceRole, status: MemberStatus
    ) -> Member | None:
        """Every launch of a returning member: one Core read and no write when nothing changed
        (or a teacher administrator decided); None sends everything else (a new member, a
        change, an archived or unknown TwinSpace) to the unit of work below."""
        found = self._membership(twinspace_id, person_id)
        if found is None or found.archived:
            return None
        existing = found.member
        if not twinspaces.sync_applies(existing):
            return existing  # a teacher administrator or the project decided: keep it
        twinspaces.check_sync_role(role, found.kind)
        return existing if (existing.role, existing.status) == (role, status) else None


def _role_counts(s: Session, twinspace_id: int) -> list[RoleCount]:
    """One ``GROUP BY``: the page's summary whatever the size of the class."""
    found: dict[TwinSpaceRole, dict[str, int]] = {}
    for role, status, count in s.execute(
        select(MemberRow.role, MemberRow.status, func.count())
        .where(MemberRow.twinspace_id == twinspace_id)
        .group_by(MemberRow.role, MemberRow.status)
    ):
        found.setdefault(TwinSpaceRole(role), {})[status] = int(count)
    return [
        RoleCount(
            role,
            active=found[role].get(MemberStatus.ACTIVE.value, 0),
            suspended=found[role].get(MemberStatus.SUSPENDED.value, 0),
        )
        for role in sorted(found, key=twinspaces.ROLE_ORDER.__getitem__)
    ]
