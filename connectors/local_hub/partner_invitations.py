"""Partner invitations: a teacher administrator invites, the invitee accepts or declines
(rules in ``etwin_lti.domain.partner_invitations``).

Accepting runs ``ProjectsArea._join_as_partner`` in the same transaction as the answer, so an
accepted invitation and the partnership (partner row, membership, eTwinning label) exist
together or not at all. Two invitations sent at once for the same teacher meet the partial
unique index (one pending per project and invitee): the loser runs once more and is told the
teacher is already invited.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from connectors import hub_records as rec
from connectors import sql_audit as audit
from connectors.local_hub.base import _once_more_on_conflict
from connectors.local_hub.projects import ProjectsArea
from etwin_lti.domain import partner_invitations as rules
from etwin_lti.domain.audit import AuditAction
from etwin_lti.domain.model import Project
from etwin_lti.domain.partner_invitations import (
    PartnerInvitation,
    PartnerInvitationNotFoundError,
    PartnerInvitationState,
)
from etwin_lti.errors import NotFoundError
from etwin_lti.persistence.models.hub import PartnerInvitationRow, PersonRow, ProjectRow

PENDING = PartnerInvitationState.PENDING.value


class PartnerInvitationsArea(ProjectsArea):
    def invite_partner(self, actor_id: int, project_id: int, invitee_id: int) -> PartnerInvitation:
        return _once_more_on_conflict(lambda: self._invite(actor_id, project_id, invitee_id))

    def _invite(self, actor_id: int, project_id: int, invitee_id: int) -> PartnerInvitation:
        with self._db.session() as s:
            row = rec.load(s, ProjectRow, project_id, "Project")
            project = rec.project(s, row)
            invitee = rec.load_person(s, invitee_id)
            rec.load_person(s, actor_id)
            actor = (
                rec.find_member(s, project.twinspace_id, actor_id)
                if project.twinspace_id is not None
                else None
            )
            rules.check_inviter(project, actor)
            pending = s.scalar(
                select(PartnerInvitationRow.id).where(
                    PartnerInvitationRow.project_id == project_id,
                    PartnerInvitationRow.invitee_id == invitee_id,
                    PartnerInvitationRow.state == PENDING,
                )
            )
            rules.check_invitee(
                rec.current_countries(s), project, actor_id, invitee, pending is not None
            )
            now = self._now()
            invitation = PartnerInvitationRow(
                project_id=project_id,
                inviter_id=actor_id,
                invitee_id=invitee_id,
                state=PENDING,
                created_at=now,
            )
            s.add(invitation)
            s.flush()
            audit.record(
                s,
                AuditAction.PARTNER_INVITED,
                "project",
                project_id,
                {"invitation_id": invitation.id, "teacher_id": invitee_id},
                at=now,
                person_id=actor_id,
            )
            return rec.partner_invitation(invitation)

    def list_partner_invitations(self, project_id: int) -> list[PartnerInvitation]:
        with self._db.session() as s:
            rec.load(s, ProjectRow, project_id, "Project")
            rows = s.scalars(
                select(PartnerInvitationRow)
                .where(PartnerInvitationRow.project_id == project_id)
                .order_by(PartnerInvitationRow.id)
            )
            return [rec.partner_invitation(row) for row in rows]

    def pending_partner_invitations(self, person_id: int) -> list[PartnerInvitation]:
        # One statement (every page a teacher opens asks, docs/decisions/0028): the person,
        # outer-joined to their pending invitations; no row at all means no such person.
        with self._db.session() as s:
            rows = s.execute(
                select(PersonRow.id, PartnerInvitationRow)
                .outerjoin(
                    PartnerInvitationRow,
                    (PartnerInvitationRow.invitee_id == PersonRow.id)
                    & (PartnerInvitationRow.state == PENDING),
                )
                .where(PersonRow.id == person_id)
                .order_by(PartnerInvitationRow.id)
            ).all()
            if not rows:
                raise NotFoundError(f"Person {person_id} does not exist.")
            return [rec.partner_invitation(row) for _, row in rows if row is not None]

    def answer_partner_invitation(
        self, person_id: int, invitation_id: int, accept: bool
    ) -> PartnerInvitation:
        with self._db.session() as s:
            row, project_row, project = self._locked(s, invitation_id)
            person = rec.load_person(s, person_id)
            rules.check_can_answer(rec.partner_invitation(row), person_id, project)
            now = self._now()
            if accept:
                self._join_as_partner(s, project_row, project, person, person_id)
            row.state, row.decided_at = rules.answered(accept).value, now
            audit.record(
                s,
                AuditAction.PARTNER_INVITATION_ANSWERED,
                "project",
                project.id,
                {"invitation_id": row.id, "answer": row.state},
                at=now,
                person_id=person_id,
            )
            s.flush()
            return rec.partner_invitation(row)

    def withdraw_partner_invitation(self, actor_id: int, invitation_id: int) -> PartnerInvitation:
        with self._db.session() as s:
            row, _project_row, project = self._locked(s, invitation_id)
            rec.load_person(s, actor_id)
            actor = (
                rec.find_member(s, project.twinspace_id, actor_id)
                if project.twinspace_id is not None
                else None
            )
            rules.check_can_withdraw(rec.partner_invitation(row), actor)
            now = self._now()
            row.state, row.decided_at = PartnerInvitationState.WITHDRAWN.value, now
            audit.record(
                s,
                AuditAction.PARTNER_INVITATION_WITHDRAWN,
                "project",
                project.id,
                {"invitation_id": row.id, "teacher_id": row.invitee_id},
                at=now,
                person_id=actor_id,
            )
            s.flush()
            return rec.partner_invitation(row)

    def _locked(
        self, s: Session, invitation_id: int
    ) -> tuple[PartnerInvitationRow, ProjectRow, Project]:
        """The invitation, locked (PostgreSQL), so that an answer and a withdrawal at the same
        moment are one after the other; then its project."""
        row = s.get(PartnerInvitationRow, invitation_id, with_for_update=True)
        if row is None:
            raise PartnerInvitationNotFoundError()
        project_row = rec.load(s, ProjectRow, row.project_id, "Project")
        return row, project_row, rec.project(s, project_row)
