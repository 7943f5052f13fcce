"""Ports the launch use case needs besides ``RegistrationStore``, ``IdentityStore`` and ``HubPort``.

Implemented in ``connectors/``: ``SqlLaunchSessionStore``, ``SqlRolePolicyStore``,
``HttpPlatformKeySource``. The shared cache (state, nonce, replay marks) is
``etwin_lti.domain.cache.KeyValueCache``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from etwin_lti.domain.audiences import Audience
from etwin_lti.domain.launches import LaunchSession


class LaunchSessionStore(Protocol):
    def create(self, session: LaunchSession, *, record_link: bool = False) -> None:
        """Store a new session; only a hash of ``session.id`` is kept. ``record_link``: also
        record (upsert) the session's resource link, as ``ResourceLinkStore.record`` does, in
        the same transaction, so that a launch commits once."""
        ...

    def get(self, session_id: str, *, now: datetime) -> LaunchSession | None:
        """None when unknown or expired."""
        ...

    def delete(self, session_id: str) -> None: ...


@dataclass(frozen=True)
class PlatformPolicy:
    """How one course of a platform maps people: role overrides and the audience."""

    overrides: Mapping[str, str]
    audience: Audience


class RolePolicyStore(Protocol):
    def overrides(self, platform_id: int) -> dict[str, str]:
        """The platform's edits of DESIGN.md's role table: ``{"Mentor": "none", ...}``."""
        ...

    def policy(self, platform_id: int, context_id: str | None) -> PlatformPolicy:
        """Overrides and the audience of that course (its own, else the platform's, else a
        school LMS), in one round trip: the launch reads it every time."""
        ...

    def set_audience(
        self, platform_id: int, audience: Audience, *, context_id: str | None = None
    ) -> None: ...

    def audiences(self, platform_id: int) -> dict[str | None, Audience]:
        """``{None: the platform's, context_id: a course's own}``; empty = a school LMS."""
        ...

    def set_override(self, platform_id: int, lti_role: str, twinspace_role: str) -> None: ...

    def clear_override(self, platform_id: int, lti_role: str) -> None: ...


class PlatformKeySource(Protocol):
    def key_set(self, url: str, *, kid: str) -> Mapping[str, Any]:
        """The platform's JWKS that should contain ``kid`` (cached; refetched once, rate-limited,
        when ``kid`` is unknown; stale keys when the platform is down)."""
        ...
