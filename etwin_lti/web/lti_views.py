"""LTI 1.3 endpoints: ``/lti/login``, ``/lti/launch`` and the tool's ``/.well-known/jwks.json``.

Each view extracts the request, calls ``LaunchService`` and answers; all checks live in the
service and in ``etwin_lti.lti``. Errors become pages in ``etwin_lti.web.errors``.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, jsonify, redirect, request
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.wrappers import Response

from etwin_lti.container import Container
from etwin_lti.lti.errors import LaunchAddressOpenedDirectlyError
from etwin_lti.web.container import services
from etwin_lti.web.session import (
    STATE_COOKIE,
    STATE_COOKIE_SECONDS,
    clear_cookie,
    set_cookie,
    start_session,
)

bp = Blueprint("lti", __name__)
STATE_PATH = "/lti/"


def _launches() -> Any:
    return services().launches


@bp.route("/lti/login", methods=["GET", "POST"])
def login() -> Response:
    """Security Framework 5.1.1: answer with a top-level GET to the platform (303 after POST)."""
    params = {k: v for k, v in request.values.items()}
    login_redirect = _launches().start_login(params)
    response = redirect(login_redirect.url, 303 if request.method == "POST" else 302)
    set_cookie(
        response, STATE_COOKIE, login_redirect.state, max_age=STATE_COOKIE_SECONDS, path=STATE_PATH
    )
    return response


@bp.post("/lti/launch")
def launch() -> Response:
    outcome = _launches().complete_launch(request.form, request.cookies.get(STATE_COOKIE))
    response = redirect(outcome.redirect_path, 303)
    clear_cookie(response, STATE_COOKIE, path=STATE_PATH)
    start_session(response, outcome.session)
    return response


@bp.get("/lti/launch")
def launch_opened_directly() -> Response:
    """A reload or a bookmark of the launch address: say how to get back in (not a bare 405)."""
    raise LaunchAddressOpenedDirectlyError()


@bp.get("/.well-known/jwks.json")
def jwks() -> Response:
    response = jsonify(services().tool_keys.public_jwks())
    response.cache_control.public = True
    response.cache_control.max_age = 3600
    return response


def register(app: Flask, container: Container) -> None:
    """Register the blueprint; behind TLS (an https base URL) trust one proxy's
    X-Forwarded-Proto/Host so that generated URLs and ``request.is_secure`` are right."""
    if container.settings.base_url.startswith("https://"):
        app.config["PREFERRED_URL_SCHEME"] = "https"
        app.wsgi_app = ProxyFix(app.wsgi_app, x_proto=1, x_host=1)  # type: ignore[method-assign]
    app.register_blueprint(bp)
