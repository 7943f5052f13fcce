"""Tables of the embedded eTwinning hub (``connectors.local_hub.LocalHub``).

Enums are stored as their string values (plain ``String`` columns) so SQLite and PostgreSQL hold
the same data and a new enum value needs no migration. Datetimes are ``UtcDateTime``: stored as UTC,
read back aware on both databases.

Rules that must hold even under concurrent requests are constraints here, not only checks:
one acknowledgement per (kind, person, subject); one enrolment per (event, person); one NQL
application per (project, teacher, school year); one TwinSpace per project.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from etwin_lti.persistence.db import Base
from etwin_lti.persistence.models.moderation import Hideable
from etwin_lti.persistence.types import UtcDateTime


class CountryListRow(Base):
    """Every version of the country list ever loaded; exactly one is current."""

    __tablename__ = "country_lists"
    version: Mapped[str] = mapped_column(String(32), primary_key=True)
    loaded_at: Mapped[datetime] = mapped_column(UtcDateTime())
    is_current: Mapped[bool] = mapped_column(Boolean, default=False)


class CountryRow(Base):
    __tablename__ = "countries"
    code: Mapped[str] = mapped_column(String(2), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    nso: Mapped[str] = mapped_column(String(200))
    programme: Mapped[str] = mapped_column(String(32))
    eligible: Mapped[bool] = mapped_column(Boolean, default=True)
    # The list version that last contained this country (older ones left the list).
    list_version: Mapped[str] = mapped_column(ForeignKey("country_lists.version"))


class PersonRow(Base):
    __tablename__ = "people"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    display_name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(32), index=True)
    country_code: Mapped[str | None] = mapped_column(ForeignKey("countries.code"))
    school: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    __table_args__ = (
        CheckConstraint("kind <> 'pupil' OR email IS NULL", name="pupil_without_email"),
    )


class ProjectRow(Base):
    __tablename__ = "projects"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    scope: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), index=True)
    age_band: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    approved_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # The plan its founders edit from the LMS page (migration 0003_ws_life): lists of short
    # strings, checked by ``domain.projects.clean_profile`` before they are stored.
    subjects: Mapped[list[str]] = mapped_column(JSON, default=list)
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    levels: Mapped[list[str]] = mapped_column(JSON, default=list)
    ends_on: Mapped[date | None] = mapped_column(Date)


class ProjectFounderRow(Base):
    __tablename__ = "project_founders"
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)  # 0 registered, 1 partner
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    # The founder's country when the project was registered: it decides scope and NSOs.
    country_code: Mapped[str] = mapped_column(ForeignKey("countries.code"))
    __table_args__ = (UniqueConstraint("project_id", "person_id"),)


class ProjectValidationRow(Base):
    __tablename__ = "project_validations"
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), primary_key=True)
    country_code: Mapped[str] = mapped_column(ForeignKey("countries.code"), primary_key=True)
    validated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class ProjectPartnerRow(Base):
    __tablename__ = "project_partners"
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), primary_key=True, index=True)
    joined_at: Mapped[datetime] = mapped_column(UtcDateTime())


class PartnerInvitationRow(Base):
    """A founder's invitation to join the project as a partner (``domain.partner_invitations``);
    answered ones stay, so the partial unique index allows one *pending* per (project, invitee)."""

    __tablename__ = "partner_invitations"
    __table_args__ = (
        Index(
            "uq_partner_invitations_pending",
            "project_id",
            "invitee_id",
            unique=True,
            sqlite_where=text("state = 'pending'"),
            postgresql_where=text("state = 'pending'"),
        ),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    inviter_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    invitee_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    state: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class TwinSpaceRow(Base):
    __tablename__ = "twinspaces"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class MemberRow(Base):
    __tablename__ = "twinspace_members"
    twinspace_id: Mapped[int] = mapped_column(ForeignKey("twinspaces.id"), primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), primary_key=True, index=True)
    role: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    role_source: Mapped[str] = mapped_column(String(16))
    is_founder: Mapped[bool] = mapped_column(Boolean, default=False)
    joined_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class PageRow(Hideable, Base):
    __tablename__ = "twinspace_pages"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    twinspace_id: Mapped[int] = mapped_column(ForeignKey("twinspaces.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    visibility: Mapped[str] = mapped_column(String(16))
    author_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class MaterialRow(Hideable, Base):
    __tablename__ = "twinspace_materials"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    twinspace_id: Mapped[int] = mapped_column(ForeignKey("twinspaces.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    url: Mapped[str | None] = mapped_column(String(2000), nullable=True)  # None: a file
    visibility: Mapped[str] = mapped_column(String(16))
    author_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    # An uploaded file (issue 12): its random key in the FileStore, never a path or a name the
    # uploader chose; the cleaned original name is only shown in Content-Disposition.
    file_key: Mapped[str | None] = mapped_column(String(100), unique=True, nullable=True)
    file_size: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    content_type: Mapped[str | None] = mapped_column(String(100), nullable=True)
    file_name: Mapped[str | None] = mapped_column(String(255), nullable=True)
    thumbnail_key: Mapped[str | None] = mapped_column(String(100), unique=True, nullable=True)
    thumbnail_size: Mapped[int | None] = mapped_column(BigInteger, nullable=True)


class DiaryPostRow(Hideable, Base):
    __tablename__ = "diary_posts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class DiaryCommentRow(Hideable, Base):
    __tablename__ = "diary_comments"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("diary_posts.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class ForumThreadRow(Hideable, Base):
    __tablename__ = "forum_threads"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    twinspace_id: Mapped[int] = mapped_column(ForeignKey("twinspaces.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class ForumPostRow(Hideable, Base):
    __tablename__ = "forum_posts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("forum_threads.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class LearningEventRow(Base):
    __tablename__ = "learning_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    expert_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    capacity: Mapped[int] = mapped_column(Integer)
    # Seats taken, moved by one conditional UPDATE so concurrent enrolments cannot overbook.
    enrolled: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    __table_args__ = (
        CheckConstraint("capacity >= 1", name="capacity_positive"),
        CheckConstraint("enrolled >= 0 AND enrolled <= capacity", name="within_capacity"),
    )


class EnrolmentRow(Base):
    __tablename__ = "event_enrolments"
    event_id: Mapped[int] = mapped_column(ForeignKey("learning_events.id"), primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), primary_key=True, index=True)
    enrolled_at: Mapped[datetime] = mapped_column(UtcDateTime())
    completed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class EditionRow(Base):
    __tablename__ = "course_editions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    year: Mapped[int] = mapped_column(Integer)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class EditionTrainerRow(Base):
    __tablename__ = "edition_trainers"
    edition_id: Mapped[int] = mapped_column(ForeignKey("course_editions.id"), primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), primary_key=True, index=True)


class EditionTraineeRow(Base):
    __tablename__ = "edition_trainees"
    edition_id: Mapped[int] = mapped_column(ForeignKey("course_editions.id"), primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), primary_key=True, index=True)
    enrolled_at: Mapped[datetime] = mapped_column(UtcDateTime())


class UnitRow(Base):
    __tablename__ = "course_units"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("course_editions.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer)
    __table_args__ = (UniqueConstraint("edition_id", "position"),)


class UnitDocumentRow(Base):
    __tablename__ = "unit_documents"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("course_units.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    url: Mapped[str] = mapped_column(String(2000))
    position: Mapped[int] = mapped_column(Integer)


class ActivityRow(Base):
    __tablename__ = "unit_activities"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("course_units.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    instructions: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer)


class ActivityCompletionRow(Base):
    __tablename__ = "activity_completions"
    activity_id: Mapped[int] = mapped_column(ForeignKey("unit_activities.id"), primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), primary_key=True, index=True)
    done_at: Mapped[datetime] = mapped_column(UtcDateTime())


class NqlApplicationRow(Base):
    __tablename__ = "nql_applications"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    teacher_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    school_year: Mapped[str] = mapped_column(String(9))
    decision: Mapped[str] = mapped_column(String(16))
    scores: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    sub_scores: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    decided_by: Mapped[str | None] = mapped_column(String(2))
    applied_at: Mapped[datetime] = mapped_column(UtcDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # Counts and dates the hub read from the TwinSpace at apply time (0003_ws_life).
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    __table_args__ = (UniqueConstraint("project_id", "teacher_id", "school_year"),)


class AcknowledgementRow(Base):
    __tablename__ = "acknowledgements"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    subject: Mapped[str] = mapped_column(String(200), index=True)
    title: Mapped[str] = mapped_column(String(200))
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # "Issued at most once per subject" is this constraint; a revoked one still holds its slot.
    __table_args__ = (UniqueConstraint("kind", "person_id", "subject"),)
