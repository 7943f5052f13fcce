"""``SqlApiTokenStore``: the ``ApiTokenStore`` port on the tool's own database.

Tokens are looked up by the SHA-256 hash of the presented secret; the secret itself is never
stored nor logged.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from etwin_lti.domain.api_tokens import (
    TOKEN_PREFIX,
    ApiToken,
    ApiTokenRole,
    check_new_token,
    hash_token,
)
from etwin_lti.errors import AuthenticationError, NotFoundError, RuleViolationError
from etwin_lti.persistence.db import Database
from etwin_lti.persistence.models.api_tokens import ApiTokenRow


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
    ) -> tuple[ApiToken, str]:
        parsed = check_new_token(role, country_code, label)
        secret = secret or new_secret()
        row = ApiTokenRow(
            token_hash=hash_token(secret),
            role=parsed.value,
            country_code=country_code or None,
            label=label,
            created_at=now,
        )
        try:
            with self._database.session() as session:
                session.add(row)
                session.flush()
                token = _to_token(row)
        except IntegrityError as error:  # only a caller-chosen secret can collide
            raise RuleViolationError("That token exists already.") from error
        return token, secret

    def authenticate(self, secret: str, *, now: datetime) -> ApiToken:
        with self._database.session() as session:
            row = session.scalar(
                select(ApiTokenRow).where(ApiTokenRow.token_hash == hash_token(secret))
            )
            if row is None or row.revoked_at is not None:
                raise AuthenticationError()
            row.last_used_at = now
            return _to_token(row)

    def list_tokens(self) -> list[ApiToken]:
        with self._database.session() as session:
            rows = session.scalars(select(ApiTokenRow).order_by(ApiTokenRow.id))
            return [_to_token(row) for row in rows]

    def revoke(self, token_id: int, *, now: datetime) -> ApiToken:
        with self._database.session() as session:
            row = session.get(ApiTokenRow, token_id)
            if row is None:
                raise NotFoundError(f"No API token {token_id}.")
            if row.revoked_at is None:
                row.revoked_at = now
            return _to_token(row)


def _to_token(row: ApiTokenRow) -> ApiToken:
    return ApiToken(
        id=row.id,
        role=ApiTokenRole(row.role),
        label=row.label,
        created_at=row.created_at,
        country_code=row.country_code,
        last_used_at=row.last_used_at,
        revoked_at=row.revoked_at,
    )
