"""Uploaded files in materials (``MaterialFilesHub``): rows here, bytes in the ``FileStore``.

All or nothing: the TwinSpace row is locked (``FOR UPDATE`` on PostgreSQL; SQLite has one
writer) while its usage is summed and the quota checked, so two uploads at once cannot both
squeeze under it; the bytes are stored under fresh random keys before the row is written, and
whatever fails after that (the thumbnail's put, the insert, the commit) deletes what was
stored, so neither a row without its file nor an orphaned file is left.
"""

from __future__ import annotations

import io
import logging
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import BinaryIO

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from connectors import hub_records as rec
from connectors.local_hub.base import LocalHubBase, _enum
from etwin_lti.domain import moderation, public_pages, twinspaces
from etwin_lti.domain.files import MB, CheckedUpload, OpenedFile, inline_type
from etwin_lti.domain.model import Material, Visibility
from etwin_lti.domain.ports.file_store import FileStore
from etwin_lti.domain.translatable import N_
from etwin_lti.domain.twinspaces import Action
from etwin_lti.domain.validation import FieldErrors
from etwin_lti.errors import (
    ConfigurationError,
    EtwinLtiError,
    NotFoundError,
    QuotaExceededError,
)
from etwin_lti.persistence.models.hub import MaterialRow, ProjectRow, TwinSpaceRow

THUMBNAIL_TYPE = "image/jpeg"
log = logging.getLogger(__name__)


class MaterialFilesArea(LocalHubBase):
    def _store(self) -> FileStore:
        if self._files is None:
            raise ConfigurationError("This hub was built without a file store.")
        return self._files

    def add_file_material(
        self,
        actor_id: int,
        twinspace_id: int,
        title: str,
        upload: CheckedUpload,
        *,
        visibility: Visibility | None = None,
    ) -> Material:
        errors = FieldErrors()
        clean_title = errors.title("title", title)
        errors.raise_if_any()
        wanted = _enum(Visibility, visibility, "visibility") if visibility is not None else None
        store = self._store()
        with self._stored_or_removed(store) as keep, self._db.session() as s:
            space = rec.load_twinspace(s, twinspace_id)
            rec.load_person(s, actor_id)
            actor = twinspaces.check_can(
                rec.find_member(s, twinspace_id, actor_id), Action.ADD_MATERIAL
            )
            twinspaces.check_writable(space)
            s.get(TwinSpaceRow, twinspace_id, with_for_update=True)
            used = self._usage(s, twinspace_id)
            if used + upload.stored_bytes > self._quota_bytes:
                raise QuotaExceededError(
                    f"This TwinSpace's files may take {self._quota_bytes // MB} MB; "
                    f"{used / MB:.1f} MB are used and this file needs "
                    f"{upload.stored_bytes / MB:.1f} MB more.",
                    errors={"file": ["The TwinSpace's file quota is full."]},
                )
            file_key = keep(upload.body)
            thumbnail_key = keep(io.BytesIO(upload.thumbnail)) if upload.thumbnail else None
            row = MaterialRow(
                twinspace_id=twinspace_id,
                title=clean_title,
                kind=upload.file_type.kind.value,
                url=None,
                visibility=twinspaces.resolve_visibility(wanted, actor, space).value,
                author_id=actor_id,
                created_at=self._now(),
                file_key=file_key,
                file_size=upload.size,
                content_type=upload.file_type.content_type,
                file_name=upload.filename,
                thumbnail_key=thumbnail_key,
                thumbnail_size=len(upload.thumbnail) if upload.thumbnail else None,
            )
            s.add(row)
            s.flush()
            return rec.material(row)

    @contextmanager
    def _stored_or_removed(self, store: FileStore) -> Iterator[_Keeper]:
        keeper = _Keeper(store)
        try:
            yield keeper
        except BaseException:
            keeper.remove_all()
            raise

    def open_material_file(
        self,
        twinspace_id: int,
        material_id: int,
        *,
        viewer_id: int | None,
        thumbnail: bool = False,
    ) -> OpenedFile:
        with self._db.session() as s:
            row = self._visible_material(s, twinspace_id, material_id, viewer_id)
            stored = _stored_file(row, thumbnail)
        return self._opened(stored)

    def open_public_file(
        self, project_id: int, material_id: int, *, thumbnail: bool = False
    ) -> OpenedFile:
        with self._db.session() as s:
            project_row = s.get(ProjectRow, project_id)
            try:
                project = public_pages.check_public(
                    rec.project(s, project_row) if project_row is not None else None
                )
            except public_pages.NoPublicPageError:
                raise public_pages.NoPublicFileError() from None
            row = s.get(MaterialRow, material_id)
            if (
                row is None
                or project.twinspace_id is None
                or row.twinspace_id != project.twinspace_id
                or not public_pages.shows_material(row.visibility, row.hidden_at)
                or (row.thumbnail_key if thumbnail else row.file_key) is None
            ):
                raise public_pages.NoPublicFileError()
            stored = _stored_file(row, thumbnail)
        return self._opened(stored)

    def _opened(self, stored: _StoredFile) -> OpenedFile:
        # The store is opened once the session is closed: no connection waits on the bytes.
        return OpenedFile(
            content_type=stored.content_type,
            size=stored.size,
            filename=stored.filename,
            inline=inline_type(stored.content_type),
            body=self._store().open(stored.key),
        )

    def _visible_material(
        self, s: Session, twinspace_id: int, material_id: int, viewer_id: int | None
    ) -> MaterialRow:
        """The list's rule: unknown, elsewhere and not-yours-to-see are the same 404."""
        rec.load(s, TwinSpaceRow, twinspace_id, "TwinSpace")
        row = s.get(MaterialRow, material_id)
        if row is None or row.twinspace_id != twinspace_id:
            raise NotFoundError(N_("Material not found in this TwinSpace."))
        viewer = rec.find_member(s, twinspace_id, viewer_id) if viewer_id is not None else None
        sees_private = viewer is not None and twinspaces.can_see_private(viewer)
        if row.visibility != Visibility.PUBLIC.value and not sees_private:
            raise NotFoundError(N_("Material not found in this TwinSpace."))
        # A hidden material is out of the list for all but its moderators: so are its bytes,
        # public or not (a hidden photo must not stay reachable by its old link).
        if row.hidden_at is not None and not moderation.sees_hidden(viewer):
            raise NotFoundError(N_("Material not found in this TwinSpace."))
        return row

    def twinspace_file_usage(self, twinspace_id: int) -> int:
        with self._db.session() as s:
            rec.load(s, TwinSpaceRow, twinspace_id, "TwinSpace")
            return self._usage(s, twinspace_id)

    def _usage(self, s: Session, twinspace_id: int) -> int:
        total = s.scalar(
            select(
                func.coalesce(func.sum(MaterialRow.file_size), 0)
                + func.coalesce(func.sum(MaterialRow.thumbnail_size), 0)
            ).where(MaterialRow.twinspace_id == twinspace_id)
        )
        return int(total or 0)


@dataclass(frozen=True)
class _StoredFile:
    key: str
    size: int
    content_type: str
    filename: str


def _stored_file(row: MaterialRow, thumbnail: bool) -> _StoredFile:
    key = row.thumbnail_key if thumbnail else row.file_key
    if key is None:
        raise NotFoundError(
            "This material has no thumbnail." if thumbnail else "This material is a link."
        )
    return _StoredFile(
        key=key,
        size=(row.thumbnail_size if thumbnail else row.file_size) or 0,
        content_type=THUMBNAIL_TYPE if thumbnail else (row.content_type or ""),
        filename=row.file_name or "file",
    )


def stored_keys(row: MaterialRow) -> tuple[str, ...]:
    """The objects a material row points to (none for a link)."""
    return tuple(key for key in (row.file_key, row.thumbnail_key) if key is not None)


def remove_stored(store: FileStore | None, keys: tuple[str, ...]) -> None:
    """Removes the objects of a material whose row is gone (call it after the commit: a row
    never points at missing bytes). A store that fails now leaves an orphaned object, which no
    row names and nobody can fetch; it is logged, and the deletion itself stands."""
    if not keys:
        return
    if store is None:
        log.warning("a file material was deleted on a hub without a file store")
        return
    for key in keys:
        try:
            store.delete(key)
        except EtwinLtiError:
            log.warning("could not remove a deleted material's stored file")


class _Keeper:
    """Stores streams under new random keys and remembers them, to remove them all if the
    unit of work they belong to fails."""

    def __init__(self, store: FileStore) -> None:
        self._store = store
        self._keys: list[str] = []

    def __call__(self, body: BinaryIO) -> str:
        key = secrets.token_urlsafe(24)
        self._keys.append(key)  # before the put: a put that half-happened is removed too
        self._store.put(key, body)
        return key

    def remove_all(self) -> None:
        for key in self._keys:
            try:
                self._store.delete(key)
            except EtwinLtiError:
                # The store is down: the first error is the one to report; the object keeps
                # no row pointing at it and is found by its absence from every row.
                log.warning("could not remove a stored file after a failed upload")
