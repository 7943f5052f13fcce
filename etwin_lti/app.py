"""The application factory: config → Settings → bootstrap → blueprints → error handlers."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from flask import Flask

from etwin_lti.bootstrap import bootstrap
from etwin_lti.observability.logs import configure_logging
from etwin_lti.private_files import private_dir
from etwin_lti.settings import Settings


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Create the tool. ``test_config`` overrides the ``ETWIN_*`` environment, key by key."""
    # The instance folder must be known before Flask and Settings are built: Settings freezes it
    # and derives the secret key file, the SQLite default and the embedded queue's file from it.
    overrides = test_config or {}
    instance_path = overrides.get("INSTANCE_PATH") or os.environ.get("ETWIN_INSTANCE_PATH")
    app = Flask(
        "etwin_lti",
        instance_path=os.path.abspath(instance_path) if instance_path else None,
        instance_relative_config=True,
        template_folder="web/templates",
        static_folder=None,
    )
    app.config.from_prefixed_env("ETWIN")
    app.config.update(overrides)
    private_dir(app.instance_path)  # 0700: the database, queue and keys live here

    settings = Settings.from_mapping(app.config, app.instance_path)
    app.config["SECRET_KEY"] = settings.secret_key
    app.config["MAX_CONTENT_LENGTH"] = 2 * 1024 * 1024
    # Templates are compiled once; nothing reloads per request.
    app.config["TEMPLATES_AUTO_RELOAD"] = False
    # ETWIN_LOG_FORMAT: readable lines (default) or one JSON object per line (production).
    configure_logging(settings.log_format)

    from etwin_lti.web import register_web

    register_web(app, bootstrap(settings))
    return app
