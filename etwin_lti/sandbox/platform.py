"""``SandboxPlatform``: the state and the protocol steps of the sandbox LMS.

Specs: LTI Core 1.3 (https://www.imsglobal.org/spec/lti/v1p3/), Security Framework 1.0
(https://www.imsglobal.org/spec/security/v1p0/) 5.1.1 third-party initiated login and 4.1
client credentials, Deep Linking 2.0 (https://www.imsglobal.org/spec/lti-dl/v2p0/) 4.5 the
response, Dynamic Registration 1.0 (``etwin_lti.sandbox.dynamic_registration``).

It is stricter than lti1p3platform 0.1.8 where that matters to test a tool honestly
(lti-landscape.md 7.4, item 5): the redirect URI must be registered exactly, ``login_hint``
must be the user whose browser started the launch, the message hint is single use, client
assertions must be addressed to our token endpoint with a fresh ``jti``, and deep-linking
responses must come back to our issuer with the deployment and ``data`` we sent.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode

import jwt
import requests
from lti1p3platform.exceptions import (
    LtiException,
    MissingRequiredClaim,
    PreflightRequestValidationException,
    UnsupportedGrantType,
)
from lti1p3platform.request import Request

from etwin_lti.sandbox.ags import SandboxGradebook
from etwin_lti.sandbox.keys import PlatformKeys
from etwin_lti.sandbox.lti1p3 import (
    DEEP_LINKING_REQUEST,
    RESOURCE_LINK_REQUEST,
    SandboxMessageLaunch,
    SandboxOIDCLogin,
    SandboxPlatformConf,
    sign_rs256,
)
from etwin_lti.sandbox.model import (
    DeepLinkReturn,
    PendingLaunch,
    SandboxContext,
    SandboxHooks,
    SandboxResource,
    SandboxSettings,
    SandboxUser,
    ToolClient,
)

CLIENT_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"
DEPLOYMENT_ID = "https://purl.imsglobal.org/spec/lti/claim/deployment_id"
MESSAGE_TYPE = "https://purl.imsglobal.org/spec/lti/claim/message_type"
PENDING_SECONDS = 600

LaunchService = Callable[[SandboxMessageLaunch, PendingLaunch], None]


class SandboxRefusalError(Exception):
    """The sandbox LMS refuses a request; shown as a page (or OAuth JSON for the token URL)."""

    def __init__(self, message: str, status: int = 400, error: str = "invalid_request") -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.error = error


class SandboxPlatform:
    def __init__(self, settings: SandboxSettings, session: requests.Session | None = None) -> None:
        self.settings = settings
        self.keys: PlatformKeys = settings.keys or PlatformKeys.generate()
        self.issuer = settings.base_url.rstrip("/")
        self.hooks = SandboxHooks()
        # Extension point for NRPS/AGS (a later issue): each adds its claims to a launch.
        self.launch_services: list[LaunchService] = []
        self.session = session or requests.Session()
        self._lock = threading.Lock()
        self._clients: dict[str, ToolClient] = {}
        self._users = {user.id: user for user in settings.users}
        self._contexts = {context.id: context for context in settings.contexts}
        self._resources = {resource.id: resource for resource in settings.resources}
        self._pending: dict[str, PendingLaunch] = {}
        self._deep_link_data: dict[str, PendingLaunch] = {}
        self._registration_tokens: dict[str, bool] = {}  # token -> used
        self._used_jtis: set[str] = set()
        self._next_deployment = 1
        self.deep_link_returns: list[DeepLinkReturn] = []
        self.gradebook = SandboxGradebook(self)  # AGS: line items, scores, faults
        if settings.tool_base_url:
            self.add_client(
                ToolClient.for_tool(
                    settings.tool_base_url,
                    client_id=settings.client_id,
                    deployment_id=settings.deployment_id,
                    share_names=settings.share_names,
                    share_email=settings.share_email,
                )
            )

    # --- addresses ------------------------------------------------------------------------
    @property
    def urls(self) -> dict[str, str]:
        base = self.issuer
        return {
            "issuer": base,
            "index": base + "/",
            "launch": base + "/launch",
            "authorization_endpoint": base + "/auth",
            "jwks_uri": base + "/jwks",
            "token_endpoint": base + "/token",
            "deep_link_return": base + "/deep-link-return",
            "openid_configuration": base + "/.well-known/openid-configuration",
            "registration_endpoint": base + "/register",
            "register_tool": base + "/register-tool",
            "storage": base + "/storage",
        }

    # --- what the LMS contains ------------------------------------------------------------
    def add_client(self, client: ToolClient) -> ToolClient:
        with self._lock:
            self._clients[client.client_id] = client
        return client

    def get_client(self, client_id: str | None = None) -> ToolClient:
        with self._lock:
            if client_id is None:
                if not self._clients:
                    raise SandboxRefusalError("No tool is registered in the sandbox LMS yet.")
                return list(self._clients.values())[0]
            try:
                return self._clients[client_id]
            except KeyError:
                raise SandboxRefusalError(f"No tool with client_id {client_id!r}.") from None

    def clients(self) -> list[ToolClient]:
        with self._lock:
            return list(self._clients.values())

    def add_user(self, user: SandboxUser) -> SandboxUser:
        with self._lock:
            self._users[user.id] = user
        return user

    def get_user(self, user_id: str) -> SandboxUser:
        try:
            return self._users[user_id]
        except KeyError:
            raise SandboxRefusalError(f"No user {user_id!r} in the sandbox LMS.") from None

    def find_user(self, id_or_label: str) -> SandboxUser:
        """By id, or by its button label ("teacher", "pupil"...)."""
        with self._lock:
            for user in self._users.values():
                if id_or_label in (user.id, user.label):
                    return user
        raise SandboxRefusalError(f"No user {id_or_label!r} in the sandbox LMS.")

    def users(self) -> list[SandboxUser]:
        with self._lock:
            return list(self._users.values())

    def add_context(self, context: SandboxContext) -> SandboxContext:
        with self._lock:
            self._contexts[context.id] = context
        return context

    def get_context(self, context_id: str) -> SandboxContext:
        try:
            return self._contexts[context_id]
        except KeyError:
            raise SandboxRefusalError(f"No course {context_id!r} in the sandbox LMS.") from None

    def default_context(self) -> SandboxContext:
        return next(iter(self._contexts.values()))

    def add_resource(self, resource: SandboxResource) -> SandboxResource:
        with self._lock:
            self._resources[resource.id] = resource
        return resource

    def resources(self) -> list[SandboxResource]:
        provided = (
            list(self.settings.resource_provider()) if self.settings.resource_provider else []
        )
        with self._lock:
            return provided + [r for r in self._resources.values() if r not in provided]

    def get_resource(self, resource_id: str) -> SandboxResource:
        for resource in self.resources():
            if resource.id == resource_id:
                return resource
        raise SandboxRefusalError(f"No resource link {resource_id!r} in the sandbox LMS.")

    def resource_for(
        self, etwin_resource: str, context_id: str | None = None, client_id: str | None = None
    ) -> SandboxResource:
        """A resource link whose custom parameter ``etwin_resource`` is the given value, with
        the tool-signed reference of ``settings.reference_for`` when there is one (in custom
        ``etwin_ref`` and in the activity's URL, as the tool's picker answers). Each tool
        registration (client) places its own activity, as an LMS does: an activity belongs to
        the registration whose picker made it."""
        context = context_id or self.default_context().id
        custom = {"etwin_resource": etwin_resource}
        url = None
        client = self.get_client(client_id)
        suffix = "" if client_id is None or client is self.get_client(None) else f"-{client_id}"
        if self.settings.reference_for is not None:
            token = self.settings.reference_for(
                etwin_resource, self.issuer, client.deployment_id, context
            )
            if token:
                custom["etwin_ref"] = token
                url = client.target_link_uri + "?" + urlencode({"etwin_ref": token})
        return self.add_resource(
            SandboxResource(
                id=f"rl-{context}-{etwin_resource.replace(':', '-')}{suffix}",
                title=etwin_resource,
                context_id=context,
                custom=custom,
                kind=etwin_resource.partition(":")[0],
                url=url,
            )
        )

    # --- Security Framework 5.1.1: third-party initiated login ----------------------------
    def start_launch(
        self,
        *,
        user_id: str,
        browser: str,
        client_id: str | None = None,
        resource_id: str | None = None,
        deep_linking: bool = False,
        context_id: str | None = None,
        lti_request: Request | None = None,
        extra_custom: Mapping[str, str] | None = None,
        locale: str | None = None,
    ) -> tuple[str, dict[str, str]]:
        """Remember the launch and return the tool's login URL and its parameters."""
        client = self.get_client(client_id)
        user = self.get_user(user_id)
        resource = None if deep_linking else self.get_resource(resource_id or "")
        if context_id:
            context = self.get_context(context_id)
        elif resource is not None:
            context = self.get_context(resource.context_id)
        else:
            context = self.default_context()
        pending = PendingLaunch(
            hint=secrets.token_urlsafe(16),
            browser=browser,
            client_id=client.client_id,
            user_id=user.id,
            message_type=DEEP_LINKING_REQUEST if deep_linking else RESOURCE_LINK_REQUEST,
            resource_id=resource.id if resource else None,
            context_id=context.id,
            created_at=self.settings.clock(),
            extra_custom=dict(extra_custom or {}),
            # An LMS sends whatever its user picked; the tool must cope. Only the length is kept
            # sane here, so that the sandbox can also send an unsupported or odd tag.
            locale=locale[:35] if locale else None,
        )
        with self._lock:
            self._forget_stale_launches()
            self._pending[pending.hint] = pending
        login = SandboxOIDCLogin(lti_request, self._conf(client))
        login.set_lti_message_hint(hint=pending.hint)
        if deep_linking:
            login.set_deeplinking_launch_url()
        url = login.initiate_login(user.id)
        base, _, query = url.partition("?")
        params = dict(parse_qsl(query, keep_blank_values=True))
        if resource is not None and resource.url:
            params["target_link_uri"] = resource.url  # the activity's own launch URL
        if self.settings.storage_target:
            params["lti_storage_target"] = self.settings.storage_target
        if self.hooks.alter_login_params:
            params = self.hooks.alter_login_params(params)
        return base, params

    # --- OIDC authorization endpoint: answer with the id_token ----------------------------
    def authorize(
        self, params: Mapping[str, str], browser: str | None, lti_request: Request
    ) -> tuple[str, dict[str, str]]:
        """Check the tool's authentication request; return (redirect_uri, form fields)."""
        # A hint names the launch until it expires, as a real LMS's names the activity: a tool
        # may start the same login again (in a new window when its cookies were blocked).
        with self._lock:
            pending = self._pending.get(params.get("lti_message_hint", ""))
        if pending is None:
            raise SandboxRefusalError("Unknown or expired lti_message_hint.", 400)
        client = self.get_client(pending.client_id)
        checks = (
            (params.get("client_id") == client.client_id, "client_id does not match"),
            (params.get("redirect_uri") in client.redirect_uris, "redirect_uri not registered"),
            (params.get("response_type") == "id_token", "response_type must be id_token"),
            (params.get("response_mode") == "form_post", "response_mode must be form_post"),
            ("openid" in params.get("scope", "").split(), "scope must contain openid"),
            (params.get("prompt") in (None, "none"), "prompt must be none"),
            (bool(params.get("nonce")), "nonce is missing"),
            (params.get("login_hint") == pending.user_id, "login_hint is not the user"),
            (browser == pending.browser, "not logged in to the sandbox LMS in this browser"),
            (
                self.settings.clock() - pending.created_at <= PENDING_SECONDS,
                "the login initiation expired",
            ),
        )
        for ok, problem in checks:
            if not ok:
                raise SandboxRefusalError(f"Authentication request refused: {problem}.", 400)
        resource = self.get_resource(pending.resource_id) if pending.resource_id else None
        launch = SandboxMessageLaunch(
            lti_request,
            self._conf(client),
            platform=self,
            client=client,
            pending=pending,
            user=self.get_user(pending.user_id),
            resource=resource,
        )
        if pending.message_type == DEEP_LINKING_REQUEST:
            with self._lock:
                self._deep_link_data[pending.hint] = pending
        try:
            data = launch.lti_launch()
        except PreflightRequestValidationException as error:
            raise SandboxRefusalError("Authentication request refused.", 400) from error
        fields = {"id_token": data["id_token"], "state": data["state"]}
        target = params.get("lti_storage_target")
        if target and target == self.settings.storage_target:  # OIDC with postMessages: echoed
            fields["lti_storage_target"] = target
        return data["launch_url"], fields

    def sign_id_token(self, claims: dict[str, Any], pending: PendingLaunch) -> str:
        if self.hooks.alter_claims:
            claims = self.hooks.alter_claims(claims, pending)
        if self.hooks.encode_id_token:
            return self.hooks.encode_id_token(claims, self.keys)
        return sign_rs256(claims, self.keys)

    # --- Security Framework 4.1: client credentials with a JWT assertion ------------------
    def issue_access_token(self, form: Mapping[str, str]) -> dict[str, Any]:
        if form.get("grant_type") != "client_credentials":
            raise SandboxRefusalError(
                "grant_type must be client_credentials.", 400, "unsupported_grant_type"
            )
        if form.get("client_assertion_type") != CLIENT_ASSERTION_TYPE:
            raise SandboxRefusalError("Unsupported client_assertion_type.", 400, "invalid_client")
        assertion = form.get("client_assertion", "")
        client = self._client_of(assertion, "invalid_client")
        conf = self._conf(client)
        try:
            claims = conf.tool_validate_and_decode(assertion)
        except (LtiException, jwt.PyJWTError, ValueError) as error:
            raise SandboxRefusalError(
                "The client assertion is not valid.", 401, "invalid_client"
            ) from error
        audience = claims.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        jti = str(claims.get("jti") or "")
        problems = (
            (claims.get("sub") == client.client_id, "sub must be the client_id"),
            (self.urls["token_endpoint"] in audiences or self.issuer in audiences, "wrong aud"),
            ("exp" in claims, "exp is missing"),
            (bool(jti), "jti is missing"),
        )
        for ok, problem in problems:
            if not ok:
                raise SandboxRefusalError(
                    f"Client assertion refused: {problem}.", 401, "invalid_client"
                )
        with self._lock:
            if jti in self._used_jtis:
                raise SandboxRefusalError("Client assertion replayed.", 401, "invalid_client")
            self._used_jtis.add(jti)
        requested = form.get("scope", "").split()
        granted = [scope for scope in requested if scope in client.scopes]
        try:
            return dict(conf.get_access_token({**form, "scope": " ".join(granted)}))
        except (MissingRequiredClaim, UnsupportedGrantType, LtiException) as error:
            raise SandboxRefusalError("Token request refused.", 400, "invalid_request") from error

    def check_access_token(self, client_id: str, token: str, scopes: list[str]) -> bool:
        """For the NRPS/AGS endpoints of a later issue: is this bearer token good for scopes?"""
        conf = self._conf(self.get_client(client_id))
        try:
            return conf.validate_token(token, allowed_scopes=scopes)
        except (LtiException, jwt.PyJWTError) as error:
            raise SandboxRefusalError("Invalid access token.", 401, "invalid_token") from error

    # --- Deep Linking 2.0, 4.5: the tool's response ---------------------------------------
    def receive_deep_link(self, token: str) -> DeepLinkReturn:
        client = self._client_of(token, "invalid_request")
        conf = self._conf(client)
        try:
            claims = conf.tool_validate_and_decode(token)
        except (LtiException, jwt.PyJWTError, ValueError) as error:
            raise SandboxRefusalError(
                "The deep-linking response is not signed by the tool."
            ) from error
        audience = claims.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        with self._lock:
            pending = self._deep_link_data.pop(str(claims.get(DL + "data", "")), None)
        checks = (
            (claims.get(MESSAGE_TYPE) == "LtiDeepLinkingResponse", "wrong message type"),
            (self.issuer in audiences, "aud is not this platform"),
            (claims.get(DEPLOYMENT_ID) == client.deployment_id, "wrong deployment_id"),
            (bool(claims.get("nonce")), "nonce is missing"),
            (pending is not None and pending.client_id == client.client_id, "data not echoed"),
        )
        for ok, problem in checks:
            if not ok:
                raise SandboxRefusalError(f"Deep-linking response refused: {problem}.")
        assert pending is not None
        items = tuple(claims.get(DL + "content_items") or ())
        if any(
            not isinstance(item, dict) or item.get("type") != "ltiResourceLink" for item in items
        ):
            raise SandboxRefusalError("Deep-linking response refused: only ltiResourceLink items.")
        for item in items:
            self._place_resource_link(item, pending)
        result = DeepLinkReturn(
            client_id=client.client_id,
            deployment_id=client.deployment_id,
            user_id=pending.user_id,
            context_id=pending.context_id,
            items=items,
            msg=claims.get(DL + "msg"),
            errormsg=claims.get(DL + "errormsg"),
            received_at=datetime.fromtimestamp(self.settings.clock(), UTC),
        )
        with self._lock:
            self.deep_link_returns.append(result)
        return result

    def _place_resource_link(self, item: Mapping[str, Any], pending: PendingLaunch) -> None:
        """Like Moodle, turn a returned ltiResourceLink into an activity one can launch."""
        custom = {str(k): str(v) for k, v in (item.get("custom") or {}).items()}
        with self._lock:
            number = len(self._resources) + 1
        self.add_resource(
            SandboxResource(
                id=f"dl-{number}",
                title=str(item.get("title") or f"Deep-linked activity {number}"),
                context_id=pending.context_id,
                custom=custom,
                kind=custom.get("etwin_resource", "").partition(":")[0],
                url=str(item["url"]) if isinstance(item.get("url"), str) else None,
            )
        )

    # --- dynamic registration tokens ------------------------------------------------------
    def new_registration_token(self) -> str:
        token = secrets.token_urlsafe(24)
        with self._lock:
            self._registration_tokens[token] = False
        return token

    def use_registration_token(self, token: str) -> None:
        """Single use, like Moodle's (``token_already_used``)."""
        with self._lock:
            if self._registration_tokens.get(token) is not False:
                raise SandboxRefusalError(
                    "Invalid or used registration token.", 401, "invalid_token"
                )
            self._registration_tokens[token] = True

    def registration_token_usable(self, token: str) -> bool:
        with self._lock:
            return self._registration_tokens.get(token) is False

    def next_deployment_id(self) -> str:
        with self._lock:
            number = self._next_deployment
            self._next_deployment += 1
        return str(number)

    def registration_url(self, tool_url: str) -> str:
        """Where the browser goes to start a dynamic registration (DR 1.0, 3.3)."""
        params = {
            "openid_configuration": self.urls["openid_configuration"],
            "registration_token": self.new_registration_token(),
        }
        return tool_url + ("&" if "?" in tool_url else "?") + urlencode(params)

    # --- helpers --------------------------------------------------------------------------
    def _conf(self, client: ToolClient) -> SandboxPlatformConf:
        return SandboxPlatformConf(
            issuer=self.issuer,
            client=client,
            keys=self.keys,
            session=self.session,
            timeout=self.settings.http_timeout_seconds,
        )

    def _client_of(self, token: str, error: str) -> ToolClient:
        try:
            unverified = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError as exc:
            raise SandboxRefusalError("Not a JWT.", 400, error) from exc
        client_id = str(unverified.get("iss") or "")
        with self._lock:
            client = self._clients.get(client_id)
        if client is None:
            raise SandboxRefusalError(f"Unknown tool client {client_id!r}.", 401, error)
        return client

    def _forget_stale_launches(self) -> None:
        horizon = self.settings.clock() - PENDING_SECONDS
        for hint in [h for h, p in self._pending.items() if p.created_at < horizon]:
            del self._pending[hint]
