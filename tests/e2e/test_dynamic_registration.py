"""LTI Dynamic Registration 1.0 end to end: the tool (127.0.0.1) registers itself with the
sandbox LMS peer (localhost) over real HTTP, driven by a requests.Session as the browser."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from flask import Flask
from sqlalchemy import func, select

from connectors.sql_registrations import SqlRegistrationStore
from etwin_lti.domain.registration_rules import InvalidInviteError
from etwin_lti.persistence.models.registrations import DeploymentRow, PlatformRow
from tests.conftest import make_test_app
from tests.e2e.harness import seed_resources
from tests.e2e.peer import RunningPeer, ThreadedServer, launch_through, serve_peer

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]

TOOL_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-tool-configuration"


class Tool:
    def __init__(self, app: Flask, base_url: str) -> None:
        self.app = app
        self.base_url = base_url
        self.container = app.extensions["etwin"]
        self.store: SqlRegistrationStore = self.container.registrations

    def invite(self, ttl_seconds: int = 3600) -> str:
        return self.store.create_invite(ttl_seconds=ttl_seconds).token

    def register_url(self, invite: str) -> str:
        return f"{self.base_url}/lti/register?invite={invite}"

    def stored(self) -> tuple[int, int]:
        with self.container.database.session() as session:
            return (
                session.scalar(select(func.count()).select_from(PlatformRow)) or 0,
                session.scalar(select(func.count()).select_from(DeploymentRow)) or 0,
            )


@pytest.fixture
def tool(app_postgres_url: str, tmp_path: Path) -> Iterator[Tool]:
    with ThreadedServer("127.0.0.1") as server:
        app = make_test_app(app_postgres_url, tmp_path, BASE_URL=server.base_url)
        server.start(app)
        yield Tool(app, server.base_url)
        app.extensions["etwin"].database.dispose()


@pytest.fixture
def peer() -> Iterator[RunningPeer]:
    with serve_peer(None) as running:
        yield running


@pytest.fixture
def browser() -> Iterator[requests.Session]:
    with requests.Session() as session:
        yield session


def test_round_trip(tool: Tool, peer: RunningPeer, browser: requests.Session) -> None:
    invite = tool.invite()
    page = browser.get(peer.registration_url(tool.register_url(invite)), timeout=10)

    assert page.status_code == 200, page.text
    assert "org.imsglobal.lti.close" in page.text and "window.opener || window.parent" in page.text
    (client,) = peer.platform.clients()
    (platform,) = tool.store.list_platforms()
    assert (platform.issuer, platform.client_id) == (peer.issuer, client.client_id)
    assert platform.auth_login_url == peer.urls["authorization_endpoint"]
    assert platform.auth_token_url == peer.urls["token_endpoint"]
    assert platform.key_set_url == peer.urls["jwks_uri"]
    assert platform.product == "etwin-sandbox"
    (deployment,) = tool.store.list_deployments(platform.id)
    assert deployment.deployment_id == client.deployment_id and deployment.active
    with pytest.raises(InvalidInviteError):
        tool.store.peek_invite(invite)
    # One audit entry, in the registration's own transaction.
    (entry,) = tool.container.audit.list_entries().entries
    assert (entry.action, entry.subject_id) == ("registration.dynamic", str(platform.id))
    assert entry.details["issuer"] == peer.issuer
    assert entry.details["deployment_id"] == client.deployment_id

    # What the tool asked the platform for (DR 1.0, 3.5.1; privacy rules of DESIGN.md).
    request = client.registration_request
    assert request is not None
    config = request[TOOL_CONFIGURATION]
    assert request["initiate_login_uri"] == tool.base_url + "/lti/login"
    assert request["redirect_uris"] == [tool.base_url + "/lti/launch"]
    assert request["jwks_uri"] == tool.base_url + "/.well-known/jwks.json"
    assert request["token_endpoint_auth_method"] == "private_key_jwt"
    assert request["grant_types"] == ["implicit", "client_credentials"]
    assert set(request["scope"].split()) == {
        "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
        "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly",
        "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
        "https://purl.imsglobal.org/spec/lti-ags/scope/score",
        "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly",
    }
    assert config["domain"] == tool.base_url.removeprefix("http://")
    assert config["claims"] == ["iss", "sub"]  # no e-mail, no names unless configured
    assert [m["type"] for m in config["messages"]] == [
        "LtiResourceLinkRequest",
        "LtiDeepLinkingRequest",
    ]
    assert not client.share_email and not client.share_names

    # The new registration works: a teacher launches from the platform into a TwinSpace.
    resources = seed_resources(tool.container.hub)
    launched = launch_through(
        browser,
        peer.launch_url(
            user="teacher",
            etwin_resource=f"twinspace:{resources.twinspace_id}",
            client_id=client.client_id,
        ),
    )
    assert launched.status_code == 200, launched.text[:800]
    assert launched.headers["Content-Location"] == f"/embed/twinspace/{resources.twinspace_id}"

    # The same registration URL cannot be used twice.
    again = browser.get(peer.registration_url(tool.register_url(invite)), timeout=10)
    assert again.status_code == 403 and "invalid_registration_invite" in again.text
    assert tool.stored() == (1, 1)


def test_names_are_requested_only_when_configured(
    app_postgres_url: str, tmp_path: Path, peer: RunningPeer, browser: requests.Session
) -> None:
    with ThreadedServer("127.0.0.1") as server:
        app = make_test_app(
            app_postgres_url, tmp_path, BASE_URL=server.base_url, STORE_PUPIL_NAMES=True
        )
        server.start(app)
        tool = Tool(app, server.base_url)
        page = browser.get(peer.registration_url(tool.register_url(tool.invite())), timeout=10)
        assert page.status_code == 200
        (client,) = peer.platform.clients()
        config = client.registration_request[TOOL_CONFIGURATION]  # type: ignore[index]
        assert config["claims"] == ["iss", "sub", "given_name", "family_name", "name"]
        assert client.share_names and not client.share_email
        app.extensions["etwin"].database.dispose()


def _drop(field: str) -> Any:
    def hook(document: dict[str, Any]) -> dict[str, Any]:
        document.pop(field)
        return document

    return hook


def _replace(field: str, value: Any) -> Any:
    def hook(document: dict[str, Any]) -> dict[str, Any]:
        document[field] = value
        return document

    return hook


# (name, how the request or the peer misbehaves, expected status, expected error code,
#  whether the invite must still be usable afterwards)
BAD_INPUT: list[tuple[str, dict[str, Any], int, str, bool]] = [
    ("forged invite", {"invite": "forged"}, 403, "invalid_registration_invite", False),
    ("missing invite", {"invite": ""}, 403, "invalid_registration_invite", False),
    ("used invite", {"used": True}, 403, "invalid_registration_invite", False),
    ("expired invite", {"expired": True}, 403, "invalid_registration_invite", False),
    (
        "missing openid_configuration",
        {"config_url": ""},
        400,
        "invalid_platform_configuration",
        True,
    ),
    (
        "configuration URL not https",
        {"config_url": "http://lms.example.org/openid-configuration"},
        400,
        "invalid_platform_configuration",
        True,
    ),
    (
        "configuration URL is not a URL",
        {"config_url": "javascript:alert(1)"},
        400,
        "invalid_platform_configuration",
        True,
    ),
    (
        "issuer does not match the configuration URL",
        {"config": _replace("issuer", "https://other-lms.example")},
        400,
        "invalid_platform_configuration",
        True,
    ),
    (
        "issuer on another port",
        {"config": _replace("issuer", "http://localhost:1")},
        400,
        "invalid_platform_configuration",
        True,
    ),
    (
        "configuration unreachable",
        {"config_url": "http://localhost:9/.well-known/openid-configuration"},
        502,
        "remote_service_error",
        True,
    ),
    (
        "configuration answers 404",
        {"config_path": "/no-such-configuration"},
        502,
        "remote_service_error",
        True,
    ),
    (
        "configuration not JSON",
        {"config": lambda document: ("<html>Moodle</html>", 200)},
        400,
        "invalid_platform_configuration",
        True,
    ),
    (
        "configuration is a JSON list",
        {"config": lambda document: ("[1, 2]", 200, {"Content-Type": "application/json"})},
        400,
        "invalid_platform_configuration",
        True,
    ),
    (
        "configuration without registration_endpoint",
        {"config": _drop("registration_endpoint")},
        400,
        "invalid_platform_configuration",
        True,
    ),
    (
        "configuration without jwks_uri",
        {"config": _drop("jwks_uri")},
        400,
        "invalid_platform_configuration",
        True,
    ),
    (
        "configuration with a plain-http token endpoint elsewhere",
        {"config": _replace("token_endpoint", "http://lms.example.org/token")},
        400,
        "invalid_platform_configuration",
        True,
    ),
    (
        "platform without private_key_jwt",
        {"config": _replace("token_endpoint_auth_methods_supported", ["client_secret_basic"])},
        400,
        "invalid_platform_configuration",
        True,
    ),
    (
        "platform refuses the registration (400)",
        {"answer": lambda a: ({"error": "invalid_client_metadata"}, 400)},
        502,
        "registration_refused_by_platform",
        True,
    ),
    (
        "platform fails (500)",
        {"answer": lambda a: ("Internal error", 500)},
        502,
        "registration_refused_by_platform",
        True,
    ),
    (
        "registration token refused by the platform",
        {"registration_token": "not-issued"},
        502,
        "registration_refused_by_platform",
        True,
    ),
    (
        "answer without client_id",
        {"answer": _drop("client_id")},
        502,
        "registration_refused_by_platform",
        True,
    ),
    (
        "answer with an empty client_id",
        {"answer": _replace("client_id", "")},
        502,
        "registration_refused_by_platform",
        True,
    ),
    (
        "answer not JSON",
        {"answer": lambda a: ("ok", 200)},
        502,
        "registration_refused_by_platform",
        True,
    ),
]


@pytest.mark.parametrize(
    ("case", "status", "code", "invite_still_usable"),
    [pytest.param(row[1], row[2], row[3], row[4], id=row[0]) for row in BAD_INPUT],
)
def test_bad_input(  # noqa: PLR0913
    tool: Tool,
    peer: RunningPeer,
    browser: requests.Session,
    case: dict[str, Any],
    status: int,
    code: str,
    invite_still_usable: bool,
) -> None:
    invite = tool.invite()
    if case.get("used"):
        ok = browser.get(peer.registration_url(tool.register_url(invite)), timeout=10)
        assert ok.status_code == 200
    if case.get("expired"):
        past = SqlRegistrationStore(
            tool.container.database, clock=lambda: datetime.now(UTC) - timedelta(hours=2)
        )
        invite = past.create_invite(ttl_seconds=3600).token
    if "invite" in case:
        invite = case["invite"]
    before = tool.stored()
    peer.platform.hooks.alter_openid_configuration = case.get("config")
    peer.platform.hooks.alter_registration_response = case.get("answer")
    params = {
        "invite": invite,
        "openid_configuration": case.get(
            "config_url", peer.issuer + case.get("config_path", "/.well-known/openid-configuration")
        ),
        "registration_token": case.get("registration_token")
        or peer.platform.new_registration_token(),
    }

    page = browser.get(tool.base_url + "/lti/register", params=params, timeout=10)

    assert page.status_code == status, page.text
    assert f'data-error="{code}"' in page.text
    assert "org.imsglobal.lti.close" not in page.text
    assert tool.stored() == before
    if invite_still_usable:
        assert tool.store.peek_invite(invite).used_at is None
    else:
        with pytest.raises(InvalidInviteError):
            tool.store.peek_invite(invite)


def test_an_invite_allows_three_attempts_refused_ones_included(
    tool: Tool, peer: RunningPeer, browser: requests.Session
) -> None:
    invite = tool.invite()
    wrong = {"invite": invite, "openid_configuration": peer.issuer + "/no-such-configuration"}
    for attempt in (1, 2, 3):
        page = browser.get(tool.base_url + "/lti/register", params=wrong, timeout=10)
        assert page.status_code >= 400 and "org.imsglobal.lti.close" not in page.text
        assert tool.store.peek_invite(invite).attempts == attempt
    # Even a correct registration is refused now: the link is spent, nothing is fetched.
    page = browser.get(peer.registration_url(tool.register_url(invite)), timeout=10)
    assert page.status_code == 403, page.text
    assert "tried 3 times" in page.text
    assert tool.stored() == (0, 0) and peer.platform.clients() == []
