"""The composition root: the one place that picks real adapters for the ports.

``bootstrap(settings)`` builds a ``Container`` of ready-to-use services. Tests build the app
through the same function (with test settings) so that they exercise the real wiring.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from etwin_lti.persistence.db import Database
from etwin_lti.settings import Settings


@dataclass
class Container:
    settings: Settings
    database: Database
    # Filled by the build_* functions below; typed loosely here to keep this module small.
    services: dict[str, Any] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        try:
            return self.__dict__["services"][name]
        except KeyError:
            raise AttributeError(name) from None


def bootstrap(settings: Settings) -> Container:
    database = Database(settings.database_url)
    container = Container(settings=settings, database=database)
    build_hub(container)
    build_remote_hub(container)
    build_api_tokens(container)
    build_registrations(container)
    build_launch(container)
    build_lti_services(container)
    build_moodle(container)
    build_deep_linking(container)
    build_passback(container)
    build_privacy(container)
    return container


def build_launch(container: Container) -> None:
    """The LTI launch (issue 3): shared cache (Redis when ETWIN_REDIS_URL is set, else the
    database), platform JWKS over one requests.Session, tool keys, identities, launch sessions,
    per-platform role policy, and the LaunchService over them. Adds the first tool key after
    ``db upgrade``."""
    import requests

    from connectors.kv_cache import RedisKeyValueCache, SqlKeyValueCache
    from connectors.platform_jwks import HttpPlatformKeySource
    from connectors.sql_identities import SqlIdentityStore
    from connectors.sql_launch_sessions import SqlLaunchSessionStore
    from connectors.sql_role_policy import SqlRolePolicyStore
    from connectors.sql_tool_keys import SqlToolKeyStore
    from etwin_lti.services.launches import LaunchConfig, LaunchService
    from etwin_lti.services.provisioning import Provisioner

    settings, database, services = container.settings, container.database, container.services
    cache = (
        RedisKeyValueCache.from_url(
            settings.redis_url, timeout_seconds=settings.http_timeout_seconds
        )
        if settings.redis_url
        else SqlKeyValueCache(database)
    )
    jwks_session = requests.Session()
    jwks_session.headers["User-Agent"] = "etwin-lti (platform key sets)"
    services["kv_cache"] = cache
    services["platform_keys"] = HttpPlatformKeySource(
        cache,
        jwks_session,
        timeout_seconds=settings.http_timeout_seconds,
        min_refetch_seconds=settings.jwks_min_refetch_seconds,
    )
    services["tool_keys"] = SqlToolKeyStore(
        database, overlap_days=settings.key_rotation_overlap_days
    )
    services["identities"] = SqlIdentityStore(database)
    services["launch_sessions"] = SqlLaunchSessionStore(database)
    services["role_policies"] = SqlRolePolicyStore(database)
    # One way in for people, shared by the launch and roster sync; the roster source (NRPS,
    # built with the LTI service clients) tells an enrolled LMS administrator from a visitor.
    services["provisioner"] = Provisioner(
        services["identities"],
        store_pupil_names=settings.store_pupil_names,
        roster_source=lambda: services.get("roster_source"),
    )
    from connectors.sql_resource_links import SqlResourceLinkStore

    services["resource_links"] = SqlResourceLinkStore(database)
    services["launches"] = LaunchService(
        LaunchConfig(
            base_url=settings.base_url,
            leeway_seconds=settings.launch_leeway_seconds,
            session_seconds=settings.launch_session_seconds,
            store_pupil_names=settings.store_pupil_names,
        ),
        registrations=services["registrations"],
        cache=cache,
        platform_keys=services["platform_keys"],
        identities=services["identities"],
        hub=lambda: container.hub,
        sessions=services["launch_sessions"],
        role_policies=services["role_policies"],
        provisioner=services["provisioner"],
        record_links=True,
    )
    # pylti1p3 for the messages the tool sends (deep-link responses, service assertions).
    from connectors.pylti1p3_tool import RegistrationToolConf

    services["lti_tool_conf"] = RegistrationToolConf(
        services["registrations"], services["tool_keys"]
    )
    services.setdefault("after_upgrade", []).append(services["tool_keys"].ensure_signing_key)


def build_lti_services(container: Container) -> None:
    """LTI Advantage service clients (issue 4): access tokens shared through the launch's
    cache (database or Redis), NRPS roster sync."""
    import requests

    from connectors.lti_access_tokens import AccessTokenProvider

    settings, services = container.settings, container.services
    session = requests.Session()
    session.headers["User-Agent"] = "etwin-lti (LTI Advantage services)"
    services["access_tokens"] = AccessTokenProvider(
        services["registrations"],
        services["tool_keys"],
        services["kv_cache"],
        session,
        timeout=settings.http_timeout_seconds,
    )
    from connectors.nrps_client import HttpNrpsClient
    from etwin_lti.services.roster_sync import RosterSyncService

    services["roster_source"] = HttpNrpsClient(services["access_tokens"])
    services["roster_sync"] = RosterSyncService(
        resource_links=services["resource_links"],
        registrations=services["registrations"],
        roster_source=services["roster_source"],
        identities=services["identities"],
        hub=lambda: container.hub,
        role_policies=services["role_policies"],
        cache=services["kv_cache"],
        store_pupil_names=settings.store_pupil_names,
        provisioner=services["provisioner"],
    )


def build_passback(container: Container) -> None:
    """Progress passback and the task queue (issue 4 items 3-4): the score outbox, the AGS
    client over the shared access tokens, and huey (SQLite file in the instance folder, or
    Redis with ETWIN_QUEUE=redis). ``serve`` on the embedded default runs a worker in-process."""
    import os
    from datetime import UTC, datetime

    from connectors.ags_client import HttpAgsClient
    from connectors.sql_score_outbox import SqlLineItemMemory, SqlScoreOutbox
    from connectors.task_queue import HueyTaskQueue, QueueHandlers, QueueIntervals, make_huey
    from etwin_lti.domain.passback import RetryPolicy
    from etwin_lti.services.passback import PassbackConfig, PassbackService

    settings, services = container.settings, container.services
    services["passback"] = PassbackService(
        PassbackConfig(
            policy=RetryPolicy(
                max_attempts=settings.passback_max_attempts,
                base_seconds=settings.passback_backoff_seconds,
                cap_seconds=settings.passback_backoff_cap_seconds,
            ),
            lease_seconds=settings.passback_lease_seconds,
        ),
        outbox=SqlScoreOutbox(container.database),
        resource_links=services["resource_links"],
        ags_client=HttpAgsClient(services["access_tokens"]),
        line_items=SqlLineItemMemory(container.database, clock=lambda: datetime.now(UTC)),
        queue=lambda: container.task_queue,
    )

    def handlers() -> QueueHandlers:
        roster_sync = services.get("roster_sync")
        return QueueHandlers(
            post_score=services["passback"].post,
            sweep_outbox=services["passback"].sweep,
            poll_moodle=lambda: services["moodle"].poll(now=lambda: datetime.now(UTC)),
            sync_all_rosters=roster_sync.sync_all if roster_sync is not None else None,
            purge_personal_data=lambda: services["privacy"].purge(now=datetime.now(UTC)),
        )

    queue_path = settings.queue_path or os.path.join(settings.instance_path, "queue.sqlite")
    services["task_queue"] = HueyTaskQueue(
        lambda: make_huey(
            backend=settings.queue, sqlite_path=queue_path, redis_url=settings.redis_url
        ),
        handlers,
        QueueIntervals(
            sweep_minutes=settings.passback_sweep_minutes,
            roster_sync_minutes=settings.roster_sync_minutes,
            moodle_poll_minutes=settings.moodle_poll_minutes,
        ),
    )
    if settings.queue == "embedded":

        def start_worker(_app: Any) -> None:
            services["worker"] = services["task_queue"].start_worker(
                workers=settings.worker_threads
            )

        services.setdefault("on_serve", []).append(start_worker)


def build_privacy(container: Container) -> None:
    """Export, erasure and the retention purge over every table holding personal data
    (docs/decisions/0007). With a remote hub (ETWIN_HUB_URL) the people live there: refused."""
    import secrets

    from connectors.sql_privacy import SqlPrivacyStore
    from etwin_lti.services.badges import BadgeUrls, recipient_key
    from etwin_lti.services.privacy import PrivacyConfig, PrivacyService

    settings = container.settings
    container.services["privacy"] = PrivacyService(
        PrivacyConfig(
            urls=BadgeUrls(settings.base_url),
            recipient_key=recipient_key(settings.secret_key),
            retention_days=settings.suspended_retention_days,
            hub_is_local=not settings.hub_url,
        ),
        SqlPrivacyStore(container.database),
        pseudonym_tag=lambda: secrets.token_hex(2),
    )


def build_deep_linking(container: Container) -> None:
    """The Deep Linking 2.0 picker (issue 4): responses signed by pylti1p3 over our registration
    and tool key (docs/decisions/0002)."""
    from connectors.pylti1p3_deep_linking import Pylti1p3DeepLinkSigner
    from etwin_lti.services.deep_linking import DeepLinkingService

    services = container.services
    services["deep_linking"] = DeepLinkingService(
        base_url=container.settings.base_url,
        hub=lambda: container.hub,
        registrations=services["registrations"],
        signer=Pylti1p3DeepLinkSigner(services["lti_tool_conf"]),
    )


def build_moodle(container: Container) -> None:
    """Moodle sites (tokens encrypted with a key derived from ETWIN_SECRET_KEY), mappings and
    the completion poller (issue 5). One requests.Session for every Moodle client."""
    import requests

    from moodle_bridge.bridge import MoodleBridge
    from moodle_bridge.sites import SqlMoodleSiteStore

    settings = container.settings
    container.services["moodle"] = MoodleBridge(
        SqlMoodleSiteStore(container.database, settings.secret_key),
        hub=lambda: container.hub,
        identities=lambda: container.identities,
        session=requests.Session(),
        timeout=settings.http_timeout_seconds,
    )


def build_registrations(container: Container) -> None:
    """LTI platforms, deployments and dynamic-registration invites (issue 3)."""
    import requests

    from connectors.platform_registration import HttpPlatformRegistrationClient
    from connectors.sql_registrations import SqlRegistrationStore
    from etwin_lti.services.registrations import DynamicRegistrationService

    settings = container.settings
    store = SqlRegistrationStore(container.database)
    container.services["registrations"] = store
    container.services["dynamic_registration"] = DynamicRegistrationService(
        store,
        HttpPlatformRegistrationClient(requests.Session(), timeout=settings.http_timeout_seconds),
        base_url=settings.base_url,
        store_pupil_names=settings.store_pupil_names,
        # http:// configuration URLs on localhost only for the test suite and the demo sandbox.
        allow_loopback_http=settings.testing or settings.demo,
    )


def build_remote_hub(container: Container) -> None:
    """With ETWIN_HUB_URL, the hub is another instance's REST API instead of the local one."""
    settings = container.settings
    if not settings.hub_url:
        return
    from connectors.http_hub import HttpHubConnector, hub_session

    assert settings.hub_token is not None  # Settings.check
    container.services["hub"] = HttpHubConnector(
        settings.hub_url,
        settings.hub_token,
        session=hub_session(),
        read_timeout=settings.http_timeout_seconds,
    )


def build_api_tokens(container: Container) -> None:
    """REST API tokens (hashes only) in the tool's own database."""
    from connectors.sql_api_tokens import SqlApiTokenStore

    container.services["api_tokens"] = SqlApiTokenStore(container.database)


def build_hub(container: Container) -> None:
    """The eTwinning hub: the local database implementation is the embedded default."""
    from connectors.local_hub import LocalHub
    from connectors.sql_score_outbox import CompletionOutbox

    # A completion writes its pending AGS scores in its own transaction (build_passback).
    hub = LocalHub(
        container.database,
        completion_listeners=[CompletionOutbox(lambda: container.task_queue)],
    )
    container.services["hub"] = hub
    # The country list is versioned data shipped with the package: loaded after every upgrade.
    container.services.setdefault("after_upgrade", []).append(hub.seed_countries)
    if container.settings.demo:

        def load_demo_data(_app: Any) -> None:
            from etwin_lti.services.demo import load_demo

            load_demo(container.hub)  # whichever hub bootstrap settled on

        container.services.setdefault("on_serve", []).append(load_demo_data)
