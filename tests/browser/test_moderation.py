"""Moderation inside the LMS frame, clicked in Chromium: a pupil replies in the forum, the
teacher administrator hides the reply with its named button, and the pupil no longer sees it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import DemoTool
from tests.browser.test_sandbox_pages import launch, shoot

pytestmark = pytest.mark.browser

REPLY = "Otters live under our bridge!"


def test_a_teacher_hides_a_pupils_post_and_the_pupil_no_longer_sees_it(
    page: Page, demo_tool: DemoTool
) -> None:
    frame = launch(page, demo_tool, "twinspace:pupil")
    reply = frame.locator('form[data-form="reply"]').first
    reply.locator('input[name="body"]').fill(REPLY)
    reply.locator("button").click()
    expect(frame.locator(".flash")).to_have_text("Your reply was added.")
    expect(frame.locator(".thread").first).to_contain_text(REPLY)
    # The pupil's own reply offers Edit and Delete, never Hide.
    own = frame.locator("li[data-forum-post]", has_text=REPLY)
    expect(own.get_by_role("button", name=re.compile(r"^Delete forum reply 'by "))).to_be_visible()
    expect(own.get_by_role("button", name=re.compile(r"^Hide "))).to_have_count(0)

    demo_tool.link("6", demo_tool.demo.people["founder_fr"])  # "assistant" is the founder
    frame = launch(page, demo_tool, "twinspace:assistant")
    post = frame.locator("li[data-forum-post]", has_text=REPLY)
    post.get_by_role("button", name=re.compile(r"^Hide forum reply 'by ")).click()
    expect(frame.locator(".flash")).to_contain_text(
        "The forum reply is hidden: only teacher administrators see it now"
    )
    hidden = frame.locator('li[data-forum-post][data-hidden="true"]', has_text=REPLY)
    expect(hidden).to_be_visible()
    expect(hidden.locator(".badge.hidden")).to_have_text("hidden")
    expect(hidden.get_by_role("button", name=re.compile(r"^Restore forum reply "))).to_be_visible()
    expect(frame.locator("[data-trail-entry]").first).to_contain_text("hid forum reply")
    shoot(page, "twinspace-moderation-hidden")

    frame = launch(page, demo_tool, "twinspace:pupil")
    expect(frame.locator(".thread").first).to_be_visible()
    expect(frame.locator(".thread").first).not_to_contain_text(REPLY)
    expect(frame.locator("[data-trail]")).to_have_count(0)
