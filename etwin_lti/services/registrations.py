"""Use cases of platform registration: dynamic (LTI DR 1.0), manual, and the demo sandbox.

Ports only: the ``RegistrationStore`` and the ``PlatformRegistrationClient``. The protocol rules
live in ``etwin_lti.lti.dynamic_registration``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from etwin_lti.domain.ports import PlatformRegistrationClient, RegistrationStore
from etwin_lti.domain.registration_rules import (
    InvalidInviteError,
    check_deployment_id,
    check_new_platform,
)
from etwin_lti.domain.registrations import Deployment, Platform, PlatformRegistration
from etwin_lti.domain.translatable import N_
from etwin_lti.errors import InvalidInputError
from etwin_lti.lti.dynamic_registration import (
    check_configuration_url,
    client_registration,
    parse_platform_configuration,
    parse_registration_response,
    platform_name,
)


@dataclass(frozen=True)
class RegistrationResult:
    platform: Platform
    deployment: Deployment | None


class DynamicRegistrationService:
    def __init__(
        self,
        store: RegistrationStore,
        remote: PlatformRegistrationClient,
        *,
        base_url: str,
        store_pupil_names: bool,
        allow_loopback_http: bool,
        max_attempts_per_invite: int = 3,
    ) -> None:
        self._store = store
        self._remote = remote
        self._base_url = base_url
        self._store_pupil_names = store_pupil_names
        self._allow_loopback_http = allow_loopback_http
        self._max_attempts = max_attempts_per_invite

    def register(
        self,
        *,
        invite_token: str | None,
        openid_configuration: str | None,
        registration_token: str | None,
    ) -> RegistrationResult:
        """The registration initiation request (DR 1.0, 3.3) from the platform's window.

        The invite is checked first and consumed only when the platform accepted us and the
        platform is stored, in one transaction; every attempt counts against it (refused ones
        too, before any outbound request), so one leaked link cannot be used to make the tool
        fetch URLs over and over.
        """
        if not invite_token:
            raise InvalidInviteError(N_("This registration link has no invite."))
        self._store.begin_invite_attempt(invite_token, max_attempts=self._max_attempts)
        url = openid_configuration or ""
        check_configuration_url(url, allow_loopback_http=self._allow_loopback_http)
        configuration = parse_platform_configuration(
            self._remote.fetch_configuration(url),
            url,
            allow_loopback_http=self._allow_loopback_http,
        )
        answer = self._remote.register(
            configuration.registration_endpoint,
            registration_token or None,
            client_registration(self._base_url, store_pupil_names=self._store_pupil_names),
        )
        client = parse_registration_response(answer)
        registration = PlatformRegistration(
            issuer=configuration.issuer,
            client_id=client.client_id,
            name=platform_name(configuration),
            auth_login_url=configuration.authorization_endpoint,
            auth_token_url=configuration.token_endpoint,
            key_set_url=configuration.jwks_uri,
            product=configuration.product_family_code,
        )
        platform, deployment = self._store.complete_registration(
            invite_token, registration, deployment_id=client.deployment_id
        )
        return RegistrationResult(platform, deployment)


def add_platform(
    store: RegistrationStore,
    registration: PlatformRegistration,
    *,
    deployment_ids: Sequence[str] = (),
) -> RegistrationResult:
    """Manual registration (``etwin-lti platform add``); deployments given here start active.

    Everything is checked before the first write, so bad input writes nothing.
    """
    check_new_platform(registration)
    for deployment_id in deployment_ids:
        check_deployment_id(deployment_id)
    if len(set(deployment_ids)) != len(deployment_ids):
        raise InvalidInputError(
            "A deployment id is given twice.", errors={"deployment_id": ["given twice"]}
        )
    platform = store.add_platform(registration)
    deployments = [store.add_deployment(platform.id, d, active=True) for d in deployment_ids]
    return RegistrationResult(platform, deployments[0] if deployments else None)


def ensure_platform(
    store: RegistrationStore, registration: PlatformRegistration, *, deployment_id: str
) -> RegistrationResult:
    """Idempotent registration with an active deployment (the demo sandbox at each serve)."""
    platform = store.find_platform(registration.issuer, registration.client_id)
    if platform is None:
        platform = store.add_platform(registration)
    deployment = store.find_deployment(platform.id, deployment_id)
    if deployment is None:
        deployment = store.add_deployment(platform.id, deployment_id, active=True)
    elif not deployment.active:
        deployment = store.activate_deployment(platform.id, deployment_id)
    return RegistrationResult(platform, deployment)
