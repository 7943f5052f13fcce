"""Contract of the ``RegistrationStore`` port, run on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from connectors.sql_registrations import SqlRegistrationStore
from etwin_lti.domain.registration_rules import InvalidInviteError, hash_invite_token
from etwin_lti.domain.registrations import PlatformRegistration
from etwin_lti.errors import InvalidInputError, NotFoundError, RuleViolationError
from etwin_lti.persistence.db import Database
from etwin_lti.persistence.models.registrations import (
    DeploymentRow,
    PlatformRow,
    RegistrationInviteRow,
)

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)

PLATFORM = {
    "issuer": "https://moodle.school.example",
    "client_id": "abc123",
    "name": "School Moodle",
    "auth_login_url": "https://moodle.school.example/mod/lti/auth.php",
    "auth_token_url": "https://moodle.school.example/mod/lti/token.php",
    "key_set_url": "https://moodle.school.example/mod/lti/certs.php",
}


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    db = Database(database_url)
    yield db
    db.dispose()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(database: Database, clock: Clock) -> SqlRegistrationStore:
    return SqlRegistrationStore(database, clock=clock)


def counts(database: Database) -> tuple[int, int, int]:
    with database.session() as session:
        return (
            session.scalar(select(func.count()).select_from(PlatformRow)) or 0,
            session.scalar(select(func.count()).select_from(DeploymentRow)) or 0,
            session.scalar(
                select(func.count())
                .select_from(RegistrationInviteRow)
                .where(RegistrationInviteRow.used_at.is_not(None))
            )
            or 0,
        )


def test_platform_round_trip(store: SqlRegistrationStore) -> None:
    platform = store.add_platform(PlatformRegistration(**PLATFORM, product="moodle"))
    assert platform.id > 0 and platform.created_at == T0 and platform.product == "moodle"
    assert store.get_platform(platform.id) == platform
    assert store.find_platform(PLATFORM["issuer"], "abc123") == platform
    assert store.find_platform(PLATFORM["issuer"]) == platform
    assert store.find_platform(PLATFORM["issuer"], "other") is None
    assert store.find_platform("https://unknown.example") is None
    assert store.list_platforms() == [platform]


def test_several_client_ids_per_issuer(store: SqlRegistrationStore) -> None:
    first = store.add_platform(PlatformRegistration(**PLATFORM))
    second = store.add_platform(
        PlatformRegistration(**{**PLATFORM, "client_id": "xyz789", "name": "Second"})
    )
    assert store.find_platform(PLATFORM["issuer"], "xyz789") == second
    # Ambiguous without a client_id: the launch must then use the aud claim.
    assert store.find_platform(PLATFORM["issuer"]) is None
    assert [p.id for p in store.list_platforms()] == [first.id, second.id]


def test_duplicate_platform_is_refused(store: SqlRegistrationStore, database: Database) -> None:
    store.add_platform(PlatformRegistration(**PLATFORM))
    with pytest.raises(RuleViolationError):
        store.add_platform(PlatformRegistration(**{**PLATFORM, "name": "Again"}))
    assert counts(database) == (1, 0, 0)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("issuer", "http://moodle.school.example"),
        ("issuer", "moodle.school.example"),
        ("auth_login_url", "ftp://moodle.school.example/auth"),
        ("auth_token_url", ""),
        ("key_set_url", "https://moodle.school.example/certs#frag"),
        ("client_id", ""),
        ("client_id", "x" * 256),
        ("client_id", "caf\u00e9"),
        ("name", "  "),
    ],
)
def test_bad_platform_values_are_refused(
    store: SqlRegistrationStore, database: Database, field: str, value: str
) -> None:
    with pytest.raises(InvalidInputError) as caught:
        store.add_platform(PlatformRegistration(**{**PLATFORM, field: value}))
    assert field in caught.value.errors
    assert counts(database) == (0, 0, 0)


def test_http_is_allowed_on_loopback_hosts(store: SqlRegistrationStore) -> None:
    platform = store.add_platform(
        PlatformRegistration(
            issuer="http://localhost:8123/sandbox",
            client_id="sandbox",
            name="Sandbox",
            auth_login_url="http://localhost:8123/sandbox/auth",
            auth_token_url="http://127.0.0.1:8123/sandbox/token",
            key_set_url="http://[::1]:8123/sandbox/jwks",
        )
    )
    assert platform.issuer == "http://localhost:8123/sandbox"


def test_deployments(store: SqlRegistrationStore, clock: Clock) -> None:
    platform = store.add_platform(PlatformRegistration(**PLATFORM))
    added = store.add_deployment(platform.id, "1", active=True, label="site")
    assert added.active and added.label == "site"
    clock.now = T0 + timedelta(minutes=1)
    unknown = store.record_unknown_deployment(platform.id, "7")
    assert not unknown.active and unknown.created_at == clock.now
    assert store.record_unknown_deployment(platform.id, "7") == unknown  # idempotent
    assert store.record_unknown_deployment(platform.id, "1").active  # known stays as it is
    assert store.find_deployment(platform.id, "7") == unknown
    assert store.find_deployment(platform.id, "nope") is None
    activated = store.activate_deployment(platform.id, "7")
    assert activated.active
    assert [(d.deployment_id, d.active) for d in store.list_deployments(platform.id)] == [
        ("1", True),
        ("7", True),
    ]


def test_platform_and_deployment_in_one_read(store: SqlRegistrationStore) -> None:
    platform = store.add_platform(PlatformRegistration(**PLATFORM))
    other = store.add_platform(PlatformRegistration(**{**PLATFORM, "client_id": "two"}))
    deployment = store.add_deployment(platform.id, "1", active=True)
    store.add_deployment(other.id, "2", active=True)
    assert store.get_platform_and_deployment(platform.id, "1") == (platform, deployment)
    assert store.get_platform_and_deployment(platform.id, "2") == (platform, None)  # other's
    assert store.get_platform_and_deployment(platform.id, "") == (platform, None)
    with pytest.raises(NotFoundError):
        store.get_platform_and_deployment(platform.id + other.id + 1, "1")


def test_same_deployment_id_on_two_platforms(store: SqlRegistrationStore) -> None:
    one = store.add_platform(PlatformRegistration(**PLATFORM))
    two = store.add_platform(PlatformRegistration(**{**PLATFORM, "client_id": "two"}))
    store.add_deployment(one.id, "1", active=True)
    store.add_deployment(two.id, "1", active=False)
    assert store.find_deployment(one.id, "1").active  # type: ignore[union-attr]
    assert not store.find_deployment(two.id, "1").active  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (lambda s, p: s.add_deployment(p, "1", active=True), RuleViolationError),
        (lambda s, p: s.add_deployment(p + 99, "2", active=True), NotFoundError),
        (lambda s, p: s.add_deployment(p, "", active=True), InvalidInputError),
        (lambda s, p: s.add_deployment(p, "d" * 256, active=True), InvalidInputError),
        (lambda s, p: s.activate_deployment(p, "unknown"), NotFoundError),
        (lambda s, p: s.activate_deployment(p + 99, "1"), NotFoundError),
        (lambda s, p: s.record_unknown_deployment(p + 99, "5"), NotFoundError),
        (lambda s, p: s.list_deployments(p + 99), NotFoundError),
        (lambda s, p: s.get_platform(p + 99), NotFoundError),
    ],
)
def test_bad_deployment_calls_write_nothing(  # type: ignore[no-untyped-def]
    store: SqlRegistrationStore, database: Database, call, error
) -> None:
    platform = store.add_platform(PlatformRegistration(**PLATFORM))
    store.add_deployment(platform.id, "1", active=False)
    with pytest.raises(error):
        call(store, platform.id)
    assert counts(database) == (1, 1, 0)
    assert not store.find_deployment(platform.id, "1").active  # type: ignore[union-attr]


def test_invite_stores_only_a_hash(store: SqlRegistrationStore, database: Database) -> None:
    invite = store.create_invite(ttl_seconds=3600)
    assert len(invite.token) >= 40 and invite.expires_at == T0 + timedelta(hours=1)
    with database.session() as session:
        row = session.scalars(select(RegistrationInviteRow)).one()
        assert row.token_hash == hash_invite_token(invite.token)
        assert invite.token not in (row.token_hash,)


def test_invite_is_single_use(store: SqlRegistrationStore, clock: Clock) -> None:
    invite = store.create_invite(ttl_seconds=3600)
    assert store.peek_invite(invite.token).used_at is None
    assert store.peek_invite(invite.token).used_at is None  # peeking writes nothing
    clock.now = T0 + timedelta(minutes=5)
    used = store.consume_invite(invite.token)
    assert used.used_at == clock.now and used.activate_deployments
    with pytest.raises(InvalidInviteError, match="used already"):
        store.consume_invite(invite.token)
    with pytest.raises(InvalidInviteError, match="used already"):
        store.peek_invite(invite.token)


@pytest.mark.parametrize(
    ("token_of", "later", "message"),
    [
        (lambda invite: "forged-" + invite.token, 0, "unknown"),
        (lambda invite: "", 0, "unknown"),
        (lambda invite: invite.token, 3600, "expired"),
        (lambda invite: invite.token, 7200, "expired"),
    ],
)
def test_unusable_invites(  # type: ignore[no-untyped-def]
    store: SqlRegistrationStore, database: Database, clock: Clock, token_of, later, message
) -> None:
    invite = store.create_invite(ttl_seconds=3600)
    clock.now = T0 + timedelta(seconds=later)
    for attempt in (store.peek_invite, store.consume_invite):
        with pytest.raises(InvalidInviteError, match=message) as caught:
            attempt(token_of(invite))
        assert caught.value.status_code == 403
    assert counts(database) == (0, 0, 0)


@pytest.mark.parametrize("ttl", [0, -5, 31 * 24 * 3600])
def test_invite_ttl_bounds(store: SqlRegistrationStore, database: Database, ttl: int) -> None:
    with pytest.raises(InvalidInputError):
        store.create_invite(ttl_seconds=ttl)
    with database.session() as session:
        assert session.scalar(select(func.count()).select_from(RegistrationInviteRow)) == 0


def test_complete_registration_is_one_transaction(
    store: SqlRegistrationStore, database: Database
) -> None:
    invite = store.create_invite(ttl_seconds=3600)
    platform, deployment = store.complete_registration(
        invite.token, PlatformRegistration(**PLATFORM, product="moodle"), deployment_id="3"
    )
    assert platform.client_id == "abc123" and platform.product == "moodle"
    assert deployment is not None and deployment.active and deployment.deployment_id == "3"
    assert counts(database) == (1, 1, 1)
    with pytest.raises(InvalidInviteError):
        store.complete_registration(
            invite.token, PlatformRegistration(**{**PLATFORM, "client_id": "n"}), deployment_id="4"
        )
    assert counts(database) == (1, 1, 1)


def test_complete_registration_without_deployment(store: SqlRegistrationStore) -> None:
    invite = store.create_invite(ttl_seconds=60)
    platform, deployment = store.complete_registration(
        invite.token, PlatformRegistration(**PLATFORM), deployment_id=None
    )
    assert deployment is None and store.list_deployments(platform.id) == []


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"issuer": "http://moodle.school.example"}, InvalidInputError),
        ({"deployment_id": ""}, InvalidInputError),
        ({}, RuleViolationError),  # the platform exists already
    ],
)
def test_refused_registration_keeps_the_invite(  # type: ignore[no-untyped-def]
    store: SqlRegistrationStore, database: Database, change, error
) -> None:
    store.add_platform(PlatformRegistration(**PLATFORM))
    invite = store.create_invite(ttl_seconds=60)
    with pytest.raises(error):
        values = {**PLATFORM, "deployment_id": "1", **change}
        deployment_id = values.pop("deployment_id")
        store.complete_registration(
            invite.token, PlatformRegistration(**values), deployment_id=deployment_id
        )
    assert counts(database) == (1, 0, 0)
    assert store.peek_invite(invite.token).used_at is None
