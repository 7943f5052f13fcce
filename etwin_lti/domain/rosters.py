"""A course roster as NRPS 2.0 delivers it, and the ports the roster sync needs.

Names and Role Provisioning Services 2.0 (https://www.imsglobal.org/spec/lti-nrps/v2p0/):
section 2.2 membership container (members with ``user_id``, ``roles``, ``status``), 2.3 paging,
2.4 differences. Only what the sync needs is kept: a member's name is optional (privacy
settings may withhold it; pupils get a pseudonym anyway) and e-mail addresses are never read.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Protocol


class RosterStatus(enum.StrEnum):
    """NRPS 2.0, section 2.2: absent means Active. Moodle always sends Active (users who left
    simply disappear); Deleted appears in differences."""

    ACTIVE = "Active"
    INACTIVE = "Inactive"
    DELETED = "Deleted"


@dataclass(frozen=True)
class RosterMember:
    user_id: str  # the ``sub`` of this user's launches
    roles: tuple[str, ...]
    status: RosterStatus = RosterStatus.ACTIVE
    name: str | None = None


@dataclass(frozen=True)
class FetchedRoster:
    """Every page of one membership fetch, read completely (or not at all)."""

    context_id: str | None
    members: tuple[RosterMember, ...]
    differences_url: str | None  # for the next fetch, when the platform offers it
    is_delta: bool  # True: only changes since the stored differences URL
    pages: int


class RosterSource(Protocol):
    """Implemented by ``connectors.nrps_client.HttpNrpsClient``."""

    def fetch(
        self, platform_id: int, url: str, *, differences_url: str | None = None
    ) -> FetchedRoster:
        """All pages, or an error (``RemoteServiceError`` family) and nothing."""
        ...
