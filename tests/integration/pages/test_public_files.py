"""Files the public project page lists, for anyone (issue 12 item 3): a public upload opens
from ``/projects/<id>/public/materials/<id>/file`` (a photo also as its thumbnail), cleaned as
at upload, with the safe file headers, cacheable like the page, cookie-free. Everything else
(private, hidden, a link, another project's material, a project without a public page, an
unknown id) is one 404 that tells none of them apart."""

from __future__ import annotations

import io
from typing import Any

import pytest

from etwin_lti.domain.model import MaterialKind, PersonKind, Visibility
from etwin_lti.domain.moderation import ContentKind
from etwin_lti.services.uploads import add_uploaded_material
from tests.integration.pages.conftest import PagesWorld
from tests.integration.pages.test_public_project_page import NONCE, anonymous
from tests.support import sample_files as sf


def upload(world: PagesWorld, title: str, data: bytes, name: str, visibility: Visibility) -> int:
    founder = world.demo.people["founder_fr"]
    made = add_uploaded_material(
        world.hub, founder, world.demo.twinspace_id, title, io.BytesIO(data), name,
        visibility=visibility,
    )  # fmt: skip
    return made.id


def fetch(world: PagesWorld, path: str, **headers: str) -> tuple[Any, bytes]:
    """The answer and its body, read whole; the streamed file is closed."""
    response = anonymous(world).get(path, headers=headers)
    data = response.get_data()
    response.close()
    return response, data


def url(project_id: int, material_id: int, which: str = "file") -> str:
    return f"/projects/{project_id}/public/materials/{material_id}/{which}"


def test_a_public_photo_opens_cleaned_with_its_thumbnail_and_the_page_links_them(
    either: PagesWorld,
) -> None:
    project = either.demo.project_id
    photo = upload(either, "Our river at dawn", sf.jpeg_with_gps(), "dawn.jpg", Visibility.PUBLIC)
    page = anonymous(either).get(f"/projects/{project}/public").get_data(as_text=True)
    assert f'href="{url(project, photo)}"' in page
    assert f'src="{url(project, photo, "thumbnail")}"' in page

    response, data = fetch(either, url(project, photo))
    assert response.status_code == 200
    assert data[:2] == b"\xff\xd8" and sf.CAMERA_MARK.encode() not in data  # no GPS, no serial
    headers = response.headers
    assert headers["Content-Type"] == "image/jpeg"
    assert headers["Content-Disposition"].startswith("inline")
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in headers["Content-Security-Policy"]
    assert headers["Cache-Control"] == "public, max-age=60"
    assert "Set-Cookie" not in headers
    ranged, part = fetch(either, url(project, photo), Range="bytes=0-9")
    assert ranged.status_code == 206 and part == data[:10]
    revalidated, _ = fetch(either, url(project, photo), **{"If-None-Match": headers["ETag"]})
    assert revalidated.status_code == 304
    thumbnail, small = fetch(either, url(project, photo, "thumbnail"))
    assert thumbnail.status_code == 200 and small[:2] == b"\xff\xd8"


def test_a_public_document_is_an_attachment(either: PagesWorld) -> None:
    project = either.demo.project_id
    doc = upload(either, "Water report", sf.pdf(), "report.pdf", Visibility.PUBLIC)
    response, data = fetch(either, url(project, doc))
    assert response.status_code == 200 and data == sf.pdf()
    assert response.headers["Content-Disposition"] == 'attachment; filename="report.pdf"'
    # A document has no thumbnail: the same 404 as everything else.
    assert anonymous(either).get(url(project, doc, "thumbnail")).status_code == 404


def test_one_404_for_everything_the_public_page_does_not_list(either: PagesWorld) -> None:
    hub, demo = either.hub, either.demo
    project, ts, founder = demo.project_id, demo.twinspace_id, demo.people["founder_fr"]
    private = upload(either, "Class list photo", sf.png(), "class.png", Visibility.PRIVATE)
    hidden = upload(either, "Hidden photo", sf.png(), "hidden.png", Visibility.PUBLIC)
    hub.hide_content(founder, ts, ContentKind.MATERIAL, hidden)
    link = hub.add_material(
        founder, ts, "A public link", MaterialKind.LINK, "https://example.org/x",
        visibility=Visibility.PUBLIC,
    ).id  # fmt: skip
    # A public file of another approved project, asked for through this project's address.
    a = hub.create_person("Ann Other", PersonKind.TEACHER, country_code="FR")
    b = hub.create_person("Ben Other", PersonKind.TEACHER, country_code="IT")
    other = hub.create_project(a.id, b.id, "Another project")
    hub.validate_project("FR", other.id)
    other = hub.validate_project("IT", other.id)
    elsewhere = add_uploaded_material(
        hub, a.id, other.twinspace_id, "Elsewhere", io.BytesIO(sf.png()), "e.png",
        visibility=Visibility.PUBLIC,
    ).id  # fmt: skip
    pending = hub.create_project(a.id, b.id, "Pending project")
    public = upload(either, "Public photo", sf.png(), "public.png", Visibility.PUBLIC)
    asked = [
        url(project, private),
        url(project, private, "thumbnail"),
        url(project, hidden),
        url(project, link),
        url(project, elsewhere),
        url(pending.id, public),
        url(2_000_000_000, public),
        url(project, 2_000_000_000),
    ]
    bodies = set()
    for path in asked:
        response = anonymous(either).get(path)
        assert response.status_code == 404, path
        assert "Content-Disposition" not in response.headers
        bodies.add(NONCE.sub("", response.get_data(as_text=True)))
        api = anonymous(either).get(path, headers={"Accept": "application/json"})
        assert api.status_code == 404 and api.get_json()["code"] == "no_public_file", path
    assert len(bodies) == 1
    assert fetch(either, url(other.id, elsewhere))[0].status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/projects/1/public/materials/1/original",
        "/projects/1/public/materials/-1/file",
        "/projects/1/public/materials/1e3/file",
        "/projects/x/public/materials/1/file",
        "/projects/1/public/materials/1/file/../../../etc/passwd",
    ],
)
def test_hostile_addresses_are_404(world: PagesWorld, path: str) -> None:
    response = anonymous(world).get(path)
    assert response.status_code == 404
    assert "Traceback" not in response.get_data(as_text=True)
