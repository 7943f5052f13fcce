"""The hub's content area: pages, materials, the Project Diary and the forum of a TwinSpace.

Part of ``HubPort`` (``etwin_lti.domain.ports.hub``), kept in its own module for its size; the
conventions in ``hub``'s docstring hold here too.
"""

from __future__ import annotations

from typing import Protocol

from etwin_lti.domain.model import (
    DiaryComment,
    DiaryPost,
    ForumPost,
    ForumThread,
    Material,
    MaterialKind,
    Page,
    Visibility,
)
from etwin_lti.domain.moderation import ContentKind, ContentState, ModerationEntry


class ContentHub(Protocol):
    """What members publish in a TwinSpace: pages, materials, the Project Diary, the forum."""

    def add_page(
        self,
        actor_id: int,
        twinspace_id: int,
        title: str,
        body: str,
        *,
        visibility: Visibility | None = None,
    ) -> Page:
        """``visibility`` None means private when pupils are members, else public. Pupils'
        content is never public."""
        ...

    def list_pages(self, twinspace_id: int, *, viewer_id: int | None = None) -> list[Page]:
        """Ordered by id. A viewer who is not an active member sees public pages only."""
        ...

    def add_material(
        self,
        actor_id: int,
        twinspace_id: int,
        title: str,
        kind: MaterialKind,
        url: str,
        *,
        visibility: Visibility | None = None,
    ) -> Material: ...

    def list_materials(
        self, twinspace_id: int, *, viewer_id: int | None = None
    ) -> list[Material]: ...

    def post_diary(self, actor_id: int, project_id: int, title: str, body: str) -> DiaryPost:
        """Partners (founders and partner teachers) post to the Project Diary."""
        ...

    def comment_diary(self, actor_id: int, post_id: int, body: str) -> DiaryComment:
        """Any active member of the project's TwinSpace may comment; not on a hidden post (409)."""
        ...

    def list_diary(self, project_id: int, *, viewer_id: int | None = None) -> list[DiaryPost]:
        """Reverse chronological (newest first), comments oldest first. Hidden posts and
        comments only for a ``viewer_id`` who is a teacher administrator of its TwinSpace."""
        ...

    def create_thread(self, actor_id: int, twinspace_id: int, title: str, body: str) -> ForumThread:
        """Teacher administrators, teachers, experts and pupil administrators open threads."""
        ...

    def reply_thread(self, actor_id: int, thread_id: int, body: str) -> ForumPost:
        """Every active member except guests may reply; not in a hidden thread (409)."""
        ...

    def list_threads(self, twinspace_id: int, *, viewer_id: int | None = None) -> list[ForumThread]:
        """By id; hidden threads and replies only for the TwinSpace's teacher administrators."""
        ...

    # --- editing and moderation (etwin_lti.domain.moderation) --------------------------------
    # Each names the TwinSpace and the content; content of another TwinSpace is 404 there.
    # Refusals: not the author / not a teacher administrator of this TwinSpace (403), an
    # archived TwinSpace (409), out of order such as hiding what is hidden (409). Each accepted
    # change is audited in its own transaction.

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
        """The author only (not once hidden: 409). Fields per kind: ``moderation.EDITABLE``;
        a field the kind lacks, or none at all, is 422."""
        ...

    def delete_content(
        self, actor_id: int, twinspace_id: int, kind: ContentKind, content_id: int
    ) -> None:
        """The author or a teacher administrator; a thread goes with its replies, a Diary post
        with its comments; a thread's opening post only with its thread (409)."""
        ...

    def hide_content(
        self, actor_id: int, twinspace_id: int, kind: ContentKind, content_id: int
    ) -> ContentState:
        """Teacher administrators of this TwinSpace; then only they see it."""
        ...

    def restore_content(
        self, actor_id: int, twinspace_id: int, kind: ContentKind, content_id: int
    ) -> ContentState: ...

    def set_content_visibility(
        self,
        actor_id: int,
        twinspace_id: int,
        kind: ContentKind,
        content_id: int,
        visibility: Visibility,
    ) -> ContentState:
        """Pages and materials (else 422): a teacher administrator switches anyone's, pupils'
        included; an author makes their own private, or public if their role publishes."""
        ...

    def moderation_log(
        self, actor_id: int, twinspace_id: int, *, limit: int = 20
    ) -> list[ModerationEntry]:
        """The TwinSpace's moderation trail, newest first, for its teacher administrators."""
        ...
