"""API tokens for the REST API (``/api/v1``) and who may do what with them.

A token is a random secret shown once when it is created (``etwin-lti token create``); only its
SHA-256 hash is stored, so a leaked database does not leak usable tokens. Four roles:

- ``admin``: a trusted integration (another etwin-lti instance, an LMS bridge). May call every
  endpoint and act for a person by passing ``actor_id``.
- ``nso_officer``: National Support Organisation staff of one country. May read, validate
  projects and decide NQL applications for THEIR country only.
- ``css_officer``: Central Support Service staff. May read, and withdraw the EQL with a reason
  (the EQL itself is awarded by rule; their award call applies the rule to older labels).
- ``teacher``: bound to ONE teacher (``person_id``; never a pupil), created by that teacher on
  their embedded "API access" page or by an administrator (``--role teacher --person ID``).
  Acts AS that person only: every ``actor_id`` comes from the token, reads are what that
  person may see (``etwin_lti.web.api.auth``). Expires (``TEACHER_TOKEN_DAYS``).

A teacher's launch session (with the page's CSRF token) is the same kind of caller as a teacher
token: ``ApiCaller`` is either, the one value the API's auth layer works with.
"""

from __future__ import annotations

import enum
import hashlib
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from etwin_lti.errors import InvalidInputError

TOKEN_PREFIX = "etw_"  # makes a leaked token recognisable by secret scanners
LABEL_MAX = 200
_COUNTRY_CODE = re.compile(r"^[A-Z]{2}$")
# A teacher token expires: a forgotten script in a school stops working instead of acting for
# the teacher for ever. The teacher chooses 1..365 days; 90 unless said.
TEACHER_TOKEN_DAYS = 90
TEACHER_TOKEN_DAYS_MAX = 365
# Enough for a few scripts, bounded so a stolen session cannot mint tokens without end.
TEACHER_ACTIVE_TOKENS_MAX = 10
# ``last_used_at`` is written at most this often per token: one write per request would make
# every API read a write (and a lock on one hot row for a busy script).
LAST_USED_RESOLUTION = timedelta(minutes=1)


class ApiTokenRole(enum.StrEnum):
    ADMIN = "admin"
    NSO_OFFICER = "nso_officer"
    CSS_OFFICER = "css_officer"
    TEACHER = "teacher"


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
    # WRITE for a teacher is acting as themself only (``etwin_lti.web.api.auth``).
    ApiTokenRole.TEACHER: frozenset({ApiPermission.READ, ApiPermission.WRITE}),
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
    person_id: int | None = None  # set for teachers only: the one person it acts as
    expires_at: datetime | None = None  # teachers' tokens expire; the others do not

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def usable(self, now: datetime) -> bool:
        return self.revoked_at is None and (self.expires_at is None or now < self.expires_at)

    def allows(self, permission: ApiPermission) -> bool:
        return permission in _GRANTS[self.role]


@dataclass(frozen=True)
class ApiCaller:
    """Who calls the API: a token, or a teacher's launch session (``token_id`` None).

    ``person_id`` is set for a person-bound caller (a teacher token, a launch session): such a
    caller acts as that person and nobody else."""

    role: ApiTokenRole
    token_id: int | None = None
    country_code: str | None = None
    person_id: int | None = None
    via_launch_session: bool = False

    @classmethod
    def of_token(cls, token: ApiToken) -> ApiCaller:
        return cls(token.role, token.id, token.country_code, token.person_id)

    @classmethod
    def of_launch(cls, person_id: int) -> ApiCaller:
        return cls(ApiTokenRole.TEACHER, None, None, person_id, via_launch_session=True)

    @property
    def id(self) -> int | None:  # what code written for tokens reads
        return self.token_id

    @property
    def acts_as_person(self) -> bool:
        return self.person_id is not None

    def allows(self, permission: ApiPermission) -> bool:
        return permission in _GRANTS[self.role]


def needs_last_used_update(last_used_at: datetime | None, now: datetime) -> bool:
    return last_used_at is None or now - last_used_at >= LAST_USED_RESOLUTION


def roles_allowed(permission: ApiPermission) -> tuple[ApiTokenRole, ...]:
    return tuple(role for role in ApiTokenRole if permission in _GRANTS[role])


def hash_token(secret: str) -> str:
    """The only form in which a token is stored and looked up."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def check_new_token(
    role: str,
    country_code: str | None,
    label: str,
    person_id: int | None = None,
    days: int | None = None,
) -> ApiTokenRole:
    """Shape rules for a new token; raises ``InvalidInputError`` with a field map. That the
    person exists and is a teacher is the service's check (``services.api_tokens``)."""
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
    if parsed is ApiTokenRole.TEACHER:
        if person_id is None:
            errors["person_id"] = ["A teacher's token belongs to one teacher."]
        if days is not None and not 1 <= days <= TEACHER_TOKEN_DAYS_MAX:
            errors["days"] = [f"From 1 to {TEACHER_TOKEN_DAYS_MAX} days."]
    elif parsed is not None and person_id is not None:
        errors["person_id"] = ["Only teachers' tokens belong to a person."]
    if len(label) > LABEL_MAX:
        errors["label"] = [f"At most {LABEL_MAX} characters."]
    elif any(ord(ch) < 32 for ch in label):
        errors["label"] = ["No control characters."]
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
        person_id: int | None = None,
        expires_at: datetime | None = None,
    ) -> tuple[ApiToken, str]:
        """Store a new token; returns it with its secret (the only time the secret exists).
        Audited (``api_token.created``) in the same transaction. A teacher's token is refused
        (409) when the teacher holds ``TEACHER_ACTIVE_TOKENS_MAX`` usable ones."""
        ...

    def authenticate(self, secret: str, *, now: datetime) -> ApiToken:
        """The usable token with that secret (recording ``last_used_at`` at most once per
        ``LAST_USED_RESOLUTION``); an unknown, revoked or expired secret raises
        ``AuthenticationError``."""
        ...

    def list_tokens(self, *, person_id: int | None = None) -> list[ApiToken]:
        """Every token (revoked ones too), or one person's, ordered by id."""
        ...

    def revoke(self, token_id: int, *, now: datetime, person_id: int | None = None) -> ApiToken:
        """Idempotent; audited (``api_token.revoked``) the first time. An unknown id, or with
        ``person_id`` a token of someone else, raises ``NotFoundError``."""
        ...
