"""Uploaded files through ``HttpHubConnector`` against a second running instance (its own
database and file store), on SQLite and PostgreSQL: the remote checks every upload again and
its answers come back as the same errors."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from flask import Flask

from connectors.http_hub import HttpHubConnector, hub_session
from etwin_lti.domain.files import ALLOWED_TYPES, CheckedUpload
from etwin_lti.domain.model import Visibility
from etwin_lti.domain.public_pages import NoPublicFileError
from etwin_lti.errors import NotFoundError, PermissionDeniedError, UploadRefusedError
from etwin_lti.services.uploads import add_uploaded_material
from tests.contract.test_http_hub import remote, remote_app  # noqa: F401  (module fixtures)
from tests.integration.api.world import build_world
from tests.support import sample_files as sf


@pytest.fixture
def hub(remote_app: Flask, remote: tuple[str, str]) -> Iterator[HttpHubConnector]:  # noqa: F811
    url, secret = remote
    with hub_session(retries=1, backoff_factor=0, allow_private=True) as session:
        yield HttpHubConnector(url, secret, session=session)


def test_a_photo_goes_to_the_remote_store_and_comes_back_cleaned(hub: HttpHubConnector) -> None:
    w = build_world(hub)
    made = add_uploaded_material(
        hub, w.fr, w.twinspace, "Photo", io.BytesIO(sf.jpeg_with_gps()), "trip.jpg"
    )
    assert made.file is not None and made.file.has_thumbnail and made.url is None
    assert made.file.filename == "trip.jpg" and made.file.content_type == "image/jpeg"
    opened = hub.open_material_file(w.twinspace, made.id, viewer_id=w.fr)
    with opened.body as body:
        data = body.read()
    assert len(data) == opened.size == made.file.size and opened.inline
    assert sf.CAMERA_MARK.encode() not in data
    thumbnail = hub.open_material_file(w.twinspace, made.id, viewer_id=w.fr, thumbnail=True)
    with thumbnail.body as body:  # read to the end: the test server then closes its file
        assert body.read()[:2] == b"\xff\xd8" and thumbnail.content_type == "image/jpeg"
    assert hub.twinspace_file_usage(w.twinspace) == made.file.size + thumbnail.size
    [listed] = [m for m in hub.list_materials(w.twinspace, viewer_id=w.fr) if m.file]
    assert listed == made


def test_the_remote_refuses_what_it_would_refuse_locally(hub: HttpHubConnector) -> None:
    w = build_world(hub)
    forged = CheckedUpload(ALLOWED_TYPES["application/pdf"], "x.pdf", 216, io.BytesIO(sf.exe()))
    with pytest.raises(UploadRefusedError) as refused:
        hub.add_file_material(w.fr, w.twinspace, "Forged", forged)
    assert "EXE" in refused.value.description
    with pytest.raises(PermissionDeniedError):
        add_uploaded_material(hub, w.it, w.twinspace, "Not mine", io.BytesIO(sf.pdf()), "a.pdf")
    assert hub.twinspace_file_usage(w.twinspace) == 0


def test_private_files_stay_private_over_http(hub: HttpHubConnector) -> None:
    w = build_world(hub)
    made = add_uploaded_material(
        hub,
        w.fr,
        w.twinspace,
        "Plan",
        io.BytesIO(sf.pdf()),
        "plan.pdf",
        visibility=Visibility.PRIVATE,
    )
    for viewer in (None, w.it):
        with pytest.raises(NotFoundError):
            hub.open_material_file(w.twinspace, made.id, viewer_id=viewer)
    opened = hub.open_material_file(w.twinspace, made.id, viewer_id=w.pupil)
    with opened.body as body:
        assert body.read() == sf.pdf()
    assert not opened.inline and opened.filename == "plan.pdf"


def test_the_public_pages_files_over_http(hub: HttpHubConnector) -> None:
    """``open_public_file``: the remote decides what its public page lists, and answers the
    same ``NoPublicFileError`` for the rest."""
    w = build_world(hub)
    photo = add_uploaded_material(
        hub, w.fr, w.twinspace, "Photo", io.BytesIO(sf.jpeg_with_gps()), "trip.jpg",
        visibility=Visibility.PUBLIC,
    )  # fmt: skip
    plan = add_uploaded_material(
        hub, w.fr, w.twinspace, "Plan", io.BytesIO(sf.pdf()), "plan.pdf",
        visibility=Visibility.PRIVATE,
    )  # fmt: skip
    [listed] = hub.public_project(w.project).materials
    assert listed.id == photo.id and listed.has_thumbnail and listed.url is None
    for thumbnail in (False, True):
        opened = hub.open_public_file(w.project, photo.id, thumbnail=thumbnail)
        with opened.body as body:
            data = body.read()
        assert data[:2] == b"\xff\xd8" and len(data) == opened.size and opened.inline
        assert sf.CAMERA_MARK.encode() not in data
    for project, material in ((w.project, plan.id), (w.national, photo.id), (w.project, 10**9)):
        with pytest.raises(NoPublicFileError):
            hub.open_public_file(project, material)
