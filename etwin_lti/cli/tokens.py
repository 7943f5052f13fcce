"""``etwin-lti token create|list|revoke``: REST API tokens.

``create`` prints the secret exactly once, as the last line of its output, so scripts can take
it with ``tail -n1``; nothing else ever prints or logs it. A ``teacher`` token belongs to one
teacher (``--person``, checked: never a pupil) and expires (``--days``, 90 unless said).
"""

from __future__ import annotations

from datetime import UTC, datetime

import click
from flask import Flask

from etwin_lti.cli import container, with_app
from etwin_lti.domain.api_tokens import ApiToken, ApiTokenRole
from etwin_lti.errors import InvalidInputError
from etwin_lti.services.api_tokens import create_teacher_token


def _describe(token: ApiToken) -> str:
    state = "revoked " + token.revoked_at.isoformat() if token.revoked_at else "active"
    used = token.last_used_at.isoformat() if token.last_used_at else "never"
    country = token.country_code or "-"
    person = f"person {token.person_id}" if token.person_id is not None else "-"
    expires = f"expires {token.expires_at.isoformat()}" if token.expires_at else "no expiry"
    return (
        f"{token.id}\t{token.role.value}\t{country}\t{person}\t{state}\t{expires}"
        f"\tlast used {used}\t{token.label}"
    )


def _check_country_known(app: Flask, country_code: str | None) -> None:
    """Known, and eligible: an NSO of a country outside eTwinning has nothing to decide (a
    token whose country leaves later is refused at use, ``domain.api_access``)."""
    if country_code is None:
        return
    countries = {c.code: c for c in container(app).hub.list_countries()}
    if country_code not in countries:
        raise InvalidInputError(errors={"country_code": [f"Unknown country {country_code}."]})
    if not countries[country_code].eligible:
        raise InvalidInputError(
            errors={"country_code": [f"{country_code} does not take part in eTwinning."]}
        )


def register(main: click.Group) -> None:
    @main.group()
    def token() -> None:
        """REST API tokens (/api/v1)."""

    @token.command("create")
    @click.option("--role", required=True, type=click.Choice([r.value for r in ApiTokenRole]))
    @click.option("--country", default=None, help="The NSO's country (nso_officer only).")
    @click.option("--person", type=int, default=None, help="The teacher (teacher only).")
    @click.option("--days", type=int, default=None, help="Days until it expires (teacher only).")
    @click.option("--label", default="", help="Who or what uses the token.")
    @with_app
    def create(
        app: Flask,
        role: str,
        country: str | None,
        person: int | None,
        days: int | None,
        label: str,
    ) -> None:
        """Create a token and print it once (last line). Only its hash is stored."""
        country = country.upper() if country else None
        now = datetime.now(UTC)
        if role == ApiTokenRole.TEACHER.value:
            if country or person is None:
                raise InvalidInputError(
                    errors={"person": ["A teacher's token needs --person and no --country."]}
                )
            created, secret = create_teacher_token(
                container(app).hub,
                container(app).api_tokens,
                person,
                label=label,
                now=now,
                days=days,
            )
        else:
            if person is not None or days is not None:
                raise InvalidInputError(
                    errors={"person": ["--person and --days are for teachers' tokens only."]}
                )
            _check_country_known(app, country)
            created, secret = container(app).api_tokens.create(
                ApiTokenRole(role), now=now, country_code=country, label=label
            )
        click.echo(f"created token {created.id} ({created.role.value}); it is shown only once:")
        click.echo(secret)

    @token.command("list")
    @with_app
    def list_command(app: Flask) -> None:
        """Every token (id, role, country, state, last use, label); never the secrets."""
        for item in container(app).api_tokens.list_tokens():
            click.echo(_describe(item))

    @token.command("revoke")
    @click.argument("token_id", type=int)
    @with_app
    def revoke(app: Flask, token_id: int) -> None:
        """Revoke a token at once; requests with it get 401 from now on."""
        revoked = container(app).api_tokens.revoke(token_id, now=datetime.now(UTC))
        click.echo(f"revoked token {revoked.id}")
