"""The tool's pages in the launch's language, inside the sandbox LMS's iframe (ADR 0029): the
sandbox sends the ``locale`` claim the user picked, the tool answers in French or Spanish, with
dates in that language's format and the time zone named, and falls back to English."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import FrameLocator, Page, expect

from tests.browser.conftest import DemoTool
from tests.browser.test_sandbox_pages import shoot

pytestmark = pytest.mark.browser


def launch_in(page: Page, tool: DemoTool, locale: str, button: str) -> FrameLocator:
    page.goto(f"{tool.base_url}/sandbox/?locale={locale}")
    page.click(f'[data-launch="{button}"]')
    frame = page.frame_locator("iframe.lms-frame")
    frame.locator("main").wait_for()
    return frame


def test_a_french_launch_reads_french_inside_the_lms_frame(page: Page, demo_tool: DemoTool) -> None:
    demo_tool.link("6", demo_tool.demo.people["founder_fr"])  # "assistant" is the founder
    frame = launch_in(page, demo_tool, "fr", "twinspace:assistant")
    expect(frame.locator("html")).to_have_attribute("lang", "fr")
    expect(frame.locator("#diary-h")).to_have_text("Journal du projet")
    frame.locator("details.add summary", has_text="Écrire un billet dans le Journal").click()
    form = frame.locator('form[data-form="diary"]')
    form.locator('input[name="title"]').fill("Semaine 3 : chansons de la rivière")
    form.locator('textarea[name="body"]').fill("Chaque classe a enregistré une chanson.")
    form.locator("button").click()
    expect(frame.locator(".flash")).to_have_text("Votre billet figure dans le Journal du projet.")
    # "4 déc. 2026, 14:05 UTC": the French medium date, a 24-hour time and the zone.
    signature = frame.locator(".diary-post").first.locator("p.muted")
    expect(signature).to_have_text(re.compile(r"^par .+ · \d{1,2} \S+ \d{4}, \d{2}:\d{2} UTC$"))
    shoot(page, "twinspace-in-french")


def test_a_spanish_refusal_page_inside_the_frame(page: Page, demo_tool: DemoTool) -> None:
    frame = launch_in(page, demo_tool, "es", "twinspace:mentor")
    expect(frame.locator("html")).to_have_attribute("lang", "es")
    expect(frame.locator("main")).to_have_attribute("data-error", "forbidden")
    expect(frame.locator("main .who")).to_contain_text("Quién puede solucionarlo:")
    expect(frame.locator("main .code")).to_contain_text("Código de error:")


def test_an_unsupported_locale_reads_english(page: Page, demo_tool: DemoTool) -> None:
    frame = launch_in(page, demo_tool, "de", "twinspace:teacher")
    expect(frame.locator("html")).to_have_attribute("lang", "en")
    expect(frame.locator("#diary-h")).to_have_text("Project Diary")
