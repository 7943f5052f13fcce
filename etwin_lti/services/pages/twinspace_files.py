"""Files of the TwinSpace page: uploading into a material and opening one (issue 12 item 1).

The page's own rule decides first, as for everything it shows: the TwinSpace must be the one
this launch opened (or the viewer an active member of it), and a file is served only if its
material is among those the page lists for this viewer (a guest sees public ones only). The hub
then applies its own checks (rights, quota, the material list's visibility rule).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import IO, Protocol

from etwin_lti.domain import twinspaces
from etwin_lti.domain.files import OpenedFile
from etwin_lti.domain.launches import LaunchSession
from etwin_lti.domain.ports import MaterialFilesHub, TwinSpacesHub
from etwin_lti.domain.translatable import N_
from etwin_lti.domain.twinspace_snapshot import TwinSpaceSnapshot
from etwin_lti.domain.twinspaces import Action
from etwin_lti.domain.validation import FieldErrors
from etwin_lti.errors import NotFoundError
from etwin_lti.services.pages.common import (
    NotYourResourceError,
    field_choice,
    launched_for,
    require_person,
)
from etwin_lti.services.pages.twinspace import VISIBILITIES
from etwin_lti.services.uploads import FIELD, add_uploaded_material


class TwinSpaceFilesHub(TwinSpacesHub, MaterialFilesHub, Protocol):
    """The page's snapshot and the hub's file operations."""


class TwinSpaceFilePages:
    def __init__(self, hub: TwinSpaceFilesHub) -> None:
        self.hub = hub

    def _snapshot(self, session: LaunchSession, twinspace_id: int) -> TwinSpaceSnapshot:
        snap = self.hub.twinspace_snapshot(twinspace_id, viewer_id=session.person_id)
        if not launched_for(session, "twinspace", twinspace_id) and not twinspaces.is_active(
            snap.viewer
        ):
            raise NotYourResourceError()
        return snap

    def upload(
        self,
        session: LaunchSession,
        twinspace_id: int,
        form: Mapping[str, str],
        stream: IO[bytes] | None,
        filename: str | None,
    ) -> str:
        snap = self._snapshot(session, twinspace_id)
        actor_id = require_person(session)
        # Refused before the upload is read: a guest's 20 MB never reaches the checks.
        twinspaces.check_can(snap.viewer, Action.ADD_MATERIAL)
        twinspaces.check_writable(snap.twinspace)
        errors = FieldErrors()
        title = errors.title("title", form.get("title", ""))
        visibility = field_choice(errors, form, "visibility", VISIBILITIES)
        if stream is None:
            errors.add(FIELD, "Choose a file to upload.")
        errors.raise_if_any()
        assert stream is not None  # a missing file is a field error above
        add_uploaded_material(
            self.hub, actor_id, twinspace_id, title, stream, filename, visibility=visibility
        )
        return "file_uploaded"

    def open(
        self, session: LaunchSession, twinspace_id: int, material_id: int, *, thumbnail: bool
    ) -> OpenedFile:
        snap = self._snapshot(session, twinspace_id)
        listed = next((m for m in snap.materials if m.id == material_id), None)
        if listed is None or listed.file is None:
            raise NotFoundError(N_("There is no such file in this TwinSpace."))
        return self.hub.open_material_file(
            twinspace_id, material_id, viewer_id=session.person_id, thumbnail=thumbnail
        )
