"""The sandbox platform's signing key (RS256), published as a JWKS with a thumbprint ``kid``.

The PEM is parsed once, when the keys are made, and the loaded key signs every id_token and
access token: parsing an RSA private key costs tens of milliseconds, signing with it well under
one. (The sandbox is another system and imports none of the tool's code, hence its own copy of
this small rule; the tool's is ``connectors.loaded_keys``.)
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from jwcrypto.jwk import JWK


def parse_rsa_pem(pem: bytes) -> RSAPrivateKey:
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, RSAPrivateKey):
        raise ValueError("the sandbox signs with RS256: an RSA private key is required")
    return key


@dataclass(frozen=True)
class PlatformKeys:
    private_pem: str
    public_pem: str
    kid: str  # RFC 7638 thumbprint, as lti1p3platform's Registration.get_kid() computes it
    private_key: RSAPrivateKey = field(repr=False, compare=False)  # the PEM, parsed once

    @classmethod
    def from_private_pem(
        cls, private_pem: str, *, parse: Callable[[bytes], RSAPrivateKey] = parse_rsa_pem
    ) -> PlatformKeys:
        key = parse(private_pem.encode())
        public_pem = (
            key.public_key()
            .public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
            .decode()
        )
        kid = JWK.from_pem(public_pem.encode()).thumbprint()
        return cls(private_pem=private_pem, public_pem=public_pem, kid=kid, private_key=key)

    @classmethod
    def generate(cls) -> PlatformKeys:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode()
        return cls.from_private_pem(pem)

    @classmethod
    def load_or_create(cls, path: Path) -> PlatformKeys:
        """The in-tool sandbox keeps its key across restarts (the tool caches platform JWKS)."""
        if path.exists():
            return cls.from_private_pem(path.read_text())
        keys = cls.generate()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(keys.private_pem)
        path.chmod(0o600)
        return keys

    def public_jwk(self) -> dict[str, Any]:
        jwk: dict[str, Any] = json.loads(JWK.from_pem(self.public_pem.encode()).export_public())
        jwk.update({"kid": self.kid, "alg": "RS256", "use": "sig"})
        return jwk

    def jwks(self) -> dict[str, Any]:
        return {"keys": [self.public_jwk()]}

    def __repr__(self) -> str:  # never print the private key
        return f"PlatformKeys(kid={self.kid!r})"
