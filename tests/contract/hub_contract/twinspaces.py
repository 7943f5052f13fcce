"""The hub contract: TwinSpaces and membership (domain-facts.md 1.4)."""

from __future__ import annotations

import pytest

from etwin_lti.domain.model import (
    MemberStatus,
    PersonKind,
    RoleSource,
)
from etwin_lti.domain.people import NewPerson
from etwin_lti.domain.ports import HubPort
from etwin_lti.domain.twinspaces import MemberSync
from etwin_lti.errors import (
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
    RuleViolationError,
)
from schemas.api.common import BATCH_MAX
from tests.contract.hub_contract.builders import (
    UNKNOWN_ID,
    R,
    Refusal,
    _invite,
    _space_call,
    archived_space,
    newcomer,
    person,
    space,
    teacher,
)

TWINSPACES_REFUSALS: list[Refusal] = [
    # --- TwinSpace membership (domain-facts.md 1.4)
    Refusal(
        "pupil invites a member",
        PermissionDeniedError,
        _space_call(_invite(R.PUPIL, PersonKind.PUPIL, by=R.PUPIL)),
    ),
    Refusal(
        "pupil administrator invites",
        PermissionDeniedError,
        _space_call(_invite(R.PUPIL, PersonKind.PUPIL, by=R.PUPIL_ADMINISTRATOR)),
    ),
    Refusal(
        "observer invites",
        PermissionDeniedError,
        _space_call(_invite(R.GUEST, PersonKind.GUEST, by=R.OBSERVER)),
    ),
    Refusal(
        "guest invites",
        PermissionDeniedError,
        _space_call(_invite(R.GUEST, PersonKind.GUEST, by=R.GUEST)),
    ),
    Refusal(
        "teacher invites",
        PermissionDeniedError,
        _space_call(_invite(R.TEACHER, PersonKind.TEACHER, by=R.TEACHER)),
    ),
    Refusal(
        "expert invites a pupil",
        PermissionDeniedError,
        _space_call(_invite(R.PUPIL, PersonKind.PUPIL, by=R.EXPERT)),
    ),
    Refusal(
        "expert grants administrator",
        PermissionDeniedError,
        _space_call(_invite(R.TEACHER_ADMINISTRATOR, PersonKind.TEACHER, by=R.EXPERT)),
    ),
    Refusal(
        "pupil made a teacher",
        RuleViolationError,
        _space_call(_invite(R.TEACHER, PersonKind.PUPIL)),
    ),
    Refusal(
        "teacher made a pupil",
        RuleViolationError,
        _space_call(_invite(R.PUPIL, PersonKind.TEACHER)),
    ),
    Refusal(
        "inviting a member again",
        RuleViolationError,
        _space_call(lambda hub, s: hub.add_member(s.admin, s.id, s.members[R.TEACHER], R.OBSERVER)),
    ),
    Refusal(
        "unknown role",
        InvalidInputError,
        _space_call(lambda hub, s: hub.add_member(s.admin, s.id, newcomer(hub).id, "headmaster")),
        "role",
    ),  # type: ignore[arg-type]
    Refusal(
        "teacher changes a founder's role",
        PermissionDeniedError,
        _space_call(lambda hub, s: hub.change_role(s.members[R.TEACHER], s.id, s.admin, R.TEACHER)),
    ),
    Refusal(
        "co-administrator changes a founder's role",
        PermissionDeniedError,
        _space_call(
            lambda hub, s: hub.change_role(
                s.members[R.TEACHER_ADMINISTRATOR], s.id, s.co_founder, R.OBSERVER
            )
        ),
    ),
    Refusal(
        "founder changes the other founder",
        PermissionDeniedError,
        _space_call(lambda hub, s: hub.change_role(s.admin, s.id, s.co_founder, R.TEACHER)),
    ),
    Refusal(
        "administrator suspends a founder",
        PermissionDeniedError,
        _space_call(
            lambda hub, s: hub.suspend_member(s.members[R.TEACHER_ADMINISTRATOR], s.id, s.admin)
        ),
    ),
    Refusal(
        "teacher suspends a pupil",
        PermissionDeniedError,
        _space_call(
            lambda hub, s: hub.suspend_member(s.members[R.TEACHER], s.id, s.members[R.PUPIL])
        ),
    ),
    Refusal(
        "pupil promoted to teacher",
        RuleViolationError,
        _space_call(lambda hub, s: hub.change_role(s.admin, s.id, s.members[R.PUPIL], R.TEACHER)),
    ),
    Refusal(
        "changing a non-member",
        NotFoundError,
        _space_call(lambda hub, s: hub.change_role(s.admin, s.id, newcomer(hub).id, R.TEACHER)),
    ),
    Refusal(
        "LMS grants administrator",
        RuleViolationError,
        _space_call(
            lambda hub, s: hub.sync_member(s.id, newcomer(hub).id, R.TEACHER_ADMINISTRATOR)
        ),
    ),
    Refusal(
        "LMS grants pupil administrator",
        RuleViolationError,
        _space_call(
            lambda hub, s: hub.sync_member(
                s.id, newcomer(hub, PersonKind.PUPIL).id, R.PUPIL_ADMINISTRATOR
            )
        ),
    ),
    Refusal(
        "LMS suspends a stranger",
        NotFoundError,
        _space_call(
            lambda hub, s: hub.sync_member(s.id, newcomer(hub).id, R.TEACHER, active=False)
        ),
    ),
]


class TwinSpacesContract:
    """TwinSpaces and membership (domain-facts.md 1.4)

    Mixed into ``HubContract``, which provides the ``hub`` fixture.
    """

    def test_members_in_role_order(self, hub: HubPort) -> None:
        s = space(hub)
        roles = [m.role for m in hub.list_members(s.id)]
        assert roles == [
            R.TEACHER_ADMINISTRATOR,
            R.TEACHER_ADMINISTRATOR,
            R.TEACHER_ADMINISTRATOR,
            R.TEACHER,
            R.EXPERT,
            R.OBSERVER,
            R.PUPIL_ADMINISTRATOR,
            R.PUPIL,
            R.GUEST,
        ]
        assert hub.get_twinspace(s.id).has_pupils
        invited = hub.get_member(s.id, s.members[R.TEACHER])
        assert invited.role_source is RoleSource.MANUAL and not invited.is_founder

    def test_expert_invites_teachers_and_guests(self, hub: HubPort) -> None:
        s = space(hub)
        newcomer = teacher(hub, "PL")
        member = hub.add_member(s.members[R.EXPERT], s.id, newcomer.id, R.OBSERVER)
        assert member.role is R.OBSERVER and member.status is MemberStatus.ACTIVE

    def test_administrator_manages_members(self, hub: HubPort) -> None:
        s = space(hub)
        pupil = s.members[R.PUPIL]
        promoted = hub.change_role(s.admin, s.id, pupil, R.PUPIL_ADMINISTRATOR)
        assert promoted.role is R.PUPIL_ADMINISTRATOR and promoted.role_source is RoleSource.MANUAL
        co_admin = s.members[R.TEACHER_ADMINISTRATOR]  # not a founder: any admin may manage
        suspended = hub.suspend_member(co_admin, s.id, s.members[R.TEACHER])
        assert suspended.status is MemberStatus.SUSPENDED
        assert s.id not in [t.id for t in hub.list_twinspaces(member_id=s.members[R.TEACHER])]
        back = hub.reactivate_member(s.admin, s.id, s.members[R.TEACHER])
        assert back.status is MemberStatus.ACTIVE
        assert s.id in [t.id for t in hub.list_twinspaces(member_id=s.members[R.TEACHER])]
        demoted = hub.change_role(s.co_founder, s.id, co_admin, R.TEACHER)
        assert demoted.role is R.TEACHER

    def test_lms_sync_never_overrides_a_teacher_decision(self, hub: HubPort) -> None:
        s = space(hub, pupils=False)
        assert not hub.get_twinspace(s.id).has_pupils
        kid = person(hub, PersonKind.PUPIL)
        created = hub.sync_member(s.id, kid.id, R.PUPIL)
        assert (created.role, created.role_source) == (R.PUPIL, RoleSource.LMS)
        assert hub.get_twinspace(s.id).has_pupils
        left = hub.sync_member(s.id, kid.id, R.PUPIL, active=False)
        assert left.status is MemberStatus.SUSPENDED and left.role_source is RoleSource.LMS
        back = hub.sync_member(s.id, kid.id, R.PUPIL)
        assert back.status is MemberStatus.ACTIVE
        # a teacher administrator's choice wins over the next roster sync
        hub.change_role(s.admin, s.id, kid.id, R.PUPIL_ADMINISTRATOR)
        kept = hub.sync_member(s.id, kid.id, R.PUPIL, active=False)
        assert (kept.role, kept.status, kept.role_source) == (
            R.PUPIL_ADMINISTRATOR,
            MemberStatus.ACTIVE,
            RoleSource.MANUAL,
        )
        # founders come from the project: the LMS cannot touch them either
        founder = hub.sync_member(s.id, s.admin, R.TEACHER, active=False)
        assert founder.role is R.TEACHER_ADMINISTRATOR and founder.status is MemberStatus.ACTIVE
        # a teacher provisioned by the LMS who then joins as a partner is the project's
        lms_teacher = teacher(hub, "PL")
        hub.sync_member(s.id, lms_teacher.id, R.TEACHER)
        hub.add_partner(s.admin, s.project.id, lms_teacher.id)
        assert hub.get_member(s.id, lms_teacher.id).role_source is RoleSource.PROJECT

    def test_sync_members_is_sync_member_for_each_change(self, hub: HubPort) -> None:
        s = space(hub, pupils=False)
        kid, other, stranger = (person(hub, PersonKind.PUPIL) for _ in range(3))
        manual = person(hub, PersonKind.PUPIL)
        hub.sync_member(s.id, manual.id, R.PUPIL)
        hub.change_role(s.admin, s.id, manual.id, R.PUPIL_ADMINISTRATOR)
        synced = hub.sync_members(
            s.id,
            [
                MemberSync(kid.id, R.PUPIL),
                MemberSync(other.id, R.PUPIL),
                MemberSync(stranger.id, R.PUPIL, active=False),  # not a member: nothing to end
                MemberSync(UNKNOWN_ID, R.PUPIL),
                MemberSync(s.admin, R.TEACHER, active=False),  # a founder: the project's
                MemberSync(manual.id, R.PUPIL, active=False),  # a teacher decided: kept
                MemberSync(kid.id, R.TEACHER),  # a pupil is never a teacher
                MemberSync(other.id, R.PUPIL, active=False),  # sees the change above
            ],
        )
        assert set(synced.refused) == {stranger.id, UNKNOWN_ID, kid.id}
        assert isinstance(synced.refused[stranger.id], NotFoundError)
        assert isinstance(synced.refused[UNKNOWN_ID], NotFoundError)
        assert isinstance(synced.refused[kid.id], RuleViolationError)
        assert set(synced.members) == {other.id, s.admin, manual.id}
        assert synced.members[s.admin].role is R.TEACHER_ADMINISTRATOR
        assert synced.members[manual.id].role_source is RoleSource.MANUAL
        assert synced.members[other.id].status is MemberStatus.SUSPENDED
        # what was applied is what a re-read shows; the refused change left the first one
        assert hub.get_member(s.id, kid.id).role is R.PUPIL
        assert hub.get_member(s.id, kid.id).role_source is RoleSource.LMS
        assert hub.get_member(s.id, other.id) == synced.members[other.id]
        assert hub.get_member(s.id, manual.id).status is MemberStatus.ACTIVE
        with pytest.raises(NotFoundError):
            hub.get_member(s.id, stranger.id)
        assert hub.get_twinspace(s.id).has_pupils
        assert hub.sync_members(s.id, []).members == {}

    def test_more_changes_than_one_call_takes(self, hub: HubPort) -> None:
        """The HTTP hub sends ``BATCH_MAX`` changes a call: a person's last change still counts
        when it is in a later call than their first."""
        s = space(hub, pupils=False)
        kids = hub.create_people(
            [
                NewPerson(f"Pupil {n:04X}", PersonKind.PUPIL, None, None, None)
                for n in range(BATCH_MAX + 1)
            ]
        )
        changes = [MemberSync(k.id, R.PUPIL) for k in kids]
        changes += [
            MemberSync(kids[0].id, R.TEACHER),
            MemberSync(kids[1].id, R.PUPIL, active=False),
        ]
        synced = hub.sync_members(s.id, changes)
        assert set(synced.refused) == {kids[0].id}
        assert isinstance(synced.refused[kids[0].id], RuleViolationError)
        assert len(synced.members) == BATCH_MAX
        assert synced.members[kids[1].id].status is MemberStatus.SUSPENDED
        assert hub.get_member(s.id, kids[0].id).role is R.PUPIL  # its first change was applied
        assert hub.get_member(s.id, kids[-1].id) == synced.members[kids[-1].id]

    def test_sync_members_of_an_unknown_or_archived_twinspace(self, hub: HubPort) -> None:
        kid = person(hub, PersonKind.PUPIL)
        with pytest.raises(NotFoundError):
            hub.sync_members(UNKNOWN_ID, [MemberSync(kid.id, R.PUPIL)])
        closed = archived_space(hub)
        synced = hub.sync_members(closed.id, [MemberSync(kid.id, R.PUPIL)])
        assert synced.members == {} and isinstance(synced.refused[kid.id], RuleViolationError)
        with pytest.raises(NotFoundError):
            hub.get_member(closed.id, kid.id)
