"""Which eTwinning resource each LMS activity opens, and the courses waiting for approval.

DESIGN.md "Bound resources". A *binding* ties one resource link of one course — (platform,
deployment, context, resource link id) — to one resource. The first launch of an activity
added through the picker records it from the tool-signed reference; every later launch uses
it, whatever the activity's custom parameters say. A reference copied into another course of
the same platform (Moodle course copy, backup and restore) records a *pending* binding that a
person who may approve it (``may_approve``) turns into a bound or a declined one.

Implemented by ``connectors.sql_resource_bindings.SqlResourceBindingStore``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from etwin_lti.domain.launches import Resource, ResourceKind
from etwin_lti.domain.model import (
    Edition,
    LearningEvent,
    Member,
    MemberStatus,
    TwinSpaceRole,
)


class BindingStatus(enum.StrEnum):
    BOUND = "bound"
    PENDING = "pending"
    DECLINED = "declined"


@dataclass(frozen=True)
class LinkKey:
    """One activity in one course of one platform."""

    platform_id: int
    deployment_id: str
    context_id: str  # "" when the platform sent no context
    resource_link_id: str


@dataclass(frozen=True)
class Binding:
    id: int
    key: LinkKey
    resource: Resource
    status: BindingStatus
    chosen_by: int | None  # who chose it in the picker (None: the tool administrator)
    origin_context_id: str | None  # pending: the course the reference was made for
    context_title: str | None
    requested_by: str | None  # pending: the LMS teacher's name as their LMS sent it
    created_at: datetime
    decided_by: int | None = None
    decided_at: datetime | None = None


class ResourceBindingStore(Protocol):
    def find(self, key: LinkKey) -> Binding | None: ...

    def get(self, binding_id: int) -> Binding:
        """``NotFoundError`` when unknown."""
        ...

    def add(
        self,
        key: LinkKey,
        resource: Resource,
        *,
        status: BindingStatus,
        chosen_by: int | None,
        now: datetime,
        origin_context_id: str | None = None,
        context_title: str | None = None,
        requested_by: str | None = None,
    ) -> Binding:
        """Record the link's binding unless it has one; returns the one stored (the earlier
        one when two first launches raced)."""
        ...

    def list_pending(self) -> list[Binding]: ...

    def decide(
        self, binding_id: int, *, approve: bool, decided_by: int | None, now: datetime
    ) -> Binding:
        """Pending to bound or declined; ``RuleViolationError`` when it is not pending."""
        ...

    def rebind(self, key: LinkKey, resource: Resource, *, now: datetime) -> Binding:
        """The tool administrator's explicit binding (``etwin-lti bind``): bound, whatever
        the link had."""
        ...


def may_approve(
    resource: Resource,
    person_id: int,
    *,
    member: Member | None = None,
    event: LearningEvent | None = None,
    edition: Edition | None = None,
) -> bool:
    """Who may connect another course to a resource: a teacher administrator of the TwinSpace
    (they have complete control over its members), the event's expert, a trainer of the unit's
    edition. The caller passes what the hub said about that person and resource."""
    if resource.kind is ResourceKind.TWINSPACE:
        return (
            member is not None
            and member.person_id == person_id
            and member.status is MemberStatus.ACTIVE
            and member.role is TwinSpaceRole.TEACHER_ADMINISTRATOR
        )
    if resource.kind is ResourceKind.EVENT:
        return event is not None and event.expert_id == person_id
    return edition is not None and person_id in edition.trainer_ids


EMBEDDING_ROLES = frozenset({TwinSpaceRole.TEACHER_ADMINISTRATOR, TwinSpaceRole.TEACHER})


def may_embed(
    resource: Resource,
    person_id: int,
    *,
    member: Member | None = None,
    event: LearningEvent | None = None,
    edition: Edition | None = None,
) -> bool:
    """Who may place a resource in an LMS course through the picker (issue 9 item 4): an active
    teacher member of the TwinSpace, the event's expert, a trainer of the unit's edition. The
    caller passes what the hub said about that person and resource."""
    if resource.kind is ResourceKind.TWINSPACE:
        return (
            member is not None
            and member.person_id == person_id
            and member.status is MemberStatus.ACTIVE
            and member.role in EMBEDDING_ROLES
        )
    if resource.kind is ResourceKind.EVENT:
        return event is not None and event.expert_id == person_id
    return edition is not None and person_id in edition.trainer_ids
