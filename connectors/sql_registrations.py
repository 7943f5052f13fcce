"""``SqlRegistrationStore``: the ``RegistrationStore`` port on the tool's own database.

Platforms are unique on (issuer, client_id), deployments on (platform, deployment_id); both are
enforced by database constraints so that two concurrent registrations cannot slip past a
read-then-write check. Invites keep only the SHA-256 of their token, and are consumed with a
conditional UPDATE so that one invite registers at most one platform.
"""

from __future__ import annotations

import dataclasses
import secrets
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from connectors import sql_audit as audit
from etwin_lti.domain.audit import AuditAction
from etwin_lti.domain.registration_rules import (
    InvalidInviteError,
    check_deployment_id,
    check_new_platform,
    hash_invite_token,
)
from etwin_lti.domain.registrations import (
    Deployment,
    Platform,
    PlatformRegistration,
    RegistrationInvite,
)
from etwin_lti.domain.translatable import N_
from etwin_lti.errors import InvalidInputError, NotFoundError, RuleViolationError
from etwin_lti.persistence.db import Database
from etwin_lti.persistence.models.registrations import (
    DeploymentRow,
    PlatformRow,
    RegistrationInviteRow,
)

Clock = Callable[[], datetime]
MAX_INVITE_TTL_SECONDS = 30 * 24 * 3600

REGISTRATION_FIELDS = dataclasses.fields(PlatformRegistration)


def utc_now() -> datetime:
    return datetime.now(UTC)


def new_invite_token() -> str:
    return secrets.token_urlsafe(32)


class SqlRegistrationStore:
    def __init__(
        self,
        database: Database,
        clock: Clock = utc_now,
        token_factory: Callable[[], str] = new_invite_token,
    ) -> None:
        self._database = database
        self._clock = clock
        self._token_factory = token_factory

    # --- platforms ------------------------------------------------------------------------
    def add_platform(self, registration: PlatformRegistration) -> Platform:
        check_new_platform(registration)
        try:
            with self._database.session() as session:
                row = self._insert_platform(session, registration)
                self._audit(session, AuditAction.PLATFORM_ADDED, row)
                return _to_platform(row)
        except IntegrityError as error:
            raise _duplicate_platform(registration) from error

    def find_platform(self, issuer: str, client_id: str | None = None) -> Platform | None:
        with self._database.session() as session:
            query = select(PlatformRow).where(PlatformRow.issuer == issuer)
            if client_id is not None:
                row = session.scalar(query.where(PlatformRow.client_id == client_id))
                return _to_platform(row) if row else None
            rows = list(session.scalars(query.limit(2)))
            return _to_platform(rows[0]) if len(rows) == 1 else None

    def get_platform(self, platform_id: int) -> Platform:
        with self._database.session() as session:
            return _to_platform(_platform_row(session, platform_id))

    def get_platform_and_deployment(
        self, platform_id: int, deployment_id: str
    ) -> tuple[Platform, Deployment | None]:
        query = (
            select(PlatformRow, DeploymentRow)
            .outerjoin(
                DeploymentRow,
                (DeploymentRow.platform_id == PlatformRow.id)
                & (DeploymentRow.deployment_id == deployment_id),
            )
            .where(PlatformRow.id == platform_id)
        )
        with self._database.session() as session:
            found = session.execute(query).first()
            if found is None:
                _platform_row(session, platform_id)  # raises the usual NotFoundError
            assert found is not None
            platform, deployment = found
            return _to_platform(platform), _to_deployment(deployment) if deployment else None

    def list_platforms(self) -> list[Platform]:
        with self._database.session() as session:
            rows = session.scalars(select(PlatformRow).order_by(PlatformRow.id))
            return [_to_platform(row) for row in rows]

    # --- deployments ----------------------------------------------------------------------
    def add_deployment(
        self, platform_id: int, deployment_id: str, *, active: bool, label: str = ""
    ) -> Deployment:
        check_deployment_id(deployment_id)
        try:
            with self._database.session() as session:
                _platform_row(session, platform_id)
                row = self._insert_deployment(session, platform_id, deployment_id, active, label)
                self._audit_deployment(session, AuditAction.DEPLOYMENT_ADDED, row)
                return _to_deployment(row)
        except IntegrityError as error:
            raise RuleViolationError(
                f"Deployment {deployment_id!r} of platform {platform_id} exists already.",
                errors={"deployment_id": ["exists already"]},
            ) from error

    def find_deployment(self, platform_id: int, deployment_id: str) -> Deployment | None:
        with self._database.session() as session:
            row = _deployment_row(session, platform_id, deployment_id)
            return _to_deployment(row) if row else None

    def record_unknown_deployment(self, platform_id: int, deployment_id: str) -> Deployment:
        check_deployment_id(deployment_id)
        try:
            with self._database.session() as session:
                _platform_row(session, platform_id)
                row = _deployment_row(session, platform_id, deployment_id)
                if row is None:
                    row = self._insert_deployment(session, platform_id, deployment_id, False, "")
                return _to_deployment(row)
        except IntegrityError:
            # Two first launches of the same new deployment raced; the other one stored it.
            found = self.find_deployment(platform_id, deployment_id)
            if found is None:
                raise
            return found

    def activate_deployment(self, platform_id: int, deployment_id: str) -> Deployment:
        with self._database.session() as session:
            _platform_row(session, platform_id)
            row = _deployment_row(session, platform_id, deployment_id)
            if row is None:
                raise NotFoundError(
                    f"Platform {platform_id} has no deployment {deployment_id!r}.",
                    who_can_fix="you (etwin-lti platform list shows the deployments)",
                )
            row.active = True
            self._audit_deployment(session, AuditAction.DEPLOYMENT_ACTIVATED, row)
            return _to_deployment(row)

    def list_deployments(self, platform_id: int) -> list[Deployment]:
        with self._database.session() as session:
            _platform_row(session, platform_id)
            rows = session.scalars(
                select(DeploymentRow)
                .where(DeploymentRow.platform_id == platform_id)
                .order_by(DeploymentRow.id)
            )
            return [_to_deployment(row) for row in rows]

    # --- invites --------------------------------------------------------------------------
    def create_invite(self, *, ttl_seconds: int) -> RegistrationInvite:
        if not 0 < ttl_seconds <= MAX_INVITE_TTL_SECONDS:
            raise InvalidInputError(
                "An invite must expire within 30 days.",
                errors={"ttl": [f"must be between 1 second and {MAX_INVITE_TTL_SECONDS} s"]},
            )
        token = self._token_factory()
        now = self._clock()
        row = RegistrationInviteRow(
            token_hash=hash_invite_token(token),
            activate_deployments=True,
            created_at=now,
            expires_at=now + timedelta(seconds=ttl_seconds),
        )
        with self._database.session() as session:
            session.add(row)
        return _to_invite(row, token)

    def peek_invite(self, token: str) -> RegistrationInvite:
        with self._database.session() as session:
            row = self._usable_invite(session, token)
            return _to_invite(row, token)

    def begin_invite_attempt(self, token: str, *, max_attempts: int) -> RegistrationInvite:
        with self._database.session() as session:
            row = self._usable_invite(session, token)
            # Conditional UPDATE: concurrent attempts cannot exceed the cap between them.
            result = session.execute(
                update(RegistrationInviteRow)
                .where(
                    RegistrationInviteRow.id == row.id,
                    RegistrationInviteRow.used_at.is_(None),
                    RegistrationInviteRow.attempts < max_attempts,
                )
                .values(attempts=RegistrationInviteRow.attempts + 1)
                .execution_options(synchronize_session=False)
            )
            if result.rowcount != 1:  # type: ignore[attr-defined]
                raise InvalidInviteError(
                    f"This registration link was tried {max_attempts} times already; ask the "
                    "tool administrator for a new one."
                )
            invite = _to_invite(row, token)
            return dataclasses.replace(invite, attempts=invite.attempts + 1)

    def consume_invite(self, token: str) -> RegistrationInvite:
        with self._database.session() as session:
            return self._consume(session, token)

    def complete_registration(
        self, token: str, registration: PlatformRegistration, *, deployment_id: str | None
    ) -> tuple[Platform, Deployment | None]:
        check_new_platform(registration)
        if deployment_id is not None:
            check_deployment_id(deployment_id)
        try:
            with self._database.session() as session:
                invite = self._consume(session, token)
                platform = self._insert_platform(session, registration)
                deployment = None
                if deployment_id is not None:
                    deployment = _to_deployment(
                        self._insert_deployment(
                            session,
                            platform.id,
                            deployment_id,
                            invite.activate_deployments,
                            "dynamic registration",
                        )
                    )
                self._audit(
                    session,
                    AuditAction.DYNAMIC_REGISTRATION,
                    platform,
                    deployment_id=deployment_id,
                    active=deployment.active if deployment else None,
                )
                return _to_platform(platform), deployment
        except IntegrityError as error:
            raise _duplicate_platform(registration) from error

    # --- helpers --------------------------------------------------------------------------
    def _audit(
        self, session: Session, action: AuditAction, platform: PlatformRow, **details: object
    ) -> None:
        audit.record(
            session,
            action,
            "platform",
            platform.id,
            {"issuer": platform.issuer, "client_id": platform.client_id, **details},
            at=self._clock(),
        )

    def _audit_deployment(self, session: Session, action: AuditAction, row: DeploymentRow) -> None:
        audit.record(
            session,
            action,
            "platform",
            row.platform_id,
            {"deployment_id": row.deployment_id, "active": row.active},
            at=self._clock(),
        )

    def _insert_platform(self, session: Session, registration: PlatformRegistration) -> PlatformRow:
        # The registration's own fields only: a stored Platform passed back has an id too.
        values = {f.name: getattr(registration, f.name) for f in REGISTRATION_FIELDS}
        row = PlatformRow(created_at=self._clock(), **values)
        session.add(row)
        session.flush()
        return row

    def _insert_deployment(
        self, session: Session, platform_id: int, deployment_id: str, active: bool, label: str
    ) -> DeploymentRow:
        row = DeploymentRow(
            platform_id=platform_id,
            deployment_id=deployment_id,
            active=active,
            label=label,
            created_at=self._clock(),
        )
        session.add(row)
        session.flush()
        return row

    def _usable_invite(self, session: Session, token: str) -> RegistrationInviteRow:
        row = session.scalar(
            select(RegistrationInviteRow).where(
                RegistrationInviteRow.token_hash == hash_invite_token(token)
            )
        )
        if row is None:
            raise InvalidInviteError(N_("This registration link is unknown."))
        if row.used_at is not None:
            raise InvalidInviteError(N_("This registration link was used already."))
        if row.expires_at <= self._clock():
            raise InvalidInviteError(N_("This registration link has expired."))
        return row

    def _consume(self, session: Session, token: str) -> RegistrationInvite:
        row = self._usable_invite(session, token)
        now = self._clock()
        # Conditional UPDATE: of two concurrent registrations with one invite, one wins.
        result = session.execute(
            update(RegistrationInviteRow)
            .where(RegistrationInviteRow.id == row.id, RegistrationInviteRow.used_at.is_(None))
            .values(used_at=now)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise InvalidInviteError(N_("This registration link was used already."))
        invite = _to_invite(row, token)
        return RegistrationInvite(
            token=invite.token,
            expires_at=invite.expires_at,
            used_at=now,
            activate_deployments=invite.activate_deployments,
        )


def _duplicate_platform(registration: PlatformRegistration) -> RuleViolationError:
    issuer, client_id = registration.issuer, registration.client_id
    return RuleViolationError(
        f"A platform with issuer {issuer!r} and client id {client_id!r} is registered already.",
        errors={"client_id": ["exists already for this issuer"]},
    )


def _platform_row(session: Session, platform_id: int) -> PlatformRow:
    row = session.get(PlatformRow, platform_id)
    if row is None:
        raise NotFoundError(
            f"No platform {platform_id}.",
            who_can_fix="you (etwin-lti platform list shows the platforms)",
        )
    return row


def _deployment_row(session: Session, platform_id: int, deployment_id: str) -> DeploymentRow | None:
    return session.scalar(
        select(DeploymentRow).where(
            DeploymentRow.platform_id == platform_id,
            DeploymentRow.deployment_id == deployment_id,
        )
    )


def _to_platform(row: PlatformRow) -> Platform:
    return Platform(
        id=row.id,
        issuer=row.issuer,
        client_id=row.client_id,
        name=row.name,
        auth_login_url=row.auth_login_url,
        auth_token_url=row.auth_token_url,
        key_set_url=row.key_set_url,
        audience=row.audience,
        product=row.product,
        created_at=row.created_at,
    )


def _to_deployment(row: DeploymentRow) -> Deployment:
    return Deployment(
        platform_id=row.platform_id,
        deployment_id=row.deployment_id,
        active=row.active,
        label=row.label,
        created_at=row.created_at,
    )


def _to_invite(row: RegistrationInviteRow, token: str) -> RegistrationInvite:
    return RegistrationInvite(
        token=token,
        expires_at=row.expires_at,
        used_at=row.used_at if row.used_at else None,
        activate_deployments=row.activate_deployments,
        attempts=row.attempts or 0,
    )
