"""The ``etwin-lti`` console script (click, in the style of the Flask CLI).

Every command runs inside an application context built by ``create_app`` from the ``ETWIN_*``
environment. Each area keeps its commands in its own module here and registers them in
``COMMAND_MODULES``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

import click
from flask import Flask

from etwin_lti.container import Container
from etwin_lti.errors import EtwinLtiError
from etwin_lti.web.container import container_of

COMMAND_MODULES = (
    "etwin_lti.cli.serve",
    "etwin_lti.cli.platform",
    "etwin_lti.cli.roles",
    "etwin_lti.cli.keys",
    "etwin_lti.cli.roster",
    "etwin_lti.cli.db",
    "etwin_lti.cli.hub",
    "etwin_lti.cli.demo",
    "etwin_lti.cli.tokens",
    "etwin_lti.cli.moodle",
    "etwin_lti.cli.badges",
    "etwin_lti.cli.export",
    "etwin_lti.cli.worker",
    "etwin_lti.cli.passback",
    "etwin_lti.cli.privacy",
    "etwin_lti.cli.teachers",
    "etwin_lti.cli.bench",
)


class CliState:
    """Holds the app for the commands; tests pass a prepared one (``obj=CliState(app)``)."""

    def __init__(self, app: Flask | None = None, **config: Any) -> None:
        self._app = app
        self.config = config

    @property
    def app(self) -> Flask:
        if self._app is None:
            from etwin_lti.app import create_app

            self._app = create_app(self.config or None)
        return self._app


def with_app(func: Callable[..., Any]) -> Callable[..., Any]:
    """Run the command inside an app context and turn our errors into a clean exit status."""

    @click.pass_context
    def wrapper(ctx: click.Context, *args: Any, **kwargs: Any) -> Any:
        state = ctx.ensure_object(CliState)
        try:
            app = state.app
            with app.app_context():
                return func(app, *args, **kwargs)
        except EtwinLtiError as error:
            detail = ""
            if error.errors:
                detail = " " + "; ".join(f"{k}: {v}" for k, v in error.errors.items())
            raise click.ClickException(f"{error.description}{detail}") from error

    wrapper.__name__ = func.__name__
    wrapper.__doc__ = func.__doc__
    return wrapper


def container(app: Flask) -> Container:
    return container_of(app)


@click.group()
@click.version_option(package_name="etwin-lti")
@click.pass_context
def main(ctx: click.Context) -> None:
    """etwin-lti: eTwinning inside your LMS, over LTI 1.3."""
    ctx.ensure_object(CliState)


for _name in COMMAND_MODULES:
    importlib.import_module(_name).register(main)
