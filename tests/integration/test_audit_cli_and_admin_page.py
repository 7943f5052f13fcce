"""``etwin-lti audit list [--json]`` and the ``/admin/audit`` page: the audit log, read by tool
administrators only; a command's changes are recorded as done by ``cli``."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask

from etwin_lti.cli import CliState, main
from etwin_lti.domain.launches import LaunchSession
from tests.conftest import make_test_app, settle


@pytest.fixture
def app(app_database_url: str, tmp_path: Path) -> Iterator[Flask]:
    app = make_test_app(app_database_url, tmp_path)
    yield app
    settle(app)


def cli(app: Flask, *args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, list(args), obj=CliState(app))


def add_platform(app: Flask, client_id: str = "tool-1") -> None:
    result = cli(
        app,
        "platform", "add",
        "--issuer", "https://lms.school.example",
        "--client-id", client_id,
        "--name", "School LMS",
        "--auth-login-url", "https://lms.school.example/auth",
        "--auth-token-url", "https://lms.school.example/token",
        "--key-set-url", "https://lms.school.example/jwks",
        "--deployment", "d1",
    )  # fmt: skip
    assert result.exit_code == 0, result.output


def test_cli_lists_what_commands_changed(app: Flask) -> None:
    assert cli(app, "audit", "list").output.strip() == "no audit entries"
    add_platform(app)
    listed = cli(app, "audit", "list")
    assert listed.exit_code == 0
    lines = listed.output.strip().splitlines()
    assert [line.split("\t")[3] for line in lines] == [
        "registration.deployment_added",
        "registration.platform_added",
    ]
    assert all(line.split("\t")[2] == "cli" for line in lines)
    assert "issuer=https://lms.school.example" in lines[1]

    document = json.loads(cli(app, "audit", "list", "--json", "--limit", "1").output)
    assert document["total"] == 2 and len(document["entries"]) == 1
    assert document["entries"][0]["details"] == {"active": "True", "deployment_id": "d1"}

    # A refused command records nothing.
    failed = cli(
        app,
        "platform", "add",
        "--issuer", "https://lms.school.example",
        "--client-id", "tool-1",
        "--name", "Again",
        "--auth-login-url", "https://x.example/a",
        "--auth-token-url", "https://x.example/t",
        "--key-set-url", "https://x.example/k",
    )  # fmt: skip
    assert failed.exit_code == 1
    assert json.loads(cli(app, "audit", "list", "--json").output)["total"] == 2
    assert cli(app, "audit", "list", "--limit", "0").exit_code == 2


def open_session(app: Flask, *, admin: bool) -> object:
    container = app.extensions["etwin"]
    platform = container.registrations.list_platforms()[0]
    now = datetime.now(UTC)
    session = LaunchSession(
        id=f"session-{admin}",
        person_id=None,
        platform_id=platform.id,
        deployment_id="d1",
        context_id="course-1",
        context_title="Course 1",
        resource_link_id="rl-1",
        resource=None,
        role="tool-admin" if admin else "teacher",
        lti_roles=(),
        is_tool_admin=admin,
        message_type="LtiResourceLinkRequest",
        created_at=now,
        expires_at=now + timedelta(hours=1),
    )
    container.launch_sessions.create(session)
    client = app.test_client()
    client.set_cookie("etwin_launch", session.id)
    return client


def test_admin_page_for_tool_admins_only(app: Flask) -> None:
    add_platform(app)
    admin = open_session(app, admin=True)
    page = admin.get("/admin/audit")  # type: ignore[attr-defined]
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'data-action="registration.platform_added"' in html
    assert "https://lms.school.example" in html and "<code>cli</code>" in html
    for bad in ("x", "-1", "9" * 12):
        assert admin.get(f"/admin/audit?offset={bad}").status_code == 422  # type: ignore[attr-defined]
    teacher = open_session(app, admin=False)
    assert teacher.get("/admin/audit").status_code == 403  # type: ignore[attr-defined]
    assert app.test_client().get("/admin/audit").status_code == 401
