"""The TwinSpace chat page (``/embed/twinspace/<id>/chat``), its poll and its forms.

Who may do what is ``etwin_lti.domain.chat``, enforced by the hub on every call with the
launch session's person: the chat is for active members of *that* TwinSpace only, whatever id a
URL carries. The page's own access rule (``TwinSpacePages``: launched for this TwinSpace, or an
active member of it) is checked too, and is implied for every poll by the hub's active-member
check, so a poll costs one hub read when nothing changed (and one more, the members' names,
when something did). Authors appear under the name the TwinSpace page shows (pupils under their
pseudonym unless the school opted in to names); whoever left the TwinSpace is "A former member".
Message text is returned as text: templates escape it, the page's script sets ``textContent``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from etwin_lti.domain import chat, twinspaces
from etwin_lti.domain.chat import ChatChanges, ChatMessage
from etwin_lti.domain.launches import LaunchSession
from etwin_lti.domain.model import Member, TwinSpace, TwinSpaceStatus
from etwin_lti.domain.ports import ChatHub, TwinSpacesHub
from etwin_lti.domain.translatable import N_
from etwin_lti.domain.twinspaces import PERMISSIONS, Action
from etwin_lti.errors import NotFoundError
from etwin_lti.services.pages.common import (
    FORMER_MEMBER,
    NotYourResourceError,
    launched_for,
    require_person,
)

POLL_SECONDS = 3  # the page's poll interval while visible (slower when hidden: the script)
MESSAGES = {
    "chat_posted": N_("Your message was sent."),
    "chat_deleted": N_("The message was deleted."),
    "chat_hidden": N_("The message was hidden from everyone but the teacher administrators."),
    "chat_shown": N_("The message is shown again."),
}
MODERATION = {"delete": "chat_deleted", "hide": "chat_hidden", "show": "chat_shown"}


@dataclass(frozen=True)
class ChatLine:
    id: int
    author: str
    mine: bool
    body: str
    created_at: datetime
    hidden: bool
    deleted: bool
    can_delete: bool
    can_hide: bool

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "author": self.author,
            "mine": self.mine,
            "body": self.body,
            "created_at": self.created_at.isoformat(),
            "hidden": self.hidden,
            "deleted": self.deleted,
            "can_delete": self.can_delete,
            "can_hide": self.can_hide,
        }


@dataclass(frozen=True)
class ChatRoomView:
    twinspace: TwinSpace
    role: str  # data-etwin-role
    archived: bool
    can_post: bool
    moderator: bool
    lines: tuple[ChatLine, ...]
    cursor: int
    poll_seconds: int = POLL_SECONDS
    message_max: int = chat.MESSAGE_MAX


class ChatPageHub(ChatHub, TwinSpacesHub, Protocol):
    """The chat, and the TwinSpace with its members (names, the viewer's role)."""


@dataclass(frozen=True)
class _Reader:
    person_id: int
    member: Member
    moderator: bool
    writable: bool


class ChatPages:
    def __init__(self, hub: ChatPageHub) -> None:
        self.hub = hub

    def _members(self, twinspace_id: int) -> dict[int, Member]:
        return {m.person_id: m for m in self.hub.list_members(twinspace_id)}

    def _reader(
        self, session: LaunchSession, space: TwinSpace, members: Mapping[int, Member]
    ) -> _Reader:
        person_id = require_person(session)
        member = members.get(person_id)
        if not launched_for(session, "twinspace", space.id) and not twinspaces.is_active(member):
            raise NotYourResourceError()
        reader = chat.check_can_read(member)
        return _Reader(
            person_id,
            reader,
            chat.is_moderator(reader),
            space.status is not TwinSpaceStatus.ARCHIVED,
        )

    def _line(
        self, message: ChatMessage, reader: _Reader, members: Mapping[int, Member]
    ) -> ChatLine:
        author = members.get(message.author_id)
        mine = message.author_id == reader.person_id
        live = reader.writable and not message.deleted
        return ChatLine(
            id=message.id,
            author=author.display_name if author is not None else FORMER_MEMBER,
            mine=mine,
            body=message.body,
            created_at=message.created_at,
            hidden=message.hidden,
            deleted=message.deleted,
            can_delete=live and (mine or reader.moderator),
            can_hide=live and reader.moderator,
        )

    def room(self, session: LaunchSession, twinspace_id: int) -> ChatRoomView:
        space = self.hub.get_twinspace(twinspace_id)  # unknown: 404 before anything else
        members = self._members(twinspace_id)
        reader = self._reader(session, space, members)
        recent = self.hub.recent_chat(reader.person_id, twinspace_id)
        return ChatRoomView(
            twinspace=space,
            role=reader.member.role.value,
            archived=not reader.writable,
            can_post=reader.writable and Action.REPLY_THREAD in PERMISSIONS[reader.member.role],
            moderator=reader.moderator,
            lines=tuple(self._line(m, reader, members) for m in recent.messages),
            cursor=recent.cursor,
        )

    def poll(self, session: LaunchSession, twinspace_id: int, after: str | None) -> dict[str, Any]:
        """The JSON a poll answers: changed lines, the next cursor, whether more wait."""
        cursor = chat.parse_cursor(after)
        person_id = require_person(session)
        changes: ChatChanges = self.hub.chat_changes(person_id, twinspace_id, after=cursor)
        lines: list[dict[str, Any]] = []
        if changes.messages:
            space = self.hub.get_twinspace(twinspace_id)
            members = self._members(twinspace_id)
            reader = self._reader(session, space, members)
            lines = [self._line(m, reader, members).as_json() for m in changes.messages]
        return {"cursor": changes.cursor, "more": changes.more, "messages": lines}

    def post(self, session: LaunchSession, twinspace_id: int, form: Mapping[str, str]) -> ChatLine:
        space = self.hub.get_twinspace(twinspace_id)
        members = self._members(twinspace_id)
        reader = self._reader(session, space, members)
        message = self.hub.post_chat_message(reader.person_id, twinspace_id, form.get("body", ""))
        return self._line(message, reader, members)

    def moderate(
        self, session: LaunchSession, twinspace_id: int, message_id: int, action: str
    ) -> tuple[str, ChatLine]:
        """delete | hide | show; returns the MESSAGES key and the changed line."""
        if action not in MODERATION:
            raise NotFoundError(N_("There is no such action on a chat message."))
        space = self.hub.get_twinspace(twinspace_id)
        members = self._members(twinspace_id)
        reader = self._reader(session, space, members)
        if action == "delete":
            changed = self.hub.delete_chat_message(reader.person_id, twinspace_id, message_id)
        else:
            changed = self.hub.hide_chat_message(
                reader.person_id, twinspace_id, message_id, hidden=action == "hide"
            )
        return MODERATION[action], self._line(changed, reader, members)


__all__ = ["MESSAGES", "ChatPages", "ChatRoomView"]
