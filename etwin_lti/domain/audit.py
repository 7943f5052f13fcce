"""The audit log: who changed roles, permits, labels, erasures and registrations, and when.

An entry names its actor, the action, the subject (a kind and an id) and a few details. It is
written in the same transaction as the change it records (``connectors.sql_audit.record``), so
a refused change leaves no entry and an accepted one exactly one.

Details never carry secrets nor pupils' names: only ids, codes, roles, decisions and reasons;
``clean_details`` drops any key that looks like a secret, whoever built the details.

The actor is who asked: an LMS person (``person:<id>``), an API token (``token:<id>/<role>``),
the command line (``cli``) or the tool itself (``system``, e.g. a scheduled purge).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

DETAIL_MAX = 200
# Substrings of keys that must never reach the log, even if a caller passes them.
_SECRET_MARKERS = ("secret", "token", "password", "private", "key", "pem", "jwk")


class AuditAction(enum.StrEnum):
    MEMBER_ADDED = "twinspace.member_added"
    MEMBER_ROLE_CHANGED = "twinspace.role_changed"
    MEMBER_SUSPENDED = "twinspace.member_suspended"
    MEMBER_REACTIVATED = "twinspace.member_reactivated"
    NQL_GRANTED = "label.nql_granted"
    NQL_REFUSED = "label.nql_refused"
    EQL_AWARDED = "label.eql_awarded"  # by the rule (details: awarded_by=rule) or the CSS
    EQL_WITHDRAWN = "label.eql_withdrawn"  # the CSS, with its reason
    ACKNOWLEDGEMENT_ISSUED = "acknowledgement.issued"
    ACKNOWLEDGEMENT_REVOKED = "acknowledgement.revoked"
    PERSON_ERASED = "privacy.person_erased"
    PLATFORM_ADDED = "registration.platform_added"
    DEPLOYMENT_ADDED = "registration.deployment_added"
    DEPLOYMENT_ACTIVATED = "registration.deployment_activated"
    DYNAMIC_REGISTRATION = "registration.dynamic"
    ROLE_POLICY_SET = "registration.role_policy_set"
    ROLE_POLICY_CLEARED = "registration.role_policy_cleared"
    # A course copy's request to open a resource: approving lets that course's roster in.
    BINDING_APPROVED = "binding.approved"
    BINDING_DECLINED = "binding.declined"
    # Moderation: an author or a teacher administrator changes posted content.
    CONTENT_EDITED = "content.edited"
    CONTENT_DELETED = "content.deleted"
    # The project's life, run by its founders from the LMS page (issue 12 item 5).
    PROJECT_PROFILE_EDITED = "project.profile_edited"
    PROJECT_EXTENDED = "project.extended"
    PROJECT_CLOSED = "project.closed"
    PARTNER_ADDED = "project.partner_added"
    PARTNER_INVITED = "project.partner_invited"
    PARTNER_INVITATION_ANSWERED = "project.partner_invitation_answered"
    PARTNER_INVITATION_WITHDRAWN = "project.partner_invitation_withdrawn"
    NQL_APPLIED = "label.nql_applied"
    CONTENT_HIDDEN = "content.hidden"
    CONTENT_RESTORED = "content.restored"
    CONTENT_VISIBILITY_CHANGED = "content.visibility_changed"
    # Chat moderation (etwin_lti.domain.chat): details name ids only, never the text.
    CHAT_MESSAGE_HIDDEN = "chat.message_hidden"
    CHAT_MESSAGE_SHOWN = "chat.message_shown"
    CHAT_MESSAGE_DELETED = "chat.message_deleted"
    # REST API tokens (admin CLI or a teacher's own "API access" page).
    API_TOKEN_CREATED = "api_token.created"
    API_TOKEN_REVOKED = "api_token.revoked"


@dataclass(frozen=True)
class AuditActor:
    kind: str  # person | token | cli | system
    id: str | None = None
    role: str | None = None

    @classmethod
    def person(cls, person_id: int) -> AuditActor:
        return cls("person", str(person_id))

    @classmethod
    def token(cls, token_id: int, role: str) -> AuditActor:
        return cls("token", str(token_id), role)

    def __str__(self) -> str:
        text = self.kind if self.id is None else f"{self.kind}:{self.id}"
        return text if self.role is None else f"{text}/{self.role}"


CLI = AuditActor("cli")
SYSTEM = AuditActor("system")


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: datetime
    actor: str
    action: str
    subject_kind: str
    subject_id: str
    details: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class AuditPage:
    entries: Sequence[AuditEntry]
    total: int


def clean_details(details: Mapping[str, Any] | None) -> dict[str, str]:
    """Strings only, bounded, and no key that could hold a secret."""
    clean: dict[str, str] = {}
    for key, value in (details or {}).items():
        name = str(key)
        if any(marker in name.lower() for marker in _SECRET_MARKERS) or value is None:
            continue
        clean[name[:64]] = str(value)[:DETAIL_MAX]
    return clean


class AuditLogReader(Protocol):
    """Read side for tool admins; newest first."""

    def list_entries(self, *, offset: int = 0, limit: int = 50) -> AuditPage: ...
