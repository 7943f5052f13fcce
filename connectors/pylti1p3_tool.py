"""pylti1.3 (the pylti1p3next fork, import name ``pylti1p3``) over our stores.

The launch itself is validated by our own core (``etwin_lti.lti``; see
docs/decisions/0002-pylti1p3next-with-our-own-validation.md). pylti1p3 is used where it saves
work without weakening anything: building the messages the tool SENDS (deep-linking responses
via ``pylti1p3.deep_link.DeepLink``, the client-credentials assertion of its
``ServiceConnector`` for NRPS/AGS). Both need a ``Registration`` carrying the platform's URLs and
the tool's current signing key; ``RegistrationToolConf`` provides it from
``RegistrationStore`` + ``ToolKeyStore``. Every issuer is treated as "many client ids" (the
modern pylti1p3 mode), so a registration is always looked up by (issuer, client_id).
"""

from __future__ import annotations

from typing import Any

from pylti1p3.deployment import Deployment as PyltiDeployment
from pylti1p3.registration import Registration
from pylti1p3.tool_config import ToolConfAbstract

from etwin_lti.domain.ports import RegistrationStore
from etwin_lti.domain.registrations import Platform
from etwin_lti.domain.tool_keys import SigningKey, ToolKeyStore


def registration_for(platform: Platform, key: SigningKey) -> Registration:
    # pylti1p3 hands the "private key" straight to PyJWT, which signs with a loaded key object
    # as well as with a PEM: the store's loaded key spares a parse per message.
    registration = (
        Registration()
        .set_issuer(platform.issuer)
        .set_client_id(platform.client_id)
        .set_auth_login_url(platform.auth_login_url)
        .set_auth_token_url(platform.auth_token_url)
        .set_key_set_url(platform.key_set_url)
        .set_tool_private_key(key.private_key)
        .set_tool_public_key(key.public_pem)
    )
    if platform.audience:
        registration.set_auth_audience(platform.audience)
    return registration


class RegistrationToolConf(ToolConfAbstract):
    def __init__(self, registrations: RegistrationStore, tool_keys: ToolKeyStore) -> None:
        self._registrations = registrations
        self._tool_keys = tool_keys

    def check_iss_has_one_client(self, iss: str) -> bool:
        return False

    def check_iss_has_many_clients(self, iss: str) -> bool:
        return True

    # pylti1p3 annotates these as never None, yet its own ToolConfDict answers None for an
    # unknown issuer and its callers check for it ("Registration not found").
    def find_registration_by_issuer(  # type: ignore[override]
        self, iss: str, *args: Any, **kwargs: Any
    ) -> Registration | None:
        platform = self._registrations.find_platform(iss)
        return registration_for(platform, self._tool_keys.signing_key()) if platform else None

    def find_registration_by_params(  # type: ignore[override]
        self, iss: str, client_id: str, *args: Any, **kwargs: Any
    ) -> Registration | None:
        platform = self._registrations.find_platform(iss, client_id)
        return registration_for(platform, self._tool_keys.signing_key()) if platform else None

    def find_deployment(self, iss: str, deployment_id: str) -> PyltiDeployment | None:
        platform = self._registrations.find_platform(iss)
        return self._deployment(platform, deployment_id)

    def find_deployment_by_params(
        self, iss: str, deployment_id: str, client_id: str, *args: Any, **kwargs: Any
    ) -> PyltiDeployment | None:
        platform = self._registrations.find_platform(iss, client_id)
        return self._deployment(platform, deployment_id)

    def _deployment(self, platform: Platform | None, deployment_id: str) -> PyltiDeployment | None:
        if platform is None:
            return None
        found = self._registrations.find_deployment(platform.id, deployment_id)
        if found is None or not found.active:
            return None  # inactive deployments are as good as unknown for outgoing messages
        return PyltiDeployment().set_deployment_id(found.deployment_id)
