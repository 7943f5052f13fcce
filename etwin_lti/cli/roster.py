"""``etwin-lti roster sync [--link ID | --all]``: NRPS roster → TwinSpace members (issue 4).

A progress bar (tqdm, on stderr) shows large rosters being applied; it is off when stderr is
not a terminal or with ``--quiet``. Each course ends with one summary line on stdout; a course
whose roster could not be read completely is reported and left unchanged (exit status 1).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import click
from flask import Flask
from tqdm import tqdm

from etwin_lti.cli import container, with_app


@contextmanager
def _progress(enabled: bool) -> Iterator[Callable[[int, int], None] | None]:
    if not enabled:
        yield None
        return
    bar = tqdm(total=0, unit="member", file=sys.stderr, leave=False)

    def update(done: int, total: int) -> None:
        if bar.total != total:
            bar.reset(total=total)
        bar.n = done
        bar.refresh()

    try:
        yield update
    finally:
        bar.close()


def register(main: click.Group) -> None:
    @main.group()
    def roster() -> None:
        """Course rosters from the LMS (LTI Names and Role Provisioning Services)."""

    @roster.command("sync")
    @click.option("--link", "link_id", type=int, help="Sync the course of this resource link.")
    @click.option("--all", "sync_all", is_flag=True, help="Sync every course that offers NRPS.")
    @click.option("--quiet", is_flag=True, help="No progress bar.")
    @with_app
    def sync(app: Flask, link_id: int | None, sync_all: bool, quiet: bool) -> None:
        """Add and reactivate members, suspend those who left (content kept)."""
        if (link_id is None) == (not sync_all):
            raise click.UsageError("Give either --link ID or --all.")
        service = container(app).roster_sync
        with _progress(not quiet and sys.stderr.isatty()) as progress:
            if link_id is not None:
                results, failures = service.sync_link(link_id, progress=progress), []
            else:
                report = service.sync_all(progress=progress)
                results, failures = report.results, report.failures
        for result in results:
            click.echo(result.summary())
            for skipped in result.skipped[:20]:
                click.echo(f"  skipped {skipped.user_id}: {skipped.reason}")
            if len(result.skipped) > 20:
                click.echo(f"  ... and {len(result.skipped) - 20} more skipped")
        for failure in failures:
            click.echo(
                f"{failure.context_id} (platform {failure.platform_id}): not synced, nothing "
                f"changed: {failure.error.description}",
                err=True,
            )
        click.echo(f"{len(results)} synced, {len(failures)} failed")
        if failures:
            sys.exit(1)
