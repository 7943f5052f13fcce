"""The values the storage pages get (``lti.client_storage``), the login restart carried in the
state (``lti.login_restart``) and which base URLs may set cross-site cookies."""

from __future__ import annotations

import base64
import json

import pytest

from etwin_lti.lti.client_storage import origin_of, state_key, storage_request, storage_target
from etwin_lti.lti.login_restart import MAX_PACKED_LENGTH, restart_params, state_with_restart
from etwin_lti.lti.oidc_login import LoginInitiation
from etwin_lti.lti.secure_context import cookies_cross_sites, is_loopback

TOOL = "https://tool.test"
LOGIN = LoginInitiation(
    iss="https://lms.test",
    login_hint="42",
    target_link_uri=TOOL + "/lti/launch",
    lti_message_hint='{"cmid":7}',
    client_id="abc",
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("lti_storage", "lti_storage"),
        ("_parent", "_parent"),
        ("post-message.forwarding", "post-message.forwarding"),
        (None, None),
        ("", None),
        ("a b", None),
        ("<x>", None),
        ("x" * 65, None),
        ("fr\u00e4me", None),
    ],
)
def test_only_plain_frame_names_are_storage_targets(
    value: str | None, expected: str | None
) -> None:
    assert storage_target(value) == expected


def test_the_request_uses_the_registered_auth_origin_and_a_key_per_state() -> None:
    request = storage_request("lti_storage", "https://LMS.test:8443/mod/lti/auth.php?x=1", "s1")
    assert request is not None
    assert request.origin == "https://lms.test:8443"
    assert request.key == state_key("s1") != state_key("s2")
    assert "s1" not in request.key
    assert storage_request("lti_storage", "javascript:alert(1)", "s1") is None
    assert origin_of("ftp://lms.test/") is None


def test_the_state_carries_the_login_and_gives_it_back() -> None:
    state = state_with_restart("random", LOGIN)
    assert state.startswith("random.")
    params = restart_params(state, tool_base_url=TOOL)
    assert params == {
        "iss": "https://lms.test",
        "login_hint": "42",
        "target_link_uri": TOOL + "/lti/launch",
        "lti_message_hint": '{"cmid":7}',
        "client_id": "abc",
    }


def packed(body: object) -> str:
    return "r." + base64.urlsafe_b64encode(json.dumps(body).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "state",
    [
        "random",
        "random.",
        "r.!!!",
        "r." + "QQ" * MAX_PACKED_LENGTH,
        packed([1, 2]),
        packed({"iss": "https://lms.test"}),
        packed({"iss": "https://lms.test", "login_hint": 42, "target_link_uri": TOOL}),
        packed({"iss": "x", "login_hint": "1", "target_link_uri": "https://evil.test/lti"}),
    ],
)
def test_a_state_without_a_login_of_this_tool_gives_no_restart(state: str) -> None:
    assert restart_params(state, tool_base_url=TOOL) is None


def test_a_login_too_long_for_the_state_is_left_out() -> None:
    long = LoginInitiation("https://lms.test", "1", TOOL + "/lti/launch", "h" * 2000)
    assert state_with_restart("random", long) == "random"


@pytest.mark.parametrize(
    ("base", "loopback", "cross_sites"),
    [
        ("https://tool.example", False, True),
        ("http://127.0.0.1:5000", True, True),
        ("http://127.0.0.2", True, True),
        ("http://localhost:5000", True, True),
        ("http://app.localhost", True, True),
        ("http://[::1]:5000", True, True),
        ("http://tool.example", False, False),
        ("http://10.0.0.5", False, False),
        ("http://localhost.evil.test", False, False),
    ],
)
def test_loopback_http_may_set_cross_site_cookies_other_plain_http_may_not(
    base: str, loopback: bool, cross_sites: bool
) -> None:
    assert is_loopback(base) is loopback
    assert cookies_cross_sites(base) is cross_sites
