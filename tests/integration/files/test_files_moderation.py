"""Uploaded files and moderation (issues 12 items 1 and 2 together): deleting a file material
removes its bytes, a hidden one is served to its moderators only, its edit never gives it a
link, and the public project page lists a public file without failing. SQLite and PostgreSQL
with the local store, and S3 (moto's server)."""

from __future__ import annotations

from typing import Any

import pytest

from etwin_lti.domain.model import MaterialKind, Visibility
from etwin_lti.errors import RemoteServiceError
from tests.integration.files.conftest import FilesWorld
from tests.integration.files.test_api_files import download, upload
from tests.support import sample_files as sf


def content_url(files: FilesWorld, material: int, action: str = "") -> str:
    w = files.world
    return f"/api/v1/twinspaces/{w.twinspace}/content/material/{material}{action}"


def moderate(files: FilesWorld, method: str, material: int, action: str = "", **body: Any) -> Any:
    return files.client.open(
        content_url(files, material, action),
        method=method,
        json={"actor_id": files.world.fr, **body},
        headers=files.token(),
    )


def listed(files: FilesWorld, viewer: int) -> dict[int, Any]:
    w = files.world
    got = files.client.get(
        f"/api/v1/twinspaces/{w.twinspace}/materials?viewer_id={viewer}", headers=files.token()
    )
    assert got.status_code == 200
    return {m["id"]: m for m in got.get_json()}


def made(files: FilesWorld, data: bytes, filename: str, **kw: Any) -> int:
    response = upload(files, data, filename, **kw)
    assert response.status_code == 201, response.get_json()
    return int(response.get_json()["id"])


# --- deleting a file material deletes its bytes -------------------------------------------


def test_deleting_a_photo_removes_its_file_and_thumbnail_only(files: FilesWorld) -> None:
    photo = made(files, sf.jpeg_with_gps(), "class.jpg")
    plan = made(files, sf.pdf(), "plan.pdf")
    before = files.stored()
    assert len(before) == 3  # the photo, its thumbnail, the plan

    assert moderate(files, "DELETE", photo).status_code == 204

    left = files.stored()
    assert len(left) == 1 and set(left) < set(before)
    assert photo not in listed(files, files.world.fr)
    assert download(files, photo).status_code == 404
    assert download(files, photo, which="thumbnail").status_code == 404
    kept = download(files, plan)
    assert kept.status_code == 200 and kept.data == sf.pdf()


def test_a_teacher_administrator_deleting_a_pupils_recording_removes_it(
    files: FilesWorld,
) -> None:
    w = files.world
    sound = made(files, sf.mp3(), "voice.mp3", actor=w.pupil)
    assert len(files.stored()) == 1
    deleted = moderate(files, "DELETE", sound, actor_id=w.de)  # a founder: teacher administrator
    assert deleted.status_code == 204
    assert files.stored() == []


def test_a_refused_delete_keeps_the_row_and_the_bytes(files: FilesWorld) -> None:
    w = files.world
    photo = made(files, sf.jpeg_with_gps(), "class.jpg")  # by fr
    before = files.state()
    # A pupil may not delete a teacher's material; a teacher outside the TwinSpace neither.
    assert moderate(files, "DELETE", photo, actor_id=w.pupil).status_code == 403
    assert moderate(files, "DELETE", photo, actor_id=w.it).status_code in {403, 404}
    # An id of another kind, and one that does not exist: nothing found, nothing removed.
    missing = files.client.delete(
        f"/api/v1/twinspaces/{w.twinspace}/content/page/{photo}",
        json={"actor_id": w.fr},
        headers=files.token(),
    )
    assert missing.status_code == 404
    assert moderate(files, "DELETE", photo + 1000).status_code == 404
    assert files.state() == before


def test_a_store_failing_after_the_delete_leaves_no_row_pointing_to_missing_bytes(
    files: FilesWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    photo = made(files, sf.jpeg_with_gps(), "class.jpg")
    store = files.hub._files
    calls: list[str] = []

    def unreachable(key: str) -> None:
        calls.append(key)
        raise RemoteServiceError("The file store could not be reached.")

    monkeypatch.setattr(store, "delete", unreachable)
    # The deletion stands (the row was committed away first); the objects stay as orphans
    # that no row names, never a material whose file is gone.
    assert moderate(files, "DELETE", photo).status_code == 204
    assert len(calls) == 2
    assert photo not in listed(files, files.world.fr)
    assert len(files.stored()) == 2


# --- a hidden file is served to the TwinSpace's teacher administrators only ----------------


def test_a_hidden_file_is_404_for_a_pupil_and_200_for_the_teacher_administrator(
    files: FilesWorld,
) -> None:
    w = files.world
    photo = made(files, sf.jpeg_with_gps(), "class.jpg", visibility="public")
    assert download(files, photo, viewer=w.pupil).status_code == 200
    assert moderate(files, "POST", photo, "/hide", actor_id=w.de).status_code == 200

    for which in ("file", "thumbnail"):
        assert download(files, photo, which=which, viewer=w.pupil).status_code == 404
        assert download(files, photo, which=which, viewer=None).status_code == 404  # public
        assert download(files, photo, which=which, viewer=w.it).status_code == 404
        admin = download(files, photo, which=which, viewer=w.fr)
        assert admin.status_code == 200 and admin.headers["Content-Type"] == "image/jpeg"
    # The author, a pupil, no longer sees it either; restored, everyone listed sees it again.
    assert photo not in listed(files, w.pupil)
    assert moderate(files, "POST", photo, "/restore", actor_id=w.de).status_code == 200
    assert download(files, photo, viewer=w.pupil).status_code == 200
    assert download(files, photo, viewer=None).status_code == 200


def test_a_hidden_pupils_file_is_hidden_from_the_pupil_who_uploaded_it(
    files: FilesWorld,
) -> None:
    w = files.world
    sound = made(files, sf.mp3(), "voice.mp3", actor=w.pupil)
    assert moderate(files, "POST", sound, "/hide", actor_id=w.fr).status_code == 200
    assert download(files, sound, viewer=w.pupil).status_code == 404
    assert download(files, sound, viewer=w.de).status_code == 200


# --- editing a file material changes its title, never gives it a link ----------------------


def test_editing_a_file_material_refuses_a_url_and_changes_nothing(files: FilesWorld) -> None:
    photo = made(files, sf.jpeg_with_gps(), "class.jpg")
    before = files.state()
    for body in (
        {"url": "https://example.org/elsewhere"},
        {"title": "New title", "url": "https://example.org/elsewhere"},
        {"url": "javascript:alert(1)"},
    ):
        refused = moderate(files, "PATCH", photo, **body)
        assert refused.status_code == 422, refused.get_json()
        assert "url" in refused.get_json()["errors"]
    assert files.state() == before


def test_editing_a_file_materials_title_keeps_it_a_file(files: FilesWorld) -> None:
    photo = made(files, sf.jpeg_with_gps(), "class.jpg")
    edited = moderate(files, "PATCH", photo, title="Our class, spring")
    assert edited.status_code == 200, edited.get_json()
    material = listed(files, files.world.fr)[photo]
    assert material["title"] == "Our class, spring"
    assert material["url"] is None and material["file"]["filename"] == "class.jpg"
    assert download(files, photo).status_code == 200


def test_a_link_material_still_edits_its_url(files: FilesWorld) -> None:
    w = files.world
    link = files.hub.add_material(
        w.fr, w.twinspace, "Site", MaterialKind.LINK, "https://example.org/a"
    )
    edited = moderate(files, "PATCH", link.id, url="https://example.org/b")
    assert edited.status_code == 200, edited.get_json()
    assert listed(files, w.fr)[link.id]["url"] == "https://example.org/b"


# --- the public project page lists a public file without a link ----------------------------


def test_the_public_page_links_a_public_file_to_its_public_address(files: FilesWorld) -> None:
    w = files.world
    pdf = made(files, sf.pdf(), "report.pdf", visibility="public", title="Our report")
    files.hub.add_material(
        w.fr,
        w.twinspace,
        "Our site",
        MaterialKind.LINK,
        "https://example.org/site",
        visibility=Visibility.PUBLIC,
    )
    page = files.client.get(f"/projects/{w.project}/public")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    public_file = f"/projects/{w.project}/public/materials/{pdf}/file"
    assert f'<a href="{public_file}" data-public-file>Our report</a>' in html
    assert 'href="None"' not in html and "/embed/" not in html  # never the members' address
    assert 'href="https://example.org/site"' in html
    api = files.client.get(f"/api/v1/public/projects/{w.project}", headers=files.token())
    assert api.status_code == 200
    by_title = {m["title"]: m for m in api.get_json()["materials"]}
    assert by_title["Our report"]["url"] is None
    assert by_title["Our site"]["url"] == "https://example.org/site"
