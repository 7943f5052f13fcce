"""The sandbox LMS as the end-to-end tests' platform peer, served over real HTTP in a thread.

The peer listens on ``localhost:<port>`` and the tool on ``127.0.0.1:<port>``, so that a
``requests.Session`` (or Chromium) keeps the two cookie jars apart, as with a real LMS on
another site.

    with serve_peer("http://127.0.0.1:5123") as peer:
        peer.urls["launch"], peer.issuer, peer.client_id, peer.deployment_id, peer.keys
        peer.platform.hooks.alter_claims = lambda claims, pending: {...}
        browser.get(peer.launch_url(user="pupil", etwin_resource="twinspace:1"))

``peer.register_with(store)`` writes the peer's platform and active deployment into a tool's
``RegistrationStore`` (the manual registration an administrator would do).
"""

from __future__ import annotations

import html
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import requests
from flask import Flask
from werkzeug.serving import BaseWSGIServer, make_server

from etwin_lti.domain.registrations import PlatformRegistration
from etwin_lti.lti.errors import MissingResourceError
from etwin_lti.sandbox import (
    PlatformKeys,
    SandboxPlatform,
    SandboxSettings,
    create_platform_app,
)
from tests.support.lti_tokens import tool_reference

PEER_HOST = "localhost"

_KEYS: PlatformKeys | None = None


def session_keys() -> PlatformKeys:
    """One RSA key per test session: generating 2048-bit keys is slow."""
    global _KEYS
    if _KEYS is None:
        _KEYS = PlatformKeys.generate()
    return _KEYS


@dataclass
class RunningPeer:
    platform: SandboxPlatform
    app: Flask
    base_url: str

    @property
    def urls(self) -> dict[str, str]:
        return self.platform.urls

    @property
    def issuer(self) -> str:
        return self.platform.issuer

    @property
    def keys(self) -> PlatformKeys:
        return self.platform.keys

    @property
    def client_id(self) -> str:
        return self.platform.settings.client_id

    @property
    def deployment_id(self) -> str:
        return self.platform.settings.deployment_id

    def launch_url(self, **params: str) -> str:
        """``user`` (id or label), ``etwin_resource`` or ``resource``, ``message=deeplink``,
        ``client_id``, ``method=get|post``, ``context``."""
        return self.urls["launch"] + "?" + urlencode(params)

    def registration_url(self, tool_registration_url: str) -> str:
        """The browser's first stop for a dynamic registration of the tool."""
        return self.urls["register_tool"] + "?" + urlencode({"url": tool_registration_url})

    def register_with(
        self, store: Any, *, client_id: str | None = None, active: bool = True
    ) -> Any:
        """Register this peer (one of its tool clients) in a tool's RegistrationStore."""
        client = self.platform.get_client(client_id)
        platform = store.add_platform(
            PlatformRegistration(
                issuer=self.issuer,
                client_id=client.client_id,
                name="Sandbox LMS (e2e peer)",
                auth_login_url=self.urls["authorization_endpoint"],
                auth_token_url=self.urls["token_endpoint"],
                key_set_url=self.urls["jwks_uri"],
            )
        )
        store.add_deployment(platform.id, client.deployment_id, active=active)
        return platform


def submit_autopost(browser: requests.Session, page: requests.Response) -> requests.Response:
    """Do what the browser's JavaScript does with an auto-submitting form page."""
    assert page.status_code == 200, page.text[:500]
    match = re.search(r'<form method="post" action="([^"]+)"', page.text)
    assert match, page.text[:500]
    fields = {
        name: html.unescape(value)
        for name, value in re.findall(
            r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page.text
        )
    }
    return browser.post(
        html.unescape(match.group(1)), data=fields, allow_redirects=False, timeout=10
    )


def launch_through(browser: requests.Session, launch_url: str) -> requests.Response:
    """A whole launch as a browser does it: the LMS button, the tool's login initiation (GET
    redirect or auto-posted form), the LMS's authorization answer (auto-posted), and the tool's
    answer to the id_token POST, returned without following its redirect."""
    response = browser.get(launch_url, allow_redirects=False, timeout=10)
    for _ in range(6):
        if response.status_code in (301, 302, 303, 307):
            response = browser.get(response.headers["Location"], allow_redirects=False, timeout=10)
        elif response.status_code == 200 and 'data-lti-storage="put"' in response.text:
            # The tool's storage login page: without JavaScript its link goes on (the state
            # cookie carries the login, as it does when cookies work).
            response = browser.get(_storage_next(response.text), allow_redirects=False, timeout=10)
        elif response.status_code == 200 and 'id="autopost"' in response.text:
            posts_id_token = 'name="id_token"' in response.text
            response = submit_autopost(browser, response)
            if posts_id_token:
                return response
        else:
            break
    return response


def _storage_next(page: str) -> str:
    match = re.search(r'data-next="([^"]+)"', page)
    assert match, page[:500]
    return html.unescape(match.group(1))


class ThreadedServer:
    """A WSGI server bound to a free port at once (so its URL is known before the app is
    built, e.g. for ``ETWIN_BASE_URL``), serving in a daemon thread once ``start(app)``."""

    def __init__(self, host: str) -> None:
        self._server: BaseWSGIServer = make_server(host, 0, Flask("unbound"), threaded=True)
        self.base_url = f"http://{host}:{self._server.server_port}"
        self._thread: threading.Thread | None = None

    def start(self, app: Any) -> None:
        self._server.app = app
        # A short poll interval keeps shutdown (once per test) quick.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(timeout=5)
        self._server.server_close()

    def __enter__(self) -> ThreadedServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def placed_reference(
    etwin_resource: str, issuer: str, deployment_id: str, context_id: str
) -> str | None:
    try:
        return tool_reference(
            etwin_resource, issuer=issuer, deployment_id=deployment_id, context_id=context_id
        )
    except MissingResourceError:
        return None


@contextmanager
def serve_peer(tool_base_url: str | None, **settings: Any) -> Iterator[RunningPeer]:
    """Start the sandbox LMS on localhost; ``settings`` are ``SandboxSettings`` fields.

    With ``tool_base_url`` the tool there is registered in the peer by hand (client_id
    ``etwin-sandbox``, deployment ``sandbox-1``); without it, register it dynamically.
    """
    with ThreadedServer(PEER_HOST) as server:
        settings.setdefault("keys", session_keys())
        # ``resource_for`` places activities as the tool's picker would, with the reference
        # the test tool (its test secret key) signs.
        settings.setdefault("reference_for", placed_reference)
        platform = SandboxPlatform(
            SandboxSettings(base_url=server.base_url, tool_base_url=tool_base_url, **settings)
        )
        app = create_platform_app(platform)
        server.start(app)
        try:
            yield RunningPeer(platform=platform, app=app, base_url=server.base_url)
        finally:
            platform.session.close()
