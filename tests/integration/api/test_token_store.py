"""``SqlApiTokenStore`` on SQLite and PostgreSQL: hashes only, revocation, role rules."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from connectors.sql_api_tokens import SqlApiTokenStore
from etwin_lti.domain.api_tokens import ApiPermission, ApiTokenRole, hash_token
from etwin_lti.errors import AuthenticationError, InvalidInputError, NotFoundError
from etwin_lti.persistence.db import Database
from etwin_lti.persistence.models.api_tokens import ApiTokenRow

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    db = Database(database_url)
    yield db
    db.dispose()


@pytest.fixture
def store(database: Database) -> SqlApiTokenStore:
    return SqlApiTokenStore(database)


def row_count(database: Database) -> int:
    with database.session() as session:
        return session.scalar(select(func.count()).select_from(ApiTokenRow)) or 0


def test_only_the_hash_is_stored(store: SqlApiTokenStore, database: Database) -> None:
    token, secret = store.create(ApiTokenRole.ADMIN, now=T0, label="hub B")
    with database.session() as session:
        row = session.get(ApiTokenRow, token.id)
        assert row is not None
        stored = (row.token_hash, row.role, row.label, row.country_code)
    assert secret.startswith("etw_") and len(secret) > 40
    assert stored == (hash_token(secret), "admin", "hub B", None)
    assert secret not in repr(token)


def test_authenticate_records_last_use(store: SqlApiTokenStore) -> None:
    created, secret = store.create(ApiTokenRole.NSO_OFFICER, now=T0, country_code="FR")
    used = store.authenticate(secret, now=T0 + timedelta(hours=1))
    assert (used.id, used.role, used.country_code) == (created.id, ApiTokenRole.NSO_OFFICER, "FR")
    assert store.list_tokens()[0].last_used_at == T0 + timedelta(hours=1)


@pytest.mark.parametrize("secret", ["", "etw_wrong", "x" * 500])
def test_unknown_secret_is_refused(store: SqlApiTokenStore, secret: str) -> None:
    store.create(ApiTokenRole.ADMIN, now=T0)
    with pytest.raises(AuthenticationError):
        store.authenticate(secret, now=T0)


def test_revoked_token_is_refused_and_revoking_is_idempotent(store: SqlApiTokenStore) -> None:
    created, secret = store.create(ApiTokenRole.CSS_OFFICER, now=T0)
    first = store.revoke(created.id, now=T0 + timedelta(minutes=5))
    again = store.revoke(created.id, now=T0 + timedelta(days=1))
    assert first.revoked_at == again.revoked_at == T0 + timedelta(minutes=5)
    with pytest.raises(AuthenticationError):
        store.authenticate(secret, now=T0 + timedelta(hours=1))
    assert [t.active for t in store.list_tokens()] == [False]


def test_revoking_an_unknown_token_is_404(store: SqlApiTokenStore) -> None:
    with pytest.raises(NotFoundError):
        store.revoke(999, now=T0)


@pytest.mark.parametrize(
    ("role", "country", "label", "field"),
    [
        ("nso_officer", None, "", "country_code"),  # an NSO belongs to a country
        ("nso_officer", "France", "", "country_code"),  # not an ISO code
        ("admin", "FR", "", "country_code"),  # only NSO tokens have a country
        ("css_officer", "FR", "", "country_code"),
        ("pupil", None, "", "role"),  # not an API token role
        ("teacher", None, "", "person_id"),  # a teacher's token belongs to one teacher
        ("admin", None, "x" * 201, "label"),  # overlong label
    ],
)
def test_bad_token_requests_write_nothing(
    store: SqlApiTokenStore,
    database: Database,
    role: str,
    country: str | None,
    label: str,
    field: str,
) -> None:
    with pytest.raises(InvalidInputError) as caught:
        store.create(role, now=T0, country_code=country, label=label)  # type: ignore[arg-type]
    assert field in caught.value.errors
    assert row_count(database) == 0


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (ApiTokenRole.ADMIN, set(ApiPermission)),
        (
            ApiTokenRole.NSO_OFFICER,
            {ApiPermission.READ, ApiPermission.VALIDATE_PROJECT, ApiPermission.DECIDE_NQL},
        ),
        (ApiTokenRole.CSS_OFFICER, {ApiPermission.READ, ApiPermission.AWARD_EQL}),
    ],
)
def test_role_grants(store: SqlApiTokenStore, role: ApiTokenRole, allowed: set) -> None:
    country = "FR" if role is ApiTokenRole.NSO_OFFICER else None
    token, _ = store.create(role, now=T0, country_code=country)
    assert {p for p in ApiPermission if token.allows(p)} == allowed
