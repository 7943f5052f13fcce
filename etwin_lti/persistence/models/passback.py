"""Tables of progress passback (AGS scores): the outbox and the line items the tool created."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from etwin_lti.persistence.db import Base
from etwin_lti.persistence.types import UtcDateTime


class ScoreOutboxRow(Base):
    """One score to post to one resource link's line item for one person.

    Written in the transaction that records the completion (the outbox pattern), so a queue
    outage loses nothing; one completion gives at most one row per link (the unique key).
    ``timestamp`` is the score's own AGS timestamp: fixed at write time and strictly increasing
    per (link, user), reused on every retry so that a repeated POST is a 409, never a double.
    ``last_error`` holds a reason for people, never a token or a secret.
    """

    __tablename__ = "score_outbox"
    __table_args__ = (
        UniqueConstraint("platform_id", "resource_link_id", "person_id", "resource"),
        Index("ix_score_outbox_status_next_attempt_at", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform_id: Mapped[int] = mapped_column(Integer)
    deployment_id: Mapped[str] = mapped_column(String(255))
    resource_link_id: Mapped[str] = mapped_column(String(255))
    person_id: Mapped[int] = mapped_column(Integer, index=True)
    user_id: Mapped[str] = mapped_column(String(255))  # the LTI sub on that platform
    resource: Mapped[str] = mapped_column(String(40))  # unit:<id> | event:<id>
    score_given: Mapped[float] = mapped_column(Float)
    score_maximum: Mapped[float] = mapped_column(Float)
    timestamp: Mapped[datetime] = mapped_column(UtcDateTime())
    status: Mapped[str] = mapped_column(String(16))  # pending | sent | skipped | dead
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime())
    leased_until: Mapped[datetime | None] = mapped_column(UtcDateTime())
    last_status: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(String(500))
    lineitem_url: Mapped[str | None] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # The request that owed the score (its log lines carry it; a batch mixes requests).
    request_id: Mapped[str | None] = mapped_column(String(64))


class AgsLineItemRow(Base):
    """A line item found or created by the tool for a link launched without its own one."""

    __tablename__ = "ags_line_items"
    __table_args__ = (UniqueConstraint("platform_id", "resource_link_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform_id: Mapped[int] = mapped_column(Integer)
    resource_link_id: Mapped[str] = mapped_column(String(255))
    lineitem_url: Mapped[str] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
