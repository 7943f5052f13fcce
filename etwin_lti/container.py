"""The shape of the composition root: what ``etwin_lti.bootstrap`` builds and everyone else uses.

A frozen dataclass, one typed field per service or port, filled once in dependency order by
``bootstrap(settings)``. Fields are typed by ports and use cases only, never by adapter classes:
the web layer reads this module (``etwin_lti.web.container.services()``) and must not learn
which adapters were chosen (import-linter: ``only-bootstrap-picks-adapters``).

Three fields are handles that no use case depends on, so they have no port beside the domain;
their small protocols live here: the task queue's worker side (the ``worker`` command, ``serve``),
the Moodle bridge (the ``moodle`` commands, the queue) and the LTI access tokens (the tests and the
benchmarks reach them to inspect the shared cache).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from etwin_lti.domain.api_tokens import ApiTokenStore
from etwin_lti.domain.audit import AuditLogReader
from etwin_lti.domain.cache import KeyValueCache
from etwin_lti.domain.launch_ports import LaunchSessionStore, PlatformKeySource, RolePolicyStore
from etwin_lti.domain.linking_ports import TeacherAccountStore
from etwin_lti.domain.moodle import (
    AcknowledgementTarget,
    CourseMapping,
    MoodleSite,
    MoodleSiteStore,
    PollReport,
)
from etwin_lti.domain.passback import TaskQueue
from etwin_lti.domain.ports import HubPort, IdentityStore, RegistrationStore
from etwin_lti.domain.resource_links import ResourceLinkStore
from etwin_lti.domain.tool_keys import ToolKeyStore
from etwin_lti.observability.metrics import Metrics, QueueSnapshot
from etwin_lti.persistence.db import Database
from etwin_lti.services.deep_linking import DeepLinkingService
from etwin_lti.services.launches import LaunchService
from etwin_lti.services.pages import PageServices
from etwin_lti.services.passback import PassbackService
from etwin_lti.services.privacy import PrivacyService
from etwin_lti.services.progress import ProgressService
from etwin_lti.services.registrations import DynamicRegistrationService
from etwin_lti.services.resource_binding import ResourceResolver
from etwin_lti.services.roster_sync import RosterSyncService
from etwin_lti.services.teacher_linking import TeacherLinkingService
from etwin_lti.settings import Settings


class WorkerQueue(TaskQueue, Protocol):
    """The task queue plus the workers that consume it (``connectors.task_queue``)."""

    def enqueue_sweep(self) -> bool: ...

    def pending_count(self) -> int: ...

    def run_worker(self, *, workers: int) -> None: ...

    def start_worker(self, *, workers: int, periodic: bool = True) -> object: ...


class SiteSummary(Protocol):
    """What a Moodle site said about itself when it was added (core_webservice_get_site_info)."""

    @property
    def sitename(self) -> str: ...

    @property
    def release(self) -> str: ...

    @property
    def username(self) -> str: ...


class MoodleUseCases(Protocol):
    """The Moodle use cases the CLI and the queue call (``moodle_bridge.bridge.MoodleBridge``)."""

    @property
    def store(self) -> MoodleSiteStore: ...

    def add_site(
        self,
        url: str,
        token: str,
        *,
        now: datetime,
        label: str = "",
        issuer: str | None = None,
    ) -> tuple[MoodleSite, SiteSummary]: ...

    def map_course(
        self,
        site_id: int,
        course_id: int,
        target: AcknowledgementTarget,
        *,
        now: datetime,
        cmid: int | None = None,
    ) -> CourseMapping: ...

    def poll(self, *, now: Callable[[], datetime], site_id: int | None = None) -> PollReport: ...


class AccessTokenSource(Protocol):
    """OAuth 2 client-credentials tokens for the LTI Advantage services (``connectors``)."""

    def token(self, platform_id: int, scopes: Sequence[str]) -> str: ...

    def invalidate(self, platform_id: int, scopes: Sequence[str]) -> None: ...


Step = Callable[[], object]


class Steps:
    """Steps run at one moment of the tool's life, in the order they were added.

    ``after_upgrade`` runs after ``etwin-lti db upgrade`` (the first tool key, the country list);
    ``on_serve`` before ``etwin-lti serve`` starts (the demo data, the embedded worker, and the
    sandbox's registration, which the web layer adds when it mounts the sandbox).
    """

    def __init__(self, *steps: Step) -> None:
        self._steps = list(steps)

    def add(self, step: Step) -> None:
        self._steps.append(step)

    def run(self) -> None:
        for step in self._steps:
            step()

    def __iter__(self) -> Iterator[Step]:
        return iter(tuple(self._steps))

    def __len__(self) -> int:
        return len(self._steps)


@dataclass(frozen=True, kw_only=True)
class Container:
    settings: Settings
    database: Database
    kv_cache: KeyValueCache  # Redis with ETWIN_REDIS_URL, else the database
    task_queue: WorkerQueue
    hub: HubPort  # the local hub, or another instance's REST API with ETWIN_HUB_URL
    api_tokens: ApiTokenStore
    registrations: RegistrationStore
    dynamic_registration: DynamicRegistrationService
    tool_keys: ToolKeyStore
    platform_keys: PlatformKeySource
    identities: IdentityStore
    launch_sessions: LaunchSessionStore
    role_policies: RolePolicyStore
    resource_links: ResourceLinkStore
    resource_bindings: ResourceResolver  # bound resources (issue 9 item 4)
    launches: LaunchService
    access_tokens: AccessTokenSource
    roster_sync: RosterSyncService
    moodle: MoodleUseCases
    deep_linking: DeepLinkingService
    passback: PassbackService
    privacy: PrivacyService
    progress: ProgressService  # mark done / complete → completion → pending scores
    # Teacher linking (issue 9 item 3); None with a remote hub, where the people live.
    teacher_linking: TeacherLinkingService | None
    teacher_accounts: TeacherAccountStore | None
    pages: PageServices
    audit: AuditLogReader  # who changed roles, labels, erasures, registrations
    after_upgrade: Steps
    on_serve: Steps
    # `etwin-lti keys reencrypt`: every encrypted column under the current key (rows changed).
    reencrypt_secrets: Callable[[], Mapping[str, int]]
    # /healthz: one check per dependency (database, cache, queue); each answers True or False.
    health_checks: Mapping[str, Callable[[], bool]]
    # /metrics (etwin_lti.observability): the counters, and the queue and outbox read at scrape.
    metrics: Metrics
    queue_snapshot: Callable[[], QueueSnapshot]
