"""Who may call what: every endpoint needs a valid token; roles limit what it may do.

The tables walk the URL map, so a new endpoint is covered without editing this file.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from flask import Flask

from etwin_lti.domain.api_tokens import ApiPermission

Headers = dict[str, str]


def endpoints(app: Flask) -> list[tuple[str, str, ApiPermission]]:
    found = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.endpoint.startswith("api-docs."):
            continue
        path = re.sub(r"<int:\w+>", "1", rule.rule)
        # <any(a, b):name> takes its first choice
        path = re.sub(r"<any\((\w+)[^)]*\):\w+>", r"\1", path)
        permission = app.view_functions[rule.endpoint].api_permission
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found.append((method, path, permission))
    return found


@pytest.mark.parametrize(
    "authorization",
    [
        None,  # no header
        "",  # empty
        "Bearer",  # no token
        "Bearer ",  # blank token
        "Basic YWRtaW46YWRtaW4=",  # another scheme
        "Bearer etw_not-a-real-token",  # unknown token
        "etw_raw-token-without-scheme",
    ],
)
def test_every_endpoint_refuses_a_missing_or_wrong_token(
    app: Flask, authorization: str | None
) -> None:
    client = app.test_client()
    headers = {"Authorization": authorization} if authorization is not None else {}
    for method, path, _ in endpoints(app):
        response = client.open(path, method=method, headers=headers, json={})
        assert response.status_code == 401, (method, path)
        assert response.get_json()["code"] == "unauthenticated"
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_revoked_token_is_refused(app: Flask, make_token: Callable[..., Headers]) -> None:
    headers = make_token("admin")
    client = app.test_client()
    store = app.extensions["etwin"].api_tokens
    assert client.get("/api/v1/events", headers=headers).status_code != 401
    store.revoke(store.list_tokens()[0].id, now=datetime.now(UTC))
    response = client.get("/api/v1/events", headers=headers)
    assert (response.status_code, response.get_json()["code"]) == (401, "unauthenticated")


@pytest.mark.parametrize(
    ("role", "country", "allowed"),
    [
        (
            "nso_officer",
            "FR",
            {ApiPermission.READ, ApiPermission.VALIDATE_PROJECT, ApiPermission.DECIDE_NQL},
        ),
        ("css_officer", None, {ApiPermission.READ, ApiPermission.AWARD_EQL}),
    ],
)
def test_officers_get_403_outside_their_role(
    app: Flask,
    make_token: Callable[..., Headers],
    role: str,
    country: str | None,
    allowed: set[ApiPermission],
) -> None:
    headers = make_token(role, country)
    client = app.test_client()
    refused = [(m, p) for m, p, permission in endpoints(app) if permission not in allowed]
    assert len(refused) >= 25
    for method, path in refused:
        response = client.open(path, method=method, headers=headers, json={})
        assert response.status_code == 403, (method, path)
        assert response.get_json()["code"] == "forbidden"


def test_the_token_never_appears_in_logs(
    app: Flask, make_token: Callable[..., Headers], caplog: pytest.LogCaptureFixture
) -> None:
    headers = make_token("admin")
    secret = headers["Authorization"].split()[1]
    with caplog.at_level("DEBUG"):
        app.test_client().get("/api/v1/nothing-here", headers=headers)
        app.test_client().post("/api/v1/people", headers=headers, data="{broken")
    assert secret not in caplog.text
