"""The outbound fetch guard: every URL a platform or an administrator supplies (dynamic
registration configuration and endpoint, platform key sets, AGS/NRPS endpoints and token URL,
the remote hub, Moodle sites) is fetched through a session built here.

Before each request (and so before each redirect hop, which requests sends through the same
adapter) the host is resolved and the request refused unless every address it resolves to is a
public unicast address: loopback, private (RFC 1918, ULA), link-local, CGNAT (100.64.0.0/10),
multicast, unspecified, reserved and the cloud metadata addresses (169.254.169.254,
fd00:ec2::254) never leave the tool. Otherwise a hostile LMS could make the tool probe or call
the hosting network (SSRF). ``ETWIN_ALLOW_PRIVATE_URLS=true`` (lab setups and the test suite,
where everything is on 127.0.0.1; also implied by the demo) turns the check off.

Known limit: the address is checked at resolution, and urllib3 resolves again to connect; a
DNS answer that changes in between (rebinding with a zero TTL) is not caught here. Deployments
that need that too put an egress proxy or firewall in front.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter

Resolver = Callable[[str, int], Sequence[str]]
METADATA_ADDRESSES = frozenset(
    {ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")}
)
CGNAT = ipaddress.ip_network("100.64.0.0/10")


class OutboundAddressRefusedError(requests.ConnectionError):
    """The URL's host is (or resolves to) an address the tool does not contact. A
    ``requests.ConnectionError``, so every adapter's existing translation applies."""


def system_resolver(host: str, port: int) -> Sequence[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


def is_public_address(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone id
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip in METADATA_ADDRESSES or ip.is_multicast or ip.is_unspecified:
        return False
    if isinstance(ip, ipaddress.IPv4Address) and ip in CGNAT:
        return False
    return bool(ip.is_global)


def check_url(url: str, *, resolve: Resolver = system_resolver) -> None:
    """``OutboundAddressRefusedError`` unless ``url`` is http(s) to public addresses only."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise OutboundAddressRefusedError(f"not an http(s) URL: {url!r}")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        addresses = resolve(parts.hostname, port)
    except (OSError, UnicodeError) as error:
        raise OutboundAddressRefusedError(f"{parts.hostname} does not resolve") from error
    refused = [a for a in addresses if not is_public_address(a)]
    if refused or not addresses:
        raise OutboundAddressRefusedError(
            f"{parts.hostname} resolves to an internal address ({', '.join(refused) or 'none'}); "
            "the tool contacts public addresses only (ETWIN_ALLOW_PRIVATE_URLS for a lab)"
        )


class GuardedAdapter(HTTPAdapter):
    def __init__(self, *, resolve: Resolver = system_resolver, **kwargs: Any) -> None:
        self._resolve = resolve
        super().__init__(**kwargs)

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> Any:
        check_url(str(request.url), resolve=self._resolve)
        return super().send(request, *args, **kwargs)


class EnvironmentOnceSession(requests.Session):
    """A session that reads the proxy and CA settings of the environment (``HTTPS_PROXY``,
    ``NO_PROXY``, ``REQUESTS_CA_BUNDLE``...) once per origin, not on every request: requests
    scans the whole environment for each call, which was a fifth of a queue worker's CPU per
    score (docs/decisions/0038). A server's environment does not change while it runs; a
    call that passes its own proxies, verify or cert is merged as requests always does."""

    def __init__(self) -> None:
        super().__init__()
        self._settings: dict[tuple[str, str, object], dict[str, Any]] = {}

    def merge_environment_settings(
        self, url: Any, proxies: Any, stream: Any, verify: Any, cert: Any
    ) -> dict[str, Any]:
        if proxies or verify is not None or cert is not None:
            return super().merge_environment_settings(url, proxies, stream, verify, cert)
        parts = urlsplit(str(url))
        key = (parts.scheme, parts.netloc, stream)
        settings = self._settings.get(key)
        if settings is None:
            settings = super().merge_environment_settings(url, proxies, stream, verify, cert)
            self._settings[key] = settings
        return {**settings, "proxies": dict(settings["proxies"])}


def guarded_session(
    *,
    allow_private: bool,
    max_retries: Any = 0,
    user_agent: str | None = None,
    resolve: Resolver = system_resolver,
) -> requests.Session:
    """A session for URLs from outside; with ``allow_private`` an ordinary one (lab setting)."""
    session = EnvironmentOnceSession()
    adapter = (
        HTTPAdapter(max_retries=max_retries)
        if allow_private
        else GuardedAdapter(max_retries=max_retries, resolve=resolve)
    )
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    if user_agent:
        session.headers["User-Agent"] = user_agent
    return session
