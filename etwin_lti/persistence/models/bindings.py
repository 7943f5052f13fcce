"""Bound resources and the launchers of each resource link (issue 9, items 4 and 6)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from etwin_lti.persistence.db import Base
from etwin_lti.persistence.types import UtcDateTime


class ResourceBindingRow(Base):
    """``SqlResourceBindingStore``: (platform, deployment, course, resource link) -> resource."""

    __tablename__ = "lti_resource_bindings"
    __table_args__ = (
        UniqueConstraint("platform_id", "deployment_id", "context_id", "resource_link_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform_id: Mapped[int] = mapped_column(Integer)
    deployment_id: Mapped[str] = mapped_column(String(255))
    context_id: Mapped[str] = mapped_column(String(255))  # "" when the launch had no context
    resource_link_id: Mapped[str] = mapped_column(String(255))
    resource: Mapped[str] = mapped_column(String(40), index=True)  # "twinspace:12"
    status: Mapped[str] = mapped_column(String(16), index=True)  # bound | pending | declined
    chosen_by: Mapped[int | None] = mapped_column(Integer)
    origin_context_id: Mapped[str | None] = mapped_column(String(255))
    context_title: Mapped[str | None] = mapped_column(String(255))
    requested_by: Mapped[str | None] = mapped_column(String(200))  # an LMS teacher's name
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    decided_by: Mapped[int | None] = mapped_column(Integer)
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class LinkLauncherRow(Base):
    """Who reached which resource link (``score_targets``: scores go only there)."""

    __tablename__ = "lti_link_launchers"
    __table_args__ = (
        UniqueConstraint("platform_id", "deployment_id", "resource_link_id", "person_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(Integer, index=True)
    platform_id: Mapped[int] = mapped_column(Integer)
    deployment_id: Mapped[str] = mapped_column(String(255))
    context_id: Mapped[str | None] = mapped_column(String(255))
    resource_link_id: Mapped[str] = mapped_column(String(255))
    first_launch_at: Mapped[datetime] = mapped_column(UtcDateTime())
