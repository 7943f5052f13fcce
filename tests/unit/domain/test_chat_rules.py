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
