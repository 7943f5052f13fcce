"""LTI Dynamic Registration 1.0, tool side (https://www.imsglobal.org/spec/lti-dr/v1p0), sans-IO.

- 3.3 the registration initiation request carries ``openid_configuration`` (and, optionally,
  ``registration_token``);
- 3.4/3.5 the platform's OpenID configuration: its ``issuer`` MUST match the configuration URL
  (we require the same scheme and host, and the URL to start with the issuer);
- 3.5/3.6 the client registration request (OpenID Connect Dynamic Client Registration 1.0 with
  the ``https://purl.imsglobal.org/spec/lti-tool-configuration`` claim) and its answer, which
  carries ``client_id`` and, in the tool configuration, the ``deployment_id``;
- 3.7 closing the platform's window with ``{subject: "org.imsglobal.lti.close"}``.

Privacy (DESIGN.md): the tool never asks for e-mail; names only when ``store_pupil_names``.
Moodle's required fields and scope mapping: domain-facts.md 3.11.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from etwin_lti.domain.registration_rules import identifier_problem, url_problem
from etwin_lti.domain.translatable import N_
from etwin_lti.errors import RegistrationError, RemoteServiceError
from etwin_lti.lti import claims
from etwin_lti.lti.tool_configuration import (
    CUSTOM_PARAMETERS,
    SERVICE_SCOPES,
    TOOL_DESCRIPTION,
    TOOL_NAME,
    shared_claims,
    tool_urls,
)

TOOL_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-tool-configuration"
PLATFORM_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-platform-configuration"
CLOSE_MESSAGE = {"subject": "org.imsglobal.lti.close"}
REQUIRED_PLATFORM_URLS = (
    "authorization_endpoint",
    "token_endpoint",
    "jwks_uri",
    "registration_endpoint",
)


class PlatformConfigurationError(RegistrationError):
    """The platform's OpenID configuration (or its URL) cannot be used."""

    error = "invalid_platform_configuration"
    description = N_("The LMS's registration details could not be used.")
    who_can_fix = N_("your LMS administrator (check the LMS's LTI settings, then try again)")


class RegistrationRefusedError(RemoteServiceError):
    """The platform answered the registration request with an error or an unusable answer."""

    error = "registration_refused_by_platform"
    description = N_("The LMS refused to register the eTwinning tool.")
    who_can_fix = N_("your LMS administrator (try again; check the LMS's logs)")


@dataclass(frozen=True)
class PlatformConfiguration:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    registration_endpoint: str
    product_family_code: str | None = None


@dataclass(frozen=True)
class RegisteredClient:
    client_id: str
    deployment_id: str | None


def check_configuration_url(url: str, *, allow_loopback_http: bool) -> None:
    if not url:
        raise PlatformConfigurationError(
            "The LMS did not send its configuration address (openid_configuration).",
            errors={"openid_configuration": ["is required"]},
        )
    problem = url_problem(url)
    if problem is None and not allow_loopback_http and urlsplit(url).scheme != "https":
        problem = "must be an https:// URL"
    if problem:
        raise PlatformConfigurationError(
            "The LMS's configuration address is not acceptable.",
            errors={"openid_configuration": [problem]},
        )


def parse_platform_configuration(
    document: Any, configuration_url: str, *, allow_loopback_http: bool
) -> PlatformConfiguration:
    """Check the document the configuration URL returned (DR 1.0, 3.4 and 3.5)."""
    if not isinstance(document, Mapping):
        raise PlatformConfigurationError(N_("The LMS's configuration is not a JSON object."))
    issuer = document.get("issuer")
    errors: dict[str, list[str]] = {}
    if not isinstance(issuer, str) or not issuer:
        errors["issuer"] = ["is required"]
    elif not _issuer_matches(issuer, configuration_url):
        raise PlatformConfigurationError(
            "The LMS's issuer does not match the address its configuration came from.",
            errors={"issuer": [f"{issuer} does not match {configuration_url}"]},
        )
    for field in ("issuer", *REQUIRED_PLATFORM_URLS):
        value = document.get(field)
        if field in errors:
            continue
        problem = url_problem(value) if isinstance(value, str) else "is required"
        if problem is None and not allow_loopback_http and not str(value).startswith("https:"):
            problem = "must be an https:// URL"
        if problem:
            errors[field] = [problem]
    for field, needed in (
        ("token_endpoint_auth_methods_supported", "private_key_jwt"),
        ("id_token_signing_alg_values_supported", "RS256"),
    ):
        supported = document.get(field)
        if supported is not None and needed not in supported:
            errors[field] = [f"does not include {needed}"]
    if errors:
        raise PlatformConfigurationError(
            "The LMS's configuration is missing required values.", errors=errors
        )
    platform_claim = document.get(PLATFORM_CONFIGURATION)
    product = (
        platform_claim.get("product_family_code") if isinstance(platform_claim, Mapping) else None
    )
    return PlatformConfiguration(
        issuer=str(issuer),
        authorization_endpoint=str(document["authorization_endpoint"]),
        token_endpoint=str(document["token_endpoint"]),
        jwks_uri=str(document["jwks_uri"]),
        registration_endpoint=str(document["registration_endpoint"]),
        product_family_code=str(product)[:100] if product else None,
    )


def _issuer_matches(issuer: str, configuration_url: str) -> bool:
    issuer_parts, url_parts = urlsplit(issuer), urlsplit(configuration_url)
    return (
        issuer_parts.scheme == url_parts.scheme
        and issuer_parts.netloc == url_parts.netloc
        and configuration_url.startswith(issuer.rstrip("/"))
    )


def client_registration(base_url: str, *, store_pupil_names: bool) -> dict[str, Any]:
    """The OpenID client registration request the tool POSTs (DR 1.0, 3.5.1 and 3.6.2)."""
    urls = tool_urls(base_url)
    return {
        "application_type": "web",
        "response_types": ["id_token"],
        "grant_types": ["implicit", "client_credentials"],
        "initiate_login_uri": urls.login,
        "redirect_uris": list(urls.redirect_uris),
        "client_name": TOOL_NAME,
        "jwks_uri": urls.jwks,
        "token_endpoint_auth_method": "private_key_jwt",
        "scope": " ".join(SERVICE_SCOPES),
        TOOL_CONFIGURATION: {
            "domain": urls.domain,
            "description": TOOL_DESCRIPTION,
            "target_link_uri": urls.launch,
            "claims": shared_claims(store_pupil_names),
            "custom_parameters": dict(CUSTOM_PARAMETERS),
            "messages": [
                {"type": claims.RESOURCE_LINK_REQUEST, "target_link_uri": urls.launch},
                {
                    "type": claims.DEEP_LINKING_REQUEST,
                    "target_link_uri": urls.launch,
                    "label": "Add an eTwinning activity",
                },
            ],
        },
    }


def parse_registration_response(document: Any) -> RegisteredClient:
    """The platform's answer (DR 1.0, 3.6.2): a ``client_id`` and perhaps a deployment."""
    if not isinstance(document, Mapping):
        raise RegistrationRefusedError(N_("The LMS's answer to the registration is not JSON."))
    client_id = document.get("client_id")
    if not isinstance(client_id, str) or identifier_problem(client_id):
        raise RegistrationRefusedError(N_("The LMS's answer to the registration has no client_id."))
    config = document.get(TOOL_CONFIGURATION)
    deployment = config.get("deployment_id") if isinstance(config, Mapping) else None
    if deployment is not None:
        deployment = str(deployment)
        if identifier_problem(deployment):
            raise RegistrationRefusedError(
                "The LMS's answer to the registration has an invalid deployment_id."
            )
    return RegisteredClient(client_id=client_id, deployment_id=deployment)


def platform_name(configuration: PlatformConfiguration) -> str:
    host = urlsplit(configuration.issuer).netloc
    product = configuration.product_family_code
    return f"{product} at {host}" if product else host
