"""``etwin-lti demo load``: the demo project, TwinSpace, Learning Event and course (idempotent)."""

from __future__ import annotations

from datetime import date

import click
from flask import Flask

from etwin_lti.cli import container, with_app
from etwin_lti.services.demo import load_demo


def register(main: click.Group) -> None:
    @main.group()
    def demo() -> None:
        """Demo data for trying the tool without a real LMS."""

    @demo.command("load")
    @with_app
    def load_command(app: Flask) -> None:
        """Create the demo resources that are missing (running it twice creates nothing)."""
        from etwin_lti.cli.db import upgrade_database

        upgrade_database(app)  # idempotent: a fresh instance needs no separate `db upgrade`
        resources = load_demo(container(app).hub, today=date.today())
        if resources.created:
            click.echo(f"created {len(resources.created)} demo items:")
            for item in resources.created:
                click.echo(f"  - {item}")
        else:
            click.echo("demo data already loaded: nothing to create")
        click.echo(
            f"twinspace:{resources.twinspace_id}  event:{resources.event_id}  "
            f"unit:{resources.unit_id}  edition {resources.edition_id}"
        )
