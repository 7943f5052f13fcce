"""``etwin_lti.domain.moderation``: who may edit, delete, hide and publish, as a table."""

from __future__ import annotations

import pytest

from etwin_lti.domain import moderation
from etwin_lti.domain.model import Member, MemberStatus, RoleSource, Visibility
from etwin_lti.domain.model import TwinSpaceRole as R
from etwin_lti.domain.moderation import ContentKind as K
from etwin_lti.errors import InvalidInputError, PermissionDeniedError

AUTHOR = 7


def member(role: R, person_id: int = 1, status: MemberStatus = MemberStatus.ACTIVE) -> Member:
    return Member(1, person_id, "Someone", role, status, RoleSource.MANUAL, False)


def allowed(check: object) -> bool:
    try:
        check()  # type: ignore[operator]
    except PermissionDeniedError:
        return False
    return True


# (who, edit own, edit other's, delete other's, hide, publish own page)
ROWS = [
    (R.TEACHER_ADMINISTRATOR, True, False, True, True, True),
    (R.TEACHER, True, False, False, False, True),
    (R.EXPERT, True, False, False, False, True),
    (R.OBSERVER, True, False, False, False, True),
    (R.PUPIL_ADMINISTRATOR, True, False, False, False, False),
    (R.PUPIL, True, False, False, False, False),
    (R.GUEST, True, False, False, False, False),
]


@pytest.mark.parametrize(("role", "own", "other", "delete", "hide", "publish"), ROWS)
def test_who_may_do_what(
    role: R, own: bool, other: bool, delete: bool, hide: bool, publish: bool
) -> None:
    me = member(role, AUTHOR)
    assert allowed(lambda: moderation.check_edit(me, AUTHOR, hidden=False)) is own
    assert allowed(lambda: moderation.check_edit(me, AUTHOR + 1, hidden=False)) is other
    assert allowed(lambda: moderation.check_delete(me, AUTHOR + 1)) is delete
    assert allowed(lambda: moderation.check_delete(me, AUTHOR)) is True  # one's own
    assert allowed(lambda: moderation.check_moderate(me)) is hide
    wanted = Visibility.PUBLIC
    assert allowed(lambda: moderation.check_visibility(me, K.PAGE, AUTHOR, wanted)) is publish
    private = Visibility.PRIVATE
    assert allowed(lambda: moderation.check_visibility(me, K.PAGE, AUTHOR, private)) is True


@pytest.mark.parametrize(
    "me", [member(R.TEACHER_ADMINISTRATOR, AUTHOR, MemberStatus.SUSPENDED), None]
)
def test_a_suspended_or_absent_member_does_nothing(me: Member | None) -> None:
    assert not allowed(lambda: moderation.check_edit(me, AUTHOR, hidden=False))
    assert not allowed(lambda: moderation.check_delete(me, AUTHOR))
    assert not allowed(lambda: moderation.check_moderate(me))
    assert moderation.sees_hidden(me) is False


def test_hidden_content_is_no_longer_the_authors_to_edit() -> None:
    with pytest.raises(moderation.HiddenContentError):
        moderation.check_edit(member(R.PUPIL, AUTHOR), AUTHOR, hidden=True)


def test_only_pages_and_materials_have_a_visibility() -> None:
    admin = member(R.TEACHER_ADMINISTRATOR)
    for kind in set(K) - moderation.WITH_VISIBILITY:
        with pytest.raises(InvalidInputError):
            moderation.check_visibility(admin, kind, AUTHOR, Visibility.PUBLIC)


@pytest.mark.parametrize(
    ("kind", "given", "field"),
    [
        (K.DIARY_COMMENT, {"title": "T"}, "title"),
        (K.THREAD, {"body": "B"}, "body"),
        (K.PAGE, {"url": "https://e.org"}, "url"),
        (K.MATERIAL, {"body": "B"}, "body"),
        (K.FORUM_POST, {}, "body"),
        (K.DIARY_POST, {"title": ""}, "title"),
        (K.DIARY_COMMENT, {"body": "x" * 5001}, "body"),
        (K.MATERIAL, {"url": "data:text/html,x"}, "url"),
    ],
)
def test_edits_are_checked_like_new_content(kind: K, given: dict[str, str], field: str) -> None:
    fields = {"title": None, "body": None, "url": None, **given}
    with pytest.raises(InvalidInputError) as caught:
        moderation.clean_edit(kind, **fields)
    assert field in caught.value.errors


def test_a_page_body_may_be_emptied_and_values_are_stripped() -> None:
    assert moderation.clean_edit(K.PAGE, title=" Town ", body="", url=None) == {
        "title": "Town",
        "body": "",
    }


def test_public_views_never_name_a_pupil() -> None:
    assert moderation.author_label("Pupil B.", is_pupil=True, public_view=True) == (
        moderation.PUPIL_AUTHOR
    )
    assert moderation.author_label("Pupil B.", is_pupil=True, public_view=False) == "Pupil B."
    assert moderation.author_label("Ms Martin", is_pupil=False, public_view=True) == "Ms Martin"
