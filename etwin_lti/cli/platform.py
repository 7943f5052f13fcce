"""``etwin-lti platform add|list|activate|invite``: LMS platforms registered with the tool.

``invite`` prints a one-time dynamic-registration URL as the LAST line of its output (an
administrator pastes it into Moodle's "Tool URL" field; scripts take it with ``tail -n1``).
"""

from __future__ import annotations

import json

import click
from flask import Flask

from etwin_lti.cli import container, with_app
from etwin_lti.domain.registrations import Deployment, Platform, PlatformRegistration
from etwin_lti.lti.tool_configuration import tool_urls
from etwin_lti.services.registrations import add_platform


def _platform_json(platform: Platform, deployments: list[Deployment]) -> dict[str, object]:
    return {
        "id": platform.id,
        "name": platform.name,
        "issuer": platform.issuer,
        "client_id": platform.client_id,
        "auth_login_url": platform.auth_login_url,
        "auth_token_url": platform.auth_token_url,
        "key_set_url": platform.key_set_url,
        "product": platform.product,
        "deployments": [
            {"deployment_id": d.deployment_id, "active": d.active} for d in deployments
        ],
    }


def register(main: click.Group) -> None:
    @main.group()
    def platform() -> None:
        """LMS platforms (issuer, client_id) and their deployments."""

    @platform.command("add")
    @click.option("--issuer", required=True, help="The platform's issuer (Moodle: its wwwroot).")
    @click.option("--client-id", required=True)
    @click.option("--name", required=True, help="A name for administrators.")
    @click.option("--auth-login-url", required=True, help="OIDC authorization endpoint.")
    @click.option("--auth-token-url", required=True, help="OAuth 2 token endpoint.")
    @click.option("--key-set-url", required=True, help="The platform's public keyset (JWKS).")
    @click.option(
        "--deployment", "deployments", multiple=True, help="A deployment id (active). Repeatable."
    )
    @with_app
    def add(
        app: Flask,
        issuer: str,
        client_id: str,
        name: str,
        auth_login_url: str,
        auth_token_url: str,
        key_set_url: str,
        deployments: tuple[str, ...],
    ) -> None:
        """Register a platform by hand (Moodle: values from its "Tool configuration details")."""
        registration = PlatformRegistration(
            issuer=issuer,
            client_id=client_id,
            name=name,
            auth_login_url=auth_login_url,
            auth_token_url=auth_token_url,
            key_set_url=key_set_url,
        )
        result = add_platform(
            container(app).registrations, registration, deployment_ids=deployments
        )
        listed = ", ".join(deployments) or "none yet (the first launch records it inactive)"
        click.echo(f"added platform {result.platform.id}: {name} ({issuer}, client {client_id})")
        click.echo(f"active deployments: {listed}")

    @platform.command("list")
    @click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
    @with_app
    def list_command(app: Flask, as_json: bool) -> None:
        """Platforms with their deployments and whether each is active."""
        store = container(app).registrations
        rows = [(p, store.list_deployments(p.id)) for p in store.list_platforms()]
        if as_json:
            click.echo(json.dumps([_platform_json(p, d) for p, d in rows], indent=2))
            return
        if not rows:
            click.echo("no platform registered yet (etwin-lti platform add | invite)")
        for item, deployments in rows:
            click.echo(f"{item.id}\t{item.name}\t{item.issuer}\tclient {item.client_id}")
            for deployment in deployments:
                state = "active" if deployment.active else "INACTIVE"
                click.echo(f"\tdeployment {deployment.deployment_id}\t{state}")

    @platform.command("activate")
    @click.argument("platform_id", type=int)
    @click.argument("deployment_id")
    @with_app
    def activate(app: Flask, platform_id: int, deployment_id: str) -> None:
        """Allow launches from a deployment recorded inactive."""
        deployment = container(app).registrations.activate_deployment(platform_id, deployment_id)
        click.echo(f"deployment {deployment.deployment_id} of platform {platform_id} is active")

    @platform.command("invite")
    @click.option(
        "--ttl-hours",
        default=24,
        show_default=True,
        type=click.IntRange(1, 30 * 24),
        help="How long the URL stays valid.",
    )
    @with_app
    def invite(app: Flask, ttl_hours: int) -> None:
        """Print a one-time LTI Dynamic Registration URL (last line) to paste into the LMS."""
        c = container(app)
        created = c.registrations.create_invite(ttl_seconds=ttl_hours * 3600)
        click.echo(f"one-time registration URL, valid until {created.expires_at.isoformat()}:")
        click.echo(f"{tool_urls(c.settings.base_url).register}?invite={created.token}")
