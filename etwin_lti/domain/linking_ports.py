"""Ports of teacher linking (``etwin_lti.services.teacher_linking``).

``connectors.sql_teacher_accounts.SqlTeacherAccounts`` implements the three stores in the
tool's database (they share one transaction when a link is made: the invitation or code is
consumed, the provisional person merged and the account recorded together, or nothing is).
``MailSender``: ``connectors.smtp_mail.SmtpMailSender`` and ``connectors.folder_mail.
FolderMailSender``, one contract suite for both (``tests/contract/test_mail_senders.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from etwin_lti.domain.model import Person, TwinSpaceRole
from etwin_lti.domain.people import NewPerson
from etwin_lti.domain.teacher_linking import (
    AccountStatus,
    CodeChallenge,
    Invitation,
    LinkMethod,
    OutgoingMail,
    TeacherAccount,
)


@dataclass(frozen=True)
class Membership:
    """A TwinSpace membership an invitation grants (recorded as the inviter's manual choice)."""

    twinspace_id: int
    role: TwinSpaceRole


@dataclass(frozen=True)
class Link:
    """One link to make atomically: merge ``claimant_id`` into ``target_id`` (the same id when
    the provisional person itself becomes the account), record the account, consume what
    allowed it, and grant ``membership`` if any."""

    claimant_id: int
    target_id: int
    status: AccountStatus
    method: LinkMethod
    at: datetime
    invitation_id: int | None = None
    challenge_id: int | None = None
    membership: Membership | None = None
    registration: NewPerson | None = None  # the provisional person's new profile fields


class InvitationStore(Protocol):
    def add_invitation(
        self,
        *,
        token_hash: str,
        twinspace_id: int,
        role: TwinSpaceRole,
        inviter_id: int,
        invitee_id: int | None,
        note: str,
        now: datetime,
        expires_at: datetime,
    ) -> Invitation: ...

    def find_invitation(self, token_hash: str) -> Invitation | None: ...

    def list_invitations(self, twinspace_id: int) -> list[Invitation]:
        """Newest first."""
        ...

    def revoke_invitation(self, twinspace_id: int, invitation_id: int, now: datetime) -> Invitation:
        """``NotFoundError`` unless that TwinSpace has it; revoking twice changes nothing."""
        ...


class OneTimeCodeStore(Protocol):
    def add_challenge(
        self,
        *,
        claimant_id: int,
        profile_id: int | None,
        code_hash: str,
        now: datetime,
        expires_at: datetime,
    ) -> CodeChallenge: ...

    def latest_challenge(self, claimant_id: int) -> CodeChallenge | None: ...

    def count_challenges_since(self, claimant_id: int, since: datetime) -> int: ...

    def record_wrong_attempt(self, challenge_id: int) -> int:
        """Add one wrong attempt (committed at once); the new count."""
        ...


class TeacherAccountStore(Protocol):
    def get_account(self, person_id: int) -> TeacherAccount | None: ...

    def find_teacher(self, person_id: int) -> tuple[Person, TeacherAccount | None] | None:
        """The teacher and their account (if any) in one read; None for anyone else. Every
        embedded page asks (the *Connect your account* offer): one round trip."""
        ...

    def find_profile_by_email(self, email: str, *, excluding: int) -> Person | None:
        """A teacher profile with this address (case-insensitive) that is not a provisional
        LMS person (one with an LTI identity and no account), other than ``excluding``."""
        ...

    def make_link(self, link: Link) -> None:
        """All of ``Link`` in one transaction. A consumed invitation or code that someone used
        in between raises ``InvitationUsedError`` / ``CodeUsedError`` and writes nothing."""
        ...

    def validate(self, person_id: int, nso_country_code: str, now: datetime) -> TeacherAccount:
        """Mark a pending registration validated by that NSO."""
        ...

    def list_accounts(self, status: AccountStatus | None = None) -> list[TeacherAccount]: ...


class MailSender(Protocol):
    def send(self, mail: OutgoingMail) -> None:
        """Deliver or store one message; ``RemoteServiceError`` when the mail server refuses."""
        ...
