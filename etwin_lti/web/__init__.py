"""The web layer: blueprints, templates and the single error mapping. The only Flask importer."""

from __future__ import annotations

from flask import Flask

from etwin_lti.container import Container
from etwin_lti.web.container import install
from etwin_lti.web.routing import LazyBuilderRule
from etwin_lti.web.template_cache import TEMPLATE_BYTECODE


def register_web(app: Flask, container: Container) -> None:
    # Before anything touches ``app.jinja_env``, which is built from these options once.
    app.jinja_options = {**app.jinja_options, "bytecode_cache": TEMPLATE_BYTECODE}
    install(app, container)
    app.url_rule_class = LazyBuilderRule
    from etwin_lti.web import errors, health, input_guard
    from etwin_lti.web.observability import install_observability

    # First: its before-request hook gives the request its id before anything else logs.
    install_observability(app)

    errors.register_error_handlers(app)
    from etwin_lti.web.i18n import install_i18n

    install_i18n(app)
    from etwin_lti.web.rich_text import install_rich_text

    install_rich_text(app)
    input_guard.register_input_guard(app)
    # Before any blueprint: rules bind their converters when they are added.
    app.url_map.converters["int"] = input_guard.IdConverter
    app.register_blueprint(health.bp)
    from etwin_lti.web import start_views

    app.register_blueprint(start_views.bp)
    from etwin_lti.web import badges_views

    app.register_blueprint(badges_views.bp)
    from etwin_lti.web import registration_views

    app.register_blueprint(registration_views.bp)
    from etwin_lti.web import lti_views

    lti_views.register(app, container)
    from etwin_lti.web import pages

    app.register_blueprint(pages.bp)
    from etwin_lti.web import roster_views

    app.register_blueprint(roster_views.bp)
    from etwin_lti.web import deep_linking_views

    app.register_blueprint(deep_linking_views.bp)
    from etwin_lti.web import admin_views

    app.register_blueprint(admin_views.bp)
    from etwin_lti.web import linking_views

    app.register_blueprint(linking_views.bp)
    from etwin_lti.web import public_views

    app.register_blueprint(public_views.bp)
    if container.settings.demo:
        from etwin_lti.web.sandbox_mount import mount_sandbox

        mount_sandbox(app, container)
    from etwin_lti.web.api import init_api

    init_api(app)
    # Static assets under a blueprint so that every template can use one url_for name.
    from flask import Blueprint

    app.register_blueprint(
        Blueprint("static_assets", __name__, static_folder="static", static_url_path="/assets")
    )
    # Last: the limits and headers wrap views and answers that are all registered by now.
    from etwin_lti.web.headers import install_headers
    from etwin_lti.web.limits import install_limits

    install_limits(app, container.settings)
    install_headers(app, container)
