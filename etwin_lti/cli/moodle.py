"""``etwin-lti moodle add|list|map|poll``: Moodle sites, course mappings and completion polling.

The web-service token is read from a file (never a command-line argument, which would end up in
shell history and ``ps``) and is never printed or logged.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click
from flask import Flask

from etwin_lti.cli import container, with_app
from etwin_lti.domain.moodle import AcknowledgementTarget, PollOutcome, TargetKind
from etwin_lti.errors import InvalidInputError


def _now() -> datetime:
    return datetime.now(UTC)


def _describe_outcome(outcome: PollOutcome) -> str:
    who = f"moodle user {outcome.moodle_user_id}" if outcome.moodle_user_id is not None else "-"
    parts = [f"mapping {outcome.mapping_id}", outcome.state, who]
    if outcome.person_id is not None:
        parts.append(f"person {outcome.person_id}")
    if outcome.acknowledgement_id is not None:
        parts.append(f"acknowledgement {outcome.acknowledgement_id}")
    if outcome.detail:
        parts.append(outcome.detail)
    return "\t".join(parts)


def register(main: click.Group) -> None:
    @main.group()
    def moodle() -> None:
        """Moodle sites: course completion to eTwinning acknowledgements."""

    @moodle.command("add")
    @click.argument("url")
    @click.option(
        "--token-file",
        required=True,
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        help="A file holding the Moodle web-service token.",
    )
    @click.option("--label", default="", help="A name for the site.")
    @click.option("--issuer", default=None, help="Its LTI issuer, when not the site URL.")
    @with_app
    def add(app: Flask, url: str, token_file: Path, label: str, issuer: str | None) -> None:
        """Check the token with core_webservice_get_site_info, then register the site."""
        token = token_file.read_text(encoding="utf-8").strip()
        if not token:
            raise InvalidInputError(errors={"token_file": ["The token file is empty."]})
        site, info = container(app).moodle.add_site(
            url, token, now=_now(), label=label, issuer=issuer
        )
        click.echo(
            f"added Moodle site {site.id}: {info.sitename} ({site.url}, release {info.release}, "
            f"web-service user {info.username}); LTI issuer {site.issuer}"
        )

    @moodle.command("list")
    @with_app
    def list_command(app: Flask) -> None:
        """Sites and their course mappings (never the tokens)."""
        bridge = container(app).moodle
        for site in bridge.store.list_sites():
            click.echo(f"site {site.id}\t{site.url}\t{site.site_name}\t{site.label}")
            for mapping in bridge.store.list_mappings(site_id=site.id):
                scope = f"activity {mapping.cmid}" if mapping.cmid else "course completion"
                polled = mapping.last_polled_at.isoformat() if mapping.last_polled_at else "never"
                error = f"\tlast error: {mapping.last_error}" if mapping.last_error else ""
                click.echo(
                    f"  mapping {mapping.id}\tcourse {mapping.course_id} ({scope})"
                    f"\t→ {mapping.target}\tpolled {polled}{error}"
                )

    @moodle.command("map")
    @click.argument("site_id", type=int)
    @click.argument("course_id", type=int)
    @click.option("--edition", type=int, default=None, help="Distance-course edition id.")
    @click.option("--event", type=int, default=None, help="Learning Event id.")
    @click.option("--cmid", type=int, default=None, help="Use one activity's completion.")
    @with_app
    def map_command(
        app: Flask,
        site_id: int,
        course_id: int,
        edition: int | None,
        event: int | None,
        cmid: int | None,
    ) -> None:
        """Map a Moodle course (or one activity) to an acknowledgement."""
        if (edition is None) == (event is None):
            raise InvalidInputError(errors={"target": ["Give exactly one of --edition, --event."]})
        target = (
            AcknowledgementTarget(TargetKind.EDITION, edition)
            if edition is not None
            else AcknowledgementTarget(TargetKind.EVENT, event)  # type: ignore[arg-type]
        )
        mapping = container(app).moodle.map_course(
            site_id, course_id, target, now=_now(), cmid=cmid
        )
        click.echo(f"mapping {mapping.id}: site {site_id} course {course_id} → {target}")

    @moodle.command("poll")
    @click.option("--site", "site_id", type=int, default=None, help="Only this site.")
    @with_app
    def poll(app: Flask, site_id: int | None) -> None:
        """Read completion for every mapping and issue acknowledgements (each once)."""
        report = container(app).moodle.poll(now=_now, site_id=site_id)
        for outcome in report.outcomes:
            click.echo(_describe_outcome(outcome))
        click.echo(
            f"issued {report.count('issued')}, already issued {report.count('already_issued')}, "
            f"unmatched {report.count('unmatched')}, incomplete {report.count('incomplete')}, "
            f"mappings skipped {report.count('skipped_mapping')}, "
            f"mappings failed {report.count('failed_mapping')}"
        )
        if report.count("failed_mapping"):
            # Scripts and the queue see that Moodle failed; marks so far are kept.
            raise click.exceptions.Exit(1)
