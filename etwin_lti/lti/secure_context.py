"""Whether the tool's cookies can come back from an LMS on another site.

A cookie that must reach the tool inside a cross-site frame, or on the platform's cross-site
form post, needs ``SameSite=None``, which browsers accept only with ``Secure``: over https, and
over plain http on a loopback host, which browsers treat as a secure context
(https://w3c.github.io/webappsec-secure-contexts/#is-origin-trustworthy). On any other
plain-http host the cookies fall back to ``SameSite=Lax`` and a cross-site launch cannot work.
Decided by the configured base URL, never by the request.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

_LOOPBACK_NAMES = frozenset({"localhost"})


def is_loopback(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    if host in _LOOPBACK_NAMES or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def cookies_cross_sites(base_url: str) -> bool:
    """True when the tool may set ``Secure; SameSite=None`` cookies (https, or loopback http)."""
    return base_url.startswith("https://") or (
        base_url.startswith("http://") and is_loopback(base_url)
    )
