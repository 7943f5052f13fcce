"""The sandbox LMS parses its private key once and signs id_tokens and access tokens with it."""

from __future__ import annotations

import jwt
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey

from etwin_lti.sandbox.keys import PlatformKeys, parse_rsa_pem
from etwin_lti.sandbox.lti1p3 import LoadedKeyRegistration, sign_rs256

SIGNATURES = 5


def test_signing_many_tokens_parses_the_pem_once() -> None:
    calls = []

    def counting(pem: bytes) -> RSAPrivateKey:
        calls.append(pem)
        return parse_rsa_pem(pem)

    keys = PlatformKeys.from_private_pem(PlatformKeys.generate().private_pem, parse=counting)
    registration = LoadedKeyRegistration(keys)
    public = jwt.PyJWK(keys.public_jwk()).key
    for n in range(SIGNATURES):
        id_token = sign_rs256({"sub": f"user-{n}"}, keys)
        # lti1p3platform's own paths: id_tokens it signs and the access tokens it issues.
        library_token = registration.platform_encode_and_sign({"sub": f"user-{n}"}, expiration=60)
        access = registration.encode_and_sign(
            {"sub": "tool"}, registration.get_platform_private_key()
        )
        for token in (id_token, library_token, access):
            assert jwt.decode(token, public, algorithms=["RS256"])["sub"] in {f"user-{n}", "tool"}
        assert jwt.get_unverified_header(library_token)["kid"] == keys.kid
    assert len(calls) == 1
    assert "PRIVATE" not in repr(keys)
