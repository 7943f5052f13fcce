"""Editing and moderating TwinSpace content (``etwin_lti.domain.moderation``).

Every call names the TwinSpace and the content; the content is looked up and checked to belong
to that TwinSpace (a forum reply through its thread, a Diary comment through its post and the
post's project) before anything else, so an id taken from another TwinSpace is "not found"
there. Each accepted change and its audit entry are one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from connectors import hub_records as rec
from connectors import sql_audit as audit
from connectors.local_hub.base import LocalHubBase, _enum
from connectors.local_hub.material_files import remove_stored, stored_keys
from etwin_lti.domain import moderation, twinspaces
from etwin_lti.domain.audit import AuditAction
from etwin_lti.domain.model import TwinSpace, Visibility
from etwin_lti.domain.moderation import (
    NOUNS,
    WITH_VISIBILITY,
    ContentKind,
    ContentState,
    ContentStateError,
    ModerationEntry,
)
from etwin_lti.domain.translatable import N_
from etwin_lti.errors import InvalidInputError, NotFoundError
from etwin_lti.persistence.models.audit import AuditRow
from etwin_lti.persistence.models.hub import (
    DiaryCommentRow,
    DiaryPostRow,
    ForumPostRow,
    ForumThreadRow,
    MaterialRow,
    PageRow,
    TwinSpaceRow,
)

ROWS: dict[ContentKind, Any] = {
    ContentKind.PAGE: PageRow,
    ContentKind.MATERIAL: MaterialRow,
    ContentKind.DIARY_POST: DiaryPostRow,
    ContentKind.DIARY_COMMENT: DiaryCommentRow,
    ContentKind.THREAD: ForumThreadRow,
    ContentKind.FORUM_POST: ForumPostRow,
}
LOG_MAX = 100


@dataclass(frozen=True)
class _Found:
    kind: ContentKind
    row: Any
    space: TwinSpace
    hidden: bool  # itself, or the thread or Diary post it belongs to


class ModerationArea(LocalHubBase):
    def _find(self, s: Session, twinspace_id: int, kind: ContentKind, content_id: int) -> _Found:
        space = rec.load_twinspace(s, twinspace_id)
        row = s.get(ROWS[kind], content_id)
        owner, parent_hidden = None, False
        if row is not None:
            owner, parent_hidden = self._owner(s, kind, row)
        if row is None or owner != twinspace_id:
            raise NotFoundError(f"There is no such {NOUNS[kind]} in this TwinSpace.")
        return _Found(kind, row, space, parent_hidden or row.hidden_at is not None)

    def _owner(self, s: Session, kind: ContentKind, row: Any) -> tuple[int | None, bool]:
        """The TwinSpace the row belongs to, and whether what holds it is hidden."""
        if kind is ContentKind.FORUM_POST:
            thread = s.get(ForumThreadRow, row.thread_id)
            assert thread is not None  # a foreign key
            return thread.twinspace_id, thread.hidden_at is not None
        if kind is ContentKind.DIARY_COMMENT:
            post = s.get(DiaryPostRow, row.post_id)
            assert post is not None
            return self._diary_space(s, post.project_id), post.hidden_at is not None
        if kind is ContentKind.DIARY_POST:
            return self._diary_space(s, row.project_id), False
        return row.twinspace_id, False

    def _diary_space(self, s: Session, project_id: int) -> int | None:
        return s.scalar(select(TwinSpaceRow.id).where(TwinSpaceRow.project_id == project_id))

    def _record(
        self,
        s: Session,
        action: AuditAction,
        found: _Found,
        actor_id: int,
        **details: object,
    ) -> None:
        # "by" keeps the person when the call came through the API (whose actor is the token).
        audit.record(
            s,
            action,
            found.kind.value,
            found.row.id,
            {"twinspace_id": found.space.id, "by": actor_id, **details},
            at=self._now(),
            person_id=actor_id,
        )

    def edit_content(
        self,
        actor_id: int,
        twinspace_id: int,
        kind: ContentKind,
        content_id: int,
        *,
        title: str | None = None,
        body: str | None = None,
        url: str | None = None,
    ) -> ContentState:
        kind = _enum(ContentKind, kind, "kind")
        changes = moderation.clean_edit(kind, title=title, body=body, url=url)
        with self._db.session() as s:
            found = self._find(s, twinspace_id, kind, content_id)
            rec.load_person(s, actor_id)
            actor = rec.find_member(s, twinspace_id, actor_id)
            moderation.check_edit(actor, found.row.author_id, hidden=found.hidden)
            twinspaces.check_writable(found.space)
            if kind is ContentKind.MATERIAL and found.row.file_key is not None and "url" in changes:
                # An uploaded file's content is its bytes: a link on it would make it both.
                raise InvalidInputError(
                    errors={"url": ["An uploaded file has no link to edit: edit its title."]}
                )
            for name, value in changes.items():
                setattr(found.row, name, value)
            self._record(
                s, AuditAction.CONTENT_EDITED, found, actor_id, fields=",".join(sorted(changes))
            )
            s.flush()
            return _state(found)

    def delete_content(
        self, actor_id: int, twinspace_id: int, kind: ContentKind, content_id: int
    ) -> None:
        kind = _enum(ContentKind, kind, "kind")
        with self._db.session() as s:
            found = self._find(s, twinspace_id, kind, content_id)
            rec.load_person(s, actor_id)
            moderation.check_delete(rec.find_member(s, twinspace_id, actor_id), found.row.author_id)
            twinspaces.check_writable(found.space)
            row = found.row
            if kind is ContentKind.FORUM_POST and self._opens_thread(s, row):
                raise ContentStateError(
                    N_("This reply opens its thread: delete the thread instead.")
                )
            if kind is ContentKind.THREAD:
                s.execute(delete(ForumPostRow).where(ForumPostRow.thread_id == row.id))
            if kind is ContentKind.DIARY_POST:
                s.execute(delete(DiaryCommentRow).where(DiaryCommentRow.post_id == row.id))
            stored = stored_keys(row) if kind is ContentKind.MATERIAL else ()
            self._record(s, AuditAction.CONTENT_DELETED, found, actor_id)
            s.delete(row)
        # The bytes go once the row is committed away: a failed commit keeps both.
        remove_stored(self._files, stored)

    def _opens_thread(self, s: Session, post: ForumPostRow) -> bool:
        first = s.scalar(
            select(func.min(ForumPostRow.id)).where(ForumPostRow.thread_id == post.thread_id)
        )
        return first == post.id

    def hide_content(
        self, actor_id: int, twinspace_id: int, kind: ContentKind, content_id: int
    ) -> ContentState:
        return self._set_hidden(actor_id, twinspace_id, kind, content_id, hide=True)

    def restore_content(
        self, actor_id: int, twinspace_id: int, kind: ContentKind, content_id: int
    ) -> ContentState:
        return self._set_hidden(actor_id, twinspace_id, kind, content_id, hide=False)

    def _set_hidden(
        self, actor_id: int, twinspace_id: int, kind: ContentKind, content_id: int, *, hide: bool
    ) -> ContentState:
        kind = _enum(ContentKind, kind, "kind")
        with self._db.session() as s:
            found = self._find(s, twinspace_id, kind, content_id)
            rec.load_person(s, actor_id)
            moderation.check_moderate(rec.find_member(s, twinspace_id, actor_id))
            twinspaces.check_writable(found.space)
            is_hidden = found.row.hidden_at is not None
            if hide and is_hidden:
                raise ContentStateError(f"This {NOUNS[kind]} is hidden already.")
            if not hide and not is_hidden:
                raise ContentStateError(f"This {NOUNS[kind]} is not hidden.")
            found.row.hidden_at = self._now() if hide else None
            action = AuditAction.CONTENT_HIDDEN if hide else AuditAction.CONTENT_RESTORED
            self._record(s, action, found, actor_id)
            s.flush()
            return _state(found)

    def set_content_visibility(
        self,
        actor_id: int,
        twinspace_id: int,
        kind: ContentKind,
        content_id: int,
        visibility: Visibility,
    ) -> ContentState:
        kind = _enum(ContentKind, kind, "kind")
        wanted = _enum(Visibility, visibility, "visibility")
        if kind not in WITH_VISIBILITY:
            raise InvalidInputError(
                errors={"kind": ["Only pages and materials are public or private."]}
            )
        with self._db.session() as s:
            found = self._find(s, twinspace_id, kind, content_id)
            rec.load_person(s, actor_id)
            actor = moderation.check_visibility(
                rec.find_member(s, twinspace_id, actor_id), kind, found.row.author_id, wanted
            )
            twinspaces.check_writable(found.space)
            if found.hidden and not moderation.is_administrator(actor):
                raise moderation.HiddenContentError()
            if found.row.visibility == wanted.value:
                raise ContentStateError(f"This {NOUNS[kind]} is {wanted.value} already.")
            found.row.visibility = wanted.value
            self._record(
                s,
                AuditAction.CONTENT_VISIBILITY_CHANGED,
                found,
                actor_id,
                visibility=wanted.value,
            )
            s.flush()
            return _state(found)

    def moderation_log(
        self, actor_id: int, twinspace_id: int, *, limit: int = 20
    ) -> list[ModerationEntry]:
        limit = min(max(limit, 1), LOG_MAX)
        with self._db.session() as s:
            rec.load_twinspace(s, twinspace_id)
            rec.load_person(s, actor_id)
            moderation.check_moderate(rec.find_member(s, twinspace_id, actor_id))
            rows = s.scalars(
                select(AuditRow)
                .where(
                    AuditRow.action.in_([a.value for a in moderation.MODERATION_ACTIONS]),
                    AuditRow.details["twinspace_id"].as_string() == str(twinspace_id),
                )
                .order_by(AuditRow.id.desc())
                .limit(limit)
            ).all()
            return [entry for row in rows if (entry := _entry(row)) is not None]


def _state(found: _Found) -> ContentState:
    row = found.row
    return ContentState(
        kind=found.kind,
        id=row.id,
        twinspace_id=found.space.id,
        author_id=row.author_id,
        hidden=row.hidden_at is not None,
        visibility=Visibility(row.visibility) if found.kind in WITH_VISIBILITY else None,
    )


def _entry(row: AuditRow) -> ModerationEntry | None:
    details = row.details or {}
    try:
        kind = ContentKind(row.subject_kind)
        content_id = int(row.subject_id)
    except ValueError:
        return None  # not content: never written by this module
    by = details.get("by")
    if by is None and row.actor.startswith("person:"):
        by = row.actor.removeprefix("person:")  # entries from before "by" was recorded
    visibility = details.get("visibility")
    return ModerationEntry(
        id=row.id,
        at=row.at,  # a UtcDateTime column: aware UTC on both backends
        action=row.action,
        kind=kind,
        content_id=content_id,
        by=int(by) if by is not None and str(by).isdigit() else None,
        visibility=Visibility(visibility) if visibility in set(Visibility) else None,
    )
