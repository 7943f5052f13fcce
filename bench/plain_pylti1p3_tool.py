"""The comparison tool of ``bench.launch``: a plain Flask LTI 1.3 tool on pylti1p3, written the
way pylti1p3's Flask example app (``pylti1.3-flask-example/game/app.py``) writes it.

Faithful to that style, not optimised: the tool configuration is read from its JSON file on
every request (the example's ``ToolConfJsonFile(get_lti_config_path())`` per view; here the same
file feeds a ``ToolConfDict``), ``FlaskOIDCLogin``/``FlaskMessageLaunch`` with a
``FlaskCacheDataStorage`` over Flask-Caching, and the launch renders a small template.

Three changes, each one in the plain tool's favour or needed to run at all, and said in
docs/benchmarks.md:
- ``set_public_key_caching`` is ON, so neither tool fetches the platform JWKS per launch;
- Flask-Caching uses Redis instead of the example's per-process "simple" cache, since with two
  gunicorn workers the nonce saved by one worker must be visible to the other;
- no ``enable_check_cookies()`` (pylti1p3next does not ship its template, and it costs an extra
  round trip) and no ``pprint`` of the launch data.

Configured by ``BENCH_PLAIN_TOOL_CONFIG`` (path of the JSON settings written by bench.launch)
and ``BENCH_PLAIN_TOOL_REDIS_URL``.
"""

from __future__ import annotations

import json
import os

from flask import Flask, render_template
from flask_caching import Cache
from pylti1p3.contrib.flask import (
    FlaskCacheDataStorage,
    FlaskMessageLaunch,
    FlaskOIDCLogin,
    FlaskRequest,
)
from pylti1p3.tool_config import ToolConfDict

app = Flask(__name__, template_folder="templates")
config = {
    "CACHE_TYPE": "RedisCache",
    "CACHE_REDIS_URL": os.environ.get("BENCH_PLAIN_TOOL_REDIS_URL", "redis://127.0.0.1:6379/7"),
    "CACHE_KEY_PREFIX": "bench-plain-tool:",
    "CACHE_DEFAULT_TIMEOUT": 600,
    "SECRET_KEY": "replace-me",
}
app.config.from_mapping(config)
cache = Cache(app)

PAGE_TITLE = "Plain pylti1p3 tool"


def get_lti_config_path() -> str:
    return os.environ["BENCH_PLAIN_TOOL_CONFIG"]


def get_tool_conf() -> ToolConfDict:
    with open(get_lti_config_path()) as f:
        settings = json.load(f)
    tool_conf = ToolConfDict(settings["registrations"])
    for iss, registrations in settings["registrations"].items():
        for registration in registrations:
            client_id = registration["client_id"]
            tool_conf.set_private_key(iss, settings["private_key"], client_id=client_id)
            tool_conf.set_public_key(iss, settings["public_key"], client_id=client_id)
    return tool_conf


def get_launch_data_storage() -> FlaskCacheDataStorage:
    return FlaskCacheDataStorage(cache)


@app.route("/login/", methods=["GET", "POST"])
def login():  # type: ignore[no-untyped-def]
    tool_conf = get_tool_conf()
    launch_data_storage = get_launch_data_storage()

    flask_request = FlaskRequest()
    target_link_uri = flask_request.get_param("target_link_uri")
    if not target_link_uri:
        raise ValueError('Missing "target_link_uri" param')

    oidc_login = FlaskOIDCLogin(flask_request, tool_conf, launch_data_storage=launch_data_storage)
    return oidc_login.redirect(target_link_uri)


@app.route("/launch/", methods=["POST"])
def launch():  # type: ignore[no-untyped-def]
    tool_conf = get_tool_conf()
    flask_request = FlaskRequest()
    launch_data_storage = get_launch_data_storage()
    message_launch = FlaskMessageLaunch(
        flask_request, tool_conf, launch_data_storage=launch_data_storage
    )
    message_launch.set_public_key_caching(launch_data_storage, cache_lifetime=7200)
    message_launch_data = message_launch.get_launch_data()

    tpl_kwargs = {
        "page_title": PAGE_TITLE,
        "is_deep_link_launch": message_launch.is_deep_link_launch(),
        "launch_data": message_launch.get_launch_data(),
        "launch_id": message_launch.get_launch_id(),
        "curr_user_name": message_launch_data.get("name", ""),
        "resource": message_launch_data.get(
            "https://purl.imsglobal.org/spec/lti/claim/custom", {}
        ).get("etwin_resource", ""),
    }
    return render_template("plain_launch.html", **tpl_kwargs)


@app.route("/jwks/", methods=["GET"])
def get_jwks():  # type: ignore[no-untyped-def]
    return get_tool_conf().get_jwks()
