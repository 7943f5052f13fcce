"""``etwin-lti export cc EDITION --output FILE``: a Common Cartridge 1.1 of a course edition."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask

from etwin_lti.cli import container, with_app


def register(main: click.Group) -> None:
    @main.group()
    def export() -> None:
        """Export hub content for an LMS."""

    @export.command("cc")
    @click.argument("edition_id", type=int)
    @click.option(
        "--output",
        required=True,
        type=click.Path(dir_okay=False, writable=True, path_type=Path),
        help="The .imscc file to write.",
    )
    @with_app
    def cc(app: Flask, edition_id: int, output: Path) -> None:
        """One LTI link per unit (etwin_resource=unit:<id>, and the tool-signed reference in
        the launch URL), in the edition's order."""
        from etwin_lti.domain.launches import Resource, ResourceKind
        from etwin_lti.lti.resource_reference import ResourceReference
        from moodle_bridge.cc_export import build_cartridge

        services = container(app)
        edition = services.hub.get_edition(edition_id)
        units = services.hub.list_units(edition_id=edition_id)
        references = {
            u.id: services.resource_bindings.reference(
                ResourceReference(Resource(ResourceKind.UNIT, u.id), None, None, None, None)
            )
            for u in units
        }
        package = build_cartridge(
            edition, units, base_url=services.settings.base_url, references=references
        )
        output.write_bytes(package)
        click.echo(f"wrote {output} ({len(units)} units of edition {edition.id}: {edition.title})")
