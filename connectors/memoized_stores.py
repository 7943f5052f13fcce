"""The launch's reads of rarely changing rows, memoised in the worker (``connectors.shared_memo``).

Each class is its SQL store with the hot reads wrapped; writes are the store's own and need no
wrapping: ``memoize_launch_reads`` makes the engine replace the memo's shared token after any
committed write to the tables behind it, whoever writes them (ADR 0033). Only found, usable rows
are remembered: an unknown platform, a deployment that is missing or inactive, an absent binding
are read again on every launch, so the administrator's fix is seen by the next one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from connectors.shared_memo import SharedMemo, watch_tables
from connectors.sql_identities import SqlIdentityStore
from connectors.sql_registrations import SqlRegistrationStore
from connectors.sql_resource_bindings import SqlResourceBindingStore
from connectors.sql_role_policy import SqlRolePolicyStore
from etwin_lti.domain.cache import KeyValueCache
from etwin_lti.domain.identities import KnownPerson, LtiIdentity
from etwin_lti.domain.launch_ports import PlatformPolicy
from etwin_lti.domain.registrations import Deployment, Platform
from etwin_lti.domain.resource_bindings import Binding, LinkKey
from etwin_lti.persistence.db import Database

REGISTRATION_TABLES = ("lti_platforms", "lti_deployments", "lti_role_mappings", "lti_audiences")
BINDING_TABLES = ("lti_resource_bindings",)
IDENTITY_TABLES = ("lti_identities",)
# A new row (a first launch's claim) changes no linked identity: only these verbs renew it.
IDENTITY_VERBS = ("UPDATE", "DELETE")
# The launch's membership read (``connectors.local_hub.twinspaces``): the member, the person's
# name and kind, the TwinSpace's status. Only found members are remembered, so a new member,
# person or TwinSpace (an INSERT) changes nothing remembered; a first launch's own INSERTs
# do not empty every worker's memo at the morning peak (ADR 0036).
MEMBERSHIP_TABLES = ("twinspace_members", "people", "twinspaces")
MEMBERSHIP_VERBS = ("UPDATE", "DELETE")


class MemoizedRegistrationStore(SqlRegistrationStore):
    def __init__(self, database: Database, memo: SharedMemo[Any], **kwargs: Any) -> None:
        super().__init__(database, **kwargs)
        self._memo = memo

    def find_platform(self, issuer: str, client_id: str | None = None) -> Platform | None:
        found = self._memo.get(
            ("platform", issuer, client_id),
            lambda: SqlRegistrationStore.find_platform(self, issuer, client_id),
        )
        return found

    def get_platform_and_deployment(
        self, platform_id: int, deployment_id: str
    ) -> tuple[Platform, Deployment | None]:
        read: list[tuple[Platform, Deployment | None]] = []

        def load() -> tuple[Platform, Deployment | None] | None:
            found = SqlRegistrationStore.get_platform_and_deployment(
                self, platform_id, deployment_id
            )
            read.append(found)
            deployment = found[1]
            # Remembered only when the launch will go on: a refusal is read again next time.
            return found if deployment is not None and deployment.active else None

        remembered = self._memo.get(("deployment", platform_id, deployment_id), load)
        if remembered is not None:
            return remembered
        return read[0]  # the memo returns None only for what load() just read


class MemoizedRolePolicyStore(SqlRolePolicyStore):
    def __init__(self, database: Database, memo: SharedMemo[Any]) -> None:
        super().__init__(database)
        self._memo = memo

    def policy(self, platform_id: int, context_id: str | None) -> PlatformPolicy:
        found = self._memo.get(
            ("policy", platform_id, context_id),
            lambda: SqlRolePolicyStore.policy(self, platform_id, context_id),
        )
        assert found is not None  # a policy always exists (the default is a school LMS)
        return found


class MemoizedResourceBindingStore(SqlResourceBindingStore):
    def __init__(self, database: Database, memo: SharedMemo[Binding]) -> None:
        super().__init__(database)
        self._memo = memo

    def find(self, key: LinkKey) -> Binding | None:
        return self._memo.get(key, lambda: SqlResourceBindingStore.find(self, key))


class MemoizedIdentityStore(SqlIdentityStore):
    """(issuer, sub) → person, for returning learners. A link changes only when people are
    merged or erased (an ``UPDATE`` or ``DELETE``); a first launch reads it again until it is
    settled, since only found links are remembered."""

    def __init__(self, database: Database, memo: SharedMemo[KnownPerson]) -> None:
        super().__init__(database)
        self._memo = memo

    def find(self, identity: LtiIdentity) -> KnownPerson | None:
        return self._memo.get(identity, lambda: SqlIdentityStore.find(self, identity))


@dataclass(frozen=True)
class LaunchReadMemos:
    """The memos of one application, watched on its engine."""

    registrations: SharedMemo[Any]
    bindings: SharedMemo[Binding]
    identities: SharedMemo[KnownPerson]
    memberships: SharedMemo[Any]  # given to the local hub


def memoize_launch_reads(
    database: Database, shared: KeyValueCache, *, check_seconds: float = 1.0
) -> LaunchReadMemos:
    memos = LaunchReadMemos(
        registrations=SharedMemo(shared, "registrations", check_seconds=check_seconds),
        bindings=SharedMemo(shared, "bindings", check_seconds=check_seconds),
        # One entry per returning learner of this worker's morning.
        identities=SharedMemo(
            shared, "identities", check_seconds=check_seconds, max_entries=50_000
        ),
        # One entry per (TwinSpace, member) launching on this worker.
        memberships=SharedMemo(
            shared, "memberships", check_seconds=check_seconds, max_entries=50_000
        ),
    )
    watch_tables(database.engine, memos.registrations, REGISTRATION_TABLES)
    watch_tables(database.engine, memos.bindings, BINDING_TABLES)
    watch_tables(database.engine, memos.identities, IDENTITY_TABLES, verbs=IDENTITY_VERBS)
    watch_tables(database.engine, memos.memberships, MEMBERSHIP_TABLES, verbs=MEMBERSHIP_VERBS)
    return memos
