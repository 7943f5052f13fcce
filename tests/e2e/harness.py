"""End-to-end harness: the tool and a platform peer over real HTTP, a requests.Session as the
browser.

- ``ServerThread``: any WSGI app on ``make_server(host, 0, ...)`` in a daemon thread.
- ``MiniPlatform``: the smallest honest LTI platform for hostile launches, served on
  ``localhost`` (the tool runs on ``127.0.0.1``, so the two cookie jars never mix). It serves its
  JWKS (counting fetches, with ``Cache-Control``) and an OIDC authorization endpoint that answers
  with the auto-post form of a real platform; what goes into the id_token is decided per launch
  by the test (``platform.mint = ...``), so each hostile row is one small function.
- ``Browser``: follows the login redirect to the platform and posts the form back to the tool,
  step by step so that rows can drop a cookie or swap a state in between.
"""

from __future__ import annotations

import html
import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from etwin_lti.domain.model import PersonKind
from tests.support.lti_tokens import (
    ROLE_INSTRUCTOR,
    SigningKey,
    key_set,
    minimal_claims,
    mint,
    platform_key,
)

CLIENT_ID = "e2e-client"
DEPLOYMENT_ID = "1"


class ServerThread:
    def __init__(self, app: Callable[..., Any], host: str) -> None:
        self._server = make_server(host, 0, app, threaded=True)
        self.url = f"http://{host}:{self._server.server_port}"
        # serve_forever's default 0.5 s poll made every stop (once per test) wait ~0.25 s.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


class LateApp:
    """Lets a server start before the app it serves exists (the app needs the server's URL)."""

    app: Callable[..., Any] | None = None

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        assert self.app is not None
        return self.app(environ, start_response)


@dataclass
class Launch:
    """What the platform knows when it answers an authorization request."""

    nonce: str
    state: str
    redirect_uri: str
    login_hint: str
    client_id: str
    issuer: str


@dataclass
class MiniPlatform:
    keys: list[SigningKey] = field(default_factory=lambda: [platform_key()])
    cache_control: str = "max-age=300"
    jwks_status: int = 200  # set to 500 to play a platform whose key set is down
    jwks_fetches: int = 0
    claims: dict[str, Any] = field(default_factory=dict)  # extra claims for the next launches
    mint: Callable[[Launch, dict[str, Any]], str] | None = None  # replaces the signing step
    url: str = ""

    def claims_for(self, launch: Launch) -> dict[str, Any]:
        extra = dict(self.claims)
        roles = extra.pop("roles", [ROLE_INSTRUCTOR])
        resource = extra.pop("resource", "twinspace:1")
        message_type = extra.pop("message_type", "LtiResourceLinkRequest")
        # Claims the builder fills from the launch itself are overridden afterwards.
        late = {k: extra.pop(k) for k in ("nonce", "sub", "iss", "aud") if k in extra}
        body = minimal_claims(
            nonce=launch.nonce,
            issuer=launch.issuer,
            client_id=launch.client_id,
            sub=launch.login_hint,
            target_link_uri=launch.redirect_uri,
            roles=roles,
            resource=resource,
            message_type=message_type,
            **extra,
        )
        for name, value in late.items():
            if value is None:
                body.pop(name, None)
            else:
                body[name] = value
        return body

    def sign(self, launch: Launch) -> str:
        body = self.claims_for(launch)
        if self.mint is not None:
            return self.mint(launch, body)
        return mint(body, self.keys[0])

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        request = Request(environ)
        if request.path == "/jwks":
            self.jwks_fetches += 1
            response = Response(
                _json(key_set(*self.keys)),
                status=self.jwks_status,
                content_type="application/json",
                headers={"Cache-Control": self.cache_control},
            )
        elif request.path == "/auth":
            response = self._authorize(request)
        else:
            response = Response("not found", status=404)
        return response(environ, start_response)

    def _authorize(self, request: Request) -> Response:
        q = request.args
        launch = Launch(
            nonce=q["nonce"],
            state=q["state"],
            redirect_uri=q["redirect_uri"],
            login_hint=q["login_hint"],
            client_id=q["client_id"],
            issuer=self.url,
        )
        token = self.sign(launch)
        page = (
            f'<form method="post" action="{html.escape(launch.redirect_uri)}">'
            f'<input type="hidden" name="id_token" value="{html.escape(token)}">'
            f'<input type="hidden" name="state" value="{html.escape(launch.state)}">'
            "</form><script>document.forms[0].submit()</script>"
        )
        return Response(page, content_type="text/html")


def _json(value: Any) -> str:
    return json.dumps(value)


@dataclass
class Form:
    action: str
    fields: dict[str, str]


class Browser:
    """A requests.Session that behaves like the user's browser in the LMS iframe."""

    def __init__(self, tool_url: str, platform_url: str) -> None:
        self.http = requests.Session()
        self.tool_url = tool_url
        self.platform_url = platform_url

    def login_params(self, **change: str | None) -> dict[str, str]:
        params = {
            "iss": self.platform_url,
            "login_hint": "user-1",
            "target_link_uri": self.tool_url + "/lti/launch",
            "lti_message_hint": "resource-1",
            "lti_deployment_id": DEPLOYMENT_ID,
            "client_id": CLIENT_ID,
        }
        params.update(change)  # type: ignore[arg-type]
        return {k: v for k, v in params.items() if v is not None}

    def start_login(self, method: str = "GET", **change: str | None) -> requests.Response:
        params = self.login_params(**change)
        url = self.tool_url + "/lti/login"
        if method == "POST":
            return self.http.post(url, data=params, allow_redirects=False, timeout=10)
        return self.http.get(url, params=params, allow_redirects=False, timeout=10)

    def authorize(self, login: requests.Response) -> Form:
        """Follow the tool's redirect to the platform; return the auto-post form it answers."""
        assert login.status_code in (302, 303), login.text[:500]
        page = self.http.get(login.headers["Location"], timeout=10)
        assert page.status_code == 200, page.text[:300]
        action = html.unescape(re.search(r'action="([^"]+)"', page.text).group(1))  # type: ignore[union-attr]
        fields = {
            m.group(1): html.unescape(m.group(2))
            for m in re.finditer(r'name="([^"]+)" value="([^"]*)"', page.text)
        }
        return Form(action, fields)

    def post(self, form: Form) -> requests.Response:
        return self.http.post(form.action, data=form.fields, allow_redirects=False, timeout=10)

    def launch(self, **login_change: str | None) -> requests.Response:
        return self.post(self.authorize(self.start_login(**login_change)))

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.http.get(self.tool_url + path, allow_redirects=False, timeout=10, **kwargs)


def auth_query(login: requests.Response) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(login.headers["Location"]).query).items()}


@dataclass(frozen=True)
class Resources:
    twinspace_id: int
    event_id: int
    unit_id: int
    edition_id: int


def seed_resources(hub: Any) -> Resources:
    """A TwinSpace (approved European project), an open Learning Event and a course unit."""
    anna = hub.create_person("Anna Founder", PersonKind.TEACHER, country_code="FR")
    bernd = hub.create_person("Bernd Founder", PersonKind.TEACHER, country_code="DE")
    project = hub.create_project(anna.id, bernd.id, "Water of Europe")
    hub.validate_project("FR", project.id)
    project = hub.validate_project("DE", project.id)
    expert = hub.create_person("Eva Expert", PersonKind.EXPERT)
    start = date.today() + timedelta(days=1)
    event = hub.create_event(
        "Climate in class", "An expert-led event.", expert.id, start, start + timedelta(days=14), 30
    )
    edition = hub.create_edition(
        "Distance course", date.today().year, date.today(), date.today() + timedelta(days=60)
    )
    unit = hub.add_unit(
        edition.id, "Unit 1: eTwinning", "What eTwinning is.", activities=[("Read", "Read it.")]
    )
    return Resources(project.twinspace_id, event.id, unit.id, edition.id)
