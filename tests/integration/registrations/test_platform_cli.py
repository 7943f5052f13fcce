"""``etwin-lti platform add|list|activate|invite`` against a real database."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner, Result
from flask import Flask

from etwin_lti.cli import CliState, main

ADD = [
    "platform",
    "add",
    "--issuer",
    "https://moodle.school.example",
    "--client-id",
    "Xy12",
    "--name",
    "School Moodle",
    "--auth-login-url",
    "https://moodle.school.example/mod/lti/auth.php",
    "--auth-token-url",
    "https://moodle.school.example/mod/lti/token.php",
    "--key-set-url",
    "https://moodle.school.example/mod/lti/certs.php",
]


def run(app: Flask, *args: str) -> Result:
    return CliRunner().invoke(main, list(args), obj=CliState(app))


def platforms(app: Flask) -> list[dict[str, object]]:
    result = run(app, "platform", "list", "--json")
    assert result.exit_code == 0, result.output
    listed: list[dict[str, object]] = json.loads(result.output)
    return listed


def test_add_list_activate(app: Flask) -> None:
    added = run(app, *ADD, "--deployment", "1", "--deployment", "2")
    assert added.exit_code == 0, added.output
    assert "added platform 1: School Moodle" in added.output

    (platform,) = platforms(app)
    assert platform["issuer"] == "https://moodle.school.example"
    assert platform["client_id"] == "Xy12"
    assert platform["deployments"] == [
        {"deployment_id": "1", "active": True},
        {"deployment_id": "2", "active": True},
    ]
    store = app.extensions["etwin"].registrations
    store.record_unknown_deployment(1, "7")  # what a launch from an unknown deployment does
    text = run(app, "platform", "list")
    assert "deployment 7\tINACTIVE" in text.output and "deployment 1\tactive" in text.output

    activated = run(app, "platform", "activate", "1", "7")
    assert activated.exit_code == 0, activated.output
    assert {"deployment_id": "7", "active": True} in platforms(app)[0]["deployments"]  # type: ignore[operator]


def test_list_when_empty(app: Flask) -> None:
    assert "no platform registered yet" in run(app, "platform", "list").output
    assert platforms(app) == []


def test_invite_prints_the_url_last(app: Flask) -> None:
    result = run(app, "platform", "invite", "--ttl-hours", "2")
    assert result.exit_code == 0, result.output
    url = result.output.strip().splitlines()[-1]
    prefix = "http://tool.test/lti/register?invite="
    assert url.startswith(prefix)
    invite = app.extensions["etwin"].registrations.peek_invite(url.removeprefix(prefix))
    assert invite.used_at is None and invite.activate_deployments


def replace(args: list[str], option: str, value: str) -> list[str]:
    changed = list(args)
    changed[changed.index(option) + 1] = value
    return changed


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (replace(ADD, "--issuer", "http://moodle.school.example"), "issuer"),
        (replace(ADD, "--auth-login-url", "ftp://moodle.school.example/auth"), "auth_login_url"),
        (replace(ADD, "--auth-token-url", "not a url"), "auth_token_url"),
        (replace(ADD, "--key-set-url", "http://10.0.0.5/certs.php"), "key_set_url"),
        (replace(ADD, "--client-id", ""), "client_id"),
        (replace(ADD, "--name", " "), "name"),
        ([*ADD, "--deployment", ""], "deployment_id"),
        ([*ADD, "--deployment", "1", "--deployment", "1"], "given twice"),
        (["platform", "activate", "99", "1"], "No platform 99"),
        (["platform", "activate", "1", "nope"], "has no deployment"),
        (["platform", "activate", "x", "1"], "is not a valid integer"),
        (["platform", "invite", "--ttl-hours", "0"], "not in the range"),
    ],
    ids=[
        "http issuer",
        "ftp login url",
        "token url not a url",
        "http keyset on a LAN host",
        "empty client id",
        "blank name",
        "empty deployment",
        "deployment twice",
        "unknown platform",
        "unknown deployment",
        "platform id not a number",
        "ttl zero",
    ],
)
def test_bad_input_exits_cleanly_and_writes_nothing(
    app: Flask, args: list[str], message: str
) -> None:
    if args[:2] == ["platform", "activate"]:
        assert run(app, *ADD, "--deployment", "1").exit_code == 0
    before = platforms(app)

    result = run(app, *args)

    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output
    assert platforms(app) == before


def test_duplicate_platform_is_refused(app: Flask) -> None:
    assert run(app, *ADD).exit_code == 0
    again = run(app, *ADD, "--deployment", "5")
    assert again.exit_code == 1 and "registered already" in again.output
    assert platforms(app)[0]["deployments"] == []


def test_http_on_localhost_is_allowed_for_development(app: Flask) -> None:
    local = [
        "platform",
        "add",
        "--issuer",
        "http://localhost:8080",
        "--client-id",
        "dev",
        "--name",
        "Dev Moodle",
        "--auth-login-url",
        "http://localhost:8080/mod/lti/auth.php",
        "--auth-token-url",
        "http://127.0.0.1:8080/mod/lti/token.php",
        "--key-set-url",
        "http://localhost:8080/mod/lti/certs.php",
    ]
    assert run(app, *local).exit_code == 0
    assert platforms(app)[0]["issuer"] == "http://localhost:8080"


def test_audience_of_a_platform_and_of_one_course(app: Flask) -> None:
    assert run(app, *ADD, "--deployment", "1").exit_code == 0
    assert platforms(app)[0]["audience"] == "school"  # the default
    changed = run(app, "platform", "audience", "1", "training")
    assert changed.exit_code == 0, changed.output
    assert "platform 1 (School Moodle) is a training LMS" in changed.output
    one = run(app, "platform", "audience", "1", "school", "--course", "course-7b")
    assert one.exit_code == 0, one.output
    (platform,) = platforms(app)
    assert platform["audience"] == "training"
    assert platform["course_audiences"] == {"course-7b": "school"}
    listing = run(app, "platform", "list").output
    assert "audience training" in listing and "course course-7b\taudience school" in listing
    policies = app.extensions["etwin"].role_policies
    assert policies.policy(1, "course-7b").audience.value == "school"
    assert policies.policy(1, "another-course").audience.value == "training"
    assert policies.policy(1, None).audience.value == "training"


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["platform", "audience", "1", "university"], 2),  # not an audience
        (["platform", "audience", "99", "school"], 1),  # no such platform
        (["platform", "audience", "x", "school"], 2),  # not a platform id
    ],
    ids=["unknown-audience", "unknown-platform", "bad-id"],
)
def test_audience_refuses_bad_input_and_writes_nothing(
    app: Flask, args: list[str], code: int
) -> None:
    assert run(app, *ADD, "--deployment", "1").exit_code == 0
    result = run(app, *args)
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    assert app.extensions["etwin"].role_policies.audiences(1) == {}
