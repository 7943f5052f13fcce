"""Resource links launched so far, with the LTI Advantage endpoints they announced (issue 4)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from etwin_lti.persistence.db import Base
from etwin_lti.persistence.types import UtcDateTime


class ResourceLinkRow(Base):
    """``SqlResourceLinkStore``. URLs are stored exactly as sent (``?type_id=`` kept)."""

    __tablename__ = "lti_resource_links"
    __table_args__ = (UniqueConstraint("platform_id", "deployment_id", "resource_link_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform_id: Mapped[int] = mapped_column(Integer, index=True)
    deployment_id: Mapped[str] = mapped_column(String(255))
    resource_link_id: Mapped[str] = mapped_column(String(255))
    context_id: Mapped[str | None] = mapped_column(String(255))
    context_title: Mapped[str | None] = mapped_column(String(255))
    resource: Mapped[str | None] = mapped_column(String(40), index=True)  # "twinspace:12"
    lineitems_url: Mapped[str | None] = mapped_column(Text)
    lineitem_url: Mapped[str | None] = mapped_column(Text)
    ags_scopes: Mapped[str | None] = mapped_column(Text)  # space-separated
    nrps_url: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    last_launch_at: Mapped[datetime] = mapped_column(UtcDateTime())
