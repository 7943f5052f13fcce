"""Security headers on every kind of answer: pages, errors, JSON, the API, badges, PDFs' kin.

``frame-ancestors`` lists 'self' and the registered platforms' origins, is refreshed when a
platform registers through this process, and is never X-Frame-Options (the tool lives in
iframes). HSTS only with an https base URL.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask

from etwin_lti.domain.registrations import PlatformRegistration
from etwin_lti.services.frame_ancestors import origin_of
from tests.conftest import make_test_app

PATHS = [
    ("/healthz", 200),
    ("/lti/login", 400),  # an error page
    ("/lti/launch", 405),  # GET: the "opened directly" page
    ("/lti/config.json", 200),
    ("/.well-known/jwks.json", 200),
    ("/api/v1/openapi.json", 200),
    ("/api/v1/people/1", 401),
    ("/badges/issuer", 200),
    ("/badges/images/course_certificate.svg", 200),
    ("/embed/twinspace/1", 401),
    ("/projects/public", 200),  # the public pages: normal headers, not framed-only
    ("/projects/2000000000/public", 404),
    ("/no/such/page", 404),
]


def _directives(csp: str) -> dict[str, list[str]]:
    return {d.split()[0]: d.split()[1:] for d in csp.split(";") if d.strip()}


@pytest.mark.parametrize(("path", "status"), PATHS)
def test_every_answer_carries_the_headers(client, path: str, status: int) -> None:  # type: ignore[no-untyped-def]
    response = client.get(path)
    assert response.status_code == status
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "X-Frame-Options" not in response.headers
    assert "Strict-Transport-Security" not in response.headers  # http base URL
    csp = _directives(response.headers["Content-Security-Policy"])
    assert csp["frame-ancestors"][0] == "'self'"
    assert csp["object-src"] == ["'none'"] and csp["base-uri"] == ["'none'"]


def test_pages_allow_only_their_own_nonce_for_scripts(client) -> None:  # type: ignore[no-untyped-def]
    first = _directives(client.get("/lti/login").headers["Content-Security-Policy"])
    second = _directives(client.get("/lti/login").headers["Content-Security-Policy"])
    assert first["script-src"][0] == "'self'" and first["script-src"][1].startswith("'nonce-")
    assert first["script-src"] != second["script-src"]  # a fresh nonce per answer
    assert "'unsafe-inline'" not in " ".join(first["script-src"] + first["style-src"])


def test_frame_ancestors_are_the_registered_platforms(app: Flask, client) -> None:  # type: ignore[no-untyped-def]
    assert _directives(client.get("/lti/login").headers["Content-Security-Policy"])[
        "frame-ancestors"
    ] == ["'self'"]
    app.extensions["etwin"].registrations.add_platform(
        PlatformRegistration(
            issuer="https://moodle.school.example",
            client_id="c1",
            name="School Moodle",
            auth_login_url="https://login.school.example:8443/auth?x=1",
            auth_token_url="https://moodle.school.example/token",
            key_set_url="https://moodle.school.example/jwks",
        )
    )
    app.extensions["etwin_frame_ancestors"].invalidate()  # what a registration view does
    ancestors = _directives(client.get("/lti/login").headers["Content-Security-Policy"])[
        "frame-ancestors"
    ]
    assert ancestors == [
        "'self'",
        "https://login.school.example:8443",
        "https://moodle.school.example",
    ]
    # JSON answers are not documents: framing rules without a store read.
    api = _directives(client.get("/healthz").headers["Content-Security-Policy"])
    assert api["frame-ancestors"] == ["'self'"]


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("https://lms.example/auth", "https://lms.example"),
        ("https://LMS.example:8443/x?y#z", "https://lms.example:8443"),
        ("http://127.0.0.1:5000", "http://127.0.0.1:5000"),
        ("javascript:alert(1)", None),
        ("https://a.example;script-src *", None),
        ("https://a.example'/", None),
        ("ftp://lms.example/", None),
        ("https:///no-host", None),
    ],
)
def test_only_clean_origins_reach_the_policy(url: str, origin: str | None) -> None:
    assert origin_of(url) == origin


def test_hsts_only_with_an_https_base_url(app_sqlite_url: str, tmp_path: Path) -> None:
    app = make_test_app(app_sqlite_url, tmp_path, BASE_URL="https://tool.example")
    response = app.test_client().get("/healthz")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
