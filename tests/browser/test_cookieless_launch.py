"""Launches with the tool's cookies blocked, in Debian's Chromium inside a cross-site LMS frame
(issue 13 item 2).

Cookies are blocked the way a user blocks them: a "not allowed to use cookies" site exception
in the profile's preferences (``content_settings.exceptions.cookies``), which Chromium applies to
first- and third-party cookies alike, partitioned ones included. With ``under`` the exception
holds only below the LMS's top-level site, like a browser that blocks cookies in frames: a new
window of the tool keeps them.

The LMS is the sandbox peer on ``http://localhost`` offering client-side storage (its storage
frame ``lti_storage``); the tool is on ``https://127.0.0.1``. A hostile or silent storage frame is
put in its place with Playwright routes on hosts of their own.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, Playwright, expect, sync_playwright

from etwin_lti.services.demo import DemoResources
from tests.browser.conftest import CHROMIUM, SHOTS
from tests.browser.test_cross_site_iframe import BLOCKING_ARGS, cross_site
from tests.e2e.peer import RunningPeer

pytestmark = pytest.mark.browser

STORAGE = "lti_storage"
EVIL_STORAGE = "http://storage.evil.test/"
SILENT_STORAGE = "http://silent.test/"
# Answers every message from anyone, with forged values, and notes what reached it.
HOSTILE_FRAME = """<!doctype html><script>
window.received = [];
window.addEventListener("message", function (event) {
  var data = event.data || {};
  window.received.push(data.subject);
  var reply = {subject: data.subject + ".response", message_id: data.message_id,
               key: data.key, value: "forged",
               supported_messages: [{subject: "lti.put_data"}, {subject: "lti.get_data"}]};
  event.source.postMessage(reply, "*");
});
</script>"""
SILENT_FRAME = "<!doctype html><title>never answers</title>"
WAIT = 15_000  # a silent storage costs the login page and the launch page 2 s each

World = tuple[RunningPeer, DemoResources, Any]


@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as running:
        yield running


@pytest.fixture
def storage_tool(app_sqlite_url: str, tmp_path: Path) -> Iterator[World]:
    yield from cross_site(app_sqlite_url, tmp_path, tls=True, storage_target=STORAGE)


@contextmanager
def chromium(
    playwright: Playwright,
    *,
    blocked: str | None = None,
    under: str | None = None,
    args: tuple[str, ...] = (),
) -> Iterator[BrowserContext]:
    """A fresh Chromium profile; ``blocked``: the origin whose cookies it refuses."""
    with tempfile.TemporaryDirectory() as profile:
        exceptions = {f"{blocked},{under or '*'}": {"setting": 2}} if blocked else {}
        preferences = {"profile": {"content_settings": {"exceptions": {"cookies": exceptions}}}}
        (Path(profile) / "Default").mkdir()
        (Path(profile) / "Default" / "Preferences").write_text(json.dumps(preferences))
        context = playwright.chromium.launch_persistent_context(
            profile,
            executable_path=CHROMIUM,
            args=[*BLOCKING_ARGS, *args],
            viewport={"width": 1200, "height": 1000},
            ignore_https_errors=True,
        )
        context.set_default_timeout(15_000)
        try:
            yield context
        finally:
            context.close()


def lms_page(context: BrowserContext, peer: RunningPeer, storage: str | None = None) -> Page:
    """The LMS's course page; ``storage``: another page put in its storage frame."""
    page = context.new_page()
    if storage is not None:
        body = HOSTILE_FRAME if storage == EVIL_STORAGE else SILENT_FRAME
        page.route(storage + "**", lambda route: route.fulfill(body=body, content_type="text/html"))
    page.goto(peer.base_url + "/")
    if storage is not None:
        frame = page.frame(name=STORAGE)
        assert frame is not None
        frame.goto(storage)
    return page


def launch_as_teacher(page: Page) -> Any:
    page.click('[data-launch="twinspace:teacher"]')
    return page.frame_locator("iframe.lms-frame")


def tool_cookies(context: BrowserContext) -> list[Any]:
    return [c for c in context.cookies() if c["domain"] == "127.0.0.1"]


def test_every_cookie_blocked_the_launch_completes_through_the_platforms_storage(
    playwright: Playwright, storage_tool: World
) -> None:
    peer, demo, app = storage_tool
    tool = app.extensions["etwin"].settings.base_url
    with chromium(playwright, blocked=tool) as context:
        page = lms_page(context, peer)
        frame = launch_as_teacher(page)
        expect(frame.locator("main")).to_have_attribute("data-etwin-role", "teacher")
        assert tool_cookies(context) == []  # nothing was kept: the state came from the storage
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "cookieless-storage-launch.png"), full_page=True)
        # The session lives on in the page's launch token.
        frame.locator("details.add summary", has_text="Add a page").click()
        form = frame.locator('form[data-form="pages"]')
        form.locator('input[name="title"]').fill("Written with every cookie blocked")
        form.locator("button").click()
        expect(frame.locator(".flash")).to_have_text("Your page was added.")
        hub, founder = app.extensions["etwin"].hub, demo.people["founder_fr"]
        titles = [p.title for p in hub.list_pages(demo.twinspace_id, viewer_id=founder)]
        assert "Written with every cookie blocked" in titles


def test_answers_from_a_storage_frame_of_another_origin_are_ignored(
    playwright: Playwright, storage_tool: World
) -> None:
    peer, _demo, app = storage_tool
    tool = app.extensions["etwin"].settings.base_url
    with chromium(playwright, blocked=tool) as context:
        page = lms_page(context, peer, storage=EVIL_STORAGE)
        frame = launch_as_teacher(page)
        main = frame.locator("main")
        expect(main).to_have_attribute("data-error", "missing_state_cookie", timeout=WAIT)
        expect(main.locator("a[data-new-window]")).to_be_visible()
        evil = page.frame(name=STORAGE)
        assert evil is not None and evil.url == EVIL_STORAGE
        # Only the data-free question reached it: data goes to the LMS's origin only.
        assert evil.evaluate("() => window.received") == ["lti.capabilities"]


def test_a_silent_storage_falls_back_to_a_new_window_where_the_launch_completes(
    playwright: Playwright, storage_tool: World
) -> None:
    peer, _demo, app = storage_tool
    tool = app.extensions["etwin"].settings.base_url
    with chromium(playwright, blocked=tool, under=peer.base_url) as context:
        page = lms_page(context, peer, storage=SILENT_STORAGE)
        frame = launch_as_teacher(page)
        main = frame.locator("main")
        expect(main).to_have_attribute("data-error", "missing_state_cookie", timeout=WAIT)
        page.screenshot(path=str(SHOTS / "cookieless-fallback.png"), full_page=True)
        with context.expect_page() as opened:
            main.locator("a[data-new-window]").click()
        window = opened.value
        expect(window.locator("main")).to_have_attribute("data-etwin-role", "teacher")
        assert window.url.startswith(tool + "/embed/twinspace/")


def test_a_plain_http_tool_on_another_host_says_it_needs_https(
    playwright: Playwright, app_sqlite_url: str, tmp_path: Path
) -> None:
    world = cross_site(app_sqlite_url, tmp_path, tls=False, host="tool.test")
    peer, _demo, _app = next(world)
    try:
        resolve = "--host-resolver-rules=MAP tool.test 127.0.0.1"
        with chromium(playwright, args=(resolve,)) as context:
            frame = launch_as_teacher(lms_page(context, peer))
            main = frame.locator("main")
            expect(main).to_have_attribute("data-error", "tool_needs_https")
            expect(main).to_contain_text("The tool needs https")
            expect(main).not_to_contain_text("cookies")
    finally:
        world.close()


def test_the_same_launch_posted_again_says_it_was_already_used(
    playwright: Playwright, storage_tool: World
) -> None:
    """What Back pressed twice inside the frame does: the LMS's form post of the launch is sent
    again. Replayed here from the tool's frame with the very fields the LMS posted."""
    peer, _demo, _app = storage_tool
    with chromium(playwright) as context:
        page = lms_page(context, peer)
        posted: list[str] = []
        page.on(
            "request",
            lambda r: (
                posted.append(r.post_data or "")
                if r.method == "POST" and r.url.endswith("/lti/launch")
                else None
            ),
        )
        frame = launch_as_teacher(page)
        main = frame.locator("main")
        expect(main).to_have_attribute("data-etwin-role", "teacher")
        tool_frame = page.frame(name="lms-frame")
        assert tool_frame is not None and posted
        tool_frame.evaluate(RESUBMIT, posted[0])
        expect(main).to_have_attribute("data-error", "launch_replayed")
        expect(main).to_contain_text("This launch was already used")
        expect(main).not_to_contain_text("cookie")


RESUBMIT = """(body) => {
  const form = document.createElement("form");
  form.method = "post";
  form.action = "/lti/launch";
  for (const [name, value] of new URLSearchParams(body)) {
    const field = document.createElement("input");
    field.type = "hidden"; field.name = name; field.value = value;
    form.appendChild(field);
  }
  document.body.appendChild(form);
  form.submit();
}"""
