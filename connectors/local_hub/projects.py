"""Projects: founding, NSO validation (approval opens the TwinSpace), partners, closing."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from connectors import hub_records as rec
from connectors import sql_audit as audit
from connectors.local_hub.base import LocalHubBase, _enum, _once_more_on_conflict
from etwin_lti.domain import acknowledgements as acks
from etwin_lti.domain import projects, twinspaces
from etwin_lti.domain.audit import AuditAction
from etwin_lti.domain.countries import check_country
from etwin_lti.domain.model import (
    AcknowledgementKind,
    EducationalLevel,
    MemberStatus,
    Person,
    PrizeCategory,
    Project,
    ProjectStatus,
    RoleSource,
    TwinSpaceRole,
    TwinSpaceStatus,
)
from etwin_lti.domain.translatable import N_
from etwin_lti.domain.twinspaces import Action
from etwin_lti.domain.validation import (
    DESCRIPTION_MAX,
    FieldErrors,
)
from etwin_lti.errors import (
    RuleViolationError,
)
from etwin_lti.persistence.models.hub import (
    AcknowledgementRow,
    MemberRow,
    PersonRow,
    ProjectFounderRow,
    ProjectPartnerRow,
    ProjectRow,
    ProjectValidationRow,
    TwinSpaceRow,
)


class ProjectsArea(LocalHubBase):
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
                raise RuleViolationError(
                    N_("Partners join a project once it is approved and open.")
                )
            actor = rec.find_member(s, project.twinspace_id, actor_id)
            twinspaces.check_can(actor, Action.MANAGE_MEMBERS)
            self._join_as_partner(s, row, project, teacher, actor_id)
            s.flush()
            return rec.project(s, row)

    def _join_as_partner(
        self, s: Session, row: ProjectRow, project: Project, teacher: Person, actor_id: int
    ) -> None:
        """What makes a teacher a partner, inside the caller's transaction: the partner row, an
        active teacher membership of the TwinSpace and the project's eTwinning label (shared by
        ``add_partner`` and an accepted partner invitation). ``actor_id`` is audited."""
        assert project.twinspace_id is not None
        teacher_id = teacher.id
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
        audit.record(
            s,
            AuditAction.PARTNER_ADDED,
            "project",
            row.id,
            {"teacher_id": teacher_id},
            at=now,
            person_id=actor_id,
        )
        self._label_partner(s, row, teacher_id, actor_id)

    def _label_partner(self, s: Session, row: ProjectRow, teacher_id: int, actor_id: int) -> None:
        """The eTwinning label belongs to the project: a partner who joins after the approval
        receives it too, in the transaction that makes them a partner (issue 12 item 5)."""
        subject = acks.project_subject(row.id)
        held = s.scalar(
            select(AcknowledgementRow.id).where(
                AcknowledgementRow.kind == AcknowledgementKind.ETWINNING_LABEL.value,
                AcknowledgementRow.person_id == teacher_id,
                AcknowledgementRow.subject == subject,
            )
        )
        if held is not None:  # issued before (a revoked one stays revoked: the CSS decided)
            return
        issued = self._issue(
            s,
            AcknowledgementKind.ETWINNING_LABEL,
            teacher_id,
            subject,
            f"eTwinning label: {row.title}"[:200],
            {"project_id": str(row.id)},
        )
        audit.record(
            s,
            AuditAction.ACKNOWLEDGEMENT_ISSUED,
            "acknowledgement",
            issued.id,
            {"kind": issued.kind.value, "person_id": teacher_id, "subject": subject},
            at=issued.issued_at,
            person_id=actor_id,
        )

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
            audit.record(
                s,
                AuditAction.PROJECT_CLOSED,
                "project",
                row.id,
                {"twinspace_id": project.twinspace_id or ""},
                at=now,
                person_id=actor_id,
            )
            s.flush()
            return rec.project(s, row)

    # --- the project's life from the LMS page (issue 12 item 5) ---------------------------------
    def update_project_profile(
        self,
        actor_id: int,
        project_id: int,
        *,
        description: str,
        subjects: Sequence[str],
        languages: Sequence[str],
        levels: Sequence[EducationalLevel],
    ) -> Project:
        profile = projects.clean_profile(description, subjects, languages, levels)
        with self._db.session() as s:
            row = rec.load(s, ProjectRow, project_id, "Project", lock=True)
            project = rec.project(s, row)
            rec.load_person(s, actor_id)
            projects.check_project_founder(project, actor_id)
            projects.check_project_changeable(project)
            row.description = profile.description
            row.subjects = list(profile.subjects)
            row.languages = list(profile.languages)
            row.levels = [level.value for level in profile.levels]
            audit.record(
                s,
                AuditAction.PROJECT_PROFILE_EDITED,
                "project",
                row.id,
                {
                    "subjects": len(profile.subjects),
                    "languages": ",".join(profile.languages),
                    "levels": ",".join(row.levels),
                    "description_length": len(profile.description),
                },
                at=self._now(),
                person_id=actor_id,
            )
            s.flush()
            return rec.project(s, row)

    def extend_project(self, actor_id: int, project_id: int, ends_on: date) -> Project:
        new_end = projects.clean_end_date(ends_on)
        with self._db.session() as s:
            row = rec.load(s, ProjectRow, project_id, "Project", lock=True)
            project = rec.project(s, row)
            rec.load_person(s, actor_id)
            projects.check_project_founder(project, actor_id)
            projects.check_extension(project, new_end, self._today())
            previous, row.ends_on = row.ends_on, new_end
            audit.record(
                s,
                AuditAction.PROJECT_EXTENDED,
                "project",
                row.id,
                {"from": previous.isoformat() if previous else "", "to": new_end.isoformat()},
                at=self._now(),
                person_id=actor_id,
            )
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
