"""The tool's signing key is parsed from PEM once per kid and kept loaded.

Parsing an RSA private key costs tens of milliseconds here, signing with the loaded key well
under one. The parser is the store's seam (``LoadedKeyCache(parse=...)``): a counting parser that
calls the real one, so every signature below is real and checked against the published JWKS.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from pylti1p3.service_connector import ServiceConnector

from connectors.loaded_keys import LoadedKeyCache, parse_rsa_pem
from connectors.lti_access_tokens import AccessTokenProvider
from connectors.pylti1p3_tool import registration_for
from connectors.sql_registrations import SqlRegistrationStore
from connectors.sql_tool_keys import SqlToolKeyStore
from etwin_lti.domain.registrations import Platform, PlatformRegistration
from etwin_lti.persistence.db import Database

SIGNATURES = 5


class CountingParser:
    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, pem: bytes) -> RSAPrivateKey:
        self.calls += 1
        return parse_rsa_pem(pem)


@pytest.fixture
def database(database_url: str):  # type: ignore[no-untyped-def]
    database = Database(database_url)
    yield database
    database.dispose()


def _platform(database: Database) -> Platform:
    return SqlRegistrationStore(database).add_platform(
        PlatformRegistration(
            issuer="https://lms.test",
            client_id="client-1",
            name="LMS",
            auth_login_url="https://lms.test/auth",
            auth_token_url="https://lms.test/token",
            key_set_url="https://lms.test/jwks",
        )
    )


def _verified_kid(token: str, store: SqlToolKeyStore) -> str:
    kid = jwt.get_unverified_header(token)["kid"]
    [jwk] = [k for k in store.public_jwks()["keys"] if k["kid"] == kid]
    public = jwt.PyJWK(jwk).key
    jwt.decode(token, public, algorithms=["RS256"], options={"verify_aud": False})
    return str(kid)


def _assertion(store: SqlToolKeyStore, platform: Platform) -> str:
    # Only the assertion is built here: no token endpoint, cache or session is reached.
    provider = AccessTokenProvider(None, store, None, None)  # type: ignore[arg-type]
    return provider.client_assertion(platform)


def test_client_assertions_and_pylti1p3_messages_parse_the_key_once(database: Database) -> None:
    parser = CountingParser()
    store = SqlToolKeyStore(database, overlap_days=7, loaded_keys=LoadedKeyCache(parser))
    kid = store.ensure_signing_key().kid
    platform = _platform(database)

    for _ in range(SIGNATURES):
        assert _verified_kid(_assertion(store, platform), store) == kid
        registration = registration_for(platform, store.signing_key())
        message = ServiceConnector(registration).encode_jwt(
            {"iss": platform.client_id},
            registration.get_tool_private_key(),
            {"kid": registration.get_kid()},
        )
        assert _verified_kid(message, store) == kid

    assert parser.calls == 1


def test_a_rotated_key_is_parsed_once_and_a_dropped_one_forgotten(database: Database) -> None:
    now = [datetime(2026, 1, 1, tzinfo=UTC)]
    parser = CountingParser()
    cache = LoadedKeyCache(parser)
    store = SqlToolKeyStore(database, overlap_days=7, clock=lambda: now[0], loaded_keys=cache)
    first = store.ensure_signing_key().kid
    platform = _platform(database)
    _assertion(store, platform)

    second = store.rotate().kid
    for _ in range(SIGNATURES):
        assert _verified_kid(_assertion(store, platform), store) == second
    assert (parser.calls, len(cache)) == (2, 2)  # the retiring key is still in the table

    now[0] += timedelta(days=8)
    third = store.rotate().kid  # drops the first key from the table: and from memory
    assert _verified_kid(_assertion(store, platform), store) == third
    assert (parser.calls, len(cache)) == (3, 2)
    assert first not in {k["kid"] for k in store.public_jwks()["keys"]}


def test_a_second_store_sees_another_process_rotation_at_once(database: Database) -> None:
    # Each store caches parses only; the signing row is read every time, so a rotation made by
    # another process (here: another store on the same database) signs the very next message.
    ours = SqlToolKeyStore(database, overlap_days=7)
    theirs = SqlToolKeyStore(database, overlap_days=7)
    ours.ensure_signing_key()
    platform = _platform(database)
    _assertion(ours, platform)
    rotated = theirs.rotate().kid
    assert _verified_kid(_assertion(ours, platform), ours) == rotated
