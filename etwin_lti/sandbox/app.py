"""``create_platform_app``: the sandbox LMS as a Flask app of its own (the e2e tests' peer)."""

from __future__ import annotations

import requests
from flask import Flask

from etwin_lti.sandbox.model import SandboxSettings
from etwin_lti.sandbox.platform import SandboxPlatform
from etwin_lti.sandbox.views import create_sandbox_blueprint


def create_platform_app(
    settings: SandboxSettings | SandboxPlatform, session: requests.Session | None = None
) -> Flask:
    """Build the peer from ``SandboxSettings`` (or an already built ``SandboxPlatform``).

    The platform object is ``app.extensions["sandbox"]``: tests add users and resources and set
    ``hooks`` on it while the app is serving.
    """
    if isinstance(settings, SandboxPlatform):
        platform = settings
    else:
        platform = SandboxPlatform(settings, session)
    app = Flask("etwin_lti.sandbox", static_folder=None)
    app.config["TEMPLATES_AUTO_RELOAD"] = False
    app.register_blueprint(create_sandbox_blueprint(platform))
    return app
