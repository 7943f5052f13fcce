"""The TwinSpace chat in the tool's database (``etwin_lti.domain.ports.chat``).

Each change takes the room's next revision first (``_next_revision``: an ``UPDATE`` of the room's
row, so the row stays locked until the change commits and revisions commit in order; see
``etwin_lti.persistence.models.chat``). Reads are one range query on
``(twinspace_id, revision)``. ``purge_chat_before`` is the retention purge's storage step; the
cut-off is decided by ``etwin_lti.services.chat``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from connectors import hub_records as rec
from connectors import sql_audit as audit
from connectors.local_hub.base import LocalHubBase, _once_more_on_conflict
from etwin_lti.domain import chat
from etwin_lti.domain.audit import AuditAction
from etwin_lti.domain.chat import RECENT_DEFAULT, ChatChanges, ChatMessage
from etwin_lti.domain.input_rules import ID_MAX
from etwin_lti.domain.model import Member, TwinSpace
from etwin_lti.domain.translatable import N_
from etwin_lti.errors import InvalidInputError, NotFoundError
from etwin_lti.persistence.models.chat import ChatMessageRow, ChatRoomRow


def _message(row: ChatMessageRow) -> ChatMessage:
    return ChatMessage(
        id=row.id,
        twinspace_id=row.twinspace_id,
        author_id=row.author_id,
        body=row.body,
        created_at=row.created_at,
        revision=row.revision,
        hidden=row.hidden,
        deleted=row.deleted,
    )


def _check_id(value: object, field: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise InvalidInputError(errors={field: ["An id (a number) is expected."]})
    return value


class ChatArea(LocalHubBase):
    def _room_member(
        self, s: Session, twinspace_id: int, person_id: int
    ) -> tuple[TwinSpace, Member | None]:
        space = rec.load_twinspace(s, twinspace_id)
        rec.load_person(s, person_id)
        return space, rec.find_member(s, twinspace_id, person_id)

    def _next_revision(self, s: Session, twinspace_id: int) -> int:
        bumped = s.execute(
            update(ChatRoomRow)
            .where(ChatRoomRow.twinspace_id == twinspace_id)
            .values(revision=ChatRoomRow.revision + 1)
        )
        if not getattr(bumped, "rowcount", 0):
            # The room's first change; a concurrent first insert loses on the primary key and
            # the whole call runs again (``_once_more_on_conflict``), then finding the row.
            s.add(ChatRoomRow(twinspace_id=twinspace_id, revision=1))
            s.flush()
            return 1
        revision = s.scalar(
            select(ChatRoomRow.revision).where(ChatRoomRow.twinspace_id == twinspace_id)
        )
        assert revision is not None
        return int(revision)

    def _room_revision(self, s: Session, twinspace_id: int) -> int:
        revision = s.scalar(
            select(ChatRoomRow.revision).where(ChatRoomRow.twinspace_id == twinspace_id)
        )
        return int(revision or 0)

    def post_chat_message(self, actor_id: int, twinspace_id: int, body: str) -> ChatMessage:
        text = chat.clean_message(body)

        def post() -> ChatMessage:
            with self._db.session() as s:
                space, member = self._room_member(s, twinspace_id, actor_id)
                chat.check_can_post(space, member)
                row = ChatMessageRow(
                    twinspace_id=twinspace_id,
                    author_id=actor_id,
                    body=text,
                    created_at=self._now(),
                    revision=self._next_revision(s, twinspace_id),
                    hidden=False,
                    deleted=False,
                )
                s.add(row)
                s.flush()
                return _message(row)

        return _once_more_on_conflict(post)

    def recent_chat(
        self, viewer_id: int, twinspace_id: int, *, limit: int = RECENT_DEFAULT
    ) -> ChatChanges:
        count = chat.check_limit(limit)
        with self._db.session() as s:
            _space, member = self._room_member(s, twinspace_id, viewer_id)
            chat.check_can_read(member)
            moderator = chat.is_moderator(member)
            query = select(ChatMessageRow).where(
                ChatMessageRow.twinspace_id == twinspace_id, ChatMessageRow.deleted.is_(False)
            )
            if not moderator:
                query = query.where(ChatMessageRow.hidden.is_(False))
            rows = s.scalars(query.order_by(ChatMessageRow.id.desc()).limit(count)).all()
            messages = sorted((_message(r) for r in rows), key=lambda m: m.id)
            return ChatChanges(tuple(messages), self._room_revision(s, twinspace_id))

    def chat_changes(
        self, viewer_id: int, twinspace_id: int, *, after: int = 0, limit: int = chat.PAGE_MAX
    ) -> ChatChanges:
        cursor, count = chat.check_after(after), chat.check_limit(limit)
        # Revisions are INTEGER columns: a cursor beyond that range matches nothing either way,
        # and PostgreSQL would refuse to compare with it.
        bound = min(cursor, ID_MAX)
        with self._db.session() as s:
            _space, member = self._room_member(s, twinspace_id, viewer_id)
            chat.check_can_read(member)
            moderator = chat.is_moderator(member)
            rows = s.scalars(
                select(ChatMessageRow)
                .where(
                    ChatMessageRow.twinspace_id == twinspace_id,
                    ChatMessageRow.revision > bound,
                )
                .order_by(ChatMessageRow.revision)
                .limit(count + 1)
            ).all()
            more = len(rows) > count
            shown = [chat.redacted(_message(r), moderator=moderator) for r in rows[:count]]
            # A cursor beyond the room's revision (a stale or forged one) is brought back, so
            # the page does not wait for revisions that were given out long ago.
            last = (
                shown[-1].revision if shown else min(cursor, self._room_revision(s, twinspace_id))
            )
            return ChatChanges(tuple(shown), last, more)

    def _own_message(
        self, s: Session, actor_id: int, twinspace_id: int, message_id: int
    ) -> tuple[TwinSpace, Member | None, ChatMessageRow]:
        """The message, only if it belongs to this TwinSpace (never trust a URL's pair of ids);
        a deleted one is gone for every purpose. Membership is checked before the message id,
        so that someone outside the room cannot tell which message ids exist there."""
        space, member = self._room_member(s, twinspace_id, actor_id)
        chat.check_can_read(member)
        row = s.get(ChatMessageRow, message_id)
        if row is None or row.twinspace_id != twinspace_id or row.deleted:
            raise NotFoundError(N_("Message not found in this TwinSpace's chat."))
        return space, member, row

    def delete_chat_message(self, actor_id: int, twinspace_id: int, message_id: int) -> ChatMessage:
        _check_id(message_id, "message_id")
        with self._db.session() as s:
            space, member, row = self._own_message(s, actor_id, twinspace_id, message_id)
            chat.check_can_delete(space, member, row.author_id)
            row.revision = self._next_revision(s, twinspace_id)
            row.body, row.deleted = "", True
            audit.record(
                s,
                AuditAction.CHAT_MESSAGE_DELETED,
                "chat_message",
                message_id,
                {
                    "twinspace_id": twinspace_id,
                    "by": "author" if row.author_id == actor_id else "moderator",
                },
                at=self._now(),
                person_id=actor_id,
            )
            s.flush()
            return _message(row)

    def hide_chat_message(
        self, actor_id: int, twinspace_id: int, message_id: int, *, hidden: bool = True
    ) -> ChatMessage:
        _check_id(message_id, "message_id")
        if not isinstance(hidden, bool):
            raise InvalidInputError(errors={"hidden": ["true or false."]})
        with self._db.session() as s:
            space, member, row = self._own_message(s, actor_id, twinspace_id, message_id)
            chat.check_can_moderate(space, member)
            if row.hidden == hidden:
                return _message(row)
            row.revision = self._next_revision(s, twinspace_id)
            row.hidden = hidden
            audit.record(
                s,
                AuditAction.CHAT_MESSAGE_HIDDEN if hidden else AuditAction.CHAT_MESSAGE_SHOWN,
                "chat_message",
                message_id,
                {"twinspace_id": twinspace_id, "author_id": row.author_id},
                at=self._now(),
                person_id=actor_id,
            )
            s.flush()
            return _message(row)

    def purge_chat_before(self, cutoff: datetime) -> int:
        """Delete every message (tombstones included) created before ``cutoff``."""
        with self._db.session() as s:
            result = s.execute(delete(ChatMessageRow).where(ChatMessageRow.created_at < cutoff))
            return int(getattr(result, "rowcount", 0) or 0)
