"""``check_upload`` and the file rules, without an app: what is accepted, what is refused and
what survives of a file's metadata."""

from __future__ import annotations

import io

import pytest
from PIL import Image, PngImagePlugin

from etwin_lti.domain.files import (
    ALLOWED_TYPES,
    FILENAME_MAX,
    MAX_FILE_BYTES,
    MB,
    is_valid_key,
    safe_filename,
)
from etwin_lti.errors import FileTooLargeError, UploadRefusedError
from etwin_lti.services.uploads import check_upload, spool
from etwin_lti.web.files import content_disposition
from tests.support import sample_files as sf


@pytest.mark.parametrize(
    ("given", "extension", "expected"),
    [
        ("report.pdf", "pdf", "report.pdf"),
        ("../../etc/passwd", "txt", "passwd.txt"),
        ("C:\\Users\\pupil\\Desktop\\photo.JPG", "jpg", "photo.jpg"),
        ("holiday.jpg", "exe", "holiday.exe"),  # the real type's extension, whatever the name
        ("bell\x07\x1b[31m.pdf", "pdf", "bell[31m.pdf"),
        ("rtl\u202egpj.exe", "pdf", "rtlgpj.pdf"),
        ('quo"te<s>|:*?.pdf', "pdf", "quo_te_s_____.pdf"),
        ("", "pdf", "file.pdf"),
        (None, "png", "file.png"),
        ("...", "pdf", "file.pdf"),
        ("  .hidden  ", "txt", "hidden.txt"),
        ("Żółć.odt", "odt", "Żółć.odt"),
    ],
)
def test_safe_filename(given: str | None, extension: str, expected: str) -> None:
    assert safe_filename(given, extension) == expected


def test_long_names_are_cut_keeping_the_extension() -> None:
    name = safe_filename("x" * 1000 + ".pdf", "pdf")
    assert len(name) == FILENAME_MAX and name.endswith(".pdf")


def test_the_allowed_list_has_no_markup_and_no_executable() -> None:
    for content_type in ALLOWED_TYPES:
        assert "svg" not in content_type and "html" not in content_type
        assert "xml" not in content_type.split("/")[1].split(".")[0]
    assert not ALLOWED_TYPES["application/pdf"].inline
    assert ALLOWED_TYPES["image/png"].inline and ALLOWED_TYPES["video/webm"].inline


@pytest.mark.parametrize("key", ["../x", "a" * 10, "a b" * 10, "é" * 20, "a/" + "b" * 20])
def test_store_keys_are_only_tokens(key: str) -> None:
    assert not is_valid_key(key)


def test_content_disposition() -> None:
    assert content_disposition("a.pdf", inline=False) == 'attachment; filename="a.pdf"'
    assert content_disposition("é.png", inline=True) == (
        "inline; filename=\"e.png\"; filename*=UTF-8''%C3%A9.png"
    )


def test_spool_stops_at_the_limit_while_reading() -> None:
    class Endless(io.RawIOBase):
        read_bytes = 0

        def readable(self) -> bool:
            return True

        def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
            buffer[:] = b"\x00" * len(buffer)
            Endless.read_bytes += len(buffer)
            return len(buffer)

    with pytest.raises(FileTooLargeError):
        spool(io.BufferedReader(Endless()), limit=MAX_FILE_BYTES)
    assert Endless.read_bytes < MAX_FILE_BYTES + 2 * MB  # stopped, not read to the end


def _checked(data: bytes, name: str = "f") -> tuple[str, bytes, bytes | None]:
    checked = check_upload(io.BytesIO(data), name)
    with checked.body as body:
        return checked.file_type.content_type, body.read(), checked.thumbnail


def test_png_text_chunks_and_icc_are_dropped() -> None:
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Pupil Full Name")
    image = Image.new("RGB", (50, 40), (1, 2, 3))
    out = io.BytesIO()
    image.save(out, "PNG", pnginfo=info, icc_profile=b"\x00" * 128)
    content_type, data, thumbnail = _checked(out.getvalue())
    assert content_type == "image/png"
    assert b"Pupil Full Name" not in data and b"iCCP" not in data
    assert Image.open(io.BytesIO(data)).size == (50, 40) and thumbnail


def test_an_animated_gif_keeps_its_frames() -> None:
    frames = [Image.new("RGB", (20, 20), (i * 100, 50, 0)).convert("P") for i in range(3)]
    out = io.BytesIO()
    frames[0].save(
        out, "GIF", save_all=True, append_images=frames[1:], duration=80, comment=b"secret"
    )
    content_type, data, _ = _checked(out.getvalue())
    assert content_type == "image/gif" and b"secret" not in data
    assert Image.open(io.BytesIO(data)).n_frames == 3


def test_the_exif_orientation_is_applied_before_it_is_dropped() -> None:
    image = Image.new("RGB", (60, 20))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to display
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    _, data, _ = _checked(out.getvalue())
    assert Image.open(io.BytesIO(data)).size == (20, 60)


def test_a_sounds_tags_are_removed_and_the_sound_kept() -> None:
    content_type, data, thumbnail = _checked(sf.mp3_with_tags(), "interview.mp3")
    assert content_type == "audio/mpeg" and thumbnail is None
    assert sf.SOUND_MARK.encode() not in data and b"Rue des" not in data
    assert data == sf.mp3()  # the frames, byte for byte; no ID3v2 header, no ID3v1 trailer


def test_an_untagged_sound_is_kept_as_sent() -> None:
    _, data, _ = _checked(sf.mp3(), "song.mp3")
    assert data == sf.mp3()


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (b"", UploadRefusedError),
        (sf.exe(), UploadRefusedError),
        (sf.svg_with_script(), UploadRefusedError),
        (b"  \n<!doctype html><script></script>", UploadRefusedError),
        (b"text with a NUL \x00 byte", UploadRefusedError),
        (b"\xff\xfe not utf-8 \x80\x81", UploadRefusedError),
        (sf.docx()[:40], UploadRefusedError),  # a cut zip: not a readable archive
        (sf.decompression_bomb_png(), UploadRefusedError),
        (sf.zip_bomb_docx(), UploadRefusedError),
    ],
    ids=["empty", "exe", "svg", "html", "nul", "not-utf8", "cut-zip", "bomb", "zip-bomb"],
)
def test_refusals(data: bytes, error: type[Exception]) -> None:
    with pytest.raises(error) as refused:
        check_upload(io.BytesIO(data), "x")
    assert refused.value.errors["file"]  # type: ignore[attr-defined]


def test_plain_text_is_accepted_as_utf8() -> None:
    content_type, data, thumbnail = _checked("Bonjour à tous\n".encode(), "notes.txt")
    assert content_type == "text/plain" and thumbnail is None
    assert data == "Bonjour à tous\n".encode()
