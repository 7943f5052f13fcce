"""The browser tier: Debian's Chromium driven by Playwright against the tool over real HTTP.

``demo_tool``: what ``etwin-lti serve --demo`` runs (sandbox LMS mounted at /sandbox/, demo
data loaded), on 127.0.0.1 in a thread. ``browser``: one headless Chromium per test module
(never ``playwright install``: the system's /usr/bin/chromium).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from etwin_lti.services.demo import DemoResources, load_demo
from etwin_lti.web.sandbox_mount import register_sandbox
from tests.conftest import make_test_app
from tests.e2e.peer import ThreadedServer

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


@dataclass
class DemoTool:
    app: Any
    base_url: str
    demo: DemoResources

    @property
    def container(self) -> Any:
        return self.app.extensions["etwin"]

    @property
    def sandbox(self) -> Any:
        return self.app.extensions["sandbox"]

    def link(self, sandbox_user_id: str, person_id: int) -> None:
        """Make a sandbox LMS user a given demo person (as their first launch would)."""
        client = self.sandbox.get_client()
        self.container.identities.link(
            self.sandbox.issuer, client.deployment_id, sandbox_user_id, person_id
        )


@pytest.fixture
def demo_tool(sqlite_url: str, tmp_path: Path) -> Iterator[DemoTool]:
    with ThreadedServer("127.0.0.1") as server:
        app = make_test_app(sqlite_url, tmp_path, DEMO=True, BASE_URL=server.base_url)
        container = app.extensions["etwin"]
        register_sandbox(container.registrations, app.extensions["sandbox"])
        demo = load_demo(container.hub)  # what `serve --demo` loads
        server.start(app)
        yield DemoTool(app, server.base_url, demo)
        container.database.dispose()


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
