"""Teacher linking: an LMS teacher connects to their eTwinning teacher account (issue 9 item 3).

The rules and the three ways are in ``etwin_lti.domain.teacher_linking``; this use case runs
them over ports (the hub, the linking stores, the mail sender, the launch sessions). Every
refusal happens before the one write that makes a link (``TeacherAccountStore.make_link``, a
single transaction); the only writes of a refused attempt are the wrong-code counter and, for a
code request, the new code itself.

What the code page reveals (the brief asks not to leak which addresses have a profile): asking
for a code always answers the same sentence ("if a teacher profile uses this address, a code is
on its way") and always creates a challenge, with no profile behind it when the address is
unknown, so that the next step (entering a code) fails the same way, with the same attempt
counter, whether the address exists or not. The request limit applies to both alike.

After a link the launch session is replaced by one for the profile (the old one named the
provisional person, who no longer exists), with the TwinSpace role re-read from the hub, so a
founder is a teacher administrator at once.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from etwin_lti.domain import twinspaces
from etwin_lti.domain.launch_ports import LaunchSessionStore
from etwin_lti.domain.launches import LaunchSession, ResourceKind
from etwin_lti.domain.linking_ports import (
    InvitationStore,
    Link,
    MailSender,
    Membership,
    OneTimeCodeStore,
    TeacherAccountStore,
)
from etwin_lti.domain.model import Country, MemberStatus, Person, PersonKind, TwinSpaceRole
from etwin_lti.domain.people import check_new_person
from etwin_lti.domain.ports import HubPort
from etwin_lti.domain.teacher_linking import (
    CODE_DIGITS,
    CODE_MINUTES,
    INVITABLE_ROLES,
    MAX_CODE_ATTEMPTS,
    MAX_CODE_REQUESTS_PER_HOUR,
    NOTE_MAX,
    AccountStatus,
    AlreadyLinkedError,
    Invitation,
    InvitationForSomeoneElseError,
    InvitationNotFoundError,
    InviterNoLongerAdministratorError,
    LinkMethod,
    NotATeacherError,
    OutgoingMail,
    TeacherAccount,
    TooManyAttemptsError,
    TooManyCodeRequestsError,
    WrongCodeError,
    check_code,
    check_invitation_usable,
    check_may_found,
    code_expiry,
    code_hash,
    codes_match,
    invitation_expiry,
    may_link,
    token_hash,
)
from etwin_lti.domain.translatable import N_
from etwin_lti.domain.validation import FieldErrors
from etwin_lti.errors import InvalidInputError, NotFoundError, PermissionDeniedError, PupilFixer
from etwin_lti.services.wording import Wording, wording_for

INVITATION_PATH = "/lti/link/invitation/"
_NEVER_TEACHERS = frozenset(
    {TwinSpaceRole.PUPIL.value, TwinSpaceRole.PUPIL_ADMINISTRATOR.value, TwinSpaceRole.GUEST.value}
)
# The page fills in ``minutes=CODE_MINUTES`` when it translates it (web.linking_views).
CODE_SENT = N_(
    "If an eTwinning teacher profile uses this address, a code is on its way to it. It works "
    "once, for %(minutes)s minutes."
)


@dataclass(frozen=True)
class LinkingConfig:
    base_url: str
    code_key: bytes  # HMAC key of the one-time codes, derived from the secret key


@dataclass(frozen=True)
class LinkingState:
    """What the pages show about the launched person."""

    person: Person
    account: TeacherAccount | None
    may_link: bool  # the linking page offers its three ways
    may_found: bool


@dataclass(frozen=True)
class LinkResult:
    session: LaunchSession  # the new launch session, for the profile
    person: Person
    account_status: AccountStatus
    twinspace_id: int | None = None  # the TwinSpace an invitation opened


@dataclass(frozen=True)
class CreatedInvitation:
    invitation: Invitation
    url: str  # shown once: only its hash is stored


@dataclass(frozen=True)
class InvitationLine:
    invitation: Invitation
    state: str
    invitee_name: str | None


class TeacherLinkingService:
    def __init__(
        self,
        config: LinkingConfig,
        *,
        hub: HubPort,
        invitations: InvitationStore,
        codes: OneTimeCodeStore,
        accounts: TeacherAccountStore,
        mail: MailSender,
        sessions: LaunchSessionStore,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        token: Callable[[], str] = lambda: secrets.token_urlsafe(32),
        code: Callable[[], str] = lambda: f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}",
    ) -> None:
        self._config = config
        self._hub = hub
        self._invitations = invitations
        self._codes = codes
        self._accounts = accounts
        self._mail = mail
        self._sessions = sessions
        self._clock = clock
        self._token = token
        self._code = code

    # --- reading ------------------------------------------------------------------------------
    def state(self, session: LaunchSession) -> LinkingState | None:
        """None for everyone who is not a teacher (pupils, guests, tool administrators)."""
        # Pupils and guests never are teachers (a person's kind never flips): no read for them.
        if session.person_id is None or session.role in _NEVER_TEACHERS:
            return None
        found = self._accounts.find_teacher(session.person_id)
        if found is None:
            return None
        person, account = found
        return LinkingState(person, account, may_link(account), _may_found(account))

    def countries(self) -> list[Country]:
        return [c for c in self._hub.list_countries() if c.eligible]

    def may_found(self, person_id: int) -> None:
        """``PendingValidationError`` for teachers who may not found a project yet."""
        check_may_found(self._accounts.get_account(person_id))

    # --- (a) invitations ----------------------------------------------------------------------
    def accept_invitation(self, session: LaunchSession, given: str) -> LinkResult:
        """A provisional teacher becomes the invited profile, or a member of the TwinSpace; a
        teacher already connected (a pending registration too) just joins the TwinSpace."""
        state = self._teacher(session)
        claimant = state.person
        invitation = self._invitations.find_invitation(token_hash(_token_from(given)))
        if invitation is None:
            raise InvitationNotFoundError()
        now = self._clock()
        launched = session.resource
        check_invitation_usable(
            invitation,
            now,
            launched_twinspace_id=launched.id
            if launched is not None and launched.kind is ResourceKind.TWINSPACE
            else None,
        )
        self._check_inviter(invitation)
        if state.may_link:
            target = invitation.invitee_id or claimant.id
            status = (
                AccountStatus.VALIDATED
                if invitation.invitee_id is not None
                else _invited_status(state.account)
            )
        else:
            assert state.account is not None
            if invitation.invitee_id not in (None, claimant.id):
                raise InvitationForSomeoneElseError()
            target, status = claimant.id, state.account.status
        self._accounts.make_link(
            Link(
                claimant_id=claimant.id,
                target_id=target,
                status=status,
                method=LinkMethod.INVITATION,
                at=now,
                invitation_id=invitation.id,
                membership=Membership(invitation.twinspace_id, invitation.role),
            )
        )
        return self._linked(session, target, status, twinspace_id=invitation.twinspace_id)

    # --- (b) one-time code to the profile's e-mail ----------------------------------------------
    def request_code(self, session: LaunchSession, email: str) -> str:
        claimant = self._claimant(session)
        errors = FieldErrors()
        address = errors.email("email", email if email.strip() else None)
        if address is None and not errors:
            errors.add("email", "Must not be empty.")
        errors.raise_if_any()
        assert address is not None
        now = self._clock()
        if (
            self._codes.count_challenges_since(claimant.id, now - timedelta(hours=1))
            >= MAX_CODE_REQUESTS_PER_HOUR
        ):
            raise TooManyCodeRequestsError()
        profile = self._accounts.find_profile_by_email(address, excluding=claimant.id)
        code = self._code()
        self._codes.add_challenge(
            claimant_id=claimant.id,
            profile_id=profile.id if profile is not None else None,
            code_hash=code_hash(self._config.code_key, claimant.id, code),
            now=now,
            expires_at=code_expiry(now),
        )
        if profile is not None:
            # The mail reads in the language of the launch that asked for it: the tool records
            # no language per person, and the one who asks is the profile's owner or learns
            # nothing (the code is useless to anyone else).
            words = wording_for(session.locale)
            self._mail.send(_code_mail(address, profile, claimant, code, words))
        return CODE_SENT

    def verify_code(self, session: LaunchSession, given: str) -> LinkResult:
        claimant = self._claimant(session)
        cleaned = "".join(given.split())
        if not cleaned.isdigit() or len(cleaned) != CODE_DIGITS:
            raise InvalidInputError(errors={"code": [f"The code has {CODE_DIGITS} digits."]})
        now = self._clock()
        challenge = check_code(self._codes.latest_challenge(claimant.id), now)
        if not codes_match(self._config.code_key, challenge, cleaned):
            attempts = self._codes.record_wrong_attempt(challenge.id)
            left = MAX_CODE_ATTEMPTS - attempts
            if left <= 0:
                raise TooManyAttemptsError()
            raise WrongCodeError(
                N_("This code is not right. %(left)s attempt left.")
                if left == 1
                else N_("This code is not right. %(left)s attempts left."),
                params={"left": left},
            )
        assert challenge.profile_id is not None  # codes_match is False without a profile
        self._accounts.make_link(
            Link(
                claimant_id=claimant.id,
                target_id=challenge.profile_id,
                status=AccountStatus.VALIDATED,
                method=LinkMethod.CODE,
                at=now,
                challenge_id=challenge.id,
            )
        )
        return self._linked(session, challenge.profile_id, AccountStatus.VALIDATED)

    # --- (c) registration of a new profile ------------------------------------------------------
    def register(
        self, session: LaunchSession, *, display_name: str, school: str, country_code: str
    ) -> LinkResult:
        claimant = self._claimant(session)
        hub = self._hub
        countries = {c.code: c for c in hub.list_countries()}
        errors = FieldErrors()
        if not school.strip():
            errors.add("school", "Must not be empty.")
        if not country_code.strip():
            errors.add("country_code", "Choose your country.")
        errors.raise_if_any()
        new = check_new_person(
            countries,
            display_name,
            PersonKind.TEACHER,
            country_code=country_code,
            school=school,
            email=None,
        )
        self._accounts.make_link(
            Link(
                claimant_id=claimant.id,
                target_id=claimant.id,
                status=AccountStatus.PENDING_VALIDATION,
                method=LinkMethod.REGISTRATION,
                at=self._clock(),
                registration=new,
            )
        )
        return self._linked(session, claimant.id, AccountStatus.PENDING_VALIDATION)

    def validate_registration(self, person_id: int, nso_country_code: str) -> TeacherAccount:
        """The NSO of the teacher's country validates a registration (``etwin-lti teacher
        validate``)."""
        teacher = self._hub.get_person(person_id)
        if teacher.country_code != nso_country_code.strip().upper():
            raise PermissionDeniedError(
                N_("Only the NSO of %(country)s validates this teacher."),
                who_can_fix=f"the National Support Organisation of {teacher.country_code}",
                params={"country": teacher.country_code},
            )
        return self._accounts.validate(person_id, teacher.country_code, self._clock())

    def pending_registrations(self) -> list[tuple[TeacherAccount, Person]]:
        hub = self._hub
        pending = self._accounts.list_accounts(AccountStatus.PENDING_VALIDATION)
        return [(account, hub.get_person(account.person_id)) for account in pending]

    # --- founders' side: the TwinSpace's invitations -------------------------------------------
    def invitations(self, session: LaunchSession, twinspace_id: int) -> list[InvitationLine]:
        self._inviter(session, twinspace_id)
        now, hub = self._clock(), self._hub
        lines = []
        for invitation in self._invitations.list_invitations(twinspace_id):
            name = (
                hub.get_person(invitation.invitee_id).display_name
                if invitation.invitee_id
                else None
            )
            lines.append(InvitationLine(invitation, invitation.state(now).value, name))
        return lines

    def create_invitation(
        self, session: LaunchSession, twinspace_id: int, *, role: str, invitee: str, note: str
    ) -> CreatedInvitation:
        actor = self._inviter(session, twinspace_id)
        errors = FieldErrors()
        chosen = {r.value: r for r in INVITABLE_ROLES}.get(role.strip())
        if chosen is None:
            errors.add("role", "Choose one of: " + ", ".join(r.value for r in INVITABLE_ROLES))
        cleaned_note = errors.text("note", note, max_length=NOTE_MAX, required=False)
        invitee_id = self._invitee(errors, invitee, actor)
        errors.raise_if_any()
        assert chosen is not None
        twinspaces.check_invite(
            self._hub.get_member(twinspace_id, actor), chosen, PersonKind.TEACHER
        )
        token, now = self._token(), self._clock()
        invitation = self._invitations.add_invitation(
            token_hash=token_hash(token),
            twinspace_id=twinspace_id,
            role=chosen,
            inviter_id=actor,
            invitee_id=invitee_id,
            note=cleaned_note,
            now=now,
            expires_at=invitation_expiry(now),
        )
        return CreatedInvitation(invitation, self._config.base_url + INVITATION_PATH + token)

    def revoke_invitation(
        self, session: LaunchSession, twinspace_id: int, invitation_id: str
    ) -> Invitation:
        self._inviter(session, twinspace_id)
        if not invitation_id.isdigit():
            raise InvalidInputError(errors={"invitation": ["Not an invitation."]})
        return self._invitations.revoke_invitation(twinspace_id, int(invitation_id), self._clock())

    # --- helpers --------------------------------------------------------------------------------
    def _teacher(self, session: LaunchSession) -> LinkingState:
        state = self.state(session)
        if state is None:
            raise NotATeacherError()
        return state

    def _claimant(self, session: LaunchSession) -> Person:
        state = self._teacher(session)
        if not state.may_link:
            raise AlreadyLinkedError()
        return state.person

    def _check_inviter(self, invitation: Invitation) -> None:
        """The invitation speaks for its maker only while they are an active teacher
        administrator there."""
        try:
            inviter = self._hub.get_member(invitation.twinspace_id, invitation.inviter_id)
        except NotFoundError:
            inviter = None
        if (
            inviter is None
            or inviter.status is not MemberStatus.ACTIVE
            or inviter.role is not TwinSpaceRole.TEACHER_ADMINISTRATOR
        ):
            raise InviterNoLongerAdministratorError()

    def _inviter(self, session: LaunchSession, twinspace_id: int) -> int:
        """Teacher administrators of the launched TwinSpace (founders and co-founders are)."""
        resource = session.resource
        if (
            session.person_id is None
            or resource is None
            or (resource.kind, resource.id) != (ResourceKind.TWINSPACE, twinspace_id)
        ):
            raise PermissionDeniedError(
                N_("Invitations are made from the TwinSpace's own activity."),
                who_can_fix=N_("a teacher administrator of this TwinSpace"),
                pupil_fixer=PupilFixer.AS_SAID,
            )
        try:
            member = self._hub.get_member(twinspace_id, session.person_id)
        except NotFoundError:
            member = None
        if (
            member is None
            or member.status is not MemberStatus.ACTIVE
            or member.role is not TwinSpaceRole.TEACHER_ADMINISTRATOR
        ):
            raise PermissionDeniedError(
                N_("Only teacher administrators (founders and co-founders) invite teachers."),
                who_can_fix=N_("a teacher administrator of this TwinSpace"),
                pupil_fixer=PupilFixer.AS_SAID,
            )
        return session.person_id

    def _invitee(self, errors: FieldErrors, raw: str, actor: int) -> int | None:
        value = raw.strip()
        if not value:
            return None
        if not value.isdigit():
            errors.add("invitee", "An eTwinning person number, or empty.")
            return None
        try:
            person = self._hub.get_person(int(value))
        except NotFoundError:
            errors.add("invitee", "No eTwinning person has this number.")
            return None
        if person.kind is not PersonKind.TEACHER or person.id == actor:
            errors.add("invitee", "This person is not another eTwinning teacher.")
            return None
        return person.id

    def _linked(
        self,
        session: LaunchSession,
        person_id: int,
        status: AccountStatus,
        *,
        twinspace_id: int | None = None,
    ) -> LinkResult:
        hub = self._hub
        role = session.role
        resource = session.resource
        if resource is not None and resource.kind is ResourceKind.TWINSPACE:
            try:
                role = hub.get_member(resource.id, person_id).role.value
            except NotFoundError:
                pass
        now = self._clock()
        fresh = replace(session, id=self._token(), person_id=person_id, role=role, created_at=now)
        self._sessions.delete(session.id)
        self._sessions.create(fresh)
        return LinkResult(fresh, hub.get_person(person_id), status, twinspace_id)


def _may_found(account: TeacherAccount | None) -> bool:
    try:
        check_may_found(account)
    except PermissionDeniedError:
        return False
    return True


def _invited_status(account: TeacherAccount | None) -> AccountStatus:
    return account.status if account is not None else AccountStatus.INVITED_MEMBER


def _token_from(given: str) -> str:
    """The invitation's token, whether the whole link or only its end was pasted."""
    value = given.strip()
    if INVITATION_PATH in value:
        value = value.split(INVITATION_PATH, 1)[1]
    return value.split("?", 1)[0].split("#", 1)[0].strip("/ ")


def _code_mail(
    address: str, profile: Person, claimant: Person, code: str, words: Wording
) -> OutgoingMail:
    _ = words._
    paragraphs = (
        _("Hello %(name)s,", name=profile.display_name),
        _(
            "Someone signed in to an LMS as %(claimant)s asked to connect that LMS account to "
            "your eTwinning teacher account.",
            claimant=claimant.display_name,
        ),
        _("If it was you, enter this code in the eTwinning activity: %(code)s", code=code),
        _(
            "The code works once, for %(minutes)s minutes. If it was not you, ignore this "
            "e-mail: nothing changes without the code.",
            minutes=CODE_MINUTES,
        ),
    )
    subject = _("Your eTwinning connection code")
    return OutgoingMail(to=address, subject=subject, body="\n\n".join(paragraphs) + "\n")
