"""Real launches for tests of the embedded pages, through the Flask test client.

The tool's own ``/lti/login`` and ``/lti/launch`` run in the test client; the platform is the
e2e ``MiniPlatform`` over real HTTP (its JWKS and its authorization endpoint, which signs an
id_token minted by ``tests.support.lti_tokens``). After ``launch(...)`` the test client holds
the ``etwin_launch`` cookie of a real launch session: no mocks, no hand-made sessions.

    launcher = Launcher.start()            # once per test session (a server thread)
    launcher.register(app)                 # per app: platform + active deployment
    launcher.link(app, "founder-fr", demo.people["founder_fr"])   # an LMS user = a hub person
    response = launcher.launch(client, sub="founder-fr", roles=[ROLE_INSTRUCTOR],
                               resource=f"twinspace:{demo.twinspace_id}")
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any

import requests
from flask import Flask
from flask.testing import FlaskClient

from etwin_lti.domain.identities import LtiIdentity
from etwin_lti.domain.registrations import PlatformRegistration
from etwin_lti.lti import claims as c
from tests.e2e.harness import CLIENT_ID, DEPLOYMENT_ID, LateApp, MiniPlatform, ServerThread

TOOL_BASE = "http://tool.test"


@dataclass
class Launcher:
    platform: MiniPlatform
    server: ServerThread

    @classmethod
    def start(cls) -> Launcher:
        late = LateApp()
        server = ServerThread(late, "localhost")
        platform = MiniPlatform(url=server.url)
        late.app = platform
        return cls(platform, server)

    def stop(self) -> None:
        self.server.stop()

    def register(self, app: Flask) -> None:
        store = app.extensions["etwin"].registrations
        registered = store.add_platform(
            PlatformRegistration(
                issuer=self.platform.url,
                client_id=CLIENT_ID,
                name="Mini LMS",
                auth_login_url=self.platform.url + "/auth",
                auth_token_url=self.platform.url + "/token",
                key_set_url=self.platform.url + "/jwks",
            )
        )
        store.add_deployment(registered.id, DEPLOYMENT_ID, active=True)

    def link(self, app: Flask, sub: str, person_id: int) -> None:
        """Make the LMS user ``sub`` a known hub person (as a first launch would)."""
        container = app.extensions["etwin"]
        kind = container.hub.get_person(person_id).kind
        container.identities.link(
            LtiIdentity(self.platform.url, sub), person_id, deployment_id=DEPLOYMENT_ID, kind=kind
        )

    def login(
        self,
        client: FlaskClient,
        *,
        sub: str,
        roles: list[str],
        resource: str | None,
        message_type: str = c.RESOURCE_LINK_REQUEST,
        login_params: dict[str, str] | None = None,
        **claims: Any,
    ) -> Any:
        """The tool's answer to the login initiation (the next launch's claims are set)."""
        self.platform.claims = {
            "roles": roles,
            "resource": resource,
            "message_type": message_type,
            **claims,
        }
        tool = client.application.extensions["etwin"].settings.base_url
        return client.get(
            "/lti/login",
            query_string={
                "iss": self.platform.url,
                "login_hint": sub,
                "target_link_uri": tool + "/lti/launch",
                "client_id": CLIENT_ID,
                "lti_deployment_id": DEPLOYMENT_ID,
                **(login_params or {}),
            },
        )

    @staticmethod
    def authorize(auth_url: str) -> dict[str, str]:
        """The fields the platform's authorization endpoint posts back to the tool."""
        page = requests.get(auth_url, timeout=10)
        return {
            m.group(1): html.unescape(m.group(2))
            for m in re.finditer(r'name="([^"]+)" value="([^"]*)"', page.text)
        }

    def launch(self, client: FlaskClient, **login: Any) -> Any:
        """login initiation -> platform authorization (HTTP) -> id_token POST; returns the
        tool's answer to the POST (the page itself, its address in ``Content-Location``; a 303
        for deep linking and review; or an error page). ``login``: the
        arguments of ``login``."""
        response = self.login(client, **login)
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return client.post("/lti/launch", data=self.authorize(response.headers["Location"]))
