"""Tables of the LTI launch: shared cache, tool keys, launch sessions, identities, role policy,
audiences."""

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
    """(issuer, sub) → hub person, for every deployment and client id of that issuer (LTI's
    ``sub`` is unique within an issuer). Nothing else about the LMS user is kept.

    ``person_id`` is empty while a first launch holds the claim (``SqlIdentityStore.claim``);
    ``kind`` is the person's kind, fixed at that first launch; ``deployment_id`` where the user
    was first seen (for administrators only, never a key).
    """

    __tablename__ = "lti_identities"
    __table_args__ = (UniqueConstraint("issuer", "sub"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    issuer: Mapped[str] = mapped_column(String(255))
    deployment_id: Mapped[str] = mapped_column(String(255))
    sub: Mapped[str] = mapped_column(String(255))
    person_id: Mapped[int | None] = mapped_column(Integer, index=True)
    kind: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class AudienceRow(Base):
    """Whom a platform (or one of its courses, ``context_id`` non-empty) serves: a school LMS
    or a teacher-training LMS (DESIGN.md "Audience of a platform"). No row = a school LMS."""

    __tablename__ = "lti_audiences"
    __table_args__ = (UniqueConstraint("platform_id", "context_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform_id: Mapped[int] = mapped_column(Integer, index=True)
    context_id: Mapped[str] = mapped_column(String(255), default="")  # "" = the whole platform
    audience: Mapped[str] = mapped_column(String(16))


class RoleMappingRow(Base):
    """A platform's overrides of DESIGN.md's role table (absent rows = the default)."""

    __tablename__ = "lti_role_mappings"
    __table_args__ = (UniqueConstraint("platform_id", "lti_role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform_id: Mapped[int] = mapped_column(Integer, index=True)
    lti_role: Mapped[str] = mapped_column(String(101))
    twinspace_role: Mapped[str] = mapped_column(String(30))
