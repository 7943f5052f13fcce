"""Checking an uploaded file before anything is stored (issue 12, "Files" and "Bad input").

``check_upload`` reads the stream once into a spool (memory, then a temporary file), refusing
it as soon as it passes 20 MB; then it decides what the file is from its bytes (``filetype``'s
signatures) and accepts it only if that type is in ``etwin_lti.domain.files.ALLOWED_TYPES``:

- images (5 MB at most) are opened by Pillow, verified, refused above ``MAX_IMAGE_PIXELS``
  (decompression bombs), then re-encoded from their pixels alone, so that no EXIF block (GPS,
  camera serial), XMP, IPTC or ICC data and no trailing bytes survive; a JPEG thumbnail is made;
- sound files lose their tags (ID3 and its frames of pictures, comments and places, Vorbis
  comments, MP4 ``ilst``): ``mutagen`` removes them in place; the sound itself is untouched.
  Video keeps its container's metadata (that needs a re-mux, ffmpeg, which this tool does not
  carry), and so does a WAV's ``LIST`` chunk;
- office documents are zip containers: refused when they inflate absurdly (zip bombs) or are
  not a readable zip at all;
- text is accepted only as UTF-8 without control characters, and never when it is markup
  (an SVG or HTML page is script that a browser would run);
- everything else, an ``.exe`` named ``photo.jpg`` included, is refused.

The name the uploader gave is cleaned (``safe_filename``) and given the real type's extension.
"""

from __future__ import annotations

import io
import tempfile
import warnings
import zipfile
from typing import IO, BinaryIO, cast

import filetype
import mutagen
from PIL import Image, ImageOps, ImageSequence, UnidentifiedImageError

from etwin_lti.domain.files import (
    ALLOWED_SUMMARY,
    ALLOWED_TYPES,
    IMAGE_FORMATS,
    MAX_FILE_BYTES,
    MAX_IMAGE_PIXELS,
    MB,
    THUMBNAIL_SIZE,
    ZIP_CONTAINERS,
    ZIP_MAX_ENTRIES,
    ZIP_MAX_RATIO,
    ZIP_MAX_UNCOMPRESSED,
    CheckedUpload,
    FileFamily,
    FileType,
    safe_filename,
)
from etwin_lti.domain.model import Material, Visibility
from etwin_lti.domain.ports.material_files import MaterialFilesHub
from etwin_lti.errors import FileTooLargeError, UploadRefusedError

_CHUNK = 256 * 1024
_SNIFF_BYTES = 8192
_SPOOL_IN_MEMORY = 1024 * 1024
_MAX_FRAMES = 500
FIELD = "file"


def _refuse(message: str) -> UploadRefusedError:
    return UploadRefusedError(message, errors={FIELD: [message]})


def _too_large(limit: int, what: str) -> FileTooLargeError:
    message = f"{what} may be {limit // MB} MB at most."
    return FileTooLargeError(message, errors={FIELD: [message]})


def spool(stream: IO[bytes], *, limit: int = MAX_FILE_BYTES) -> BinaryIO:
    """The whole stream in a private temporary spool, refused the moment it passes ``limit``
    (a client that lies about, or sends no, Content-Length is stopped here)."""
    target = cast(BinaryIO, tempfile.SpooledTemporaryFile(max_size=_SPOOL_IN_MEMORY))  # noqa: SIM115
    total = 0
    try:
        while chunk := stream.read(_CHUNK):
            total += len(chunk)
            if total > limit:
                raise _too_large(limit, "A file")
            target.write(chunk)
    except BaseException:
        target.close()
        raise
    target.seek(0)
    return target


def check_upload(stream: IO[bytes], filename: str | None) -> CheckedUpload:
    """Spool, identify by content and clean one upload; every refusal is a clear 413 or 422."""
    body = spool(stream)
    try:
        return _checked(body, filename)
    except BaseException:
        body.close()
        raise


def _checked(body: BinaryIO, filename: str | None) -> CheckedUpload:
    size = body.seek(0, io.SEEK_END)
    body.seek(0)
    if size == 0:
        raise _refuse("The file is empty.")
    file_type = _identify(body)
    if size > file_type.max_bytes:
        raise _too_large(file_type.max_bytes, "An image" if _is_image(file_type) else "A file")
    name = safe_filename(filename, file_type.extension)
    if _is_image(file_type):
        cleaned, thumbnail = _clean_image(body, file_type)
        body.close()
        return CheckedUpload(file_type, name, len(cleaned), io.BytesIO(cleaned), thumbnail)
    if file_type.content_type in ZIP_CONTAINERS:
        _check_zip(body, size)
    if file_type.family is FileFamily.AUDIO:
        size = _strip_tags(body)
    body.seek(0)
    return CheckedUpload(file_type, name, size, body)


def _strip_tags(body: BinaryIO) -> int:
    """Removes a sound file's tags in place; returns its new size. A file mutagen cannot parse
    is kept as it is: its type was already decided by its bytes, and players read it."""
    body.seek(0)
    try:
        tagged = mutagen.File(body)
        if tagged is not None and tagged.tags is not None:
            body.seek(0)
            tagged.delete(body)
    except mutagen.MutagenError:
        pass
    return body.seek(0, io.SEEK_END)


def _is_image(file_type: FileType) -> bool:
    return file_type.family is FileFamily.IMAGE


def _identify(body: BinaryIO) -> FileType:
    head = body.read(_SNIFF_BYTES)
    body.seek(0)
    guess = filetype.guess(head)
    if guess is None:
        return _plain_text(body)
    found = ALLOWED_TYPES.get(guess.mime)
    if found is None:
        raise _refuse(
            f"This file's content is {guess.extension.upper()}, which cannot be uploaded "
            f"(whatever its name says). Accepted: {ALLOWED_SUMMARY}."
        )
    return found


def _plain_text(body: BinaryIO) -> FileType:
    data = body.read()
    body.seek(0)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _refuse(f"This file's type is not recognised. Accepted: {ALLOWED_SUMMARY}.") from None
    if any(ord(c) < 32 and c not in "\t\n\r\f" for c in text):
        raise _refuse(f"This file's type is not recognised. Accepted: {ALLOWED_SUMMARY}.")
    if text.lstrip().startswith("<"):
        raise _refuse(
            "Markup files (SVG, HTML, XML) cannot be uploaded: they can carry scripts. "
            "Export a drawing as PNG or a page as PDF."
        )
    return ALLOWED_TYPES["text/plain"]


def _check_zip(body: BinaryIO, size: int) -> None:
    try:
        with zipfile.ZipFile(body) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError):
        raise _refuse("This office document is damaged (not a readable archive).") from None
    inflated = sum(e.file_size for e in entries)
    if (
        len(entries) > ZIP_MAX_ENTRIES
        or inflated > ZIP_MAX_UNCOMPRESSED
        or inflated > ZIP_MAX_RATIO * max(size, 1)
    ):
        raise _refuse(
            "This office document inflates to far more than its size (a zip bomb): refused."
        )


def _clean_image(body: BinaryIO, file_type: FileType) -> tuple[bytes, bytes]:
    """The image re-encoded from its pixels (no metadata survives) and its JPEG thumbnail."""
    expected = IMAGE_FORMATS[file_type.content_type]
    try:
        with warnings.catch_warnings():
            # Pillow warns, then raises, on huge images; both mean the same here.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(body) as probe:
                _check_pixels(probe.size)
                if probe.format != expected:
                    raise _refuse("This image's content does not match its type.")
                probe.verify()
            body.seek(0)
            with Image.open(body) as image:
                frames = _pixels_only(image)
    except UploadRefusedError:
        raise  # our own refusal (an InvalidInputError, hence a ValueError): not "damaged"
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _bomb() from None
    except UnidentifiedImageError:
        raise _refuse("This image cannot be read.") from None
    except (OSError, SyntaxError, ValueError, EOFError) as error:
        raise _refuse("This image is damaged and cannot be read.") from error
    return _encode(frames, expected, _durations(frames)), _thumbnail(frames[0])


def _bomb() -> UploadRefusedError:
    return _refuse(
        f"This image is too large in pixels (at most {MAX_IMAGE_PIXELS // 1_000_000} million): "
        "it may be a decompression bomb."
    )


def _check_pixels(size: tuple[int, int]) -> None:
    width, height = size
    if width <= 0 or height <= 0:
        raise _refuse("This image has no pixels.")
    if width * height > MAX_IMAGE_PIXELS:
        raise _bomb()


def _pixels_only(image: Image.Image) -> list[Image.Image]:
    """Fresh images built from decoded pixels: nothing of the file's metadata is carried over.
    The EXIF orientation is applied first, since the tag itself goes."""
    frames: list[Image.Image] = []
    total = 0
    for frame in ImageSequence.Iterator(image):
        total += frame.size[0] * frame.size[1]
        if len(frames) >= _MAX_FRAMES or total > MAX_IMAGE_PIXELS:
            raise _bomb()
        upright = ImageOps.exif_transpose(frame) if not frames else frame
        mode = "RGBA" if _has_alpha(upright) else "RGB"
        pixels = upright.convert(mode)
        clean = Image.frombytes(mode, pixels.size, pixels.tobytes())
        clean.info = {"duration": frame.info.get("duration", 100)}
        frames.append(clean)
    return frames


def _durations(frames: list[Image.Image]) -> list[int]:
    return [int(f.info.get("duration", 100)) for f in frames]


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info
    )


def _encode(frames: list[Image.Image], image_format: str, durations: list[int]) -> bytes:
    out = io.BytesIO()
    first = frames[0]
    if image_format == "JPEG":
        _flatten(first).save(out, "JPEG", quality=90)
    elif len(frames) > 1 and image_format in ("GIF", "WEBP"):
        first.save(
            out,
            image_format,
            save_all=True,
            append_images=frames[1:],
            duration=durations,
            loop=0,
        )
    else:
        first.save(out, image_format)
    return out.getvalue()


def _flatten(image: Image.Image) -> Image.Image:
    if image.mode != "RGBA":
        return image.convert("RGB")
    background = Image.new("RGB", image.size, (255, 255, 255))
    background.paste(image, mask=image.getchannel("A"))
    return background


def _thumbnail(first: Image.Image) -> bytes:
    small = _flatten(first)
    small.thumbnail(THUMBNAIL_SIZE)
    out = io.BytesIO()
    small.save(out, "JPEG", quality=80)
    return out.getvalue()


def add_uploaded_material(
    hub: MaterialFilesHub,
    actor_id: int,
    twinspace_id: int,
    title: str,
    stream: IO[bytes],
    filename: str | None,
    *,
    visibility: Visibility | None = None,
) -> Material:
    """Check the upload, then hand it to the hub (rights, quota, store, row: all or nothing).
    The spool is closed either way: nothing of a refused upload stays on disk."""
    checked = check_upload(stream, filename)
    try:
        return hub.add_file_material(actor_id, twinspace_id, title, checked, visibility=visibility)
    finally:
        checked.body.close()
