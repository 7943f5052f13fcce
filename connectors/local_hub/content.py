"""TwinSpace content: pages, materials, the Project Diary and the forum."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from connectors import hub_records as rec
from connectors.local_hub.base import LocalHubBase, T, _enum
from etwin_lti.domain import moderation, projects, twinspaces
from etwin_lti.domain.model import (
    DiaryComment,
    DiaryPost,
    ForumPost,
    ForumThread,
    Material,
    MaterialKind,
    Member,
    Page,
    TwinSpace,
    Visibility,
)
from etwin_lti.domain.translatable import N_
from etwin_lti.domain.twinspaces import Action
from etwin_lti.domain.validation import (
    BODY_MAX,
    COMMENT_MAX,
    FieldErrors,
)
from etwin_lti.errors import (
    PermissionDeniedError,
)
from etwin_lti.persistence.models.hub import (
    DiaryCommentRow,
    DiaryPostRow,
    ForumPostRow,
    ForumThreadRow,
    MaterialRow,
    PageRow,
    ProjectRow,
    TwinSpaceRow,
)


class ContentArea(LocalHubBase):
    def _author(
        self, s: Session, actor_id: int, twinspace_id: int, action: Action
    ) -> tuple[TwinSpace, Member]:
        space = rec.load_twinspace(s, twinspace_id)
        rec.load_person(s, actor_id)
        actor = twinspaces.check_can(rec.find_member(s, twinspace_id, actor_id), action)
        twinspaces.check_writable(space)
        return space, actor

    def add_page(
        self,
        actor_id: int,
        twinspace_id: int,
        title: str,
        body: str,
        *,
        visibility: Visibility | None = None,
    ) -> Page:
        errors = FieldErrors()
        clean_title = errors.title("title", title)
        clean_body = errors.text("body", body, max_length=BODY_MAX, required=False)
        errors.raise_if_any()
        wanted = _enum(Visibility, visibility, "visibility") if visibility is not None else None
        with self._db.session() as s:
            space, actor = self._author(s, actor_id, twinspace_id, Action.ADD_PAGE)
            row = PageRow(
                twinspace_id=twinspace_id,
                title=clean_title,
                body=clean_body,
                visibility=twinspaces.resolve_visibility(wanted, actor, space).value,
                author_id=actor_id,
                created_at=self._now(),
            )
            s.add(row)
            s.flush()
            return rec.page(row)

    def list_pages(self, twinspace_id: int, *, viewer_id: int | None = None) -> list[Page]:
        return self._list_visible(PageRow, rec.page, twinspace_id, viewer_id)

    def _list_visible(
        self, row_type: Any, to_domain: Callable[[Any], T], twinspace_id: int, viewer_id: int | None
    ) -> list[T]:
        """Pages and materials alike: a viewer who is not an active member sees public ones;
        what a teacher administrator hid only its teacher administrators see."""
        with self._db.session() as s:
            rec.load(s, TwinSpaceRow, twinspace_id, "TwinSpace")
            query = select(row_type).where(row_type.twinspace_id == twinspace_id)
            if not self._sees_private(s, twinspace_id, viewer_id):
                query = query.where(row_type.visibility == Visibility.PUBLIC.value)
            if not self._sees_hidden(s, twinspace_id, viewer_id):
                query = query.where(row_type.hidden_at.is_(None))
            return [to_domain(row) for row in s.scalars(query.order_by(row_type.id))]

    def _sees_private(self, s: Session, twinspace_id: int, viewer_id: int | None) -> bool:
        if viewer_id is None:
            return False
        return twinspaces.can_see_private(rec.find_member(s, twinspace_id, viewer_id))

    def _sees_hidden(self, s: Session, twinspace_id: int | None, viewer_id: int | None) -> bool:
        if viewer_id is None or twinspace_id is None:
            return False
        return moderation.sees_hidden(rec.find_member(s, twinspace_id, viewer_id))

    def add_material(
        self,
        actor_id: int,
        twinspace_id: int,
        title: str,
        kind: MaterialKind,
        url: str,
        *,
        visibility: Visibility | None = None,
    ) -> Material:
        errors = FieldErrors()
        clean_title = errors.title("title", title)
        clean_url = errors.url("url", url)
        errors.raise_if_any()
        material_kind = _enum(MaterialKind, kind, "kind")
        wanted = _enum(Visibility, visibility, "visibility") if visibility is not None else None
        with self._db.session() as s:
            space, actor = self._author(s, actor_id, twinspace_id, Action.ADD_MATERIAL)
            row = MaterialRow(
                twinspace_id=twinspace_id,
                title=clean_title,
                kind=material_kind.value,
                url=clean_url,
                visibility=twinspaces.resolve_visibility(wanted, actor, space).value,
                author_id=actor_id,
                created_at=self._now(),
            )
            s.add(row)
            s.flush()
            return rec.material(row)

    def list_materials(self, twinspace_id: int, *, viewer_id: int | None = None) -> list[Material]:
        return self._list_visible(MaterialRow, rec.material, twinspace_id, viewer_id)

    def post_diary(self, actor_id: int, project_id: int, title: str, body: str) -> DiaryPost:
        errors = FieldErrors()
        clean_title = errors.title("title", title)
        clean_body = errors.text("body", body, max_length=BODY_MAX)
        errors.raise_if_any()
        with self._db.session() as s:
            project = rec.load_project(s, project_id)
            rec.load_person(s, actor_id)
            if actor_id not in projects.project_teacher_ids(project):
                raise PermissionDeniedError(N_("Only the project's partners post to its Diary."))
            if project.twinspace_id is not None:
                twinspaces.check_active_member(rec.find_member(s, project.twinspace_id, actor_id))
            projects.check_diary_open(project)
            row = DiaryPostRow(
                project_id=project_id,
                author_id=actor_id,
                title=clean_title,
                body=clean_body,
                created_at=self._now(),
            )
            s.add(row)
            s.flush()
            return rec.diary_post(s, row)

    def comment_diary(self, actor_id: int, post_id: int, body: str) -> DiaryComment:
        clean_body = FieldErrors()
        text = clean_body.text("body", body, max_length=COMMENT_MAX)
        clean_body.raise_if_any()
        with self._db.session() as s:
            post = rec.load(s, DiaryPostRow, post_id, "Diary post")
            project = rec.load_project(s, post.project_id)
            rec.load_person(s, actor_id)
            actor = (
                rec.find_member(s, project.twinspace_id, actor_id)
                if project.twinspace_id is not None
                else None
            )
            twinspaces.check_can(actor, Action.COMMENT_DIARY)
            projects.check_diary_open(project)
            if post.hidden_at is not None:  # nobody but its teacher administrators sees it
                raise moderation.HiddenContentError("A teacher administrator hid this post.")
            row = DiaryCommentRow(
                post_id=post_id, author_id=actor_id, body=text, created_at=self._now()
            )
            s.add(row)
            s.flush()
            return rec.diary_comment(row)

    def list_diary(self, project_id: int, *, viewer_id: int | None = None) -> list[DiaryPost]:
        with self._db.session() as s:
            project = rec.load(s, ProjectRow, project_id, "Project")
            space_id = s.scalar(
                select(TwinSpaceRow.id).where(TwinSpaceRow.project_id == project.id)
            )
            hidden = self._sees_hidden(s, space_id, viewer_id)
            return list(rec.diary_posts(s, project_id, with_hidden=hidden))

    def create_thread(self, actor_id: int, twinspace_id: int, title: str, body: str) -> ForumThread:
        errors = FieldErrors()
        clean_title = errors.title("title", title)
        clean_body = errors.text("body", body, max_length=BODY_MAX)
        errors.raise_if_any()
        with self._db.session() as s:
            self._author(s, actor_id, twinspace_id, Action.CREATE_THREAD)
            now = self._now()
            row = ForumThreadRow(
                twinspace_id=twinspace_id, author_id=actor_id, title=clean_title, created_at=now
            )
            s.add(row)
            s.flush()
            s.add(
                ForumPostRow(thread_id=row.id, author_id=actor_id, body=clean_body, created_at=now)
            )
            s.flush()
            return rec.forum_thread(s, row)

    def reply_thread(self, actor_id: int, thread_id: int, body: str) -> ForumPost:
        errors = FieldErrors()
        clean_body = errors.text("body", body, max_length=BODY_MAX)
        errors.raise_if_any()
        with self._db.session() as s:
            thread = rec.load(s, ForumThreadRow, thread_id, "Forum thread")
            self._author(s, actor_id, thread.twinspace_id, Action.REPLY_THREAD)
            if thread.hidden_at is not None:
                raise moderation.HiddenContentError("A teacher administrator hid this thread.")
            row = ForumPostRow(
                thread_id=thread_id, author_id=actor_id, body=clean_body, created_at=self._now()
            )
            s.add(row)
            s.flush()
            return rec.forum_post(row)

    def list_threads(self, twinspace_id: int, *, viewer_id: int | None = None) -> list[ForumThread]:
        with self._db.session() as s:
            rec.load(s, TwinSpaceRow, twinspace_id, "TwinSpace")
            hidden = self._sees_hidden(s, twinspace_id, viewer_id)
            return list(rec.forum_threads(s, twinspace_id, with_hidden=hidden))
