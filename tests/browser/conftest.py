"""The browser tier: Debian's Chromium driven by Playwright against the tool over real HTTP.

``demo_tool``: what ``etwin-lti serve --demo`` runs (sandbox LMS mounted at /sandbox/, demo
data loaded), on 127.0.0.1 in a thread. ``browser``: one headless Chromium per test module
(never ``playwright install``: the system's /usr/bin/chromium).

What the tests see is kept under ``test-artifacts/`` (gitignored; ``ETWIN_TEST_ARTIFACTS``
moves it): ``screenshots/`` and the axe reports in ``axe/`` (``tests/browser/axe.py``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.support.databases import sqlite_copy
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
ARTIFACTS = Path(
    os.environ.get("ETWIN_TEST_ARTIFACTS", Path(__file__).resolve().parents[2] / "test-artifacts")
)
SHOTS = ARTIFACTS / "screenshots"
# `make screenshots`: the pictures of the README, from the accessibility walk (``docs_shot``).
DOCS_SHOTS = os.environ.get("ETWIN_DOCS_SCREENSHOTS")


@pytest.fixture
def demo_tool(app_sqlite_url: str, tmp_path: Path) -> Iterator[DemoTool]:
    with serving_demo_tool(app_sqlite_url, tmp_path) as tool:
        yield tool


@pytest.fixture(scope="module")
def module_demo_tool(
    _app_sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[DemoTool]:
    """One demo tool for a whole module (the accessibility walk visits many pages: one app,
    not one per page); its tests share the demo data, so they only add to it."""
    folder = tmp_path_factory.mktemp("demo-tool")
    with serving_demo_tool(sqlite_copy(_app_sqlite_template, folder), folder) as tool:
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
