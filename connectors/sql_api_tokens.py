"""``SqlApiTokenStore``: the ``ApiTokenStore`` port on the tool's own database.

Tokens are looked up by the SHA-256 hash of the presented secret; the secret itself is never
stored nor logged. Creating and revoking a token writes its audit entry in the same transaction
(``connectors.sql_audit``); the entry names the role and, for a teacher's token, the person,
never the secret nor the label (free text a teacher typed).
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError

from connectors import sql_audit as audit
from etwin_lti.domain.api_tokens import (
    TEACHER_ACTIVE_TOKENS_MAX,
    TOKEN_PREFIX,
    ApiToken,
    ApiTokenRole,
    check_new_token,
    hash_token,
    needs_last_used_update,
)
from etwin_lti.domain.audit import AuditAction
from etwin_lti.domain.translatable import N_
from etwin_lti.errors import AuthenticationError, NotFoundError, RuleViolationError
from etwin_lti.persistence.db import Database
from etwin_lti.persistence.models.api_tokens import ApiTokenRow


class TooManyTokensError(RuleViolationError):
    error = "too_many_tokens"
    description = N_("You hold %(most)s API tokens already: revoke one you no longer use.")
    who_can_fix = N_("you (API access: revoke)")

    def __init__(self) -> None:
        super().__init__(params={"most": TEACHER_ACTIVE_TOKENS_MAX})


def new_secret() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


class SqlApiTokenStore:
    def __init__(self, database: Database) -> None:
        self._database = database

    def create(
        self,
        role: ApiTokenRole,
        *,
        now: datetime,
        country_code: str | None = None,
        label: str = "",
        secret: str | None = None,
        person_id: int | None = None,
        expires_at: datetime | None = None,
    ) -> tuple[ApiToken, str]:
        parsed = check_new_token(role, country_code, label, person_id)
        secret = secret or new_secret()
        row = ApiTokenRow(
            token_hash=hash_token(secret),
            role=parsed.value,
            country_code=country_code or None,
            label=label,
            created_at=now,
            person_id=person_id,
            expires_at=expires_at,
        )
        try:
            with self._database.session() as session:
                if person_id is not None:
                    # A bound, not an exact count: two simultaneous creations may both pass.
                    held = session.scalar(
                        select(func.count())
                        .select_from(ApiTokenRow)
                        .where(ApiTokenRow.person_id == person_id, *_usable(now))
                    )
                    if (held or 0) >= TEACHER_ACTIVE_TOKENS_MAX:
                        raise TooManyTokensError()
                session.add(row)
                session.flush()
                token = token_of(row)
                audit.record(
                    session,
                    AuditAction.API_TOKEN_CREATED,
                    "api_token",
                    token.id,
                    _details(token),
                    at=now,
                    person_id=person_id,
                )
        except IntegrityError as error:  # only a caller-chosen secret can collide
            raise RuleViolationError(N_("That token exists already.")) from error
        return token, secret

    def authenticate(self, secret: str, *, now: datetime) -> ApiToken:
        with self._database.session() as session:
            row = session.scalar(
                select(ApiTokenRow).where(ApiTokenRow.token_hash == hash_token(secret))
            )
            if row is None:
                raise AuthenticationError()
            token = token_of(row)
            if not token.usable(now):
                raise AuthenticationError()
            if needs_last_used_update(row.last_used_at, now):
                # Conditional, so concurrent requests of one token write the row once.
                session.execute(
                    update(ApiTokenRow)
                    .where(
                        ApiTokenRow.id == row.id,
                        or_(
                            ApiTokenRow.last_used_at.is_(None),
                            ApiTokenRow.last_used_at == row.last_used_at,
                        ),
                    )
                    .values(last_used_at=now)
                    .execution_options(synchronize_session=False)
                )
            return token

    def list_tokens(self, *, person_id: int | None = None) -> list[ApiToken]:
        query = select(ApiTokenRow).order_by(ApiTokenRow.id)
        if person_id is not None:
            query = query.where(ApiTokenRow.person_id == person_id)
        with self._database.session() as session:
            return [token_of(row) for row in session.scalars(query)]

    def revoke(self, token_id: int, *, now: datetime, person_id: int | None = None) -> ApiToken:
        with self._database.session() as session:
            row = session.get(ApiTokenRow, token_id)
            if row is None or (person_id is not None and row.person_id != person_id):
                # Someone else's token is "not found": ids of others' tokens say nothing.
                raise NotFoundError(f"No API token {token_id}.")
            if row.revoked_at is None:
                row.revoked_at = now
                audit.record(
                    session,
                    AuditAction.API_TOKEN_REVOKED,
                    "api_token",
                    row.id,
                    _details(token_of(row)),
                    at=now,
                    person_id=person_id,
                )
            return token_of(row)


def _usable(now: datetime) -> tuple[Any, ...]:
    return (
        ApiTokenRow.revoked_at.is_(None),
        or_(ApiTokenRow.expires_at.is_(None), ApiTokenRow.expires_at > now),
    )


def _details(token: ApiToken) -> dict[str, Any]:
    return {"role": token.role.value, "person": token.person_id, "country": token.country_code}


def token_of(row: ApiTokenRow) -> ApiToken:
    """The domain value of a row (never its hash); the privacy export reads it too."""
    return ApiToken(
        id=row.id,
        role=ApiTokenRole(row.role),
        label=row.label,
        created_at=row.created_at,
        country_code=row.country_code,
        last_used_at=row.last_used_at,
        revoked_at=row.revoked_at,
        person_id=row.person_id,
        expires_at=row.expires_at,
    )
