"""The launch's in-process memos (``connectors.shared_memo``, ``connectors.memoized_stores``):
two instances on one database and one shared cache; a write committed on one is seen by the
other within the check interval, a refusal is never remembered, a rollback renews nothing."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import delete, event, update

from connectors.kv_cache import SqlKeyValueCache
from connectors.memoized_stores import (
    BINDING_TABLES,
    IDENTITY_TABLES,
    IDENTITY_VERBS,
    REGISTRATION_TABLES,
    MemoizedIdentityStore,
    MemoizedRegistrationStore,
    MemoizedResourceBindingStore,
    MemoizedRolePolicyStore,
)
from connectors.shared_memo import SharedMemo, watch_tables
from etwin_lti.domain.identities import KnownPerson, LtiIdentity
from etwin_lti.domain.launches import Resource, ResourceKind
from etwin_lti.domain.model import PersonKind
from etwin_lti.domain.registrations import PlatformRegistration
from etwin_lti.domain.resource_bindings import BindingStatus, LinkKey
from etwin_lti.errors import DependencyUnavailableError
from etwin_lti.persistence.db import Database
from etwin_lti.persistence.models.lti import LtiIdentityRow
from etwin_lti.persistence.models.registrations import DeploymentRow

CHECK = 1.0
ISSUER = "https://moodle.school.example"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Instance:
    """What one tool instance holds: its own engine and its own memos."""

    database: Database
    registrations: MemoizedRegistrationStore
    policies: MemoizedRolePolicyStore
    bindings: MemoizedResourceBindingStore
    statements: list[str]


MOODLE = PlatformRegistration(
    issuer=ISSUER,
    client_id="c1",
    name="Moodle",
    auth_login_url=ISSUER + "/auth",
    auth_token_url=ISSUER + "/token",
    key_set_url=ISSUER + "/jwks",
)


@dataclass
class Pair:
    a: Instance
    b: Instance
    clock: Clock
    cache: SqlKeyValueCache

    def platform(self) -> int:
        registered = self.a.registrations.add_platform(MOODLE)
        return registered.id


def _instance(url: str, cache: SqlKeyValueCache, clock: Clock) -> Instance:
    database = Database(url)
    registrations: SharedMemo[Any] = SharedMemo(
        cache, "registrations", check_seconds=CHECK, clock=clock
    )
    bindings: SharedMemo[Any] = SharedMemo(cache, "bindings", check_seconds=CHECK, clock=clock)
    watch_tables(database.engine, registrations, REGISTRATION_TABLES)
    watch_tables(database.engine, bindings, BINDING_TABLES)
    statements: list[str] = []

    @event.listens_for(database.engine, "before_cursor_execute")
    def _count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    return Instance(
        database,
        MemoizedRegistrationStore(database, registrations),
        MemoizedRolePolicyStore(database, registrations),
        MemoizedResourceBindingStore(database, bindings),
        statements,
    )


@pytest.fixture
def pair(database_url: str) -> Iterator[Pair]:
    clock = Clock()
    shared_db = Database(database_url)
    cache = SqlKeyValueCache(shared_db)  # Redis in production: the same port and contract
    a, b = _instance(database_url, cache, clock), _instance(database_url, cache, clock)
    yield Pair(a, b, clock, cache)
    for database in (a.database, b.database, shared_db):
        database.dispose()


def test_a_deployment_deactivated_on_one_instance_is_refused_on_the_other(pair: Pair) -> None:
    platform_id = pair.platform()
    pair.a.registrations.add_deployment(platform_id, "d1", active=True)
    _, deployment = pair.b.registrations.get_platform_and_deployment(platform_id, "d1")
    assert deployment is not None and deployment.active
    with pair.a.database.engine.begin() as connection:  # any writer: no store method needed
        connection.execute(update(DeploymentRow).values(active=False))
    # Until B checks the shared token again (at most every CHECK seconds) it may still launch:
    # that is the staleness ETWIN_MEMO_CHECK_SECONDS allows.
    pair.clock.now += CHECK
    _, deployment = pair.b.registrations.get_platform_and_deployment(platform_id, "d1")
    assert deployment is not None and not deployment.active


def test_the_memoised_read_makes_no_round_trip(pair: Pair) -> None:
    platform_id = pair.platform()
    pair.a.registrations.add_deployment(platform_id, "d1", active=True)
    pair.b.registrations.get_platform_and_deployment(platform_id, "d1")
    pair.b.registrations.find_platform(ISSUER, "c1")
    pair.b.policies.policy(platform_id, "course-1")
    pair.b.statements.clear()
    for _ in range(5):
        pair.b.registrations.get_platform_and_deployment(platform_id, "d1")
        pair.b.registrations.find_platform(ISSUER, "c1")
        pair.b.policies.policy(platform_id, "course-1")
    assert pair.b.statements == []


def test_a_refusal_is_not_remembered_so_the_fix_is_seen_at_once(pair: Pair) -> None:
    platform_id = pair.platform()
    _, missing = pair.b.registrations.get_platform_and_deployment(platform_id, "d1")
    assert missing is None
    assert pair.b.registrations.find_platform("https://other.example", "c1") is None
    pair.a.registrations.add_deployment(platform_id, "d1", active=False)
    _, inactive = pair.b.registrations.get_platform_and_deployment(platform_id, "d1")
    assert inactive is not None and not inactive.active
    pair.a.registrations.activate_deployment(platform_id, "d1")
    # No clock advance: an inactive deployment was never memoised.
    _, active = pair.b.registrations.get_platform_and_deployment(platform_id, "d1")
    assert active is not None and active.active


def test_a_role_override_set_on_one_instance_reaches_the_other(pair: Pair) -> None:
    platform_id = pair.platform()
    assert pair.b.policies.policy(platform_id, None).overrides == {}
    pair.a.policies.set_override(platform_id, "Mentor", "none")
    assert pair.a.policies.policy(platform_id, None).overrides == {"Mentor": "none"}  # at once
    pair.clock.now += CHECK
    assert pair.b.policies.policy(platform_id, None).overrides == {"Mentor": "none"}


def test_a_binding_approved_on_one_instance_reaches_the_other(pair: Pair) -> None:
    platform_id = pair.platform()
    key = LinkKey(platform_id, "d1", "course-1", "link-1")
    resource = Resource(ResourceKind.TWINSPACE, 1)
    pending = pair.a.bindings.add(
        key, resource, status=BindingStatus.PENDING, chosen_by=None, now=_now()
    )
    assert pair.b.bindings.find(key) == pending
    pair.a.bindings.decide(pending.id, approve=True, decided_by=None, now=_now())
    pair.clock.now += CHECK
    found = pair.b.bindings.find(key)
    assert found is not None and found.status is BindingStatus.BOUND


def test_a_rolled_back_write_renews_nothing(pair: Pair) -> None:
    platform_id = pair.platform()
    pair.a.registrations.add_deployment(platform_id, "d1", active=True)
    pair.b.registrations.get_platform_and_deployment(platform_id, "d1")
    token = pair.cache.get("memo:registrations")
    connection = pair.a.database.engine.connect()
    transaction = connection.begin()
    connection.execute(update(DeploymentRow).values(active=False))
    transaction.rollback()
    connection.close()
    assert pair.cache.get("memo:registrations") == token


def test_the_token_is_replaced_only_once_the_write_is_committed(pair: Pair) -> None:
    platform_id = pair.platform()
    pair.a.registrations.add_deployment(platform_id, "d1", active=True)
    token = pair.cache.get("memo:registrations")
    with pair.a.database.engine.begin() as connection:
        connection.execute(update(DeploymentRow).values(label="renamed"))
        # Not yet: a reader that saw a new token now would read the old row and keep it.
        assert pair.cache.get("memo:registrations") == token
    assert pair.cache.get("memo:registrations") != token


class _DownCache:
    """The shared cache unreachable: every call fails as the adapters do."""

    def __getattr__(self, _name: str) -> Any:
        def fail(*_args: Any, **_kwargs: Any) -> Any:
            raise DependencyUnavailableError("down")

        return fail


def test_without_the_shared_cache_nothing_is_memoised() -> None:
    memo: SharedMemo[int] = SharedMemo(_DownCache(), "x", check_seconds=0)  # type: ignore[arg-type]
    loads: list[int] = []
    for _ in range(3):
        assert memo.get("k", lambda: loads.append(1) or 7) == 7
    assert len(loads) == 3
    memo.invalidate()  # a write still succeeds; the warning is logged


def test_entries_expire_and_absent_values_are_never_kept(pair: Pair) -> None:
    memo: SharedMemo[int] = SharedMemo(
        pair.cache, "y", check_seconds=3600, max_age_seconds=60, clock=pair.clock
    )
    loads: list[str] = []
    assert memo.get("none", lambda: loads.append("none") or None) is None
    assert memo.get("none", lambda: loads.append("none") or None) is None
    assert memo.get("k", lambda: loads.append("k") or 1) == 1
    assert memo.get("k", lambda: loads.append("k") or 2) == 1
    pair.clock.now += 60
    assert memo.get("k", lambda: loads.append("k") or 3) == 3
    assert loads == ["none", "none", "k", "k"]


def _now() -> Any:
    from datetime import UTC, datetime

    return datetime(2026, 12, 4, 8, 0, tzinfo=UTC)


def test_a_returning_learner_is_found_without_a_round_trip_until_an_erasure(
    database_url: str,
) -> None:
    clock = Clock()
    shared_db = Database(database_url)
    cache = SqlKeyValueCache(shared_db)
    a_db, b_db = Database(database_url), Database(database_url)
    memos: list[SharedMemo[KnownPerson]] = []
    for database in (a_db, b_db):
        memo: SharedMemo[KnownPerson] = SharedMemo(
            cache, "identities", check_seconds=CHECK, clock=clock
        )
        watch_tables(database.engine, memo, IDENTITY_TABLES, verbs=IDENTITY_VERBS)
        memos.append(memo)
    a, b = MemoizedIdentityStore(a_db, memos[0]), MemoizedIdentityStore(b_db, memos[1])
    ana, ben = LtiIdentity(ISSUER, "17"), LtiIdentity(ISSUER, "18")
    try:
        assert a.claim(ana, deployment_id="d1", kind=PersonKind.PUPIL)
        assert b.find(ana) is None  # claimed, not settled: not remembered
        a.settle(ana, 41)
        assert b.find(ana) == KnownPerson(41, PersonKind.PUPIL)
        token = cache.get("memo:identities")
        assert a.claim(ben, deployment_id="d1", kind=PersonKind.PUPIL)  # a new row: no renewal
        assert cache.get("memo:identities") == token
        with a_db.engine.begin() as connection:  # the erasure of Ana
            connection.execute(delete(LtiIdentityRow).where(LtiIdentityRow.sub == "17"))
        clock.now += CHECK
        assert b.find(ana) is None
    finally:
        for database in (a_db, b_db, shared_db):
            database.dispose()


def test_a_writer_holding_the_pools_last_connection_renews_the_token_without_waiting(
    database_url: str,
) -> None:
    """Without Redis the token is a row of the same database. Written from the check-in, it
    needed a second pooled connection while the writer still held its own: with every
    connection taken, each writer waited for the pool's timeout, then gave up renewing. Now it
    is written by the committing transaction itself."""
    database = Database(database_url, pool_size=1, max_overflow=0, pool_timeout=1)
    cache = SqlKeyValueCache(database)  # the embedded default: the cache on the tool's engine
    clock = Clock()
    memo: SharedMemo[Any] = SharedMemo(cache, "registrations", check_seconds=CHECK, clock=clock)
    watch_tables(database.engine, memo, REGISTRATION_TABLES)
    registrations = MemoizedRegistrationStore(database, memo)
    try:
        platform = registrations.add_platform(MOODLE)
        registrations.add_deployment(platform.id, "d1", active=True)
        _, deployment = registrations.get_platform_and_deployment(platform.id, "d1")
        assert deployment is not None and deployment.active
        token = cache.get("memo:registrations")
        with database.engine.begin() as connection:  # the pool's only connection
            connection.execute(update(DeploymentRow).values(active=False))
        assert cache.get("memo:registrations") not in (None, token)
        # This instance forgot at once; another one would at its next check.
        _, deployment = registrations.get_platform_and_deployment(platform.id, "d1")
        assert deployment is not None and not deployment.active
    finally:
        database.dispose()
