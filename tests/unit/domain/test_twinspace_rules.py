"""The TwinSpace permission matrix (domain-facts.md 1.4), one row per (actor role, action)."""

from __future__ import annotations

import pytest

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
from etwin_lti.domain.twinspaces import (
    Action,
    FounderProtectedError,
    RoleNotAllowedError,
    TwinSpaceArchivedError,
    check_can,
    check_invite,
    check_manage,
    check_sync_role,
    check_writable,
    member_sort_key,
    resolve_visibility,
    sync_applies,
)
from etwin_lti.errors import PermissionDeniedError, RuleViolationError

R = TwinSpaceRole
K = PersonKind


def member(
    role: TwinSpaceRole,
    *,
    founder: bool = False,
    status: MemberStatus = MemberStatus.ACTIVE,
    source: RoleSource = RoleSource.MANUAL,
    name: str = "X",
    person_id: int = 1,
) -> Member:
    return Member(1, person_id, name, role, status, source, founder)


def twinspace(*, pupils: bool = False, archived: bool = False) -> TwinSpace:
    status = TwinSpaceStatus.ARCHIVED if archived else TwinSpaceStatus.OPEN
    return TwinSpace(1, 1, "T", status, pupils)


# (actor role, role given, invitee kind, allowed?)
INVITES = [
    (R.TEACHER_ADMINISTRATOR, R.TEACHER_ADMINISTRATOR, K.TEACHER, True),
    (R.TEACHER_ADMINISTRATOR, R.TEACHER, K.TEACHER, True),
    (R.TEACHER_ADMINISTRATOR, R.EXPERT, K.EXPERT, True),
    (R.TEACHER_ADMINISTRATOR, R.OBSERVER, K.TEACHER, True),
    (R.TEACHER_ADMINISTRATOR, R.PUPIL_ADMINISTRATOR, K.PUPIL, True),
    (R.TEACHER_ADMINISTRATOR, R.PUPIL, K.PUPIL, True),
    (R.TEACHER_ADMINISTRATOR, R.GUEST, K.GUEST, True),
    (R.EXPERT, R.TEACHER, K.TEACHER, True),
    (R.EXPERT, R.EXPERT, K.EXPERT, True),
    (R.EXPERT, R.OBSERVER, K.TEACHER, True),
    (R.EXPERT, R.GUEST, K.GUEST, True),
    (R.EXPERT, R.PUPIL, K.PUPIL, False),  # experts never invite pupils
    (R.EXPERT, R.PUPIL_ADMINISTRATOR, K.PUPIL, False),
    (R.EXPERT, R.TEACHER_ADMINISTRATOR, K.TEACHER, False),  # managing permits: admins only
    (R.TEACHER, R.TEACHER, K.TEACHER, False),  # legacy: a teacher-member cannot accept users
    (R.TEACHER, R.PUPIL, K.PUPIL, False),
    (R.OBSERVER, R.GUEST, K.GUEST, False),
    (R.PUPIL_ADMINISTRATOR, R.PUPIL, K.PUPIL, False),
    (R.PUPIL, R.PUPIL, K.PUPIL, False),
    (R.GUEST, R.GUEST, K.GUEST, False),
]


@pytest.mark.parametrize(("actor", "role", "kind", "allowed"), INVITES)
def test_who_may_invite_whom(
    actor: TwinSpaceRole, role: TwinSpaceRole, kind: PersonKind, allowed: bool
) -> None:
    if allowed:
        check_invite(member(actor), role, kind)
    else:
        with pytest.raises(PermissionDeniedError):
            check_invite(member(actor), role, kind)


@pytest.mark.parametrize(
    ("role", "kind"),
    [
        (R.TEACHER, K.PUPIL),
        (R.TEACHER_ADMINISTRATOR, K.PUPIL),
        (R.GUEST, K.PUPIL),
        (R.PUPIL, K.TEACHER),
        (R.PUPIL_ADMINISTRATOR, K.EXPERT),
        (R.TEACHER, K.EXPERT),
        (R.TEACHER, K.GUEST),
        (R.TEACHER_ADMINISTRATOR, K.NSO_OFFICER),
    ],
)
def test_roles_a_person_cannot_hold(role: TwinSpaceRole, kind: PersonKind) -> None:
    with pytest.raises(RoleNotAllowedError):
        check_invite(member(R.TEACHER_ADMINISTRATOR), role, kind)


@pytest.mark.parametrize(
    "actor", [None, member(R.TEACHER_ADMINISTRATOR, status=MemberStatus.SUSPENDED)]
)
def test_outsiders_and_suspended_members_do_nothing(actor: Member | None) -> None:
    with pytest.raises(PermissionDeniedError):
        check_invite(actor, R.GUEST, K.GUEST)
    with pytest.raises(PermissionDeniedError):
        check_can(actor, Action.REPLY_THREAD)


# (role, actions allowed); every other action is refused.
MATRIX = {
    R.TEACHER_ADMINISTRATOR: set(Action),
    R.TEACHER: {
        Action.ADD_PAGE,
        Action.ADD_MATERIAL,
        Action.COMMENT_DIARY,
        Action.CREATE_THREAD,
        Action.REPLY_THREAD,
        Action.PUBLISH,
    },
    R.EXPERT: {
        Action.ADD_MATERIAL,
        Action.COMMENT_DIARY,
        Action.CREATE_THREAD,
        Action.REPLY_THREAD,
        Action.PUBLISH,
    },
    R.OBSERVER: {Action.ADD_MATERIAL, Action.COMMENT_DIARY, Action.REPLY_THREAD, Action.PUBLISH},
    R.PUPIL_ADMINISTRATOR: {
        Action.ADD_PAGE,
        Action.ADD_MATERIAL,
        Action.COMMENT_DIARY,
        Action.CREATE_THREAD,
        Action.REPLY_THREAD,
    },
    R.PUPIL: {Action.ADD_MATERIAL, Action.COMMENT_DIARY, Action.REPLY_THREAD},
    R.GUEST: set(),
}


@pytest.mark.parametrize(("role", "action"), [(role, action) for role in R for action in Action])
def test_permission_matrix(role: TwinSpaceRole, action: Action) -> None:
    if action in MATRIX[role]:
        assert check_can(member(role), action).role is role
    else:
        with pytest.raises(PermissionDeniedError):
            check_can(member(role), action)


@pytest.mark.parametrize(
    ("actor", "target", "error"),
    [
        (member(R.TEACHER_ADMINISTRATOR), member(R.PUPIL), None),
        (member(R.TEACHER_ADMINISTRATOR, founder=True), member(R.TEACHER_ADMINISTRATOR), None),
        (
            member(R.TEACHER_ADMINISTRATOR, founder=True),
            member(R.TEACHER_ADMINISTRATOR, founder=True),
            FounderProtectedError,
        ),
        (
            member(R.TEACHER_ADMINISTRATOR),
            member(R.TEACHER_ADMINISTRATOR, founder=True),
            FounderProtectedError,
        ),
        (member(R.TEACHER), member(R.TEACHER_ADMINISTRATOR, founder=True), PermissionDeniedError),
        (member(R.TEACHER), member(R.PUPIL), PermissionDeniedError),
        (member(R.EXPERT), member(R.GUEST), PermissionDeniedError),
        (member(R.PUPIL_ADMINISTRATOR), member(R.PUPIL), PermissionDeniedError),
    ],
)
def test_managing_members(actor: Member, target: Member, error: type[Exception] | None) -> None:
    if error is None:
        check_manage(actor, target)
    else:
        with pytest.raises(error):
            check_manage(actor, target)


@pytest.mark.parametrize(
    ("requested", "author", "pupils", "expected"),
    [
        (None, R.TEACHER, False, Visibility.PUBLIC),
        (None, R.TEACHER, True, Visibility.PRIVATE),  # private by default with pupils
        (None, R.PUPIL_ADMINISTRATOR, False, Visibility.PRIVATE),  # pupils' content never public
        (Visibility.PUBLIC, R.TEACHER, True, Visibility.PUBLIC),  # a teacher's explicit choice
        (Visibility.PRIVATE, R.TEACHER_ADMINISTRATOR, False, Visibility.PRIVATE),
        (Visibility.PUBLIC, R.PUPIL_ADMINISTRATOR, True, RuleViolationError),
        (Visibility.PUBLIC, R.PUPIL, False, RuleViolationError),
    ],
)
def test_visibility(
    requested: Visibility | None, author: TwinSpaceRole, pupils: bool, expected: object
) -> None:
    if isinstance(expected, Visibility):
        assert resolve_visibility(requested, member(author), twinspace(pupils=pupils)) is expected
    else:
        with pytest.raises(RuleViolationError):
            resolve_visibility(requested, member(author), twinspace(pupils=pupils))


def test_archived_twinspace_is_read_only() -> None:
    check_writable(twinspace())
    with pytest.raises(TwinSpaceArchivedError):
        check_writable(twinspace(archived=True))


@pytest.mark.parametrize(
    ("existing", "applies"),
    [
        (None, True),
        (member(R.PUPIL, source=RoleSource.LMS), True),
        (member(R.PUPIL, source=RoleSource.MANUAL), False),
        (member(R.TEACHER_ADMINISTRATOR, source=RoleSource.PROJECT, founder=True), False),
    ],
)
def test_lms_sync_never_overrides_a_decision(existing: Member | None, applies: bool) -> None:
    assert sync_applies(existing) is applies


@pytest.mark.parametrize(
    ("role", "kind", "ok"),
    [
        (R.TEACHER, K.TEACHER, True),
        (R.PUPIL, K.PUPIL, True),
        (R.GUEST, K.GUEST, True),
        (R.TEACHER_ADMINISTRATOR, K.TEACHER, False),
        (R.PUPIL_ADMINISTRATOR, K.PUPIL, False),
        (R.TEACHER, K.PUPIL, False),
    ],
)
def test_roles_the_lms_may_give(role: TwinSpaceRole, kind: PersonKind, ok: bool) -> None:
    if ok:
        check_sync_role(role, kind)
    else:
        with pytest.raises(RoleNotAllowedError):
            check_sync_role(role, kind)


def test_members_sort_administrators_first_then_name() -> None:
    members = [
        member(R.PUPIL, name="anna", person_id=3),
        member(R.GUEST, name="Bob", person_id=4),
        member(R.TEACHER_ADMINISTRATOR, name="Zoe", person_id=2),
        member(R.PUPIL, name="Adam", person_id=5),
    ]
    ordered = sorted(members, key=member_sort_key)
    assert [m.person_id for m in ordered] == [2, 5, 3, 4]
