"""Names and Role Provisioning Services 2.0, tool side, sans I/O.

Spec: https://www.imsglobal.org/spec/lti-nrps/v2p0/ — section 2.2 (membership container, media
type ``application/vnd.ims.lti-nrps.v2.membershipcontainer+json``), 2.3 (``limit`` and
``Link: rel="next"`` paging), 2.4 (``rel="differences"``), 2.2 member ``status``
Active/Inactive/Deleted. Scope ``contextmembership.readonly`` (``claims.SCOPE_NRPS``).

``parse_page`` turns one decoded page into ``RosterMember``s or raises
``MalformedRosterPageError`` (the whole sync stops: a roster read wrongly must change nothing).
Tolerated: missing names, e-mails and pictures (privacy settings), unknown extra fields,
status in any letter case. Never read: e-mail, ``lis_person_sourcedid`` (DESIGN.md "Privacy").

``unknown_roles`` tells which role strings are outside the LTI role vocabularies (LTI Core 1.3,
appendix A.2): the roster sync refuses a page carrying them, because a vocabulary it does not
understand could hide teachers as well as pupils.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from etwin_lti.domain.rosters import RosterMember, RosterStatus
from etwin_lti.domain.translatable import N_
from etwin_lti.errors import RemoteServiceError
from etwin_lti.lti.roles import CONTEXT, normalise

MEDIA_TYPE = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
MAX_ID_LENGTH = 255

# LTI Core 1.3, A.2.3: context roles (LTI 1.1's TeachingAssistant is still sent as a parent).
CONTEXT_ROLES = frozenset(
    {
        "Administrator",
        "ContentDeveloper",
        "Instructor",
        "Learner",
        "Mentor",
        "Manager",
        "Member",
        "Officer",
        "TeachingAssistant",
    }
)


class MalformedRosterPageError(RemoteServiceError):
    error = "malformed_roster"
    description = N_("The LMS sent a course roster the tool cannot read; nothing was changed.")
    who_can_fix = N_("the tool administrator (report it with the LMS's name and version)")


@dataclass(frozen=True)
class MembershipPage:
    context_id: str | None
    members: tuple[RosterMember, ...]


# Case-insensitive, looked up once per member (iterating the enum per member cost more than the
# rest of the member's parsing).
_STATUSES = {s.value.lower(): s for s in RosterStatus}


def parse_page(body: object, *, page: int = 1) -> MembershipPage:
    where = f"page {page} of the roster"
    if not isinstance(body, Mapping):
        raise MalformedRosterPageError(f"The LMS sent {where} that is not a JSON object.")
    members = body.get("members")
    if not isinstance(members, list):
        raise MalformedRosterPageError(f"The LMS sent {where} without a members list.")
    context = body.get("context")
    context_id: str | None = None
    if isinstance(context, Mapping) and context.get("id") is not None:
        context_id = str(context["id"])
    parsed = tuple(_member(entry, where, n) for n, entry in enumerate(members, 1))
    return MembershipPage(context_id, parsed)


def _member(entry: object, where: str, n: int) -> RosterMember:
    if not isinstance(entry, Mapping):
        raise MalformedRosterPageError(f"Member {n} on {where} is not a JSON object.")
    user_id = entry.get("user_id")
    if isinstance(user_id, int) and not isinstance(user_id, bool):
        user_id = str(user_id)  # some platforms send numbers
    if not isinstance(user_id, str) or not user_id.strip() or len(user_id) > MAX_ID_LENGTH:
        raise MalformedRosterPageError(f"Member {n} on {where} has no valid user_id.")
    roles = entry.get("roles", [])
    if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
        raise MalformedRosterPageError(f"Member {n} on {where} has roles that are not a list.")
    raw_status = entry.get("status") or RosterStatus.ACTIVE.value
    status = _STATUSES.get(raw_status.lower()) if isinstance(raw_status, str) else None
    if status is None:
        raise MalformedRosterPageError(f"Member {n} on {where} has an unknown status.")
    name = entry.get("name")
    return RosterMember(
        user_id=user_id,
        roles=tuple(roles),
        status=status,
        name=name.strip()[:200] or None if isinstance(name, str) else None,
    )


def unknown_roles(roles: Iterable[str]) -> list[str]:
    """Role strings outside LTI's vocabularies (full URIs, sub-roles, short forms, LTI 1.1)."""
    unknown = []
    for uri in roles:
        role = normalise(uri)
        if role is None or (role.scope == CONTEXT and role.name not in CONTEXT_ROLES):
            unknown.append(uri)
    return unknown
