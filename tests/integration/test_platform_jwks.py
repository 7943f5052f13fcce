"""HttpPlatformKeySource over real HTTP against a JWKS server, with the shared SQL cache."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import requests

from connectors.kv_cache import SqlKeyValueCache
from connectors.platform_jwks import LOCAL_SECONDS, HttpPlatformKeySource, max_age
from etwin_lti.lti.errors import PlatformKeysUnavailableError
from etwin_lti.lti.jwks import find_key
from etwin_lti.persistence.db import Database
from tests.e2e.harness import LateApp, MiniPlatform, ServerThread
from tests.support.lti_tokens import platform_key

KID = platform_key().kid


@dataclass
class Clock:
    now: float = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Setup:
    platform: MiniPlatform
    clock: Clock
    keys: HttpPlatformKeySource

    @property
    def url(self) -> str:
        return self.platform.url + "/jwks"


@pytest.fixture
def setup(sqlite_url: str) -> Iterator[Setup]:
    late = LateApp()
    server = ServerThread(late, "localhost")
    platform = MiniPlatform(url=server.url)
    late.app = platform
    clock = Clock()
    database = Database(sqlite_url)
    cache = SqlKeyValueCache(database, clock=clock)
    source = HttpPlatformKeySource(
        cache, requests.Session(), timeout_seconds=5, min_refetch_seconds=60, clock=clock
    )
    yield Setup(platform, clock, source)
    server.stop()
    database.dispose()


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        (None, 3600),
        ("max-age=300", 300),
        ("public, max-age=5", 60),  # floor: never refetch on every launch
        ("max-age=999999", 86400),  # cap
        ("no-store", 60),
        ("no-cache, max-age=600", 60),
        ('s-maxage="120"', 3600),  # not max-age: the default
        ("garbage", 3600),
    ],
)
def test_cache_control_is_honoured_within_bounds(header: str | None, seconds: int) -> None:
    assert max_age(header, default=3600, floor=60, cap=86400) == seconds


def test_keys_are_reused_while_fresh_then_refetched(setup: Setup) -> None:
    setup.platform.cache_control = "max-age=300"
    for _ in range(3):
        assert setup.keys.key_set(setup.url, kid=KID)["keys"][0]["kid"] == KID
    assert setup.platform.jwks_fetches == 1
    setup.clock.now += 301
    setup.keys.key_set(setup.url, kid=KID)
    assert setup.platform.jwks_fetches == 2


def test_an_unknown_kid_refetches_once_per_interval(setup: Setup) -> None:
    setup.keys.key_set(setup.url, kid=KID)
    for _ in range(3):
        setup.keys.key_set(setup.url, kid="forged")
    assert setup.platform.jwks_fetches == 2
    setup.clock.now += 61
    setup.keys.key_set(setup.url, kid="forged")
    assert setup.platform.jwks_fetches == 3


def test_stale_keys_keep_working_when_the_platform_is_down(setup: Setup) -> None:
    setup.keys.key_set(setup.url, kid=KID)
    setup.platform.jwks_status = 500
    setup.clock.now += 7200
    assert setup.keys.key_set(setup.url, kid=KID)["keys"][0]["kid"] == KID
    assert setup.platform.jwks_fetches == 2


def test_no_cached_keys_and_platform_down_is_a_clear_502(setup: Setup) -> None:
    setup.platform.jwks_status = 500
    with pytest.raises(PlatformKeysUnavailableError) as raised:
        setup.keys.key_set(setup.url, kid=KID)
    assert raised.value.status_code == 502
    with pytest.raises(PlatformKeysUnavailableError):
        setup.keys.key_set("http://127.0.0.1:1/jwks", kid=KID)  # connection refused


class _CountingCache:
    """The shared cache, counting reads: a worker's own copy must spare them."""

    def __init__(self, inner: SqlKeyValueCache) -> None:
        self.inner, self.gets = inner, 0

    def get(self, key: str) -> bytes | None:
        self.gets += 1
        return self.inner.get(key)

    def __getattr__(self, name: str) -> object:
        return getattr(self.inner, name)


def _worker(cache: object, clock: Clock) -> HttpPlatformKeySource:
    return HttpPlatformKeySource(
        cache,  # type: ignore[arg-type]
        requests.Session(),
        timeout_seconds=5,
        min_refetch_seconds=60,
        clock=clock,
    )


def test_a_worker_reuses_its_own_copy_without_reading_the_shared_cache(
    setup: Setup, sqlite_url: str
) -> None:
    database = Database(sqlite_url)
    counting = _CountingCache(SqlKeyValueCache(database, clock=setup.clock))
    worker = _worker(counting, setup.clock)
    worker.key_set(setup.url, kid=KID)
    reads = counting.gets
    for _ in range(5):
        assert worker.key_set(setup.url, kid=KID)["keys"][0]["kid"] == KID
    assert counting.gets == reads
    assert setup.platform.jwks_fetches == 1
    database.dispose()


def test_a_key_the_platform_withdrew_is_refused_by_every_worker_within_local_seconds(
    setup: Setup, sqlite_url: str
) -> None:
    database = Database(sqlite_url)
    shared = SqlKeyValueCache(database, clock=setup.clock)
    a, b = _worker(shared, setup.clock), _worker(shared, setup.clock)
    old = setup.platform.keys[0]
    assert find_key(b.key_set(setup.url, kid=old.kid), old.kid) is not None
    new = platform_key("rotated")
    setup.platform.keys = [new]  # rotated, the old key withdrawn (say it leaked)
    assert find_key(a.key_set(setup.url, kid=new.kid), new.kid) is not None  # A refetched
    assert setup.platform.jwks_fetches == 2
    setup.clock.now += LOCAL_SECONDS
    # B's copy is too old: it reads the shared entry, which no longer holds the old key; the
    # unknown kid costs one refetch (A's was a refetch interval ago), which confirms it.
    assert find_key(b.key_set(setup.url, kid=old.kid), old.kid) is None
    assert find_key(b.key_set(setup.url, kid=old.kid), old.kid) is None
    assert find_key(b.key_set(setup.url, kid=new.kid), new.kid) is not None
    assert setup.platform.jwks_fetches == 3
    database.dispose()
