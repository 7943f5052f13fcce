"""``etwin-lti hub list {twinspaces|events|units|editions} [--json]``: what a teacher can embed.

The JSON output is an array of objects, each with at least ``id`` and ``title`` (scripts and the
end-to-end tests read it); without ``--json`` a plain table for people.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import click
from flask import Flask

from etwin_lti.cli import container, with_app
from etwin_lti.domain.ports import HubPort


def _twinspaces(hub: HubPort) -> list[dict[str, Any]]:
    return [
        {
            "id": t.id,
            "title": t.title,
            "project_id": t.project_id,
            "status": t.status.value,
            "has_pupils": t.has_pupils,
            "resource": f"twinspace:{t.id}",
        }
        for t in hub.list_twinspaces()
    ]


def _events(hub: HubPort) -> list[dict[str, Any]]:
    return [
        {
            "id": e.id,
            "title": e.title,
            "expert_id": e.expert_id,
            "starts_on": e.starts_on.isoformat(),
            "ends_on": e.ends_on.isoformat(),
            "capacity": e.capacity,
            "enrolled": e.enrolled,
            "status": e.status.value,
            "resource": f"event:{e.id}",
        }
        for e in hub.list_events()
    ]


def _units(hub: HubPort) -> list[dict[str, Any]]:
    return [
        {
            "id": u.id,
            "title": u.title,
            "edition_id": u.edition_id,
            "position": u.position,
            "activities": len(u.activities),
            "documents": len(u.documents),
            "resource": f"unit:{u.id}",
        }
        for u in hub.list_units()
    ]


def _editions(hub: HubPort) -> list[dict[str, Any]]:
    return [
        {
            "id": e.id,
            "title": e.title,
            "year": e.year,
            "starts_on": e.starts_on.isoformat(),
            "ends_on": e.ends_on.isoformat(),
            "is_current": e.is_current,
            "trainer_ids": list(e.trainer_ids),
        }
        for e in hub.list_editions()
    ]


LISTINGS: dict[str, Callable[[HubPort], list[dict[str, Any]]]] = {
    "twinspaces": _twinspaces,
    "events": _events,
    "units": _units,
    "editions": _editions,
}


def table(rows: list[dict[str, Any]]) -> str:
    """Left-aligned columns, header first; lists shown comma-separated."""
    if not rows:
        return "(none)"
    columns = list(rows[0])
    cells = [[_cell(row[c]) for c in columns] for row in rows]
    widths = [max(len(c), *(len(r[i]) for r in cells)) for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True))]
    lines += ["  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)) for r in cells]
    return "\n".join(line.rstrip() for line in lines)


def _cell(value: Any) -> str:
    if isinstance(value, list):
        return ",".join(map(str, value))
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def register(main: click.Group) -> None:
    @main.group()
    def hub() -> None:
        """The eTwinning hub: what can be embedded in an LMS."""

    @hub.command("list")
    @click.argument("kind", type=click.Choice(sorted(LISTINGS)))
    @click.option("--json", "as_json", is_flag=True, help="A JSON array of objects.")
    @with_app
    def list_command(app: Flask, kind: str, as_json: bool) -> None:
        """List TwinSpaces, Learning Events, course units or course editions."""
        rows = LISTINGS[kind](container(app).hub)
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2) if as_json else table(rows))
