"""The sandbox LMS's HTTP endpoints, as a blueprint (mounted at its base URL's path).

GET  /                              the LMS page: launch buttons, tools, deep-link results
GET|POST /launch                    start a launch (user, resource | etwin_resource,
                                    message=resource|deeplink, client_id, method=get|post)
GET|POST /auth                      OIDC authorization endpoint -> auto-posted id_token
GET  /jwks                          platform JWKS
POST /token                         OAuth 2 client credentials (JWT assertion)
POST /deep-link-return              Deep Linking 2.0 response
GET  /gradebook, /ags/...           AGS 2.0 line items and scores (``etwin_lti.sandbox.ags``)
GET  /.well-known/openid-configuration   Dynamic Registration 1.0 platform configuration
POST /register                      Dynamic Registration 1.0 registration endpoint
GET  /register-tool?url=...         send the browser to a tool's registration URL
GET  /nrps/<context>/memberships    NRPS 2.0 membership container (etwin_lti.sandbox.nrps)
GET  /roster                        the courses' rosters, as NRPS serves them
GET  /storage                       the LMS page's storage frame (LTI client-side postMessages)
"""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import urlencode, urlsplit

from flask import Blueprint, Response, current_app, jsonify, redirect, render_template, request
from flask.typing import ResponseReturnValue
from werkzeug.wrappers import Response as BaseResponse

from etwin_lti.sandbox.ags import register_ags_routes
from etwin_lti.sandbox.dynamic_registration import openid_configuration, register_client
from etwin_lti.sandbox.lti1p3 import FlaskLtiRequest
from etwin_lti.sandbox.model import ROLE_NOTES
from etwin_lti.sandbox.platform import SandboxPlatform, SandboxRefusalError

JSON_ENDPOINTS = {"sandbox.token", "sandbox.register", "sandbox.openid_configuration"}


# The launch languages the sandbox offers: the tool's three, and one it does not have (German
# falls back to English). Any other tag can be sent with ?locale=... on the sandbox page.
LAUNCH_LOCALES = (
    ("", "the browser's"),
    ("en", "English"),
    ("es", "Español"),
    ("fr", "Français"),
    ("de", "Deutsch"),
)


def create_sandbox_blueprint(platform: SandboxPlatform) -> Blueprint:
    prefix = urlsplit(platform.issuer).path.rstrip("/")
    bp = Blueprint("sandbox", __name__, template_folder="templates", url_prefix=prefix or None)

    @bp.record_once
    def _remember(state: Any) -> None:
        state.app.extensions["sandbox"] = platform

    @bp.errorhandler(SandboxRefusalError)
    def _refused(error: SandboxRefusalError) -> ResponseReturnValue:
        if request.endpoint in JSON_ENDPOINTS:
            body = {"error": error.error, "error_description": error.message}
            return jsonify(body), error.status
        return render_template("sandbox/refused.html", message=error.message), error.status

    register_ags_routes(bp, platform.gradebook)

    @bp.get("/")
    def index() -> str:
        return render_template(
            "sandbox/index.html",
            platform=platform,
            locale=request.args.get("locale", "")[:35],
            locales=LAUNCH_LOCALES,
            resources=platform.resources(),
            launch_users=[u for u in platform.users() if u.label],
            role_notes=ROLE_NOTES,
        )

    tool = platform.settings.tool_base_url
    offers_storage_across_sites = bool(platform.settings.storage_target) and (
        tool is None or _origin(tool) != _origin(platform.issuer)
    )

    @bp.route("/launch", methods=["GET", "POST"])
    def launch() -> ResponseReturnValue:
        values = request.values
        user = platform.find_user(values.get("user", "teacher"))
        deep_linking = values.get("message") == "deeplink"
        resource_id = values.get("resource")
        if not deep_linking and not resource_id and values.get("etwin_resource"):
            resource_id = platform.resource_for(
                values["etwin_resource"], values.get("context"), values.get("client_id") or None
            ).id
        browser = request.cookies.get(platform.settings.cookie_name) or secrets.token_urlsafe(16)
        url, params = platform.start_launch(
            user_id=user.id,
            browser=browser,
            client_id=values.get("client_id") or None,
            resource_id=resource_id,
            deep_linking=deep_linking,
            context_id=values.get("context") or None,
            lti_request=FlaskLtiRequest(request),
            extra_custom={
                k.removeprefix("custom_"): v for k, v in values.items() if k.startswith("custom_")
            },
            locale=values.get("locale") or None,
        )
        response: BaseResponse
        if values.get("method", "get") == "post":
            response = Response(render_template("sandbox/autopost.html", action=url, fields=params))
        else:
            response = redirect(url + "?" + urlencode(params))
        https = platform.issuer.startswith("https://")
        # Like Moodle >= 4.5 the session cookie is Lax: the tool must come back to /auth by a
        # redirect of the LMS's own navigation. Offering storage, the LMS lets the tool's login
        # page send the frame on (a navigation the tool starts, which carries no Lax cookie), so
        # its cookie is SameSite=None, as platforms that offer storage have it (Secure: https,
        # or loopback http, which browsers allow). Inside the tool (--demo) the navigation is
        # same-site and Lax is enough.
        relaxed = offers_storage_across_sites and (https or _is_loopback(platform.issuer))
        response.set_cookie(
            platform.settings.cookie_name,
            browser,
            path=prefix or "/",
            httponly=True,
            samesite="None" if relaxed else "Lax",
            secure=https or relaxed,
        )
        return response

    @bp.route("/auth", methods=["GET", "POST"])
    def auth() -> str:
        lti_request = FlaskLtiRequest(request)
        params = {**lti_request.form_data, **lti_request.get_data}
        browser = request.cookies.get(platform.settings.cookie_name)
        action, fields = platform.authorize(params, browser, lti_request)
        return render_template("sandbox/autopost.html", action=action, fields=fields)

    @bp.get("/storage")
    def storage() -> str:
        return render_template("sandbox/storage.html")

    @bp.get("/jwks")
    def jwks() -> Response:
        return jsonify(platform.keys.jwks())

    @bp.post("/token")
    def token() -> Response:
        response = jsonify(platform.issue_access_token(request.form.to_dict()))
        response.headers["Cache-Control"] = "no-store"
        return response

    @bp.post("/deep-link-return")
    def deep_link_return() -> str:
        result = platform.receive_deep_link(request.form.get("JWT", ""))
        return render_template("sandbox/deep_link_result.html", result=result, platform=platform)

    @bp.get("/.well-known/openid-configuration")
    def openid_configuration_view() -> ResponseReturnValue:
        configuration = openid_configuration(platform)
        if platform.hooks.alter_openid_configuration:
            return platform.hooks.alter_openid_configuration(configuration)
        return jsonify(configuration)

    @bp.post("/register")
    def register() -> ResponseReturnValue:
        answer = register_client(
            platform, request.headers.get("Authorization"), request.get_json(silent=True)
        )
        if platform.hooks.alter_registration_response:
            return platform.hooks.alter_registration_response(answer)
        return jsonify(answer)

    from etwin_lti.sandbox.nrps import install_nrps

    install_nrps(bp, platform)  # NRPS 2.0 routes, the roster page and the launch claim

    @bp.get("/register-tool")
    def register_tool() -> ResponseReturnValue:
        url = request.args.get("url", "")
        if urlsplit(url).scheme not in ("http", "https"):
            raise SandboxRefusalError("Paste the tool's registration URL (http or https).")
        # The redirect carries a live registration token: only to the tool this sandbox serves
        # (inside the tool, --demo). A standalone peer (no tool_base_url: tests, the bench) is
        # driven by its developer like an LMS administrator's page, and registers any tool.
        tool = platform.settings.tool_base_url
        if tool is not None and not is_tool_url(url, tool):
            raise SandboxRefusalError(
                f"This sandbox registers only the tool it belongs to: paste a URL under {tool}/."
            )
        return redirect(platform.registration_url(url))

    return bp


def is_tool_url(url: str, tool_base_url: str) -> bool:
    """Same scheme, host and port as the tool, and a path under the tool's own path."""
    given, tool = urlsplit(url), urlsplit(tool_base_url)
    if (given.scheme, given.netloc.lower()) != (tool.scheme, tool.netloc.lower()):
        return False
    prefix = tool.path.rstrip("/") + "/"
    return (given.path or "/").startswith(prefix) and "\\" not in url


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme, parts.netloc.lower()


def _is_loopback(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    return host in ("localhost", "127.0.0.1", "::1") or host.endswith(".localhost")


def current_platform() -> SandboxPlatform:
    platform: SandboxPlatform = current_app.extensions["sandbox"]
    return platform
