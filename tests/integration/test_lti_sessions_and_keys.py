"""Cookies, the header token, current_launch(), the tool's JWKS and the key/role CLI."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from click.testing import CliRunner
from flask import Flask

from connectors.sql_tool_keys import SqlToolKeyStore
from etwin_lti.cli import CliState, main
from etwin_lti.domain.registrations import PlatformRegistration
from etwin_lti.lti import claims as c
from etwin_lti.persistence.db import Database
from etwin_lti.persistence.secret_box import SecretBox
from etwin_lti.web.session import current_launch, launch_token
from tests.conftest import make_test_app
from tests.e2e.harness import (
    CLIENT_ID,
    Form,
    LateApp,
    MiniPlatform,
    ServerThread,
    seed_resources,
)

BOX = SecretBox([SecretBox.new_key()])

BASE = "https://tool.test"


@pytest.fixture
def platform() -> Iterator[MiniPlatform]:
    late = LateApp()
    server = ServerThread(late, "localhost")
    mini = MiniPlatform(url=server.url)
    late.app = mini
    yield mini
    server.stop()


@pytest.fixture
def https_app(sqlite_url: str, tmp_path: Path, platform: MiniPlatform) -> Flask:
    app = make_test_app(sqlite_url, tmp_path, BASE_URL=BASE)
    container = app.extensions["etwin"]
    registered = container.registrations.add_platform(
        PlatformRegistration(
            issuer=platform.url,
            client_id=CLIENT_ID,
            name="Mini LMS",
            auth_login_url=platform.url + "/auth",
            auth_token_url=platform.url + "/token",
            key_set_url=platform.url + "/jwks",
        )
    )
    container.registrations.add_deployment(registered.id, "1", active=True)
    # The launch opens TwinSpace 1: a bound activity names a resource that exists.
    assert seed_resources(container.hub).twinspace_id == 1

    @app.get("/test-only/whoami")
    def whoami() -> dict[str, Any]:
        session = current_launch()
        return {"role": session.role, "token": launch_token()}

    return app


def cookie_header(response: Any, name: str) -> str:
    return next(h for h in response.headers.getlist("Set-Cookie") if h.startswith(name + "="))


def launch(app: Flask, platform: MiniPlatform) -> tuple[Any, Any]:
    """An admin-only launch (no membership) through the Flask test client."""
    platform.claims = {
        "roles": [c.ROLE_INSTITUTION + "Administrator"],
        c.CUSTOM: {"etwin_resource": "twinspace:1"},
    }
    client = app.test_client()
    login = client.get(
        "/lti/login",
        base_url=BASE,
        query_string={
            "iss": platform.url,
            "login_hint": "admin-1",
            "target_link_uri": BASE + "/lti/launch",
            "client_id": CLIENT_ID,
        },
    )
    assert login.status_code == 302
    page = requests.get(login.headers["Location"], timeout=10)
    fields = {
        m.group(1): html.unescape(m.group(2))
        for m in re.finditer(r'name="([^"]+)" value="([^"]*)"', page.text)
    }
    form = Form(BASE + "/lti/launch", fields)
    response = client.post("/lti/launch", base_url=BASE, data=form.fields)
    return login, response


def test_cookies_are_secure_samesite_none_partitioned_behind_https(
    https_app: Flask, platform: MiniPlatform
) -> None:
    login, response = launch(https_app, platform)
    state = cookie_header(login, "etwin_lti_state")
    for attribute in ("Secure", "HttpOnly", "SameSite=None", "Partitioned", "Path=/lti/"):
        assert attribute in state
    assert response.status_code == 200, response.text[:500]
    session = cookie_header(response, "etwin_launch")
    for attribute in ("Secure", "HttpOnly", "SameSite=None", "Partitioned", "Path=/"):
        assert attribute in session
    assert "etwin_launch" not in response.headers["Content-Location"]


def test_the_page_reads_its_session_from_the_cookie_or_the_signed_header(
    https_app: Flask, platform: MiniPlatform
) -> None:
    _, response = launch(https_app, platform)
    client = https_app.test_client()
    cookie = cookie_header(response, "etwin_launch").split(";")[0].split("=", 1)[1]
    client.set_cookie("etwin_launch", cookie, domain="tool.test")
    answer = client.get("/test-only/whoami", base_url=BASE)
    assert answer.status_code == 200
    assert answer.get_json()["role"] == "admin"
    token = answer.get_json()["token"]
    cookieless = https_app.test_client()
    assert (
        cookieless.get("/test-only/whoami", base_url=BASE, headers={"X-Etwin-Launch": token}).json[
            "role"
        ]
        == "admin"
    )
    for bad in ({}, {"X-Etwin-Launch": token[:-2] + "xx"}, {"X-Etwin-Launch": cookie}):
        refused = cookieless.get("/test-only/whoami", base_url=BASE, headers=bad)
        assert refused.status_code == 401
        assert b'data-error="no_launch_session"' in refused.data


def test_jwks_publishes_public_keys_only_and_rotation_overlaps(
    database_url: str, tmp_path: Path
) -> None:
    app = make_test_app(database_url, tmp_path)
    try:
        check_jwks_and_rotation(app)
    finally:
        app.extensions["etwin"].database.dispose()


def check_jwks_and_rotation(app: Flask) -> None:
    first = app.test_client().get("/.well-known/jwks.json").get_json()
    assert len(first["keys"]) == 1
    key = first["keys"][0]
    assert {key["alg"], key["use"], key["kty"]} == {"RS256", "sig", "RSA"}
    assert not {"d", "p", "q", "dp", "dq", "qi"} & set(key)
    runner = CliRunner()
    rotated = runner.invoke(main, ["keys", "rotate"], obj=CliState(app))
    assert rotated.exit_code == 0, rotated.output
    listed = runner.invoke(main, ["keys", "list"], obj=CliState(app))
    assert "signing" in listed.output and "retiring" in listed.output
    assert "PRIVATE KEY" not in listed.output + rotated.output
    assert len(app.test_client().get("/.well-known/jwks.json").get_json()["keys"]) == 2


def test_a_retired_key_is_dropped_after_the_overlap(database_url: str) -> None:
    now = [datetime(2026, 1, 1, tzinfo=UTC)]
    database = Database(database_url)
    store = SqlToolKeyStore(database, overlap_days=7, box=BOX, clock=lambda: now[0])
    old = store.ensure_signing_key()
    assert store.ensure_signing_key().kid == old.kid  # idempotent
    new = store.rotate()
    assert store.signing_key().kid == new.kid
    assert {k["kid"] for k in store.public_jwks()["keys"]} == {old.kid, new.kid}
    now[0] += timedelta(days=8)
    assert {k["kid"] for k in store.public_jwks()["keys"]} == {new.kid}
    assert [k.kid for k in store.list_keys()] == [new.kid]
    assert "PRIVATE" not in repr(store.signing_key())
    database.dispose()


def test_platform_roles_cli_edits_the_policy(app: Flask) -> None:
    container = app.extensions["etwin"]
    platform = container.registrations.add_platform(
        PlatformRegistration(
            issuer="https://lms.test",
            client_id="c1",
            name="LMS",
            auth_login_url="https://lms.test/auth",
            auth_token_url="https://lms.test/token",
            key_set_url="https://lms.test/jwks",
        )
    )
    runner = CliRunner()
    out = runner.invoke(
        main,
        [
            "platform",
            "roles",
            str(platform.id),
            "--set",
            "Mentor=none",
            "--set",
            "Instructor#Lecturer=observer",
        ],
        obj=CliState(app),
    )
    assert out.exit_code == 0, out.output
    assert "Mentor\tnone  (edited)" in out.output
    assert container.role_policies.overrides(platform.id) == {
        "Mentor": "none",
        "Instructor#Lecturer": "observer",
    }
    refused = runner.invoke(
        main,
        ["platform", "roles", str(platform.id), "--set", "Instructor=teacher_administrator"],
        obj=CliState(app),
    )
    assert refused.exit_code != 0
    assert container.role_policies.overrides(platform.id)["Mentor"] == "none"
    reset = runner.invoke(
        main, ["platform", "roles", str(platform.id), "--reset", "Mentor"], obj=CliState(app)
    )
    assert reset.exit_code == 0
    assert "Mentor" not in container.role_policies.overrides(platform.id)


def test_opening_the_launch_address_directly_explains_how_to_get_back_in(client):
    response = client.get("/lti/launch")
    assert response.status_code == 405
    assert b"open the activity again from your course" in response.data
    assert b'data-error="launch_opened_directly"' in response.data
