"""Linking an LMS teacher to an eTwinning teacher profile (DESIGN.md flow 2, issue 9 item 3).

A teacher's first launch creates a *provisional* person: an LTI identity and a hub person with
the name the LMS sent, in no project. That teacher connects it to eTwinning in one of three ways:

- an **invitation** a teacher administrator (a founder or co-founder) made on the TwinSpace
  page: single use, expiring, bound to one TwinSpace and one role; it names an existing profile
  (the LMS identity then belongs to that profile) or nobody (the LMS teacher becomes a member of
  that TwinSpace with the role, status ``invited_member``);
- a **one-time code** sent to the e-mail address of an existing teacher profile: digits, kept
  only as an HMAC, valid ``CODE_MINUTES``, single use, ``MAX_CODE_ATTEMPTS`` wrong guesses and
  a new code is needed;
- a **registration** of a new profile (name, school, country) that waits for the NSO of that
  country (``pending_validation``).

What a pending teacher may do meanwhile (the seed: NSOs validate registrations): everything in
the TwinSpaces they are invited to (the hub's TwinSpace roles apply unchanged), enrol in
Learning Events and the course; they may **not found a project** nor be named as its partner
founder (``check_may_found``): a project's scope and its NSOs come from its founders, so they
must be validated eTwinners.

Linking merges the provisional person into the profile: its memberships, enrolments, course
progress, acknowledgements and LTI identities move over, nothing is dropped.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

from etwin_lti.domain.model import TwinSpaceRole
from etwin_lti.domain.translatable import N_
from etwin_lti.errors import (
    NotFoundError,
    PermissionDeniedError,
    PupilFixer,
    RuleViolationError,
)

INVITATION_DAYS = 14
CODE_MINUTES = 15
CODE_DIGITS = 6
MAX_CODE_ATTEMPTS = 5
MAX_CODE_REQUESTS_PER_HOUR = 5  # e-mails one LMS teacher may trigger: no mail bombing
NOTE_MAX = 120
# Roles an invitation may carry. Co-founder rights are granted inside the TwinSpace by a
# teacher administrator after the teacher arrived, not by a link that may be forwarded.
INVITABLE_ROLES = (TwinSpaceRole.TEACHER,)


class AccountStatus(enum.StrEnum):
    VALIDATED = "validated"  # an existing eTwinning profile, claimed by code or invitation
    PENDING_VALIDATION = "pending_validation"  # registered here, waiting for their NSO
    INVITED_MEMBER = "invited_member"  # joined one TwinSpace by invitation, no profile yet


class LinkMethod(enum.StrEnum):
    INVITATION = "invitation"
    CODE = "code"
    REGISTRATION = "registration"


class InvitationState(enum.StrEnum):
    PENDING = "pending"
    USED = "used"
    REVOKED = "revoked"
    EXPIRED = "expired"


@dataclass(frozen=True)
class TeacherAccount:
    person_id: int
    status: AccountStatus
    method: LinkMethod
    linked_at: datetime
    validated_by: str | None = None  # the NSO's country code once validated


@dataclass(frozen=True)
class Invitation:
    id: int
    twinspace_id: int
    role: TwinSpaceRole
    inviter_id: int
    invitee_id: int | None  # the profile the LMS identity will belong to; None: a new member
    note: str  # whom the teacher administrator meant it for, shown in their list only
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None = None
    used_by: int | None = None
    revoked_at: datetime | None = None

    def state(self, now: datetime) -> InvitationState:
        if self.used_at is not None:
            return InvitationState.USED
        if self.revoked_at is not None:
            return InvitationState.REVOKED
        if now >= self.expires_at:
            return InvitationState.EXPIRED
        return InvitationState.PENDING


@dataclass(frozen=True)
class CodeChallenge:
    id: int
    claimant_id: int  # the provisional person who asked
    profile_id: int | None  # None when no profile has the address (no mail was sent)
    code_hash: str
    created_at: datetime
    expires_at: datetime
    attempts: int = 0
    consumed_at: datetime | None = None


@dataclass(frozen=True)
class OutgoingMail:
    to: str
    subject: str
    body: str  # plain text


# --- errors (each page names who can fix it) ----------------------------------------------------
class NotATeacherError(PermissionDeniedError):
    error = "not_a_teacher"
    description = N_("Only teachers connect their LMS account to an eTwinning teacher account.")
    who_can_fix = N_("your teacher")


class AlreadyLinkedError(RuleViolationError):
    error = "already_linked"
    description = N_("Your LMS account is already connected to an eTwinning teacher account.")
    who_can_fix = N_("nobody needs to: open the activity again from your course")


class InvitationNotFoundError(NotFoundError):
    error = "invitation_unknown"
    description = N_("This invitation link is not known. Check that you copied all of it.")
    who_can_fix = N_("the teacher administrator who invited you: ask for a new invitation")
    pupil_fixer = PupilFixer.AS_SAID


class InvitationUsedError(RuleViolationError):
    error = "invitation_used"
    description = N_("This invitation was already used. Each invitation works once.")
    who_can_fix = N_("the teacher administrator who invited you: ask for a new invitation")
    pupil_fixer = PupilFixer.AS_SAID


class InvitationRevokedError(RuleViolationError):
    error = "invitation_revoked"
    description = N_("This invitation was withdrawn by the TwinSpace's teacher administrator.")
    who_can_fix = N_("the teacher administrator who invited you")
    pupil_fixer = PupilFixer.AS_SAID


class InvitationExpiredError(RuleViolationError):
    error = "invitation_expired"
    description = N_("This invitation has expired (invitations last %(days)s days).")
    who_can_fix = N_("the teacher administrator who invited you: ask for a new invitation")
    pupil_fixer = PupilFixer.AS_SAID

    def __init__(self) -> None:
        super().__init__(params={"days": INVITATION_DAYS})


class InvitationForAnotherTwinSpaceError(RuleViolationError):
    error = "invitation_other_twinspace"
    description = N_(
        "This invitation is for another TwinSpace than the one this activity opens. Accept it "
        "from the activity chooser (add an eTwinning activity) or from an activity of that "
        "TwinSpace."
    )
    who_can_fix = N_("you, or the teacher administrator who invited you")
    pupil_fixer = PupilFixer.AS_SAID


class InvitationForSomeoneElseError(RuleViolationError):
    error = "invitation_someone_else"
    description = N_(
        "This invitation connects another eTwinning teacher's account, and your LMS account is "
        "already connected to yours."
    )
    who_can_fix = N_("the teacher administrator who invited you: ask for an invitation for you")
    pupil_fixer = PupilFixer.AS_SAID


class InviterNoLongerAdministratorError(RuleViolationError):
    error = "inviter_not_administrator"
    description = N_("Whoever made this invitation is no longer a teacher administrator there.")
    who_can_fix = N_("a teacher administrator of that TwinSpace: ask for a new invitation")
    pupil_fixer = PupilFixer.AS_SAID


class NoCodeRequestedError(RuleViolationError):
    error = "no_code_requested"
    description = N_("No code was sent for you yet: ask for a code first.")
    who_can_fix = N_("you: enter your eTwinning e-mail address to get a code")
    pupil_fixer = PupilFixer.AS_SAID


class WrongCodeError(RuleViolationError):
    error = "code_wrong"
    status_code = 422
    description = N_("This code is not right.")
    who_can_fix = N_("you: check the code in the e-mail, or ask for a new one")
    pupil_fixer = PupilFixer.AS_SAID


class TooManyAttemptsError(RuleViolationError):
    error = "code_attempts_exhausted"
    status_code = 429
    description = N_(
        "This code was entered wrongly %(times)s times and no longer works: ask for a new code."
    )
    who_can_fix = N_("you: ask for a new code")
    pupil_fixer = PupilFixer.AS_SAID

    def __init__(self) -> None:
        super().__init__(params={"times": MAX_CODE_ATTEMPTS})


class CodeExpiredError(RuleViolationError):
    error = "code_expired"
    description = N_("This code has expired (codes last %(minutes)s minutes): ask for a new one.")
    who_can_fix = N_("you: ask for a new code")
    pupil_fixer = PupilFixer.AS_SAID

    def __init__(self) -> None:
        super().__init__(params={"minutes": CODE_MINUTES})


class CodeUsedError(RuleViolationError):
    error = "code_used"
    description = N_("This code was already used. Each code works once: ask for a new one.")
    who_can_fix = N_("you: ask for a new code")
    pupil_fixer = PupilFixer.AS_SAID


class TooManyCodeRequestsError(RuleViolationError):
    error = "code_requests_exhausted"
    status_code = 429
    description = N_("Too many codes were asked for in the last hour. Try again later.")
    who_can_fix = N_("you: wait an hour")
    pupil_fixer = PupilFixer.AS_SAID


class PendingValidationError(PermissionDeniedError):
    error = "pending_validation"
    description = N_(
        "Your eTwinning registration is waiting for your National Support Organisation. Until "
        "it is validated you work in the TwinSpaces you are invited to, but cannot found a "
        "project."
    )
    who_can_fix = N_("your National Support Organisation (NSO)")
    pupil_fixer = PupilFixer.TEACHER


# --- rules --------------------------------------------------------------------------------------
def check_invitation_usable(
    invitation: Invitation, now: datetime, *, launched_twinspace_id: int | None
) -> None:
    """Used, revoked and expired invitations are refused, in that order of precedence (a used
    one says so even once expired); one for another TwinSpace than the launched one too."""
    state = invitation.state(now)
    if state is InvitationState.USED:
        raise InvitationUsedError()
    if state is InvitationState.REVOKED:
        raise InvitationRevokedError()
    if state is InvitationState.EXPIRED:
        raise InvitationExpiredError()
    if launched_twinspace_id is not None and launched_twinspace_id != invitation.twinspace_id:
        raise InvitationForAnotherTwinSpaceError()


def check_code(challenge: CodeChallenge | None, now: datetime) -> CodeChallenge:
    """The latest challenge of a claimant is usable: exists, unused, in time, attempts left."""
    if challenge is None:
        raise NoCodeRequestedError()
    if challenge.consumed_at is not None:
        raise CodeUsedError()
    if challenge.attempts >= MAX_CODE_ATTEMPTS:
        raise TooManyAttemptsError()
    if now >= challenge.expires_at:
        raise CodeExpiredError()
    return challenge


def code_hash(key: bytes, claimant_id: int, code: str) -> str:
    """Codes are kept as an HMAC bound to the claimant: the table alone reveals nothing, and
    a code is worthless to any other LMS teacher."""
    return hmac.new(key, f"{claimant_id}:{code}".encode(), hashlib.sha256).hexdigest()


def codes_match(key: bytes, challenge: CodeChallenge, given: str) -> bool:
    cleaned = "".join(given.split())
    expected = code_hash(key, challenge.claimant_id, cleaned)
    return hmac.compare_digest(expected, challenge.code_hash) and challenge.profile_id is not None


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_expiry(now: datetime) -> datetime:
    return now + timedelta(days=INVITATION_DAYS)


def code_expiry(now: datetime) -> datetime:
    return now + timedelta(minutes=CODE_MINUTES)


def check_may_found(account: TeacherAccount | None) -> None:
    """Pending registrations and invited members without a profile may not found projects.
    Teachers with no account row came before linking existed (or from the hub itself)."""
    if is_validated_teacher(account):
        return
    assert account is not None
    raise PendingValidationError(
        None
        if account.status is AccountStatus.PENDING_VALIDATION
        else (
            "You joined a TwinSpace by invitation. To found a project, connect your eTwinning "
            "teacher account or register one first."
        )
    )


def is_validated_teacher(account: TeacherAccount | None) -> bool:
    """A validated eTwinner: a claimed or validated profile, or one with no account row (it came
    from the hub itself). Founders and the teachers offered as partners are."""
    return account is None or account.status is AccountStatus.VALIDATED


def may_link(account: TeacherAccount | None) -> bool:
    """Who is offered the linking page: provisional teachers and invited members."""
    return account is None or account.status is AccountStatus.INVITED_MEMBER
