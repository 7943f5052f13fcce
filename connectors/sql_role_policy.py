"""``RolePolicyStore``: a platform's edits of DESIGN.md's role table, one row per LTI role,
and its audience (school or teacher-training LMS), per platform and per course."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import delete, literal, select, union_all

from connectors import sql_audit as audit
from etwin_lti.domain.audiences import Audience
from etwin_lti.domain.audit import AuditAction
from etwin_lti.domain.launch_ports import PlatformPolicy
from etwin_lti.persistence.db import Database
from etwin_lti.persistence.models.lti import AudienceRow, RoleMappingRow

_PLATFORM = ""  # AudienceRow.context_id of the platform-wide row


class SqlRolePolicyStore:
    def __init__(self, database: Database) -> None:
        self._db = database

    def overrides(self, platform_id: int) -> dict[str, str]:
        query = select(RoleMappingRow.lti_role, RoleMappingRow.twinspace_role).where(
            RoleMappingRow.platform_id == platform_id
        )
        with self._db.connect() as connection:
            return {row.lti_role: row.twinspace_role for row in connection.execute(query)}

    def set_override(self, platform_id: int, lti_role: str, twinspace_role: str) -> None:
        with self._db.session() as session:
            row = session.scalars(
                select(RoleMappingRow).where(
                    RoleMappingRow.platform_id == platform_id, RoleMappingRow.lti_role == lti_role
                )
            ).first()
            if row is None:
                session.add(
                    RoleMappingRow(
                        platform_id=platform_id, lti_role=lti_role, twinspace_role=twinspace_role
                    )
                )
            else:
                row.twinspace_role = twinspace_role
            audit.record(
                session,
                AuditAction.ROLE_POLICY_SET,
                "platform",
                platform_id,
                {"lti_role": lti_role, "twinspace_role": twinspace_role},
                at=datetime.now(UTC),
            )

    def clear_override(self, platform_id: int, lti_role: str) -> None:
        with self._db.session() as session:
            session.execute(
                delete(RoleMappingRow).where(
                    RoleMappingRow.platform_id == platform_id, RoleMappingRow.lti_role == lti_role
                )
            )
            audit.record(
                session,
                AuditAction.ROLE_POLICY_CLEARED,
                "platform",
                platform_id,
                {"lti_role": lti_role},
                at=datetime.now(UTC),
            )

    def policy(self, platform_id: int, context_id: str | None) -> PlatformPolicy:
        # One round trip on the launch's hot path: role rows and audience rows together.
        roles = select(
            literal("role").label("what"),
            RoleMappingRow.lti_role.label("key"),
            RoleMappingRow.twinspace_role.label("value"),
        ).where(RoleMappingRow.platform_id == platform_id)
        audiences = select(
            literal("audience").label("what"),
            AudienceRow.context_id.label("key"),
            AudienceRow.audience.label("value"),
        ).where(
            AudienceRow.platform_id == platform_id,
            AudienceRow.context_id.in_({_PLATFORM, context_id or _PLATFORM}),
        )
        overrides: dict[str, str] = {}
        found: dict[str, str] = {}
        with self._db.connect() as connection:
            for row in connection.execute(union_all(roles, audiences)):
                (overrides if row.what == "role" else found)[row.key] = row.value
        chosen = found.get(context_id or _PLATFORM) or found.get(_PLATFORM)
        return PlatformPolicy(overrides, Audience(chosen) if chosen else Audience.SCHOOL)

    def set_audience(
        self, platform_id: int, audience: Audience, *, context_id: str | None = None
    ) -> None:
        key = context_id or _PLATFORM
        with self._db.session() as session:
            row = session.scalars(
                select(AudienceRow).where(
                    AudienceRow.platform_id == platform_id, AudienceRow.context_id == key
                )
            ).first()
            if row is None:
                session.add(
                    AudienceRow(platform_id=platform_id, context_id=key, audience=audience.value)
                )
            else:
                row.audience = audience.value

    def audiences(self, platform_id: int) -> dict[str | None, Audience]:
        query = select(AudienceRow.context_id, AudienceRow.audience).where(
            AudienceRow.platform_id == platform_id
        )
        with self._db.connect() as connection:
            return {
                (row.context_id or None): Audience(row.audience)
                for row in connection.execute(query)
            }
