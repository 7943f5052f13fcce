"""Files in TwinSpace materials: which types are accepted, how large, and how they are named.

eTwinning's limits (issue 12): 20 MB per file, 5 MB per image. The type of a file is what its
content is, never what its name or the browser claims: ``etwin_lti.services.uploads`` sniffs the
bytes and looks the result up in ``ALLOWED_TYPES``, the one list of what may be uploaded. SVG is
not on it (an SVG is a document that can carry script), nor is HTML or anything executable.

A stored file has a random key (``new_key``); the name the uploader gave is cleaned by
``safe_filename`` and used only in ``Content-Disposition``, never as a path.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from dataclasses import dataclass
from typing import BinaryIO

from etwin_lti.domain.model import MaterialKind

MB = 1024 * 1024
MAX_FILE_BYTES = 20 * MB
MAX_IMAGE_BYTES = 5 * MB
# Pillow's own default is about 89 million pixels; a class photo needs far less, and a smaller
# cap keeps a decoded image (4 bytes a pixel) near a hundred MB of memory.
MAX_IMAGE_PIXELS = 30_000_000
THUMBNAIL_SIZE = (320, 320)
# Office documents are zip containers: refuse one that inflates absurdly (a zip bomb).
ZIP_MAX_RATIO = 100  # uncompressed / compressed, over the whole archive
ZIP_MAX_UNCOMPRESSED = 200 * MB
ZIP_MAX_ENTRIES = 5000
FILENAME_MAX = 120
DEFAULT_QUOTA_MB = 500


class FileFamily(enum.StrEnum):
    DOCUMENT = "document"
    IMAGE = "image"
    AUDIO = "audio"
    VIDEO = "video"


@dataclass(frozen=True)
class FileType:
    content_type: str  # what the file is served as
    extension: str  # the one the served name ends with
    family: FileFamily

    @property
    def kind(self) -> MaterialKind:
        return _KIND_OF[self.family]

    @property
    def max_bytes(self) -> int:
        return MAX_IMAGE_BYTES if self.family is FileFamily.IMAGE else MAX_FILE_BYTES

    @property
    def inline(self) -> bool:
        """Images, sound and video may show in the page; documents are always downloaded."""
        return self.family is not FileFamily.DOCUMENT


_KIND_OF = {
    FileFamily.DOCUMENT: MaterialKind.DOCUMENT,
    FileFamily.IMAGE: MaterialKind.PHOTO,
    FileFamily.AUDIO: MaterialKind.SOUND,
    FileFamily.VIDEO: MaterialKind.VIDEO,
}

_D, _I, _A, _V = FileFamily.DOCUMENT, FileFamily.IMAGE, FileFamily.AUDIO, FileFamily.VIDEO
# The one list of what may be uploaded, keyed by the sniffed content type.
ALLOWED_TYPES: dict[str, FileType] = {
    t.content_type: t
    for t in (
        FileType("application/pdf", "pdf", _D),
        FileType("application/vnd.oasis.opendocument.text", "odt", _D),
        FileType("application/vnd.oasis.opendocument.spreadsheet", "ods", _D),
        FileType("application/vnd.oasis.opendocument.presentation", "odp", _D),
        FileType(
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx", _D
        ),
        FileType(
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            "pptx",
            _D,
        ),
        FileType("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx", _D),
        FileType("text/plain", "txt", _D),
        FileType("image/jpeg", "jpg", _I),
        FileType("image/png", "png", _I),
        FileType("image/gif", "gif", _I),
        FileType("image/webp", "webp", _I),
        FileType("audio/mpeg", "mp3", _A),
        FileType("audio/ogg", "ogg", _A),
        FileType("audio/x-wav", "wav", _A),
        FileType("audio/mp4", "m4a", _A),
        FileType("video/mp4", "mp4", _V),
        FileType("video/webm", "webm", _V),
    )
}
# Office formats that are zip containers (checked for zip bombs).
ZIP_CONTAINERS = frozenset(
    t.content_type for t in ALLOWED_TYPES.values() if t.content_type.startswith("application/vnd.")
)
# The types Pillow re-encodes (metadata stripped) and makes thumbnails of.
IMAGE_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/gif": "GIF", "image/webp": "WEBP"}
ALLOWED_SUMMARY = (
    "PDF, ODT/ODS/ODP, DOCX/PPTX/XLSX, TXT, JPEG, PNG, GIF, WebP, MP3, OGG, WAV, M4A, MP4, WebM"
)

_UNSAFE = re.compile(r"[\\/:*?\"<>|]")


def safe_filename(name: str | None, extension: str) -> str:
    """A name to show in ``Content-Disposition``: no folders, no control characters, no
    characters Windows refuses, at most ``FILENAME_MAX`` characters, ending in the extension of
    what the file really is (an ``.exe`` renamed ``.jpg`` never reaches here)."""
    raw = unicodedata.normalize("NFC", name or "")
    # Whatever came before the last separator is a path on the uploader's machine.
    base = re.split(r"[\\/]", raw)[-1]
    base = "".join(c for c in base if unicodedata.category(c)[0] != "C")
    base = _UNSAFE.sub("_", base).strip(" .")
    stem = base.rsplit(".", 1)[0] if "." in base else base
    stem = stem.strip(" .") or "file"
    return stem[: FILENAME_MAX - len(extension) - 1] + "." + extension


@dataclass(frozen=True)
class CheckedUpload:
    """An upload that passed every check, cleaned (a photo re-encoded without metadata):
    ``body`` is positioned at its start and holds exactly ``size`` bytes."""

    file_type: FileType
    filename: str
    size: int
    body: BinaryIO
    thumbnail: bytes | None = None

    @property
    def stored_bytes(self) -> int:
        """What it takes of the TwinSpace's quota."""
        return self.size + len(self.thumbnail or b"")


@dataclass(frozen=True)
class OpenedFile:
    """A material's file (or thumbnail) ready to be served: ``body`` is readable and, where the
    store allows, seekable (range requests)."""

    content_type: str
    size: int
    filename: str
    inline: bool
    body: BinaryIO


def inline_type(content_type: str) -> bool:
    found = ALLOWED_TYPES.get(content_type)
    return found is not None and found.inline


KEY_PATTERN = re.compile(r"^[A-Za-z0-9_-]{16,86}$")


def is_valid_key(key: str) -> bool:
    """Store keys are random tokens: never a path, never anything a client chose."""
    return bool(KEY_PATTERN.match(key))
