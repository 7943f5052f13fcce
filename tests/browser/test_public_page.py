"""An anonymous visitor, in Chromium with no LMS and no login, opens the gallery and a
project's public page (issue 12 item 3): the public work is there, and no pupil's name (nor
any person's name or e-mail) is anywhere in the whole HTML; the tool sets no cookie."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from etwin_lti.domain.model import PersonKind
from tests.browser.conftest import SHOTS, DemoTool

pytestmark = pytest.mark.browser


def test_anonymous_visitor_sees_the_public_page_and_no_names(
    page: Page, demo_tool: DemoTool
) -> None:
    hub, demo = demo_tool.container.hub, demo_tool.demo
    response = page.goto(demo_tool.base_url + "/projects/public")
    assert response is not None and response.status == 200
    page.click(f'[data-gallery-project="{demo.project_id}"] a')
    expect(page.locator("main")).to_have_attribute("data-public-project", str(demo.project_id))
    expect(page.locator("h1")).to_have_text("Our Rivers, Our Future")
    expect(page.locator(".pages")).to_contain_text("About our project")
    expect(page.locator(".materials")).to_contain_text("Map of our three rivers")
    expect(page.locator(".diary")).to_contain_text("Kick-off: we met online")
    expect(page.locator(".diary")).to_contain_text("a partner school in Poland")
    expect(page.locator("body")).not_to_contain_text("Week 1: Meet the rivers")  # private

    html = page.content()
    people = [hub.get_person(pid) for pid in demo.people.values()]
    pupils = [p for p in people if p.kind is PersonKind.PUPIL]
    assert pupils  # the demo TwinSpace has pupils, who commented in the Diary
    for person in people:
        assert person.display_name not in html, person.display_name
        assert not person.email or person.email not in html
        assert not person.school or person.school not in html  # partners' and NSOs' only
    assert page.context.cookies() == []  # no cookie of the tool's, no login
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "public-project-page.png"), full_page=True)


def test_a_project_without_a_public_page_is_the_same_404(page: Page, demo_tool: DemoTool) -> None:
    hub = demo_tool.container.hub
    a = hub.create_person("Ada Pending", PersonKind.TEACHER, country_code="FR")
    b = hub.create_person("Bea Pending", PersonKind.TEACHER, country_code="IT")
    pending = hub.create_project(a.id, b.id, "Still pending")
    texts = []
    for project_id in (pending.id, 2_000_000_000):
        response = page.goto(f"{demo_tool.base_url}/projects/{project_id}/public")
        assert response is not None and response.status == 404
        texts.append(page.locator("main").inner_text())
    assert texts[0] == texts[1] and "Still pending" not in texts[0]
