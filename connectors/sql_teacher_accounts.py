"""Teacher linking's stores in the tool's database: invitations, one-time codes, accounts.

``SqlTeacherAccounts`` implements ``InvitationStore``, ``OneTimeCodeStore`` and
``TeacherAccountStore`` (``etwin_lti.domain.linking_ports``) over the same ``Database`` as the
local hub, because making a link is one transaction across them and the hub's own tables: the
invitation or code is consumed with a conditional UPDATE (a second use in between finds it
taken and writes nothing), the provisional person is merged (``connectors.sql_person_merge``),
the membership granted and the account recorded. ``find_profile_by_email`` reads the hub's
``people`` table: the hub port has no look-up by e-mail, and this one is the linking's own.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from connectors.hub_records import person
from connectors.sql_person_merge import merge_person
from etwin_lti.domain.linking_ports import Link
from etwin_lti.domain.model import MemberStatus, Person, PersonKind, RoleSource, TwinSpaceRole
from etwin_lti.domain.teacher_linking import (
    AccountStatus,
    CodeChallenge,
    CodeUsedError,
    Invitation,
    InvitationUsedError,
    LinkMethod,
    TeacherAccount,
)
from etwin_lti.domain.translatable import N_
from etwin_lti.errors import NotFoundError, RuleViolationError
from etwin_lti.persistence.db import Database
from etwin_lti.persistence.models.hub import MemberRow, PersonRow
from etwin_lti.persistence.models.lti import LtiIdentityRow
from etwin_lti.persistence.models.teacher_linking import (
    TeacherAccountRow,
    TeacherInvitationRow,
    TeacherLoginCodeRow,
)


class SqlTeacherAccounts:
    def __init__(self, database: Database) -> None:
        self._db = database

    # --- invitations ----------------------------------------------------------------------------
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
    ) -> Invitation:
        with self._db.session() as s:
            row = TeacherInvitationRow(
                token_hash=token_hash,
                twinspace_id=twinspace_id,
                role=role.value,
                inviter_id=inviter_id,
                invitee_id=invitee_id,
                note=note,
                created_at=now,
                expires_at=expires_at,
            )
            s.add(row)
            s.flush()
            return _invitation(row)

    def find_invitation(self, token_hash: str) -> Invitation | None:
        with self._db.session() as s:
            row = s.execute(
                select(TeacherInvitationRow).where(TeacherInvitationRow.token_hash == token_hash)
            ).scalar_one_or_none()
            return _invitation(row) if row is not None else None

    def list_invitations(self, twinspace_id: int) -> list[Invitation]:
        with self._db.session() as s:
            rows = s.execute(
                select(TeacherInvitationRow)
                .where(TeacherInvitationRow.twinspace_id == twinspace_id)
                .order_by(TeacherInvitationRow.id.desc())
            ).scalars()
            return [_invitation(row) for row in rows]

    def revoke_invitation(self, twinspace_id: int, invitation_id: int, now: datetime) -> Invitation:
        with self._db.session() as s:
            row = s.get(TeacherInvitationRow, invitation_id)
            if row is None or row.twinspace_id != twinspace_id:
                raise NotFoundError(
                    N_("Invitation %(id)s does not exist here."), params={"id": invitation_id}
                )
            if row.revoked_at is None and row.used_at is None:
                row.revoked_at = now
            s.flush()
            return _invitation(row)

    # --- one-time codes -------------------------------------------------------------------------
    def add_challenge(
        self,
        *,
        claimant_id: int,
        profile_id: int | None,
        code_hash: str,
        now: datetime,
        expires_at: datetime,
    ) -> CodeChallenge:
        with self._db.session() as s:
            # A new code replaces the claimant's earlier ones.
            s.execute(
                update(TeacherLoginCodeRow)
                .where(
                    TeacherLoginCodeRow.claimant_id == claimant_id,
                    TeacherLoginCodeRow.consumed_at.is_(None),
                    TeacherLoginCodeRow.expires_at > now,
                )
                .values(expires_at=now)
            )
            row = TeacherLoginCodeRow(
                claimant_id=claimant_id,
                profile_id=profile_id,
                code_hash=code_hash,
                created_at=now,
                expires_at=expires_at,
                attempts=0,
            )
            s.add(row)
            s.flush()
            return _challenge(row)

    def latest_challenge(self, claimant_id: int) -> CodeChallenge | None:
        with self._db.session() as s:
            row = s.execute(
                select(TeacherLoginCodeRow)
                .where(TeacherLoginCodeRow.claimant_id == claimant_id)
                .order_by(TeacherLoginCodeRow.id.desc())
                .limit(1)
            ).scalar_one_or_none()
            return _challenge(row) if row is not None else None

    def count_challenges_since(self, claimant_id: int, since: datetime) -> int:
        with self._db.session() as s:
            return int(
                s.execute(
                    select(func.count(TeacherLoginCodeRow.id)).where(
                        TeacherLoginCodeRow.claimant_id == claimant_id,
                        TeacherLoginCodeRow.created_at >= since,
                    )
                ).scalar_one()
            )

    def record_wrong_attempt(self, challenge_id: int) -> int:
        with self._db.session() as s:
            s.execute(
                update(TeacherLoginCodeRow)
                .where(TeacherLoginCodeRow.id == challenge_id)
                .values(attempts=TeacherLoginCodeRow.attempts + 1)
            )
            return int(
                s.execute(
                    select(TeacherLoginCodeRow.attempts).where(
                        TeacherLoginCodeRow.id == challenge_id
                    )
                ).scalar_one()
            )

    # --- accounts -------------------------------------------------------------------------------
    def get_account(self, person_id: int) -> TeacherAccount | None:
        with self._db.session() as s:
            row = s.get(TeacherAccountRow, person_id)
            return _account(row) if row is not None else None

    def find_teacher(self, person_id: int) -> tuple[Person, TeacherAccount | None] | None:
        query = (
            select(PersonRow, TeacherAccountRow)
            .outerjoin(TeacherAccountRow, TeacherAccountRow.person_id == PersonRow.id)
            .where(PersonRow.id == person_id, PersonRow.kind == PersonKind.TEACHER.value)
        )
        with self._db.session() as s:
            found = s.execute(query).first()
            if found is None:
                return None
            return person(found[0]), _account(found[1]) if found[1] is not None else None

    def list_accounts(self, status: AccountStatus | None = None) -> list[TeacherAccount]:
        query = select(TeacherAccountRow).order_by(TeacherAccountRow.person_id)
        if status is not None:
            query = query.where(TeacherAccountRow.status == status.value)
        with self._db.session() as s:
            return [_account(row) for row in s.execute(query).scalars()]

    def find_profile_by_email(self, email: str, *, excluding: int) -> Person | None:
        has_identity = select(LtiIdentityRow.id).where(LtiIdentityRow.person_id == PersonRow.id)
        has_account = select(TeacherAccountRow.person_id).where(
            TeacherAccountRow.person_id == PersonRow.id,
            TeacherAccountRow.status != AccountStatus.INVITED_MEMBER.value,
        )
        query = (
            select(PersonRow)
            .where(
                func.lower(PersonRow.email) == email.strip().lower(),
                PersonRow.kind == PersonKind.TEACHER.value,
                PersonRow.id != excluding,
                # Not a provisional LMS person: someone else's first launch is not a profile.
                has_account.exists() | ~has_identity.exists(),
            )
            .order_by(PersonRow.id)
            .limit(1)
        )
        with self._db.session() as s:
            row = s.execute(query).scalar_one_or_none()
            return person(row) if row is not None else None

    def validate(self, person_id: int, nso_country_code: str, now: datetime) -> TeacherAccount:
        with self._db.session() as s:
            row = s.get(TeacherAccountRow, person_id)
            if row is None or row.status != AccountStatus.PENDING_VALIDATION.value:
                raise NotFoundError(f"No registration of person {person_id} waits for validation.")
            row.status = AccountStatus.VALIDATED.value
            row.validated_by, row.validated_at = nso_country_code, now
            s.flush()
            return _account(row)

    def make_link(self, link: Link) -> None:
        try:
            with self._db.session() as s:
                self._consume(s, link)
                if link.registration is not None:
                    _apply_registration(s, link)
                if link.claimant_id != link.target_id:
                    # An invited member who claims a profile later: the profile's account wins.
                    old = s.get(TeacherAccountRow, link.claimant_id)
                    if old is not None:
                        s.delete(old)
                        s.flush()
                    merge_person(s, link.claimant_id, link.target_id)
                if link.membership is not None:
                    _grant(s, link)
                account = s.get(TeacherAccountRow, link.target_id)
                if account is None:
                    s.add(
                        TeacherAccountRow(
                            person_id=link.target_id,
                            status=link.status.value,
                            method=link.method.value,
                            linked_at=link.at,
                        )
                    )
                elif account.status == AccountStatus.INVITED_MEMBER.value:
                    account.status, account.method = link.status.value, link.method.value
        except IntegrityError as error:
            raise RuleViolationError(
                "This link could not be made: something changed meanwhile. Try again."
            ) from error

    def _consume(self, s: Session, link: Link) -> None:
        if link.invitation_id is not None:
            taken = s.execute(
                update(TeacherInvitationRow)
                .where(
                    TeacherInvitationRow.id == link.invitation_id,
                    TeacherInvitationRow.used_at.is_(None),
                    TeacherInvitationRow.revoked_at.is_(None),
                )
                .values(used_at=link.at, used_by=link.target_id)
            )
            if taken.rowcount != 1:  # type: ignore[attr-defined]
                raise InvitationUsedError()
        if link.challenge_id is not None:
            taken = s.execute(
                update(TeacherLoginCodeRow)
                .where(
                    TeacherLoginCodeRow.id == link.challenge_id,
                    TeacherLoginCodeRow.consumed_at.is_(None),
                )
                .values(consumed_at=link.at)
            )
            if taken.rowcount != 1:  # type: ignore[attr-defined]
                raise CodeUsedError()


def _apply_registration(s: Session, link: Link) -> None:
    new = link.registration
    assert new is not None
    row = s.get(PersonRow, link.target_id)
    if row is None:
        raise NotFoundError(N_("Person %(id)s does not exist."), params={"id": link.target_id})
    row.display_name, row.school, row.country_code = new.display_name, new.school, new.country_code


def _grant(s: Session, link: Link) -> None:
    """The invitation's membership, as the inviter's manual choice; a stronger one stays."""
    membership = link.membership
    assert membership is not None
    row = s.get(MemberRow, (membership.twinspace_id, link.target_id))
    if row is not None and row.role_source == RoleSource.PROJECT.value:
        return  # a founder or partner already: the project decided
    if row is None:
        row = MemberRow(
            twinspace_id=membership.twinspace_id,
            person_id=link.target_id,
            is_founder=False,
            joined_at=link.at,
        )
        s.add(row)
    row.role, row.status = membership.role.value, MemberStatus.ACTIVE.value
    row.role_source, row.updated_at = RoleSource.MANUAL.value, link.at
    s.flush()


def _invitation(row: TeacherInvitationRow) -> Invitation:
    return Invitation(
        id=row.id,
        twinspace_id=row.twinspace_id,
        role=TwinSpaceRole(row.role),
        inviter_id=row.inviter_id,
        invitee_id=row.invitee_id,
        note=row.note,
        created_at=row.created_at,
        expires_at=row.expires_at,
        used_at=row.used_at,
        used_by=row.used_by,
        revoked_at=row.revoked_at,
    )


def _challenge(row: TeacherLoginCodeRow) -> CodeChallenge:
    return CodeChallenge(
        id=row.id,
        claimant_id=row.claimant_id,
        profile_id=row.profile_id,
        code_hash=row.code_hash,
        created_at=row.created_at,
        expires_at=row.expires_at,
        attempts=row.attempts,
        consumed_at=row.consumed_at,
    )


def _account(row: TeacherAccountRow) -> TeacherAccount:
    return TeacherAccount(
        person_id=row.person_id,
        status=AccountStatus(row.status),
        method=LinkMethod(row.method),
        linked_at=row.linked_at,
        validated_by=row.validated_by,
    )
