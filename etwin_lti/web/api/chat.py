"""``/api/v1/twinspaces/<id>/chat``: the TwinSpace chat for ``HttpHubConnector`` and admin tools.

Members only, like the embedded chat: every call names the member (``viewer_id`` or ``actor_id``,
so admin tokens only) and the hub checks that person's active membership of that TwinSpace.
"""

from __future__ import annotations

from typing import Any

from etwin_lti.domain.api_tokens import ApiPermission
from etwin_lti.errors import InvalidInputError
from etwin_lti.web.api.auth import check_reads_pupils_content, hub, requires, viewer
from etwin_lti.web.api.parsing import ApiBlueprint
from schemas.api.chat import (
    ChatChangesSchema,
    ChatHiddenSchema,
    ChatMessageSchema,
    ChatPollQuery,
    ChatPostSchema,
    ChatRecentQuery,
)
from schemas.api.common import ActorSchema


def _member_reading(requested: int | None) -> int:
    """Admin tokens only (the chat is members' and pupils' talk), reading as a named member."""
    check_reads_pupils_content("The chat")
    viewer_id = viewer(requested)
    if viewer_id is None:
        raise InvalidInputError(errors={"viewer_id": ["The chat is read as one of its members."]})
    return viewer_id


bp = ApiBlueprint("api_chat", __name__, url_prefix="/api/v1", description="TwinSpace chat")
MESSAGES = "/twinspaces/<int:twinspace_id>/chat/messages"
MESSAGE = MESSAGES + "/<int:message_id>"


@bp.get(MESSAGES)
@requires(ApiPermission.READ)
@bp.arguments(ChatPollQuery, location="query")
@bp.response(200, ChatChangesSchema)
def chat_changes(query: dict[str, Any], twinspace_id: int) -> Any:
    """Changes after revision ``after`` (new, hidden, shown again, deleted), oldest first."""
    viewer_id = _member_reading(query["viewer_id"])
    return hub().chat_changes(viewer_id, twinspace_id, after=query["after"], limit=query["limit"])


@bp.get("/twinspaces/<int:twinspace_id>/chat/recent")
@requires(ApiPermission.READ)
@bp.arguments(ChatRecentQuery, location="query")
@bp.response(200, ChatChangesSchema)
def recent_chat(query: dict[str, Any], twinspace_id: int) -> Any:
    """The last messages still shown, oldest first; ``cursor`` to poll from."""
    viewer_id = _member_reading(query["viewer_id"])
    return hub().recent_chat(viewer_id, twinspace_id, limit=query["limit"])


@bp.post(MESSAGES)
@requires(ApiPermission.WRITE)
@bp.arguments(ChatPostSchema)
@bp.response(201, ChatMessageSchema)
def post_chat_message(body: dict[str, Any], twinspace_id: int) -> Any:
    return hub().post_chat_message(body["actor_id"], twinspace_id, body["body"])


@bp.delete(MESSAGE)
@requires(ApiPermission.WRITE)
@bp.arguments(ActorSchema)
@bp.response(200, ChatMessageSchema)
def delete_chat_message(body: dict[str, Any], twinspace_id: int, message_id: int) -> Any:
    """Its author or a teacher administrator; a tombstone stays until the purge."""
    return hub().delete_chat_message(body["actor_id"], twinspace_id, message_id)


@bp.put(MESSAGE + "/hidden")
@requires(ApiPermission.WRITE)
@bp.arguments(ChatHiddenSchema)
@bp.response(200, ChatMessageSchema)
def hide_chat_message(body: dict[str, Any], twinspace_id: int, message_id: int) -> Any:
    """Teacher administrators hide a message (or show it again); audit-logged."""
    return hub().hide_chat_message(
        body["actor_id"], twinspace_id, message_id, hidden=body["hidden"]
    )
