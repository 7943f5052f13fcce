"""The platform side of LTI Dynamic Registration 1.0 (https://www.imsglobal.org/spec/lti-dr/v1p0).

- 3.4/3.5 the platform's OpenID configuration, with the
  ``https://purl.imsglobal.org/spec/lti-platform-configuration`` claim;
- 3.5/3.6 the registration endpoint: an OpenID Connect Dynamic Client Registration request
  authorised by the single-use ``registration_token`` as a Bearer token; the answer adds the
  ``client_id`` and, in the tool configuration, the ``deployment_id`` (as Moodle does).
Errors follow OpenID Connect DCR 1.0, 3.3: ``{"error": "invalid_client_metadata", ...}``.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from etwin_lti.sandbox.model import ALL_SERVICE_SCOPES, ToolClient
from etwin_lti.sandbox.platform import SandboxPlatform, SandboxRefusalError

TOOL_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-tool-configuration"
PLATFORM_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-platform-configuration"
NAME_CLAIMS = {"name", "given_name", "family_name"}


def openid_configuration(platform: SandboxPlatform) -> dict[str, Any]:
    urls = platform.urls
    return {
        "issuer": platform.issuer,
        "authorization_endpoint": urls["authorization_endpoint"],
        "registration_endpoint": urls["registration_endpoint"],
        "jwks_uri": urls["jwks_uri"],
        "token_endpoint": urls["token_endpoint"],
        "token_endpoint_auth_methods_supported": ["private_key_jwt"],
        "token_endpoint_auth_signing_alg_values_supported": ["RS256"],
        "scopes_supported": ["openid", *ALL_SERVICE_SCOPES],
        "response_types_supported": ["id_token"],
        "subject_types_supported": ["public", "pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "claims_supported": ["sub", "iss", "name", "given_name", "family_name", "email"],
        PLATFORM_CONFIGURATION: {
            "product_family_code": "etwin-sandbox",
            "version": "1",
            "messages_supported": [
                {"type": "LtiResourceLinkRequest"},
                {"type": "LtiDeepLinkingRequest"},
            ],
            "variables": [],
        },
    }


def register_client(
    platform: SandboxPlatform, authorization: str | None, body: Any
) -> dict[str, Any]:
    """Validate a client registration request, store the tool, answer with its client_id."""
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not platform.registration_token_usable(token):
        raise SandboxRefusalError("Invalid or used registration token.", 401, "invalid_token")
    if not isinstance(body, Mapping):
        raise _invalid("the body must be a JSON object")
    config = body.get(TOOL_CONFIGURATION)
    if not isinstance(config, Mapping):
        raise _invalid(f"{TOOL_CONFIGURATION} is missing")
    _check_metadata(body, config)
    platform.use_registration_token(token)
    claims = set(config.get("claims") or ())
    deep_link_uri = next(
        (
            m.get("target_link_uri")
            for m in config.get("messages") or ()
            if isinstance(m, Mapping) and m.get("type") == "LtiDeepLinkingRequest"
        ),
        None,
    )
    client = platform.add_client(
        ToolClient(
            client_id="sandbox-" + secrets.token_hex(6),
            deployment_id=platform.next_deployment_id(),
            name=str(body["client_name"]),
            initiate_login_uri=str(body["initiate_login_uri"]),
            redirect_uris=tuple(str(uri) for uri in body["redirect_uris"]),
            target_link_uri=str(config["target_link_uri"]),
            jwks_uri=str(body["jwks_uri"]),
            deep_link_uri=str(deep_link_uri) if deep_link_uri else None,
            scopes=tuple(s for s in str(body.get("scope", "")).split() if s in ALL_SERVICE_SCOPES),
            share_names=bool(claims & NAME_CLAIMS),
            share_email="email" in claims,
            custom_parameters=dict(config.get("custom_parameters") or {}),
            registration_request=dict(body),
        )
    )
    answer = dict(body)
    answer["client_id"] = client.client_id
    answer["scope"] = " ".join(client.scopes)
    answer[TOOL_CONFIGURATION] = {**config, "deployment_id": client.deployment_id}
    return answer


def _check_metadata(body: Mapping[str, Any], config: Mapping[str, Any]) -> None:
    required = {
        "application_type must be web": body.get("application_type") == "web",
        "response_types must contain id_token": "id_token" in (body.get("response_types") or ()),
        "grant_types must contain implicit and client_credentials": {
            "implicit",
            "client_credentials",
        }
        <= set(body.get("grant_types") or ()),
        "token_endpoint_auth_method must be private_key_jwt": (
            body.get("token_endpoint_auth_method") == "private_key_jwt"
        ),
        "client_name is required": bool(body.get("client_name")),
        "initiate_login_uri is required": _is_url(body.get("initiate_login_uri")),
        "jwks_uri is required": _is_url(body.get("jwks_uri")),
        "redirect_uris is required": bool(body.get("redirect_uris"))
        and all(_is_url(uri) for uri in body.get("redirect_uris") or ()),
        "domain is required": bool(config.get("domain")),
        "target_link_uri is required": _is_url(config.get("target_link_uri")),
    }
    problems = [problem for problem, ok in required.items() if not ok]
    if problems:
        raise _invalid("; ".join(problems))
    domain = str(config["domain"])
    for uri in (body["initiate_login_uri"], config["target_link_uri"], *body["redirect_uris"]):
        parts = urlsplit(str(uri))
        if domain not in (parts.netloc, parts.hostname):
            raise _invalid(f"{uri} is not on the tool's domain {domain}")


def _is_url(value: Any) -> bool:
    return isinstance(value, str) and urlsplit(value).scheme in ("http", "https")


def _invalid(description: str) -> SandboxRefusalError:
    return SandboxRefusalError(description, 400, "invalid_client_metadata")
