"""``etwin-lti bind PLATFORM_ID DEPLOYMENT_ID CONTEXT_ID RESOURCE_LINK_ID RESOURCE``: the tool
administrator ties one LMS activity to an eTwinning resource by hand (bound resources, issue
9), e.g. an activity added before references existed. Whatever the activity had (unbound,
pending, declined, another resource), it opens RESOURCE from its next launch."""

from __future__ import annotations

import click
from flask import Flask

from etwin_lti.cli import container, with_app
from etwin_lti.domain.resource_bindings import LinkKey
from etwin_lti.lti.resources import parse_resource


def register(main: click.Group) -> None:
    @main.command("bind")
    @click.argument("platform_id", type=int)
    @click.argument("deployment_id")
    @click.argument("context_id")
    @click.argument("resource_link_id")
    @click.argument("resource", metavar="RESOURCE (twinspace:<id>, event:<id>, unit:<id>)")
    @with_app
    def bind(
        app: Flask,
        platform_id: int,
        deployment_id: str,
        context_id: str,
        resource_link_id: str,
        resource: str,
    ) -> None:
        """Bind an LMS activity (its course's context id and its resource link id, as the
        LMS sends them) to a resource."""
        c = container(app)
        platform = c.registrations.get_platform(platform_id)  # 404 for an unknown platform
        key = LinkKey(platform.id, deployment_id, context_id, resource_link_id)
        binding = c.resource_bindings.bind(key, parse_resource(resource))
        click.echo(
            f"bound {platform.name} deployment {deployment_id}, course {context_id}, "
            f"activity {resource_link_id} -> {binding.resource}"
        )
