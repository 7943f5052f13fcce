"""The TwinSpace's member list inside the LMS iframe (ADR 0016): the teacher administrator
opens it from the page, manages a member there and lands back on it; on a 360px phone the
content comes before the member summary."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import DemoTool
from tests.browser.test_sandbox_pages import launch, shoot

pytestmark = pytest.mark.browser


def test_teacher_administrator_manages_a_member_from_the_member_list(
    page: Page, demo_tool: DemoTool
) -> None:
    demo_tool.link("6", demo_tool.demo.people["founder_fr"])  # "assistant" is the founder
    frame = launch(page, demo_tool, "twinspace:assistant")
    expect(frame.locator("[data-me]")).to_contain_text("teacher administrator")
    expect(frame.locator("li[data-member]")).to_have_count(0)  # counts only, on the page
    frame.locator('[data-action="manage-members"]').click()
    expect(frame.locator("main")).to_have_class("embedded twinspace-members")
    partner = frame.locator(f'li[data-member="{demo_tool.demo.people["partner_pl"]}"]')
    partner.locator("details.manage summary").click()
    partner.locator('[data-action="suspend"]').click()
    expect(frame.locator(".flash")).to_have_text(
        "The member was suspended (their content is kept)."
    )
    partner = frame.locator(f'li[data-member="{demo_tool.demo.people["partner_pl"]}"]')
    expect(partner.locator(".badge.private")).to_have_text("suspended")
    shoot(page, "twinspace-member-list")
    frame.locator('[data-action="back-to-twinspace"]').click()
    expect(frame.locator('[data-role-group="teacher"]')).to_have_attribute("data-suspended", "1")


def test_on_a_phone_the_content_comes_before_the_members(page: Page, demo_tool: DemoTool) -> None:
    page.set_viewport_size({"width": 360, "height": 740})
    frame = launch(page, demo_tool, "twinspace:pupil")
    pages_box = frame.locator("#pages-h").bounding_box()
    members_box = frame.locator("#members-h").bounding_box()
    assert pages_box and members_box and pages_box["y"] < members_box["y"]
