"""The TwinSpace chat over ``/api/v1/twinspaces/<id>/chat``."""

from __future__ import annotations

from connectors.http_hub.base import HttpHubBase
from etwin_lti.domain.chat import PAGE_MAX, RECENT_DEFAULT, ChatChanges, ChatMessage
from schemas.api.chat import ChatChangesSchema, ChatMessageSchema


class ChatArea(HttpHubBase):
    def post_chat_message(self, actor_id: int, twinspace_id: int, body: str) -> ChatMessage:
        return self._call(
            "POST",
            f"/twinspaces/{twinspace_id}/chat/messages",
            ChatMessageSchema(),
            body={"actor_id": actor_id, "body": body},
        )

    def recent_chat(
        self, viewer_id: int, twinspace_id: int, *, limit: int = RECENT_DEFAULT
    ) -> ChatChanges:
        return self._call(
            "GET",
            f"/twinspaces/{twinspace_id}/chat/recent",
            ChatChangesSchema(),
            query={"viewer_id": viewer_id, "limit": limit},
        )

    def chat_changes(
        self, viewer_id: int, twinspace_id: int, *, after: int = 0, limit: int = PAGE_MAX
    ) -> ChatChanges:
        return self._call(
            "GET",
            f"/twinspaces/{twinspace_id}/chat/messages",
            ChatChangesSchema(),
            query={"viewer_id": viewer_id, "after": after, "limit": limit},
        )

    def delete_chat_message(self, actor_id: int, twinspace_id: int, message_id: int) -> ChatMessage:
        return self._call(
            "DELETE",
            f"/twinspaces/{twinspace_id}/chat/messages/{message_id}",
            ChatMessageSchema(),
            body={"actor_id": actor_id},
        )

    def hide_chat_message(
        self, actor_id: int, twinspace_id: int, message_id: int, *, hidden: bool = True
    ) -> ChatMessage:
        return self._call(
            "PUT",
            f"/twinspaces/{twinspace_id}/chat/messages/{message_id}/hidden",
            ChatMessageSchema(),
            body={"actor_id": actor_id, "hidden": hidden},
        )
