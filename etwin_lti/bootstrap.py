"""The composition root: the one place that picks real adapters for the ports.

``bootstrap(settings)`` builds the ``Container`` (``etwin_lti.container``) in plain dependency
order: each part is built once, after what it needs, and handed over as a value. Tests build
the app through the same function (with test settings) so that they exercise the real wiring.

The one cycle in the graph is the task queue's: completions (the hub) and passback put work on
the queue, and the queue's tasks run passback, roster sync, the Moodle poll and the privacy purge.
The queue is built first, with no tasks to run; its handlers are attached last, once those use
cases exist (``HueyTaskQueue.attach``). Nothing can run a task before that: huey, and so every
worker, is created on the queue's first use.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial

from connectors.ags_client import HttpAgsClient
from connectors.file_stores import LocalFileStore, S3FileStore
from connectors.folder_mail import FolderMailSender
from connectors.http_hub import HttpHubConnector, hub_session
from connectors.http_hub.progress import RemoteProgressStore
from connectors.kv_cache import RedisKeyValueCache, SqlKeyValueCache
from connectors.local_hub import LocalHub
from connectors.local_hub.progress import LocalProgressStore
from connectors.lti_access_tokens import MEMO_SECONDS, AccessTokenProvider
from connectors.memoized_stores import (
    MemoizedIdentityStore,
    MemoizedRegistrationStore,
    MemoizedResourceBindingStore,
    MemoizedRolePolicyStore,
    memoize_launch_reads,
)
from connectors.nrps_client import HttpNrpsClient
from connectors.outbound_guard import guarded_session
from connectors.platform_jwks import HttpPlatformKeySource
from connectors.platform_registration import HttpPlatformRegistrationClient
from connectors.pylti1p3_deep_linking import Pylti1p3DeepLinkSigner
from connectors.pylti1p3_tool import RegistrationToolConf
from connectors.smtp_mail import SmtpMailSender, SmtpSettings
from connectors.sql_api_tokens import SqlApiTokenStore
from connectors.sql_audit import SqlAuditLog
from connectors.sql_launch_sessions import SqlLaunchSessionStore
from connectors.sql_privacy import SqlPrivacyStore
from connectors.sql_resource_links import SqlResourceLinkStore
from connectors.sql_score_outbox import SqlLineItemMemory, SqlScoreOutbox, outbox_backlog
from connectors.sql_teacher_accounts import SqlTeacherAccounts
from connectors.sql_tool_keys import SqlToolKeyStore
from connectors.task_queue import HueyTaskQueue, QueueHandlers, QueueIntervals, make_huey
from etwin_lti.container import Container, Steps
from etwin_lti.domain.cache import KeyValueCache
from etwin_lti.domain.files import MB
from etwin_lti.domain.linking_ports import MailSender
from etwin_lti.domain.passback import RetryPolicy
from etwin_lti.domain.ports import FileStore, HubPort
from etwin_lti.lti.login_state import LoginStateSealer
from etwin_lti.observability.instrumented import TimedRosterSyncService, counted_passback
from etwin_lti.observability.metrics import Metrics, QueueSnapshot
from etwin_lti.persistence.db import Database
from etwin_lti.persistence.secret_box import SecretBox
from etwin_lti.services.badges import BadgeUrls, recipient_key
from etwin_lti.services.chat import purge_chat_history
from etwin_lti.services.deep_linking import DeepLinkingService
from etwin_lti.services.demo import load_demo
from etwin_lti.services.launches import LOGIN_TTL_SECONDS, LaunchConfig, LaunchService
from etwin_lti.services.pages import PageServices
from etwin_lti.services.pages.acknowledgements import AcknowledgementLinks
from etwin_lti.services.passback import PassbackConfig, PassbackService
from etwin_lti.services.privacy import PrivacyConfig, PrivacyService
from etwin_lti.services.progress import ProgressService
from etwin_lti.services.provisioning import Provisioner
from etwin_lti.services.registrations import DynamicRegistrationService
from etwin_lti.services.resource_binding import ResourceResolver
from etwin_lti.services.teacher_linking import LinkingConfig, TeacherLinkingService
from etwin_lti.settings import Settings
from moodle_bridge.bridge import MoodleBridge
from moodle_bridge.sites import SqlMoodleSiteStore, legacy_token_key


def _utc_now() -> datetime:
    return datetime.now(UTC)


def bootstrap(settings: Settings) -> Container:
    database = Database(settings.database_url)
    # Secrets at rest (tool keys, LMS access tokens, Moodle tokens): ETWIN_ENCRYPTION_KEYS.
    box = SecretBox(settings.encryption_keys, legacy=[legacy_token_key(settings.secret_key)])
    # Every URL a platform or an administrator supplies is fetched through the outbound guard
    # (connectors/outbound_guard.py); `lab` lets it reach loopback and private addresses.
    lab = settings.allows_private_urls
    # Counters and histograms (/metrics); multiprocess with PROMETHEUS_MULTIPROC_DIR.
    metrics = Metrics.from_environment()
    cache = _shared_cache(settings, database, metrics)
    task_queue = _task_queue(settings)
    file_store = _file_store(settings)
    # The launch's reads of rarely changing rows are memoised per worker, dropped everywhere
    # after any committed write to their tables (issue 11, ADR 0033, ADR 0036).
    memos = memoize_launch_reads(database, cache, check_seconds=settings.memo_check_seconds)
    local_hub = LocalHub(
        database,
        page_cache=cache,  # the TwinSpace page snapshot (ADR 0016)
        file_store=file_store,
        twinspace_quota_bytes=settings.twinspace_quota_mb * MB,
        memberships=memos.memberships,
    )
    remote_hub = _remote_hub(settings)
    hub: HubPort = remote_hub or local_hub
    # Progress (issue 8 item 2): a completion owes its pending AGS scores to this tool's LMS
    # links whichever hub records it; with the local hub both share one transaction (outbox).
    progress = ProgressService(
        RemoteProgressStore(remote_hub, database)
        if remote_hub is not None
        else LocalProgressStore(local_hub, database),
        queue=task_queue,
    )

    # LTI platforms, deployments and dynamic-registration invites (issue 3); memoised above.
    registrations = MemoizedRegistrationStore(database, memos.registrations)
    dynamic_registration = DynamicRegistrationService(
        registrations,
        HttpPlatformRegistrationClient(
            guarded_session(allow_private=lab, user_agent="etwin-lti (dynamic registration)"),
            timeout=settings.http_timeout_seconds,
        ),
        base_url=settings.base_url,
        store_pupil_names=settings.store_pupil_names,
        # http:// configuration URLs on localhost only for the test suite and the demo sandbox.
        allow_loopback_http=settings.testing or settings.demo,
        max_attempts_per_invite=settings.registration_attempts_per_invite,
    )

    # The launch (issue 3): platform key sets over one session, the shared cache, tool keys.
    jwks_session = guarded_session(allow_private=lab, user_agent="etwin-lti (platform key sets)")
    platform_keys = HttpPlatformKeySource(
        cache,
        jwks_session,
        timeout_seconds=settings.http_timeout_seconds,
        min_refetch_seconds=settings.jwks_min_refetch_seconds,
    )
    tool_keys = SqlToolKeyStore(database, overlap_days=settings.key_rotation_overlap_days, box=box)
    identities = MemoizedIdentityStore(database, memos.identities)
    launch_sessions = SqlLaunchSessionStore(database)
    role_policies = MemoizedRolePolicyStore(database, memos.registrations)
    resource_links = SqlResourceLinkStore(database)
    # Bound resources (issue 9 item 4): which resource a launch opens, the tool-signed
    # references the picker hands out, the course-copy approvals.
    resource_bindings = ResourceResolver(
        bindings=MemoizedResourceBindingStore(database, memos.bindings),
        hub=hub,
        registrations=registrations,
        secret_key=settings.secret_key,
    )
    # LTI Advantage services (issue 4): access tokens shared through the launch's cache.
    # pylti1p3 signs what the tool sends: service assertions and deep-link responses (0002).
    tool_conf = RegistrationToolConf(registrations, tool_keys)
    services_session = guarded_session(
        allow_private=lab, user_agent="etwin-lti (LTI Advantage services)"
    )
    access_tokens = AccessTokenProvider(
        registrations,
        tool_keys,
        cache,
        services_session,
        box=box,
        timeout=settings.http_timeout_seconds,
        memo_seconds=MEMO_SECONDS,  # passback: no shared-cache read per score (ADR 0038)
    )
    roster_source = HttpNrpsClient(access_tokens)
    # One way in for people, shared by the launch and roster sync; the roster (NRPS) tells an
    # enrolled LMS administrator from a visitor.
    provisioner = Provisioner(
        identities, store_pupil_names=settings.store_pupil_names, roster_source=roster_source
    )
    launches = LaunchService(
        LaunchConfig(
            base_url=settings.base_url,
            leeway_seconds=settings.launch_leeway_seconds,
            session_seconds=settings.launch_session_seconds,
            store_pupil_names=settings.store_pupil_names,
        ),
        registrations=registrations,
        cache=cache,
        platform_keys=platform_keys,
        identities=identities,
        hub=hub,
        sessions=launch_sessions,
        role_policies=role_policies,
        login_states=LoginStateSealer(settings.secret_key, ttl_seconds=LOGIN_TTL_SECONDS),
        resources=resource_bindings,
        provisioner=provisioner,
        record_links=True,
    )
    roster_sync = TimedRosterSyncService(
        metrics=metrics,
        resource_links=resource_links,
        registrations=registrations,
        roster_source=roster_source,
        identities=identities,
        hub=hub,
        role_policies=role_policies,
        cache=cache,
        store_pupil_names=settings.store_pupil_names,
        provisioner=provisioner,
    )
    # Teacher linking (issue 9 item 3): invitations, one-time codes and accounts in the tool's
    # database; none with a remote hub, where the people live.
    teacher_accounts = SqlTeacherAccounts(database) if remote_hub is None else None
    teacher_linking = (
        _teacher_linking(settings, hub, teacher_accounts, launch_sessions)
        if teacher_accounts is not None
        else None
    )
    deep_linking = DeepLinkingService(
        base_url=settings.base_url,
        hub=hub,
        registrations=registrations,
        signer=Pylti1p3DeepLinkSigner(tool_conf),
        founding_check=teacher_linking.may_found if teacher_linking else _anyone_may_found,
        reference=resource_bindings.reference,
    )

    # Moodle sites (tokens encrypted in the box), mappings and the completion poller
    # (issue 5). One requests.Session for every Moodle client.
    moodle_sites = SqlMoodleSiteStore(database, box)
    moodle = MoodleBridge(
        moodle_sites,
        hub=hub,
        identities=identities,
        session=guarded_session(allow_private=lab, user_agent="etwin-lti (Moodle)"),
        timeout=settings.http_timeout_seconds,
    )

    # Progress passback (issue 4 items 3-4): the score outbox and the AGS client.
    passback = PassbackService(
        PassbackConfig(
            policy=RetryPolicy(
                max_attempts=settings.passback_max_attempts,
                base_seconds=settings.passback_backoff_seconds,
                cap_seconds=settings.passback_backoff_cap_seconds,
            ),
            lease_seconds=settings.passback_lease_seconds,
        ),
        outbox=SqlScoreOutbox(database),
        resource_links=resource_links,
        ags_client=HttpAgsClient(access_tokens),
        line_items=SqlLineItemMemory(database, clock=_utc_now),
        queue=task_queue,
    )

    # Export, erasure and the retention purge (docs/decisions/0007). With a remote hub
    # (ETWIN_HUB_URL) the people live there: refused.
    privacy = PrivacyService(
        PrivacyConfig(
            urls=BadgeUrls(settings.base_url),
            recipient_key=recipient_key(settings.secret_key),
            retention_days=settings.suspended_retention_days,
            hub_is_local=not settings.hub_url,
        ),
        SqlPrivacyStore(database, file_store=file_store),
        pseudonym_tag=partial(secrets.token_hex, 2),
    )

    def purge_personal_data() -> object:
        return privacy.purge(now=_utc_now())

    def purge_chat() -> object:
        # The local database's chat; a remote hub's instance runs its own purge.
        return purge_chat_history(local_hub, now=_utc_now())

    task_queue.attach(
        QueueHandlers(
            post_score=counted_passback(passback.deliver, metrics),
            sweep_outbox=passback.sweep,
            poll_moodle=partial(moodle.poll, now=_utc_now),
            sync_all_rosters=roster_sync.sync_all,
            purge_personal_data=purge_personal_data,
            purge_chat_history=purge_chat,
        )
    )

    links = AcknowledgementLinks(BadgeUrls(settings.base_url), recipient_key(settings.secret_key))
    return Container(
        settings=settings,
        database=database,
        kv_cache=cache,
        task_queue=task_queue,
        hub=hub,
        api_tokens=SqlApiTokenStore(database),
        registrations=registrations,
        dynamic_registration=dynamic_registration,
        tool_keys=tool_keys,
        platform_keys=platform_keys,
        identities=identities,
        launch_sessions=launch_sessions,
        role_policies=role_policies,
        resource_links=resource_links,
        resource_bindings=resource_bindings,
        launches=launches,
        access_tokens=access_tokens,
        roster_sync=roster_sync,
        moodle=moodle,
        deep_linking=deep_linking,
        passback=passback,
        privacy=privacy,
        progress=progress,
        teacher_linking=teacher_linking,
        teacher_accounts=teacher_accounts,
        pages=PageServices.over(hub, links, progress),
        audit=SqlAuditLog(database),
        # The country list is versioned data shipped with the package, loaded after every
        # upgrade; so is the first tool key.
        after_upgrade=Steps(local_hub.seed_countries, tool_keys.ensure_signing_key),
        on_serve=_serve_steps(settings, hub, task_queue),
        reencrypt_secrets=lambda: {
            "tool keys": tool_keys.reencrypt(),
            "Moodle tokens": moodle_sites.reencrypt(),
        },
        health_checks=_health_checks(database, cache, task_queue),
        metrics=metrics,
        queue_snapshot=partial(_queue_snapshot, database, task_queue),
    )


def _queue_snapshot(database: Database, task_queue: HueyTaskQueue) -> QueueSnapshot:
    """/metrics, at scrape time: the queue's depth and the outbox's backlog, each None while
    its storage does not answer."""
    backlog = outbox_backlog(database, now=_utc_now())
    return QueueSnapshot(
        queue_depth=task_queue.depth(),
        pending_scores=backlog.pending if backlog else None,
        oldest_pending_age_seconds=backlog.oldest_pending_age_seconds if backlog else None,
        dead_letters=backlog.dead if backlog else None,
    )


def _health_checks(
    database: Database, cache: KeyValueCache, task_queue: HueyTaskQueue
) -> dict[str, Callable[[], bool]]:
    """/healthz: the database, the shared cache (Redis, or the database itself) and the queue."""
    checks: dict[str, Callable[[], bool]] = {"database": database.ping}
    if isinstance(cache, RedisKeyValueCache):
        checks["cache"] = cache.ping
    checks["queue"] = task_queue.ping
    return checks


def _shared_cache(settings: Settings, database: Database, metrics: Metrics) -> KeyValueCache:
    """State, nonces, replay marks, key sets and access tokens: shared by every instance
    (Redis when ETWIN_REDIS_URL is set, else the database). Reads are counted (/metrics)."""
    if settings.redis_url:
        return RedisKeyValueCache.from_url(
            settings.redis_url,
            timeout_seconds=settings.http_timeout_seconds,
            on_lookup=metrics.cache_lookup,
        )
    return SqlKeyValueCache(database, on_lookup=metrics.cache_lookup)


def _task_queue(settings: Settings) -> HueyTaskQueue:
    """huey: a SQLite file in the instance folder, or Redis with ETWIN_QUEUE=redis."""
    return HueyTaskQueue(
        partial(
            make_huey,
            backend=settings.queue,
            sqlite_path=settings.embedded_queue_file,
            redis_url=settings.redis_url,
        ),
        QueueIntervals(
            sweep_minutes=settings.passback_sweep_minutes,
            roster_sync_minutes=settings.roster_sync_minutes,
            moodle_poll_minutes=settings.moodle_poll_minutes,
        ),
    )


def _file_store(settings: Settings) -> FileStore:
    """Uploaded files: a private folder on the embedded default, S3 for many instances."""
    if settings.file_store == "s3":
        assert settings.s3_bucket is not None  # Settings.check
        # Imported here: boto3 costs a web worker ~8 MiB, and only an S3 deployment needs it.
        import boto3

        client = boto3.client(
            "s3", endpoint_url=settings.s3_endpoint_url, region_name=settings.s3_region
        )
        return S3FileStore(client, settings.s3_bucket, prefix=settings.s3_prefix)
    return LocalFileStore(settings.file_store_path or os.path.join(settings.instance_path, "files"))


def _remote_hub(settings: Settings) -> HttpHubConnector | None:
    """With ETWIN_HUB_URL, the hub is another instance's REST API instead of the local one."""
    if not settings.hub_url:
        return None
    assert settings.hub_token is not None  # Settings.check
    return HttpHubConnector(
        settings.hub_url,
        settings.hub_token,
        session=hub_session(allow_private=settings.allows_private_urls),
        read_timeout=settings.http_timeout_seconds,
    )


def _serve_steps(settings: Settings, hub: HubPort, task_queue: HueyTaskQueue) -> Steps:
    """Before ``serve``: the demo data (``--demo``) and, on the embedded queue, a worker
    in-process. The web layer adds the sandbox's registration when it mounts the sandbox."""
    steps = Steps()
    if settings.demo:

        def load_demo_data() -> None:
            load_demo(hub)

        steps.add(load_demo_data)
    if settings.queue == "embedded":

        def start_worker() -> None:
            task_queue.start_worker(workers=settings.worker_threads)

        steps.add(start_worker)
    return steps


def _anyone_may_found(_person_id: int) -> None:
    """With a remote hub, that hub decides who may found a project."""


def _teacher_linking(
    settings: Settings,
    hub: HubPort,
    accounts: SqlTeacherAccounts,
    launch_sessions: SqlLaunchSessionStore,
) -> TeacherLinkingService:
    """Mail over SMTP when ETWIN_SMTP_HOST is set, else .eml files in the mail folder
    (default <instance>/outgoing-mail)."""
    mail: MailSender
    if settings.smtp_host:
        mail = SmtpMailSender(
            SmtpSettings(
                host=str(settings.smtp_host),
                port=int(settings.smtp_port),
                user=str(settings.smtp_user) if settings.smtp_user else None,
                # Values are parsed as JSON: a password of digits arrives as a number.
                password=str(settings.smtp_password) if settings.smtp_password else None,
                starttls=bool(settings.smtp_starttls),
                timeout_seconds=settings.http_timeout_seconds,
            ),
            sender=settings.mail_from,
        )
    else:
        folder = settings.mail_folder or os.path.join(settings.instance_path, "outgoing-mail")
        mail = FolderMailSender(folder, sender=settings.mail_from)
    return TeacherLinkingService(
        LinkingConfig(
            base_url=settings.base_url,
            code_key=hmac.new(
                settings.secret_key.encode(), b"etwin-lti/teacher-link-codes/v1", hashlib.sha256
            ).digest(),
        ),
        hub=hub,
        invitations=accounts,
        codes=accounts,
        accounts=accounts,
        mail=mail,
        sessions=launch_sessions,
    )
