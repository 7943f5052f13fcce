"""One contract for every KeyValueCache: SQLite, PostgreSQL and a real Redis (db 15)."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import pytest
import redis

from connectors.kv_cache import RedisKeyValueCache, SqlKeyValueCache
from etwin_lti.domain.cache import KeyValueCache
from etwin_lti.persistence.db import Database
from tests.support.redis_dbs import REDIS_CACHE_URL

REDIS_URL = REDIS_CACHE_URL


@dataclass
class Clock:
    now: float = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Subject:
    cache: KeyValueCache
    clock: Clock | None  # None: the backend expires keys itself (Redis)
    raw: Any = None


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres), "redis"])
def subject(request: pytest.FixtureRequest) -> Iterator[Subject]:
    if request.param == "redis":
        client = redis.Redis.from_url(REDIS_URL)
        client.flushdb()
        yield Subject(RedisKeyValueCache(client), None, client)
        client.flushdb()
        client.close()
        return
    database = Database(request.getfixturevalue(f"{request.param}_url"))
    clock = Clock()
    yield Subject(SqlKeyValueCache(database, clock=clock), clock)
    database.dispose()


def test_set_then_get(subject: Subject) -> None:
    subject.cache.set("k", b"v1", 60)
    subject.cache.set("k", b"v2", 60)
    assert subject.cache.get("k") == b"v2"
    assert subject.cache.get("missing") is None


def test_consume_hands_the_value_out_once(subject: Subject) -> None:
    subject.cache.set("state", b"nonce", 60)
    assert subject.cache.consume("state") == b"nonce"
    assert subject.cache.consume("state") is None
    assert subject.cache.get("state") is None


def test_add_stores_only_when_absent(subject: Subject) -> None:
    assert subject.cache.add("seen", b"1", 60) is True
    assert subject.cache.add("seen", b"2", 60) is False
    assert subject.cache.get("seen") == b"1"


def test_delete(subject: Subject) -> None:
    subject.cache.set("k", b"v", 60)
    subject.cache.delete("k")
    subject.cache.delete("never-there")
    assert subject.cache.get("k") is None


def test_expired_values_are_gone(subject: Subject) -> None:
    subject.cache.set("k", b"v", 30)
    subject.cache.set("c", b"v", 30)
    subject.cache.add("a", b"v", 30)
    if subject.clock is None:
        # Redis expires keys itself: check that the TTL was handed over.
        assert 0 < subject.raw.ttl("etwin:kv:k") <= 30
        assert 0 < subject.raw.ttl("etwin:kv:a") <= 30
        return
    subject.clock.now += 31
    assert subject.cache.get("k") is None
    assert subject.cache.consume("c") is None
    assert subject.cache.add("a", b"again", 30) is True
    assert subject.cache.get("a") == b"again"


def test_concurrent_consumers_get_the_value_at_most_once(subject: Subject) -> None:
    for i in range(5):
        subject.cache.set(f"race-{i}", b"x", 60)
    with ThreadPoolExecutor(max_workers=4) as pool:
        for i in range(5):
            keys = [f"race-{i}"] * 4
            results = list(pool.map(subject.cache.consume, keys))
            assert results.count(b"x") == 1


def test_concurrent_adds_store_once(subject: Subject) -> None:
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda n: subject.cache.add("mark", str(n).encode(), 60), range(8)))
    assert results.count(True) == 1
