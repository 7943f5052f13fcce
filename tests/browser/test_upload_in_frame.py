"""Uploading into TwinSpace materials inside the LMS frame, clicked in Chromium: the founder
picks a photo through the real file input, sees it listed with its thumbnail, and the photo the
browser gets back has lost its location; a program renamed ``.jpg`` is refused in the frame."""

from __future__ import annotations

import io

import pytest
from PIL import ExifTags, Image
from playwright.sync_api import Frame, FrameLocator, Page, expect

from tests.browser.conftest import SHOTS, DemoTool
from tests.browser.test_sandbox_pages import launch, shoot
from tests.support import sample_files as sf

pytestmark = pytest.mark.browser

PHOTO_TITLE = "Otters at the bridge"

# Fetched by the page inside the frame, so the request carries what the browser really has
# there (the launch cookie of the framed tool), not cookies copied into a side client.
FETCH_BYTES = """async (url) => {
  const response = await fetch(url, {credentials: "same-origin"});
  const body = new Uint8Array(await response.arrayBuffer());
  return {status: response.status, type: response.headers.get("Content-Type"),
          body: Array.from(body)};
}"""


def founder_frame(page: Page, demo_tool: DemoTool) -> FrameLocator:
    demo_tool.link("6", demo_tool.demo.people["founder_fr"])  # "assistant" is the founder
    frame = launch(page, demo_tool, "twinspace:assistant")
    expect(frame.locator("main")).to_have_attribute("data-etwin-role", "teacher_administrator")
    return frame


def upload(page: Page, frame: FrameLocator, title: str, name: str, data: bytes, mime: str) -> int:
    """Fill and send the upload form as a person would; the status of the form's POST."""
    frame.locator("details.add summary", has_text="Upload a document, photo or sound").click()
    form = frame.locator('form[data-form="files"]')
    form.locator('input[name="title"]').fill(title)
    form.locator('input[type="file"][name="file"]').set_input_files(
        {"name": name, "mimeType": mime, "buffer": data}
    )
    with page.expect_response(lambda r: r.url.endswith("/materials/upload")) as posted:
        form.get_by_role("button", name="Upload").click()
    return posted.value.status


def tool_frame(page: Page) -> Frame:
    frame = page.frame(name="lms-frame")
    assert frame is not None
    return frame


def test_a_founder_uploads_a_photo_in_the_frame_and_gets_it_back_without_gps(
    page: Page, demo_tool: DemoTool
) -> None:
    frame = founder_frame(page, demo_tool)
    photo = sf.jpeg_with_gps((320, 240))  # built with Pillow, GPS and camera mark in its EXIF
    assert upload(page, frame, PHOTO_TITLE, "otters.jpg", photo, "image/jpeg") == 303

    expect(frame.locator(".flash")).to_have_text("Your file was uploaded.")
    item = frame.locator("li[data-material]", has_text=PHOTO_TITLE)
    expect(item).to_have_count(1)
    expect(item.locator(".badge").first).to_have_text("photo")
    thumbnail = item.locator("img.thumbnail")
    thumbnail.scroll_into_view_if_needed()  # loading="lazy": only fetched once in view
    expect(thumbnail).to_have_js_property("complete", True)
    assert thumbnail.evaluate("img => img.naturalWidth") > 0
    shoot(page, "twinspace-upload-photo")

    file_url = item.locator("a[data-file]").get_attribute("href")
    assert file_url is not None and file_url.endswith("/file")
    served = tool_frame(page).evaluate(FETCH_BYTES, file_url)
    assert served["status"] == 200 and served["type"] == "image/jpeg"
    body = bytes(served["body"])
    with Image.open(io.BytesIO(body)) as image:
        assert image.format == "JPEG" and image.size == (320, 240)
        exif = image.getexif()
        assert not exif.get_ifd(ExifTags.IFD.GPSInfo)
        assert ExifTags.Base.ImageDescription not in exif
    assert sf.CAMERA_MARK.encode() not in body


def test_a_program_renamed_jpg_is_refused_in_the_frame_and_nothing_is_listed(
    page: Page, demo_tool: DemoTool
) -> None:
    frame = founder_frame(page, demo_tool)
    before = frame.locator("li[data-material]").count()
    assert upload(page, frame, "Holiday photo", "holiday.jpg", sf.exe(), "image/jpeg") == 422

    refusal = frame.locator('form[data-form="files"] .field-error[data-field="file"]')
    expect(refusal).to_contain_text("This file's content is EXE, which cannot be uploaded")
    expect(refusal).to_be_visible()  # the upload section is open on the refusal
    expect(frame.locator("main")).to_have_attribute("data-etwin-role", "teacher_administrator")
    expect(frame.locator("li[data-material]", has_text="Holiday photo")).to_have_count(0)
    expect(frame.locator("li[data-material]")).to_have_count(before)
    expect(frame.locator(".flash")).to_have_count(0)
    # The refusal is the answer to the form's POST (no URL to reopen): shot in place.
    refusal.scroll_into_view_if_needed()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.locator("iframe.lms-frame").screenshot(path=str(SHOTS / "twinspace-upload-refused.png"))

    # Nothing was stored: a fresh launch lists the same materials as before.
    frame = launch(page, demo_tool, "twinspace:assistant")
    expect(frame.locator("li[data-material]")).to_have_count(before)
    expect(frame.locator("li[data-material]", has_text="Holiday photo")).to_have_count(0)
