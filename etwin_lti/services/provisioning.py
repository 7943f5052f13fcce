"""One way in for people, whether they arrive by a launch or in a course roster.

DESIGN.md "People, audiences and role mapping" and "Privacy". Both paths call
``Provisioner``: the same admission rules (``etwin_lti.domain.audiences.admit``), the same
person creation (pupils pseudonymous unless the school opted in, never an e-mail), the same
single first link per (issuer, ``sub``) even when two requests race for it, the same visitor
permit check. Over ports only: ``IdentityStore``, ``HubPort``, ``RosterSource``.

A first link is claimed before the person is created (``IdentityStore.claim``): of two first
launches at the same instant, one creates the person and the other waits for it, so there is
one person and no orphan row, on a local or a remote hub alike.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from etwin_lti.domain.audiences import (
    PersonKindFixedError,
    VisitorPermitRequiredError,
    keep_kind,
)
from etwin_lti.domain.identities import IdentityStore, KnownPerson, LtiIdentity
from etwin_lti.domain.launches import Resource, ResourceKind
from etwin_lti.domain.model import Member, MemberStatus, PersonKind, RoleSource
from etwin_lti.domain.people import NewPerson
from etwin_lti.domain.ports import HubPort
from etwin_lti.domain.rosters import RosterSource, RosterStatus
from etwin_lti.domain.translatable import N_
from etwin_lti.errors import (
    DependencyUnavailableError,
    EtwinLtiError,
    NotFoundError,
    PermissionDeniedError,
    PupilFixer,
    RemoteServiceError,
)
from etwin_lti.lti.roles import INSTITUTION, SYSTEM, normalise

WAIT_FOR_CONCURRENT_SECONDS = 5.0
# How long a launch keeps trying to record the identities of the people it has just created
# while the database is away (a restart, a fail-over): giving up leaves those people linked
# to no identity, and the next launch would create others.
SETTLE_RETRY_SECONDS = 15.0

log = logging.getLogger(__name__)


class ProvisioningBusyError(RemoteServiceError):
    error = "provisioning_busy"
    status_code = 503
    description = N_(
        "Your first visit is being set up by another request that has not finished yet."
    )
    who_can_fix = N_("you: open the activity again in a moment")
    pupil_fixer = PupilFixer.AS_SAID


@dataclass(frozen=True)
class Newcomer:
    """What the LMS told us about someone we may have to create."""

    identity: LtiIdentity
    deployment_id: str
    name: str | None = None
    email: str | None = None


class Provisioner:
    def __init__(
        self,
        identities: IdentityStore,
        *,
        store_pupil_names: bool,
        roster_source: RosterSource | None = None,
        wait_seconds: float = WAIT_FOR_CONCURRENT_SECONDS,
        settle_retry_seconds: float = SETTLE_RETRY_SECONDS,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._identities = identities
        self._store_pupil_names = store_pupil_names
        self._roster_source = roster_source
        self._wait = wait_seconds
        self._settle_retry = settle_retry_seconds
        self._sleep = sleep

    def person(self, hub: HubPort, newcomer: Newcomer, kind: PersonKind) -> KnownPerson:
        """The person of this identity, created as ``kind`` if there is none yet (a launch):
        ``people`` with one newcomer."""
        outcome = self.people(hub, [(newcomer, kind)])[newcomer.identity]
        if isinstance(outcome, PermissionDeniedError):
            raise outcome
        return outcome

    def people(
        self, hub: HubPort, arrivals: Sequence[tuple[Newcomer, PersonKind]]
    ) -> dict[LtiIdentity, KnownPerson | PermissionDeniedError]:
        """The person of each identity, created as its kind where there is none yet (a
        roster's newcomers, in one batch): one claim of them all, one creation of the people
        this call won, one settlement. Identities claimed by another request are waited for
        (``ProvisioningBusyError`` if it does not finish); one whose kind another request
        decided differently gets its refusal (``PersonKindFixedError``) instead of a person."""
        claimed: set[LtiIdentity] = set()
        by_deployment: dict[str, list[tuple[LtiIdentity, PersonKind]]] = {}
        for newcomer, kind in arrivals:
            by_deployment.setdefault(newcomer.deployment_id, []).append((newcomer.identity, kind))
        for deployment_id, claims in by_deployment.items():
            claimed |= self._identities.claim_many(claims, deployment_id=deployment_id)
        for newcomer, kind in arrivals:
            # Held already: a claim left by a request that died is taken over one by one.
            if newcomer.identity not in claimed and self._identities.claim(
                newcomer.identity, deployment_id=newcomer.deployment_id, kind=kind
            ):
                claimed.add(newcomer.identity)
        outcomes: dict[LtiIdentity, KnownPerson | PermissionDeniedError] = {}
        mine = [(n, k) for n, k in arrivals if n.identity in claimed]
        if mine:
            drafts = [
                NewPerson(
                    self._display_name(n, k)[:200],
                    k,
                    country_code=None,
                    school=None,
                    email=None if k is PersonKind.PUPIL else n.email,
                )
                for n, k in mine
            ]
            try:
                created = hub.create_people(drafts)
            except BaseException:
                self._identities.release_many(n.identity for n, _ in mine)  # may try again
                raise
            self._settle({n.identity: p.id for (n, _), p in zip(mine, created, strict=True)})
            for (n, k), p in zip(mine, created, strict=True):
                outcomes[n.identity] = KnownPerson(p.id, k)
        for newcomer, kind in arrivals:
            if newcomer.identity in claimed:
                continue
            found = self._identities.wait(newcomer.identity, timeout_seconds=self._wait)
            if found is None:
                raise ProvisioningBusyError()
            try:
                keep_kind(found.kind, kind)  # the other request decided the same, or refused
            except PermissionDeniedError as refused:
                outcomes[newcomer.identity] = refused
                continue
            outcomes[newcomer.identity] = found
        return outcomes

    def _settle(self, people: dict[LtiIdentity, int]) -> None:
        """Record who the new people are. The people exist already (the hub committed them):
        a database that went away in between is waited for, with growing pauses, rather than
        leaving them linked to no identity (the soak's outage found that window)."""
        deadline = time.monotonic() + self._settle_retry
        pause = 0.1
        while True:
            try:
                self._identities.settle_many(people)
                return
            except DependencyUnavailableError:
                if time.monotonic() + pause > deadline:
                    # Ids only: no name, no LMS subject in the log (DESIGN.md, Privacy).
                    log.warning(
                        "provisioning: people %s were created, but their LMS identities could "
                        "not be recorded (database unavailable): they are linked to no identity",
                        sorted(people.values()),
                    )
                    raise
                self._sleep(pause)
                pause = min(pause * 2, 1.0)

    def _display_name(self, newcomer: Newcomer, kind: PersonKind) -> str:
        if kind is PersonKind.PUPIL:
            pseudonym = newcomer.identity.pseudonym("Pupil")
            return newcomer.name if self._store_pupil_names and newcomer.name else pseudonym
        return newcomer.name or newcomer.identity.pseudonym("Member")

    # --- visitors ---------------------------------------------------------------------------
    def check_permit(
        self, hub: HubPort, resource: Resource | None, known: KnownPerson | None
    ) -> None:
        """A visitor (LTI Mentor) enters only a TwinSpace whose teacher administrator granted
        them a visitor permit (``services.visitor_permits``): an active membership that a
        teacher administrator decided, never one the LMS created."""
        if known is None or resource is None or resource.kind is not ResourceKind.TWINSPACE:
            raise VisitorPermitRequiredError()
        if not has_permit(hub, resource.id, known.person_id):
            raise VisitorPermitRequiredError()

    # --- administrators ---------------------------------------------------------------------
    def in_roster(self, platform_id: int, nrps_url: str | None, identity: LtiIdentity) -> bool:
        """Whether an LMS administrator is really in this course. Moodle launches its site
        administrators as Instructor of every course; only the course roster (NRPS) tells an
        enrolled one from a visiting one. No roster offered, or none readable: not in it
        (least privilege: they still get the tool administrator's pages)."""
        source = self._roster_source
        if source is None or not nrps_url:
            return False
        try:
            roster = source.fetch(platform_id, nrps_url)
        except EtwinLtiError:
            return False
        return any(
            member.user_id == identity.subject
            and member.status is RosterStatus.ACTIVE
            and any(not _is_admin_role(uri) for uri in member.roles)
            for member in roster.members
        )


def has_permit(hub: HubPort, twinspace_id: int, person_id: int) -> bool:
    try:
        member = hub.get_member(twinspace_id, person_id)
    except NotFoundError:
        return False
    return is_permit(member)


def is_permit(member: Member | None) -> bool:
    """A visitor permit: an active membership a teacher administrator decided."""
    return (
        member is not None
        and member.status is MemberStatus.ACTIVE
        and member.role_source is not RoleSource.LMS
    )


def _is_admin_role(uri: str) -> bool:
    role = normalise(uri)
    return role is None or role.scope in (INSTITUTION, SYSTEM)


__all__ = ["Newcomer", "PersonKindFixedError", "Provisioner", "ProvisioningBusyError"]
