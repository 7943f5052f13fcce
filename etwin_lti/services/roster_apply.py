"""Applying a fetched roster to one resource (``services.roster_sync``'s step 3 and 4).

``RosterRun`` holds one resource's per-run lookups (the role decisions per role set, the
identities known, the result) and writes in batches of ``BATCH`` members: the newcomers
provisioned together (``Provisioner.people``: one claim, one creation, one settlement), then
the memberships that change in one ``HubPort.sync_members`` (issue 11, ADR 0037). A member
whose membership is already what the LMS says costs no write.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from etwin_lti.domain.audiences import Admission, Audience, admit
from etwin_lti.domain.identities import KnownPerson, LtiIdentity
from etwin_lti.domain.launches import Resource, ResourceKind
from etwin_lti.domain.model import Member, MemberStatus, PersonKind, RoleSource, TwinSpaceRole
from etwin_lti.domain.ports import HubPort
from etwin_lti.domain.registrations import Platform
from etwin_lti.domain.rosters import RosterMember, RosterStatus
from etwin_lti.domain.twinspaces import MemberSync
from etwin_lti.errors import InvalidInputError, PermissionDeniedError, RuleViolationError
from etwin_lti.lti.errors import UnmappedRoleError
from etwin_lti.lti.roles import RolePolicy
from etwin_lti.services.provisioning import Newcomer, Provisioner, is_permit

Progress = Callable[[int, int], None]  # (members done, members in total)
# Members provisioned and upserted per round trip (50 NRPS pages of Moodle's default size):
# each batch costs four commits, so 10,000 members cost 8 (1,000 a batch took 0.5 s more on
# PostgreSQL); small enough that SQLite's expanded id lists stay under its 32,766 parameters.
BATCH = 5000


@dataclass(frozen=True)
class SkippedMember:
    user_id: str
    # no_twinspace_role | administrator_only | not_launched_yet | guest_in_pupil_space |
    # no_visitor_permit, an admission's refusal (teachers_only, person_kind_fixed...) or the
    # hub's error code (role_not_allowed, event full...)
    reason: str


@dataclass
class SyncResult:
    platform_id: int
    deployment_id: str
    context_id: str
    resource: Resource
    pages: int = 0
    members: int = 0  # roster entries read for this resource (all feeding courses)
    delta: bool = False
    added: int = 0
    reactivated: int = 0
    updated: int = 0  # LMS-sourced member whose role changed
    suspended: int = 0
    unchanged: int = 0
    protected: int = 0  # a teacher administrator or the project decided: untouched
    skipped: list[SkippedMember] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        """What a teacher is told after "Sync roster now": reactivated members count as added,
        members kept as a teacher administrator decided as unchanged."""
        return {
            "added": self.added + self.reactivated,
            "updated": self.updated,
            "suspended": self.suspended,
            "unchanged": self.unchanged + self.protected,
            "skipped": len(self.skipped),
        }

    def summary(self) -> str:
        return (
            f"{self.resource} ← {self.context_id}: {self.members} in roster ({self.pages} pages"
            f"{', differences' if self.delta else ''}); added {self.added}, reactivated "
            f"{self.reactivated}, updated {self.updated}, suspended {self.suspended}, unchanged "
            f"{self.unchanged}, protected {self.protected}, skipped {len(self.skipped)}"
        )


class RosterRun:
    """One resource's application of a roster (keeps the per-run lookups together)."""

    def __init__(
        self,
        hub: HubPort,
        provisioner: Provisioner,
        platform: Platform,
        deployment_id: str,
        policy: RolePolicy,
        audience: Audience,
        known: dict[str, KnownPerson],
        result: SyncResult,
        progress: Progress | None,
    ) -> None:
        self.hub, self.provisioner = hub, provisioner
        self.platform, self.deployment_id = platform, deployment_id
        self.policy, self.audience, self.known = policy, audience, known
        self.result, self.progress = result, progress
        self.decisions: dict[
            tuple[tuple[str, ...], PersonKind | None, ResourceKind], Admission | str
        ] = {}

    def admit(self, member: RosterMember, kind: ResourceKind) -> Admission | None:
        """The launch's rules for this member, or None (skipped, with the reason). Decided
        once per (roles, known kind): a roster repeats a handful of role sets."""
        known = self.known.get(member.user_id)
        key = (member.roles, known.kind if known else None, kind)
        decided = self.decisions.get(key)
        if decided is None:
            decided = self.decisions[key] = self._decide(member.roles, kind, key[1])
        if isinstance(decided, str):
            self.skip(member, decided)
            return None
        return decided

    def _decide(
        self, roles: tuple[str, ...], kind: ResourceKind, known_kind: PersonKind | None
    ) -> Admission | str:
        try:
            decision = self.policy.decide(roles)
        except UnmappedRoleError:
            return "no_twinspace_role"
        if decision.twinspace_role is None:
            return "administrator_only"
        try:
            return admit(self.audience, decision.twinspace_role, kind, known_kind=known_kind)
        except PermissionDeniedError as refused:
            return refused.error

    def skip(self, member: RosterMember, reason: str) -> None:
        self.result.skipped.append(SkippedMember(member.user_id, reason))

    def tick(self, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress(done, total)

    # --- TwinSpaces -------------------------------------------------------------------------
    def twinspace(self, twinspace_id: int, members: list[RosterMember], delta: bool) -> None:
        space = self.hub.get_twinspace(twinspace_id)
        current = {m.person_id: m for m in self.hub.list_members(twinspace_id)}
        linked_here = {p.person_id for p in self.known.values()}
        present: set[int] = set()
        gone: set[int] = set()
        for start in range(0, len(members), BATCH):
            wanted: list[tuple[RosterMember, Admission, TwinSpaceRole]] = []
            for n, member in enumerate(members[start : start + BATCH], start + 1):
                self.tick(n, len(members))
                if member.status is not RosterStatus.ACTIVE:
                    if member.user_id in self.known:
                        gone.add(self.known[member.user_id].person_id)
                    continue
                admission = self.admit(member, ResourceKind.TWINSPACE)
                if admission is None:
                    continue
                role = admission.twinspace_role
                assert role is not None
                if role is TwinSpaceRole.GUEST and space.has_pupils:
                    self.skip(member, "guest_in_pupil_space")
                    continue
                wanted.append((member, admission, role))
            people = self.people([(member, admission) for member, admission, _ in wanted])
            changes: list[tuple[RosterMember, MemberSync]] = []
            for member, admission, role in wanted:
                person_id = people.get(member.user_id)
                if person_id is None:
                    continue
                present.add(person_id)
                existing = current.get(person_id)
                if admission.needs_permit and not is_permit(existing):
                    self.skip(member, "no_visitor_permit")  # as at a launch: never by the LMS
                    continue
                if self.unchanged(existing, role):
                    continue
                changes.append((member, MemberSync(person_id, role)))
            self.upsert(twinspace_id, changes, current)
        if delta:
            leaving = gone - present
        else:
            leaving = (linked_here - present) | (gone - present)
        suspend = []
        for person_id in sorted(leaving):
            existing = current.get(person_id)
            if (
                existing is not None
                and existing.role_source is RoleSource.LMS
                and existing.status is MemberStatus.ACTIVE
            ):
                suspend.append(MemberSync(person_id, existing.role, active=False))
        for start in range(0, len(suspend), BATCH):
            synced = self.hub.sync_members(twinspace_id, suspend[start : start + BATCH])
            for refused in synced.refused.values():
                raise refused  # as before: a member who left and cannot be suspended stops it
            self.result.suspended += len(synced.members)

    def people(self, wanted: list[tuple[RosterMember, Admission]]) -> dict[str, int]:
        """The person of each wanted member (user id → person id): the known ones, and the
        newcomers provisioned in one batch. Pupils have no account to link and visitors wait
        for a permit: both are recorded here. Teachers link their eTwinning account at their
        first launch."""
        found: dict[str, int] = {}
        arrivals: list[tuple[Newcomer, PersonKind]] = []
        waiting: dict[LtiIdentity, RosterMember] = {}
        for member, admission in wanted:
            known = self.known.get(member.user_id)
            if known is not None:
                found[member.user_id] = known.person_id
                continue
            kind = admission.person_kind
            if kind not in (PersonKind.PUPIL, PersonKind.GUEST):
                self.skip(member, "not_launched_yet")
                continue
            assert kind is not None
            identity = LtiIdentity(self.platform.issuer, member.user_id)
            arrivals.append((Newcomer(identity, self.deployment_id, member.name), kind))
            waiting[identity] = member
        if not arrivals:
            return found
        for identity, outcome in self.provisioner.people(self.hub, arrivals).items():
            member = waiting[identity]
            if isinstance(outcome, PermissionDeniedError):  # a concurrent launch decided
                self.skip(member, outcome.error)
                continue
            self.known[member.user_id] = outcome
            found[member.user_id] = outcome.person_id
        return found

    def unchanged(self, existing: Member | None, role: TwinSpaceRole) -> bool:
        if existing is not None and existing.role_source is not RoleSource.LMS:
            self.result.protected += 1
            return True
        if (
            existing is not None
            and existing.status is MemberStatus.ACTIVE
            and existing.role is role
        ):
            self.result.unchanged += 1
            return True
        return False

    def upsert(
        self,
        twinspace_id: int,
        changes: list[tuple[RosterMember, MemberSync]],
        current: dict[int, Member],
    ) -> None:
        if not changes:
            return
        synced = self.hub.sync_members(twinspace_id, [change for _, change in changes])
        for member, change in changes:
            refused = synced.refused.get(change.person_id)
            if refused is not None:
                if not isinstance(refused, (RuleViolationError, InvalidInputError)):
                    raise refused
                self.skip(member, refused.error)
                continue
            existing = current.get(change.person_id)
            if existing is None:
                self.result.added += 1
            elif existing.status is MemberStatus.SUSPENDED:
                self.result.reactivated += 1
            else:
                self.result.updated += 1

    # --- Learning Events and course units ---------------------------------------------------
    def event(self, event_id: int, members: list[RosterMember]) -> None:
        enrolled = {e.person_id for e in self.hub.list_enrolments(event_id)}
        for n, member, person_id in self.participants(members, ResourceKind.EVENT, "participant"):
            self.tick(n, len(members))
            if person_id in enrolled:
                self.result.unchanged += 1
                continue
            try:
                self.hub.enrol(event_id, person_id)
            except (RuleViolationError, InvalidInputError) as error:
                self.skip(member, error.error)
                continue
            enrolled.add(person_id)
            self.result.added += 1

    def unit(self, unit_id: int, members: list[RosterMember]) -> None:
        edition_id = self.hub.get_unit(unit_id).edition_id
        trainees = {p.id for p in self.hub.list_trainees(edition_id)}
        for n, member, person_id in self.participants(members, ResourceKind.UNIT, "trainee"):
            self.tick(n, len(members))
            if person_id in trainees:
                self.result.unchanged += 1
                continue
            try:
                self.hub.enrol_trainee(edition_id, person_id)
            except (RuleViolationError, InvalidInputError) as error:
                self.skip(member, error.error)
                continue
            trainees.add(person_id)
            self.result.added += 1

    def participants(
        self, members: list[RosterMember], kind: ResourceKind, wanted: str
    ) -> Iterable[tuple[int, RosterMember, int]]:
        """Active members whose mapped role for this kind is ``wanted`` and who have launched
        once (events and the course are for people with a hub account)."""
        for n, member in enumerate(members, 1):
            if member.status is not RosterStatus.ACTIVE:
                continue
            admission = self.admit(member, kind)
            if admission is None or admission.shown_role != wanted:
                continue
            known = self.known.get(member.user_id)
            if known is None:
                self.skip(member, "not_launched_yet")
                continue
            yield n, member, known.person_id
