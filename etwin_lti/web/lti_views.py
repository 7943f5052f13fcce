"""LTI 1.3 endpoints: ``/lti/login``, ``/lti/launch`` and the tool's ``/.well-known/jwks.json``.

Each view extracts the request, calls ``LaunchService`` and answers; all checks live in the
service and in ``etwin_lti.lti``. Errors become pages in ``etwin_lti.web.errors``.

When the platform offers client-side storage (``lti_storage_target``, see
``etwin_lti.lti.client_storage``), the login answers with a page that puts the sealed state in
the platform's storage frame before going on; a launch that came without the state cookie
answers with a page that reads it back and posts it again (``etwin_login_state``). That post
must come from the tool's own page (its ``Origin``): the field replaces the cookie, so no other
site may send it. Its answer is the activity's page itself: the session cookie is most likely
blocked too, and a redirect would lose the session (the page's forms carry the launch token).
"""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    Flask,
    current_app,
    g,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
)
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.wrappers import Response

from etwin_lti.container import Container
from etwin_lti.lti.client_storage import STATE_FIELD, TARGET_PARAM, WAIT_MILLISECONDS, origin_of
from etwin_lti.lti.errors import ForeignLoginStateError, LaunchAddressOpenedDirectlyError
from etwin_lti.web.container import services
from etwin_lti.web.limits import LAUNCH, LOGIN, rate_limited
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
@rate_limited(LOGIN)
def login() -> Response:
    """Security Framework 5.1.1: answer with a top-level GET to the platform (303 after POST)."""
    params = {k: v for k, v in request.values.items()}
    login_redirect = _launches().start_login(params)
    response: Response
    if login_redirect.storage is not None:
        page = render_template(
            "lti/storage_login.html",
            storage=login_redirect.storage,
            value=login_redirect.state_cookie,
            next_url=login_redirect.url,
            wait=WAIT_MILLISECONDS,
        )
        response = make_response(page)
        response.cache_control.no_store = True  # it holds the sealed state
    else:
        response = redirect(login_redirect.url, 303 if request.method == "POST" else 302)
    set_cookie(
        response,
        STATE_COOKIE,
        login_redirect.state_cookie,
        max_age=STATE_COOKIE_SECONDS,
        path=STATE_PATH,
    )
    return response


@bp.post("/lti/launch")
@rate_limited(LAUNCH)
def launch() -> Response:
    from_storage = request.form.get(STATE_FIELD)
    if from_storage is not None:
        _check_own_origin()
    elif not request.cookies.get(STATE_COOKIE):
        storage = _launches().storage_for_launch(request.form)
        if storage is not None:
            return _read_from_storage(storage)
    sealed = from_storage if from_storage is not None else request.cookies.get(STATE_COOKIE)
    outcome = _launches().complete_launch(request.form, sealed)
    if from_storage is None:
        response = redirect(outcome.redirect_path, 303)
    else:
        g.etwin_launch = outcome.session  # the page answered now reads the new session
        response = make_response(_page_at(outcome.redirect_path))
    clear_cookie(response, STATE_COOKIE, path=STATE_PATH)
    start_session(response, outcome.session)
    return response


def _check_own_origin() -> None:
    if request.headers.get("Origin") != origin_of(services().settings.base_url):
        raise ForeignLoginStateError()


def _read_from_storage(storage: Any) -> Response:
    fields = {name: request.form.get(name, "") for name in ("id_token", "state", TARGET_PARAM)}
    page = render_template(
        "lti/storage_launch.html", storage=storage, fields=fields, wait=WAIT_MILLISECONDS
    )
    response = make_response(page)
    response.cache_control.no_store = True  # it holds the id_token
    return response


def _page_at(path: str) -> Any:
    """The page the launch would redirect to, answered at once (see the module docstring)."""
    adapter = current_app.url_map.bind_to_environ(request.environ)
    endpoint, values = adapter.match(path, method="GET")
    return current_app.view_functions[endpoint](**values)


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
    X-Forwarded-Proto/Host so that generated URLs and ``request.is_secure`` are right, and its
    X-Forwarded-For so that rate limits count clients, not the proxy."""
    if container.settings.base_url.startswith("https://"):
        app.config["PREFERRED_URL_SCHEME"] = "https"
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)  # type: ignore[method-assign]
    app.register_blueprint(bp)
