"""``etwin-lti serve``: run the tool on the embedded defaults (or the configured services)."""

from __future__ import annotations

import click
from flask import Flask

from etwin_lti.cli import CliState
from etwin_lti.observability.logs import quiet_routine_logs
from etwin_lti.web.container import container_of


def register(main: click.Group) -> None:
    @main.command()
    @click.option(
        "--demo", is_flag=True, help="Load demo data and open the sandbox LMS at /sandbox/."
    )
    @click.option("--host", default="127.0.0.1", show_default=True)
    @click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
    @click.option(
        "--verbose",
        is_flag=True,
        help="Also log each migration applied and the task queue's routine INFO lines.",
    )
    @click.pass_context
    def serve(ctx: click.Context, demo: bool, host: str, port: int, verbose: bool) -> None:
        """Migrate the database, then serve the tool (threaded; use gunicorn in production)."""
        from werkzeug.serving import run_simple

        from etwin_lti.cli.db import upgrade_database

        if not verbose:
            quiet_routine_logs()
        state = ctx.ensure_object(CliState)
        if demo:
            state.config.setdefault("DEMO", True)
        state.config.setdefault("BASE_URL", f"http://{host}:{port}")
        app: Flask = state.app
        with app.app_context():
            upgrade_database(app)
            container_of(app).on_serve.run()
        click.echo(f"etwin-lti serving on http://{host}:{port}/")
        if demo:
            click.echo(f"sandbox LMS: http://{host}:{port}/sandbox/")
        run_simple(host, port, app, threaded=True, use_reloader=False)
