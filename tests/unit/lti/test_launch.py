"""The id_token pipeline, one row per rule. Tokens are minted here; ``now`` is injected."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from etwin_lti.lti import claims as c
from etwin_lti.lti import errors as e
from etwin_lti.lti.jwks import find_key
from etwin_lti.lti.launch import (
    LaunchMessage,
    check_issuer,
    parse_id_token,
    validate_id_token,
)
from tests.support.lti_tokens import (
    CLIENT_ID,
    ISSUER,
    key_set,
    minimal_claims,
    mint,
    mint_raw,
    platform_key,
)

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
T = NOW.timestamp()


def run(
    token: str, *, nonce: str = "nonce-1", leeway: int = 60, now: datetime = NOW
) -> LaunchMessage:
    return validate_id_token(
        parse_id_token(token),
        key=lambda kid: find_key(key_set(platform_key()), kid),
        issuer=ISSUER,
        client_id=CLIENT_ID,
        nonce=nonce,
        now=now,
        is_replay=lambda _token: False,
        leeway=leeway,
    )


def claims(**kw: Any) -> dict[str, Any]:
    return minimal_claims(now=T, **kw)


def test_a_minimal_resource_link_launch_is_accepted() -> None:
    message = run(mint(claims()))
    assert message.issuer == ISSUER
    assert message.subject == "user-1"
    assert message.deployment_id == "1"
    assert message.message_type == c.RESOURCE_LINK_REQUEST
    assert message.resource_link_id == "link-1"
    assert message.custom == {"etwin_resource": "twinspace:1"}
    assert message.roles == (c.ROLE_CONTEXT + "Instructor",)


@pytest.mark.parametrize("message_type", [c.DEEP_LINKING_REQUEST, c.SUBMISSION_REVIEW_REQUEST])
def test_deep_linking_and_submission_review_are_accepted(message_type: str) -> None:
    message = run(mint(claims(message_type=message_type)))
    assert message.message_type == message_type


def test_leeway_accepts_a_token_expired_less_than_leeway_ago() -> None:
    assert run(mint(claims(exp=int(T) - 30))).expires_at == int(T) - 30


def test_multiple_audiences_with_our_azp_are_accepted() -> None:
    message = run(mint(claims(aud=[CLIENT_ID, "other"], azp=CLIENT_ID)))
    assert message.client_id == CLIENT_ID


def other_key_token() -> str:
    other = platform_key("attacker")
    return mint(claims(), other, kid=platform_key().kid)


def tampered() -> str:
    header, body, sig = mint(claims()).split(".")
    forged = mint(claims(sub="admin")).split(".")[1]
    return ".".join([header, forged, sig])


HOSTILE = [
    ("signed by another key", other_key_token, e.InvalidSignatureError),
    ("claims tampered after signing", tampered, e.InvalidSignatureError),
    ("alg none", lambda: mint(claims(), alg="none"), e.AlgorithmNotAllowedError),
    (
        "alg HS256 keyed with the public key",
        lambda: mint(claims(), alg="HS256"),
        e.AlgorithmNotAllowedError,
    ),
    ("alg RS512", lambda: mint(claims(), alg="RS512"), e.AlgorithmNotAllowedError),
    ("no kid", lambda: mint(claims(), kid=None), e.MissingKeyIdError),
    ("unknown kid", lambda: mint(claims(), kid="nobody"), e.UnknownKeyError),
    ("expired beyond leeway", lambda: mint(claims(exp=int(T) - 61)), e.TokenExpiredError),
    (
        "issued in the future beyond leeway",
        lambda: mint(claims(iat=int(T) + 61)),
        e.TokenIssuedInFutureError,
    ),
    ("nbf in the future", lambda: mint(claims(nbf=int(T) + 120)), e.TokenIssuedInFutureError),
    ("exp missing", lambda: mint(claims(exp=None)), e.MissingClaimError),
    ("exp not a number", lambda: mint(claims(exp="soon")), e.MissingClaimError),
    ("wrong iss", lambda: mint(claims(issuer="https://evil.test")), e.IssuerMismatchError),
    ("wrong aud", lambda: mint(claims(client_id="someone-else")), e.AudienceMismatchError),
    ("aud not a string", lambda: mint(claims(aud=42)), e.AudienceMismatchError),
    ("several aud without azp", lambda: mint(claims(aud=[CLIENT_ID, "x"])), e.AuthorizedPartyError),
    (
        "azp of another client",
        lambda: mint(claims(aud=[CLIENT_ID, "x"], azp="x")),
        e.AuthorizedPartyError,
    ),
    ("single aud with foreign azp", lambda: mint(claims(azp="x")), e.AuthorizedPartyError),
    ("nonce of another login", lambda: mint(claims(nonce="other")), e.NonceMismatchError),
    ("nonce missing", lambda: mint(claims(nonce=None)), e.MissingClaimError),
    ("deployment_id missing", lambda: mint(claims(**{c.DEPLOYMENT_ID: None})), e.MissingClaimError),
    ("deployment_id too long", lambda: mint(claims(deployment_id="x" * 256)), e.MissingClaimError),
    ("sub missing", lambda: mint(claims(sub=None)), e.MissingClaimError),
    ("sub empty", lambda: mint(claims(sub="")), e.MissingClaimError),
    ("roles missing", lambda: mint(claims(**{c.ROLES: None})), e.MissingClaimError),
    ("roles not a list", lambda: mint(claims(**{c.ROLES: "Instructor"})), e.MissingClaimError),
    ("message type missing", lambda: mint(claims(**{c.MESSAGE_TYPE: None})), e.MissingClaimError),
    (
        "unknown message type",
        lambda: mint(claims(message_type="LtiStartProctoring")),
        e.UnsupportedMessageTypeError,
    ),
    ("version 1.1", lambda: mint(claims(**{c.VERSION: "1.1"})), e.UnsupportedVersionError),
    ("resource_link missing", lambda: mint(claims(**{c.RESOURCE_LINK: None})), e.MissingClaimError),
    (
        "resource_link not an object",
        lambda: mint(claims(**{c.RESOURCE_LINK: "link-1"})),
        e.MissingClaimError,
    ),
    (
        "target_link_uri missing",
        lambda: mint(claims(**{c.TARGET_LINK_URI: None})),
        e.MissingClaimError,
    ),
    ("context not an object", lambda: mint(claims(**{c.CONTEXT: ["x"]})), e.MissingClaimError),
    (
        "deep linking without return url",
        lambda: mint(
            claims(
                message_type=c.DEEP_LINKING_REQUEST,
                **{c.DEEP_LINKING_SETTINGS: {"accept_types": []}},
            )
        ),
        e.MissingClaimError,
    ),
    (
        "submission review without for_user",
        lambda: mint(claims(message_type=c.SUBMISSION_REVIEW_REQUEST, **{c.FOR_USER: None})),
        e.MissingClaimError,
    ),
    ("oversize token", lambda: mint(claims(padding="x" * 70_000)), e.OversizeTokenError),
    ("two segments", lambda: "a.b", e.MalformedTokenError),
    ("not base64", lambda: "!!.??.##", e.MalformedTokenError),
    (
        "claims are not JSON",
        lambda: mint_raw({"alg": "RS256", "kid": platform_key().kid}, "{not json"),
        e.MalformedTokenError,
    ),
    (
        "claims are a JSON list",
        lambda: mint_raw({"alg": "RS256", "kid": platform_key().kid}, "[1, 2]"),
        e.MalformedTokenError,
    ),
]


@pytest.mark.parametrize(("name", "make", "error"), HOSTILE, ids=[row[0] for row in HOSTILE])
def test_hostile_tokens_are_refused_with_the_rule_they_break(
    name: str, make: Any, error: type
) -> None:
    with pytest.raises(error) as raised:
        run(make())
    assert type(raised.value) is error
    assert raised.value.status_code == 401
    assert raised.value.who_can_fix


def test_the_issuer_is_checked_before_any_key_is_needed() -> None:
    parsed = parse_id_token(mint(claims(issuer="https://evil.test")))
    with pytest.raises(e.IssuerMismatchError):
        check_issuer(parsed, ISSUER)


def test_the_one_entry_point_orders_issuer_key_signature_replay_then_claims() -> None:
    """What the launch service relies on: nothing is looked up for another issuer, and the
    replay check (which writes a mark) is asked only once the signature holds."""
    asked: list[str] = []

    def key(kid: str) -> Any:
        asked.append("key")
        return find_key(key_set(platform_key()), kid)

    def is_replay(_token: Any) -> bool:
        asked.append("replay")
        return True

    def validate(token: str) -> LaunchMessage:
        return validate_id_token(
            parse_id_token(token),
            key=key,
            issuer=ISSUER,
            client_id=CLIENT_ID,
            nonce="nonce-1",
            now=NOW,
            is_replay=is_replay,
        )

    with pytest.raises(e.IssuerMismatchError):
        validate(mint(claims(issuer="https://evil.test")))
    assert asked == []
    good = mint(claims())
    forged = good[: good.rindex(".") + 1] + mint(claims(sub="someone-else")).rsplit(".", 1)[1]
    with pytest.raises(e.InvalidSignatureError):
        validate(forged)
    assert asked == ["key"]
    with pytest.raises(e.TokenReplayError):
        validate(good)
    assert asked == ["key", "key", "replay"]
    asked.clear()
    with pytest.raises(e.UnknownKeyError):
        validate_id_token(
            parse_id_token(good),
            key=lambda _kid: None,
            issuer=ISSUER,
            client_id=CLIENT_ID,
            nonce="nonce-1",
            now=NOW,
            is_replay=is_replay,
        )
    assert asked == []


def test_error_descriptions_never_contain_the_token_or_nonce() -> None:
    token = mint(claims(nonce="secret-nonce-value"))
    with pytest.raises(e.NonceMismatchError) as raised:
        run(token)
    assert "secret-nonce-value" not in raised.value.description
    assert token not in json.dumps(raised.value.to_dict())


def test_the_token_digest_identifies_the_exact_token() -> None:
    token = mint(claims())
    assert parse_id_token(token).digest == parse_id_token(token).digest
    assert parse_id_token(token).digest != parse_id_token(mint(claims())).digest
