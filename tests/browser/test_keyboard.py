"""Keyboard only (WCAG 2.1.1, 2.4.3, 2.4.7; issue 13 item 5): a pupil comments on the Diary and
writes in the chat, a teacher administrator suspends a member and posts to the Diary, a trainee
marks an activity done, with Tab, Shift+Tab, Enter and Space and nothing else; every control on
the way shows a visible focus ring. On a phone the content comes before the member list.

The LMS (the sandbox) launches with a click, as a person would; the tool's page is then opened in
a tab of the same browser (the launch's cookie), where Tab starts at the page's first control.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import DemoTool
from tests.browser.test_accessibility import launch

pytestmark = pytest.mark.browser
MAX_TABS = 200  # far more than any page has: reaching the end of this is a trap or a gap


@pytest.fixture
def tab(page: Page) -> Iterator[Page]:
    """A second tab of the same browser: the tool's page on its own, for the keyboard."""
    second = page.context.new_page()
    second.set_default_timeout(15_000)
    yield second
    second.close()


def open_tool_page(page: Page, tab: Page, tool: DemoTool, button: str) -> None:
    frame = launch(page, tool, button)
    tab.goto(frame.url)


def tab_to(page: Page, selector: str, *, backwards: bool = False) -> None:
    """Tab (or Shift+Tab) until the focused element matches ``selector``; each stop must show
    its focus ring."""
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(MAX_TABS):
        page.keyboard.press(key)
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            assert_focus_ring(page)
            return
    raise AssertionError(f"{selector} is not reachable with {key}")


def assert_focus_ring(page: Page) -> None:
    style = page.evaluate(
        """() => { const s = getComputedStyle(document.activeElement);
                   return [s.outlineStyle, parseFloat(s.outlineWidth)]; }"""
    )
    assert style[0] != "none" and style[1] >= 2, style


def test_a_pupil_comments_and_chats_with_the_keyboard(
    page: Page, tab: Page, module_demo_tool: DemoTool
) -> None:
    open_tool_page(page, tab, module_demo_tool, "twinspace:pupil")
    tab_to(tab, 'form[data-form="comment"] input[name="body"]')
    tab.keyboard.type("We saw a heron!")
    tab_to(tab, 'form[data-form="comment"] button')
    tab.keyboard.press("Enter")
    expect(tab.locator(".flash")).to_have_text("Your comment was added.")
    expect(tab.locator(".diary-post").first).to_contain_text("We saw a heron!")
    tab_to(tab, '[data-action="open-chat"]')
    tab.keyboard.press("Enter")
    expect(tab.locator("main.chat")).to_be_visible()
    tab_to(tab, "#chat-body")
    tab.keyboard.type("Hello from the keyboard")
    tab_to(tab, '[data-action="chat-send"]')
    tab.keyboard.press("Space")
    expect(tab.locator(".chat-line", has_text="Hello from the keyboard")).to_be_visible()
    tab_to(tab, '[data-action="back-to-twinspace"]', backwards=True)
    tab.keyboard.press("Enter")
    expect(tab.locator("main.twinspace")).to_be_visible()


def test_a_teacher_administrator_manages_and_posts_with_the_keyboard(
    page: Page, tab: Page, module_demo_tool: DemoTool
) -> None:
    tool = module_demo_tool
    tool.link("6", tool.demo.people["founder_fr"])  # "assistant" is the founder
    partner = tool.demo.people["partner_pl"]
    open_tool_page(page, tab, tool, "twinspace:assistant")
    tab_to(tab, "section.diary details.add summary")
    tab.keyboard.press("Enter")  # opens the form
    tab_to(tab, 'form[data-form="diary"] input[name="title"]')
    tab.keyboard.type("Keyboard week")
    tab.keyboard.press("Tab")
    tab.keyboard.type("Posted without a mouse.")
    tab_to(tab, 'form[data-form="diary"] button')
    tab.keyboard.press("Enter")
    expect(tab.locator(".flash")).to_have_text("Your post is in the Project Diary.")
    tab_to(tab, '[data-action="manage-members"]')
    tab.keyboard.press("Enter")
    expect(tab.locator("main")).to_have_class("embedded twinspace-members")
    tab_to(tab, f'li[data-member="{partner}"] summary')
    tab.keyboard.press("Space")
    tab_to(tab, f'li[data-member="{partner}"] [data-action="suspend"]')
    tab.keyboard.press("Enter")
    expect(tab.locator(".flash")).to_have_text("The member was suspended (their content is kept).")


def test_a_trainee_marks_an_activity_done_with_the_keyboard(
    page: Page, tab: Page, module_demo_tool: DemoTool
) -> None:
    open_tool_page(page, tab, module_demo_tool, "unit:trainee")
    tab_to(tab, '[data-action="mark-done"]')
    tab.keyboard.press("Space")
    expect(tab.locator(".flash")).to_have_text("Well done: the activity is marked as done.")


def test_on_a_phone_the_content_comes_before_the_member_list(
    browser: Browser, module_demo_tool: DemoTool
) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 740})
    try:
        page = context.new_page()
        frame = launch(page, module_demo_tool, "twinspace:pupil")
        content = frame.locator(".columns > .content").bounding_box()
        members = frame.locator("section.members").bounding_box()
        assert content and members
        assert content["y"] + content["height"] <= members["y"]  # all of it, not just its top
        page.set_viewport_size({"width": 1200, "height": 900})
        content = frame.locator(".columns > .content").bounding_box()
        members = frame.locator("section.members").bounding_box()
        assert content and members and members["x"] > content["x"]  # beside it on a wide screen
    finally:
        context.close()
