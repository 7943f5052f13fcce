"""Uploading files from the TwinSpace page and opening them (issue 12 item 1), with real
launches, on SQLite and PostgreSQL."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from PIL import ExifTags, Image

from etwin_lti.domain.model import PersonKind, TwinSpaceRole, Visibility
from tests.integration.pages.conftest import PagesWorld, hidden_fields, submit
from tests.support import sample_files as sf
from tests.support.lti_tokens import ROLE_INSTRUCTOR, ROLE_LEARNER
from tests.support.sample_files import multipart


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_world(request: pytest.FixtureRequest) -> PagesWorld:
    world: PagesWorld = request.getfixturevalue(
        "world" if request.param == "sqlite" else "pg_world"
    )
    return world


def post_file(
    world: PagesWorld, client: FlaskClient, data: bytes, filename: str, **form: str
) -> Any:
    page = client.get(world.ts_url)
    assert page.status_code == 200
    fields = {**hidden_fields(page.get_data(as_text=True)), "title": "Class photo", **form}
    body, content_type = multipart(fields, data, filename)
    return client.post(
        f"{world.ts_url}/materials/upload",
        input_stream=io.BytesIO(body),
        content_type=content_type,
        content_length=len(body),
    )


def file_links(page: str) -> dict[str, str]:
    """data-file id -> the link the page shows for it."""
    return dict(
        (m.group(2), m.group(1))
        for m in re.finditer(r'<a href="([^"]+/file)" data-file="(\d+)"', page)
    )


def materials(world: PagesWorld) -> list[Any]:
    founder = world.demo.people["founder_fr"]
    return list(world.hub.list_materials(world.demo.twinspace_id, viewer_id=founder))


def test_founder_uploads_a_photo_served_without_its_gps(any_world: PagesWorld) -> None:
    world = any_world
    client = world.as_founder()
    response = post_file(world, client, sf.jpeg_with_gps(), "IMG_1.jpg", visibility="public")
    assert response.status_code == 303, response.get_data(as_text=True)[:600]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Your file was uploaded." in page
    [(mid, link)] = file_links(page).items()
    assert f"/materials/{mid}/thumbnail" in page
    served = client.get(link, buffered=True)
    assert served.status_code == 200 and served.headers["Content-Type"] == "image/jpeg"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    photo = Image.open(io.BytesIO(served.data))
    assert not photo.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    assert sf.CAMERA_MARK.encode() not in served.data
    thumb = client.get(f"{world.ts_url}/materials/{mid}/thumbnail", buffered=True)
    assert thumb.status_code == 200 and thumb.headers["Content-Type"] == "image/jpeg"


def test_a_pupils_sound_is_private_and_served_in_ranges(any_world: PagesWorld) -> None:
    world = any_world
    pupil = world.as_pupil()
    data = sf.mp3()
    response = post_file(world, pupil, data, "our song.mp3")
    assert response.status_code == 303, response.get_data(as_text=True)[:600]
    [made] = [m for m in materials(world) if m.file is not None]
    assert made.visibility is Visibility.PRIVATE and made.kind.value == "sound"
    url = f"{world.ts_url}/materials/{made.id}/file"
    part = world.as_founder().get(url, headers={"Range": "bytes=0-99"}, buffered=True)
    assert part.status_code == 206 and part.data == data[:100]
    assert part.headers["Content-Range"] == f"bytes 0-99/{len(data)}"
    page = pupil.get(world.ts_url).get_data(as_text=True)
    assert f'<audio controls preload="none" src="{url}">' in page


def test_a_guest_gets_no_private_file(world: PagesWorld) -> None:
    founder = world.as_founder()
    post_file(world, founder, sf.pdf(), "plan.pdf", visibility="private")
    [made] = [m for m in materials(world) if m.file is not None]
    people = world.demo.people
    visitor = world.hub.create_person("Parent", PersonKind.TEACHER, country_code="FR").id
    world.hub.add_member(
        people["founder_fr"], world.demo.twinspace_id, visitor, TwinSpaceRole.GUEST
    )
    world.launcher.link(world.app, "parent", visitor)
    guest = world.launched("parent", [ROLE_INSTRUCTOR], world.ts)
    assert str(made.id) not in file_links(guest.get(world.ts_url).get_data(as_text=True))
    refused = guest.get(f"{world.ts_url}/materials/{made.id}/file")
    assert refused.status_code == 404
    assert 'data-error="not_found"' in refused.get_data(as_text=True)


def test_a_file_of_another_twinspace_is_refused(world: PagesWorld) -> None:
    founder = world.as_founder()
    post_file(world, founder, sf.pdf(), "plan.pdf")
    [made] = [m for m in materials(world) if m.file is not None]
    # The pupil's launch is for this TwinSpace: another id in the URL is another resource.
    pupil = world.as_pupil()
    other = pupil.get(f"/embed/twinspace/{world.demo.twinspace_id + 1000}/materials/{made.id}/file")
    assert other.status_code in (403, 404)
    assert pupil.get(f"{world.ts_url}/materials/999999/file").status_code == 404
    assert world.client().get(f"{world.ts_url}/materials/{made.id}/file").status_code == 401


PAGE_REFUSALS = [
    # (who, file bytes, filename, extra form, status, field or error code shown)
    ("founder-fr", sf.exe, "holiday.jpg", {}, 422, 'data-field="file"'),
    ("founder-fr", sf.svg_with_script, "a.svg", {}, 422, 'data-field="file"'),
    ("founder-fr", sf.zip_bomb_docx, "r.docx", {}, 422, 'data-field="file"'),
    ("founder-fr", lambda: b"", "e.pdf", {}, 422, 'data-field="file"'),
    ("founder-fr", sf.pdf, "a.pdf", {"title": ""}, 422, 'data-field="title"'),
    ("founder-fr", sf.pdf, "a.pdf", {"visibility": "all"}, 422, 'data-field="visibility"'),
    ("pupil-b", sf.pdf, "a.pdf", {"visibility": "public"}, 409, 'data-error="rule_violation"'),
]


@pytest.mark.parametrize(("sub", "make", "filename", "form", "status", "shown"), PAGE_REFUSALS)
def test_refused_uploads_show_why_and_store_nothing(
    world: PagesWorld,
    sub: str,
    make: Any,
    filename: str,
    form: dict[str, str],
    status: int,
    shown: str,
) -> None:
    roles = [ROLE_LEARNER] if sub.startswith("pupil") else [ROLE_INSTRUCTOR]
    client = world.launched(sub, roles, world.ts)
    before = materials(world)
    response = post_file(world, client, make(), filename, **form)
    assert response.status_code == status
    assert shown in response.get_data(as_text=True)
    assert materials(world) == before
    files = Path(world.app.instance_path) / "files"
    assert not [p for p in files.rglob("*") if p.is_file()]


def test_an_upload_without_the_csrf_token_is_refused(world: PagesWorld) -> None:
    client = world.as_founder()
    body, content_type = multipart({"title": "No token"}, sf.pdf(), "a.pdf")
    response = client.post(
        f"{world.ts_url}/materials/upload",
        input_stream=io.BytesIO(body),
        content_type=content_type,
        content_length=len(body),
    )
    assert response.status_code == 403
    assert materials(world) == [m for m in materials(world) if m.file is None]


def test_the_page_takes_files_above_the_apps_2_mb_form_limit(world: PagesWorld) -> None:
    client = world.as_founder()
    big = sf.pdf() + b"0" * (3 * 1024 * 1024)
    response = post_file(world, client, big, "big.pdf")
    assert response.status_code == 303, response.get_data(as_text=True)[:300]
    [made] = [m for m in materials(world) if m.file is not None]
    assert made.file is not None and made.file.size == len(big)


# --- files and moderation on the page ------------------------------------------------------


def uploaded_by_founder(world: PagesWorld, client: FlaskClient, **form: str) -> str:
    response = post_file(world, client, sf.jpeg_with_gps(), "class.jpg", **form)
    assert response.status_code == 303, response.get_data(as_text=True)[:600]
    [mid] = file_links(client.get(world.ts_url).get_data(as_text=True))
    return mid


def test_a_hidden_file_is_404_for_a_pupil_and_200_for_the_teacher_administrator(
    any_world: PagesWorld,
) -> None:
    world = any_world
    founder, pupil = world.as_founder(), world.as_pupil()
    mid = uploaded_by_founder(world, founder)
    file_url = f"{world.ts_url}/materials/{mid}/file"
    assert pupil.get(file_url, buffered=True).status_code == 200

    hidden = submit(founder, world.ts_url, f"{world.ts_url}/content/material/{mid}/hide")
    assert hidden.status_code == 303
    for url in (file_url, f"{world.ts_url}/materials/{mid}/thumbnail"):
        assert pupil.get(url, buffered=True).status_code == 404
        assert founder.get(url, buffered=True).status_code == 200
    assert f'data-file="{mid}"' not in pupil.get(world.ts_url).get_data(as_text=True)

    restored = submit(founder, world.ts_url, f"{world.ts_url}/content/material/{mid}/restore")
    assert restored.status_code == 303
    assert pupil.get(file_url, buffered=True).status_code == 200


def test_a_file_materials_edit_form_asks_for_its_title_only(any_world: PagesWorld) -> None:
    world = any_world
    founder = world.as_founder()
    mid = uploaded_by_founder(world, founder)
    page = founder.get(world.ts_url).get_data(as_text=True)
    start = page.index(f'data-controls="material-{mid}"')
    controls = page[start : page.index("</div>", start)]
    assert 'name="title"' in controls and 'name="url"' not in controls

    edit = f"{world.ts_url}/content/material/{mid}/edit"
    saved = submit(founder, world.ts_url, edit, title="Our class, spring")
    assert saved.status_code == 303, saved.get_data(as_text=True)[:600]
    [edited] = [m for m in materials(world) if str(m.id) == mid]
    assert edited.title == "Our class, spring" and edited.url is None and edited.file

    # A url posted by hand is refused on the page too, and nothing changes.
    refused = submit(founder, world.ts_url, edit, title="Other", url="https://example.org/x")
    assert refused.status_code == 422, refused.status_code
    assert "An uploaded file has no link to edit" in refused.get_data(as_text=True)
    [kept] = [m for m in materials(world) if str(m.id) == mid]
    assert kept == edited
