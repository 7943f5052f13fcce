"""Visitor permits: a teacher administrator lets a parent (LTI Mentor) visit a TwinSpace.

DESIGN.md's role table: a Mentor is a visitor "only with a permit a teacher administrator
granted; never otherwise". The permit is the teacher administrator's own decision on that
person's guest membership (role source MANUAL, so no launch or roster sync ever changes it);
withdrawing it suspends that membership. Composed from ``HubPort`` operations, so it works with
the embedded hub and a remote one alike. The visitor must be known to the tool already: a
course roster sync records the course's Mentors (without letting them in) for this.

Visitors never enter a TwinSpace where pupils work (members see its private content), so no
permit is granted there either.
"""

from __future__ import annotations

from etwin_lti.domain.model import Member, MemberStatus, PersonKind, TwinSpaceRole
from etwin_lti.domain.ports import HubPort
from etwin_lti.domain.translatable import N_
from etwin_lti.errors import NotFoundError, PermissionDeniedError, RuleViolationError


class NotAVisitorError(RuleViolationError):
    error = "not_a_visitor"
    description = N_(
        "Visitor permits are for parents and other visitors (the LMS's Mentors); pupils and "
        "members join through their course."
    )


class VisitorsNotWithPupilsError(RuleViolationError):
    error = "visitors_not_with_pupils"
    description = N_("Visitors cannot be let into a TwinSpace where pupils work.")


def grant_visitor_permit(hub: HubPort, actor_id: int, twinspace_id: int, person_id: int) -> Member:
    _check_teacher_administrator(hub, actor_id, twinspace_id)
    if hub.get_person(person_id).kind is PersonKind.PUPIL:
        raise NotAVisitorError()
    if hub.get_twinspace(twinspace_id).has_pupils:
        raise VisitorsNotWithPupilsError()
    try:
        member = hub.get_member(twinspace_id, person_id)
    except NotFoundError:
        return hub.add_member(actor_id, twinspace_id, person_id, TwinSpaceRole.GUEST)
    if member.status is MemberStatus.SUSPENDED:
        return hub.reactivate_member(actor_id, twinspace_id, person_id)
    # Already a guest (an older roster sync may have added one): make it the admin's decision.
    return hub.change_role(actor_id, twinspace_id, person_id, TwinSpaceRole.GUEST)


def withdraw_visitor_permit(
    hub: HubPort, actor_id: int, twinspace_id: int, person_id: int
) -> Member:
    _check_teacher_administrator(hub, actor_id, twinspace_id)
    member = hub.get_member(twinspace_id, person_id)
    if member.role is not TwinSpaceRole.GUEST:
        raise NotAVisitorError()
    return hub.suspend_member(actor_id, twinspace_id, person_id)


def _check_teacher_administrator(hub: HubPort, actor_id: int, twinspace_id: int) -> None:
    try:
        actor = hub.get_member(twinspace_id, actor_id)
    except NotFoundError:
        actor = None
    if (
        actor is None
        or actor.role is not TwinSpaceRole.TEACHER_ADMINISTRATOR
        or actor.status is not MemberStatus.ACTIVE
    ):
        raise PermissionDeniedError(
            "Only a teacher administrator of this TwinSpace grants or withdraws visitor permits."
        )


# --- expert permits (issue 12 item 5) ------------------------------------------------------------
# An outside expert (a Learning Event's expert, an ambassador, a teacher of another school) is let
# into the TwinSpace as an expert: ESEP's role that manages materials and forum discussions but
# never invites pupils (domain-facts.md 1.4). Like a visitor permit, it is a teacher
# administrator's decision (role source MANUAL); withdrawing it suspends that membership.
# Pupils and visitors cannot hold it (``twinspaces.ROLES_FOR_KIND``).
EXPERT_PERMIT_KINDS = frozenset({PersonKind.EXPERT, PersonKind.TEACHER, PersonKind.TRAINER})


class NotAnExpertError(RuleViolationError):
    error = "not_an_expert"
    description = N_(
        "Expert permits are for experts and teachers with an eTwinning account; pupils join "
        "through their course and parents with a visitor permit."
    )


class AlreadyAMemberError(RuleViolationError):
    error = "already_a_member"
    description = N_(
        "This person is already a member of the TwinSpace with another role: change their role "
        "in the member list instead."
    )


def grant_expert_permit(hub: HubPort, actor_id: int, twinspace_id: int, person_id: int) -> Member:
    _check_teacher_administrator(hub, actor_id, twinspace_id)
    if hub.get_person(person_id).kind not in EXPERT_PERMIT_KINDS:
        raise NotAnExpertError()
    try:
        member = hub.get_member(twinspace_id, person_id)
    except NotFoundError:
        return hub.add_member(actor_id, twinspace_id, person_id, TwinSpaceRole.EXPERT)
    if member.role is not TwinSpaceRole.EXPERT:
        raise AlreadyAMemberError()
    if member.status is MemberStatus.SUSPENDED:
        return hub.reactivate_member(actor_id, twinspace_id, person_id)
    return member  # already holds an active permit: nothing to change


def withdraw_expert_permit(
    hub: HubPort, actor_id: int, twinspace_id: int, person_id: int
) -> Member:
    _check_teacher_administrator(hub, actor_id, twinspace_id)
    member = hub.get_member(twinspace_id, person_id)
    if member.role is not TwinSpaceRole.EXPERT:
        raise NotAnExpertError(N_("This member holds no expert permit."))
    return hub.suspend_member(actor_id, twinspace_id, person_id)
