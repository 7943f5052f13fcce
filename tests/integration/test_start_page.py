"""``/`` is the start page: the address ``etwin-lti serve`` prints must lead somewhere useful."""

from __future__ import annotations

import re
from pathlib import Path

from flask import Flask

from tests.conftest import make_test_app


def _links(html: str) -> list[str]:
    return re.findall(r'href="([^"]+)"', html)


def test_the_start_page_says_what_the_tool_is_and_links_to_the_sandbox(
    app_sqlite_url: str, tmp_path: Path
) -> None:
    app = make_test_app(app_sqlite_url, tmp_path, DEMO=True)
    client = app.test_client()

    response = client.get("/")

    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "LTI&nbsp;1.3 tool" in html
    assert 'href="/sandbox/"' in html
    assert "etwin-lti platform invite" in html
    # Every link on it works: nothing on the first page a person sees is a dead end.
    for link in _links(html):
        if link.startswith("/"):
            with client.get(link) as answer:  # the stylesheet is a file: close it
                assert answer.status_code == 200, link


def test_without_the_demo_the_start_page_offers_no_sandbox(app: Flask) -> None:
    response = app.test_client().get("/")

    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "/sandbox/" not in html
    assert "http://tool.test/lti/config.json" in html
