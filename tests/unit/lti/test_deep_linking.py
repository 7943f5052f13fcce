"""Deep Linking 2.0 core: settings, items and response claims (no app, no sockets)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from pylti1p3.deep_link import DeepLink
from pylti1p3.registration import Registration

from etwin_lti.domain.launches import Resource, ResourceKind
from etwin_lti.errors import ConfigurationError, InvalidInputError, LtiError
from etwin_lti.lti import claims as c
from etwin_lti.lti.deep_linking import (
    COMPLETION_SCORE_MAXIMUM,
    COMPLETION_TAG,
    MissingReturnUrlError,
    TooManyItemsError,
    UnsupportedAcceptTypesError,
    parse_settings,
    resource_link_item,
    response_claims,
)

LAUNCH = "https://tool.example.test/lti/launch"
NOW = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


def raw(**change: Any) -> dict[str, Any]:
    settings: dict[str, Any] = {
        "deep_link_return_url": "https://lms.example.test/mod/lti/contentitem_return.php?course=2",
        "accept_types": ["ltiResourceLink"],
        "accept_presentation_document_targets": ["iframe", "window"],
        "accept_multiple": True,
        "data": "opaque-123",
    }
    settings.update(change)
    return {k: v for k, v in settings.items() if v is not None}


@pytest.mark.parametrize(
    ("settings", "error"),
    [
        (raw(deep_link_return_url=None), MissingReturnUrlError),
        (raw(deep_link_return_url=""), MissingReturnUrlError),
        (raw(deep_link_return_url="/relative/return"), MissingReturnUrlError),
        (raw(deep_link_return_url="javascript:alert(1)"), MissingReturnUrlError),
        (raw(deep_link_return_url="ftp://lms.example.test/x"), MissingReturnUrlError),
        (raw(deep_link_return_url=["https://lms.example.test"]), MissingReturnUrlError),
        (raw(accept_types=None), UnsupportedAcceptTypesError),
        (raw(accept_types=["link", "file", "html"]), UnsupportedAcceptTypesError),
        (raw(accept_types="ltiResourceLink"), UnsupportedAcceptTypesError),
        (None, MissingReturnUrlError),
    ],
    ids=[
        "no return url",
        "empty return url",
        "relative return url",
        "javascript return url",
        "ftp return url",
        "return url not a string",
        "no accept_types",
        "accept_types without ltiResourceLink",
        "accept_types not a list",
        "no settings claim",
    ],
)
def test_settings_refused(settings: dict[str, Any] | None, error: type[LtiError]) -> None:
    with pytest.raises(error) as raised:
        parse_settings(settings)
    assert raised.value.status_code == 400
    assert type(raised.value) is error


@pytest.mark.parametrize(
    ("value", "expected"),
    [(True, True), ("true", True), ("TRUE", True), (False, False), ("false", False),
     (None, False), (1, False), ("yes", False)],
)  # fmt: skip
def test_accept_multiple_is_only_true_when_said(value: Any, expected: bool) -> None:
    assert parse_settings(raw(accept_multiple=value)).accept_multiple is expected


def test_settings_keep_what_the_response_needs() -> None:
    settings = parse_settings(raw(accept_lineitem=False, title=" Add ", text=""))
    assert settings.return_url.endswith("?course=2")  # kept exactly, query included
    assert settings.accept_types == ("ltiResourceLink",)
    assert settings.accept_lineitem is False
    assert settings.title == "Add" and settings.text is None
    assert settings.has_data and settings.data == "opaque-123"
    assert not parse_settings(raw(data=None)).has_data


@pytest.mark.parametrize(
    ("kind", "graded"),
    [(ResourceKind.UNIT, True), (ResourceKind.EVENT, True), (ResourceKind.TWINSPACE, False)],
)
def test_resource_link_items(kind: ResourceKind, graded: bool) -> None:
    item = resource_link_item(
        Resource(kind, 42), title="  Unit 1  ", text=" What eTwinning is. ", launch_url=LAUNCH
    )
    claim = item.to_claim()
    assert claim["type"] == "ltiResourceLink"
    assert claim["url"] == LAUNCH  # exactly our redirect URI: no query string
    assert claim["custom"] == {"etwin_resource": f"{kind.value}:42"}
    assert claim["title"] == "Unit 1" and claim["text"] == "What eTwinning is."
    if graded:
        assert claim["lineItem"] == {
            "label": "Unit 1",
            "scoreMaximum": COMPLETION_SCORE_MAXIMUM,
            "resourceId": f"{kind.value}:42",
            "tag": COMPLETION_TAG,
        }
    else:
        assert "lineItem" not in claim


@pytest.mark.parametrize(
    "url", [LAUNCH + "?resource=1", LAUNCH + "#x", "tool.example.test/lti/launch"]
)
def test_items_refuse_a_decorated_launch_url(url: str) -> None:
    with pytest.raises(ConfigurationError):
        resource_link_item(Resource(ResourceKind.UNIT, 1), title="U", launch_url=url)


def test_long_titles_are_cut_and_empty_titles_named() -> None:
    long = resource_link_item(Resource(ResourceKind.UNIT, 1), title="x" * 400, launch_url=LAUNCH)
    empty = resource_link_item(Resource(ResourceKind.UNIT, 2), title=" ", launch_url=LAUNCH)
    assert len(long.title) == 255
    assert empty.title == "unit:2"


def items(*ids: int) -> list[Any]:
    return [
        resource_link_item(Resource(ResourceKind.UNIT, i), title=f"Unit {i}", launch_url=LAUNCH)
        for i in ids
    ]


def claims_for(settings: dict[str, Any], count: int = 1, **messages: str) -> dict[str, Any]:
    return response_claims(
        parse_settings(settings),
        items(*range(1, count + 1)),
        client_id="client-9",
        platform_issuer="https://lms.example.test",
        deployment_id="3",
        now=NOW,
        nonce="n-1",
        **messages,
    )


def test_response_claims() -> None:
    body = claims_for(raw(), 2, msg="2 added", log="ok")
    assert body["iss"] == "client-9"
    assert body["aud"] == "https://lms.example.test"
    assert body["nonce"] == "n-1"
    assert body["iat"] == int(NOW.timestamp()) and body["exp"] == body["iat"] + 600
    assert body[c.MESSAGE_TYPE] == "LtiDeepLinkingResponse"
    assert body[c.VERSION] == "1.3.0"
    assert body[c.DEPLOYMENT_ID] == "3"
    assert body[c.DL_DATA] == "opaque-123"
    assert [i["custom"]["etwin_resource"] for i in body[c.DL_CONTENT_ITEMS]] == [
        "unit:1",
        "unit:2",
    ]
    assert body[c.DL_MSG] == "2 added" and body[c.DL_LOG] == "ok"
    assert c.DL_ERRORMSG not in body and c.DL_ERRORLOG not in body


@pytest.mark.parametrize("data", ["", {"course": 2, "nested": [1, "a"]}, 0])
def test_data_is_echoed_exactly(data: Any) -> None:
    assert claims_for(raw(data=data))[c.DL_DATA] == data


def test_no_data_claim_when_the_request_had_none() -> None:
    assert c.DL_DATA not in claims_for(raw(data=None))


def test_errormsg_and_empty_items() -> None:
    body = claims_for(raw(), 0, errormsg="Nothing to add", errorlog="accept_types")
    assert body[c.DL_CONTENT_ITEMS] == []
    assert body[c.DL_ERRORMSG] == "Nothing to add" and body[c.DL_ERRORLOG] == "accept_types"


@pytest.mark.parametrize("accept_multiple", [False, None, "false"])
def test_several_items_when_one_is_accepted_is_422(accept_multiple: Any) -> None:
    with pytest.raises(TooManyItemsError) as raised:
        claims_for(raw(accept_multiple=accept_multiple), 2)
    assert isinstance(raised.value, InvalidInputError) and raised.value.status_code == 422
    assert len(claims_for(raw(accept_multiple=accept_multiple), 1)[c.DL_CONTENT_ITEMS]) == 1


def test_line_items_left_out_when_the_platform_ignores_them() -> None:
    assert "lineItem" not in claims_for(raw(accept_lineitem=False))[c.DL_CONTENT_ITEMS][0]
    assert "lineItem" in claims_for(raw(accept_lineitem=True))[c.DL_CONTENT_ITEMS][0]
    assert "lineItem" in claims_for(raw())[c.DL_CONTENT_ITEMS][0]  # unknown: send it


def test_claims_agree_with_pylti1p3s_own_message() -> None:
    """What pylti1p3 would send for the same request, except the parts it cannot do."""
    registration = Registration().set_issuer("https://lms.example.test")
    registration.set_client_id("client-9")
    theirs = DeepLink(registration, "3", raw()).get_message_jwt([])  # type: ignore[arg-type]
    ours = claims_for(raw(), 0)
    for name in ("iss", c.DEPLOYMENT_ID, c.MESSAGE_TYPE, c.VERSION, c.DL_DATA):
        assert ours[name] == theirs[name], name
    assert theirs["aud"] == [ours["aud"]]  # a one-element list or the string: the same audience
    assert set(theirs) <= set(ours) | {c.DL_CONTENT_ITEMS}
