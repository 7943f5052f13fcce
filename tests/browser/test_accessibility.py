"""WCAG 2.1 AA, checked by axe-core in Chromium (issue 13 item 5): every page a person can reach,
inside the sandbox LMS's iframe where the LMS shows it, at 360, 768 and 1200 px; a serious or
critical violation fails. One demo tool for the module (the pages only add to the demo data)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urljoin

import pytest
from playwright.sync_api import Frame, Page, expect

from tests.browser import axe
from tests.browser.conftest import DOCS_SHOTS, SHOTS, DemoTool

pytestmark = pytest.mark.browser


# The sandbox's own auto-posted forms pass through the frame first, and the tool's storage
# pages (``data-lti-storage``: the cookie-less login) move on by themselves.
TOOL_MAIN = "main:not(.lms):not([data-lti-storage])"


def tool_frame(page: Page) -> Frame:
    page.frame_locator("iframe.lms-frame").locator(TOOL_MAIN).wait_for()
    frame = page.frame(name="lms-frame")
    assert frame is not None
    return frame


def launch(page: Page, tool: DemoTool, button: str) -> Frame:
    page.goto(tool.base_url + "/sandbox/")
    page.click(f'[data-launch="{button}"]')
    return tool_frame(page)


def docs_shot(page: Page, name: str, *, in_frame: bool = True) -> None:
    """A picture for the README (docs/screenshots, ``make screenshots``), kept as a test
    artifact too: the tool inside the LMS's frame, or a page of its own, at 1200 px."""
    target = page.locator("iframe.lms-frame") if in_frame else page
    SHOTS.mkdir(parents=True, exist_ok=True)
    target.screenshot(path=str(SHOTS / f"{name}.png"))
    if DOCS_SHOTS:
        Path(DOCS_SHOTS).mkdir(parents=True, exist_ok=True)
        target.screenshot(path=str(Path(DOCS_SHOTS) / f"{name}.png"))


def follow(page: Page, frame: Frame, selector: str) -> Frame:
    """Click a link of the tool's page; the frame's next document."""
    with frame.expect_navigation():
        frame.locator(selector).first.click()
    frame.locator("main").wait_for()
    return frame


def test_public_and_first_run_pages(page: Page, module_demo_tool: DemoTool) -> None:
    tool = module_demo_tool
    for name, path in [
        ("start", "/"),
        ("sandbox", "/sandbox/"),
        ("gallery", "/projects/public"),
        ("public-project", f"/projects/{tool.demo.project_id}/public"),
        ("not-found", "/no-such-page"),
    ]:
        page.goto(tool.base_url + path)
        axe.check(page, name)


def test_pupil_pages(page: Page, module_demo_tool: DemoTool) -> None:
    frame = launch(page, module_demo_tool, "twinspace:pupil")
    axe.check(page, "twinspace-pupil", frame)
    follow(page, frame, '[data-action="project-page"]')
    axe.check(page, "project-pupil", frame)
    frame = launch(page, module_demo_tool, "twinspace:pupil")
    follow(page, frame, '[data-action="open-chat"]')
    axe.check(page, "chat-pupil", frame)
    frame = follow(page, frame, 'nav a:has-text("My acknowledgements")')
    axe.check(page, "acknowledgements-pupil", frame)


def test_teacher_administrator_pages(page: Page, module_demo_tool: DemoTool) -> None:
    tool = module_demo_tool
    tool.link("6", tool.demo.people["founder_fr"])  # "assistant" is the founder
    frame = launch(page, tool, "twinspace:assistant")
    axe.check(page, "twinspace-teacher-administrator", frame)
    docs_shot(page, "twinspace")
    frame.locator('[data-action="sync-roster"]').click()
    flash = page.frame_locator("iframe.lms-frame").locator(".flash")
    expect(flash).to_contain_text("The roster was synced: ")  # with its counts
    expect(flash).to_contain_text(" added, ")
    for name, selector in [
        ("members", '[data-action="manage-members"]'),
        ("chat-moderator", '[data-action="open-chat"]'),
        ("invitations", '[data-action="invitations"]'),
        ("project-teacher-administrator", '[data-action="project-page"]'),
        ("connections", 'nav a:has-text("Course connections")'),
        ("linking", '[data-action="connect-account"]'),
        ("api-access", '[data-action="api-access"]'),
    ]:
        frame = launch(page, tool, "twinspace:assistant")
        follow(page, frame, selector)
        if name == "members":
            frame.locator("details.manage summary").first.click()
        axe.check(page, name, frame)


def test_teacher_and_refused_pages(page: Page, module_demo_tool: DemoTool) -> None:
    frame = launch(page, module_demo_tool, "twinspace:teacher")
    axe.check(page, "twinspace-teacher", frame)
    frame = launch(page, module_demo_tool, "twinspace:mentor")
    expect(page.frame_locator("iframe.lms-frame").locator("main")).to_have_attribute(
        "data-error", "forbidden"
    )
    axe.check(page, "error-mentor", frame)


def test_deep_linking_picker(page: Page, module_demo_tool: DemoTool) -> None:
    page.goto(module_demo_tool.base_url + "/sandbox/")
    page.select_option('select[name="user"]', label="teacher")
    page.click('[data-launch="deeplink"]')
    frame = tool_frame(page)
    axe.check(page, "picker", frame)
    docs_shot(page, "picker")
    # Sent with nothing ticked: the same picker says what to do (issue 13 item 3).
    frame.locator('button[value="embed"]').click()
    refused = page.frame_locator("iframe.lms-frame").locator("#dl-refused")
    expect(refused).to_contain_text("Choose at least one eTwinning resource")
    frame = tool_frame(page)
    expect(frame.locator('button[value="cancel"]')).to_be_visible()  # the way back
    axe.check(page, "picker-refused", frame)


def test_course_event_and_trainer_pages(page: Page, module_demo_tool: DemoTool) -> None:
    tool = module_demo_tool
    frame = launch(page, tool, "event:trainee")
    axe.check(page, "event-participant", frame)
    tool.link("21", tool.demo.people["expert"])  # the training LMS's "trainer" leads the event
    frame = launch(page, tool, "event:trainer")
    axe.check(page, "event-expert", frame)
    frame.locator("tr[data-participant]", has_text="Theo Trainee").locator(
        '[data-action="complete"]'
    ).click()
    frame = tool_frame(page)
    frame.locator(".flash").wait_for()
    frame = launch(page, tool, "event:trainee")
    certificate = frame.locator('a[data-link="certificate"]').first.get_attribute("href")
    assert certificate
    page.goto(urljoin(frame.url, certificate))
    axe.check(page, "certificate")
    docs_shot(page, "certificate", in_frame=False)
    frame = launch(page, tool, "unit:trainee")
    axe.check(page, "unit-trainee", frame)
    docs_shot(page, "unit")
    tool.link("7", tool.demo.people["trainer_1"])  # "designer" trains the edition
    frame = launch(page, tool, "unit:designer")
    axe.check(page, "unit-trainer", frame)
    follow(page, frame, 'nav a:has-text("My acknowledgements")')
    expect(page.frame_locator("iframe.lms-frame").locator(".edition-dashboard")).to_be_visible()
    axe.check(page, "trainer-dashboard", frame)
    docs_shot(page, "trainer-dashboard")
