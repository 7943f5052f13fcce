"""Chat rules: message text, the poll cursor, who may post and moderate, retention."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from etwin_lti.domain import chat
from etwin_lti.domain.model import (
    Member,
    MemberStatus,
    RoleSource,
    TwinSpace,
    TwinSpaceRole,
    TwinSpaceStatus,
)
from etwin_lti.domain.twinspaces import TwinSpaceArchivedError
from etwin_lti.errors import InvalidInputError, PermissionDeniedError


def member(role: TwinSpaceRole, status: MemberStatus = MemberStatus.ACTIVE) -> Member:
    return Member(1, 2, "Pupil 4F2A", role, status, RoleSource.LMS, False)


@pytest.mark.parametrize("text", ["", "   \n", "x" * (chat.MESSAGE_MAX + 1), "a\x00b", 5, None])
def test_bad_messages_are_refused(text: object) -> None:
    with pytest.raises(InvalidInputError):
        chat.clean_message(text)


def test_html_is_kept_as_text_and_trimmed() -> None:
    assert chat.clean_message("  <script>alert(1)</script>\n") == "<script>alert(1)</script>"
    assert chat.clean_message("x" * chat.MESSAGE_MAX) == "x" * chat.MESSAGE_MAX


@pytest.mark.parametrize("raw", ["-1", "1.5", "abc", "١٢", "9" * 13, " 1"])
def test_malformed_cursors_are_refused(raw: str) -> None:
    with pytest.raises(InvalidInputError):
        chat.parse_cursor(raw)


def test_cursor_values() -> None:
    assert chat.parse_cursor(None) == 0
    assert chat.parse_cursor("") == 0
    assert chat.parse_cursor("42") == 42


def _space(status: TwinSpaceStatus) -> TwinSpace:
    space = object.__new__(TwinSpace)
    object.__setattr__(space, "status", status)
    return space


def test_who_may_post_and_moderate() -> None:
    open_space = _space(TwinSpaceStatus.OPEN)
    assert chat.check_can_post(open_space, member(TwinSpaceRole.PUPIL)).role is TwinSpaceRole.PUPIL
    with pytest.raises(PermissionDeniedError):
        chat.check_can_post(open_space, member(TwinSpaceRole.GUEST))
    with pytest.raises(PermissionDeniedError):
        chat.check_can_post(open_space, member(TwinSpaceRole.PUPIL, MemberStatus.SUSPENDED))
    with pytest.raises(PermissionDeniedError):
        chat.check_can_post(open_space, None)
    with pytest.raises(PermissionDeniedError):
        chat.check_can_moderate(open_space, member(TwinSpaceRole.TEACHER))
    chat.check_can_moderate(open_space, member(TwinSpaceRole.TEACHER_ADMINISTRATOR))
    assert chat.check_can_read(member(TwinSpaceRole.GUEST)).role is TwinSpaceRole.GUEST


def test_archived_space_is_read_only() -> None:
    archived = _space(TwinSpaceStatus.ARCHIVED)
    with pytest.raises(TwinSpaceArchivedError):
        chat.check_can_post(archived, member(TwinSpaceRole.PUPIL))
    with pytest.raises(TwinSpaceArchivedError):
        chat.check_can_moderate(archived, member(TwinSpaceRole.TEACHER_ADMINISTRATOR))


def test_retention_is_three_months() -> None:
    now = datetime(2026, 12, 2, tzinfo=UTC)
    assert chat.purge_before(now) == datetime(2026, 9, 1, tzinfo=UTC)


def test_authors_delete_their_own_teacher_administrators_anyones() -> None:
    open_space = _space(TwinSpaceStatus.OPEN)
    pupil = member(TwinSpaceRole.PUPIL)  # person 2
    assert chat.check_can_delete(open_space, pupil, author_id=2) is pupil
    with pytest.raises(PermissionDeniedError):
        chat.check_can_delete(open_space, pupil, author_id=3)
    with pytest.raises(PermissionDeniedError):
        chat.check_can_delete(open_space, member(TwinSpaceRole.TEACHER), author_id=3)
    with pytest.raises(PermissionDeniedError):
        chat.check_can_delete(
            open_space, member(TwinSpaceRole.PUPIL, MemberStatus.SUSPENDED), author_id=2
        )
    chat.check_can_delete(open_space, member(TwinSpaceRole.TEACHER_ADMINISTRATOR), author_id=3)
    with pytest.raises(TwinSpaceArchivedError):
        chat.check_can_delete(_space(TwinSpaceStatus.ARCHIVED), pupil, author_id=2)


def test_hidden_text_only_for_moderators() -> None:
    at = datetime(2026, 12, 2, tzinfo=UTC)
    hidden = chat.ChatMessage(1, 1, 2, "Unkind words", at, 7, hidden=True)
    assert chat.redacted(hidden, moderator=True) is hidden
    seen = chat.redacted(hidden, moderator=False)
    assert (seen.body, seen.hidden, seen.revision) == ("", True, 7)
    plain = chat.ChatMessage(2, 1, 2, "Hello", at, 8)
    assert chat.redacted(plain, moderator=False) is plain
    assert chat.is_moderator(member(TwinSpaceRole.TEACHER_ADMINISTRATOR))
    assert not chat.is_moderator(
        member(TwinSpaceRole.TEACHER_ADMINISTRATOR, MemberStatus.SUSPENDED)
    )
    assert not chat.is_moderator(member(TwinSpaceRole.TEACHER)) and not chat.is_moderator(None)


@pytest.mark.parametrize("value", [-1, 10**12, True, "3", 1.0, None])
def test_numeric_cursors_out_of_range_are_refused(value: object) -> None:
    with pytest.raises(InvalidInputError):
        chat.check_after(value)


@pytest.mark.parametrize("value", [0, chat.PAGE_MAX + 1, True, "10", None])
def test_page_sizes_out_of_range_are_refused(value: object) -> None:
    with pytest.raises(InvalidInputError):
        chat.check_limit(value)
    assert chat.check_limit(chat.PAGE_MAX) == chat.PAGE_MAX
