"""The tool inside a cross-site LMS iframe, with Chromium's third-party cookies blocked.

The LMS is the sandbox platform on ``http://localhost``; the tool runs on another site,
``https://127.0.0.1`` (TLS with a throw-away certificate, so that the tool's cookies are
``Secure; SameSite=None; Partitioned`` as in production). Chromium runs with
``--test-third-party-cookie-phaseout``: third-party cookies are blocked, partitioned ones
(CHIPS) are kept per top-level site.

Outcomes, as found headless:
- https tool: the launch works inside the iframe on its partitioned cookie; when even that
  cookie is gone, the page's forms still work through the launch token in their hidden field
  (the answer is the page itself, no redirect).
- plain-http tool (cookies ``SameSite=Lax``, which a cross-site iframe may not set): the
  launch stops at the login-state cookie, on the page that tells the user to open the
  activity in a new window.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright
from werkzeug.serving import make_server

from etwin_lti.sandbox import SandboxResource
from etwin_lti.services.demo import DemoResources, load_demo
from tests.browser import axe
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, SHOTS
from tests.conftest import make_test_app
from tests.e2e.harness import LateApp
from tests.e2e.peer import RunningPeer, placed_reference, serve_peer

pytestmark = pytest.mark.browser

BLOCKING_ARGS = [
    *CHROMIUM_ARGS,
    "--test-third-party-cookie-phaseout",
    "--ignore-certificate-errors",  # the tool's self-signed test certificate
]


class ToolServer:
    """The tool on 127.0.0.1 in a thread, over TLS (``adhoc`` certificate) or plain HTTP."""

    def __init__(self, *, tls: bool) -> None:
        self.late = LateApp()
        self._server = make_server(
            "127.0.0.1", 0, self.late, threaded=True, ssl_context="adhoc" if tls else None
        )
        scheme = "https" if tls else "http"
        self.base_url = f"{scheme}://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def start(self, app: Any) -> None:
        self.late.app = app
        self._thread.start()

    def stop(self) -> None:
        if self._thread.is_alive():
            self._server.shutdown()
            self._thread.join(timeout=5)
        self._server.server_close()


@pytest.fixture(scope="module")
def blocking_browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=BLOCKING_ARGS)
        yield chromium
        chromium.close()


def cross_site(
    app_sqlite_url: str, tmp_path: Path, *, tls: bool
) -> Iterator[tuple[RunningPeer, DemoResources, Any]]:
    tool = ToolServer(tls=tls)
    app = make_test_app(app_sqlite_url, tmp_path, BASE_URL=tool.base_url)
    container = app.extensions["etwin"]
    demo = load_demo(container.hub)
    tool.start(app)
    try:
        with serve_peer(tool.base_url) as peer:
            # Placed as the picker would: with the tool-signed reference (custom and URL).
            space = f"twinspace:{demo.twinspace_id}"
            token = placed_reference(space, peer.issuer, peer.deployment_id, "course-7b")
            assert token is not None
            peer.platform.add_resource(
                SandboxResource(
                    id="ts-link",
                    title="Our TwinSpace",
                    context_id="course-7b",
                    custom={"etwin_resource": space, "etwin_ref": token},
                    kind="twinspace",
                    url=f"{tool.base_url}/lti/launch?etwin_ref={token}",
                )
            )
            peer.register_with(container.registrations)
            yield peer, demo, app
    finally:
        tool.stop()
        container.database.dispose()


@pytest.fixture
def https_tool(
    app_sqlite_url: str, tmp_path: Path
) -> Iterator[tuple[RunningPeer, DemoResources, Any]]:
    yield from cross_site(app_sqlite_url, tmp_path, tls=True)


@pytest.fixture
def http_tool(
    app_sqlite_url: str, tmp_path: Path
) -> Iterator[tuple[RunningPeer, DemoResources, Any]]:
    yield from cross_site(app_sqlite_url, tmp_path, tls=False)


def open_in_lms_iframe(browser: Browser, peer: RunningPeer) -> tuple[Page, Any]:
    context = browser.new_context(viewport={"width": 1200, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(peer.base_url + "/")
    page.click('[data-launch="twinspace:teacher"]')
    frame = page.frame_locator("iframe.lms-frame")
    frame.locator("main").wait_for()
    return page, frame


def test_https_tool_works_in_a_cross_site_iframe_with_third_party_cookies_blocked(
    blocking_browser: Browser, https_tool: tuple[RunningPeer, DemoResources, Any]
) -> None:
    peer, demo, app = https_tool
    page, frame = open_in_lms_iframe(blocking_browser, peer)
    expect(frame.locator("main")).to_have_attribute("data-etwin-role", "teacher")
    cookies = {c["name"]: c for c in page.context.cookies()}
    assert cookies["etwin_launch"].get("partitionKey") == "http://localhost"  # kept: CHIPS
    tool_frame = page.frame(name="lms-frame")
    assert tool_frame is not None
    probe = tool_frame.evaluate(
        "() => { document.cookie = 'probe=1; SameSite=None; Secure'; return document.cookie; }"
    )
    assert "probe" not in probe  # an unpartitioned third-party cookie is refused: blocking is on
    axe.check(page, "cross-site-third-party-cookies-blocked", tool_frame)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "cross-site-iframe.png"), full_page=True)
    # Now lose every cookie: the form's hidden launch token carries the session.
    page.context.clear_cookies()
    frame.locator("details.add summary", has_text="Add a page").click()
    form = frame.locator('form[data-form="pages"]')
    form.locator('input[name="title"]').fill("Written without cookies")
    form.locator("button").click()
    expect(frame.locator(".flash")).to_have_text("Your page was added.")
    expect(frame.locator("main")).to_contain_text("Written without cookies")
    axe.check(page, "cross-site-no-cookie-at-all", page.frame(name="lms-frame"))
    hub, founder = app.extensions["etwin"].hub, demo.people["founder_fr"]
    titles = [p.title for p in hub.list_pages(demo.twinspace_id, viewer_id=founder)]
    assert "Written without cookies" in titles
    page.context.close()


def test_plain_http_tool_in_a_cross_site_iframe_says_open_in_a_new_window(
    blocking_browser: Browser, http_tool: tuple[RunningPeer, DemoResources, Any]
) -> None:
    peer, _demo, _app = http_tool
    page, frame = open_in_lms_iframe(blocking_browser, peer)
    main = frame.locator("main")
    expect(main).to_have_attribute("data-error", "missing_state_cookie")
    expect(main).to_contain_text("open the activity in a new window")
    axe.check(page, "cross-site-http-refused", page.frame(name="lms-frame"))
    page.screenshot(path=str(SHOTS / "cross-site-iframe-http-refused.png"), full_page=True)
    page.context.close()
