"""The TwinSpace chat in Chromium, inside the sandbox LMS's iframe: two people with their own
browsers; what one posts shows up on the other's open page within a few seconds, no reload
(short polling), and a teacher administrator's moderation reaches the open page too."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, FrameLocator, Page, expect

from tests.browser.conftest import SHOTS, DemoTool

pytestmark = pytest.mark.browser
ARRIVES_WITHIN_MS = 8_000  # the poll runs every 3 seconds while the page is visible


def open_chat(page: Page, tool: DemoTool, button: str) -> FrameLocator:
    page.goto(tool.base_url + "/sandbox/")
    page.click(f'[data-launch="{button}"]')
    frame = page.frame_locator("iframe.lms-frame")
    frame.locator("main").wait_for()
    frame.locator('[data-action="open-chat"]').click()
    expect(frame.locator("main.chat")).to_be_visible()
    return frame


def send(frame: FrameLocator, text: str) -> None:
    frame.locator("#chat-body").fill(text)
    frame.locator('[data-action="chat-send"]').click()
    expect(frame.locator("#chat-body")).to_have_value("")  # sent by the script, no reload


def test_a_message_reaches_the_other_open_page_without_reload(
    page: Page, browser: Browser, demo_tool: DemoTool
) -> None:
    demo_tool.link("6", demo_tool.demo.people["founder_fr"])  # "assistant" is the founder
    teacher = open_chat(page, demo_tool, "twinspace:assistant")
    expect(teacher.locator("main")).to_have_attribute("data-etwin-role", "teacher_administrator")
    other = browser.new_context(viewport={"width": 1000, "height": 800})
    try:
        pupil_page = other.new_page()
        pupil_page.set_default_timeout(15_000)
        pupil = open_chat(pupil_page, demo_tool, "twinspace:pupil")
        # Marks the teacher's document: a reload would drop it.
        page.frame(name="lms-frame").evaluate("window.__notReloaded = true")  # type: ignore[union-attr]

        send(pupil, "Hello from the pupils! <b>not bold</b>")
        line = teacher.locator(".chat-line", has_text="Hello from the pupils!")
        expect(line).to_be_visible(timeout=ARRIVES_WITHIN_MS)
        expect(line.locator(".chat-body")).to_have_text("Hello from the pupils! <b>not bold</b>")
        expect(line.locator(".chat-body b")).to_have_count(0)  # text, never markup
        assert page.frame(name="lms-frame").evaluate("window.__notReloaded") is True  # type: ignore[union-attr]

        send(teacher, "Welcome, everyone.")
        expect(pupil.locator(".chat-line", has_text="Welcome, everyone.")).to_be_visible(
            timeout=ARRIVES_WITHIN_MS
        )
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "chat-teacher.png"), full_page=True)

        # The teacher administrator hides the pupil's line: gone from the pupil's open page.
        line.locator('[data-action="chat-hide"]').click()
        expect(line.locator(".badge", has_text="hidden")).to_be_visible()
        expect(pupil.locator(".chat-line", has_text="Hello from the pupils!")).to_have_count(
            0, timeout=ARRIVES_WITHIN_MS
        )
        # The pupil deletes nothing of the teacher's: no such control is offered.
        welcome = pupil.locator(".chat-line", has_text="Welcome, everyone.")
        expect(welcome.locator('[data-action="chat-delete"]')).to_have_count(0)
        pupil_page.screenshot(path=str(SHOTS / "chat-pupil.png"), full_page=True)
    finally:
        other.close()


def test_the_chat_works_without_javascript(browser: Browser, demo_tool: DemoTool) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        tab = context.new_page()
        tab.set_default_timeout(15_000)
        # The sandbox LMS launches by script (its auto-posted forms): launch in a scripted
        # browser, then open the tool's chat page with that launch's cookie and scripts off.
        scripted = browser.new_context()
        try:
            page = scripted.new_page()
            open_chat(page, demo_tool, "twinspace:pupil")
            url = page.frame(name="lms-frame").url  # type: ignore[union-attr]
            cookies = scripted.cookies()
        finally:
            scripted.close()
        context.add_cookies(cookies)
        tab.goto(url)
        tab.fill("#chat-body", "Sent with scripts off")
        tab.click('[data-action="chat-send"]')
        expect(tab.locator(".flash")).to_have_text("Your message was sent.")
        expect(tab.locator(".chat-line", has_text="Sent with scripts off")).to_be_visible()
    finally:
        context.close()
