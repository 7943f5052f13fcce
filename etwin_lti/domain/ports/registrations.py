"""Ports for LTI platform registrations (LTI 1.3 Core section 3, Dynamic Registration 1.0)."""

from __future__ import annotations

from typing import Protocol

from etwin_lti.domain.registrations import (
    Deployment,
    Platform,
    PlatformRegistration,
    RegistrationInvite,
)


class RegistrationStore(Protocol):
    """Platforms, deployments and one-time dynamic-registration invites.

    Implemented by ``connectors.sql_registrations.SqlRegistrationStore``.
    """

    def add_platform(self, registration: PlatformRegistration) -> Platform:
        """Refused (409) when (issuer, client_id) exists already."""
        ...

    def find_platform(self, issuer: str, client_id: str | None = None) -> Platform | None:
        """With ``client_id`` None, the platform when the issuer has exactly one, else None."""
        ...

    def get_platform(self, platform_id: int) -> Platform: ...

    def get_platform_and_deployment(
        self, platform_id: int, deployment_id: str
    ) -> tuple[Platform, Deployment | None]:
        """``get_platform`` and ``find_deployment`` in one read (the launch's hot path)."""
        ...

    def list_platforms(self) -> list[Platform]: ...

    def add_deployment(
        self, platform_id: int, deployment_id: str, *, active: bool, label: str = ""
    ) -> Deployment: ...

    def find_deployment(self, platform_id: int, deployment_id: str) -> Deployment | None: ...

    def record_unknown_deployment(self, platform_id: int, deployment_id: str) -> Deployment:
        """Store a never-seen deployment id as inactive (idempotent) and return it."""
        ...

    def activate_deployment(self, platform_id: int, deployment_id: str) -> Deployment: ...

    def list_deployments(self, platform_id: int) -> list[Deployment]: ...

    def create_invite(self, *, ttl_seconds: int) -> RegistrationInvite: ...

    def consume_invite(self, token: str) -> RegistrationInvite:
        """Marks the invite used; unknown, expired or used tokens raise ``RegistrationError``."""
        ...

    def peek_invite(self, token: str) -> RegistrationInvite:
        """Like ``consume_invite`` but writes nothing: dynamic registration checks the invite
        first and consumes it only when the platform accepted the registration."""
        ...

    def complete_registration(
        self, token: str, registration: PlatformRegistration, *, deployment_id: str | None
    ) -> tuple[Platform, Deployment | None]:
        """One transaction: consume the invite, add the platform and (when the platform gave
        one) its deployment, active per the invite. Nothing is written when any step fails."""
        ...


class PlatformRegistrationClient(Protocol):
    """The two outbound calls of LTI Dynamic Registration 1.0 (tool side).

    Implemented by ``connectors.platform_registration.HttpPlatformRegistrationClient``.
    Network failures raise ``RemoteServiceError``/``RemoteTimeoutError``; a body that is not
    JSON raises ``RegistrationError`` subclasses of ``etwin_lti.lti.dynamic_registration``.
    """

    def fetch_configuration(self, url: str) -> object:
        """GET the platform's OpenID configuration; the decoded JSON document."""
        ...

    def register(self, endpoint: str, registration_token: str | None, request: object) -> object:
        """POST the client registration (Bearer ``registration_token``); the decoded answer."""
        ...
