"""Chromium opens an Open Badge assertion's URL (as from a certificate or a CV): it gets the page
in words, follows "Verify", checks the holder's identity; a program on the same URL keeps the
JSON-LD (issue 13 item 4)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from etwin_lti.services.badges import BadgeUrls, recipient_key
from tests.browser.conftest import SHOTS, DemoTool

pytestmark = pytest.mark.browser


def test_a_browser_reads_and_verifies_a_badge(page: Page, demo_tool: DemoTool) -> None:
    container, demo = demo_tool.container, demo_tool.demo
    holder = demo.people["founder_it"]
    issued = container.hub.complete_course(None, demo.edition_id, holder)
    settings = container.settings
    url = BadgeUrls(settings.base_url)
    response = page.goto(url.assertion(issued.id))
    assert response is not None and response.status == 200
    assert response.headers["content-type"].startswith("text/html")
    expect(page.locator("h1")).to_have_text("Certificate of completion")
    expect(page.locator('[data-fact="criteria"]')).to_contain_text("Completed every unit")
    expect(page.locator("main")).not_to_contain_text(container.hub.get_person(holder).display_name)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 360, "height": 800})
    page.screenshot(path=str(SHOTS / "badge-page-360.png"), full_page=True)
    page.set_viewport_size({"width": 1200, "height": 900})

    page.click('[data-action="verify"]')
    expect(page.locator("[data-verdict]")).to_have_attribute("data-verdict", "valid")
    expect(page.locator('[data-check="recipient"]')).to_have_attribute("data-passed", "unchecked")
    identity = url.recipient(recipient_key(settings.secret_key), holder)
    page.fill('input[name="identity"]', identity)
    page.click('button:has-text("Check the recipient")')
    expect(page.locator('[data-check="recipient"]')).to_have_attribute("data-passed", "yes")
    page.screenshot(path=str(SHOTS / "badge-verify.png"), full_page=True)

    machine = page.request.get(url.assertion(issued.id), headers={"Accept": "application/ld+json"})
    assert machine.status == 200 and machine.json()["type"] == "Assertion"
