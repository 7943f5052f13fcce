"""The outbound guard with the lab setting off: internal addresses are refused before any
connection, redirect hops are checked one by one, and a dynamic registration pointed at an
internal address is refused with a page that says why (and counts against its invite)."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
import requests
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from connectors.outbound_guard import (
    OutboundAddressRefusedError,
    check_url,
    guarded_session,
    is_public_address,
    system_resolver,
)
from tests.conftest import make_test_app

REFUSED = [
    "127.0.0.1",
    "127.8.9.10",
    "::1",
    "10.0.0.1",
    "172.16.5.4",
    "192.168.1.1",
    "169.254.169.254",  # cloud metadata
    "169.254.1.1",
    "100.64.0.1",  # CGNAT
    "0.0.0.0",
    "::",
    "224.0.0.251",
    "233.252.0.1",  # multicast, globally scoped
    "ff02::1",
    "fd00:ec2::254",  # AWS metadata over IPv6
    "fc00::1",
    "fe80::1%eth0",
    "::ffff:127.0.0.1",
    "::ffff:169.254.169.254",
    "198.18.0.1",  # benchmarking
    "240.0.0.1",  # reserved
]
ALLOWED = ["93.184.216.34", "8.8.8.8", "2001:4860:4860::8888", "::ffff:8.8.8.8"]


@pytest.mark.parametrize("address", REFUSED)
def test_internal_addresses_are_refused(address: str) -> None:
    assert not is_public_address(address)


@pytest.mark.parametrize("address", ALLOWED)
def test_public_addresses_are_allowed(address: str) -> None:
    assert is_public_address(address)


def _resolver(table: dict[str, list[str]]) -> Any:
    def resolve(host: str, port: int) -> Sequence[str]:
        if host in table:
            return table[host]
        return system_resolver(host, port)

    return resolve


@pytest.mark.parametrize(
    ("url", "addresses"),
    [
        ("http://127.0.0.1/", None),
        ("http://[::1]:8080/", None),
        ("http://169.254.169.254/latest/meta-data/", None),
        ("http://0x7f000001/", None),  # 127.0.0.1 spelled in hex
        ("http://2130706433/", None),  # and as one number
        ("http://metadata.lms.test/", ["169.254.169.254"]),
        ("https://half.lms.test/", ["93.184.216.34", "10.0.0.5"]),  # one internal answer is enough
        ("https://nowhere.invalid/", None),
        ("file:///etc/passwd", None),
        ("gopher://lms.test/", None),
    ],
)
def test_urls_to_internal_hosts_are_refused(url: str, addresses: list[str] | None) -> None:
    resolve = _resolver({} if addresses is None else {url.split("/")[2]: addresses})
    with pytest.raises(OutboundAddressRefusedError):
        check_url(url, resolve=resolve)


class _Redirecting:
    """A server on localhost that sends every request to 127.0.0.1 (the internal hop)."""

    def __init__(self) -> None:
        self.hits: list[str] = []
        self._server = make_server("127.0.0.1", 0, self, threaded=True)
        self.port = self._server.server_port
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __call__(self, environ: Any, start_response: Any) -> Any:
        request = Request(environ)
        self.hits.append(request.host)
        response = Response(status=302, headers={"Location": f"http://127.0.0.1:{self.port}/x"})
        return response(environ, start_response)


@pytest.fixture
def redirecting() -> Iterator[_Redirecting]:
    server = _Redirecting()
    server._thread.start()
    yield server
    server._server.shutdown()


def test_each_redirect_hop_is_checked(redirecting: _Redirecting) -> None:
    # "localhost" stands for a public LMS here (the test's resolver says so); its redirect to
    # 127.0.0.1 is the hop an attacker would use to reach the inside.
    public = _resolver({"localhost": ["93.184.216.34"]})
    session = guarded_session(
        allow_private=False,
        resolve=lambda h, p: public(h, p) if h == "localhost" else system_resolver(h, p),
    )
    url = f"http://localhost:{redirecting.port}/config"
    with pytest.raises(OutboundAddressRefusedError):
        session.get(url, timeout=5)  # redirects followed: the second hop is refused
    assert redirecting.hits == [f"localhost:{redirecting.port}"]  # never reached 127.0.0.1


def test_the_lab_setting_lets_everything_through(redirecting: _Redirecting) -> None:
    session = guarded_session(allow_private=True)
    response = session.get(f"http://127.0.0.1:{redirecting.port}/x", allow_redirects=False)
    assert response.status_code == 302


@pytest.mark.parametrize(
    "config_url",
    [
        "https://127.0.0.1/.well-known/openid-configuration",
        "https://10.1.2.3/.well-known/openid-configuration",
        "https://169.254.169.254/latest/meta-data/",
        "https://[fd00:ec2::254]/latest",
        "https://100.64.0.1/config",
    ],
)
def test_dynamic_registration_to_an_internal_address_is_refused(
    app_sqlite_url: str, tmp_path: Path, config_url: str
) -> None:
    app = make_test_app(app_sqlite_url, tmp_path, ALLOW_PRIVATE_URLS=False)
    store = app.extensions["etwin"].registrations
    invite = store.create_invite(ttl_seconds=600)
    response = app.test_client().get(
        "/lti/register", query_string={"invite": invite.token, "openid_configuration": config_url}
    )
    assert response.status_code == 502, response.get_data(as_text=True)[:500]
    page = response.get_data(as_text=True)
    assert "not a public Internet address" in page and "Traceback" not in page
    assert store.list_platforms() == []
    assert store.peek_invite(invite.token).attempts == 1  # the refusal counted


def test_requests_errors_stay_requests_errors() -> None:
    # Adapters translate requests.ConnectionError already: the guard's error is one.
    assert issubclass(OutboundAddressRefusedError, requests.ConnectionError)


class _Counting:
    """Any answer; counts the requests that reached it (none may, with the guard on)."""

    def __init__(self) -> None:
        self.hits = 0
        self._server = make_server("127.0.0.1", 0, self, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __call__(self, environ: Any, start_response: Any) -> Any:
        self.hits += 1
        return Response('{"keys": []}', mimetype="application/json")(environ, start_response)


@pytest.fixture
def internal_service() -> Iterator[_Counting]:
    server = _Counting()
    server._thread.start()
    yield server
    server._server.shutdown()


def test_platform_key_sets_on_internal_addresses_are_not_fetched(
    app_sqlite_url: str, tmp_path: Path, internal_service: _Counting
) -> None:
    from etwin_lti.lti.errors import PlatformKeysUnavailableError

    app = make_test_app(app_sqlite_url, tmp_path, ALLOW_PRIVATE_URLS=False)
    with pytest.raises(PlatformKeysUnavailableError):
        app.extensions["etwin"].platform_keys.key_set(internal_service.url + "/jwks", kid="k")
    assert internal_service.hits == 0


def test_a_remote_hub_on_an_internal_address_is_not_called(
    app_sqlite_url: str, tmp_path: Path, internal_service: _Counting
) -> None:
    from etwin_lti.errors import RemoteServiceError

    app = make_test_app(
        app_sqlite_url,
        tmp_path,
        ALLOW_PRIVATE_URLS=False,
        HUB_URL=internal_service.url,
        HUB_TOKEN="t" * 32,
    )
    with pytest.raises(RemoteServiceError):
        app.extensions["etwin"].hub.get_person(1)
    assert internal_service.hits == 0
