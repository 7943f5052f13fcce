"""The id_token pipeline of an LTI 1.3 launch, as pure functions.

Security Framework 1.0, section 5.1.3 "Authentication Response Validation"
(https://www.imsglobal.org/spec/security/v1p0/#authentication-response-validation) and LTI Core
1.3, section 5.3 "Required message claims" (https://www.imsglobal.org/spec/lti/v1p3/#required-message-claims).

Two steps, because the key that checks the signature depends on the (still unverified) header:

1. ``parse_id_token``: size limit, compact JWS shape, JSON header and claims, ``alg`` RS256
   only (``none``, ``HS256`` and every other algorithm are refused before any key is touched),
   ``kid`` required.
2. ``validate_id_token``: ``iss`` first (before any key is looked up), the signature verified
   once, the replay check (injected), then every claim rule: ``iss`` exact;
   ``aud`` contains our client_id and, with several audiences, ``azp`` equals it; ``exp``/``iat``
   within ``leeway``; ``nonce`` equals the one bound to this browser's login; ``deployment_id``;
   ``message_type`` and ``version``; the claims each message type requires.

``now`` (a timezone-aware datetime), ``leeway``, the key lookup and the replay check are
parameters; nothing here reads a clock, a database or the network (``README.md`` here).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from jwt.algorithms import RSAAlgorithm

from etwin_lti.domain.input_rules import json_too_deep
from etwin_lti.lti import claims as c
from etwin_lti.lti.errors import (
    AlgorithmNotAllowedError,
    AudienceMismatchError,
    AuthorizedPartyError,
    InvalidSignatureError,
    IssuerMismatchError,
    MalformedTokenError,
    MissingClaimError,
    MissingKeyIdError,
    NonceMismatchError,
    OversizeTokenError,
    TokenExpiredError,
    TokenIssuedInFutureError,
    TokenReplayError,
    UnknownKeyError,
    UnsupportedMessageTypeError,
    UnsupportedVersionError,
)

MAX_TOKEN_BYTES = 64 * 1024  # Moodle's launches are 2-6 kB; anything near this is an attack
DEFAULT_LEEWAY_SECONDS = 60
MAX_ID_LENGTH = 255  # deployment_id and sub: "no more than 255 ASCII characters" (5.3.3)
_RSA = RSAAlgorithm(RSAAlgorithm.SHA256)


@dataclass(frozen=True)
class UnverifiedToken:
    """A parsed but not yet trusted id_token."""

    header: Mapping[str, Any]
    claims: Mapping[str, Any]
    kid: str
    signing_input: bytes
    signature: bytes
    digest: str  # SHA-256 of the whole token: remembered to refuse replays

    @property
    def issuer(self) -> str | None:
        iss = self.claims.get(c.ISS)
        return iss if isinstance(iss, str) else None


@dataclass(frozen=True)
class LaunchMessage:
    """A verified launch: only the values the tool uses, already type-checked."""

    issuer: str
    client_id: str
    subject: str
    deployment_id: str
    message_type: str
    roles: tuple[str, ...]
    expires_at: int
    token_digest: str
    target_link_uri: str | None = None
    resource_link_id: str | None = None
    context_id: str | None = None
    context_title: str | None = None
    custom: Mapping[str, str] = field(default_factory=dict)
    name: str | None = None
    email: str | None = None
    return_url: str | None = None
    locale: str | None = None  # launch_presentation.locale, as sent (chosen from in the web layer)
    deep_linking: Mapping[str, Any] | None = None
    for_user_id: str | None = None
    ags_endpoint: Mapping[str, Any] | None = None
    nrps_url: str | None = None


def _b64decode(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def parse_id_token(id_token: str, *, max_bytes: int = MAX_TOKEN_BYTES) -> UnverifiedToken:
    """Step 1: shape, size, algorithm and kid, without trusting anything yet."""
    if len(id_token) > max_bytes:
        raise OversizeTokenError()
    parts = id_token.split(".")
    if len(parts) != 3 or not all(parts[:2]):
        raise MalformedTokenError()
    try:
        header_json, claims_json = _b64decode(parts[0]), _b64decode(parts[1])
        # Python's parser recurses once per level: refuse deep nesting before parsing.
        if json_too_deep(header_json) or json_too_deep(claims_json):
            raise MalformedTokenError()
        header = json.loads(header_json)
        claims = json.loads(claims_json)
        signature = _b64decode(parts[2])
    except (binascii.Error, ValueError, UnicodeDecodeError) as error:
        raise MalformedTokenError() from error
    if not isinstance(header, dict) or not isinstance(claims, dict):
        raise MalformedTokenError()
    if header.get("alg") != "RS256":
        raise AlgorithmNotAllowedError()
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise MissingKeyIdError()
    return UnverifiedToken(
        header=header,
        claims=claims,
        kid=kid,
        signing_input=(parts[0] + "." + parts[1]).encode("ascii"),
        signature=signature,
        digest=hashlib.sha256(id_token.encode("ascii", "replace")).hexdigest(),
    )


def verify_signature(token: UnverifiedToken, public_key: RSAPublicKey) -> None:
    if not _RSA.verify(token.signing_input, public_key, token.signature):
        raise InvalidSignatureError()


def check_issuer(token: UnverifiedToken, issuer: str) -> None:
    """Cheap and done before any key is fetched: a token from another issuer is refused early."""
    if token.issuer != issuer:
        raise IssuerMismatchError()


def validate_id_token(
    token: UnverifiedToken,
    *,
    key: Callable[[str], RSAPublicKey | None],
    issuer: str,
    client_id: str,
    nonce: str,
    now: datetime,
    is_replay: Callable[[UnverifiedToken], bool],
    leeway: int = DEFAULT_LEEWAY_SECONDS,
) -> LaunchMessage:
    """Step 2, the one entry point the launch service calls: the issuer (cheap, before any key
    is looked up), the platform key for ``kid`` (``key``: the caller's lookup, None when the key
    set has no such key), the signature (checked once), the replay check, then every claim rule.

    ``is_replay`` is asked only once the signature holds, so that only a correctly signed token
    can leave a mark (the caller's cache); True refuses the token as replayed. ``key`` and
    ``is_replay`` are the caller's I/O, injected: this function reads no clock, store or network.
    """
    check_issuer(token, issuer)
    public_key = key(token.kid)
    if public_key is None:
        raise UnknownKeyError()
    verify_signature(token, public_key)
    if is_replay(token):
        raise TokenReplayError()
    return check_claims(
        token.claims,
        issuer=issuer,
        client_id=client_id,
        nonce=nonce,
        now=now,
        leeway=leeway,
        digest=token.digest,
    )


def check_claims(
    claims: Mapping[str, Any],
    *,
    issuer: str,
    client_id: str,
    nonce: str,
    now: datetime,
    leeway: int,
    digest: str = "",
) -> LaunchMessage:
    if claims.get(c.ISS) != issuer:
        raise IssuerMismatchError()
    _check_audience(claims, client_id)
    expires_at = _check_times(claims, now.timestamp(), leeway)
    token_nonce = claims.get(c.NONCE)
    if not isinstance(token_nonce, str) or not token_nonce:
        raise MissingClaimError(c.NONCE)
    if not hmac.compare_digest(token_nonce.encode(), nonce.encode()):
        raise NonceMismatchError()
    deployment_id = _identifier(claims, c.DEPLOYMENT_ID)
    message_type = _message_type(claims)
    subject = _identifier(claims, c.SUB)
    message = LaunchMessage(
        issuer=issuer,
        client_id=client_id,
        subject=subject,
        deployment_id=deployment_id,
        message_type=message_type,
        roles=_roles(claims),
        expires_at=expires_at,
        token_digest=digest,
        target_link_uri=_optional_str(claims, c.TARGET_LINK_URI),
        custom=_custom(claims),
        name=_display_name(claims),
        email=_optional_str(claims, c.EMAIL),
        **_context(claims),
        **_services(claims),
    )
    return _check_required_per_type(message, claims)


def _check_audience(claims: Mapping[str, Any], client_id: str) -> None:
    aud = claims.get(c.AUD)
    audiences = [aud] if isinstance(aud, str) else aud
    if not isinstance(audiences, list) or not all(isinstance(a, str) for a in audiences):
        raise AudienceMismatchError()
    if client_id not in audiences:
        raise AudienceMismatchError()
    azp = claims.get(c.AZP)
    # OIDC Core 3.1.3.7 steps 4-5, required by Security Framework 5.1.3 step 4.
    if len(audiences) > 1 and azp is None:
        raise AuthorizedPartyError()
    if azp is not None and azp != client_id:
        raise AuthorizedPartyError()


def _check_times(claims: Mapping[str, Any], now: float, leeway: int) -> int:
    exp = _number(claims, c.EXP)
    iat = _number(claims, c.IAT)
    if now > exp + leeway:
        raise TokenExpiredError()
    if iat > now + leeway:
        raise TokenIssuedInFutureError()
    nbf = claims.get("nbf")
    if nbf is not None and _number(claims, "nbf") > now + leeway:
        raise TokenIssuedInFutureError()
    return int(exp)


def _number(claims: Mapping[str, Any], name: str) -> float:
    value = claims.get(name)
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise MissingClaimError(name, "is missing or not a number")
    return float(value)


def _identifier(claims: Mapping[str, Any], name: str) -> str:
    value = claims.get(name)
    if not isinstance(value, str) or not value:
        raise MissingClaimError(name)
    if len(value) > MAX_ID_LENGTH:
        raise MissingClaimError(name, f"is longer than {MAX_ID_LENGTH} characters")
    return value


def _message_type(claims: Mapping[str, Any]) -> str:
    message_type = claims.get(c.MESSAGE_TYPE)
    if not isinstance(message_type, str) or not message_type:
        raise MissingClaimError(c.MESSAGE_TYPE)
    if message_type not in c.MESSAGE_TYPES:
        raise UnsupportedMessageTypeError()
    if claims.get(c.VERSION) != c.LTI_VERSION:
        raise UnsupportedVersionError()
    return message_type


def _roles(claims: Mapping[str, Any]) -> tuple[str, ...]:
    roles = claims.get(c.ROLES)
    # The roles claim is required but may be an empty array (LTI Core 5.3.7).
    if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
        raise MissingClaimError(c.ROLES, "is missing or not a list of role URIs")
    return tuple(roles)


def _object(claims: Mapping[str, Any], name: str) -> Mapping[str, Any] | None:
    value = claims.get(name)
    if value is None:
        return None
    if not isinstance(value, dict):
        raise MissingClaimError(name, "is not a JSON object")
    return value


def _optional_str(claims: Mapping[str, Any], name: str) -> str | None:
    value = claims.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise MissingClaimError(name, "is not a string")
    return value


def _custom(claims: Mapping[str, Any]) -> dict[str, str]:
    custom = _object(claims, c.CUSTOM) or {}
    # Unsubstituted or structured values are ignored rather than trusted.
    return {str(k): v for k, v in custom.items() if isinstance(v, str)}


def _display_name(claims: Mapping[str, Any]) -> str | None:
    name = claims.get(c.NAME)
    if isinstance(name, str) and name.strip():
        return name.strip()
    parts = [claims.get(c.GIVEN_NAME), claims.get(c.FAMILY_NAME)]
    joined = " ".join(p.strip() for p in parts if isinstance(p, str) and p.strip())
    return joined or None


def _context(claims: Mapping[str, Any]) -> dict[str, Any]:
    context = _object(claims, c.CONTEXT) or {}
    resource_link = _object(claims, c.RESOURCE_LINK) or {}
    presentation = _object(claims, c.LAUNCH_PRESENTATION) or {}
    return {
        "context_id": _str_or_none(context.get("id")),
        "context_title": _str_or_none(context.get("title")),
        "resource_link_id": _str_or_none(resource_link.get("id")),
        "return_url": _str_or_none(presentation.get("return_url")),
        "locale": _str_or_none(presentation.get("locale")),
    }


def _services(claims: Mapping[str, Any]) -> dict[str, Any]:
    nrps = _object(claims, c.NAMES_ROLE_SERVICE) or {}
    for_user = _object(claims, c.FOR_USER) or {}
    return {
        "deep_linking": _object(claims, c.DEEP_LINKING_SETTINGS),
        "ags_endpoint": _object(claims, c.AGS_ENDPOINT),
        "nrps_url": _str_or_none(nrps.get("context_memberships_url")),
        "for_user_id": _str_or_none(for_user.get("user_id")),
    }


def _str_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _check_required_per_type(message: LaunchMessage, claims: Mapping[str, Any]) -> LaunchMessage:
    """LTI Core 5.3 (resource link), Deep Linking 2.0 section 4.4, Submission Review 1.0 3.1."""
    if message.target_link_uri is None:
        raise MissingClaimError(c.TARGET_LINK_URI)
    if message.message_type in (c.RESOURCE_LINK_REQUEST, c.SUBMISSION_REVIEW_REQUEST):
        if message.resource_link_id is None:
            raise MissingClaimError(c.RESOURCE_LINK, "has no id")
    if message.message_type == c.DEEP_LINKING_REQUEST:
        settings = message.deep_linking or {}
        if not _str_or_none(settings.get("deep_link_return_url")):
            raise MissingClaimError(c.DEEP_LINKING_SETTINGS, "has no deep_link_return_url")
        if not isinstance(settings.get("accept_types"), list):
            raise MissingClaimError(c.DEEP_LINKING_SETTINGS, "has no accept_types list")
    if message.message_type == c.SUBMISSION_REVIEW_REQUEST:
        if message.for_user_id is None:
            raise MissingClaimError(c.FOR_USER, "has no user_id")
        if not _str_or_none((message.ags_endpoint or {}).get("lineitem")):
            raise MissingClaimError(c.AGS_ENDPOINT, "has no lineitem")
    return message
