"""Files made at test time for the upload tests: good ones and hostile ones (no binary blobs
in the repository)."""

from __future__ import annotations

import io
import zipfile

from PIL import ExifTags, Image

CAMERA_MARK = "SECRET-CAMERA-SERIAL-4711"


def pdf() -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
        b"trailer << /Root 1 0 R >>\n%%EOF\n"
    )


def jpeg_with_gps(size: tuple[int, int] = (640, 480)) -> bytes:
    """A photo whose EXIF says where it was taken and which camera took it."""
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[ExifTags.Base.ImageDescription] = CAMERA_MARK
    exif[ExifTags.Base.Orientation] = 1
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (48.0, 51.0, 24.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (2.0, 21.0, 7.0)
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, quality=85)
    data = out.getvalue()
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(ExifTags.IFD.GPSInfo)  # really there
    return data


def png(size: tuple[int, int] = (64, 64), mode: str = "RGBA") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size).save(out, "PNG")
    return out.getvalue()


def decompression_bomb_png() -> bytes:
    """Tiny on disk (a few KB), 64 million pixels once decoded."""
    return png((8000, 8000), mode="1")


def mp3(frames: int = 400) -> bytes:
    """MPEG-1 Layer III frames without tags: what sniffing recognises as MP3, and what an
    upload keeps byte for byte."""
    frame = b"\xff\xfb\x90\x64" + b"\x00" * 413
    return frame * frames


SOUND_MARK = "SECRET-PLACE-48.8584,2.2945"


def mp3_with_tags() -> bytes:
    """``mp3()`` behind an ID3v2 tag naming a place and a comment, and an ID3v1 tag at the end,
    as a phone's recorder may write them."""
    from mutagen.id3 import COMM, ID3, TXXX

    out = io.BytesIO(mp3())
    tags = ID3()
    tags.add(TXXX(desc="location", text=[SOUND_MARK]))
    tags.add(COMM(lang="eng", desc="", text=["Recorded at 12 Rue des Écoles"]))
    tags.save(out, v1=2)
    return out.getvalue()


def docx(extra: dict[str, bytes] | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return out.getvalue()


def zip_bomb_docx() -> bytes:
    """A DOCX of ~50 KB that inflates to 50 MB."""
    return docx({"word/media/zeros.bin": b"\x00" * (50 * 1024 * 1024)})


def exe() -> bytes:
    """The start of a Windows executable (MZ header, PE offset)."""
    return b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200


def svg_with_script() -> bytes:
    return (
        b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg">'
        b"<script>alert(document.cookie)</script></svg>"
    )


def multipart(
    fields: dict[str, str], data: bytes, filename: str, *, name: str = "file"
) -> tuple[bytes, str]:
    """A multipart/form-data body as a browser sends it. Built here rather than by Werkzeug's
    test client, which leaves the temporary file of a large body open."""
    boundary = "etwin-test-boundary-7d3f"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
        for key, value in fields.items()
    ]
    quoted = filename.replace("\\", "\\\\").replace('"', '\\"')
    parts.append(
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{quoted}"\r\nContent-Type: application/octet-stream\r\n\r\n'
        ).encode()
        + data
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"
