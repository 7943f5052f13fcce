"""API tokens for the REST API (``/api/v1``) and who may do what with them.

A token is a random secret shown once when it is created (``etwin-lti token create``); only its
SHA-256 hash is stored, so a leaked database does not leak usable tokens. Three roles:

- ``admin``: a trusted integration (another etwin-lti instance, an LMS bridge). May call every
  endpoint and act for a person by passing ``actor_id``.
- ``nso_officer``: National Support Organisation staff of one country. May read, validate
  projects and decide NQL applications for THEIR country only.
- ``css_officer``: Central Support Service staff. May read, and withdraw the EQL with a reason
  (the EQL itself is awarded by rule; their award call applies the rule to older labels).
"""

from __future__ import annotations

import enum
import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from etwin_lti.errors import InvalidInputError

TOKEN_PREFIX = "etw_"  # makes a leaked token recognisable by secret scanners
LABEL_MAX = 200
_COUNTRY_CODE = re.compile(r"^[A-Z]{2}$")


class ApiTokenRole(enum.StrEnum):
    ADMIN = "admin"
    NSO_OFFICER = "nso_officer"
    CSS_OFFICER = "css_officer"


class ApiPermission(enum.StrEnum):
    """What an API endpoint needs, checked against the token's role."""

    READ = "read"  # every GET
    WRITE = "write"  # everything that acts for a person (admin only)
    VALIDATE_PROJECT = "validate_project"  # an NSO for its own country
    DECIDE_NQL = "decide_nql"  # an NSO for its own country
    AWARD_EQL = "award_eql"  # the CSS: apply the EQL's rule, withdraw the EQL
    READ_AUDIT = "read_audit"  # the audit log: admin tokens only


_GRANTS: dict[ApiTokenRole, frozenset[ApiPermission]] = {
    ApiTokenRole.ADMIN: frozenset(ApiPermission),
    ApiTokenRole.NSO_OFFICER: frozenset(
        {ApiPermission.READ, ApiPermission.VALIDATE_PROJECT, ApiPermission.DECIDE_NQL}
    ),
    ApiTokenRole.CSS_OFFICER: frozenset({ApiPermission.READ, ApiPermission.AWARD_EQL}),
}


@dataclass(frozen=True)
class ApiToken:
    id: int
    role: ApiTokenRole
    label: str
    created_at: datetime
    country_code: str | None = None  # set for NSO officers only
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def allows(self, permission: ApiPermission) -> bool:
        return permission in _GRANTS[self.role]


def roles_allowed(permission: ApiPermission) -> tuple[ApiTokenRole, ...]:
    return tuple(role for role in ApiTokenRole if permission in _GRANTS[role])


def hash_token(secret: str) -> str:
    """The only form in which a token is stored and looked up."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def check_new_token(role: str, country_code: str | None, label: str) -> ApiTokenRole:
    """Shape rules for a new token; raises ``InvalidInputError`` with a field map."""
    errors: dict[str, list[str]] = {}
    try:
        parsed = ApiTokenRole(role)
    except ValueError:
        errors["role"] = [f"Must be one of: {', '.join(r.value for r in ApiTokenRole)}."]
        parsed = None
    if parsed is ApiTokenRole.NSO_OFFICER:
        if not country_code:
            errors["country_code"] = ["An NSO officer's token needs the NSO's country."]
        elif not _COUNTRY_CODE.match(country_code):
            errors["country_code"] = ["Use an ISO 3166-1 alpha-2 code such as FR."]
    elif parsed is not None and country_code:
        errors["country_code"] = ["Only NSO officers' tokens belong to a country."]
    if len(label) > LABEL_MAX:
        errors["label"] = [f"At most {LABEL_MAX} characters."]
    if errors or parsed is None:
        raise InvalidInputError(errors=errors)
    return parsed


class ApiTokenStore(Protocol):
    """Implemented by ``connectors.sql_api_tokens.SqlApiTokenStore``."""

    def create(
        self,
        role: ApiTokenRole,
        *,
        now: datetime,
        country_code: str | None = None,
        label: str = "",
        secret: str | None = None,
    ) -> tuple[ApiToken, str]:
        """Store a new token; returns it with its secret (the only time the secret exists)."""
        ...

    def authenticate(self, secret: str, *, now: datetime) -> ApiToken:
        """The active token with that secret (and records ``last_used_at``); an unknown or
        revoked secret raises ``AuthenticationError``."""
        ...

    def list_tokens(self) -> list[ApiToken]:
        """Every token, revoked ones too, ordered by id."""
        ...

    def revoke(self, token_id: int, *, now: datetime) -> ApiToken:
        """Idempotent; an unknown id raises ``NotFoundError``."""
        ...
