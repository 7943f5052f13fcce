"""What a platform needs to know about the tool: its URLs and the values of Moodle's manual
"Configure a tool manually" form, served at ``/lti/config.json`` and printed in the README.

Sources: LTI Core 1.3 (https://www.imsglobal.org/spec/lti/v1p3/) 4 "Tool configuration";
Security Framework 1.0 5.1.1 (login initiation URL, redirect URIs) and 6.3 (key set URL);
Moodle's ``mod/lti`` form (reference/lti-landscape.md section 5: redirect URIs matched exactly,
so the resource choice travels in custom parameters, never in query strings).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from etwin_lti.lti import claims

TOOL_NAME = "eTwinning"
TOOL_DESCRIPTION = (
    "eTwinning TwinSpaces, Learning Events and the distance training course inside your course."
)
AGS_SCOPES = (
    claims.SCOPE_AGS_LINEITEM,
    claims.SCOPE_AGS_LINEITEM_READONLY,
    claims.SCOPE_AGS_RESULT_READONLY,
    claims.SCOPE_AGS_SCORE,
)
SERVICE_SCOPES = (*AGS_SCOPES, claims.SCOPE_NRPS)
# Tool-level custom parameters, all optional. A teacher may use the tool without a country;
# eTwinning needs it only to found or join a project and to apply for a label, and LTI
# variable substitution (LTI Core 1.3, appendix C) lets the platform fill it in so the teacher
# does not have to. The resource itself (etwin_resource) is set per activity by deep linking.
CUSTOM_PARAMETERS = {"etwin_country": "$Person.address.country"}
CUSTOM_PARAMETER_NOTES = {
    "etwin_country": (
        "optional: lets teachers found projects without setting their country by hand"
    )
}


@dataclass(frozen=True)
class ToolUrls:
    base_url: str
    login: str  # OIDC third-party initiated login
    launch: str  # the only redirect URI, also the target link and deep-linking URL
    jwks: str
    register: str  # dynamic registration initiation
    config: str

    @property
    def domain(self) -> str:
        return urlsplit(self.base_url).netloc

    @property
    def redirect_uris(self) -> tuple[str, ...]:
        return (self.launch,)


def tool_urls(base_url: str) -> ToolUrls:
    base = base_url.rstrip("/")
    return ToolUrls(
        base_url=base,
        login=base + "/lti/login",
        launch=base + "/lti/launch",
        jwks=base + "/.well-known/jwks.json",
        register=base + "/lti/register",
        config=base + "/lti/config.json",
    )


def shared_claims(store_pupil_names: bool) -> list[str]:
    """The identity claims the tool asks for: never e-mail; names only when configured."""
    names = [claims.GIVEN_NAME, claims.FAMILY_NAME, claims.NAME] if store_pupil_names else []
    return [claims.ISS, claims.SUB, *names]


def manual_configuration(base_url: str, *, store_pupil_names: bool) -> dict[str, Any]:
    """Every value of Moodle's "Configure a tool manually" form, plus the generic LTI names."""
    urls = tool_urls(base_url)
    share_names = "Always" if store_pupil_names else "Never"
    return {
        "title": TOOL_NAME,
        "description": TOOL_DESCRIPTION,
        "lti_version": "LTI 1.3",
        "urls": {
            "tool_url": urls.launch,
            "initiate_login_url": urls.login,
            "redirection_uris": list(urls.redirect_uris),
            "target_link_uri": urls.launch,
            "content_selection_url": urls.launch,
            "public_keyset_url": urls.jwks,
            "dynamic_registration_url": urls.register + "?invite=<etwin-lti platform invite>",
        },
        "domain": urls.domain,
        "public_key_type": "Keyset URL",
        "custom_parameters": dict(CUSTOM_PARAMETERS),
        "custom_parameter_notes": dict(CUSTOM_PARAMETER_NOTES),
        "per_activity_custom_parameters": {
            "etwin_resource": "twinspace:<id> | event:<id> | unit:<id> (set by deep linking)"
        },
        "claims": shared_claims(store_pupil_names),
        "scopes": list(SERVICE_SCOPES),
        "messages": [claims.RESOURCE_LINK_REQUEST, claims.DEEP_LINKING_REQUEST],
        "moodle": {
            "Tool name": TOOL_NAME,
            "Tool URL": urls.launch,
            "Tool description": TOOL_DESCRIPTION,
            "LTI version": "LTI 1.3",
            "Public key type": "Keyset URL",
            "Public keyset": urls.jwks,
            "Initiate login URL": urls.login,
            "Redirection URI(s)": "\n".join(urls.redirect_uris),
            "Custom parameters": "\n".join(f"{k}={v}" for k, v in CUSTOM_PARAMETERS.items()),
            "Tool configuration usage": "Show in activity chooser and as a preconfigured tool",
            "Default launch container": "Embed, without blocks",
            "Supports Deep Linking (Content-Item Message)": True,
            "Content Selection URL": urls.launch,
            "IMS LTI Assignment and Grade Services": (
                "Use this service for grade sync and column management"
            ),
            "IMS LTI Names and Role Provisioning": (
                "Use this service to retrieve members' information as per privacy settings"
            ),
            "Tool Settings": "Do not use this service",
            "Share launcher's name with tool": share_names,
            "Share launcher's email with tool": "Never",
            "Accept grades from the tool": "Always",
            "Force SSL": True,
        },
    }
