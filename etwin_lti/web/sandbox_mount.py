"""Mount the sandbox LMS at ``/sandbox/`` inside the tool (``serve --demo`` only).

The sandbox is "the LMS": it reaches the tool over HTTP like any platform. The tool's side of
the arrangement is here: the sandbox offers the demo resources (looked up through the hub at
page time, since demo data is loaded after the app is built), and an ``on_serve`` step
registers the sandbox with the tool (platform + active deployment) so that a launch works on
the first click.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from flask import Flask

from etwin_lti.errors import EtwinLtiError
from etwin_lti.lti.resource_reference import ResourceReference, url_with_reference
from etwin_lti.lti.resources import parse_resource
from etwin_lti.sandbox import (
    PlatformKeys,
    SandboxPlatform,
    SandboxResource,
    SandboxSettings,
    create_sandbox_blueprint,
)
from etwin_lti.services.registrations import RegistrationResult, ensure_platform
from etwin_lti.services.sandbox_targets import LaunchTarget, demo_launch_targets

log = logging.getLogger(__name__)
SANDBOX_PATH = "/sandbox"


def mount_sandbox(app: Flask, container: Any) -> SandboxPlatform:
    settings = container.settings
    keys = PlatformKeys.load_or_create(Path(settings.instance_path) / "sandbox-platform-key.pem")
    platform = SandboxPlatform(
        SandboxSettings(
            base_url=settings.base_url + SANDBOX_PATH,
            tool_base_url=settings.base_url,
            keys=keys,
            resource_provider=lambda: demo_resources(container),
            reference_for=lambda *place: placed_reference(container, *place),
            share_names=True,
            share_email=False,
            http_timeout_seconds=settings.http_timeout_seconds,
        )
    )
    container.services["sandbox_platform"] = platform
    app.register_blueprint(create_sandbox_blueprint(platform))
    container.services.setdefault("on_serve", []).append(
        lambda _app: _register_or_warn(container.registrations, platform)
    )
    return platform


def _register_or_warn(store: Any, platform: SandboxPlatform) -> None:
    try:
        register_sandbox(store, platform)
    except EtwinLtiError as error:
        # e.g. `serve --demo --host 0.0.0.0`: http:// is accepted on loopback names only.
        log.warning(
            "the sandbox LMS could not be registered with the tool (%s %s); serve it on "
            "127.0.0.1 or localhost, or with ETWIN_BASE_URL set to an https:// address",
            error.description,
            error.errors,
        )


def register_sandbox(store: Any, platform: SandboxPlatform) -> RegistrationResult:
    """Register the sandbox with the tool, as an administrator would (idempotent)."""
    client = platform.get_client()
    return ensure_platform(
        store,
        issuer=platform.issuer,
        client_id=client.client_id,
        name="Sandbox LMS (demo)",
        auth_login_url=platform.urls["authorization_endpoint"],
        auth_token_url=platform.urls["token_endpoint"],
        key_set_url=platform.urls["jwks_uri"],
        deployment_id=client.deployment_id,
    )


def demo_resources(container: Any) -> list[SandboxResource]:
    hub = container.services.get("hub")
    if hub is None:
        return []
    # Looked up once, then kept with the container it belongs to (a module-level dict keyed by
    # id(container) would hand a new container the targets of a collected one with the same id).
    targets: list[LaunchTarget] | None = container.services.get("sandbox_demo_targets")
    if targets is None:
        try:
            targets = container.services["sandbox_demo_targets"] = demo_launch_targets(hub)
        except EtwinLtiError:
            log.warning("the demo resources could not be found for the sandbox")
            return []
    context = "course-7b"
    sandbox: SandboxPlatform = container.services["sandbox_platform"]
    client = sandbox.get_client()
    resources = []
    for t in targets:
        # Placed as the picker would have: with the tool-signed reference, in custom and in
        # the activity's URL, so that the first launch binds the activity to the resource.
        token = placed_reference(
            container, t.etwin_resource, sandbox.issuer, client.deployment_id, context
        )
        custom = {"etwin_resource": t.etwin_resource}
        url = None
        if token:
            custom["etwin_ref"] = token
            url = url_with_reference(client.target_link_uri, token)
        resources.append(
            SandboxResource(
                id=f"demo-{t.kind}-{t.id}",
                title=t.title,
                context_id=context,
                custom=custom,
                kind=t.kind,
                url=url,
            )
        )
    return resources


def placed_reference(
    container: Any, etwin_resource: str, issuer: str, deployment_id: str, context_id: str
) -> str | None:
    """The tool-signed reference of a demo activity placed in the sandbox LMS. The sandbox is
    mounted by ``serve --demo`` only, where its users already launch as anyone they like."""
    try:
        resource = parse_resource(etwin_resource)
    except EtwinLtiError:
        return None
    reference = ResourceReference(resource, issuer, deployment_id, context_id, chosen_by=None)
    token: str = container.resource_bindings.reference(reference)
    return token
