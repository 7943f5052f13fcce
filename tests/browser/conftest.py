"""The browser tier: Debian's Chromium driven by Playwright against the tool over real HTTP.

``demo_tool``: what ``etwin-lti serve --demo`` runs (sandbox LMS mounted at /sandbox/, demo
data loaded), on 127.0.0.1 in a thread. ``browser``: one headless Chromium per test module
(never ``playwright install``: the system's /usr/bin/chromium).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.support.demo_tool import DemoTool, serving_demo_tool

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SHOTS = Path("/tmp/etwin-shots")


@pytest.fixture
def demo_tool(app_sqlite_url: str, tmp_path: Path) -> Iterator[DemoTool]:
    with serving_demo_tool(app_sqlite_url, tmp_path) as tool:
        yield tool


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    yield tab
    context.close()
