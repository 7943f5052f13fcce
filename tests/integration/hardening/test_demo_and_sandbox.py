"""The demo refuses production, the sandbox redirects only to its own tool, badge classes
keep unapproved projects' titles to themselves, and the activate command is shell-quoted."""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest
from flask import Flask

from etwin_lti.errors import ConfigurationError
from etwin_lti.services.badges import UNAPPROVED_PROJECT_TITLE
from etwin_lti.services.launches import activate_command
from etwin_lti.settings import Settings
from tests.conftest import make_test_app
from tests.contract.hub_contract.builders import approved_project, pending_project

SECRET = "x" * 32


@pytest.mark.parametrize(
    ("config", "refused"),
    [
        ({"DEMO": True, "BASE_URL": "https://etwin.example"}, True),
        ({"DEMO": True, "BASE_URL": "https://etwin.example", "DEMO_IN_PRODUCTION": "yes"}, True),
        (
            {"DEMO": True, "BASE_URL": "https://etwin.example", "DEMO_IN_PRODUCTION": "yes-i-know"},
            False,
        ),
        ({"DEMO": True, "BASE_URL": "http://127.0.0.1:5000"}, False),
        ({"DEMO": False, "BASE_URL": "https://etwin.example"}, False),
        ({"REGISTRATION_ATTEMPTS_PER_INVITE": 0}, True),
    ],
)
def test_demo_with_an_https_base_url_stops_at_start(
    tmp_path: Path, config: dict[str, object], refused: bool
) -> None:
    mapping = {"SECRET_KEY": SECRET, "DATABASE_URL": "sqlite://", **config}
    if refused:
        with pytest.raises(ConfigurationError) as error:
            Settings.from_mapping(mapping, str(tmp_path))
        assert "ETWIN_" in str(error.value.description)
    else:
        Settings.from_mapping(mapping, str(tmp_path))


def test_demo_refusal_names_the_override(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError) as error:
        Settings.from_mapping(
            {"SECRET_KEY": SECRET, "DEMO": True, "BASE_URL": "https://etwin.example"},
            str(tmp_path),
        )
    assert "ETWIN_DEMO_IN_PRODUCTION=yes-i-know" in error.value.description


@pytest.fixture
def demo_app(app_sqlite_url: str, tmp_path: Path) -> Flask:
    return make_test_app(app_sqlite_url, tmp_path, DEMO=True, BASE_URL="http://127.0.0.1:5999")


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("http://127.0.0.1:5999/lti/register?invite=abc", 302),
        ("http://127.0.0.1:5999/lti/register", 302),
        ("https://evil.example/lti/register", 400),
        ("http://127.0.0.1:5998/lti/register", 400),  # another port, another origin
        ("http://127.0.0.1:5999@evil.example/lti/register", 400),
        ("https://127.0.0.1:5999/lti/register", 400),  # another scheme
        ("javascript:alert(1)", 400),
        ("//evil.example/lti/register", 400),
        ("", 400),
    ],
)
def test_sandbox_register_tool_is_no_open_redirect(demo_app: Flask, url: str, status: int) -> None:
    response = demo_app.test_client().get("/sandbox/register-tool", query_string={"url": url})
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    if status == 302:
        assert response.headers["Location"].startswith("http://127.0.0.1:5999/lti/register")
        assert "registration_token=" in response.headers["Location"]
    else:
        assert "Location" not in response.headers


def test_badge_class_hides_the_title_of_a_project_not_yet_approved(app: Flask, client) -> None:  # type: ignore[no-untyped-def]
    hub = app.extensions["etwin"].hub
    pending = pending_project(hub)
    approved = approved_project(hub)
    kind = "national_quality_label"
    hidden = client.get(f"/badges/classes/{kind}/project:{pending.id}").get_json()
    shown = client.get(f"/badges/classes/{kind}/project:{approved.id}").get_json()
    assert pending.title not in str(hidden) and UNAPPROVED_PROJECT_TITLE in hidden["name"]
    assert approved.title in shown["name"]


@pytest.mark.parametrize(
    "deployment_id",
    ["42", "x; rm -rf ~", "$(curl evil.example)", "a'b", "`id`", "--help", "a b\nc"],
)
def test_activate_command_quotes_the_platform_chosen_id(deployment_id: str) -> None:
    command = activate_command(7, deployment_id)
    assert shlex.split(command) == ["etwin-lti", "platform", "activate", "7", deployment_id]
