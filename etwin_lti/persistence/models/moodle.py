"""Moodle sites (web-service token encrypted at rest), course mappings and poll marks."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from etwin_lti.persistence.db import Base
from etwin_lti.persistence.types import UtcDateTime


class MoodleSiteRow(Base):
    __tablename__ = "moodle_sites"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url: Mapped[str] = mapped_column(String(500), unique=True)
    issuer: Mapped[str] = mapped_column(String(500))
    label: Mapped[str] = mapped_column(String(200), default="")
    site_name: Mapped[str] = mapped_column(String(300), default="")
    release: Mapped[str] = mapped_column(String(100), default="")
    # Fernet token (moodle_bridge.sites); never the plain web-service token.
    token_encrypted: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class MoodleMappingRow(Base):
    __tablename__ = "moodle_mappings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("moodle_sites.id", ondelete="CASCADE"))
    course_id: Mapped[int] = mapped_column(Integer)
    # 0 = the whole course; a NULL would not take part in the unique constraint below.
    cmid: Mapped[int] = mapped_column(Integer, default=0)
    target: Mapped[str] = mapped_column(String(50))  # "edition:<id>" | "event:<id>"
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    last_polled_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (UniqueConstraint("site_id", "course_id", "cmid", "target"),)


class MoodlePollMarkRow(Base):
    __tablename__ = "moodle_poll_marks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mapping_id: Mapped[int] = mapped_column(ForeignKey("moodle_mappings.id", ondelete="CASCADE"))
    moodle_user_id: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(20))  # MarkState value
    person_id: Mapped[int | None] = mapped_column(Integer)
    acknowledgement_id: Mapped[int | None] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())

    __table_args__ = (UniqueConstraint("mapping_id", "moodle_user_id"),)
