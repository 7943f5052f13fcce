"""``etwin-lti platform roles PLATFORM_ID [--set LTI_ROLE=TWINSPACE_ROLE] [--reset LTI_ROLE]``:
show or edit a platform's LTI → eTwinning role mapping (DESIGN.md "Role mapping")."""

from __future__ import annotations

import click
from flask import Flask

from etwin_lti.cli import container, with_app
from etwin_lti.errors import InvalidInputError
from etwin_lti.lti.roles import DEFAULT_POLICY, validate_override


def register(main: click.Group) -> None:
    platform = main.commands.get("platform")
    if not isinstance(platform, click.Group):

        @main.group("platform")
        def platform_group() -> None:
            """LMS platforms registered with the tool."""

        platform = platform_group

    @platform.command("roles")
    @click.argument("platform_id", type=int)
    @click.option("--set", "edits", multiple=True, metavar="LTI_ROLE=TWINSPACE_ROLE")
    @click.option("--reset", "resets", multiple=True, metavar="LTI_ROLE")
    @with_app
    def roles(
        app: Flask, platform_id: int, edits: tuple[str, ...], resets: tuple[str, ...]
    ) -> None:
        """Show the role mapping; --set changes one entry ("none" refuses the role), --reset
        returns it to the default."""
        c = container(app)
        c.registrations.get_platform(platform_id)  # 404 for an unknown platform
        pairs = []
        for edit in edits:
            lti_role, sep, value = edit.partition("=")
            if not sep:
                raise InvalidInputError(
                    errors={"set": [f"'{edit}' is not LTI_ROLE=TWINSPACE_ROLE"]}
                )
            pairs.append(validate_override(lti_role, value))
        for lti_role, value in pairs:
            c.role_policies.set_override(platform_id, lti_role, value)
        for lti_role in resets:
            c.role_policies.clear_override(platform_id, lti_role.strip())
        overrides = c.role_policies.overrides(platform_id)
        for lti_role, value in sorted({**DEFAULT_POLICY, **overrides}.items()):
            mark = "" if DEFAULT_POLICY.get(lti_role) == value else "  (edited)"
            click.echo(f"{lti_role}\t{value}{mark}")
        click.echo("institution/system Administrator only\ttool administrator, no membership")
