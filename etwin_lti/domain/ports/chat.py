"""``ChatHub``: the TwinSpace chat, one area of the hub (``HubPort`` includes it).

Rules are ``etwin_lti.domain.chat``; the conventions of ``etwin_lti.domain.ports.hub`` hold
(unknown ids 404, rights 403, an archived TwinSpace 409, bad values 422, a refusal writes
nothing). Every reader and writer is named (``viewer_id``/``actor_id``) and must be an active
member of *that* TwinSpace: the chat is members-only, even for admin API tokens.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from etwin_lti.domain.chat import RECENT_DEFAULT, ChatChanges, ChatMessage


class ChatHub(Protocol):
    def post_chat_message(self, actor_id: int, twinspace_id: int, body: str) -> ChatMessage:
        """Members whose role may reply in the forum post (``chat.check_can_post``)."""
        ...

    def recent_chat(
        self, viewer_id: int, twinspace_id: int, *, limit: int = RECENT_DEFAULT
    ) -> ChatChanges:
        """The last ``limit`` messages still shown (deleted ones left out, hidden ones only
        for teacher administrators), oldest first; ``cursor`` is the room's latest revision."""
        ...

    def chat_changes(
        self, viewer_id: int, twinspace_id: int, *, after: int = 0, limit: int = 100
    ) -> ChatChanges:
        """Every message whose revision is greater than ``after`` (new, hidden, shown again or
        deleted), in revision order, at most ``limit``; tombstones and hidden messages come
        without their text (hidden ones keep it for teacher administrators)."""
        ...

    def delete_chat_message(self, actor_id: int, twinspace_id: int, message_id: int) -> ChatMessage:
        """Its author or a teacher administrator; the text is gone at once, a tombstone stays
        until the purge so that open pages drop the message."""
        ...

    def hide_chat_message(
        self, actor_id: int, twinspace_id: int, message_id: int, *, hidden: bool = True
    ) -> ChatMessage:
        """Teacher administrators hide a message from everyone but themselves (or show it
        again); audit-logged. Setting the state it already has changes nothing."""
        ...


class ChatHistoryStore(Protocol):
    """The retention purge's storage step (the local hub; a remote hub purges its own)."""

    def purge_chat_before(self, cutoff: datetime) -> int:
        """Delete every message created before ``cutoff``; how many went."""
        ...
