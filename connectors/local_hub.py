"""``LocalHub``: the eTwinning hub in the tool's own database (the embedded default).

Implements ``etwin_lti.domain.ports.HubPort``. Every method is one unit of work
(``Database.session()``): the rules of ``etwin_lti.domain`` are checked inside the transaction
and any refusal rolls the whole call back, so a refused call writes nothing. Checks run in a
fixed order: bad values (422), unknown ids (404), the actor's rights (403), then eTwinning rules
and states (409).

Two rules must hold under concurrent requests and are therefore enforced by the database:
- an acknowledgement exists at most once per (kind, person, subject): a unique constraint,
  whose ``IntegrityError`` becomes ``DuplicateAcknowledgementError``;
- a Learning Event never takes more people than its capacity: seats are taken by one
  conditional ``UPDATE ... SET enrolled = enrolled + 1 WHERE enrolled < capacity``, atomic on
  SQLite and PostgreSQL alike.
The four-NQL-applications limit locks the teacher's row (``FOR UPDATE`` on PostgreSQL; SQLite
has a single writer); so do founding a project and changing a person's country, so that a
country never changes once its owner founded a project.

Learning Events: ``list_events(open_only=True)`` lists the events that still take enrolments
(open or running, see ``etwin_lti.domain.events``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime
from importlib import resources
from typing import Any, TypeVar

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from connectors import hub_records as rec
from etwin_lti.domain import acknowledgements as acks
from etwin_lti.domain import course, events, people, projects, twinspaces
from etwin_lti.domain import twinspace_snapshot as snapshots
from etwin_lti.domain.countries import check_country, parse_country_list
from etwin_lti.domain.launches import Resource, ResourceKind
from etwin_lti.domain.model import (
    Acknowledgement,
    AcknowledgementKind,
    Country,
    DiaryComment,
    DiaryPost,
    Edition,
    Enrolment,
    ForumPost,
    ForumThread,
    LearningEvent,
    Material,
    MaterialKind,
    Member,
    MemberStatus,
    NqlApplication,
    NqlDecision,
    Page,
    Person,
    PersonKind,
    PrizeCategory,
    PrizeEligibility,
    Project,
    ProjectStatus,
    RoleSource,
    TwinSpace,
    TwinSpaceRole,
    TwinSpaceStatus,
    Unit,
    UnitProgress,
    Visibility,
)
from etwin_lti.domain.passback import Completion
from etwin_lti.domain.twinspace_snapshot import TwinSpaceSnapshot
from etwin_lti.domain.twinspaces import Action
from etwin_lti.domain.validation import (
    BODY_MAX,
    COMMENT_MAX,
    DESCRIPTION_MAX,
    REASON_MAX,
    FieldErrors,
)
from etwin_lti.errors import (
    DuplicateAcknowledgementError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
    RuleViolationError,
)
from etwin_lti.persistence.db import Database
from etwin_lti.persistence.models.hub import (
    AcknowledgementRow,
    ActivityCompletionRow,
    ActivityRow,
    CountryListRow,
    CountryRow,
    DiaryCommentRow,
    DiaryPostRow,
    EditionRow,
    EditionTraineeRow,
    EditionTrainerRow,
    EnrolmentRow,
    ForumPostRow,
    ForumThreadRow,
    LearningEventRow,
    MaterialRow,
    MemberRow,
    NqlApplicationRow,
    PageRow,
    PersonRow,
    ProjectFounderRow,
    ProjectPartnerRow,
    ProjectRow,
    ProjectValidationRow,
    TwinSpaceRow,
    UnitDocumentRow,
    UnitRow,
)

COUNTRY_LIST = ("etwin_lti.data", "countries.json")
T = TypeVar("T")
# Told of every new completion inside its transaction: (session, completion).
CompletionListener = Callable[[Session, Completion], object]


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _enum(enum_type: Any, value: Any, field: str) -> Any:
    """Coerce a string to the enum (API and CLI callers pass values); unknown values are 422."""
    try:
        return enum_type(value)
    except ValueError:
        raise InvalidInputError(errors={field: [f"Unknown value '{value}'."]}) from None


def _once_more_on_conflict(call: Callable[[], T]) -> T:
    """Two requests making the same row at once (two launches of one pupil, a double click):
    the loser's transaction hits the unique key and rolls back, and the call runs once more,
    now seeing the winner's row (so it answers as if the requests had been one after the other).
    """
    try:
        return call()
    except IntegrityError:
        return call()


class LocalHub:
    def __init__(
        self,
        database: Database,
        *,
        clock: Callable[[], datetime] = _utc_now,
        country_list: Mapping[str, Any] | None = None,
        completion_listeners: Sequence[CompletionListener] = (),
    ) -> None:
        self._db = database
        self._clock = clock
        self._country_list = country_list
        # Called inside the completion's own transaction (the passback outbox writes its
        # pending scores there): a listener that raises rolls the completion back too.
        self._completion_listeners = tuple(completion_listeners)

    def _now(self) -> datetime:
        return rec.aware(self._clock())

    def _today(self) -> date:
        return self._now().date()

    # --- seed data -----------------------------------------------------------------------------

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
            for c in parsed.countries:
                row = s.get(CountryRow, c.code)
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

    def get_person(self, person_id: int) -> Person:
        with self._db.session() as s:
            return rec.load_person(s, person_id)

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

    # --- projects ------------------------------------------------------------------------------

    def create_project(
        self,
        founder_id: int,
        partner_founder_id: int,
        title: str,
        description: str = "",
        *,
        age_band: PrizeCategory | None = None,
    ) -> Project:
        errors = FieldErrors()
        clean_title = errors.title("title", title)
        clean_description = errors.text(
            "description", description, max_length=DESCRIPTION_MAX, required=False
        )
        errors.raise_if_any()
        band = _enum(PrizeCategory, age_band, "age_band") if age_band is not None else None
        with self._db.session() as s:
            # The founders' rows are locked (in id order: two foundings never deadlock) so that
            # a country changing at the same time (set_person_country) waits for this founding.
            for person_id in sorted({founder_id, partner_founder_id}):
                rec.load(s, PersonRow, person_id, "Person", lock=True)
            founder = rec.load_person(s, founder_id)
            partner = rec.load_person(s, partner_founder_id)
            scope = projects.check_founders(rec.current_countries(s), founder, partner)
            row = ProjectRow(
                title=clean_title,
                description=clean_description,
                scope=scope.value,
                status=ProjectStatus.PENDING.value,
                age_band=band.value if band else None,
                created_at=self._now(),
            )
            s.add(row)
            s.flush()
            for position, person in enumerate((founder, partner)):
                assert person.country_code is not None  # checked by check_founders
                s.add(
                    ProjectFounderRow(
                        project_id=row.id,
                        position=position,
                        person_id=person.id,
                        country_code=person.country_code,
                    )
                )
            s.flush()
            return rec.project(s, row)

    def validate_project(self, nso_country_code: str, project_id: int) -> Project:
        return _once_more_on_conflict(lambda: self._validate_project(nso_country_code, project_id))

    def _validate_project(self, nso_country_code: str, project_id: int) -> Project:
        with self._db.session() as s:
            code = check_country(
                rec.current_countries(s),
                nso_country_code,
                field="nso_country_code",
                require_eligible=False,
            ).code
            row = rec.load(s, ProjectRow, project_id, "Project", lock=True)
            project = rec.project(s, row)
            validated_by = projects.check_validation(project, code)
            now = self._now()
            s.add(ProjectValidationRow(project_id=row.id, country_code=code, validated_at=now))
            if projects.is_fully_validated(project, validated_by):
                self._approve(s, row, project, now)
            s.flush()
            return rec.project(s, row)

    def _approve(self, s: Session, row: ProjectRow, project: Project, now: datetime) -> None:
        """TwinSpace and Project Diary appear, founders administer it and get the label."""
        row.status, row.approved_at = ProjectStatus.APPROVED.value, now
        space = TwinSpaceRow(
            project_id=row.id, title=row.title, status=TwinSpaceStatus.OPEN.value, created_at=now
        )
        s.add(space)
        s.flush()
        for founder_id in dict.fromkeys(project.founder_ids):
            s.add(
                MemberRow(
                    twinspace_id=space.id,
                    person_id=founder_id,
                    role=TwinSpaceRole.TEACHER_ADMINISTRATOR.value,
                    status=MemberStatus.ACTIVE.value,
                    role_source=RoleSource.PROJECT.value,
                    is_founder=True,
                    joined_at=now,
                    updated_at=now,
                )
            )
        for founder_id in dict.fromkeys(project.founder_ids):
            self._issue(
                s,
                AcknowledgementKind.ETWINNING_LABEL,
                founder_id,
                acks.project_subject(row.id),
                f"eTwinning label: {row.title}"[:200],
                {"project_id": str(row.id)},
            )

    def add_partner(self, actor_id: int, project_id: int, teacher_id: int) -> Project:
        return _once_more_on_conflict(lambda: self._add_partner(actor_id, project_id, teacher_id))

    def _add_partner(self, actor_id: int, project_id: int, teacher_id: int) -> Project:
        with self._db.session() as s:
            row = rec.load(s, ProjectRow, project_id, "Project")
            project = rec.project(s, row)
            teacher = rec.load_person(s, teacher_id)
            rec.load_person(s, actor_id)
            if project.status is not ProjectStatus.APPROVED or project.twinspace_id is None:
                raise RuleViolationError("Partners join a project once it is approved and open.")
            actor = rec.find_member(s, project.twinspace_id, actor_id)
            twinspaces.check_can(actor, Action.MANAGE_MEMBERS)
            projects.check_project_teacher(rec.current_countries(s), teacher, field="teacher_id")
            projects.check_can_add_partner(project, teacher_id)
            now = self._now()
            s.add(ProjectPartnerRow(project_id=row.id, person_id=teacher_id, joined_at=now))
            existing = rec.member_row(s, project.twinspace_id, teacher_id)
            if existing is None:
                s.add(
                    MemberRow(
                        twinspace_id=project.twinspace_id,
                        person_id=teacher_id,
                        role=TwinSpaceRole.TEACHER.value,
                        status=MemberStatus.ACTIVE.value,
                        role_source=RoleSource.PROJECT.value,
                        is_founder=False,
                        joined_at=now,
                        updated_at=now,
                    )
                )
            else:
                # Already there (from the LMS or an invitation): now a partner of the project.
                if existing.role != TwinSpaceRole.TEACHER_ADMINISTRATOR.value:
                    existing.role = TwinSpaceRole.TEACHER.value
                existing.status = MemberStatus.ACTIVE.value
                existing.role_source = RoleSource.PROJECT.value
                existing.updated_at = now
            s.flush()
            return rec.project(s, row)

    def close_project(self, actor_id: int, project_id: int) -> Project:
        with self._db.session() as s:
            row = rec.load(s, ProjectRow, project_id, "Project", lock=True)
            project = rec.project(s, row)
            rec.load_person(s, actor_id)
            projects.check_can_close(project, actor_id)
            now = self._now()
            row.status, row.closed_at = ProjectStatus.CLOSED.value, now
            if project.twinspace_id is not None:
                space = rec.load(s, TwinSpaceRow, project.twinspace_id, "TwinSpace")
                space.status = TwinSpaceStatus.ARCHIVED.value
            s.flush()
            return rec.project(s, row)

    def get_project(self, project_id: int) -> Project:
        with self._db.session() as s:
            return rec.load_project(s, project_id)

    def list_projects(self, *, member_id: int | None = None) -> list[Project]:
        with self._db.session() as s:
            query = select(ProjectRow).order_by(ProjectRow.id)
            if member_id is not None:
                founders = select(ProjectFounderRow.project_id).where(
                    ProjectFounderRow.person_id == member_id
                )
                partners = select(ProjectPartnerRow.project_id).where(
                    ProjectPartnerRow.person_id == member_id
                )
                query = query.where(ProjectRow.id.in_(founders) | ProjectRow.id.in_(partners))
            return [rec.project(s, row) for row in s.scalars(query).all()]

    # --- TwinSpaces and members ----------------------------------------------------------------

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
            rows = s.execute(
                select(MemberRow, PersonRow.display_name)
                .join(PersonRow, PersonRow.id == MemberRow.person_id)
                .where(MemberRow.twinspace_id == twinspace_id)
            ).all()
            members = [rec.member(row, name) for row, name in rows]
            return sorted(members, key=twinspaces.member_sort_key)

    def get_member(self, twinspace_id: int, person_id: int) -> Member:
        with self._db.session() as s:
            rec.load(s, TwinSpaceRow, twinspace_id, "TwinSpace")
            return rec.load_member(s, twinspace_id, person_id)

    def twinspace_snapshot(
        self, twinspace_id: int, *, viewer_id: int | None = None
    ) -> TwinSpaceSnapshot:
        """One unit of work; each kind of row is one query (comments and forum posts in one
        ``IN`` query each, only when there are posts): nine statements for a quiet space."""
        with self._db.session() as s:
            found = s.execute(
                select(TwinSpaceRow, ProjectRow)
                .join(ProjectRow, ProjectRow.id == TwinSpaceRow.project_id)
                .where(TwinSpaceRow.id == twinspace_id)
            ).first()
            if found is None:
                raise NotFoundError(f"TwinSpace {twinspace_id} does not exist.")
            space_row, project_row = found
            rows = s.execute(
                select(MemberRow, PersonRow.display_name)
                .join(PersonRow, PersonRow.id == MemberRow.person_id)
                .where(MemberRow.twinspace_id == twinspace_id)
            ).all()
            members = tuple(
                sorted(
                    (rec.member(row, name) for row, name in rows), key=twinspaces.member_sort_key
                )
            )
            space = TwinSpace(
                id=space_row.id,
                project_id=space_row.project_id,
                title=space_row.title,
                status=TwinSpaceStatus(space_row.status),
                has_pupils=any(m.role in twinspaces.PUPIL_ROLES for m in members),
            )
            project = rec.project(s, project_row, twinspace_id=space_row.id)
            viewer = snapshots.find_viewer(members, viewer_id)
            private = snapshots.sees_private(viewer)
            pages = select(PageRow).where(PageRow.twinspace_id == twinspace_id)
            materials = select(MaterialRow).where(MaterialRow.twinspace_id == twinspace_id)
            if not private:
                pages = pages.where(PageRow.visibility == Visibility.PUBLIC.value)
                materials = materials.where(MaterialRow.visibility == Visibility.PUBLIC.value)
            return TwinSpaceSnapshot(
                twinspace=space,
                project=project,
                members=members,
                pages=tuple(rec.page(r) for r in s.scalars(pages.order_by(PageRow.id))),
                materials=tuple(
                    rec.material(r) for r in s.scalars(materials.order_by(MaterialRow.id))
                ),
                diary=rec.diary_posts(s, project.id),
                threads=rec.forum_threads(s, twinspace_id) if private else (),
                viewer=viewer,
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
                raise RuleViolationError("This person is already a member of the TwinSpace.")
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
            s.flush()
            return rec.member(row, invitee.display_name)

    def change_role(
        self, actor_id: int, twinspace_id: int, person_id: int, role: TwinSpaceRole
    ) -> Member:
        role = _enum(TwinSpaceRole, role, "role")

        def apply(row: MemberRow, target: Person) -> None:
            twinspaces.check_role_for_kind(role, target.kind)
            row.role = role.value

        return self._manage(actor_id, twinspace_id, person_id, apply)

    def suspend_member(self, actor_id: int, twinspace_id: int, person_id: int) -> Member:
        def apply(row: MemberRow, _target: Person) -> None:
            row.status = MemberStatus.SUSPENDED.value

        return self._manage(actor_id, twinspace_id, person_id, apply)

    def reactivate_member(self, actor_id: int, twinspace_id: int, person_id: int) -> Member:
        def apply(row: MemberRow, _target: Person) -> None:
            row.status = MemberStatus.ACTIVE.value

        return self._manage(actor_id, twinspace_id, person_id, apply)

    def _manage(
        self,
        actor_id: int,
        twinspace_id: int,
        person_id: int,
        apply: Callable[[MemberRow, Person], None],
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
        with self._db.session() as s:
            # Every launch of a returning member comes here: two reads (the TwinSpace; the
            # person with their membership) and no write when nothing changed.
            space_row = rec.load(s, TwinSpaceRow, twinspace_id, "TwinSpace")
            found = s.execute(
                select(PersonRow, MemberRow)
                .outerjoin(
                    MemberRow,
                    (MemberRow.person_id == PersonRow.id)
                    & (MemberRow.twinspace_id == twinspace_id),
                )
                .where(PersonRow.id == person_id)
            ).first()
            if found is None:
                raise NotFoundError(f"Person {person_id} does not exist.")
            target, row = rec.person(found[0]), found[1]
            if space_row.status == TwinSpaceStatus.ARCHIVED.value:
                # Only the status matters here; has_pupils is read only to build the refusal.
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

    # --- content -------------------------------------------------------------------------------

    def _author(
        self, s: Session, actor_id: int, twinspace_id: int, action: Action
    ) -> tuple[TwinSpace, Member]:
        space = rec.load_twinspace(s, twinspace_id)
        rec.load_person(s, actor_id)
        actor = twinspaces.check_can(rec.find_member(s, twinspace_id, actor_id), action)
        twinspaces.check_writable(space)
        return space, actor

    def add_page(
        self,
        actor_id: int,
        twinspace_id: int,
        title: str,
        body: str,
        *,
        visibility: Visibility | None = None,
    ) -> Page:
        errors = FieldErrors()
        clean_title = errors.title("title", title)
        clean_body = errors.text("body", body, max_length=BODY_MAX, required=False)
        errors.raise_if_any()
        wanted = _enum(Visibility, visibility, "visibility") if visibility is not None else None
        with self._db.session() as s:
            space, actor = self._author(s, actor_id, twinspace_id, Action.ADD_PAGE)
            row = PageRow(
                twinspace_id=twinspace_id,
                title=clean_title,
                body=clean_body,
                visibility=twinspaces.resolve_visibility(wanted, actor, space).value,
                author_id=actor_id,
                created_at=self._now(),
            )
            s.add(row)
            s.flush()
            return rec.page(row)

    def list_pages(self, twinspace_id: int, *, viewer_id: int | None = None) -> list[Page]:
        return self._list_visible(PageRow, rec.page, twinspace_id, viewer_id)

    def _list_visible(
        self, row_type: Any, to_domain: Callable[[Any], T], twinspace_id: int, viewer_id: int | None
    ) -> list[T]:
        """Pages and materials alike: a viewer who is not an active member sees public ones."""
        with self._db.session() as s:
            rec.load(s, TwinSpaceRow, twinspace_id, "TwinSpace")
            query = select(row_type).where(row_type.twinspace_id == twinspace_id)
            if not self._sees_private(s, twinspace_id, viewer_id):
                query = query.where(row_type.visibility == Visibility.PUBLIC.value)
            return [to_domain(row) for row in s.scalars(query.order_by(row_type.id))]

    def _sees_private(self, s: Session, twinspace_id: int, viewer_id: int | None) -> bool:
        if viewer_id is None:
            return False
        return twinspaces.can_see_private(rec.find_member(s, twinspace_id, viewer_id))

    def add_material(
        self,
        actor_id: int,
        twinspace_id: int,
        title: str,
        kind: MaterialKind,
        url: str,
        *,
        visibility: Visibility | None = None,
    ) -> Material:
        errors = FieldErrors()
        clean_title = errors.title("title", title)
        clean_url = errors.url("url", url)
        errors.raise_if_any()
        material_kind = _enum(MaterialKind, kind, "kind")
        wanted = _enum(Visibility, visibility, "visibility") if visibility is not None else None
        with self._db.session() as s:
            space, actor = self._author(s, actor_id, twinspace_id, Action.ADD_MATERIAL)
            row = MaterialRow(
                twinspace_id=twinspace_id,
                title=clean_title,
                kind=material_kind.value,
                url=clean_url,
                visibility=twinspaces.resolve_visibility(wanted, actor, space).value,
                author_id=actor_id,
                created_at=self._now(),
            )
            s.add(row)
            s.flush()
            return rec.material(row)

    def list_materials(self, twinspace_id: int, *, viewer_id: int | None = None) -> list[Material]:
        return self._list_visible(MaterialRow, rec.material, twinspace_id, viewer_id)

    def post_diary(self, actor_id: int, project_id: int, title: str, body: str) -> DiaryPost:
        errors = FieldErrors()
        clean_title = errors.title("title", title)
        clean_body = errors.text("body", body, max_length=BODY_MAX)
        errors.raise_if_any()
        with self._db.session() as s:
            project = rec.load_project(s, project_id)
            rec.load_person(s, actor_id)
            if actor_id not in projects.project_teacher_ids(project):
                raise PermissionDeniedError("Only the project's partners post to its Diary.")
            if project.twinspace_id is not None:
                twinspaces.check_active_member(rec.find_member(s, project.twinspace_id, actor_id))
            projects.check_diary_open(project)
            row = DiaryPostRow(
                project_id=project_id,
                author_id=actor_id,
                title=clean_title,
                body=clean_body,
                created_at=self._now(),
            )
            s.add(row)
            s.flush()
            return rec.diary_post(s, row)

    def comment_diary(self, actor_id: int, post_id: int, body: str) -> DiaryComment:
        clean_body = FieldErrors()
        text = clean_body.text("body", body, max_length=COMMENT_MAX)
        clean_body.raise_if_any()
        with self._db.session() as s:
            post = rec.load(s, DiaryPostRow, post_id, "Diary post")
            project = rec.load_project(s, post.project_id)
            rec.load_person(s, actor_id)
            actor = (
                rec.find_member(s, project.twinspace_id, actor_id)
                if project.twinspace_id is not None
                else None
            )
            twinspaces.check_can(actor, Action.COMMENT_DIARY)
            projects.check_diary_open(project)
            row = DiaryCommentRow(
                post_id=post_id, author_id=actor_id, body=text, created_at=self._now()
            )
            s.add(row)
            s.flush()
            return rec.diary_comment(row)

    def list_diary(self, project_id: int) -> list[DiaryPost]:
        with self._db.session() as s:
            rec.load(s, ProjectRow, project_id, "Project")
            rows = s.scalars(
                select(DiaryPostRow)
                .where(DiaryPostRow.project_id == project_id)
                .order_by(DiaryPostRow.created_at.desc(), DiaryPostRow.id.desc())
            ).all()
            return [rec.diary_post(s, row) for row in rows]

    def create_thread(self, actor_id: int, twinspace_id: int, title: str, body: str) -> ForumThread:
        errors = FieldErrors()
        clean_title = errors.title("title", title)
        clean_body = errors.text("body", body, max_length=BODY_MAX)
        errors.raise_if_any()
        with self._db.session() as s:
            self._author(s, actor_id, twinspace_id, Action.CREATE_THREAD)
            now = self._now()
            row = ForumThreadRow(
                twinspace_id=twinspace_id, author_id=actor_id, title=clean_title, created_at=now
            )
            s.add(row)
            s.flush()
            s.add(
                ForumPostRow(thread_id=row.id, author_id=actor_id, body=clean_body, created_at=now)
            )
            s.flush()
            return rec.forum_thread(s, row)

    def reply_thread(self, actor_id: int, thread_id: int, body: str) -> ForumPost:
        errors = FieldErrors()
        clean_body = errors.text("body", body, max_length=BODY_MAX)
        errors.raise_if_any()
        with self._db.session() as s:
            thread = rec.load(s, ForumThreadRow, thread_id, "Forum thread")
            self._author(s, actor_id, thread.twinspace_id, Action.REPLY_THREAD)
            row = ForumPostRow(
                thread_id=thread_id, author_id=actor_id, body=clean_body, created_at=self._now()
            )
            s.add(row)
            s.flush()
            return rec.forum_post(row)

    def list_threads(self, twinspace_id: int) -> list[ForumThread]:
        with self._db.session() as s:
            rec.load(s, TwinSpaceRow, twinspace_id, "TwinSpace")
            rows = s.scalars(
                select(ForumThreadRow)
                .where(ForumThreadRow.twinspace_id == twinspace_id)
                .order_by(ForumThreadRow.id)
            ).all()
            return [rec.forum_thread(s, row) for row in rows]

    # --- Learning Events -----------------------------------------------------------------------

    def create_event(
        self,
        title: str,
        description: str,
        expert_id: int,
        starts_on: date,
        ends_on: date,
        capacity: int,
    ) -> LearningEvent:
        new = events.check_new_event(title, description, starts_on, ends_on, capacity)
        with self._db.session() as s:
            events.check_expert(rec.load_person(s, expert_id))
            row = LearningEventRow(
                title=new.title,
                description=new.description,
                expert_id=expert_id,
                starts_on=new.starts_on,
                ends_on=new.ends_on,
                capacity=new.capacity,
                enrolled=0,
                created_at=self._now(),
            )
            s.add(row)
            s.flush()
            return rec.learning_event(row, self._today())

    def get_event(self, event_id: int) -> LearningEvent:
        with self._db.session() as s:
            row = rec.load(s, LearningEventRow, event_id, "Learning Event")
            return rec.learning_event(row, self._today())

    def list_events(self, *, open_only: bool = False) -> list[LearningEvent]:
        today = self._today()
        with self._db.session() as s:
            query = select(LearningEventRow).order_by(
                LearningEventRow.starts_on, LearningEventRow.id
            )
            if open_only:
                query = query.where(LearningEventRow.ends_on >= today)
            return [rec.learning_event(row, today) for row in s.scalars(query)]

    def enrol(self, event_id: int, person_id: int) -> Enrolment:
        with self._db.session() as s:
            row = rec.load(s, LearningEventRow, event_id, "Learning Event")
            person = rec.load_person(s, person_id)
            already = s.get(EnrolmentRow, (event_id, person_id)) is not None
            events.check_enrolment(
                rec.learning_event(row, self._today()), person, already_enrolled=already
            )
            taken = s.execute(
                update(LearningEventRow)
                .where(
                    LearningEventRow.id == event_id,
                    LearningEventRow.enrolled < LearningEventRow.capacity,
                )
                .values(enrolled=LearningEventRow.enrolled + 1)
                .execution_options(synchronize_session=False)
            )
            if taken.rowcount != 1:  # type: ignore[attr-defined]
                raise events.EventFullError()
            enrolment = EnrolmentRow(
                event_id=event_id, person_id=person_id, enrolled_at=self._now()
            )
            s.add(enrolment)
            try:
                s.flush()
            except IntegrityError as error:  # the same person enrolling twice at once
                raise events.AlreadyEnrolledError() from error
            return Enrolment(event_id=event_id, person_id=person_id)

    def list_enrolments(self, event_id: int) -> list[Enrolment]:
        with self._db.session() as s:
            rec.load(s, LearningEventRow, event_id, "Learning Event")
            rows = s.scalars(
                select(EnrolmentRow)
                .where(EnrolmentRow.event_id == event_id)
                .order_by(EnrolmentRow.enrolled_at, EnrolmentRow.person_id)
            )
            return [
                Enrolment(r.event_id, r.person_id, completed_at=rec.utc(r.completed_at))
                for r in rows
            ]

    def complete_event(self, actor_id: int, event_id: int, person_id: int) -> Acknowledgement:
        with self._db.session() as s:
            row = rec.load(s, LearningEventRow, event_id, "Learning Event")
            rec.load_person(s, actor_id)
            rec.load_person(s, person_id)
            event = rec.learning_event(row, self._today())
            enrolment = s.get(EnrolmentRow, (event_id, person_id))
            events.check_completion(event, actor_id, enrolled=enrolment is not None)
            assert enrolment is not None
            now = self._now()
            if enrolment.completed_at is None:
                enrolment.completed_at = now
                self._completed(
                    s, Completion(person_id, Resource(ResourceKind.EVENT, event_id), now)
                )
            return self._issue(
                s,
                AcknowledgementKind.EVENT_CERTIFICATE,
                person_id,
                events.certificate_subject(event_id),
                events.certificate_title(event),
                {"event_id": str(event_id), "expert_id": str(actor_id)},
            )

    # --- distance training course --------------------------------------------------------------

    def create_edition(
        self,
        title: str,
        year: int,
        starts_on: date,
        ends_on: date,
        *,
        trainer_ids: Sequence[int] = (),
    ) -> Edition:
        new = course.check_new_edition(title, year, starts_on, ends_on)
        with self._db.session() as s:
            trainers = [rec.load_person(s, pid) for pid in dict.fromkeys(trainer_ids)]
            course.check_trainers(trainers)
            row = EditionRow(
                title=new.title,
                year=new.year,
                starts_on=new.starts_on,
                ends_on=new.ends_on,
                created_at=self._now(),
            )
            s.add(row)
            s.flush()
            for trainer in trainers:
                s.add(EditionTrainerRow(edition_id=row.id, person_id=trainer.id))
            s.flush()
            return rec.load_edition(s, row.id, self._today())

    def get_edition(self, edition_id: int) -> Edition:
        with self._db.session() as s:
            return rec.load_edition(s, edition_id, self._today())

    def list_editions(self) -> list[Edition]:
        with self._db.session() as s:
            return rec.editions(s, self._today())

    def add_unit(
        self,
        edition_id: int,
        title: str,
        summary: str,
        *,
        documents: Sequence[tuple[str, str]] = (),
        activities: Sequence[tuple[str, str]] = (),
    ) -> Unit:
        new = course.check_new_unit(title, summary, list(documents), list(activities))
        with self._db.session() as s:
            rec.load(s, EditionRow, edition_id, "Edition", lock=True)
            last = s.scalar(
                select(func.max(UnitRow.position)).where(UnitRow.edition_id == edition_id)
            )
            row = UnitRow(
                edition_id=edition_id,
                title=new.title,
                summary=new.summary,
                position=(last or 0) + 1,
            )
            s.add(row)
            s.flush()
            for position, (doc_title, url) in enumerate(new.documents, start=1):
                s.add(UnitDocumentRow(unit_id=row.id, title=doc_title, url=url, position=position))
            for position, (act_title, instructions) in enumerate(new.activities, start=1):
                s.add(
                    ActivityRow(
                        unit_id=row.id,
                        title=act_title,
                        instructions=instructions,
                        position=position,
                    )
                )
            s.flush()
            return rec.unit(s, row)

    def get_unit(self, unit_id: int) -> Unit:
        with self._db.session() as s:
            return rec.load_unit(s, unit_id)

    def list_units(self, *, edition_id: int | None = None) -> list[Unit]:
        with self._db.session() as s:
            query = (
                select(UnitRow)
                .join(EditionRow, EditionRow.id == UnitRow.edition_id)
                .order_by(EditionRow.year, EditionRow.id, UnitRow.position)
            )
            if edition_id is not None:
                rec.load(s, EditionRow, edition_id, "Edition")
                query = query.where(UnitRow.edition_id == edition_id)
            return [rec.unit(s, row) for row in s.scalars(query).all()]

    def enrol_trainee(self, edition_id: int, person_id: int) -> None:
        return _once_more_on_conflict(lambda: self._enrol_trainee(edition_id, person_id))

    def _enrol_trainee(self, edition_id: int, person_id: int) -> None:
        with self._db.session() as s:
            rec.load(s, EditionRow, edition_id, "Edition")
            course.check_trainee(rec.load_person(s, person_id))
            if s.get(EditionTraineeRow, (edition_id, person_id)) is None:
                s.add(
                    EditionTraineeRow(
                        edition_id=edition_id, person_id=person_id, enrolled_at=self._now()
                    )
                )

    def list_trainees(self, edition_id: int) -> list[Person]:
        with self._db.session() as s:
            rec.load(s, EditionRow, edition_id, "Edition")
            rows = s.scalars(
                select(PersonRow)
                .join(EditionTraineeRow, EditionTraineeRow.person_id == PersonRow.id)
                .where(EditionTraineeRow.edition_id == edition_id)
            ).all()
            trainees = [rec.person(row) for row in rows]
            return sorted(trainees, key=lambda p: (p.display_name.casefold(), p.id))

    def mark_activity_done(self, person_id: int, activity_id: int) -> UnitProgress:
        return _once_more_on_conflict(lambda: self._mark_activity_done(person_id, activity_id))

    def _mark_activity_done(self, person_id: int, activity_id: int) -> UnitProgress:
        with self._db.session() as s:
            activity = rec.load(s, ActivityRow, activity_id, "Activity")
            rec.load_person(s, person_id)
            unit_row = rec.load(s, UnitRow, activity.unit_id, "Unit")
            if s.get(EditionTraineeRow, (unit_row.edition_id, person_id)) is None:
                raise course.NotATraineeError()
            newly_done = s.get(ActivityCompletionRow, (activity_id, person_id)) is None
            if newly_done:
                s.add(
                    ActivityCompletionRow(
                        activity_id=activity_id, person_id=person_id, done_at=self._now()
                    )
                )
                s.flush()
            progress = self._progress(s, rec.unit(s, unit_row), person_id)
            if newly_done and progress.completed_at is not None:  # this was the last one
                self._completed(
                    s,
                    Completion(
                        person_id, Resource(ResourceKind.UNIT, unit_row.id), progress.completed_at
                    ),
                )
            return progress

    def _completed(self, s: Session, completion: Completion) -> None:
        for listener in self._completion_listeners:
            listener(s, completion)

    def unit_progress(self, person_id: int, unit_id: int) -> UnitProgress:
        with self._db.session() as s:
            rec.load_person(s, person_id)
            return self._progress(s, rec.load_unit(s, unit_id), person_id)

    def _progress(self, s: Session, unit: Unit, person_id: int) -> UnitProgress:
        ids = [a.id for a in unit.activities]
        done_at = {
            activity_id: rec.aware(when)
            for activity_id, when in s.execute(
                select(ActivityCompletionRow.activity_id, ActivityCompletionRow.done_at).where(
                    ActivityCompletionRow.person_id == person_id,
                    ActivityCompletionRow.activity_id.in_(ids),
                )
            )
        }
        return course.unit_progress(unit, person_id, done_at)

    def complete_course(
        self, actor_id: int | None, edition_id: int, person_id: int
    ) -> Acknowledgement:
        with self._db.session() as s:
            edition = rec.load_edition(s, edition_id, self._today())
            rec.load_person(s, person_id)
            if actor_id is not None:
                rec.load_person(s, actor_id)
            is_trainee = s.get(EditionTraineeRow, (edition_id, person_id)) is not None
            unfinished = [
                unit.title
                for unit in (
                    rec.unit(s, row)
                    for row in s.scalars(
                        select(UnitRow)
                        .where(UnitRow.edition_id == edition_id)
                        .order_by(UnitRow.position)
                    )
                )
                if not course.is_unit_complete(unit, self._progress(s, unit, person_id))
            ]
            course.check_course_completion(
                edition, actor_id, is_trainee=is_trainee, unfinished_unit_titles=unfinished
            )
            decided_by = "system" if actor_id is None else f"trainer:{actor_id}"
            return self._issue(
                s,
                AcknowledgementKind.COURSE_CERTIFICATE,
                person_id,
                course.certificate_subject(edition_id),
                course.certificate_title(edition),
                {"edition_id": str(edition_id), "decided_by": decided_by},
            )

    # --- acknowledgements ----------------------------------------------------------------------

    def apply_nql(self, actor_id: int, project_id: int, school_year: str) -> NqlApplication:
        year = acks.check_school_year(school_year)
        with self._db.session() as s:
            project = rec.load_project(s, project_id)
            # Serialises one teacher's applications: the limit of four holds under concurrency.
            applicant = rec.load_person(s, actor_id, lock=True)
            this_year = [
                rec.nql_application(row)
                for row in s.scalars(
                    select(NqlApplicationRow).where(
                        NqlApplicationRow.teacher_id == actor_id,
                        NqlApplicationRow.school_year == year,
                    )
                )
            ]
            acks.check_nql_application(
                project,
                actor_id,
                teacher_ids=projects.project_teacher_ids(project),
                applications_this_year=this_year,
                holds_nql=self._holds(
                    s, AcknowledgementKind.NATIONAL_QUALITY_LABEL, actor_id, project_id
                ),
                teacher_country=applicant.country_code,
            )
            row = NqlApplicationRow(
                project_id=project_id,
                teacher_id=actor_id,
                school_year=year,
                decision=NqlDecision.PENDING.value,
                scores={},
                sub_scores={},
                applied_at=self._now(),
            )
            s.add(row)
            try:
                s.flush()
            except IntegrityError as error:
                raise RuleViolationError(
                    "You have already applied for this project this school year."
                ) from error
            return rec.nql_application(row)

    def decide_nql(
        self,
        nso_country_code: str,
        application_id: int,
        scores: Mapping[str, int],
        sub_scores: Mapping[str, int],
    ) -> NqlApplication:
        clean_scores, clean_sub = acks.check_scores(scores, sub_scores)
        with self._db.session() as s:
            code = check_country(
                rec.current_countries(s),
                nso_country_code,
                field="nso_country_code",
                require_eligible=False,
            ).code
            row = rec.load(s, NqlApplicationRow, application_id, "NQL application", lock=True)
            teacher = rec.load_person(s, row.teacher_id)
            acks.check_nql_decider(rec.nql_application(row), code, teacher.country_code)
            decision = acks.nql_decision(clean_sub)
            now = self._now()
            row.scores, row.sub_scores = clean_scores, clean_sub
            row.decision, row.decided_by, row.decided_at = decision.value, code, now
            if decision is NqlDecision.GRANTED:
                project = rec.load(s, ProjectRow, row.project_id, "Project")
                self._issue(
                    s,
                    AcknowledgementKind.NATIONAL_QUALITY_LABEL,
                    row.teacher_id,
                    acks.project_subject(row.project_id),
                    f"National Quality Label: {project.title}"[:200],
                    {
                        "application_id": str(row.id),
                        "school_year": row.school_year,
                        "total_score": str(sum(clean_scores.values())),
                        "nso": code,
                    },
                )
            s.flush()
            return rec.nql_application(row)

    def list_nql_applications(
        self, *, project_id: int | None = None, teacher_id: int | None = None
    ) -> list[NqlApplication]:
        with self._db.session() as s:
            query = select(NqlApplicationRow).order_by(NqlApplicationRow.id)
            if project_id is not None:
                query = query.where(NqlApplicationRow.project_id == project_id)
            if teacher_id is not None:
                query = query.where(NqlApplicationRow.teacher_id == teacher_id)
            return [rec.nql_application(row) for row in s.scalars(query)]

    def award_eql(self, project_id: int) -> list[Acknowledgement]:
        with self._db.session() as s:
            project = rec.load_project(s, project_id, lock=True)
            subject = acks.project_subject(project_id)
            nql = self._holders(s, AcknowledgementKind.NATIONAL_QUALITY_LABEL, subject)
            countries = {
                pid: code
                for pid, code in s.execute(
                    select(PersonRow.id, PersonRow.country_code).where(PersonRow.id.in_(nql))
                )
            }
            recipients = acks.eql_recipients(
                project,
                {pid: countries.get(pid) or "" for pid in nql},
                self._holders(s, AcknowledgementKind.EUROPEAN_QUALITY_LABEL, subject),
            )
            if not recipients:
                raise DuplicateAcknowledgementError(
                    "Every NQL holder of this project already holds the EQL."
                )
            evidence = {
                "project_id": str(project_id),
                "nql_countries": ",".join(sorted({c for c in countries.values() if c})),
            }
            title = f"European Quality Label: {project.title}"[:200]
            return [
                self._issue(
                    s, AcknowledgementKind.EUROPEAN_QUALITY_LABEL, pid, subject, title, evidence
                )
                for pid in recipients
            ]

    def prize_eligibility(self, project_id: int, category: PrizeCategory) -> PrizeEligibility:
        band = _enum(PrizeCategory, category, "category")
        with self._db.session() as s:
            project = rec.load_project(s, project_id)
            subject = acks.project_subject(project_id)
            return acks.prize_eligibility(
                project,
                band,
                has_eql=bool(self._holders(s, AcknowledgementKind.EUROPEAN_QUALITY_LABEL, subject)),
                nql_holder_ids=self._holders(
                    s, AcknowledgementKind.NATIONAL_QUALITY_LABEL, subject
                ),
            )

    def issue_acknowledgement(
        self,
        kind: AcknowledgementKind,
        person_id: int,
        subject: str,
        title: str,
        *,
        evidence: Mapping[str, str] | None = None,
    ) -> Acknowledgement:
        errors = FieldErrors()
        clean_subject = errors.subject("subject", subject)
        clean_title = errors.title("title", title)
        clean_evidence = errors.evidence("evidence", evidence)
        errors.raise_if_any()
        ack_kind = _enum(AcknowledgementKind, kind, "kind")
        with self._db.session() as s:
            rec.load_person(s, person_id)
            return self._issue(s, ack_kind, person_id, clean_subject, clean_title, clean_evidence)

    def _issue(
        self,
        s: Session,
        kind: AcknowledgementKind,
        person_id: int,
        subject: str,
        title: str,
        evidence: Mapping[str, str],
    ) -> Acknowledgement:
        """Insert one acknowledgement; the unique constraint decides about duplicates."""
        s.flush()  # anything pending first, so the only possible IntegrityError below is ours
        existing = s.scalar(
            select(AcknowledgementRow.id).where(
                AcknowledgementRow.kind == kind.value,
                AcknowledgementRow.person_id == person_id,
                AcknowledgementRow.subject == subject,
            )
        )
        if existing is not None:
            raise DuplicateAcknowledgementError()
        row = AcknowledgementRow(
            kind=kind.value,
            person_id=person_id,
            subject=subject,
            title=title,
            issued_at=self._now(),
            evidence=dict(evidence),
        )
        s.add(row)
        try:
            s.flush()
        except IntegrityError as error:  # a concurrent request issued it first
            raise DuplicateAcknowledgementError() from error
        return rec.acknowledgement(row)

    def _holders(self, s: Session, kind: AcknowledgementKind, subject: str) -> list[int]:
        return list(
            s.scalars(
                select(AcknowledgementRow.person_id)
                .where(
                    AcknowledgementRow.kind == kind.value,
                    AcknowledgementRow.subject == subject,
                    AcknowledgementRow.revoked_at.is_(None),
                )
                .order_by(AcknowledgementRow.person_id)
            )
        )

    def _holds(
        self, s: Session, kind: AcknowledgementKind, person_id: int, project_id: int
    ) -> bool:
        return person_id in self._holders(s, kind, acks.project_subject(project_id))

    def get_acknowledgement(self, acknowledgement_id: int) -> Acknowledgement:
        with self._db.session() as s:
            return rec.acknowledgement(
                rec.load(s, AcknowledgementRow, acknowledgement_id, "Acknowledgement")
            )

    def revoke_acknowledgement(self, acknowledgement_id: int, reason: str) -> Acknowledgement:
        errors = FieldErrors()
        clean_reason = errors.text("reason", reason, max_length=REASON_MAX)
        errors.raise_if_any()
        with self._db.session() as s:
            row = rec.load(s, AcknowledgementRow, acknowledgement_id, "Acknowledgement")
            if row.revoked_at is not None:
                raise RuleViolationError("This acknowledgement has already been revoked.")
            row.revoked_at = self._now()
            # The reason travels with the record: it is what a holder is shown.
            row.evidence = {**(row.evidence or {}), "revocation_reason": clean_reason}
            s.flush()
            return rec.acknowledgement(row)

    def list_acknowledgements(
        self, *, person_id: int | None = None, subject: str | None = None
    ) -> list[Acknowledgement]:
        with self._db.session() as s:
            query = select(AcknowledgementRow).order_by(AcknowledgementRow.id)
            if person_id is not None:
                query = query.where(AcknowledgementRow.person_id == person_id)
            if subject is not None:
                query = query.where(AcknowledgementRow.subject == subject)
            return [rec.acknowledgement(row) for row in s.scalars(query)]
