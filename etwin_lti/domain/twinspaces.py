"""TwinSpace roles and what each may do (domain-facts.md 1.4).

The matrix follows ESEP's "What rights do the different TwinSpace roles give" where it is
explicit, and the legacy TwinSpace rules where ESEP is silent:

- Teacher administrators (founders and co-founders included) add users and change others'
  permissions, except a founder's: founders' rights are untouchable [ESEP].
- Whether a plain teacher may invite is not stated by ESEP; the legacy course text says a
  teacher-member "cannot accept new users", so teachers do not invite here (least privilege).
- Experts may invite, but never pupils [ESEP]; granting administrator rights is managing
  permissions, which only teacher administrators do.
- Observers, pupils and pupil administrators invite nobody [ESEP]; guests are read-only.
- Content is private by default once pupils are members, and a pupil's content is never public
  (DESIGN.md "Privacy"). An archived TwinSpace is read-only (ESEP lifecycle, domain-facts 1.3).

Each ``check_*`` function raises the error the port promises and returns nothing.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field

from etwin_lti.domain.model import (
    Member,
    MemberStatus,
    PersonKind,
    RoleSource,
    TwinSpace,
    TwinSpaceRole,
    TwinSpaceStatus,
    Visibility,
)
from etwin_lti.domain.translatable import N_
from etwin_lti.errors import EtwinLtiError, PermissionDeniedError, RuleViolationError

R = TwinSpaceRole


@dataclass(frozen=True)
class MemberSync:
    """One membership the LMS asks for (``HubPort.sync_members``), as ``sync_member``'s
    arguments."""

    person_id: int
    role: TwinSpaceRole
    active: bool = True


@dataclass
class SyncedMembers:
    """What ``sync_members`` did: per person (by their last change in the call), the member as
    ``sync_member`` would have returned it, or the error it would have raised."""

    members: dict[int, Member] = field(default_factory=dict)
    refused: dict[int, EtwinLtiError] = field(default_factory=dict)

    def synced(self, person_id: int, member: Member) -> None:
        self.refused.pop(person_id, None)  # a person's last change counts
        self.members[person_id] = member

    def refuse(self, person_id: int, error: EtwinLtiError) -> None:
        self.members.pop(person_id, None)
        self.refused[person_id] = error


class TwinSpaceArchivedError(RuleViolationError):
    error = "twinspace_archived"
    description = N_("This TwinSpace is archived: it can be read but no longer changed.")


class FounderProtectedError(PermissionDeniedError):
    error = "founder_protected"
    description = N_("No one can change a founder's rights in their TwinSpace.")


class MembershipSuspendedError(PermissionDeniedError):
    """A suspended member launched into their TwinSpace: only its administrators can let them
    back in (the code stays ``forbidden``, as the API and the audit log have always read it)."""

    description = N_("Your membership of this TwinSpace is suspended.")
    pupil_description = N_(
        "You cannot go into this TwinSpace at the moment. Your teacher can let you in again."
    )
    who_can_fix = N_("a teacher administrator of this TwinSpace")


class RoleNotAllowedError(RuleViolationError):
    error = "role_not_allowed"
    description = N_("This person cannot hold that TwinSpace role.")


class Action(enum.StrEnum):
    MANAGE_MEMBERS = "manage_members"  # change roles, suspend, reactivate
    ADD_PAGE = "add_page"
    ADD_MATERIAL = "add_material"
    COMMENT_DIARY = "comment_diary"
    CREATE_THREAD = "create_thread"
    REPLY_THREAD = "reply_thread"
    PUBLISH = "publish"  # make one's own content public


ALL_ROLES = frozenset(TwinSpaceRole)
PUPIL_ROLES = frozenset({R.PUPIL, R.PUPIL_ADMINISTRATOR})

# Who may invite whom: actor role -> roles they may give a newcomer.
INVITE_RIGHTS: Mapping[TwinSpaceRole, frozenset[TwinSpaceRole]] = {
    R.TEACHER_ADMINISTRATOR: ALL_ROLES,
    R.TEACHER: frozenset(),
    R.EXPERT: frozenset({R.TEACHER, R.EXPERT, R.OBSERVER, R.GUEST}),
    R.OBSERVER: frozenset(),
    R.PUPIL_ADMINISTRATOR: frozenset(),
    R.PUPIL: frozenset(),
    R.GUEST: frozenset(),
}

# What each role may do besides inviting.
PERMISSIONS: Mapping[TwinSpaceRole, frozenset[Action]] = {
    R.TEACHER_ADMINISTRATOR: frozenset(Action),
    R.TEACHER: frozenset(
        {
            Action.ADD_PAGE,
            Action.ADD_MATERIAL,
            Action.COMMENT_DIARY,
            Action.CREATE_THREAD,
            Action.REPLY_THREAD,
            Action.PUBLISH,
        }
    ),
    R.EXPERT: frozenset(
        {
            Action.ADD_MATERIAL,
            Action.COMMENT_DIARY,
            Action.CREATE_THREAD,
            Action.REPLY_THREAD,
            Action.PUBLISH,
        }
    ),
    # "may upload materials and reply in forum threads"
    R.OBSERVER: frozenset(
        {Action.ADD_MATERIAL, Action.COMMENT_DIARY, Action.REPLY_THREAD, Action.PUBLISH}
    ),
    # "+ add/edit pages; create forum threads", never public
    R.PUPIL_ADMINISTRATOR: frozenset(
        {
            Action.ADD_PAGE,
            Action.ADD_MATERIAL,
            Action.COMMENT_DIARY,
            Action.CREATE_THREAD,
            Action.REPLY_THREAD,
        }
    ),
    R.PUPIL: frozenset({Action.ADD_MATERIAL, Action.COMMENT_DIARY, Action.REPLY_THREAD}),
    R.GUEST: frozenset(),
}

# Which roles a person of each kind may hold. Pupils only ever hold pupil roles and nobody
# else does; teacher roles need an eTwinner (teacher or trainer) account.
ROLES_FOR_KIND: Mapping[PersonKind, frozenset[TwinSpaceRole]] = {
    PersonKind.TEACHER: ALL_ROLES - PUPIL_ROLES,
    PersonKind.TRAINER: ALL_ROLES - PUPIL_ROLES,
    PersonKind.EXPERT: frozenset({R.EXPERT, R.OBSERVER, R.GUEST}),
    PersonKind.PUPIL: PUPIL_ROLES,
    PersonKind.GUEST: frozenset({R.OBSERVER, R.GUEST}),
    PersonKind.NSO_OFFICER: frozenset({R.OBSERVER, R.GUEST}),
    PersonKind.CSS_OFFICER: frozenset({R.OBSERVER, R.GUEST}),
    PersonKind.ADMIN: frozenset({R.OBSERVER, R.GUEST}),
}

# Roles the LMS may never grant: they are decisions taken inside the tool (DESIGN.md).
TOOL_ONLY_ROLES = frozenset({R.TEACHER_ADMINISTRATOR, R.PUPIL_ADMINISTRATOR})

# list_members order: administrators first.
ROLE_ORDER: Mapping[TwinSpaceRole, int] = {
    R.TEACHER_ADMINISTRATOR: 0,
    R.TEACHER: 1,
    R.EXPERT: 2,
    R.OBSERVER: 3,
    R.PUPIL_ADMINISTRATOR: 4,
    R.PUPIL: 5,
    R.GUEST: 6,
}


def member_sort_key(member: Member) -> tuple[int, str, int]:
    return (ROLE_ORDER[member.role], member.display_name.casefold(), member.person_id)


def is_active(member: Member | None) -> bool:
    return member is not None and member.status is MemberStatus.ACTIVE


def check_writable(twinspace: TwinSpace) -> None:
    if twinspace.status is TwinSpaceStatus.ARCHIVED:
        raise TwinSpaceArchivedError()


def check_active_member(actor: Member | None) -> Member:
    if actor is None or actor.status is not MemberStatus.ACTIVE:
        raise PermissionDeniedError(N_("Only active members of this TwinSpace can do this."))
    return actor


def check_can(actor: Member | None, action: Action) -> Member:
    member = check_active_member(actor)
    if action not in PERMISSIONS[member.role]:
        raise PermissionDeniedError(f"{_a(member.role)} cannot do this in a TwinSpace.")
    return member


def check_role_for_kind(role: TwinSpaceRole, kind: PersonKind) -> None:
    if role not in ROLES_FOR_KIND[kind]:
        raise RoleNotAllowedError(f"{_a(kind)} cannot be {_a(role).lower()} in a TwinSpace.")


def check_invite(actor: Member | None, role: TwinSpaceRole, invitee_kind: PersonKind) -> None:
    member = check_active_member(actor)
    allowed = INVITE_RIGHTS[member.role]
    if not allowed:
        raise PermissionDeniedError(f"{_a(member.role)} cannot invite anyone.")
    if role not in allowed:
        raise PermissionDeniedError(f"{_a(member.role)} cannot invite {_a(role).lower()}.")
    check_role_for_kind(role, invitee_kind)


def check_manage(actor: Member | None, target: Member) -> None:
    """Changing roles and suspending: teacher administrators only, never on a founder."""
    check_can(actor, Action.MANAGE_MEMBERS)
    if target.is_founder:
        raise FounderProtectedError()


def resolve_visibility(
    requested: Visibility | None, author: Member, twinspace: TwinSpace
) -> Visibility:
    """Private by default where pupils are members; pupils' content is never public."""
    if requested is None:
        if author.role in PUPIL_ROLES or twinspace.has_pupils:
            return Visibility.PRIVATE
        return Visibility.PUBLIC
    if requested is Visibility.PUBLIC and Action.PUBLISH not in PERMISSIONS[author.role]:
        raise RuleViolationError(N_("Content made by pupils is never public."))
    return requested


def can_see_private(viewer: Member | None) -> bool:
    return is_active(viewer)


def sync_applies(existing: Member | None) -> bool:
    """The LMS may create a member or update one it created, never a teacher's decision."""
    return existing is None or existing.role_source is RoleSource.LMS


def check_sync_role(role: TwinSpaceRole, kind: PersonKind) -> None:
    if role in TOOL_ONLY_ROLES:
        raise RoleNotAllowedError(
            f"The {_label(role)} role is granted inside the tool, never by the LMS."
        )
    check_role_for_kind(role, kind)


def _label(role: TwinSpaceRole) -> str:
    return role.value.replace("_", " ")


def _a(value: TwinSpaceRole | PersonKind) -> str:
    """ "An observer", "A teacher": for messages shown to teachers."""
    words = value.value.replace("_", " ")
    return ("An " if words[0] in "aeiou" else "A ") + words
