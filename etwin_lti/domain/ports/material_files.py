"""``MaterialFilesHub``: the hub's part of uploaded files (issue 12 item 1).

Part of ``HubPort``. The web layer checks an upload first (``etwin_lti.services.uploads``);
the hub then decides whether this person may add it here (``Action.ADD_MATERIAL``, a writable
TwinSpace), whether the TwinSpace's quota has room, stores it under a random key and records
the material, all or nothing: a refusal or an error at any step leaves neither a row nor a
stored object. Reading a file follows the material list's visibility rule for ``viewer_id``:
a private material is reported missing (404) to whoever may not list it, and so is a material
of another TwinSpace, whatever its id.
"""

from __future__ import annotations

from typing import Protocol

from etwin_lti.domain.files import CheckedUpload, OpenedFile
from etwin_lti.domain.model import Material, Visibility


class MaterialFilesHub(Protocol):
    def add_file_material(
        self,
        actor_id: int,
        twinspace_id: int,
        title: str,
        upload: CheckedUpload,
        *,
        visibility: Visibility | None = None,
    ) -> Material:
        """``QuotaExceededError`` (409) when the TwinSpace's files would pass its quota."""
        ...

    def open_material_file(
        self,
        twinspace_id: int,
        material_id: int,
        *,
        viewer_id: int | None,
        thumbnail: bool = False,
    ) -> OpenedFile:
        """The file (or its thumbnail, a JPEG); the caller closes ``body``."""
        ...

    def open_public_file(
        self, project_id: int, material_id: int, *, thumbnail: bool = False
    ) -> OpenedFile:
        """A file the project's public page lists (``etwin_lti.domain.public_pages``): public,
        not hidden, in the TwinSpace of a project with a public page. Anything else, unknown
        ids included, is the same ``NoPublicFileError`` (404)."""
        ...

    def twinspace_file_usage(self, twinspace_id: int) -> int:
        """Bytes the TwinSpace's files (thumbnails included) take of its quota."""
        ...
