"""Mint LTI 1.3 id_tokens at test time: a minimal-claims builder and RSA keys made once per
test session. No frozen JWTs anywhere in the suite.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from dataclasses import dataclass
from functools import cache, cached_property
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from etwin_lti.lti import claims as c

ISSUER = "https://lms.example.test"
CLIENT_ID = "etwin-client-1"
DEPLOYMENT_ID = "1"
ROLE_INSTRUCTOR = c.ROLE_CONTEXT + "Instructor"
ROLE_LEARNER = c.ROLE_CONTEXT + "Learner"
ROLE_MENTOR = c.ROLE_CONTEXT + "Mentor"
ROLE_INSTITUTION_ADMIN = c.ROLE_INSTITUTION + "Administrator"
ROLE_SYSTEM_ADMIN = c.ROLE_SYSTEM + "Administrator"


@dataclass(frozen=True)
class SigningKey:
    kid: str
    private_key: rsa.RSAPrivateKey

    @cached_property
    def private_pem(self) -> bytes:
        return self.private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )

    @property
    def public_jwk(self) -> dict[str, Any]:
        return dict(self._public_jwk)  # a copy: tests may tamper with what they get

    @cached_property
    def _public_jwk(self) -> dict[str, Any]:
        jwk = json.loads(RSAAlgorithm.to_jwk(self.private_key.public_key()))
        jwk.update({"kid": self.kid, "alg": "RS256", "use": "sig"})
        return jwk


@cache
def platform_key(name: str = "platform-1") -> SigningKey:
    """RSA keys are expensive to make: one per name for the whole test session."""
    return SigningKey(kid=f"kid-{name}", private_key=rsa.generate_private_key(65537, 2048))


def key_set(*keys: SigningKey) -> dict[str, Any]:
    return {"keys": [k.public_jwk for k in keys]}


def minimal_claims(
    *,
    nonce: str = "nonce-1",
    now: float | None = None,
    issuer: str = ISSUER,
    client_id: str = CLIENT_ID,
    deployment_id: str = DEPLOYMENT_ID,
    roles: list[str] | None = None,
    resource: str | None = "twinspace:1",
    message_type: str = c.RESOURCE_LINK_REQUEST,
    target_link_uri: str = "https://tool.example.test/lti/launch",
    sub: str = "user-1",
    **extra: Any,
) -> dict[str, Any]:
    """The smallest valid launch of ``message_type``; ``extra`` adds or replaces claims
    (a value ``None`` removes the claim)."""
    issued = time.time() if now is None else now
    body: dict[str, Any] = {
        c.ISS: issuer,
        c.AUD: client_id,
        c.SUB: sub,
        c.EXP: int(issued) + 300,
        c.IAT: int(issued),
        c.NONCE: nonce,
        c.JTI: uuid.uuid4().hex,
        c.MESSAGE_TYPE: message_type,
        c.VERSION: c.LTI_VERSION,
        c.DEPLOYMENT_ID: deployment_id,
        c.TARGET_LINK_URI: target_link_uri,
        c.ROLES: [ROLE_INSTRUCTOR] if roles is None else roles,
        c.CONTEXT: {"id": "course-1", "title": "Class 4B"},
    }
    if message_type in (c.RESOURCE_LINK_REQUEST, c.SUBMISSION_REVIEW_REQUEST):
        body[c.RESOURCE_LINK] = {"id": "link-1", "title": "Our TwinSpace"}
        if resource is not None:
            body[c.CUSTOM] = {c.CUSTOM_RESOURCE: resource}
    if message_type == c.DEEP_LINKING_REQUEST:
        body[c.DEEP_LINKING_SETTINGS] = {
            "deep_link_return_url": issuer + "/deep-link-return",
            "accept_types": ["ltiResourceLink"],
            "accept_presentation_document_targets": ["iframe", "window"],
            "data": "opaque-data",
        }
    if message_type == c.SUBMISSION_REVIEW_REQUEST:
        body[c.FOR_USER] = {"user_id": "user-2"}
        body[c.AGS_ENDPOINT] = {"lineitem": issuer + "/lineitems/1", "scope": []}
    for name, value in extra.items():
        if value is None:
            body.pop(name, None)
        else:
            body[name] = value
    return body


def mint(
    body: dict[str, Any],
    key: SigningKey | None = None,
    *,
    alg: str = "RS256",
    kid: str | None = "",
    headers: dict[str, Any] | None = None,
) -> str:
    """Sign ``body``. ``kid=""`` uses the key's kid, ``kid=None`` leaves it out; ``alg`` "none"
    and "HS256" produce the hostile variants."""
    key = key or platform_key()
    header: dict[str, Any] = dict(headers or {})
    if kid == "":
        kid = key.kid
    if kid is not None:
        header["kid"] = kid
    if alg == "none":
        return ".".join([_b64(json.dumps({"alg": "none", **header})), _b64(json.dumps(body)), ""])
    if alg == "HS256":
        # The classic confusion attack: HMAC keyed with the platform's PUBLIC key bytes.
        secret = json.dumps(key.public_jwk).encode()
        signing_input = (
            _b64(json.dumps({"alg": "HS256", "typ": "JWT", **header}))
            + "."
            + _b64(json.dumps(body))
        )
        sig = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
        return signing_input + "." + base64.urlsafe_b64encode(sig).rstrip(b"=").decode()
    # The key object, not its PEM: PyJWT would parse (and check) the PEM on every signature.
    return jwt.encode(body, key.private_key, algorithm=alg, headers=header)


def mint_raw(header: dict[str, Any], body_json: str, key: SigningKey | None = None) -> str:
    """Sign arbitrary claim TEXT (for malformed-JSON rows) with a valid RS256 signature."""
    key = key or platform_key()
    signing_input = _b64(json.dumps(header)) + "." + _b64(body_json)
    signature = RSAAlgorithm(RSAAlgorithm.SHA256).sign(signing_input.encode(), key.private_key)
    return signing_input + "." + base64.urlsafe_b64encode(signature).rstrip(b"=").decode()


def _b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).rstrip(b"=").decode()
