"""Our tool as the launch benchmark (and the soak) serve it: its environment, and its
database prepared in this process before gunicorn starts (migrated, the bench platform and
its active deployment registered, a TwinSpace of the asked size)."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from bench.launch_platform import CLIENT_ID, DEPLOYMENT_ID, ISSUER, USERS
from bench.support import LOOPBACK, SECRET, seed_twinspace
from etwin_lti.domain.registrations import PlatformRegistration


def tool_env(database_url: str, base_url: str, instance: Path, redis_url: str | None) -> dict:
    env = {
        "ETWIN_DATABASE_URL": database_url,
        "ETWIN_SECRET_KEY": SECRET,
        "ETWIN_BASE_URL": base_url,
        "ETWIN_INSTANCE_PATH": str(instance),
        # A lab on loopback (the outbound guard's setting), measuring the launch path itself
        # rather than the abuse limits that would throttle one address launching this often.
        "ETWIN_ALLOW_PRIVATE_URLS": "true",
        "ETWIN_RATE_LIMITS_ENABLED": "false",
    }
    if redis_url:
        env["ETWIN_REDIS_URL"] = redis_url
    return env


def prepare_tool(env: dict[str, str], jwks_url: str, members: int = 0) -> str:
    """Migrate, register the platform and its active deployment, create a TwinSpace of about
    ``members`` members (pupils added as a roster sync would; the launching learners make up
    the rest); return the ``etwin_resource`` the launches open. Done in this process before
    gunicorn starts."""
    from etwin_lti.app import create_app
    from etwin_lti.cli.db import upgrade_database

    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        app = create_app()
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    container = app.extensions["etwin"]
    logging.getLogger("alembic").setLevel(logging.WARNING)
    try:
        upgrade_database(app)
        registrations = container.registrations
        platform = registrations.add_platform(
            PlatformRegistration(
                issuer=ISSUER,
                client_id=CLIENT_ID,
                name="Bench LMS",
                auth_login_url=f"http://{LOOPBACK}:9/auth",  # never called: the bench mints
                auth_token_url=f"http://{LOOPBACK}:9/token",
                key_set_url=jwks_url,
            )
        )
        registrations.add_deployment(platform.id, DEPLOYMENT_ID, active=True)
        twinspace_id = seed_twinspace(container)
        seed_members(container.hub, twinspace_id, members - USERS - 2)  # 2 founders
        return f"twinspace:{twinspace_id}"
    finally:
        container.database.dispose()
        if hasattr(container.kv_cache, "close"):
            container.kv_cache.close()


def seed_members(hub: Any, twinspace_id: int, count: int) -> None:
    """``count`` pupils in the TwinSpace, through the hub as the roster sync adds them, so that
    the page the launch leads to is that of a big class (issue 11: 1,000 members)."""
    from etwin_lti.domain.model import PersonKind, TwinSpaceRole

    for n in range(max(0, count)):
        person = hub.create_person(f"Pupil {n:05d}", PersonKind.PUPIL)
        hub.sync_member(twinspace_id, person.id, TwinSpaceRole.PUPIL)
