"""Mount the sandbox LMS at ``/sandbox/`` inside the tool (``serve --demo`` only).

The sandbox is "the LMS": it reaches the tool over HTTP like any platform. The tool's side of
the arrangement is here: the sandbox offers the demo resources (looked up through the hub at
page time, since demo data is loaded after the app is built), and an ``on_serve`` step
registers the sandbox with the tool (platform + active deployment) so that a launch works on
the first click.

The sandbox plays a school's Moodle that also hosts the NSO's distance course: TwinSpaces are
placed in the class (a school course: learners are pupils), Learning Events and course units in
the distance course (a teacher-training course: learners are teachers, trainees), whose own
trainer and trainees are in that course only, as pupils and parents are in the class only.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path

from flask import Flask

from etwin_lti.container import Container
from etwin_lti.domain.audiences import Audience
from etwin_lti.domain.launch_ports import RolePolicyStore
from etwin_lti.domain.ports import HubPort, RegistrationStore
from etwin_lti.domain.registrations import PlatformRegistration
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
from etwin_lti.sandbox.model import (
    DEFAULT_CONTEXTS,
    DEFAULT_USERS,
    TRAINING_CONTEXTS,
    TRAINING_COURSE,
    TRAINING_USERS,
)
from etwin_lti.services.registrations import RegistrationResult, ensure_platform
from etwin_lti.services.resource_binding import ResourceResolver
from etwin_lti.services.sandbox_targets import LaunchTarget, demo_launch_targets

log = logging.getLogger(__name__)
SANDBOX_PATH = "/sandbox"
CLASS = DEFAULT_CONTEXTS[0].id
# Pupils and parents are in the class only; the teachers may be in both courses.
USERS = (
    *(
        replace(u, contexts=(CLASS,)) if u.label in ("pupil", "mentor") else u
        for u in DEFAULT_USERS
    ),
    *(replace(u, contexts=(TRAINING_COURSE,)) for u in TRAINING_USERS),
)


def mount_sandbox(app: Flask, container: Container) -> SandboxPlatform:
    settings = container.settings
    keys = PlatformKeys.load_or_create(Path(settings.instance_path) / "sandbox-platform-key.pem")
    demo = DemoResources(container.hub, container.resource_bindings)
    platform = SandboxPlatform(
        SandboxSettings(
            base_url=settings.base_url + SANDBOX_PATH,
            tool_base_url=settings.base_url,
            keys=keys,
            users=USERS,
            contexts=(*DEFAULT_CONTEXTS, *TRAINING_CONTEXTS),
            resource_provider=demo,
            reference_for=demo.reference_for,
            share_names=True,
            share_email=False,
            storage_target="lti_storage",  # the demo LMS offers client-side storage
            http_timeout_seconds=settings.http_timeout_seconds,
        )
    )
    demo.sandbox = platform
    app.register_blueprint(create_sandbox_blueprint(platform))

    def register_sandbox_platform() -> None:
        _register_or_warn(container.registrations, container.role_policies, platform)

    container.on_serve.add(register_sandbox_platform)
    return platform


def _register_or_warn(
    store: RegistrationStore, role_policies: RolePolicyStore, platform: SandboxPlatform
) -> None:
    try:
        register_sandbox(store, platform, role_policies)
    except EtwinLtiError as error:
        # e.g. `serve --demo --host 0.0.0.0`: http:// is accepted on loopback names only.
        log.warning(
            "the sandbox LMS could not be registered with the tool (%s %s); serve it on "
            "127.0.0.1 or localhost, or with ETWIN_BASE_URL set to an https:// address",
            error.description,
            error.errors,
        )


def register_sandbox(
    store: RegistrationStore,
    platform: SandboxPlatform,
    role_policies: RolePolicyStore | None = None,
) -> RegistrationResult:
    """Register the sandbox with the tool, as an administrator would (idempotent), with its
    distance course as a teacher-training course."""
    client = platform.get_client()
    registration = PlatformRegistration(
        issuer=platform.issuer,
        client_id=client.client_id,
        name="Sandbox LMS (demo)",
        auth_login_url=platform.urls["authorization_endpoint"],
        auth_token_url=platform.urls["token_endpoint"],
        key_set_url=platform.urls["jwks_uri"],
    )
    result = ensure_platform(store, registration, deployment_id=client.deployment_id)
    if role_policies is not None:
        role_policies.set_audience(
            result.platform.id, Audience.TRAINING, context_id=TRAINING_COURSE
        )
    return result


class DemoResources:
    """The sandbox's resource provider: the demo resources, looked up once in the hub, then kept
    with the sandbox of this app (a module-level cache keyed by id(container) would hand a new
    app the targets of a collected one with the same id). TwinSpaces go to the class, Learning
    Events and course units to the distance course.

    Each is placed as the picker would have: with the tool-signed reference, in custom and in
    the activity's URL, so that the first launch binds the activity to the resource. Signing
    needs the sandbox's issuer and deployment, so ``mount_sandbox`` hands the platform over
    once it is built (``sandbox``); the provider is called only by that platform's pages."""

    def __init__(self, hub: HubPort, references: ResourceResolver) -> None:
        self._hub = hub
        self._references = references
        self._targets: list[LaunchTarget] | None = None
        self.sandbox: SandboxPlatform | None = None

    def __call__(self) -> list[SandboxResource]:
        if self.sandbox is None:
            return []
        if self._targets is None:
            try:
                self._targets = demo_launch_targets(self._hub)
            except EtwinLtiError:
                log.warning("the demo resources could not be found for the sandbox")
                return []
        client = self.sandbox.get_client()
        resources = []
        for t in self._targets:
            context = CLASS if t.kind == "twinspace" else TRAINING_COURSE
            token = self.reference_for(
                t.etwin_resource, self.sandbox.issuer, client.deployment_id, context
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

    def reference_for(
        self, etwin_resource: str, issuer: str, deployment_id: str, context_id: str
    ) -> str | None:
        """The tool-signed reference of a demo activity placed in the sandbox LMS. The sandbox
        is mounted by ``serve --demo`` only, where its users already launch as anyone."""
        try:
            resource = parse_resource(etwin_resource)
        except EtwinLtiError:
            return None
        return self._references.reference(
            ResourceReference(resource, issuer, deployment_id, context_id, chosen_by=None)
        )
