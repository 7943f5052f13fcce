"""LMS platforms registered with the tool, and their deployments (LTI 1.3 core, section 3.1.3).

A platform is one (issuer, client_id) pair: several client_ids per issuer are allowed, as are
several platforms. A deployment id the tool has never seen arrives inactive and is refused until
an administrator activates it (``etwin-lti platform activate``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class PlatformRegistration:
    """What the tool must know of a platform before its first launch, as one value: typed in by
    an administrator (``etwin-lti platform add``), read from the platform's configuration
    (dynamic registration) or given by the sandbox LMS. ``check_new_platform`` judges it."""

    issuer: str
    client_id: str
    name: str
    auth_login_url: str  # the platform's OIDC authorization endpoint
    auth_token_url: str  # OAuth 2 token endpoint for LTI Advantage services
    key_set_url: str  # the platform's JWKS
    audience: str | None = None  # token endpoint audience when it differs from the URL
    product: str | None = None  # e.g. "moodle", from dynamic registration


@dataclass(frozen=True, kw_only=True)
class Platform(PlatformRegistration):
    """A registration the tool stored: the same values plus the tool's id for it."""

    id: int
    created_at: datetime | None = None


@dataclass(frozen=True)
class Deployment:
    platform_id: int
    deployment_id: str
    active: bool
    label: str = ""
    created_at: datetime | None = None


@dataclass(frozen=True)
class RegistrationInvite:
    """A one-time dynamic-registration URL handed to an LMS administrator."""

    token: str
    expires_at: datetime
    used_at: datetime | None = None
    activate_deployments: bool = True  # an invited platform's first deployment starts active
