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
from etwin_lti.errors import NotFoundError, PermissionDeniedError, RuleViolationError


class NotAVisitorError(RuleViolationError):
    error = "not_a_visitor"
    description = (
        "Visitor permits are for parents and other visitors (the LMS's Mentors); pupils and "
        "members join through their course."
    )


class VisitorsNotWithPupilsError(RuleViolationError):
    error = "visitors_not_with_pupils"
    description = "Visitors cannot be let into a TwinSpace where pupils work."


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
