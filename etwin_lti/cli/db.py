"""``etwin-lti db upgrade``: bring the database schema (and the country list) up to date."""

from __future__ import annotations

import click
from flask import Flask

from etwin_lti.cli import container, with_app


def upgrade_database(app: Flask) -> None:
    """Migrate to the newest schema, then run the idempotent data steps (seed data)."""
    from etwin_lti.persistence.migrate import upgrade

    c = container(app)
    upgrade(c.settings.database_url)
    c.after_upgrade.run()


def register(main: click.Group) -> None:
    @main.group()
    def db() -> None:
        """Database schema commands."""

    @db.command("upgrade")
    @with_app
    def upgrade_command(app: Flask) -> None:
        """Apply every migration and load the versioned seed data."""
        upgrade_database(app)
        click.echo("database is up to date")
