"""``etwin-lti keys rotate|list``: the tool's signing keys (never any key material printed)."""

from __future__ import annotations

import click
from flask import Flask

from etwin_lti.cli import container, with_app
from etwin_lti.persistence.secret_box import SecretBox


def register(main: click.Group) -> None:
    @main.group()
    def keys() -> None:
        """The tool's RSA signing keys, published at /.well-known/jwks.json."""

    @keys.command("rotate")
    @with_app
    def rotate(app: Flask) -> None:
        """Add a new signing key; the previous one stays published for the overlap period."""
        c = container(app)
        key = c.tool_keys.rotate()
        days = c.settings.key_rotation_overlap_days
        click.echo(f"new signing key {key.kid}; the previous key stays published for {days} days")

    @keys.command("reencrypt")
    @with_app
    def reencrypt(app: Flask) -> None:
        """Re-encrypt stored secrets under the first ETWIN_ENCRYPTION_KEYS key (rotation)."""
        changed = container(app).reencrypt_secrets()
        for what, count in changed.items():
            click.echo(f"{what}: {count} re-encrypted")

    @keys.command("new-encryption-key")
    def new_encryption_key() -> None:
        """Print a fresh Fernet key to put first in ETWIN_ENCRYPTION_KEYS."""
        click.echo(SecretBox.new_key())

    @keys.command("list")
    @with_app
    def list_keys(app: Flask) -> None:
        """kid, created, status (signing or retiring, with the day it is dropped)."""
        for key in container(app).tool_keys.list_keys():
            drop = f" (dropped after {key.drop_after:%Y-%m-%d %H:%M} UTC)" if key.drop_after else ""
            click.echo(f"{key.kid}\t{key.created_at:%Y-%m-%d %H:%M} UTC\t{key.status.value}{drop}")
