"""The rules of teacher linking (``etwin_lti.domain.teacher_linking``), as tables."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from etwin_lti.domain.model import TwinSpaceRole
from etwin_lti.domain.teacher_linking import (
    AccountStatus,
    CodeChallenge,
    CodeExpiredError,
    CodeUsedError,
    Invitation,
    InvitationExpiredError,
    InvitationForAnotherTwinSpaceError,
    InvitationRevokedError,
    InvitationUsedError,
    LinkMethod,
    NoCodeRequestedError,
    PendingValidationError,
    TeacherAccount,
    TooManyAttemptsError,
    check_code,
    check_invitation_usable,
    check_may_found,
    code_hash,
    codes_match,
    may_link,
)
from etwin_lti.errors import EtwinLtiError

NOW = datetime(2030, 1, 1, tzinfo=UTC)
KEY = b"k" * 32
INVITATION = Invitation(
    id=1,
    twinspace_id=7,
    role=TwinSpaceRole.TEACHER,
    inviter_id=1,
    invitee_id=None,
    note="",
    created_at=NOW - timedelta(days=1),
    expires_at=NOW + timedelta(days=1),
)
CHALLENGE = CodeChallenge(
    id=1,
    claimant_id=5,
    profile_id=9,
    code_hash=code_hash(KEY, 5, "123456"),
    created_at=NOW,
    expires_at=NOW + timedelta(minutes=15),
)


@pytest.mark.parametrize(
    ("change", "launched", "error"),
    [
        ({"used_at": NOW}, None, InvitationUsedError),
        ({"revoked_at": NOW}, None, InvitationRevokedError),
        ({"expires_at": NOW}, None, InvitationExpiredError),
        # A used one says so even once expired and revoked.
        ({"used_at": NOW, "revoked_at": NOW, "expires_at": NOW}, None, InvitationUsedError),
        ({}, 8, InvitationForAnotherTwinSpaceError),
    ],
    ids=["used", "revoked", "expired", "used wins", "another TwinSpace"],
)
def test_unusable_invitations(
    change: dict[str, object], launched: int | None, error: type[EtwinLtiError]
) -> None:
    with pytest.raises(error):
        check_invitation_usable(replace(INVITATION, **change), NOW, launched_twinspace_id=launched)


@pytest.mark.parametrize("launched", [None, 7], ids=["from the picker", "its own TwinSpace"])
def test_usable_invitations(launched: int | None) -> None:
    check_invitation_usable(INVITATION, NOW, launched_twinspace_id=launched)


@pytest.mark.parametrize(
    ("challenge", "error"),
    [
        (None, NoCodeRequestedError),
        (replace(CHALLENGE, consumed_at=NOW), CodeUsedError),
        (replace(CHALLENGE, attempts=5), TooManyAttemptsError),
        (replace(CHALLENGE, expires_at=NOW), CodeExpiredError),
    ],
    ids=["none", "used", "five wrong attempts", "expired"],
)
def test_unusable_codes(challenge: CodeChallenge | None, error: type[EtwinLtiError]) -> None:
    with pytest.raises(error):
        check_code(challenge, NOW)


@pytest.mark.parametrize(
    ("challenge", "given", "matches"),
    [
        (CHALLENGE, "123456", True),
        (CHALLENGE, " 123 456 ", True),
        (CHALLENGE, "123457", False),
        (replace(CHALLENGE, claimant_id=6), "123456", False),  # another teacher's code
        (replace(CHALLENGE, profile_id=None), "123456", False),  # no profile had the address
    ],
    ids=["right", "spaces", "wrong", "another claimant", "no profile"],
)
def test_codes_match(challenge: CodeChallenge, given: str, matches: bool) -> None:
    assert codes_match(KEY, challenge, given) is matches


def test_a_code_hash_is_not_the_code() -> None:
    assert "123456" not in CHALLENGE.code_hash and len(CHALLENGE.code_hash) == 64


def _account(status: AccountStatus) -> TeacherAccount:
    return TeacherAccount(1, status, LinkMethod.REGISTRATION, NOW)


@pytest.mark.parametrize(
    ("account", "founds", "links"),
    [
        (None, True, True),
        (_account(AccountStatus.VALIDATED), True, False),
        (_account(AccountStatus.PENDING_VALIDATION), False, False),
        (_account(AccountStatus.INVITED_MEMBER), False, True),
    ],
    ids=["not connected yet", "validated", "pending", "invited member"],
)
def test_who_may_found_and_link(account: TeacherAccount | None, founds: bool, links: bool) -> None:
    assert may_link(account) is links
    if founds:
        check_may_found(account)
    else:
        with pytest.raises(PendingValidationError):
            check_may_found(account)
