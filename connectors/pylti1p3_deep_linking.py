"""Signs Deep Linking 2.0 responses with pylti1p3 (docs/decisions/0002: sending uses pylti1p3).

The claim set comes from our sans-IO core (``etwin_lti.lti.deep_linking.response_claims``);
pylti1p3's ``DeepLink.encode_jwt`` signs it RS256 with the tool's current key from
``RegistrationToolConf``, naming it by ``kid`` (the RFC 7638 thumbprint we publish in
``/.well-known/jwks.json``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pylti1p3.deep_link import DeepLink

from connectors.pylti1p3_tool import RegistrationToolConf
from etwin_lti.errors import UnknownPlatformError


class Pylti1p3DeepLinkSigner:
    def __init__(self, tool_conf: RegistrationToolConf) -> None:
        self._tool_conf = tool_conf

    def sign(
        self, *, issuer: str, client_id: str, deployment_id: str, claims: Mapping[str, Any]
    ) -> str:
        registration = self._tool_conf.find_registration_by_params(issuer, client_id)
        if registration is None:
            raise UnknownPlatformError()
        # The settings are only read by DeepLink's form helpers, which we do not use.
        deep_link = DeepLink(registration, deployment_id, {})
        return str(deep_link.encode_jwt(dict(claims)))
