"""Every launch of the sandbox LMS, clicked in Chromium; the embedded pages inside its iframe."""

from __future__ import annotations

import pytest
from playwright.sync_api import FrameLocator, Page, expect

from tests.browser.conftest import SHOTS, DemoTool

pytestmark = pytest.mark.browser


def launch(page: Page, tool: DemoTool, button: str) -> FrameLocator:
    """Open the sandbox LMS, click one launch button, wait for the tool's page in the iframe."""
    page.goto(tool.base_url + "/sandbox/")
    page.click(f'[data-launch="{button}"]')
    frame = page.frame_locator("iframe.lms-frame")
    frame.locator("main").wait_for()
    return frame


def shoot(page: Page, name: str) -> None:
    """The tool's page at full length (same browser context, so the same launch cookie)."""
    frame = page.frame(name="lms-frame")
    assert frame is not None
    SHOTS.mkdir(parents=True, exist_ok=True)
    if frame.url.endswith("/lti/launch"):
        # A refused launch is the answer to the LMS's POST: it cannot be reopened by URL.
        page.locator("iframe.lms-frame").screenshot(path=str(SHOTS / f"{name}.png"))
        return
    tab = page.context.new_page()
    tab.goto(frame.url)
    SHOTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    tab.close()


@pytest.mark.parametrize(
    ("user", "role", "admin_controls"),
    [("teacher", "teacher", False), ("pupil", "pupil", False), ("admin", "admin", False)],
)
def test_twinspace_launch_shows_the_mapped_role(
    page: Page, demo_tool: DemoTool, user: str, role: str, admin_controls: bool
) -> None:
    frame = launch(page, demo_tool, f"twinspace:{user}")
    main = frame.locator("main")
    expect(main).to_have_attribute("data-etwin-role", role)
    expect(frame.locator("h1")).to_have_text("Our Rivers, Our Future")
    expect(frame.locator('[data-action="sync-roster"]')).to_have_count(0)
    expect(frame.locator("details.manage")).to_have_count(0)
    shoot(page, f"twinspace-{user}")


def test_mentor_gets_the_refusal_page(page: Page, demo_tool: DemoTool) -> None:
    frame = launch(page, demo_tool, "twinspace:mentor")
    expect(frame.locator("main")).to_have_attribute("data-error", "forbidden")
    expect(frame.locator("main")).to_contain_text("cannot enter a TwinSpace where pupils work")
    shoot(page, "twinspace-mentor-refused")


def test_teacher_administrator_and_pupil_use_the_twinspace(page: Page, demo_tool: DemoTool) -> None:
    demo_tool.link("6", demo_tool.demo.people["founder_fr"])  # "assistant" is the founder
    frame = launch(page, demo_tool, "twinspace:assistant")
    expect(frame.locator("main")).to_have_attribute("data-etwin-role", "teacher_administrator")
    expect(frame.locator('[data-action="sync-roster"]')).to_be_visible()
    frame.locator("details.add summary", has_text="Write a Diary post").click()
    form = frame.locator('form[data-form="diary"]')
    form.locator('input[name="title"]').fill("Week 3: river songs")
    form.locator('textarea[name="body"]').fill("Each class recorded a song.")
    form.locator("button").click()
    expect(frame.locator(".flash")).to_have_text("Your post is in the Project Diary.")
    expect(frame.locator(".diary-post").first).to_contain_text("Week 3: river songs")
    shoot(page, "twinspace-teacher-administrator")
    frame = launch(page, demo_tool, "twinspace:pupil")
    reply = frame.locator('form[data-form="reply"]').first
    reply.locator('input[name="body"]').fill("Otters too!")
    reply.locator("button").click()
    expect(frame.locator(".flash")).to_have_text("Your reply was added.")
    expect(frame.locator(".thread").first).to_contain_text("Otters too!")
    # An empty reply: the page comes back with the field's error, nothing written.
    frame.locator('form[data-form="reply"]').first.locator("button").click()
    expect(frame.locator('.field-error[data-field="body"]')).to_be_visible()


def test_event_expert_marks_complete_and_the_certificate_appears(
    page: Page, demo_tool: DemoTool
) -> None:
    # The event is in the distance course (a teacher-training course): Theo, a teacher who
    # learns there, is enrolled as a participant.
    frame = launch(page, demo_tool, "event:trainee")
    expect(frame.locator("main")).to_have_attribute("data-etwin-role", "participant")
    expect(frame.locator('[data-completed="false"]')).to_be_visible()
    demo_tool.link("6", demo_tool.demo.people["expert"])  # "assistant" is the event's expert
    frame = launch(page, demo_tool, "event:assistant")
    expect(frame.locator("main")).to_have_attribute("data-etwin-role", "expert")
    row = frame.locator("tr[data-participant]", has_text="Theo Trainee")
    row.locator('[data-action="complete"]').click()
    expect(frame.locator(".flash")).to_contain_text("certificate was issued")
    expect(frame.locator("tr[data-participant]", has_text="Theo Trainee")).to_contain_text(
        "complete"
    )
    shoot(page, "event-expert")
    frame = launch(page, demo_tool, "event:trainee")
    expect(frame.locator('[data-completed="true"]')).to_be_visible()
    expect(frame.locator('a[data-link="certificate"]')).to_be_visible()
    shoot(page, "event-participant-certificate")


def test_the_class_pupils_have_no_button_for_the_distance_course(
    page: Page, demo_tool: DemoTool
) -> None:
    page.goto(demo_tool.base_url + "/sandbox/")
    expect(page.locator('[data-launch="twinspace:pupil"]')).to_have_count(1)
    expect(page.locator('[data-launch="unit:pupil"]')).to_have_count(0)
    expect(page.locator('[data-launch="event:pupil"]')).to_have_count(0)
    expect(page.locator('[data-launch="twinspace:trainee"]')).to_have_count(0)


def test_event_as_lms_teacher_enrols_and_takes_part(page: Page, demo_tool: DemoTool) -> None:
    # No LMS role makes an expert (issue 9 item 5): the LMS teacher may enrol, and then takes part.
    frame = launch(page, demo_tool, "event:teacher")
    expect(frame.locator("main")).to_have_attribute("data-etwin-role", "teacher")
    expect(frame.locator('[data-action="complete"]')).to_have_count(0)
    frame.locator('[data-action="enrol"]').click()
    expect(frame.locator("main")).to_have_attribute("data-etwin-role", "participant")
    expect(frame.locator(".who")).to_contain_text("participant")
    expect(frame.locator('[data-completed="false"]')).to_be_visible()
    expect(frame.locator('[data-action="enrol"]')).to_have_count(0)


def test_unit_trainee_marks_done_and_trainer_sees_progress(page: Page, demo_tool: DemoTool) -> None:
    frame = launch(page, demo_tool, "unit:trainee")
    expect(frame.locator("main")).to_have_attribute("data-etwin-role", "trainee")
    expect(frame.locator(".progress")).to_have_attribute("data-done", "0")
    frame.locator('[data-action="mark-done"]').first.click()
    expect(frame.locator(".progress")).to_have_attribute("data-done", "1")
    expect(frame.locator("li[data-activity]").first).to_have_attribute("data-done", "true")
    shoot(page, "unit-trainee")
    frame = launch(page, demo_tool, "unit:teacher")
    expect(frame.locator("main")).to_have_attribute("data-etwin-role", "trainer")
    demo_tool.link("7", demo_tool.demo.people["trainer_1"])  # "designer" trains the edition
    frame = launch(page, demo_tool, "unit:designer")
    expect(frame.locator("main")).to_have_attribute("data-etwin-role", "trainer")
    expect(frame.locator('tr[data-trainee="Theo Trainee"]')).to_be_visible()
    shoot(page, "unit-trainer")
    frame.locator("nav a", has_text="My acknowledgements").click()
    expect(frame.locator(".edition-dashboard")).to_be_visible()
    expect(frame.locator('a[data-link="csv"]')).to_be_visible()
    shoot(page, "acknowledgements-trainer")
