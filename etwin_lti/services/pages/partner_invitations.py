"""Partner invitations on the pages (issue 12 item 5; rules in ``domain.partner_invitations``).

Founders' side, on the project page (``services.pages.project``): whom to invite is what the
page OFFERS, never a posted id taken at its word:

- the teachers of this TwinSpace who are not yet founders, partners or invited (its member list);
- the teachers a name search found (``HubPort.find_teachers``: 3 letters at least, 20 at most),
  without those whose tool-side account is not a validated eTwinning one (a pending
  registration, an invited member without a profile).

A posted invitee is accepted only if the same offer, rebuilt from the hub for the posted search
text, contains them; anything else is 404. A withdrawal names an invitation of THIS project.

Invitee's side, on every page a teacher sees (``web.pages.render_page``): their pending
invitations with Accept and Decline. An answer names one of THEIR pending invitations (404
otherwise: someone else's, answered, withdrawn); the hub checks the rules again inside the
transaction (a project closed meanwhile, a double click).

Cost: the notice is one hub read per page a teacher opens (their pending invitations, usually
none), plus the project and the inviter of each pending one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from etwin_lti.domain.launches import LaunchSession
from etwin_lti.domain.model import Member, MemberStatus, Person, PersonKind, Project, TwinSpaceRole
from etwin_lti.domain.partner_invitations import PartnerInvitation, PartnerInvitationState
from etwin_lti.domain.people import TEACHER_SEARCH_MAX, TEACHER_SEARCH_MIN
from etwin_lti.domain.ports import HubPort
from etwin_lti.domain.projects import project_teacher_ids
from etwin_lti.domain.translatable import N_
from etwin_lti.errors import InvalidInputError, NotFoundError
from etwin_lti.services.pages.common import FORMER_MEMBER, form_id, require_person

MESSAGES = {
    "partner_invited": N_("The invitation was sent: the teacher answers on their next launch."),
    "partner_invitation_withdrawn": N_("The invitation was withdrawn."),
    "partner_invitation_accepted": N_(
        "You are now a partner of the project: its eTwinning label is yours too."
    ),
    "partner_invitation_declined": N_("You declined the invitation. The founders will see it."),
}
# Roles a teacher holds in a TwinSpace (experts, guests and pupils are other kinds of people).
_TEACHER_ROLES = frozenset(
    {TwinSpaceRole.TEACHER, TwinSpaceRole.TEACHER_ADMINISTRATOR, TwinSpaceRole.OBSERVER}
)
# Launch roles that are never a teacher's (as the page bar reads them): no read for them.
_NEVER_INVITED = frozenset({"pupil", "pupil_administrator", "guest", "expert", "trainer"})
STATE_LABELS = {
    PartnerInvitationState.PENDING: N_("waiting for an answer"),
    PartnerInvitationState.ACCEPTED: N_("accepted"),
    PartnerInvitationState.DECLINED: N_("declined"),
    PartnerInvitationState.WITHDRAWN: N_("withdrawn"),
}


@dataclass(frozen=True)
class Candidate:
    person_id: int
    name: str
    school: str | None
    country_code: str | None


@dataclass(frozen=True)
class InvitationLine:
    invitation: PartnerInvitation
    invitee_name: str
    state_label: str
    pending: bool


@dataclass(frozen=True)
class PartnerOffer:
    """What the project page offers a teacher administrator."""

    members: tuple[Candidate, ...]  # teachers of this TwinSpace not yet partners
    query: str  # the search text, as typed
    found: tuple[Candidate, ...]  # the search's candidates
    search_note: str | None  # why the search shows nothing
    invitations: tuple[InvitationLine, ...]


@dataclass(frozen=True)
class InvitationNotice:
    invitation_id: int
    inviter_name: str
    project_title: str


class PartnerInvitationPages:
    def __init__(
        self, hub: HubPort, *, is_validated: Callable[[int], bool] = lambda _person: True
    ) -> None:
        self.hub = hub
        # The tool's own record of a teacher's account (pending registrations are not
        # validated eTwinners yet); with a remote hub the remote decides alone.
        self.is_validated = is_validated

    # --- founders' side ----------------------------------------------------------------------
    def offer(
        self, project: Project, members: list[Member], actor: int, query: str
    ) -> PartnerOffer:
        invitations = self.hub.list_partner_invitations(project.id)
        excluded = self._excluded(project, invitations, actor)
        found, note = self._search(query, excluded)
        return PartnerOffer(
            members=tuple(
                Candidate(m.person_id, m.display_name, None, None)
                for m in sorted(members, key=lambda m: (m.display_name.casefold(), m.person_id))
                if m.role in _TEACHER_ROLES and m.person_id not in excluded and _active(m)
            ),
            query=query,
            found=found,
            search_note=note,
            invitations=tuple(self._line(i) for i in reversed(invitations)),
        )

    def invite(
        self, project: Project, members: list[Member], actor: int, form: Mapping[str, str]
    ) -> str:
        person_id = form_id(form.get("person", ""), field="person")
        offer = self.offer(project, members, actor, form.get("q", ""))
        offered = {c.person_id for c in (*offer.members, *offer.found)}
        if person_id not in offered:
            raise NotFoundError(N_("This teacher is not someone this page offers to invite."))
        self.hub.invite_partner(actor, project.id, person_id)
        return "partner_invited"

    def withdraw(self, project: Project, actor: int, form: Mapping[str, str]) -> str:
        invitation_id = form_id(form.get("invitation", ""), field="invitation")
        if invitation_id not in {i.id for i in self.hub.list_partner_invitations(project.id)}:
            raise NotFoundError(N_("There is no such invitation to this project."))
        self.hub.withdraw_partner_invitation(actor, invitation_id)
        return "partner_invitation_withdrawn"

    # --- invitee's side ----------------------------------------------------------------------
    def notices(self, session: LaunchSession) -> tuple[InvitationNotice, ...]:
        if session.person_id is None or session.role in _NEVER_INVITED:
            return ()
        try:
            pending = self.hub.pending_partner_invitations(session.person_id)
        except NotFoundError:  # erased meanwhile: the page itself says so
            return ()
        return tuple(
            InvitationNotice(
                i.id, self._name(i.inviter_id), self.hub.get_project(i.project_id).title
            )
            for i in pending
        )

    def answer(self, session: LaunchSession, invitation_id: int, accept: bool) -> str:
        person = require_person(session)
        if invitation_id not in {i.id for i in self.hub.pending_partner_invitations(person)}:
            raise NotFoundError(
                N_(
                    "This invitation is not waiting for your answer: it was answered, withdrawn, "
                    "or it is for another teacher."
                ),
                who_can_fix=N_("the project's founder who invited you"),
            )
        self.hub.answer_partner_invitation(person, invitation_id, accept)
        return "partner_invitation_accepted" if accept else "partner_invitation_declined"

    # --- helpers --------------------------------------------------------------------------------
    def _excluded(
        self, project: Project, invitations: list[PartnerInvitation], actor: int
    ) -> set[int]:
        pending = {i.invitee_id for i in invitations if i.state is PartnerInvitationState.PENDING}
        return {actor, *project_teacher_ids(project), *pending}

    def _search(self, query: str, excluded: set[int]) -> tuple[tuple[Candidate, ...], str | None]:
        text = " ".join(query.split()) if isinstance(query, str) else ""
        if not text:
            return (), None
        if len(text) < TEACHER_SEARCH_MIN:
            return (), f"Type at least {TEACHER_SEARCH_MIN} letters of the name."
        try:
            people = self.hub.find_teachers(text, limit=TEACHER_SEARCH_MAX)
        except InvalidInputError:
            return (), N_("Search with a shorter part of the name.")
        found = tuple(
            _candidate(p)
            for p in people
            if p.kind is PersonKind.TEACHER and p.id not in excluded and self.is_validated(p.id)
        )
        return found, None if found else N_("No eTwinning teacher found by that name.")

    def _line(self, invitation: PartnerInvitation) -> InvitationLine:
        return InvitationLine(
            invitation,
            self._name(invitation.invitee_id),
            STATE_LABELS[invitation.state],
            invitation.state is PartnerInvitationState.PENDING,
        )

    def _name(self, person_id: int) -> str:
        try:
            return self.hub.get_person(person_id).display_name
        except NotFoundError:
            return FORMER_MEMBER


def _candidate(person: Person) -> Candidate:
    return Candidate(person.id, person.display_name, person.school, person.country_code)


def _active(member: Member) -> bool:
    return member.status is MemberStatus.ACTIVE


__all__ = ["MESSAGES", "InvitationNotice", "PartnerInvitationPages", "PartnerOffer"]
