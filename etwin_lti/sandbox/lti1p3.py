"""Adapters between the sandbox and lti1p3platform 0.1.8 (lti-landscape.md 7.2), with its bugs
worked around (7.4):

- the README forgets ``set_iss()`` which ``prepare_preflight_url`` asserts: we always set it;
- query values reach the NRPS/AGS handlers as strings (``page + 1`` fails): ``page`` and
  ``limit`` are cast to int in ``FlaskLtiRequest``;
- ``fetch_public_key`` uses a bare ``requests.get``: ours goes through the injected session;
- ``validate_preflight_response`` does not check ``redirect_uri`` against the registration, the
  id_token is signed with ``time.time()``: ``SandboxPlatform`` checks the redirect URI exactly
  before the launch, and ``SandboxMessageLaunch`` signs with the platform's clock and hooks.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import jwt
import requests
from flask import Request as FlaskRequest
from lti1p3platform.exceptions import LtiException
from lti1p3platform.ltiplatform import JWKS, LTI1P3PlatformConfAbstract
from lti1p3platform.message_launch import LaunchData, LTIAdvantageMessageLaunchAbstract
from lti1p3platform.oidc_login import OIDCLoginAbstract
from lti1p3platform.registration import Registration
from lti1p3platform.request import Request, TRequest

from etwin_lti.sandbox.keys import PlatformKeys
from etwin_lti.sandbox.model import PendingLaunch, SandboxResource, SandboxUser, ToolClient

if TYPE_CHECKING:
    from etwin_lti.sandbox.platform import SandboxPlatform

MESSAGE_TYPE = "https://purl.imsglobal.org/spec/lti/claim/message_type"
DEEP_LINKING_SETTINGS = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"
TOOL_PLATFORM = "https://purl.imsglobal.org/spec/lti/claim/tool_platform"
RESOURCE_LINK_REQUEST = "LtiResourceLinkRequest"
DEEP_LINKING_REQUEST = "LtiDeepLinkingRequest"


class FlaskLtiRequest(Request):
    """lti1p3platform's request interface over the current Flask request."""

    def build_metadata(self, request: FlaskRequest) -> TRequest:
        get_data: dict[str, Any] = request.args.to_dict()
        for name in ("page", "limit"):  # 7.4 bug 3: the library adds to them
            if name in get_data and str(get_data[name]).isdigit():
                get_data[name] = int(get_data[name])
        return {
            "method": request.method,
            "form_data": request.form.to_dict(),
            "get_data": get_data,
            "headers": dict(request.headers),
            "content_type": request.content_type,
            "path": request.path,
            "json": request.get_json(silent=True),
        }


class LoadedKeyRegistration(Registration):
    """lti1p3platform's registration signing with the already-loaded key.

    The library passes its "private key" straight to PyJWT (which takes a key object as well as
    a PEM), but derives the kid from the private PEM at every signature; the kid is known.
    """

    def __init__(self, keys: PlatformKeys) -> None:
        super().__init__()
        self._kid = keys.kid
        self.set_platform_public_key(keys.public_pem)
        self.set_platform_private_key(keys.private_key)

    def get_kid(self) -> str:
        return self._kid


class SandboxPlatformConf(LTI1P3PlatformConfAbstract):
    """One tool client's registration, as lti1p3platform wants it."""

    def init_platform_config(self, **kwargs: Any) -> None:
        client: ToolClient = kwargs["client"]
        keys: PlatformKeys = kwargs["keys"]
        self._session: requests.Session = kwargs["session"]
        self._timeout: float = kwargs["timeout"]
        self._registration = (
            LoadedKeyRegistration(keys)
            .set_iss(kwargs["issuer"])  # 7.4 bug 1
            .set_client_id(client.client_id)
            .set_deployment_id(client.deployment_id)
            .set_oidc_login_url(client.initiate_login_uri)
            .set_launch_url(client.target_link_uri)
            .set_deeplink_launch_url(client.deep_link_uri or client.target_link_uri)
            .set_tool_key_set_url(client.jwks_uri)
        )

    def get_registration_by_params(self, **kwargs: Any) -> Registration:
        assert self._registration is not None
        return self._registration

    def fetch_public_key(self, key_set_url: str) -> JWKS:
        try:
            response = self._session.get(key_set_url, timeout=self._timeout)
            response.raise_for_status()
            keys: JWKS = response.json()
        except (requests.RequestException, ValueError) as error:
            raise LtiException(f"The tool's key set {key_set_url} could not be read.") from error
        return keys


class SandboxOIDCLogin(OIDCLoginAbstract):
    """Login initiation (Security Framework 5.1.1): builds the URL, the view sends the browser."""

    def set_lti_message_hint(self, **kwargs: Any) -> None:
        self._lti_message_hint = kwargs["hint"]

    def get_redirect(self, url: str) -> str:
        return url


class SandboxMessageLaunch(LTIAdvantageMessageLaunchAbstract):
    """The authorization response: the id_token of a resource-link or deep-linking request."""

    def __init__(
        self,
        request: Request,
        platform_config: SandboxPlatformConf,
        *,
        platform: SandboxPlatform,
        client: ToolClient,
        pending: PendingLaunch,
        user: SandboxUser,
        resource: SandboxResource | None,
    ) -> None:
        super().__init__(request, platform_config)
        self._platform = platform
        self._client = client
        self._pending = pending
        self._user = user
        self._resource = resource
        self.set_id_token_expiration(platform.settings.id_token_seconds)

    def prepare_launch(self, preflight_response: dict[str, Any]) -> None:
        user, client, platform = self._user, self._client, self._platform
        self.set_user_data(
            user.id,
            list(user.roles),
            full_name=user.name if client.share_names else None,
            email_address=user.email if client.share_email else None,
        )
        if client.share_names:
            self.set_extra_claims({"given_name": user.given_name, "family_name": user.family_name})
        context = platform.get_context(self._pending.context_id)
        self.set_launch_context_claim(
            context.id,
            context_types=[
                "http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering",
            ],
            context_title=context.title,
            context_label=context.label,
        )
        self.set_launch_presentation_claim("iframe", return_url=platform.urls["index"])
        if self._pending.locale:  # lti1p3platform's setter has no locale argument
            for presentation in self.lti_claim_launch_presentation.values():
                presentation["locale"] = self._pending.locale
        self.set_extra_claims(
            {
                TOOL_PLATFORM: {
                    "guid": platform.issuer,
                    "name": platform.settings.product_name,
                    "product_family_code": "etwin-sandbox",
                    "version": "1",
                }
            }
        )
        custom = dict(client.custom_parameters)
        if self._resource is not None:
            self.set_resource_link_claim(self._resource.id, title=self._resource.title)
            custom.update(self._resource.custom)
        custom.update(self._pending.extra_custom)
        if custom:
            self.set_custom_parameters_claim(substitute_variables(custom, user))
        if self._pending.message_type == DEEP_LINKING_REQUEST:
            self.set_dl(
                platform.urls["deep_link_return"],
                title="Add an eTwinning activity",
                description=f"to {context.title}",
                accept_types={"ltiResourceLink"},
                extra_data=self._pending.hint,  # DL 2.0: a string
            )
        for add_service_claims in platform.launch_services:
            add_service_claims(self, self._pending)

    def generate_launch_request(self) -> LaunchData:
        assert self._registration is not None
        deep_linking = self._pending.message_type == DEEP_LINKING_REQUEST
        if deep_linking:
            self.set_launch_url(self._client.deep_link_uri or self._client.target_link_uri)
        elif self._resource is not None and self._resource.url:
            self.set_launch_url(self._resource.url)  # target_link_uri: the activity's URL
        claims, state = self.get_launch_data()
        if deep_linking:
            claims[MESSAGE_TYPE] = DEEP_LINKING_REQUEST
            claims.update(self._deep_linking_launch_data or {})
        else:
            claims.pop(DEEP_LINKING_SETTINGS, None)
        now = int(self._platform.settings.clock())
        claims.update({"iat": now, "exp": now + self.id_token_expiration})
        return {"state": state, "id_token": self._platform.sign_id_token(claims, self._pending)}

    def render_launch_form(self, launch_data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        return launch_data


# LTI Core 1.3, appendix C: the substitution variables the sandbox knows. Unknown ones pass
# through unchanged, as the spec requires.
def substitute_variables(custom: dict[str, str], user: SandboxUser) -> dict[str, str]:
    known = {"$User.id": user.id, "$Person.address.country": user.country}
    return {key: known.get(value) or value for key, value in custom.items()}


def sign_rs256(claims: dict[str, Any], keys: PlatformKeys) -> str:
    return jwt.encode(claims, keys.private_key, algorithm="RS256", headers={"kid": keys.kid})
