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

from dataclasses import dataclass

from etwin_lti.domain.audiences import (
    PersonKindFixedError,
    VisitorPermitRequiredError,
    keep_kind,
)
from etwin_lti.domain.identities import IdentityStore, KnownPerson, LtiIdentity
from etwin_lti.domain.launches import Resource, ResourceKind
from etwin_lti.domain.model import MemberStatus, PersonKind, RoleSource
from etwin_lti.domain.ports import HubPort
from etwin_lti.domain.rosters import RosterSource, RosterStatus
from etwin_lti.domain.translatable import N_
from etwin_lti.errors import EtwinLtiError, NotFoundError, PupilFixer, RemoteServiceError
from etwin_lti.lti.roles import INSTITUTION, SYSTEM, normalise

WAIT_FOR_CONCURRENT_SECONDS = 5.0


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
    ) -> None:
        self._identities = identities
        self._store_pupil_names = store_pupil_names
        self._roster_source = roster_source
        self._wait = wait_seconds

    def person(self, hub: HubPort, newcomer: Newcomer, kind: PersonKind) -> KnownPerson:
        """The person of this identity, created as ``kind`` if there is none yet."""
        identity = newcomer.identity
        if self._identities.claim(identity, deployment_id=newcomer.deployment_id, kind=kind):
            try:
                created = hub.create_person(
                    self._display_name(newcomer, kind)[:200],
                    kind,
                    email=None if kind is PersonKind.PUPIL else newcomer.email,
                )
            except BaseException:
                self._identities.release(identity)  # the next launch may try again
                raise
            self._identities.settle(identity, created.id)
            return KnownPerson(created.id, kind)
        found = self._identities.wait(identity, timeout_seconds=self._wait)
        if found is None:
            raise ProvisioningBusyError()
        keep_kind(found.kind, kind)  # the other request decided the same, or this refuses
        return found

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
    return member.status is MemberStatus.ACTIVE and member.role_source is not RoleSource.LMS


def _is_admin_role(uri: str) -> bool:
    role = normalise(uri)
    return role is None or role.scope in (INSTITUTION, SYSTEM)


__all__ = ["Newcomer", "PersonKindFixedError", "Provisioner", "ProvisioningBusyError"]
