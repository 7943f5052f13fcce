"""Uploading and serving material files through ``/api/v1`` (issue 12 item 1 and its bad input),
on SQLite and PostgreSQL with the local store and on S3 (moto's server)."""

from __future__ import annotations

import io
import os
from typing import Any

import pytest
from PIL import ExifTags, Image

from etwin_lti.domain.files import MB, CheckedUpload, FileFamily, FileType
from etwin_lti.domain.model import PersonKind, Visibility
from tests.integration.files.conftest import FilesWorld
from tests.support import sample_files as sf
from tests.support.sample_files import multipart


def upload(
    files: FilesWorld,
    data: bytes,
    filename: str = "work.pdf",
    *,
    actor: int | None = None,
    twinspace: int | None = None,
    headers: dict[str, str] | None = None,
    **form: str,
) -> Any:
    w = files.world
    fields = {"actor_id": str(actor or w.fr), "title": "Our work", **form}
    body, content_type = multipart(fields, data, filename)
    return files.client.post(
        f"/api/v1/twinspaces/{twinspace or w.twinspace}/materials",
        input_stream=io.BytesIO(body),
        content_type=content_type,
        content_length=len(body),
        headers=headers or files.token(),
    )


def download(files: FilesWorld, material: int, *, which: str = "file", **kwargs: Any) -> Any:
    viewer = kwargs.pop("viewer", files.world.fr)
    query = f"?viewer_id={viewer}" if viewer is not None else ""
    headers = {**kwargs.pop("headers", files.token()), **kwargs.pop("extra", {})}
    return files.client.get(
        f"/api/v1/twinspaces/{kwargs.pop('twinspace', files.world.twinspace)}/materials/"
        f"{material}/{which}{query}",
        headers=headers,
        buffered=True,  # read and closed, as a WSGI server does
    )


def test_a_pdf_is_uploaded_and_served_as_an_attachment(files: FilesWorld) -> None:
    data = sf.pdf()
    made = upload(files, data, "Projet final.pdf", visibility="private")
    assert made.status_code == 201, made.get_json()
    body = made.get_json()
    assert body["url"] is None and body["kind"] == "document"
    assert body["file"] == {
        "content_type": "application/pdf",
        "size": len(data),
        "filename": "Projet final.pdf",
        "has_thumbnail": False,
    }
    served = download(files, body["id"])
    assert served.status_code == 200
    assert served.data == data
    assert served.headers["Content-Type"] == "application/pdf"
    assert served.headers["Content-Disposition"] == 'attachment; filename="Projet final.pdf"'
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in served.headers["Content-Security-Policy"]
    assert served.headers["Accept-Ranges"] == "bytes"
    listed = files.client.get(
        f"/api/v1/twinspaces/{files.world.twinspace}/materials?viewer_id={files.world.fr}",
        headers=files.token(),
    ).get_json()
    assert [m["file"]["filename"] for m in listed if m["file"]] == ["Projet final.pdf"]
    usage = files.client.get(
        f"/api/v1/twinspaces/{files.world.twinspace}/file-usage", headers=files.token()
    )
    assert usage.get_json() == {"used_bytes": len(data)}


def test_a_photo_loses_its_gps_and_camera_data_and_gets_a_thumbnail(files: FilesWorld) -> None:
    original = sf.jpeg_with_gps()
    made = upload(files, original, "IMG_0001.JPG")
    assert made.status_code == 201, made.get_json()
    body = made.get_json()
    assert body["kind"] == "photo" and body["file"]["has_thumbnail"]
    assert body["file"]["filename"] == "IMG_0001.jpg"
    served = download(files, body["id"])
    assert served.status_code == 200
    assert served.headers["Content-Type"] == "image/jpeg"
    assert served.headers["Content-Disposition"].startswith("inline;")
    assert sf.CAMERA_MARK.encode() not in served.data and b"Exif" not in served.data
    photo = Image.open(io.BytesIO(served.data))
    assert photo.size == (640, 480)
    exif = photo.getexif()
    assert not exif.get_ifd(ExifTags.IFD.GPSInfo) and ExifTags.Base.ImageDescription not in exif
    thumbnail = download(files, body["id"], which="thumbnail")
    assert thumbnail.status_code == 200 and thumbnail.headers["Content-Type"] == "image/jpeg"
    small = Image.open(io.BytesIO(thumbnail.data))
    assert max(small.size) <= 320 and b"Exif" not in thumbnail.data


def test_sound_is_served_in_ranges(files: FilesWorld) -> None:
    data = sf.mp3()
    made = upload(files, data, "song.mp3")
    assert made.status_code == 201, made.get_json()
    mid = made.get_json()["id"]
    first = download(files, mid, extra={"Range": "bytes=0-99"})
    assert first.status_code == 206
    assert first.data == data[:100]
    assert first.headers["Content-Range"] == f"bytes 0-99/{len(data)}"
    assert first.headers["Content-Type"] == "audio/mpeg"
    later = download(files, mid, extra={"Range": "bytes=1000-1499"})
    assert later.status_code == 206 and later.data == data[1000:1500]
    outside = download(files, mid, extra={"Range": f"bytes={len(data) + 10}-"})
    assert outside.status_code == 416
    etag = first.headers["ETag"]
    assert download(files, mid, extra={"If-None-Match": etag}).status_code == 304


def test_a_sounds_tags_never_reach_the_store(files: FilesWorld) -> None:
    made = upload(files, sf.mp3_with_tags(), "interview.mp3")
    assert made.status_code == 201, made.get_json()
    assert made.get_json()["file"]["size"] == len(sf.mp3())
    served = download(files, made.get_json()["id"])
    assert served.status_code == 200 and served.data == sf.mp3()
    assert served.headers["Content-Length"] == str(len(sf.mp3()))


def _noise_png(side: int) -> bytes:
    out = io.BytesIO()
    Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(out, "PNG")
    return out.getvalue()


BAD_UPLOADS = [
    # (case, file bytes, filename, status, error code, message fragment)
    ("empty", lambda: b"", "empty.pdf", 422, "upload_refused", "empty"),
    ("oversized", lambda: b"%PDF-1.4\n" + b"0" * (21 * MB), "big.pdf", 413, "", ""),
    ("image over 5 MB", lambda: _noise_png(1400), "big.png", 413, "file_too_large", "5 MB"),
    ("exe named jpg", sf.exe, "holiday.jpg", 422, "upload_refused", "EXE"),
    ("svg with script", sf.svg_with_script, "drawing.svg", 422, "upload_refused", "script"),
    ("svg named png", sf.svg_with_script, "drawing.png", 422, "upload_refused", "script"),
    ("html page", lambda: b"<html><script>x()</script></html>", "a.txt", 422, "upload_refused", ""),
    ("binary junk", lambda: os.urandom(4096), "a.pdf", 422, "upload_refused", "not recognised"),
    ("decompression bomb", sf.decompression_bomb_png, "bomb.png", 422, "upload_refused", "bomb"),
    ("zip bomb docx", sf.zip_bomb_docx, "report.docx", 422, "upload_refused", "zip bomb"),
    ("broken jpeg", lambda: sf.jpeg_with_gps()[:300], "cut.jpg", 422, "upload_refused", "image"),
]


@pytest.mark.parametrize(
    ("case", "make", "filename", "status", "code", "fragment"),
    BAD_UPLOADS,
    ids=[row[0] for row in BAD_UPLOADS],
)
def test_bad_uploads_are_refused_and_nothing_is_stored(
    files: FilesWorld, case: str, make: Any, filename: str, status: int, code: str, fragment: str
) -> None:
    before = files.state()
    response = upload(files, make(), filename)
    assert response.status_code == status, (case, response.get_json())
    body = response.get_json()
    if code:
        assert body["code"] == code
        assert fragment in body["message"]
        assert "file" in body["errors"]
    assert files.state() == before


BAD_FORMS = [
    # (case, form fields beside the file, status, field named in the errors)
    ("no title", {"title": ""}, 422, "title"),
    ("unknown visibility", {"visibility": "everyone"}, 422, "visibility"),
    ("actor id not a number", {"actor_id": "me"}, 422, "actor_id"),
    ("unknown field", {"colour": "red"}, 422, "colour"),
]


@pytest.mark.parametrize(
    ("case", "form", "status", "field"), BAD_FORMS, ids=[row[0] for row in BAD_FORMS]
)
def test_bad_form_fields_are_refused(
    files: FilesWorld, case: str, form: dict[str, str], status: int, field: str
) -> None:
    before = files.state()
    response = upload(files, sf.pdf(), **form)
    assert response.status_code == status
    assert field in response.get_json()["errors"]
    assert files.state() == before


def test_a_multipart_body_without_a_file_part_is_refused(files: FilesWorld) -> None:
    before = files.state()
    response = files.client.post(
        f"/api/v1/twinspaces/{files.world.twinspace}/materials",
        data={"actor_id": str(files.world.fr), "title": "t"},
        content_type="multipart/form-data",
        headers=files.token(),
    )
    assert response.status_code == 422 and "file" in response.get_json()["errors"]
    assert files.state() == before


def test_a_declared_length_over_the_limit_is_refused_before_reading(files: FilesWorld) -> None:
    before = files.state()
    response = files.client.post(
        f"/api/v1/twinspaces/{files.world.twinspace}/materials",
        data=b"--x\r\n",
        content_type="multipart/form-data; boundary=x",
        headers=files.token(),
        environ_overrides={"CONTENT_LENGTH": str(50 * MB)},
    )
    assert response.status_code == 413
    assert response.get_json()["code"] == "request_entity_too_large"
    assert files.state() == before


# Werkzeug's multipart parser leaves the spool of the part it was filling for the garbage
# collector when the body ends early; that is its clean-up, not a leak of ours.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_body_cut_off_half_way_stores_nothing(files: FilesWorld) -> None:
    """The client goes away mid-upload: fewer bytes arrive than Content-Length announced."""
    before = files.state()
    boundary = "cut"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="actor_id"\r\n\r\n'
        f'{files.world.fr}\r\n--{boundary}\r\nContent-Disposition: form-data; name="title"'
        f'\r\n\r\nHalf\r\n--{boundary}\r\nContent-Disposition: form-data; name="file"; '
        f'filename="half.pdf"\r\nContent-Type: application/pdf\r\n\r\n'
    ).encode()
    body = head + sf.pdf() + b"0" * 100_000
    response = files.client.post(
        f"/api/v1/twinspaces/{files.world.twinspace}/materials",
        input_stream=io.BytesIO(body),
        content_type=f"multipart/form-data; boundary={boundary}",
        headers=files.token(),
        environ_overrides={"CONTENT_LENGTH": str(len(body) * 2)},
    )
    assert response.status_code == 400
    assert files.state() == before


class BrokenBody(io.RawIOBase):
    """A checked upload whose bytes stop coming half-way (the store's put sees the error)."""

    def __init__(self, good: int) -> None:
        self._left = good

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._left <= 0:
            raise ConnectionResetError("gone")
        n = min(len(buffer), self._left)
        buffer[:n] = b"x" * n
        self._left -= n
        return n


def test_a_stream_failing_while_stored_leaves_no_row_and_no_file(files: FilesWorld) -> None:
    before = files.state()
    upload_ = CheckedUpload(
        FileType("application/pdf", "pdf", FileFamily.DOCUMENT),
        "half.pdf",
        10 * MB,
        io.BufferedReader(BrokenBody(5 * MB)),
    )
    with pytest.raises(ConnectionResetError):
        files.hub.add_file_material(files.world.fr, files.world.twinspace, "Half", upload_)
    assert files.state() == before


def test_a_row_that_cannot_be_written_removes_the_stored_file(files: FilesWorld) -> None:
    """The bytes are stored first; a refusal after that (the title rule, checked in the same
    unit of work) removes them again."""
    before = files.state()
    photo = CheckedUpload(
        FileType("image/png", "png", FileFamily.IMAGE),
        "p.png",
        len(sf.png()),
        io.BytesIO(sf.png()),
        thumbnail=b"thumb",
    )
    with pytest.raises(Exception) as refused:
        files.hub.add_file_material(
            files.world.fr, files.world.twinspace, "T", photo, visibility="sometimes"
        )  # type: ignore[arg-type]
    assert getattr(refused.value, "status_code", None) == 422
    assert files.state() == before


def test_dangerous_filenames_are_cleaned(files: FilesWorld) -> None:
    made = upload(files, sf.pdf(), "../../etc/pass\x07wd\x1b[0m\t\u202e.pdf")
    assert made.status_code == 201, made.get_json()
    name = made.get_json()["file"]["filename"]
    assert "/" not in name and "\\" not in name and ".." not in name
    assert all(ord(c) >= 32 and c != "\u202e" for c in name)
    assert name.endswith(".pdf")
    served = download(files, made.get_json()["id"])
    disposition = served.headers["Content-Disposition"]
    assert "/" not in disposition.split("filename=")[1].split(";")[0]
    assert "\r" not in disposition and "\n" not in disposition
    long = upload(files, sf.pdf(), "a" * 500 + ".exe.pdf")
    assert len(long.get_json()["file"]["filename"]) <= 120


def test_unicode_names_get_an_rfc_6266_header(files: FilesWorld) -> None:
    made = upload(files, sf.pdf(), "Żółć projekt.pdf")
    served = download(files, made.get_json()["id"])
    assert served.headers["Content-Disposition"] == (
        "attachment; filename=\"Zoc projekt.pdf\"; filename*=UTF-8''%C5%BB%C3%B3%C5%82%C4%87"
        "%20projekt.pdf"
    )


def _other_twinspace(files: FilesWorld) -> tuple[int, int]:
    hub = files.hub
    pl = hub.create_person("Ola", PersonKind.TEACHER, country_code="PL").id
    es = hub.create_person("Ana", PersonKind.TEACHER, country_code="ES").id
    project = hub.create_project(pl, es, "Other project").id
    hub.validate_project("PL", project)
    twinspace = hub.validate_project("ES", project).twinspace_id
    return pl, twinspace


def test_a_material_of_another_twinspace_is_not_found_by_its_id(files: FilesWorld) -> None:
    pl, other = _other_twinspace(files)
    theirs = upload(files, sf.pdf(), actor=pl, twinspace=other, visibility="public")
    assert theirs.status_code == 201, theirs.get_json()
    mid = theirs.get_json()["id"]
    assert download(files, mid, twinspace=other, viewer=None).status_code == 200
    for viewer in (files.world.fr, None):
        response = download(files, mid, viewer=viewer)  # through our TwinSpace's URL
        assert response.status_code == 404
        assert response.get_json()["code"] == "not_found"


def test_private_files_are_for_members_only(files: FilesWorld) -> None:
    w = files.world
    mid = upload(files, sf.pdf(), visibility="private").get_json()["id"]
    assert download(files, mid, viewer=w.pupil).status_code == 200  # a member
    assert download(files, mid, viewer=w.it).status_code == 404  # not a member
    assert download(files, mid, viewer=None).status_code == 404  # public only
    nso = files.token("nso_officer", "FR")
    assert download(files, mid, viewer=None, headers=nso).status_code == 404
    assert download(files, mid, viewer=w.fr, headers=nso).status_code == 403  # never as a person
    public = upload(files, sf.pdf(), visibility="public").get_json()["id"]
    assert download(files, public, viewer=None, headers=nso).status_code == 200


def test_a_pupils_file_is_never_public(files: FilesWorld) -> None:
    before = files.state()
    refused = upload(files, sf.png(), "me.png", actor=files.world.pupil, visibility="public")
    assert refused.status_code == 409 and refused.get_json()["code"] == "rule_violation"
    assert files.state() == before
    made = upload(files, sf.png(), "me.png", actor=files.world.pupil)
    assert made.status_code == 201, made.get_json()
    assert made.get_json()["visibility"] == Visibility.PRIVATE.value


@pytest.mark.parametrize(
    ("case", "actor", "role", "status"),
    [
        ("not a member", "it", "admin", 403),
        ("an officer's token", "fr", "nso_officer", 403),
        ("an unknown person", None, "admin", 404),
    ],
)
def test_uploads_refused_for_who_may_not_add(
    files: FilesWorld, case: str, actor: str | None, role: str, status: int
) -> None:
    before = files.state()
    person = getattr(files.world, actor) if actor else 999_999
    headers = files.token(role, "FR" if role != "admin" else None)
    response = upload(files, sf.pdf(), actor=person, headers=headers)
    assert response.status_code == status, (case, response.get_json())
    assert files.state() == before


def test_a_link_or_a_missing_thumbnail_has_no_file(files: FilesWorld) -> None:
    link = files.client.post(
        f"/api/v1/twinspaces/{files.world.twinspace}/materials",
        json={
            "actor_id": files.world.fr,
            "title": "A site",
            "kind": "link",
            "url": "https://example.org/",
        },
        headers=files.token(),
    )
    assert link.status_code == 201 and link.get_json()["file"] is None
    assert download(files, link.get_json()["id"]).status_code == 404
    pdf = upload(files, sf.pdf()).get_json()["id"]
    assert download(files, pdf, which="thumbnail").status_code == 404
    assert download(files, 999_999).status_code == 404


def test_the_quota_refuses_a_file_that_does_not_fit(small_quota: FilesWorld) -> None:
    files = small_quota
    part = b"%PDF-1.4\n" + b"0" * (600 * 1024)
    assert upload(files, part).status_code == 201
    before = files.state()
    refused = upload(files, part, "second.pdf")
    assert refused.status_code == 409
    body = refused.get_json()
    assert body["code"] == "quota_exceeded" and "1 MB" in body["message"]
    assert files.state() == before
