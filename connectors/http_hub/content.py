"""Pages, materials, the Project Diary and the forum over ``/api/v1``."""

from __future__ import annotations

from connectors.http_hub.base import HttpHubBase
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
from schemas.api.content import (
    DiaryCommentSchema,
    DiaryPostSchema,
    ForumPostSchema,
    ForumThreadSchema,
    MaterialSchema,
    PageSchema,
)


class ContentArea(HttpHubBase):
    def add_page(
        self,
        actor_id: int,
        twinspace_id: int,
        title: str,
        body: str,
        *,
        visibility: Visibility | None = None,
    ) -> Page:
        payload = {"actor_id": actor_id, "title": title, "body": body, "visibility": visibility}
        return self._call("POST", f"/twinspaces/{twinspace_id}/pages", PageSchema(), body=payload)

    def list_pages(self, twinspace_id: int, *, viewer_id: int | None = None) -> list[Page]:
        return self._call(
            "GET",
            f"/twinspaces/{twinspace_id}/pages",
            PageSchema(many=True),
            query={"viewer_id": viewer_id},
        )

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
        body = {
            "actor_id": actor_id,
            "title": title,
            "kind": kind,
            "url": url,
            "visibility": visibility,
        }
        return self._call(
            "POST", f"/twinspaces/{twinspace_id}/materials", MaterialSchema(), body=body
        )

    def list_materials(self, twinspace_id: int, *, viewer_id: int | None = None) -> list[Material]:
        return self._call(
            "GET",
            f"/twinspaces/{twinspace_id}/materials",
            MaterialSchema(many=True),
            query={"viewer_id": viewer_id},
        )

    def post_diary(self, actor_id: int, project_id: int, title: str, body: str) -> DiaryPost:
        payload = {"actor_id": actor_id, "title": title, "body": body}
        return self._call("POST", f"/projects/{project_id}/diary", DiaryPostSchema(), body=payload)

    def comment_diary(self, actor_id: int, post_id: int, body: str) -> DiaryComment:
        payload = {"actor_id": actor_id, "body": body}
        return self._call("POST", f"/diary/{post_id}/comments", DiaryCommentSchema(), body=payload)

    def list_diary(self, project_id: int, *, viewer_id: int | None = None) -> list[DiaryPost]:
        return self._call(
            "GET",
            f"/projects/{project_id}/diary",
            DiaryPostSchema(many=True),
            query={"viewer_id": viewer_id},
        )

    def create_thread(self, actor_id: int, twinspace_id: int, title: str, body: str) -> ForumThread:
        payload = {"actor_id": actor_id, "title": title, "body": body}
        return self._call(
            "POST", f"/twinspaces/{twinspace_id}/threads", ForumThreadSchema(), body=payload
        )

    def reply_thread(self, actor_id: int, thread_id: int, body: str) -> ForumPost:
        payload = {"actor_id": actor_id, "body": body}
        return self._call("POST", f"/threads/{thread_id}/posts", ForumPostSchema(), body=payload)

    def list_threads(self, twinspace_id: int, *, viewer_id: int | None = None) -> list[ForumThread]:
        return self._call(
            "GET",
            f"/twinspaces/{twinspace_id}/threads",
            ForumThreadSchema(many=True),
            query={"viewer_id": viewer_id},
        )
