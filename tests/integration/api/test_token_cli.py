"""``etwin-lti token create|list|revoke``."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from click.testing import CliRunner
from flask import Flask

from etwin_lti.cli import CliState, main
from etwin_lti.errors import AuthenticationError


def run(app: Flask, *args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, list(args), obj=CliState(app))


def test_create_prints_the_token_once_as_last_line(app: Flask) -> None:
    result = run(
        app, "token", "create", "--role", "nso_officer", "--country", "fr", "--label", "NSO"
    )
    assert result.exit_code == 0, result.output
    secret = result.output.strip().splitlines()[-1]
    assert result.output.count(secret) == 1
    token = app.extensions["etwin"].api_tokens.authenticate(secret, now=datetime.now(UTC))
    assert (token.role.value, token.country_code, token.label) == ("nso_officer", "FR", "NSO")


def test_list_never_prints_tokens(app: Flask) -> None:
    secret = run(app, "token", "create", "--role", "admin", "--label", "hub B").output.split()[-1]
    result = run(app, "token", "list")
    assert result.exit_code == 0
    assert "admin" in result.output and "hub B" in result.output and "active" in result.output
    assert secret not in result.output
    assert secret[4:12] not in result.output


def test_revoke_then_the_token_is_refused(app: Flask) -> None:
    secret = run(app, "token", "create", "--role", "css_officer").output.split()[-1]
    token_id = app.extensions["etwin"].api_tokens.list_tokens()[0].id
    result = run(app, "token", "revoke", str(token_id))
    assert result.exit_code == 0 and f"revoked token {token_id}" in result.output
    assert "revoked" in run(app, "token", "list").output
    with pytest.raises(AuthenticationError):
        app.extensions["etwin"].api_tokens.authenticate(secret, now=datetime.now(UTC))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["create", "--role", "nso_officer"], "country"),  # NSO without a country
        (["create", "--role", "admin", "--country", "FR"], "country"),
        (["create", "--role", "pupil"], "Invalid value for '--role'"),
        (["create", "--role", "teacher"], "needs --person"),  # a teacher's token: one teacher
        (["create", "--role", "teacher", "--person", "404"], "No person 404"),
        (["create", "--role", "admin", "--person", "1"], "teachers' tokens only"),
        (["create", "--role", "nso_officer", "--country", "ZZ"], "Unknown country ZZ"),
        (["create", "--role", "nso_officer", "--country", "CH"], "CH does not take part"),
        (["revoke", "404"], "No API token 404"),
    ],
)
def test_refusals_exit_non_zero_and_write_nothing(
    app: Flask, args: list[str], message: str
) -> None:
    result = run(app, "token", *args)
    assert result.exit_code != 0
    assert message in result.output
    assert app.extensions["etwin"].api_tokens.list_tokens() == []


def test_an_admin_makes_a_teachers_token_for_a_teacher_only(app: Flask) -> None:
    from tests.integration.api.world import build_world

    w = build_world(app.extensions["etwin"].hub)
    result = run(app, "token", "create", "--role", "teacher", "--person", str(w.fr), "--days", "7")
    assert result.exit_code == 0, result.output
    secret = result.output.strip().splitlines()[-1]
    token = app.extensions["etwin"].api_tokens.authenticate(secret, now=datetime.now(UTC))
    assert (token.role.value, token.person_id) == ("teacher", w.fr)
    assert token.expires_at is not None and 6 <= (token.expires_at - token.created_at).days <= 7
    listed = run(app, "token", "list").output
    assert f"person {w.fr}" in listed and "expires" in listed and secret not in listed
    for person in (w.pupil, w.expert):
        refused = run(app, "token", "create", "--role", "teacher", "--person", str(person))
        assert refused.exit_code != 0 and "teachers only" in refused.output
    refused = run(app, "token", "create", "--role", "teacher", "--person", str(w.fr), "--days", "0")
    assert refused.exit_code != 0 and "days" in refused.output
    assert len(app.extensions["etwin"].api_tokens.list_tokens()) == 1
    audit = run(app, "audit", "list").output
    assert "api_token.created" in audit and "cli" in audit
