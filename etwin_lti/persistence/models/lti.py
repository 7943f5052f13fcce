"""Tables of the LTI launch: shared cache, tool keys, launch sessions, identities, role policy."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Float,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from etwin_lti.persistence.db import Base
from etwin_lti.persistence.types import UtcDateTime


class KvCacheRow(Base):
    """``SqlKeyValueCache``: login state, replay marks and platform key sets."""

    __tablename__ = "kv_cache"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    value: Mapped[bytes] = mapped_column(LargeBinary)
    expires_at: Mapped[float] = mapped_column(Float, index=True)  # epoch seconds


class ToolKeyRow(Base):
    """The tool's RSA signing keys. ``private_pem`` is never logged nor served."""

    __tablename__ = "tool_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kid: Mapped[str] = mapped_column(String(64), unique=True)
    private_pem: Mapped[str] = mapped_column(Text)
    public_jwk: Mapped[str] = mapped_column(Text)  # JSON, with kid/alg/use
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    retired_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class LaunchSessionRow(Base):
    """Server-side launch sessions; the cookie holds a random id, the row its SHA-256."""

    __tablename__ = "launch_sessions"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    person_id: Mapped[int | None] = mapped_column(Integer, index=True)
    platform_id: Mapped[int] = mapped_column(Integer)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    data: Mapped[str] = mapped_column(Text)  # JSON of the LaunchSession fields


class LtiIdentityRow(Base):
    """(issuer, deployment, sub) → hub person. Nothing else about the LMS user is kept."""

    __tablename__ = "lti_identities"
    __table_args__ = (UniqueConstraint("issuer", "deployment_id", "sub"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    issuer: Mapped[str] = mapped_column(String(255))
    deployment_id: Mapped[str] = mapped_column(String(255))
    sub: Mapped[str] = mapped_column(String(255))
    person_id: Mapped[int] = mapped_column(Integer, index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class RoleMappingRow(Base):
    """A platform's overrides of DESIGN.md's role table (absent rows = the default)."""

    __tablename__ = "lti_role_mappings"
    __table_args__ = (UniqueConstraint("platform_id", "lti_role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform_id: Mapped[int] = mapped_column(Integer, index=True)
    lti_role: Mapped[str] = mapped_column(String(101))
    twinspace_role: Mapped[str] = mapped_column(String(30))
