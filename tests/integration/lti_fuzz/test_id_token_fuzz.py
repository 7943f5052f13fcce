"""Signed id_tokens with random claim mutations against ``/lti/launch`` (hypothesis).

The platform (the Mini LMS of ``tests.support.launching``, its key set over real HTTP) is
registered with the tool and its key signs every token, so each mutation reaches the claim
rules rather than stopping at the signature. Whatever the claims, the tool never answers 5xx,
every refusal is a page naming a known error code, and no mutated token opens a launch
session unless it is still valid, judged by ``still_valid`` below: the spec's rules written
here independently of ``etwin_lti.lti.launch``, so that the two can disagree.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import hypothesis
import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, Phase
from hypothesis import strategies as st

import etwin_lti.errors
from etwin_lti.lti import claims as c
from etwin_lti.lti.resource_reference import CUSTOM_REFERENCE
from etwin_lti.services.demo import DemoResources, load_demo
from etwin_lti.web.session import SESSION_COOKIE
from tests.conftest import make_test_app, settle
from tests.e2e.harness import CLIENT_ID, DEPLOYMENT_ID
from tests.support.launching import TOOL_BASE, Launcher
from tests.support.lti_tokens import (
    ROLE_INSTRUCTOR,
    minimal_claims,
    mint_raw,
    platform_key,
    tool_reference,
)

LAUNCH_URL = TOOL_BASE + "/lti/launch"
SUB = "founder-fr"
EXAMPLES = 60


@pytest.fixture(scope="module")
def launcher() -> Iterator[Launcher]:
    running = Launcher.start()
    yield running
    running.stop()


@pytest.fixture
def tool(
    app_sqlite_url: str, tmp_path: Path, launcher: Launcher
) -> Iterator[tuple[Flask, DemoResources]]:
    app = make_test_app(app_sqlite_url, tmp_path)
    launcher.register(app)
    demo = load_demo(app.extensions["etwin"].hub)
    launcher.link(app, SUB, demo.people["founder_fr"])
    yield app, demo
    settle(app)


def known_codes() -> set[str]:
    """Every machine code of the exception tree, plus Werkzeug's (a 413 for a huge form)."""
    codes, todo = set(), [etwin_lti.errors.EtwinLtiError]
    while todo:
        cls = todo.pop()
        codes.add(cls.error)
        todo.extend(cls.__subclasses__())
    return codes | {"bad_request", "request_entity_too_large"}


def login(client: FlaskClient, issuer: str) -> tuple[str, str]:
    """An honest login initiation; returns the (state, nonce) the platform would receive."""
    response = client.get(
        "/lti/login",
        query_string={
            "iss": issuer,
            "login_hint": SUB,
            "target_link_uri": LAUNCH_URL,
            "client_id": CLIENT_ID,
            "lti_deployment_id": DEPLOYMENT_ID,
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    query = parse_qs(urlsplit(response.headers["Location"]).query)
    return query["state"][0], query["nonce"][0]


def sign(claims: dict[str, Any]) -> str:
    """RS256 by the platform's key over any JSON (PyJWT would refuse a non-string iss)."""
    header = {"alg": "RS256", "typ": "JWT", "kid": platform_key().kid}
    text = DEEP.sub(lambda m: "[" * int(m.group(1)) + "]" * int(m.group(1)), json.dumps(claims))
    return mint_raw(header, text, platform_key())


def base_claims(issuer: str, nonce: str, resource: str, message_type: str) -> dict[str, Any]:
    claims = minimal_claims(
        nonce=nonce,
        issuer=issuer,
        client_id=CLIENT_ID,
        deployment_id=DEPLOYMENT_ID,
        sub=SUB,
        target_link_uri=LAUNCH_URL,
        roles=[ROLE_INSTRUCTOR],
        resource=resource,
        message_type=message_type,
    )
    # As the picker placed it: the tool-signed reference beside the resource (issue 9 item 4).
    claims.setdefault(c.CUSTOM, {c.CUSTOM_RESOURCE: resource})[CUSTOM_REFERENCE] = tool_reference(
        resource, issuer=issuer, deployment_id=DEPLOYMENT_ID, context_id="course-1"
    )
    return claims


# --- the mutations -------------------------------------------------------------------------

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats()
    | st.text(max_size=40),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
huge_strings = st.sampled_from(["x" * 300, "é" * 5000, "\x00" * 100, "\ud800", "A" * 40_000])
time_values = st.sampled_from(
    [0, -1, 2**63, 2**64, 1e308, -1e308, "1700000000", None, True, 1.5, [1], {"t": 1}]
) | st.integers(-400, 400).map(lambda delta: int(time.time()) + delta * 60)


# Deep nesting is spliced into the claims TEXT when signing: json.dumps (and hypothesis's
# printer) would recurse as deeply as the parser under test.
DEEP = re.compile(r'"<deep (\d+)>"')


def deep_marker(depth: int) -> str:
    return f"<deep {depth}>"


CLAIM_NAMES = [
    c.ISS, c.AUD, c.SUB, c.EXP, c.IAT, c.NONCE, c.MESSAGE_TYPE, c.VERSION, c.DEPLOYMENT_ID,
    c.TARGET_LINK_URI, c.ROLES, c.CONTEXT, c.RESOURCE_LINK, c.CUSTOM, c.DEEP_LINKING_SETTINGS,
    c.NAME, c.EMAIL, c.AZP, "nbf", c.LAUNCH_PRESENTATION, c.NAMES_ROLE_SERVICE, c.AGS_ENDPOINT,
]  # fmt: skip


@st.composite
def mutation(draw: st.DrawFn) -> tuple[str, str, Any]:
    """(kind, claim, value): drop a claim or give it another value."""
    kind = draw(st.sampled_from(["drop", "json", "huge", "time", "aud", "roles", "object", "deep"]))
    if kind == "time":
        return kind, draw(st.sampled_from([c.EXP, c.IAT, "nbf"])), draw(time_values)
    if kind == "aud":
        aud = draw(
            st.sampled_from(
                [[CLIENT_ID], [CLIENT_ID, "other"], ["other"], [], [1], {"a": CLIENT_ID}, None]
            )
        )
        azp = draw(st.sampled_from(["<keep>", CLIENT_ID, "other", 7, None]))
        return kind, c.AUD, (aud, azp)
    if kind == "roles":
        roles = draw(
            st.sampled_from([ROLE_INSTRUCTOR, [], [1], [None], {"r": 1}, [ROLE_INSTRUCTOR] * 500])
            | st.lists(st.text(max_size=80), max_size=5)
        )
        return kind, c.ROLES, roles
    claim = draw(st.sampled_from(CLAIM_NAMES))
    if kind == "drop":
        return kind, claim, None
    if kind == "json":
        return kind, claim, draw(json_values)
    if kind == "huge":
        return kind, claim, draw(huge_strings)
    if kind == "object":
        claim = draw(
            st.sampled_from([c.CUSTOM, c.CONTEXT, c.RESOURCE_LINK, c.DEEP_LINKING_SETTINGS])
        )
        return (
            kind,
            claim,
            draw(
                st.sampled_from(
                    ["text", [], [{"id": "x"}], {"id": 5}, {"id": ""}, {"id": "x" * 70_000}]
                )
                | st.dictionaries(st.text(max_size=10), json_values, max_size=5)
            ),
        )
    return (
        kind,
        draw(st.sampled_from([c.CUSTOM, c.CONTEXT, c.NAME])),
        deep_marker(draw(st.integers(1, 20_000))),
    )


def apply(claims: dict[str, Any], mutations: list[tuple[str, str, Any]]) -> dict[str, Any]:
    mutated = dict(claims)
    for kind, claim, value in mutations:
        if kind == "drop" or (value is None and kind != "json"):
            mutated.pop(claim, None)
        elif kind == "aud":
            aud, azp = value
            if aud is None:
                mutated.pop(c.AUD, None)
            else:
                mutated[c.AUD] = aud
            if azp != "<keep>":
                if azp is None:
                    mutated.pop(c.AZP, None)
                else:
                    mutated[c.AZP] = azp
        else:
            mutated[claim] = value
    return mutated


# --- the independent oracle ------------------------------------------------------------------


def _text(value: Any, limit: int | None = None) -> bool:
    return isinstance(value, str) and bool(value) and (limit is None or len(value) <= limit)


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def still_valid(claims: dict[str, Any], *, issuer: str, nonce: str, now: float) -> bool:
    """LTI Core 5.3 / Security Framework 5.1.3 / OIDC Core 3.1.3.7, as a launch must satisfy."""
    aud = claims.get(c.AUD)
    audiences = [aud] if isinstance(aud, str) else aud
    if not isinstance(audiences, list) or CLIENT_ID not in audiences:
        return False
    if not all(isinstance(a, str) for a in audiences):
        return False
    azp = claims.get(c.AZP)
    if (len(audiences) > 1 and azp is None) or (azp is not None and azp != CLIENT_ID):
        return False
    exp, iat, nbf = claims.get(c.EXP), claims.get(c.IAT), claims.get("nbf")
    if not (_number(exp) and _number(iat)) or exp + 60 < now or iat > now + 60:
        return False
    if nbf is not None and (not _number(nbf) or nbf > now + 60):
        return False
    roles = claims.get(c.ROLES)
    resource_link = claims.get(c.RESOURCE_LINK)
    return (
        claims.get(c.ISS) == issuer
        and claims.get(c.NONCE) == nonce
        and claims.get(c.VERSION) == c.LTI_VERSION
        and isinstance(claims.get(c.MESSAGE_TYPE), str)
        and claims[c.MESSAGE_TYPE] in c.MESSAGE_TYPES
        and _text(claims.get(c.DEPLOYMENT_ID), 255)
        and _text(claims.get(c.SUB), 255)
        and _text(claims.get(c.TARGET_LINK_URI))
        and isinstance(roles, list)
        and all(isinstance(r, str) for r in roles)
        and all(
            claims.get(name) is None or isinstance(claims[name], dict)
            for name in (c.CONTEXT, c.CUSTOM, c.RESOURCE_LINK, c.DEEP_LINKING_SETTINGS)
        )
        and (
            claims.get(c.MESSAGE_TYPE) != c.RESOURCE_LINK_REQUEST
            or (isinstance(resource_link, dict) and _text(resource_link.get("id")))
        )
    )


# --- the test --------------------------------------------------------------------------------


def opened_a_session(response: Any) -> bool:
    cookies = response.headers.getlist("Set-Cookie")
    return response.status_code in (200, 303) and any(  # the page, or deep linking's 303
        cookie.startswith(SESSION_COOKIE + "=") and not cookie.startswith(SESSION_COOKIE + "=;")
        for cookie in cookies
    )


def refusal_code(response: Any) -> str | None:
    found = re.search(r'data-error="([^"]+)"', response.get_data(as_text=True))
    return found.group(1) if found else None


@pytest.mark.parametrize("message_type", [c.RESOURCE_LINK_REQUEST, c.DEEP_LINKING_REQUEST])
def test_mutated_id_tokens_never_fail_the_tool_or_open_a_session_when_invalid(
    tool: tuple[Flask, DemoResources], launcher: Launcher, message_type: str
) -> None:
    app, demo = tool
    issuer = launcher.platform.url
    resource = f"twinspace:{demo.twinspace_id}"
    codes = known_codes()

    def launch(mutate: list[tuple[str, str, Any]]) -> tuple[Any, bool]:
        client = app.test_client()
        state, nonce = login(client, issuer)
        claims = apply(base_claims(issuer, nonce, resource, message_type), mutate)
        response = client.post("/lti/launch", data={"id_token": sign(claims), "state": state})
        return response, still_valid(claims, issuer=issuer, nonce=nonce, now=time.time())

    honest, valid = launch([])
    assert valid and opened_a_session(honest), honest.get_data(as_text=True)[:500]

    @hypothesis.settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
    )
    @hypothesis.given(st.lists(mutation(), min_size=1, max_size=3))
    def mutated(mutations: list[tuple[str, str, Any]]) -> None:
        response, valid = launch(mutations)
        assert response.status_code < 500, response.get_data(as_text=True)[:500]
        if opened_a_session(response):
            assert valid, "an invalid token opened a launch session"
        elif response.status_code >= 400:
            assert refusal_code(response) in codes, response.get_data(as_text=True)[:500]

    mutated()
