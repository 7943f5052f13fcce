"""What moderation adds to the TwinSpace content tables (``etwin_lti.domain.moderation``).

A mixin rather than columns written into each table of ``hub.py``: one definition for the six
kinds of content, and the hub's tables stay as they were declared. Who hid something and why is
the audit log's (``content.hidden``), written in the same transaction.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Mapped, mapped_column

from etwin_lti.persistence.types import UtcDateTime


class Hideable:
    # Set while a teacher administrator hides the row; NULL when shown (or restored).
    hidden_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True, default=None)
