"""Pick the platform key that signed a launch out of a JSON Web Key Set.

Security Framework 1.0, section 6 (https://www.imsglobal.org/spec/security/v1p0/#h_key-management):
platforms publish their public keys as a JWKS (RFC 7517) and name the signing key with ``kid``.
Only RSA signing keys usable with RS256 are considered. Sans-IO: the set is a plain mapping;
fetching and caching it is ``connectors.platform_jwks``'s job.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from jwt.algorithms import RSAAlgorithm
from jwt.exceptions import InvalidKeyError

RS256 = "RS256"


def find_key(key_set: Mapping[str, Any], kid: str) -> RSAPublicKey | None:
    """The RSA public key with this ``kid``, or None when the set has no usable one."""
    keys = key_set.get("keys")
    if not isinstance(keys, list):
        return None
    for jwk in keys:
        if not isinstance(jwk, Mapping) or jwk.get("kid") != kid:
            continue
        if jwk.get("kty") != "RSA" or jwk.get("use", "sig") != "sig":
            continue
        if jwk.get("alg", RS256) != RS256:
            continue
        try:
            return _rsa_key(json.dumps(dict(jwk), sort_keys=True))
        except (InvalidKeyError, ValueError, TypeError):
            return None
    return None


@lru_cache(maxsize=256)
def _rsa_key(jwk: str) -> RSAPublicKey | None:
    """Parsed once per process: every launch of a platform is signed with the same few keys,
    and building the key object is most of what picking it costs. Keyed by the whole JWK, so a
    changed key is a new entry."""
    key = RSAAlgorithm.from_jwk(jwk)
    return key if isinstance(key, RSAPublicKey) else None


def key_ids(key_set: Mapping[str, Any]) -> frozenset[str]:
    keys = key_set.get("keys")
    if not isinstance(keys, list):
        return frozenset()
    return frozenset(
        str(k["kid"]) for k in keys if isinstance(k, Mapping) and isinstance(k.get("kid"), str)
    )
