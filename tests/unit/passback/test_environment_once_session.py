"""The services session reads the proxy environment once per origin (docs/decisions/0038), with
requests' own rules: a proxy for the origins that need one, none for ``NO_PROXY``."""

from __future__ import annotations

from typing import Any

import pytest
import requests.sessions

from connectors.outbound_guard import guarded_session


def test_proxy_settings_are_read_once_per_origin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    monkeypatch.setenv("NO_PROXY", "inside.example")
    reads: list[str] = []
    real = requests.sessions.get_environ_proxies

    def counted(url: str, no_proxy: Any = None) -> dict[str, str]:
        reads.append(url)
        return real(url, no_proxy=no_proxy)

    monkeypatch.setattr(requests.sessions, "get_environ_proxies", counted)
    session = guarded_session(allow_private=False)

    def proxies(url: str) -> dict[str, str]:
        return session.merge_environment_settings(url, {}, None, None, None)["proxies"]

    assert proxies("https://lms.example/a")["https"] == "http://proxy.example:3128"
    assert proxies("https://lms.example/b?type_id=3")["https"] == "http://proxy.example:3128"
    assert "https" not in proxies("https://inside.example/scores")
    assert reads == ["https://lms.example/a", "https://inside.example/scores"]
    # A call with its own settings is merged as requests does it, every time.
    own = session.merge_environment_settings("https://lms.example/c", {}, None, False, None)
    assert own["verify"] is False and len(reads) == 3
