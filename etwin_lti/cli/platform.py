"""``etwin-lti platform add|list|activate|invite|audience``: LMS platforms registered with the
tool.

``invite`` prints a one-time dynamic-registration URL as the LAST line of its output (an
administrator pastes it into Moodle's "Tool URL" field; scripts take it with ``tail -n1``).
"""

from __future__ import annotations

import json

import click
from flask import Flask

from etwin_lti.cli import container, with_app
from etwin_lti.domain.audiences import Audience, parse_audience
from etwin_lti.domain.registrations import Deployment, Platform, PlatformRegistration
from etwin_lti.lti.tool_configuration import tool_urls
from etwin_lti.services.registrations import add_platform


def _platform_json(
    platform: Platform, deployments: list[Deployment], audiences: dict[str | None, Audience]
) -> dict[str, object]:
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
        "audience": audiences.get(None, Audience.SCHOOL).value,
        "course_audiences": {k: v.value for k, v in audiences.items() if k is not None},
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
        store, policies = container(app).registrations, container(app).role_policies
        rows = [
            (p, store.list_deployments(p.id), policies.audiences(p.id))
            for p in store.list_platforms()
        ]
        if as_json:
            click.echo(json.dumps([_platform_json(*row) for row in rows], indent=2))
            return
        if not rows:
            click.echo("no platform registered yet (etwin-lti platform add | invite)")
        for item, deployments, audiences in rows:
            audience = audiences.get(None, Audience.SCHOOL).value
            click.echo(
                f"{item.id}\t{item.name}\t{item.issuer}\tclient {item.client_id}\t"
                f"audience {audience}"
            )
            for deployment in deployments:
                state = "active" if deployment.active else "INACTIVE"
                click.echo(f"\tdeployment {deployment.deployment_id}\t{state}")
            for course, own in sorted((k, v) for k, v in audiences.items() if k is not None):
                click.echo(f"\tcourse {course}\taudience {own.value}")

    @platform.command("activate")
    @click.argument("platform_id", type=int)
    @click.argument("deployment_id")
    @with_app
    def activate(app: Flask, platform_id: int, deployment_id: str) -> None:
        """Allow launches from a deployment recorded inactive."""
        deployment = container(app).registrations.activate_deployment(platform_id, deployment_id)
        click.echo(f"deployment {deployment.deployment_id} of platform {platform_id} is active")

    @platform.command("audience")
    @click.argument("platform_id", type=int)
    @click.argument("audience", type=click.Choice(["school", "training"]))
    @click.option(
        "--course",
        "context_id",
        default=None,
        help="Only this course (its LTI context id); without it, the whole platform.",
    )
    @with_app
    def audience(app: Flask, platform_id: int, audience: str, context_id: str | None) -> None:
        """Whom the platform serves: a school LMS (learners are pupils) or a teacher-training
        LMS (everyone is a teacher: learners are trainees and event participants)."""
        c = container(app)
        platform = c.registrations.get_platform(platform_id)
        chosen = parse_audience(audience)
        c.role_policies.set_audience(platform.id, chosen, context_id=context_id)
        where = f"course {context_id} of " if context_id else ""
        click.echo(f"{where}platform {platform.id} ({platform.name}) is a {chosen.value} LMS")

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
