"""``etwin-lti passback list|retry``: scores sent (or not) to the LMS gradebooks."""

from __future__ import annotations

import click
from flask import Flask

from etwin_lti.cli import container, with_app
from etwin_lti.domain.passback import OutboxEntry


def _line(entry: OutboxEntry) -> str:
    parts = [
        str(entry.id),
        entry.status.value,
        entry.resource,
        f"platform {entry.platform_id} link {entry.resource_link_id}",
        f"attempts {entry.attempts}",
    ]
    if entry.last_error:
        parts.append(entry.last_error)
    return "\t".join(parts)


def register(main: click.Group) -> None:
    @main.group()
    def passback() -> None:
        """Completion scores posted to LMS gradebooks (AGS) and the dead letters."""

    @passback.command("list")
    @click.option("--dead", is_flag=True, help="Only the scores the LMS would not take.")
    @click.option("--limit", default=200, show_default=True, type=click.IntRange(1, 10000))
    @with_app
    def list_scores(app: Flask, dead: bool, limit: int) -> None:
        """id, status, resource, link, attempts, reason (newest first)."""
        entries = container(app).passback.list(dead_only=dead, limit=limit)
        for entry in entries:
            click.echo(_line(entry))
        if not entries:
            click.echo("no dead letters" if dead else "no scores yet")

    @passback.command("retry")
    @click.argument("entry_id", required=False, type=int)
    @click.option("--all-dead", is_flag=True, help="Retry every dead letter.")
    @with_app
    def retry(app: Flask, entry_id: int | None, all_dead: bool) -> None:
        """Put a dead letter (or all of them) back in the queue."""
        if (entry_id is None) == (not all_dead):
            raise click.UsageError("Give one score id, or --all-dead.")
        ids = container(app).passback.retry(None if entry_id is None else [entry_id])
        click.echo(f"{len(ids)} score(s) queued again" + (f": {ids}" if ids else ""))
