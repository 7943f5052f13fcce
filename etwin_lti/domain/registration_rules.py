"""Rules for what a platform registration may contain (LTI 1.3 core 5.1.2, Security Framework 5.1).

Every URL the tool will call or compare (issuer, OIDC authorization endpoint, token endpoint,
key set) must be HTTPS; plain HTTP is allowed only on the loopback host names used in
development and by the test suite, where no traffic leaves the machine.
"""

from __future__ import annotations

import hashlib
from urllib.parse import urlsplit

from etwin_lti.domain.registrations import PlatformRegistration
from etwin_lti.domain.translatable import N_
from etwin_lti.errors import InvalidInputError, RegistrationError

LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
ID_MAX = 255  # LTI core: deployment_id at most 255 ASCII characters; same bound for client_id
NAME_MAX = 200
URL_MAX = 1000


def url_problem(url: str) -> str | None:
    """Why ``url`` cannot be used for a platform, or None when it can."""
    if not url:
        return "is required"
    if len(url) > URL_MAX:
        return f"is longer than {URL_MAX} characters"
    parts = urlsplit(url)
    if not parts.hostname:
        return "must be an absolute URL"
    if parts.fragment:
        return "must not contain a fragment"
    if parts.scheme == "https":
        return None
    if parts.scheme == "http" and is_loopback(parts.hostname):
        return None
    return "must be an https:// URL (http:// only for localhost or 127.0.0.1)"


def is_loopback(hostname: str) -> bool:
    return hostname in LOOPBACK_HOSTS or hostname.endswith(".localhost")


def identifier_problem(value: str) -> str | None:
    if not value or not value.strip():
        return "is required"
    if len(value) > ID_MAX:
        return f"is longer than {ID_MAX} characters"
    if not value.isascii() or not value.isprintable():
        return "must be printable ASCII"
    return None


def check_new_platform(registration: PlatformRegistration) -> None:
    """Raise ``InvalidInputError`` with a field map naming every bad value."""
    errors: dict[str, list[str]] = {}
    client_id, name = registration.client_id, registration.name
    for field, url in (
        ("issuer", registration.issuer),
        ("auth_login_url", registration.auth_login_url),
        ("auth_token_url", registration.auth_token_url),
        ("key_set_url", registration.key_set_url),
    ):
        problem = url_problem(url)
        if problem:
            errors[field] = [problem]
    problem = identifier_problem(client_id)
    if problem:
        errors["client_id"] = [problem]
    if not name.strip():
        errors["name"] = ["is required"]
    elif len(name) > NAME_MAX:
        errors["name"] = [f"is longer than {NAME_MAX} characters"]
    if errors:
        raise InvalidInputError(N_("The platform registration is not valid."), errors=errors)


def check_deployment_id(deployment_id: str) -> None:
    problem = identifier_problem(deployment_id)
    if problem:
        raise InvalidInputError(
            "The deployment id is not valid.", errors={"deployment_id": [problem]}
        )


def hash_invite_token(token: str) -> str:
    """Invites are stored as the SHA-256 of their token: a leaked table grants nothing."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class InvalidInviteError(RegistrationError):
    """A dynamic-registration URL whose invite is unknown, used or expired."""

    error = "invalid_registration_invite"
    description = N_(
        "This registration link is not valid: it is unknown, expired or was used already."
    )
    status_code = 403
    who_can_fix = N_(
        "the eTwinning tool administrator (etwin-lti platform invite makes a new link)"
    )
