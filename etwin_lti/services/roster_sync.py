"""Roster sync: a course's NRPS roster → TwinSpace members, event participants, course trainees.

DESIGN.md flow 4 and "Role mapping"; NRPS 2.0 (``etwin_lti.lti.nrps``). Over ports only.

The unit of work is one course (platform, deployment, context) and what its resource links open:

1. **Read everything first.** Every page of every roster needed is fetched before anything is
   written; a failed, malformed or looping fetch raises and nothing changes (Moodle removes
   users by leaving them out, so a partial roster would look like a mass departure).
2. **Refuse rosters we do not understand.** A role outside LTI's role vocabularies (LTI Core
   1.3, A.2) makes the whole sync stop with ``UnknownRosterRolesError`` and no change: an unknown
   vocabulary could hide teachers as well as pupils, so guessing is worse than waiting for an
   administrator. Known roles that simply grant nothing under the platform's role policy
   (Mentor set to "none", administrators only) are not errors: that member is skipped and
   reported.
3. **Apply like a launch.** Roles come from the same per-platform ``RolePolicy`` and audience
   as the launch, and go through the same ``admit`` and ``Provisioner``
   (``services.provisioning``). People are matched on (issuer, ``user_id`` = the launch's
   ``sub``) in one bulk query, whatever deployment or client id they launched through.
   Learners of a school LMS who never launched become pupils (pseudonym, never an e-mail,
   names only when the school opted in); Mentors are recorded (so that a teacher administrator
   can grant them a visitor permit) and join only with one; administrators are never added;
   teachers join at their first launch (skipped, "not_launched_yet"). ``HubPort.sync_member``
   adds and reactivates, and never touches a member whose role a teacher administrator or the
   project decided (role source MANUAL/PROJECT): counted as ``protected``.
4. **Members who left are suspended, never deleted** (content kept): LMS-sourced, active members
   linked to this issuer who are in none of the rosters that feed the TwinSpace (every course
   of the same issuer whose links open it is read, whatever registration or deployment, so two
   classes sharing one TwinSpace do not suspend each other). People from other platforms are
   never touched. With NRPS differences (2.4), only members reported Inactive/Deleted are
   suspended.

Learning Events enrol the course's participants who have launched once (events are for teachers
with a hub account: learners of a teacher-training LMS; a school's pupils are skipped,
"teachers_only"); course units enrol them as trainees. Nobody is removed from either.

Writes happen in batches of ``roster_apply.BATCH`` members (``RosterRun``): the newcomers'
people in one provisioning (one claim, one creation, one settlement), then the memberships that
change in one ``HubPort.sync_members`` (issue 11, ADR 0037). A hub failure in the middle leaves
the batches done so far, and the next sync converges (every step is idempotent).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field

from etwin_lti.domain.cache import KeyValueCache
from etwin_lti.domain.identities import IdentityStore
from etwin_lti.domain.launch_ports import RolePolicyStore
from etwin_lti.domain.launches import Resource, ResourceKind
from etwin_lti.domain.model import MemberStatus, TwinSpaceRole
from etwin_lti.domain.ports import HubPort, RegistrationStore
from etwin_lti.domain.resource_links import ResourceLinkStore, RosterContext
from etwin_lti.domain.rosters import FetchedRoster, RosterMember, RosterSource, RosterStatus
from etwin_lti.domain.translatable import N_
from etwin_lti.errors import (
    EtwinLtiError,
    NotFoundError,
    PermissionDeniedError,
    RuleViolationError,
)
from etwin_lti.lti.nrps import MalformedRosterPageError, unknown_roles
from etwin_lti.lti.roles import RolePolicy
from etwin_lti.services.provisioning import Provisioner
from etwin_lti.services.roster_apply import Progress, RosterRun, SyncResult

DIFFERENCES_TTL_SECONDS = 30 * 24 * 3600  # forgetting it only costs one full read


class UnknownRosterRolesError(MalformedRosterPageError):
    error = "unknown_roster_roles"
    description = N_(
        "The course roster carries roles outside the LTI vocabularies; nothing was changed."
    )
    who_can_fix = N_("your LMS administrator (map custom roles to standard LTI roles)")


class NoRosterServiceError(RuleViolationError):
    error = "no_roster_service"
    description = N_("This course's LMS has not offered its roster (NRPS) to the tool.")
    who_can_fix = N_(
        "your LMS administrator (switch on 'IMS LTI Names and Role Provisioning' for the "
        "tool), then open the activity once"
    )


@dataclass
class ContextFailure:
    platform_id: int
    deployment_id: str
    context_id: str
    error: EtwinLtiError


@dataclass
class SyncAllReport:
    results: list[SyncResult] = field(default_factory=list)
    failures: list[ContextFailure] = field(default_factory=list)


class RosterSyncService:
    def __init__(
        self,
        *,
        resource_links: ResourceLinkStore,
        registrations: RegistrationStore,
        roster_source: RosterSource,
        identities: IdentityStore,
        hub: HubPort,
        role_policies: RolePolicyStore,
        cache: KeyValueCache,
        store_pupil_names: bool = False,
        provisioner: Provisioner | None = None,
    ) -> None:
        self._links = resource_links
        self._registrations = registrations
        self._source = roster_source
        self._identities = identities
        self._hub = hub
        self._policies = role_policies
        self._cache = cache
        self._issuers: dict[int, str] = {}
        self._provisioner = provisioner or Provisioner(
            identities, store_pupil_names=store_pupil_names
        )

    # --- entry points -------------------------------------------------------------------------
    def sync_link(self, link_id: int, *, progress: Progress | None = None) -> list[SyncResult]:
        """Sync the course of one resource link (CLI ``--link``)."""
        link = self._links.get(link_id)
        if link.context_id is None:
            raise NoRosterServiceError(N_("This resource link was launched outside any course."))
        return self.sync_context(
            link.platform_id, link.deployment_id, link.context_id, progress=progress
        )

    def sync_context(
        self,
        platform_id: int,
        deployment_id: str,
        context_id: str,
        *,
        progress: Progress | None = None,
    ) -> list[SyncResult]:
        contexts = self._links.list_contexts()
        context = _find(contexts, platform_id, deployment_id, context_id)
        return self._sync(context, contexts, progress)

    def sync_all(self, *, progress: Progress | None = None) -> SyncAllReport:
        """Every course that offered NRPS (the periodic task). One course failing does not stop
        the others; its failure is reported and it keeps its members unchanged."""
        report = SyncAllReport()
        contexts = self._links.list_contexts()
        for context in contexts:
            if context.nrps_url is None or not context.resources:
                continue
            try:
                report.results.extend(self._sync(context, contexts, progress))
            except EtwinLtiError as error:
                report.failures.append(
                    ContextFailure(
                        context.platform_id, context.deployment_id, context.context_id, error
                    )
                )
        return report

    def sync_twinspace(
        self, twinspace_id: int, *, actor_id: int, progress: Progress | None = None
    ) -> list[SyncResult]:
        """ "Sync roster now": a teacher administrator of the TwinSpace syncs every course that
        feeds it."""
        hub = self._hub
        try:
            actor = hub.get_member(twinspace_id, actor_id)
        except NotFoundError:
            actor = None
        if (
            actor is None
            or actor.role is not TwinSpaceRole.TEACHER_ADMINISTRATOR
            or actor.status is not MemberStatus.ACTIVE
        ):
            raise PermissionDeniedError(
                "Only a teacher administrator of this TwinSpace can sync its roster."
            )
        target = Resource(ResourceKind.TWINSPACE, twinspace_id)
        contexts = self._links.list_contexts()
        feeding = [c for c in contexts if target in c.resources and c.nrps_url]
        if not feeding:
            raise NoRosterServiceError()
        results: list[SyncResult] = []
        done: set[str] = set()
        for context in feeding:
            key = self._issuer(context.platform_id)
            if key in done:
                continue  # one pass per issuer reads all of its feeding courses
            done.add(key)
            results.append(self._sync_resource(context, target, contexts, {}, progress))
        return results

    # --- one course -----------------------------------------------------------------------------
    def _sync(
        self,
        context: RosterContext,
        contexts: list[RosterContext],
        progress: Progress | None,
    ) -> list[SyncResult]:
        if context.nrps_url is None:
            raise NoRosterServiceError()
        fetched: dict[str, FetchedRoster] = {}
        # Read every roster first (step 1), then apply resource by resource.
        plans = [
            (resource, self._rosters(context, resource, contexts, fetched))
            for resource in context.resources
        ]
        return [self._apply(context, resource, rosters, progress) for resource, rosters in plans]

    def _sync_resource(
        self,
        context: RosterContext,
        resource: Resource,
        contexts: list[RosterContext],
        fetched: dict[str, FetchedRoster],
        progress: Progress | None,
    ) -> SyncResult:
        rosters = self._rosters(context, resource, contexts, fetched)
        return self._apply(context, resource, rosters, progress)

    def _rosters(
        self,
        context: RosterContext,
        resource: Resource,
        contexts: list[RosterContext],
        fetched: dict[str, FetchedRoster],
    ) -> list[tuple[RosterContext, FetchedRoster]]:
        issuer = self._issuer(context.platform_id)
        feeding = [
            c
            for c in contexts
            if resource in c.resources and c.nrps_url and self._issuer(c.platform_id) == issuer
        ]
        # Differences only when one course feeds exactly this one resource: otherwise a delta
        # read for one resource would be consumed before the other saw it.
        single = len(feeding) == 1 and len(context.resources) == 1
        rosters = []
        for feeder in feeding:
            assert feeder.nrps_url is not None
            key = _state_key(feeder)
            if key not in fetched:
                differences = self._differences(key) if single else None
                roster = self._source.fetch(
                    feeder.platform_id, feeder.nrps_url, differences_url=differences
                )
                _check(roster, feeder)
                fetched[key] = roster
            rosters.append((feeder, fetched[key]))
        return rosters

    def _issuer(self, platform_id: int) -> str:
        """People are one per issuer: every registration of that LMS feeds the same members.
        A platform's issuer never changes, so it is read once per platform."""
        if platform_id not in self._issuers:
            self._issuers[platform_id] = self._registrations.get_platform(platform_id).issuer
        return self._issuers[platform_id]

    def _differences(self, key: str) -> str | None:
        raw = self._cache.get(key)
        return json.loads(raw)["differences_url"] if raw else None

    # --- applying -------------------------------------------------------------------------------
    def _apply(
        self,
        context: RosterContext,
        resource: Resource,
        rosters: list[tuple[RosterContext, FetchedRoster]],
        progress: Progress | None,
    ) -> SyncResult:
        platform = self._registrations.get_platform(context.platform_id)
        members = _merge(roster for _, roster in rosters)
        delta = any(roster.is_delta for _, roster in rosters)
        result = SyncResult(
            platform_id=context.platform_id,
            deployment_id=context.deployment_id,
            context_id=context.context_id,
            resource=resource,
            pages=sum(roster.pages for _, roster in rosters),
            members=len(members),
            delta=delta,
        )
        policy = self._policies.policy(platform.id, context.context_id)
        known = self._identities.known(platform.issuer)
        run = RosterRun(
            self._hub,
            self._provisioner,
            platform,
            context.deployment_id,
            RolePolicy.with_overrides(policy.overrides),
            policy.audience,
            known,
            result,
            progress,
        )
        if resource.kind is ResourceKind.TWINSPACE:
            run.twinspace(resource.id, members, delta)
        elif resource.kind is ResourceKind.EVENT:
            run.event(resource.id, members)
        else:
            run.unit(resource.id, members)
        # Only a completely applied read advances the differences mark.
        for feeder, roster in rosters:
            if roster.differences_url:
                state = json.dumps({"differences_url": roster.differences_url}).encode()
                self._cache.set(_state_key(feeder), state, DIFFERENCES_TTL_SECONDS)
        return result


def _find(
    contexts: list[RosterContext], platform_id: int, deployment_id: str, context_id: str
) -> RosterContext:
    for context in contexts:
        if (context.platform_id, context.deployment_id, context.context_id) == (
            platform_id,
            deployment_id,
            context_id,
        ):
            return context
    raise NotFoundError(
        N_("No resource link of the tool was launched from course %(course)s."),
        params={"course": repr(context_id)},
    )


def _check(roster: FetchedRoster, context: RosterContext) -> None:
    if roster.context_id is not None and roster.context_id != context.context_id:
        raise MalformedRosterPageError(
            N_("The LMS answered with the roster of another course (%(course)s)."),
            params={"course": repr(roster.context_id)},
        )
    # Each distinct role string once: a class of thousands carries a handful of them.
    unknown = sorted(unknown_roles({r for m in roster.members for r in m.roles}))
    if unknown:
        raise UnknownRosterRolesError(
            N_(
                "The course roster carries roles outside the LTI vocabularies (%(roles)s); "
                "nothing was changed."
            ),
            params={"roles": ", ".join(unknown[:3])},
        )


def _merge(rosters: Iterable[FetchedRoster]) -> list[RosterMember]:
    """One entry per user across courses: roles joined, active if active anywhere."""
    merged: dict[str, RosterMember] = {}
    for roster in rosters:
        for member in roster.members:
            seen = merged.get(member.user_id)
            if seen is None:
                merged[member.user_id] = member
                continue
            active = RosterStatus.ACTIVE in (seen.status, member.status)
            merged[member.user_id] = RosterMember(
                user_id=member.user_id,
                roles=tuple(dict.fromkeys(seen.roles + member.roles)),
                status=RosterStatus.ACTIVE if active else member.status,
                name=seen.name or member.name,
            )
    return list(merged.values())


def _state_key(context: RosterContext) -> str:
    raw = f"{context.platform_id}\n{context.deployment_id}\n{context.context_id}".encode()
    return "nrps-differences:" + hashlib.sha256(raw).hexdigest()[:32]
