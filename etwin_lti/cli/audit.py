"""``etwin-lti audit list [--json]``: the audit log, newest first."""

from __future__ import annotations

import json

import click
from flask import Flask

from etwin_lti.cli import container, with_app
from etwin_lti.domain.audit import AuditEntry


def _line(entry: AuditEntry) -> str:
    details = " ".join(f"{k}={v}" for k, v in sorted(entry.details.items()))
    subject = f"{entry.subject_kind}:{entry.subject_id}"
    return "\t".join(
        [str(entry.id), entry.at.isoformat(), entry.actor, entry.action, subject, details]
    )


def _json(entry: AuditEntry) -> dict[str, object]:
    return {
        "id": entry.id,
        "at": entry.at.isoformat(),
        "actor": entry.actor,
        "action": entry.action,
        "subject_kind": entry.subject_kind,
        "subject_id": entry.subject_id,
        "details": entry.details,
    }


def register(main: click.Group) -> None:
    @main.group()
    def audit() -> None:
        """Who changed roles, labels, erasures and registrations."""

    @audit.command("list")
    @click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 200))
    @click.option("--offset", default=0, show_default=True, type=click.IntRange(0))
    @click.option("--json", "as_json", is_flag=True, help="One JSON document.")
    @with_app
    def list_entries(app: Flask, limit: int, offset: int, as_json: bool) -> None:
        """id, time, actor, action, subject, details (newest first)."""
        page = container(app).audit.list_entries(offset=offset, limit=limit)
        if as_json:
            entries = [_json(e) for e in page.entries]
            click.echo(json.dumps({"total": page.total, "entries": entries}, indent=2))
            return
        for entry in page.entries:
            click.echo(_line(entry))
        if not page.entries:
            click.echo("no audit entries")
