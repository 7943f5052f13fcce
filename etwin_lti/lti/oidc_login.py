"""OIDC third-party initiated login, the first leg of every LTI 1.3 launch.

Security Framework 1.0, section 5.1.1 (https://www.imsglobal.org/spec/security/v1p0/#step-1-third-party-initiated-login)
and LTI Core 1.3, section 4.1 (https://www.imsglobal.org/spec/lti/v1p3/#additional-login-parameters):
the platform sends ``iss``, ``login_hint`` and ``target_link_uri`` (plus optional
``lti_message_hint``, ``lti_deployment_id`` and ``client_id``) by GET or POST; the tool answers
with an authentication request to the platform (section 5.1.1.2) carrying a fresh ``state`` and
``nonce``. Sans-IO: plain mappings in, plain data out; randomness is passed in.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

from etwin_lti.lti.errors import InvalidLoginError

REQUIRED = ("iss", "login_hint", "target_link_uri")
OPTIONAL = ("lti_message_hint", "lti_deployment_id", "client_id")
MAX_PARAM_LENGTH = 2048  # a hint or URL longer than this is not a real platform's


@dataclass(frozen=True)
class LoginInitiation:
    iss: str
    login_hint: str
    target_link_uri: str
    lti_message_hint: str | None = None
    lti_deployment_id: str | None = None
    client_id: str | None = None


def parse_login_initiation(
    params: Mapping[str, str], *, tool_base_url: str | None = None
) -> LoginInitiation:
    """Validate the platform's login initiation. With ``tool_base_url``, ``target_link_uri``
    must point at this tool (same scheme and host), so the login cannot be used to bounce a
    browser elsewhere."""
    errors: dict[str, list[str]] = {}
    values: dict[str, str | None] = {}
    for name in REQUIRED + OPTIONAL:
        value = (params.get(name) or "").strip()
        if not value:
            if name in REQUIRED:
                errors[name] = ["is required"]
            values[name] = None
        elif len(value) > MAX_PARAM_LENGTH:
            errors[name] = [f"is longer than {MAX_PARAM_LENGTH} characters"]
        else:
            values[name] = value
    target = values.get("target_link_uri")
    if target and tool_base_url and not _same_origin(target, tool_base_url):
        errors["target_link_uri"] = ["does not point at this tool"]
    if errors:
        missing = ", ".join(sorted(errors))
        raise InvalidLoginError(
            f"The LMS started the login with missing or wrong parameters: {missing}.",
            errors=errors,
        )
    return LoginInitiation(
        iss=str(values["iss"]),
        login_hint=str(values["login_hint"]),
        target_link_uri=str(values["target_link_uri"]),
        lti_message_hint=values["lti_message_hint"],
        lti_deployment_id=values["lti_deployment_id"],
        client_id=values["client_id"],
    )


def _same_origin(url: str, base: str) -> bool:
    a, b = urlsplit(url), urlsplit(base)
    return (a.scheme, a.netloc.lower()) == (b.scheme, b.netloc.lower())


def authentication_request_params(
    initiation: LoginInitiation,
    *,
    client_id: str,
    redirect_uri: str,
    state: str,
    nonce: str,
) -> dict[str, str]:
    """The authentication request of section 5.1.1.2, sent as a top-level GET redirect
    (Moodle 4.5+ keeps its session cookie SameSite=Lax, so a cross-site POST would lose it)."""
    params = {
        "scope": "openid",
        "response_type": "id_token",
        "response_mode": "form_post",
        "prompt": "none",
        "client_id": client_id,
        "redirect_uri": redirect_uri,
        "login_hint": initiation.login_hint,
        "state": state,
        "nonce": nonce,
    }
    if initiation.lti_message_hint is not None:
        params["lti_message_hint"] = initiation.lti_message_hint
    return params


def authentication_request_url(auth_login_url: str, params: Mapping[str, str]) -> str:
    """Append the parameters to the platform's endpoint, keeping any query it already has."""
    separator = "&" if urlsplit(auth_login_url).query else "?"
    return auth_login_url + separator + urlencode(params)
