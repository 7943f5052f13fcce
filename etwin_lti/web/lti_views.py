"""LTI 1.3 endpoints: ``/lti/login``, ``/lti/launch`` and the tool's ``/.well-known/jwks.json``.

Each view extracts the request, calls ``LaunchService`` and answers; all checks live in the
service and in ``etwin_lti.lti``. Errors become pages in ``etwin_lti.web.errors``.

When the platform offers client-side storage (``lti_storage_target``, see
``etwin_lti.lti.client_storage``), the login answers with a page that puts the sealed state in
the platform's storage frame before going on; a launch that came without the state cookie
answers with a page that reads it back and posts it again (``etwin_login_state``). That post
must come from the tool's own page (its ``Origin``): the field replaces the cookie, so no other
site may send it.

The launch POST answers with the activity's page itself (200, the session cookie set on that
answer; issue 11, ADR 0036): a launch is two requests, login and POST, as in a plain tool, and
without the cookie a redirect would lose the session anyway (the page's forms carry the launch
token). Deep linking and Submission Review keep their 303 to ``/lti/deep-link`` and
``/lti/review``. A reload of the POST is refused as a replay; the page replaces the address in
the browser's history with its own (``history.replaceState``), so a reload reads the page.
"""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    Flask,
    after_this_request,
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
EMBED_PREFIX = "/embed/"  # the activity's pages, answered in the launch POST itself


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
    session, path = outcome.session, outcome.redirect_path
    in_answer = from_storage is not None or path.startswith(EMBED_PREFIX)

    @after_this_request
    def _launched(response: Response) -> Response:
        # On whatever answers the launch, the page or the page's own refusal: the launch did
        # succeed, and the page's address answers with this session from now on.
        clear_cookie(response, STATE_COOKIE, path=STATE_PATH)
        start_session(response, session)
        if in_answer:
            response.cache_control.no_store = True  # a POST's answer: never from a cache
            # RFC 9110 8.7: the answer is a representation of that page.
            response.headers["Content-Location"] = path
        return response

    if not in_answer:
        return redirect(path, 303)  # deep linking, review: their own flows
    g.etwin_launch = session  # the page answered now reads the new session
    return make_response(_page_at(path))


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
    """The page the launch opens, answered at once (see the module docstring). The page then
    puts its own address in the browser's history (``page_url`` in base.html): a reload or a
    Back-and-Forward reads that page again with the session, never the launch's POST."""
    adapter = current_app.url_map.bind_to_environ(request.environ)
    endpoint, values = adapter.match(path, method="GET")
    g.page_url = path
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
