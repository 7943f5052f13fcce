"""Tables of teacher linking (``connectors.sql_teacher_accounts``).

Invitation tokens and one-time codes are kept only as hashes. ``claimant_id`` and ``used_by``
are plain integers, not foreign keys: they name the provisional person, who is merged away (its
row deleted) when the link is made, and the rows stay as the record of what happened.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from etwin_lti.persistence.db import Base
from etwin_lti.persistence.types import UtcDateTime

UTC_DATETIME = UtcDateTime()


class TeacherAccountRow(Base):
    """An LMS teacher who connected to eTwinning, and how (``domain.teacher_linking``)."""

    __tablename__ = "teacher_accounts"

    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), primary_key=True)
    status: Mapped[str] = mapped_column(String(24), index=True)  # AccountStatus value
    method: Mapped[str] = mapped_column(String(16))  # LinkMethod value
    linked_at: Mapped[datetime] = mapped_column(UTC_DATETIME)
    validated_by: Mapped[str | None] = mapped_column(String(2))  # NSO country code
    validated_at: Mapped[datetime | None] = mapped_column(UTC_DATETIME)


class TeacherInvitationRow(Base):
    __tablename__ = "teacher_invitations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    twinspace_id: Mapped[int] = mapped_column(ForeignKey("twinspaces.id"), index=True)
    role: Mapped[str] = mapped_column(String(32))
    inviter_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    invitee_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    note: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[datetime] = mapped_column(UTC_DATETIME)
    expires_at: Mapped[datetime] = mapped_column(UTC_DATETIME)
    used_at: Mapped[datetime | None] = mapped_column(UTC_DATETIME)
    used_by: Mapped[int | None] = mapped_column(Integer)
    revoked_at: Mapped[datetime | None] = mapped_column(UTC_DATETIME)


class TeacherLoginCodeRow(Base):
    """One-time codes sent to a profile's e-mail address; ``profile_id`` is NULL when no
    profile had the address (no mail went out, the same page was shown)."""

    __tablename__ = "teacher_login_codes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    claimant_id: Mapped[int] = mapped_column(Integer, index=True)
    profile_id: Mapped[int | None] = mapped_column(Integer)
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTC_DATETIME)
    expires_at: Mapped[datetime] = mapped_column(UTC_DATETIME)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    consumed_at: Mapped[datetime | None] = mapped_column(UTC_DATETIME)
