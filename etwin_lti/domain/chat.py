"""TwinSpace chat rules: who may read, post and moderate; message text; the poll cursor; retention.

Roles (DESIGN.md is silent on chat, so the least-privilege reading of the TwinSpace matrix):
every active member may read; members whose role may reply in the forum may post (guests and
visitors read only); teacher administrators moderate. An archived TwinSpace is read-only.
The text is stored as typed and escaped where it is shown, never interpreted as HTML.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from etwin_lti.domain import twinspaces
from etwin_lti.domain.model import Member, TwinSpace, TwinSpaceRole
from etwin_lti.domain.twinspaces import Action
from etwin_lti.errors import InvalidInputError, PermissionDeniedError

MESSAGE_MAX = 1_000  # a chat line, not a forum post
RETENTION = timedelta(days=92)  # three months, then the periodic purge removes the message
PAGE_MAX = 100  # messages one poll returns at most
CURSOR_DIGITS_MAX = 12  # a message id longer than this is not one the tool issued


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
        raise PermissionDeniedError("Only the TwinSpace's teacher administrators moderate chat.")
    twinspaces.check_writable(space)
    return member


def purge_before(now: datetime) -> datetime:
    """Messages created before this instant are past retention."""
    return now - RETENTION
