"""The founder runs the project from the LMS: the project page inside the sandbox LMS's iframe,
clicked in Chromium — edit the plan (a bad language code first), then extend the project."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import DemoTool
from tests.browser.test_sandbox_pages import launch, shoot

pytestmark = pytest.mark.browser


def test_founder_edits_the_plan_and_extends_the_project(page: Page, demo_tool: DemoTool) -> None:
    demo_tool.link("6", demo_tool.demo.people["founder_fr"])  # "assistant" is the founder
    frame = launch(page, demo_tool, "twinspace:assistant")
    frame.get_by_role("link", name="The project: plan, dates, permits and labels").click()
    expect(frame.get_by_role("heading", name="The project's plan")).to_be_visible()

    frame.locator("details.add summary", has_text="Edit the plan").click()
    form = frame.locator('form[data-form="plan"]')
    form.get_by_label("Description").fill("Rivers of Europe, measured by our pupils.")
    form.get_by_label("Subjects (one per line, at most 10)").fill("Geography\nBiology")
    form.get_by_label("Working languages (ISO 639-1 codes, e.g. en, fr, pl)").fill("en, xx")
    form.get_by_label("Primary (7–11)").check()
    form.get_by_role("button", name="Save the plan").click()
    error = frame.locator('.field-error[data-field="languages"]')
    expect(error).to_contain_text("Unknown language codes")
    expect(frame.locator('[data-plan="languages"]')).to_have_text("None recorded.")

    form = frame.locator('form[data-form="plan"]')  # shown again, open, with what was typed
    form.get_by_label("Working languages (ISO 639-1 codes, e.g. en, fr, pl)").fill("en, fr, it")
    form.get_by_label("Primary (7–11)").check()
    form.get_by_role("button", name="Save the plan").click()
    expect(frame.locator(".flash")).to_have_text("The project's plan was saved.")
    expect(frame.locator('[data-plan="languages"]')).to_have_text(
        "English (en), French (fr), Italian (it)"
    )
    expect(frame.locator('[data-plan="subjects"]')).to_have_text("Geography, Biology")
    expect(frame.locator('[data-plan="levels"]')).to_have_text("Primary (7–11)")

    new_end = (datetime.now(UTC).date() + timedelta(days=90)).isoformat()
    frame.locator("details.add summary", has_text="Extend the project").click()
    extend = frame.locator('form[data-form="extend"]')
    extend.get_by_label("New end date", exact=False).fill(new_end)
    extend.get_by_role("button", name="Extend the project").click()
    expect(frame.locator(".flash")).to_have_text(
        "The project was extended: its new end date is shown below."
    )
    # Shown per locale ("Mar 4, 2027"); the machine value is the ISO date.
    expect(frame.locator('[data-plan="ends_on"] time')).to_have_attribute("datetime", new_end)
    project = demo_tool.container.hub.get_project(demo_tool.demo.project_id)
    assert project.languages == ("en", "fr", "it") and project.ends_on is not None
    assert project.ends_on.isoformat() == new_end
    shoot(page, "project-founder")
