"""``etwin-lti badge list|revoke``: Open Badges assertions of acknowledgements."""

from __future__ import annotations

import click
from flask import Flask

from etwin_lti.cli import container, with_app
from etwin_lti.errors import InvalidInputError
from etwin_lti.services import badges


def register(main: click.Group) -> None:
    @main.group()
    def badge() -> None:
        """Open Badges 2.0 assertions (/badges/...)."""

    @badge.command("list")
    @click.option("--person", "person_id", type=int, default=None, help="Only this person's.")
    @with_app
    def list_command(app: Flask, person_id: int | None) -> None:
        """Assertion and certificate URLs (the certificate link carries its access key)."""
        services = container(app)
        urls = badges.BadgeUrls(services.settings.base_url)
        key = badges.recipient_key(services.settings.secret_key)
        for ack in services.hub.list_acknowledgements(person_id=person_id):
            state = "revoked" if ack.revoked_at else "valid"
            certificate = f"{urls.certificate(ack.id)}?k={badges.certificate_key(key, ack.id)}"
            click.echo(
                f"{ack.id}\t{ack.kind.value}\t{ack.subject}\tperson {ack.person_id}\t{state}"
                f"\t{urls.assertion(ack.id)}\t{certificate}"
            )

    @badge.command("revoke")
    @click.argument("acknowledgement_id", type=int)
    @click.option("--reason", required=True, help="Shown to verifiers (revocationReason).")
    @with_app
    def revoke(app: Flask, acknowledgement_id: int, reason: str) -> None:
        """Revoke an acknowledgement: its assertion answers 410 Gone from now on."""
        reason = reason.strip()
        if not reason:
            raise InvalidInputError(errors={"reason": ["Say why the badge is revoked."]})
        revoked = container(app).hub.revoke_acknowledgement(acknowledgement_id, reason)
        click.echo(f"revoked acknowledgement {revoked.id}: {reason}")
