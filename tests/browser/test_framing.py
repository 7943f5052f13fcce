"""Who may frame the tool, as Chromium enforces it: the sandbox LMS (the tool's own origin)
embeds it; a page on an origin that is not a registered platform is refused by
``frame-ancestors``, until that origin registers as a platform."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from etwin_lti.domain.registrations import PlatformRegistration
from tests.browser.conftest import DemoTool
from tests.e2e.peer import ThreadedServer

pytestmark = pytest.mark.browser


@pytest.fixture
def foreign_site(demo_tool: DemoTool) -> Iterator[str]:
    """A site on another origin (localhost, not 127.0.0.1) whose page frames the tool."""
    app = Flask("foreign")
    target = demo_tool.base_url + "/lti/login"  # an HTML page of the tool (its error page)

    @app.get("/")
    def page() -> str:
        return f'<h1>Foreign</h1><iframe name="tool" src="{target}"></iframe>'

    with ThreadedServer("localhost") as server:
        server.start(app)
        yield server.base_url


def test_the_sandbox_still_embeds_the_tool(page: Page, demo_tool: DemoTool) -> None:
    page.goto(demo_tool.base_url + "/sandbox/")
    page.click('[data-launch="twinspace:teacher"]')
    frame = page.frame_locator("iframe.lms-frame")
    expect(frame.locator("main")).to_have_attribute("data-etwin-role", "teacher")


def _framed(page: Page, url: str) -> tuple[bool, list[str]]:
    messages: list[str] = []
    page.on("console", lambda message: messages.append(message.text))
    page.goto(url)
    page.wait_for_load_state("load")
    (frame,) = page.main_frame.child_frames  # a refused frame shows Chromium's error page
    loaded = frame.url.startswith("http") and frame.locator("main[data-error]").count() == 1
    return loaded, messages


def test_an_unregistered_origin_cannot_frame_the_tool(
    page: Page, demo_tool: DemoTool, foreign_site: str
) -> None:
    loaded, messages = _framed(page, foreign_site + "/")
    assert not loaded
    assert any("frame-ancestors" in m for m in messages), messages


def test_an_origin_that_registers_may_frame_the_tool(
    page: Page, demo_tool: DemoTool, foreign_site: str
) -> None:
    demo_tool.container.registrations.add_platform(
        PlatformRegistration(
            issuer=foreign_site,
            client_id="foreign",
            name="Foreign LMS",
            auth_login_url=foreign_site + "/auth",
            auth_token_url=foreign_site + "/token",
            key_set_url=foreign_site + "/jwks",
        )
    )
    demo_tool.app.extensions["etwin_frame_ancestors"].invalidate()
    loaded, _messages = _framed(page, foreign_site + "/")
    assert loaded
