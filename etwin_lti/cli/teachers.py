"""``etwin-lti teacher pending|validate``: teacher registrations waiting for their NSO.

A teacher who registers from the LMS (the linking page's third way) exists at once, with the
status ``pending_validation``: they work in TwinSpaces they are invited to but may not found a
project until the National Support Organisation of their country validates them here.
"""

from __future__ import annotations

from typing import Any

import click
from flask import Flask

from etwin_lti.cli import container, with_app
from etwin_lti.errors import ConfigurationError


def _linking(app: Flask) -> Any:
    linking = container(app).teacher_linking
    if linking is None:
        raise ConfigurationError("With ETWIN_HUB_URL, teachers are validated on that hub.")
    return linking


def register(main: click.Group) -> None:
    @main.group()
    def teacher() -> None:
        """LMS teachers connected to eTwinning: registrations waiting for their NSO."""

    @teacher.command("pending")
    @with_app
    def pending(app: Flask) -> None:
        """Registrations waiting for validation: person id, country, name, school."""
        for account, person in _linking(app).pending_registrations():
            click.echo(
                f"{person.id}\t{person.country_code}\t{person.display_name}\t{person.school or ''}"
                f"\tregistered {account.linked_at:%Y-%m-%d}"
            )

    @teacher.command("validate")
    @click.argument("person_id", type=int)
    @click.option("--nso", "nso", required=True, help="The validating NSO's country code.")
    @with_app
    def validate(app: Flask, person_id: int, nso: str) -> None:
        """Validate a registration as the NSO of the teacher's country."""
        account = _linking(app).validate_registration(person_id, nso)
        click.echo(f"teacher {account.person_id} validated by the NSO of {account.validated_by}")
