"""Partner invitations: a founder asks a teacher to join the project (issue 12 item 5).

eTwinning partners join an approved project in any number (domain-facts.md 1.3); being a
partner puts the teacher's name on the project and its eTwinning label, so the teacher is asked
first. The rules:

- an **active teacher administrator** of the project's TwinSpace (founders and co-founders are)
  invites; the project is approved and open (``check_can_add_partner``, not closed);
- the invitee is a teacher eligible as a partner (``check_project_teacher``: a teacher whose
  country is set and takes part in eTwinning), not the inviter, not already a founder or partner;
- at most one **pending** invitation per (project, invitee) (a unique index backs it);
- only the invitee answers (accept or decline), only while pending; accepting makes them a
  partner in the same transaction (membership, partner row, the project's eTwinning label);
- a pending invitation is withdrawn by an active teacher administrator of that TwinSpace.

An invitation keeps its answer: declined, accepted or withdrawn ones stay listed for the
founders, and a new invitation may follow a declined or withdrawn one.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from etwin_lti.domain import projects, twinspaces
from etwin_lti.domain.model import Country, Member, Person, Project, ProjectStatus
from etwin_lti.domain.translatable import N_
from etwin_lti.domain.twinspaces import Action
from etwin_lti.errors import NotFoundError, PermissionDeniedError, PupilFixer, RuleViolationError


class PartnerInvitationState(enum.StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"


@dataclass(frozen=True)
class PartnerInvitation:
    id: int
    project_id: int
    inviter_id: int
    invitee_id: int
    created_at: datetime
    state: PartnerInvitationState = PartnerInvitationState.PENDING
    decided_at: datetime | None = None


# --- errors (each names who can fix it: the pages show it) ---------------------------------------
class NotAProjectInviterError(PermissionDeniedError):
    error = "not_a_project_inviter"
    description = N_(
        "Only the project's teacher administrators (its founder and co-founder) invite partners."
    )
    who_can_fix = N_("the project's founder or co-founder")
    pupil_fixer = PupilFixer.TEACHER


class AlreadyInvitedError(RuleViolationError):
    error = "partner_already_invited"
    description = N_(
        "This teacher already has an invitation to this project waiting for an answer."
    )
    who_can_fix = N_("the invited teacher: they answer on their next launch")
    pupil_fixer = PupilFixer.AS_SAID


class PartnerInvitationNotFoundError(NotFoundError):
    error = "partner_invitation_unknown"
    description = N_("There is no such partner invitation.")
    who_can_fix = N_("the project's founder who invited you")


class NotYourPartnerInvitationError(PermissionDeniedError):
    error = "partner_invitation_not_yours"
    description = N_("This invitation is for another teacher: only they can answer it.")
    who_can_fix = N_("the project's founder: ask them to invite you")
    pupil_fixer = PupilFixer.TEACHER


class PartnerInvitationAnsweredError(RuleViolationError):
    error = "partner_invitation_answered"
    description = N_("This invitation was already answered or withdrawn.")
    who_can_fix = N_("the project's founder: ask for a new invitation")


class ProjectNotOpenError(RuleViolationError):
    error = "project_not_open"
    description = N_("Partners join a project once it is approved and while it is open.")
    who_can_fix = N_("nobody: the project is not taking partners now")


# --- rules ------------------------------------------------------------------------------------
def check_inviter(project: Project, actor: Member | None) -> None:
    """An active teacher administrator of this project's TwinSpace, the project open."""
    if project.status is ProjectStatus.CLOSED:
        raise projects.ProjectClosedError()
    if project.status is not ProjectStatus.APPROVED or project.twinspace_id is None:
        raise ProjectNotOpenError()
    try:
        twinspaces.check_can(actor, Action.MANAGE_MEMBERS)
    except PermissionDeniedError:
        raise NotAProjectInviterError() from None


def check_invitee(
    countries: Mapping[str, Country],
    project: Project,
    inviter_id: int,
    invitee: Person,
    pending: bool,
) -> None:
    """``pending``: whether the invitee already has a pending invitation to this project."""
    projects.check_project_teacher(countries, invitee, field="teacher_id")
    if invitee.id == inviter_id:
        raise RuleViolationError(N_("You cannot invite yourself."))
    projects.check_can_add_partner(project, invitee.id)
    if pending:
        raise AlreadyInvitedError()


def check_can_answer(invitation: PartnerInvitation, person_id: int, project: Project) -> None:
    """The invitee, while pending; accepting needs the project still open (checked again by
    ``check_can_add_partner`` where the partner is made)."""
    if invitation.invitee_id != person_id:
        raise NotYourPartnerInvitationError()
    if invitation.state is not PartnerInvitationState.PENDING:
        raise PartnerInvitationAnsweredError()
    if project.status is ProjectStatus.CLOSED:
        raise projects.ProjectClosedError()


def check_can_withdraw(invitation: PartnerInvitation, actor: Member | None) -> None:
    try:
        twinspaces.check_can(actor, Action.MANAGE_MEMBERS)
    except PermissionDeniedError:
        raise NotAProjectInviterError() from None
    if invitation.state is not PartnerInvitationState.PENDING:
        raise PartnerInvitationAnsweredError()


def answered(accept: bool) -> PartnerInvitationState:
    return PartnerInvitationState.ACCEPTED if accept else PartnerInvitationState.DECLINED
