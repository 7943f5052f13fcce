"""The record of every erasure (``connectors.sql_privacy``): which hub person, when, why.

It holds no personal data (a person id, a pseudonym, a date) and is what makes ``erase``
idempotent and lets the retention purge skip people it already handled.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from etwin_lti.persistence.db import Base
from etwin_lti.persistence.types import UtcDateTime


class ErasureRow(Base):
    __tablename__ = "privacy_erasures"

    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), primary_key=True)
    pseudonym: Mapped[str] = mapped_column(String(120))
    reason: Mapped[str] = mapped_column(String(16))  # ErasureReason value
    forced: Mapped[bool] = mapped_column(Boolean, default=False)
    erased_at: Mapped[datetime] = mapped_column(UtcDateTime())
