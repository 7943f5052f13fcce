"""The TwinSpace chat (``connectors.local_hub.chat``; rules in ``etwin_lti.domain.chat``).

``chat_rooms`` holds one counter per TwinSpace: every change to its messages takes the next
revision by updating that row, which locks it until the change commits (PostgreSQL row lock,
SQLite's single writer). Revisions therefore become visible in order, so a poll that asks for
"after revision N" never skips a change committed late; a database sequence (the message id)
would not give that guarantee. ``(twinspace_id, revision)`` is unique and is the index a poll reads.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from etwin_lti.persistence.db import Base
from etwin_lti.persistence.types import UtcDateTime


class ChatRoomRow(Base):
    __tablename__ = "chat_rooms"
    twinspace_id: Mapped[int] = mapped_column(ForeignKey("twinspaces.id"), primary_key=True)
    revision: Mapped[int] = mapped_column(Integer, default=0)


class ChatMessageRow(Base):
    __tablename__ = "chat_messages"
    __table_args__ = (UniqueConstraint("twinspace_id", "revision"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    twinspace_id: Mapped[int] = mapped_column(ForeignKey("twinspaces.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    body: Mapped[str] = mapped_column(Text)  # "" once deleted (a tombstone until the purge)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)  # the purge
    revision: Mapped[int] = mapped_column(Integer)
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
