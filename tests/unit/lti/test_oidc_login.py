from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from etwin_lti.lti.errors import InvalidLoginError
from etwin_lti.lti.oidc_login import (
    authentication_request_params,
    authentication_request_url,
    parse_login_initiation,
)

BASE = "https://tool.example.test"
GOOD = {
    "iss": "https://lms.example.test",
    "login_hint": "42",
    "target_link_uri": BASE + "/lti/launch",
    "lti_message_hint": "hint-1",
    "lti_deployment_id": "3",
    "client_id": "abc",
}


def test_a_full_login_initiation_is_parsed() -> None:
    initiation = parse_login_initiation(GOOD, tool_base_url=BASE)
    assert initiation.iss == GOOD["iss"]
    assert initiation.client_id == "abc"
    assert initiation.lti_deployment_id == "3"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"iss": ""}, "iss"),
        ({"login_hint": None}, "login_hint"),
        ({"target_link_uri": " "}, "target_link_uri"),
        ({"target_link_uri": "https://evil.test/lti/launch"}, "target_link_uri"),
        ({"lti_message_hint": "x" * 3000}, "lti_message_hint"),
    ],
)
def test_bad_login_initiations_name_the_field(change: dict[str, str | None], field: str) -> None:
    params = {k: v for k, v in {**GOOD, **change}.items() if v is not None}
    with pytest.raises(InvalidLoginError) as raised:
        parse_login_initiation(params, tool_base_url=BASE)
    assert field in raised.value.errors
    assert field in raised.value.description


def test_the_authentication_request_has_every_parameter_of_section_5_1_1_2() -> None:
    initiation = parse_login_initiation(GOOD)
    params = authentication_request_params(
        initiation, client_id="abc", redirect_uri=BASE + "/lti/launch", state="s", nonce="n"
    )
    url = authentication_request_url("https://lms.example.test/auth?x=1", params)
    query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    assert query == {
        "x": "1",
        "scope": "openid",
        "response_type": "id_token",
        "response_mode": "form_post",
        "prompt": "none",
        "client_id": "abc",
        "redirect_uri": BASE + "/lti/launch",
        "login_hint": "42",
        "state": "s",
        "nonce": "n",
        "lti_message_hint": "hint-1",
    }
