"""Resource links the tool has been launched from, with the service endpoints each announced.

A resource link (LTI Core 1.3, section 5.3.5, https://www.imsglobal.org/spec/lti/v1p3/#resource-link-claim)
is one activity placed in one course (context). Every successful resource-link launch records it
(upsert on platform, deployment, resource_link_id), so that background work knows where to send
scores (AGS line items, issue 4 item 3) and which course rosters feed which TwinSpace (NRPS,
item 2), without a user present.

Endpoint URLs are kept exactly as the platform sent them (Moodle's ``?type_id=N`` included); a
launch that omits an endpoint keeps the one recorded before (platforms may send service claims
to some roles only), a launch that sends one replaces it (the newest wins).

Implemented by ``connectors.sql_resource_links.SqlResourceLinkStore``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from etwin_lti.domain.launches import Resource, ServiceEndpoints


@dataclass(frozen=True)
class ResourceLink:
    id: int
    platform_id: int
    deployment_id: str
    context_id: str | None
    context_title: str | None
    resource_link_id: str
    resource: Resource | None
    endpoints: ServiceEndpoints
    last_launch_at: datetime


@dataclass(frozen=True)
class RosterContext:
    """One course (platform, deployment, context) and what its roster feeds.

    ``nrps_url`` is the newest membership URL any of its links announced (None: the platform
    never offered NRPS for this course). ``resources`` are the distinct eTwinning resources its
    links open, ``link_ids`` the resource links themselves (ids, ascending).
    """

    platform_id: int
    deployment_id: str
    context_id: str
    context_title: str | None
    nrps_url: str | None
    resources: tuple[Resource, ...]
    link_ids: tuple[int, ...]


class ResourceLinkStore(Protocol):
    def record(
        self,
        *,
        platform_id: int,
        deployment_id: str,
        resource_link_id: str,
        context_id: str | None,
        context_title: str | None,
        resource: Resource | None,
        endpoints: ServiceEndpoints,
        now: datetime,
        launched_by: int | None = None,
    ) -> ResourceLink:
        """Create or update the link (one statement); newest non-empty endpoints win.
        ``launched_by``: also record that this hub person came through the link (scores go
        only to links a person launched)."""
        ...

    def get(self, link_id: int) -> ResourceLink:
        """``NotFoundError`` when unknown."""
        ...

    def find(self, platform_id: int, resource_link_id: str) -> ResourceLink | None:
        """Any deployment of the platform (the most recently launched when several)."""
        ...

    def list_for_resource(self, resource: Resource) -> list[ResourceLink]:
        """Every link opening this resource, ordered by id."""
        ...

    def list_contexts(self) -> list[RosterContext]:
        """Distinct (platform, deployment, context) of links that have a context, ordered by
        platform, deployment and context id."""
        ...
