"""Access tokens from the sandbox LMS's real token endpoint, over HTTP: shared cache (database
and Redis), scopes, refusals, timeouts."""

from __future__ import annotations

import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import jwt
import pytest
import redis
import requests

from connectors.kv_cache import RedisKeyValueCache, SqlKeyValueCache
from connectors.lti_access_tokens import (
    AccessTokenProvider,
    AccessTokenRefusedError,
    ScopeNotGrantedError,
)
from etwin_lti.domain.registrations import PlatformRegistration
from etwin_lti.errors import RemoteTimeoutError
from etwin_lti.lti import claims as c
from etwin_lti.persistence.secret_box import SecretBox
from tests.e2e.lti_world import ServiceWorld, service_world
from tests.support.redis_dbs import REDIS_CACHE_URL

pytestmark = pytest.mark.e2e

REDIS_URL = REDIS_CACHE_URL


@pytest.fixture
def world(app_database_url: str, tmp_path: Path) -> Iterator[ServiceWorld]:
    with service_world(app_database_url, tmp_path) as running:
        yield running


def provider(world: ServiceWorld, cache=None, **kwargs) -> AccessTokenProvider:  # type: ignore[no-untyped-def]
    container = world.container
    session = requests.Session()
    return AccessTokenProvider(
        container.registrations,
        container.tool_keys,
        cache if cache is not None else container.kv_cache,
        session,
        box=SecretBox(container.settings.encryption_keys),
        **kwargs,
    )


def test_token_is_cached_and_shared_by_two_providers(world: ServiceWorld) -> None:
    first, second = world.container.access_tokens, provider(world)
    token = first.token(world.platform_id, [c.SCOPE_NRPS])
    assert second.token(world.platform_id, [c.SCOPE_NRPS]) == token
    assert first.token(world.platform_id, [c.SCOPE_NRPS]) == token
    assert world.requests["/token"] == 1
    # The peer accepts it as a bearer token for exactly that scope.
    assert world.peer.platform.check_access_token(world.peer.client_id, token, [c.SCOPE_NRPS])
    assert jwt.decode(token, options={"verify_signature": False})["scopes"] == c.SCOPE_NRPS


def test_scope_sets_are_cached_separately_in_any_order(world: ServiceWorld) -> None:
    tokens = world.container.access_tokens
    ags = [c.SCOPE_AGS_SCORE, c.SCOPE_AGS_LINEITEM]
    nrps = tokens.token(world.platform_id, [c.SCOPE_NRPS])
    both = tokens.token(world.platform_id, ags)
    assert tokens.token(world.platform_id, list(reversed(ags))) == both != nrps
    assert world.requests["/token"] == 2
    tokens.invalidate(world.platform_id, ags)
    tokens.token(world.platform_id, ags)
    assert world.requests["/token"] == 3


def test_redis_cache_is_shared_between_providers(world: ServiceWorld) -> None:
    client = redis.Redis.from_url(REDIS_URL)
    prefix = f"etwin-test-{uuid.uuid4().hex[:8]}:"
    try:
        one = provider(world, RedisKeyValueCache(client, prefix=prefix))
        two = provider(world, RedisKeyValueCache(client, prefix=prefix))
        token = one.token(world.platform_id, [c.SCOPE_NRPS])
        assert two.token(world.platform_id, [c.SCOPE_NRPS]) == token
        assert world.requests["/token"] == 1
        [key] = client.keys(prefix + "*")
        assert 3000 < client.ttl(key) <= 3600 - 60  # expires_in 3600 minus the margin
    finally:
        for key in client.keys(prefix + "*"):
            client.delete(key)
        client.close()


def test_expires_in_bounds_the_cache_lifetime(world: ServiceWorld) -> None:
    now = [1_900_000_000.0]
    cache = SqlKeyValueCache(world.container.database, clock=lambda: now[0])
    tokens = provider(world, cache)
    tokens.token(world.platform_id, [c.SCOPE_NRPS])
    now[0] += 3600 - 61  # still inside expires_in minus the margin
    tokens.token(world.platform_id, [c.SCOPE_NRPS])
    assert world.requests["/token"] == 1
    now[0] += 2  # in the last minute: fetch a new one
    tokens.token(world.platform_id, [c.SCOPE_NRPS])
    assert world.requests["/token"] == 2


def test_refused_client_is_a_clear_error(world: ServiceWorld) -> None:
    store = world.container.registrations
    stranger = store.add_platform(
        PlatformRegistration(
            issuer=world.peer.issuer,
            client_id="not-registered-there",
            name="Sandbox (wrong client)",
            auth_login_url=world.peer.urls["authorization_endpoint"],
            auth_token_url=world.peer.urls["token_endpoint"],
            key_set_url=world.peer.urls["jwks_uri"],
        )
    )
    with pytest.raises(AccessTokenRefusedError) as caught:
        world.container.access_tokens.token(stranger.id, [c.SCOPE_NRPS])
    assert caught.value.platform_error == "invalid_client"
    assert caught.value.status_code == 502
    assert "invalid_client" in caught.value.description
    with pytest.raises(AccessTokenRefusedError):  # a refusal is not cached: asked again
        world.container.access_tokens.token(stranger.id, [c.SCOPE_NRPS])
    assert world.requests["/token"] == 2


def test_scope_not_granted_names_the_service(world: ServiceWorld) -> None:
    world.peer.platform.get_client().scopes = (c.SCOPE_NRPS,)  # AGS switched off in the LMS
    with pytest.raises(ScopeNotGrantedError) as caught:
        world.container.access_tokens.token(world.platform_id, [c.SCOPE_AGS_SCORE])
    assert c.SCOPE_AGS_SCORE in caught.value.description


def test_token_endpoint_timeout(world: ServiceWorld) -> None:
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(1)  # accepts connections, never answers
    try:
        store = world.container.registrations
        slow = store.add_platform(
            PlatformRegistration(
                issuer="http://127.0.0.1:1/slow",
                client_id="x",
                name="Slow LMS",
                auth_login_url="http://127.0.0.1:1/auth",
                auth_token_url=f"http://127.0.0.1:{silent.getsockname()[1]}/token",
                key_set_url="http://127.0.0.1:1/jwks",
            )
        )
        with pytest.raises(RemoteTimeoutError):
            provider(world, timeout=0.2).token(slow.id, [c.SCOPE_NRPS])
    finally:
        silent.close()


def test_the_cached_token_is_encrypted_and_a_foreign_entry_is_refetched(
    world: ServiceWorld,
) -> None:
    from connectors.lti_access_tokens import _cache_key

    tokens = world.container.access_tokens
    token = tokens.token(world.platform_id, [c.SCOPE_NRPS])
    key = _cache_key(world.platform_id, [c.SCOPE_NRPS])
    stored = world.container.kv_cache.get(key)
    assert stored is not None and token.encode() not in stored
    # An entry no configured key opens (written before a key rotation): fetched again, by a
    # process that does not hold the token in memory (the container's keeps it a few seconds).
    world.container.kv_cache.set(key, token.encode(), 600)
    assert provider(world).token(world.platform_id, [c.SCOPE_NRPS]) != ""
    assert world.requests["/token"] == 2


def test_one_refresh_on_401(world: ServiceWorld) -> None:
    from connectors.lti_access_tokens import _cache_key

    tokens = world.container.access_tokens
    # A token the platform no longer accepts (revoked before its expiry), stored as the tool
    # stores tokens: encrypted.
    revoked = SecretBox(world.container.settings.encryption_keys).encrypt_bytes(b"revoked")
    world.container.kv_cache.set(_cache_key(world.platform_id, [c.SCOPE_NRPS]), revoked, 600)
    url = world.peer.platform.nrps.memberships_url("course-7b")
    response = tokens.authorized_request(world.platform_id, [c.SCOPE_NRPS], "GET", url)
    assert response.status_code == 200 and response.json()["members"]
    assert world.requests["/nrps/course-7b/memberships"] == 2  # 401, then 200
    assert world.requests["/token"] == 1
    # The platform keeps refusing (wrong scope for the endpoint): one retry only, then the 401.
    world.peer.platform.get_client().scopes = (c.SCOPE_AGS_SCORE,)
    refused = tokens.authorized_request(world.platform_id, [c.SCOPE_AGS_SCORE], "GET", url)
    assert refused.status_code == 401
    assert world.requests["/nrps/course-7b/memberships"] == 4
