"""The hub contract: partner invitations (issue 12 item 5, ``domain.partner_invitations``) and
the teacher search a founder picks partners from (``find_teachers``)."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import pytest

from etwin_lti.domain.model import (
    AcknowledgementKind,
    MemberStatus,
    PersonKind,
    Project,
    ProjectStatus,
    TwinSpaceRole,
)
from etwin_lti.domain.partner_invitations import PartnerInvitation, PartnerInvitationState
from etwin_lti.domain.ports import HubPort
from etwin_lti.errors import InvalidInputError, PermissionDeniedError, RuleViolationError
from tests.contract.hub_contract.builders import (
    UNKNOWN_ID,
    R,
    Refusal,
    Space,
    approved_project,
    pending_project,
    person,
    space,
    teacher,
)

S = PartnerInvitationState
_unique = itertools.count(1)


def _invited(hub: HubPort, s: Space, invitee: int | None = None) -> PartnerInvitation:
    who = invitee if invitee is not None else teacher(hub, "PL").id
    return hub.invite_partner(s.admin, s.project.id, who)


def _observe(hub: HubPort, project: Project, people: tuple[int, ...]) -> Callable[[], object]:
    return lambda: (
        hub.get_project(project.id),
        hub.list_partner_invitations(project.id),
        [hub.pending_partner_invitations(p) for p in people],
        hub.list_members(project.twinspace_id) if project.twinspace_id else None,
        hub.list_acknowledgements(subject=f"project:{project.id}"),
    )


def _invite(
    actor: Callable[[HubPort, Space], int],
    invitee: Callable[[HubPort, Space], int],
    *,
    build: Callable[[HubPort], Space] = space,
    before: Callable[[HubPort, Space, int], object] | None = None,
) -> Callable[[HubPort], Any]:
    """``actor`` invites ``invitee`` to the space's project; ``before`` prepares more."""

    def arrange(hub: HubPort) -> Any:
        s = build(hub)
        who, target = actor(hub, s), invitee(hub, s)
        if before is not None:
            before(hub, s, target)
        return (lambda: hub.invite_partner(who, s.project.id, target)), _observe(
            hub, s.project, (target,)
        )

    return arrange


def _on_invitation(
    act: Callable[[HubPort, Space, PartnerInvitation], object],
    *,
    before: Callable[[HubPort, Space, PartnerInvitation], object] | None = None,
) -> Callable[[HubPort], Any]:
    """A pending invitation of a fresh space's project; ``before`` (e.g. an answer) runs first,
    ``act`` is the refused call."""

    def arrange(hub: HubPort) -> Any:
        s = space(hub)
        invitation = _invited(hub, s)
        if before is not None:
            before(hub, s, invitation)
        return (lambda: act(hub, s, invitation)), _observe(hub, s.project, (invitation.invitee_id,))

    return arrange


def _founder(_hub: HubPort, s: Space) -> int:
    return s.admin


def _member(role: TwinSpaceRole) -> Callable[[HubPort, Space], int]:
    return lambda _hub, s: s.members[role]


def _newcomer(country: str | None = "PL") -> Callable[[HubPort, Space], int]:
    return lambda hub, _s: person(hub, PersonKind.TEACHER, country).id


def _closed(hub: HubPort) -> Space:
    s = space(hub)
    hub.close_project(s.admin, s.project.id)
    return s


def _pending_space(hub: HubPort) -> Space:
    project = pending_project(hub)
    return Space(project, 0, project.founder_ids[0], project.founder_ids[1])


def _other_founder(hub: HubPort, _s: Space) -> int:
    return int(approved_project(hub).founder_ids[0])


PARTNER_INVITATION_REFUSALS: list[Refusal] = [
    Refusal(
        "a pupil invites a partner", PermissionDeniedError, _invite(_member(R.PUPIL), _newcomer())
    ),
    Refusal(
        "a teacher who is no teacher administrator invites",
        PermissionDeniedError,
        _invite(_member(R.TEACHER), _newcomer()),
    ),
    Refusal(
        "a founder of another project invites",
        PermissionDeniedError,
        _invite(_other_founder, _newcomer()),
    ),
    Refusal(
        "a pupil is invited as a partner",
        RuleViolationError,
        _invite(_founder, lambda hub, _s: person(hub, PersonKind.PUPIL, "PL").id),
    ),
    Refusal(
        "a teacher without a country is invited",
        InvalidInputError,
        _invite(_founder, _newcomer(None)),
        "teacher_id",
    ),
    Refusal("the founder invites themself", RuleViolationError, _invite(_founder, _founder)),
    Refusal(
        "the co-founder is invited",
        RuleViolationError,
        _invite(_founder, lambda _h, s: s.co_founder),
    ),
    Refusal(
        "a teacher invited twice",
        RuleViolationError,
        _invite(
            _founder,
            _newcomer(),
            before=lambda hub, s, target: hub.invite_partner(s.admin, s.project.id, target),
        ),
    ),
    Refusal(
        "a partner is invited again",
        RuleViolationError,
        _invite(
            _founder,
            _newcomer(),
            before=lambda hub, s, target: hub.add_partner(s.admin, s.project.id, target),
        ),
    ),
    Refusal(
        "an invitation to a closed project",
        RuleViolationError,
        _invite(_founder, _newcomer(), build=_closed),
    ),
    Refusal(
        "an invitation to a project not yet approved",
        RuleViolationError,
        _invite(_founder, _newcomer(), build=_pending_space),
    ),
    Refusal(
        "someone else accepts the invitation",
        PermissionDeniedError,
        _on_invitation(
            lambda hub, s, inv: hub.answer_partner_invitation(s.members[R.TEACHER], inv.id, True)
        ),
    ),
    Refusal(
        "the inviter accepts for the invitee",
        PermissionDeniedError,
        _on_invitation(lambda hub, s, inv: hub.answer_partner_invitation(s.admin, inv.id, True)),
    ),
    Refusal(
        "an invitation accepted twice",
        RuleViolationError,
        _on_invitation(
            lambda hub, _s, inv: hub.answer_partner_invitation(inv.invitee_id, inv.id, True),
            before=lambda hub, _s, inv: hub.answer_partner_invitation(inv.invitee_id, inv.id, True),
        ),
    ),
    Refusal(
        "a declined invitation accepted",
        RuleViolationError,
        _on_invitation(
            lambda hub, _s, inv: hub.answer_partner_invitation(inv.invitee_id, inv.id, True),
            before=lambda hub, _s, inv: hub.answer_partner_invitation(
                inv.invitee_id, inv.id, False
            ),
        ),
    ),
    Refusal(
        "a withdrawn invitation accepted",
        RuleViolationError,
        _on_invitation(
            lambda hub, _s, inv: hub.answer_partner_invitation(inv.invitee_id, inv.id, True),
            before=lambda hub, s, inv: hub.withdraw_partner_invitation(s.admin, inv.id),
        ),
    ),
    Refusal(
        "an invitation accepted after the project closed",
        RuleViolationError,
        _on_invitation(
            lambda hub, _s, inv: hub.answer_partner_invitation(inv.invitee_id, inv.id, True),
            before=lambda hub, s, _inv: hub.close_project(s.admin, s.project.id),
        ),
    ),
    Refusal(
        "a teacher who is no teacher administrator withdraws",
        PermissionDeniedError,
        _on_invitation(
            lambda hub, s, inv: hub.withdraw_partner_invitation(s.members[R.TEACHER], inv.id)
        ),
    ),
    Refusal(
        "the invitee withdraws the invitation",
        PermissionDeniedError,
        _on_invitation(
            lambda hub, _s, inv: hub.withdraw_partner_invitation(inv.invitee_id, inv.id)
        ),
    ),
    Refusal(
        "an accepted invitation withdrawn",
        RuleViolationError,
        _on_invitation(
            lambda hub, s, inv: hub.withdraw_partner_invitation(s.admin, inv.id),
            before=lambda hub, _s, inv: hub.answer_partner_invitation(inv.invitee_id, inv.id, True),
        ),
    ),
]

PARTNER_INVITATION_UNKNOWN: list[tuple[str, Callable[[HubPort], object]]] = [
    ("invite_partner", lambda hub: hub.invite_partner(UNKNOWN_ID, UNKNOWN_ID, UNKNOWN_ID)),
    ("list_partner_invitations", lambda hub: hub.list_partner_invitations(UNKNOWN_ID)),
    ("pending_partner_invitations", lambda hub: hub.pending_partner_invitations(UNKNOWN_ID)),
    (
        "answer_partner_invitation",
        lambda hub: hub.answer_partner_invitation(UNKNOWN_ID, UNKNOWN_ID, True),
    ),
    (
        "withdraw_partner_invitation",
        lambda hub: hub.withdraw_partner_invitation(UNKNOWN_ID, UNKNOWN_ID),
    ),
]


def _named(hub: HubPort, name: str, kind: PersonKind = PersonKind.TEACHER, **kw: Any) -> int:
    return hub.create_person(name, kind, **kw).id


class PartnerInvitationsContract:
    def test_accepting_makes_a_partner_with_the_label(self, hub: HubPort) -> None:
        s = space(hub)
        invitee = teacher(hub, "PL").id
        invitation = hub.invite_partner(s.admin, s.project.id, invitee)
        assert (invitation.state, invitation.inviter_id, invitation.decided_at) == (
            S.PENDING,
            s.admin,
            None,
        )
        assert hub.pending_partner_invitations(invitee) == [invitation]
        assert hub.list_partner_invitations(s.project.id) == [invitation]
        assert invitee not in hub.get_project(s.project.id).partner_ids

        accepted = hub.answer_partner_invitation(invitee, invitation.id, True)

        assert accepted.state is S.ACCEPTED and accepted.decided_at is not None
        assert invitee in hub.get_project(s.project.id).partner_ids
        member = hub.get_member(s.id, invitee)
        assert (member.role, member.status) == (TwinSpaceRole.TEACHER, MemberStatus.ACTIVE)
        labels = hub.list_acknowledgements(person_id=invitee, subject=f"project:{s.project.id}")
        assert [a.kind for a in labels] == [AcknowledgementKind.ETWINNING_LABEL]
        assert hub.pending_partner_invitations(invitee) == []
        assert hub.list_partner_invitations(s.project.id) == [accepted]

    def test_a_member_of_the_twinspace_accepts_and_keeps_their_membership(
        self, hub: HubPort
    ) -> None:
        s = space(hub)
        observer = s.members[R.OBSERVER]
        invitation = hub.invite_partner(s.co_founder, s.project.id, observer)
        hub.answer_partner_invitation(observer, invitation.id, True)
        member = hub.get_member(s.id, observer)
        assert (member.role, member.status) == (TwinSpaceRole.TEACHER, MemberStatus.ACTIVE)
        assert observer in hub.get_project(s.project.id).partner_ids

    def test_declining_changes_nothing_and_may_be_asked_again(self, hub: HubPort) -> None:
        s = space(hub)
        invitee = teacher(hub, "DE").id
        first = hub.invite_partner(s.admin, s.project.id, invitee)
        declined = hub.answer_partner_invitation(invitee, first.id, False)
        assert declined.state is S.DECLINED and declined.decided_at is not None
        project = hub.get_project(s.project.id)
        assert invitee not in project.partner_ids
        assert hub.list_acknowledgements(person_id=invitee) == []
        again = hub.invite_partner(s.admin, s.project.id, invitee)
        assert [i.state for i in hub.list_partner_invitations(s.project.id)] == [
            S.DECLINED,
            S.PENDING,
        ]
        assert hub.pending_partner_invitations(invitee) == [again]

    def test_withdrawn_invitations_leave_the_invitees_list(self, hub: HubPort) -> None:
        s = space(hub)
        invitee = teacher(hub, "PL").id
        invitation = hub.invite_partner(s.admin, s.project.id, invitee)
        withdrawn = hub.withdraw_partner_invitation(s.co_founder, invitation.id)
        assert withdrawn.state is S.WITHDRAWN and withdrawn.decided_at is not None
        assert hub.pending_partner_invitations(invitee) == []
        assert hub.list_partner_invitations(s.project.id) == [withdrawn]

    def test_pending_invitations_of_several_projects_in_order(self, hub: HubPort) -> None:
        invitee = teacher(hub, "PL").id
        made = [
            hub.invite_partner(s.admin, s.project.id, invitee) for s in (space(hub), space(hub))
        ]
        assert hub.pending_partner_invitations(invitee) == made
        assert hub.pending_partner_invitations(teacher(hub).id) == []

    def test_find_teachers_by_part_of_the_name(self, hub: HubPort) -> None:
        tag = f"Qx{next(_unique)}z{id(hub) % 10_000}"
        b = _named(hub, f"Bea {tag}", country_code="PL")
        a = _named(hub, f"ada {tag.upper()}", country_code="FR")
        _named(hub, f"No country {tag}")
        _named(hub, f"Pupil {tag}", PersonKind.PUPIL, country_code="FR")
        found = hub.find_teachers(f"  {tag.lower()} ")
        assert [p.id for p in found] == [a, b]
        assert [p.id for p in hub.find_teachers(tag, limit=1)] == [a]
        # LIKE's wildcards are plain characters in a search.
        percent = _named(hub, f"Cy 100% {tag}", country_code="IT")
        assert [p.id for p in hub.find_teachers(f"% {tag}")] == [percent]

    @pytest.mark.parametrize(
        ("name", "limit", "field"),
        [("ab", 20, "name"), ("  ab  ", 20, "name"), ("abc", 0, "limit"), ("abc", 21, "limit")],
    )
    def test_find_teachers_refuses_short_text_and_big_pages(
        self, hub: HubPort, name: str, limit: int, field: str
    ) -> None:
        with pytest.raises(InvalidInputError) as caught:
            hub.find_teachers(name, limit=limit)
        assert field in caught.value.errors

    def test_a_closed_project_keeps_its_invitations_listed(self, hub: HubPort) -> None:
        s = space(hub)
        invitation = _invited(hub, s)
        hub.close_project(s.admin, s.project.id)
        assert hub.get_project(s.project.id).status is ProjectStatus.CLOSED
        assert hub.list_partner_invitations(s.project.id) == [invitation]
