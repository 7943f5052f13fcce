"""TwinSpace chat rules: who may read, post and moderate; message text; the poll cursor; retention.

Roles (DESIGN.md is silent on chat, so the least-privilege reading of the TwinSpace matrix):
every active member may read; members whose role may reply in the forum may post (guests and
visitors read only); teacher administrators moderate. An archived TwinSpace is read-only.
The text is stored as typed and escaped where it is shown, never interpreted as HTML.

Polling (docs/decisions/0021): every change in a TwinSpace's chat (a message posted, hidden,
shown again or deleted) takes the room's next *revision*, assigned while the room's row is locked,
so revisions become visible in the order they were given; a poll asks for the changes after the
last revision it saw. A deleted message stays as a bodiless tombstone (so open pages learn to
drop it) until the retention purge removes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from etwin_lti.domain import twinspaces
from etwin_lti.domain.model import Member, TwinSpace, TwinSpaceRole
from etwin_lti.domain.translatable import N_
from etwin_lti.domain.twinspaces import Action
from etwin_lti.errors import InvalidInputError, PermissionDeniedError

MESSAGE_MAX = 1_000  # a chat line, not a forum post
RETENTION = timedelta(days=92)  # three months, then the periodic purge removes the message
PAGE_MAX = 100  # messages one poll returns at most
CURSOR_DIGITS_MAX = 12  # a revision longer than this is not one the tool issued
RECENT_DEFAULT = 50  # messages a freshly opened chat shows


@dataclass(frozen=True)
class ChatMessage:
    """One chat line as a reader may see it: ``body`` is empty when the message was deleted,
    and when it is hidden from a reader who does not moderate (``hidden`` tells which)."""

    id: int
    twinspace_id: int
    author_id: int
    body: str
    created_at: datetime
    revision: int
    hidden: bool = False
    deleted: bool = False


@dataclass(frozen=True)
class ChatChanges:
    """What a poll returns: changes in revision order, the cursor for the next poll, and
    whether more changes wait (the answer was cut at the limit)."""

    messages: tuple[ChatMessage, ...]
    cursor: int
    more: bool = False


def redacted(message: ChatMessage, *, moderator: bool) -> ChatMessage:
    """What a reader sees: a hidden message keeps its text only for moderators."""
    if message.hidden and not moderator:
        return ChatMessage(
            message.id,
            message.twinspace_id,
            message.author_id,
            "",
            message.created_at,
            message.revision,
            hidden=True,
            deleted=message.deleted,
        )
    return message


def is_moderator(member: Member | None) -> bool:
    return twinspaces.is_active(member) and (
        member is not None and member.role is TwinSpaceRole.TEACHER_ADMINISTRATOR
    )


def check_limit(limit: object) -> int:
    if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= PAGE_MAX:
        raise InvalidInputError(errors={"limit": [f"Between 1 and {PAGE_MAX}."]})
    return limit


def check_after(after: object) -> int:
    """A cursor given as a number (the API, the hub port)."""
    if (
        not isinstance(after, int)
        or isinstance(after, bool)
        or not 0 <= after < 10**CURSOR_DIGITS_MAX
    ):
        raise InvalidInputError(errors={"after": ["A revision (digits) is expected."]})
    return after


def clean_message(text: object) -> str:
    """The message as stored: surrounding blanks dropped, control characters refused."""
    if not isinstance(text, str):
        raise InvalidInputError(errors={"body": ["A message is text."]})
    body = text.strip()
    if not body:
        raise InvalidInputError(errors={"body": ["A message cannot be empty."]})
    if len(body) > MESSAGE_MAX:
        raise InvalidInputError(errors={"body": [f"At most {MESSAGE_MAX} characters."]})
    if any(ord(ch) < 32 and ch not in "\n\t" for ch in body):
        raise InvalidInputError(errors={"body": ["Control characters are not allowed."]})
    return body


def parse_cursor(raw: str | None) -> int:
    """``after=<message id>``: absent means from the start; anything but digits is refused."""
    if raw is None or raw == "":
        return 0
    if not raw.isascii() or not raw.isdigit() or len(raw) > CURSOR_DIGITS_MAX:
        raise InvalidInputError(errors={"after": ["A message id (digits) is expected."]})
    return int(raw)


def check_can_read(viewer: Member | None) -> Member:
    return twinspaces.check_active_member(viewer)


def check_can_post(space: TwinSpace, actor: Member | None) -> Member:
    member = twinspaces.check_can(actor, Action.REPLY_THREAD)
    twinspaces.check_writable(space)
    return member


def check_can_moderate(space: TwinSpace, actor: Member | None) -> Member:
    member = twinspaces.check_active_member(actor)
    if member.role is not TwinSpaceRole.TEACHER_ADMINISTRATOR:
        raise PermissionDeniedError(
            N_("Only the TwinSpace's teacher administrators moderate chat.")
        )
    twinspaces.check_writable(space)
    return member


def check_can_delete(space: TwinSpace, actor: Member | None, author_id: int) -> Member:
    """Authors delete their own messages; teacher administrators anyone's."""
    member = twinspaces.check_active_member(actor)
    if member.person_id != author_id and member.role is not TwinSpaceRole.TEACHER_ADMINISTRATOR:
        raise PermissionDeniedError(
            "Only its author or a teacher administrator can delete this message."
        )
    twinspaces.check_writable(space)
    return member


def purge_before(now: datetime) -> datetime:
    """Messages created before this instant are past retention."""
    return now - RETENTION
