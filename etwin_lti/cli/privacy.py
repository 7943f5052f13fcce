"""``etwin-lti privacy export|erase|purge``: one person's data on request, and retention.

PERSON is a hub person id; a school's data protection officer usually knows the LMS user
instead, so ``--lti ISSUER SUB`` (and ``--deployment`` when one LMS has several) finds the
person by LTI identity. Rules: docs/decisions/0007-privacy-export-and-erase.md.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from typing import Any

import click
from flask import Flask

from etwin_lti.cli import container, with_app
from etwin_lti.services.privacy import PrivacyService, describe_counts


def _person_options(func: Any) -> Any:
    func = click.option(
        "--deployment",
        "deployment_id",
        default=None,
        help="With --lti: the LTI deployment id, when the LMS has several deployments.",
    )(func)
    func = click.option(
        "--lti",
        nargs=2,
        type=str,
        default=None,
        metavar="ISSUER SUB",
        help="Find the person by LTI identity: the LMS's issuer URL and its user id (sub).",
    )(func)
    return click.argument("person_id", type=int, required=False, metavar="[PERSON]")(func)


def _find(
    service: PrivacyService,
    person_id: int | None,
    lti: tuple[str, str] | None,
    deployment_id: str | None,
) -> int:
    if person_id is not None and lti is not None:
        raise click.UsageError("Give either PERSON or --lti ISSUER SUB, not both.")
    if person_id is None and lti is None:
        raise click.UsageError("Give PERSON (a hub person id) or --lti ISSUER SUB.")
    if deployment_id is not None and lti is None:
        raise click.UsageError("--deployment goes with --lti.")
    return service.find_person(person_id, lti=lti, deployment_id=deployment_id)


def register(main: click.Group) -> None:
    @main.group()
    def privacy() -> None:
        """Export or erase one person's data; purge suspended members past retention."""

    @privacy.command("export")
    @_person_options
    @click.option(
        "--output",
        type=click.Path(dir_okay=False, writable=True),
        default=None,
        help="Write the JSON to this file (default: standard output).",
    )
    @with_app
    def export_command(
        app: Flask,
        person_id: int | None,
        lti: tuple[str, str] | None,
        deployment_id: str | None,
        output: str | None,
    ) -> None:
        """Everything stored about PERSON, as JSON."""
        service: PrivacyService = container(app).privacy
        found = _find(service, person_id, lti, deployment_id)
        text = json.dumps(service.export(found, now=datetime.now(UTC)), indent=2)
        if output is None:
            click.echo(text)
            return
        with open(output, "w", encoding="utf-8") as handle:
            handle.write(text + "\n")
        click.echo(f"wrote the data of person {found} to {output}", err=True)

    @privacy.command("erase")
    @_person_options
    @click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
    @click.option(
        "--force",
        is_flag=True,
        help="Also erase a founder of a project that is still open.",
    )
    @with_app
    def erase_command(
        app: Flask,
        person_id: int | None,
        lti: tuple[str, str] | None,
        deployment_id: str | None,
        yes: bool,
        force: bool,
    ) -> None:
        """Erase PERSON: identities, name, e-mail, sessions, pending scores; content kept
        under a pseudonym, memberships suspended, acknowledgements revoked."""
        service: PrivacyService = container(app).privacy
        found = _find(service, person_id, lti, deployment_id)
        if not yes:
            # A script (no terminal) must say --yes: an erasure cannot be undone.
            if not sys.stdin.isatty():
                raise click.UsageError("Erasing cannot be undone: add --yes when not interactive.")
            click.confirm(f"Erase person {found}? This cannot be undone.", abort=True)
        result = service.erase(found, now=datetime.now(UTC), force=force)
        if result.already_erased:
            click.echo(f"person {found} was already erased ({result.pseudonym}); nothing to do")
            return
        click.echo(f"erased person {found}: now shown as {result.pseudonym!r}")
        for what, count in describe_counts(result.counts):
            click.echo(f"  {what}: {count}")

    @privacy.command("purge")
    @click.option("--dry-run", is_flag=True, help="List who would be erased; change nothing.")
    @with_app
    def purge_command(app: Flask, dry_run: bool) -> None:
        """Erase members suspended for longer than ETWIN_SUSPENDED_RETENTION_DAYS."""
        services = container(app)
        report = services.privacy.purge(now=datetime.now(UTC), dry_run=dry_run)
        verb = "would erase" if dry_run else "erased"
        click.echo(
            f"retention {services.settings.suspended_retention_days} days "
            f"(suspended before {report.cutoff.date().isoformat()})"
        )
        for person in report.erased:
            click.echo(f"{verb} person {person}")
        for person in report.kept_founders:
            click.echo(f"kept person {person}: founder of a project still open (erase --force)")
        click.echo(f"{len(report.erased)} person(s) {verb}")
