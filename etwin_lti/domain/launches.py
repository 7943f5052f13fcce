"""What a verified launch leaves behind: the resource it opened and the launch session.

``Resource`` is parsed from the ``etwin_resource`` custom parameter (``twinspace:<id>``,
``event:<id>``, ``unit:<id>``). ``LaunchSession`` is stored server-side and referenced by an
HttpOnly, Secure, SameSite=None, Partitioned cookie (or a short signed token when cookies are
blocked); the embedded pages read it through ``etwin_lti.web.session.current_launch()``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime


class ResourceKind(enum.StrEnum):
    TWINSPACE = "twinspace"
    EVENT = "event"
    UNIT = "unit"


@dataclass(frozen=True)
class Resource:
    kind: ResourceKind
    id: int

    def __str__(self) -> str:
        return f"{self.kind.value}:{self.id}"


@dataclass(frozen=True)
class ServiceEndpoints:
    """LTI Advantage endpoints announced in the launch (kept exactly, ``?type_id=`` included)."""

    lineitems_url: str | None = None
    lineitem_url: str | None = None
    ags_scopes: tuple[str, ...] = ()
    nrps_url: str | None = None


@dataclass(frozen=True)
class LaunchSession:
    id: str  # random, opaque; never put in a URL
    person_id: int | None  # None for tool administrators without membership
    platform_id: int
    deployment_id: str
    context_id: str | None
    context_title: str | None
    resource_link_id: str | None
    resource: Resource | None
    role: str  # the mapped role shown as data-etwin-role (TwinSpace role, participant, trainee...)
    lti_roles: tuple[str, ...]
    is_tool_admin: bool
    message_type: str
    created_at: datetime
    expires_at: datetime
    endpoints: ServiceEndpoints = field(default_factory=ServiceEndpoints)
    return_url: str | None = None
    # launch_presentation.locale as the LMS sent it (a BCP 47 tag or anything else): the web
    # layer picks the page language from it, falling back to the browser, then English.
    locale: str | None = None
    deep_linking: dict[str, object] | None = None  # the deep_linking_settings claim, if any
    # Submission Review (https://www.imsglobal.org/spec/lti-sr/v1p0/#for_user-claim): the hub
    # person the ``for_user`` claim names, kept only when the launcher may see another
    # learner's work (a teacher or tool administrator) or is that learner.
    for_user_id: int | None = None
    for_user_unknown: bool = False  # the claim names a learner who never launched the tool
