"""``/api/v1`` partner invitations (issue 12 items 5 and 7; docs/decisions/0028).

The same operations for a teacher token or the launch session as for an admin token acting
for a person: ``actor_id`` is bound to the teacher (``auth.requires``), so the hub's rules decide
exactly as on the project page. ``POST /projects/<id>/partners`` (adding a partner without
asking them) stays for admin tokens only.
"""

from __future__ import annotations

from typing import Any

from etwin_lti.domain.api_tokens import ApiPermission
from etwin_lti.domain.model import MemberStatus, TwinSpaceRole
from etwin_lti.errors import NotFoundError
from etwin_lti.web.api.auth import NotYoursError, current_caller, hub, person_view, requires
from etwin_lti.web.api.parsing import ApiBlueprint
from schemas.api.common import ActorSchema
from schemas.api.partner_invitations import (
    PartnerInvitationSchema,
    PartnerInviteSchema,
    TeacherSearchQuery,
)
from schemas.api.people import PersonSchema

bp = ApiBlueprint(
    "api_partner_invitations", __name__, url_prefix="/api/v1", description="Partner invitations"
)


@bp.get("/teachers")
@requires(ApiPermission.READ)
@bp.arguments(TeacherSearchQuery, location="query")
@bp.response(200, PersonSchema(many=True))
def find_teachers(query: dict[str, Any]) -> Any:
    """Teachers a project may take as partners, by a part of their name (3 letters at least),
    ordered by name, at most ``limit`` (20)."""
    return [person_view(p) for p in hub().find_teachers(query["name"], limit=query["limit"])]


@bp.post("/projects/<int:project_id>/partner-invitations")
@requires(ApiPermission.WRITE)
@bp.arguments(PartnerInviteSchema)
@bp.response(201, PartnerInvitationSchema)
def invite_partner(body: dict[str, Any], project_id: int) -> Any:
    """A teacher administrator of the project's TwinSpace invites a teacher; 409 when already
    invited, a partner, or the project is not open."""
    return hub().invite_partner(body["actor_id"], project_id, body["invitee_id"])


@bp.get("/projects/<int:project_id>/partner-invitations")
@requires(ApiPermission.READ)
@bp.response(200, PartnerInvitationSchema(many=True))
def list_partner_invitations(project_id: int) -> Any:
    """Every invitation of the project with its state; a teacher reads them only as a teacher
    administrator of its TwinSpace (as the project page shows them)."""
    caller = current_caller()
    if caller.acts_as_person:
        assert caller.person_id is not None
        _check_administrator(project_id, caller.person_id)
    return hub().list_partner_invitations(project_id)


@bp.get("/people/<int:person_id>/partner-invitations")
@requires(ApiPermission.READ, acting_path="person_id")
@bp.response(200, PartnerInvitationSchema(many=True))
def pending_partner_invitations(person_id: int) -> Any:
    """The pending invitations addressed to this teacher (a teacher: only their own)."""
    return hub().pending_partner_invitations(person_id)


@bp.post("/partner-invitations/<int:invitation_id>/<any(accept, decline):answer>")
@requires(ApiPermission.WRITE)
@bp.arguments(ActorSchema)
@bp.response(200, PartnerInvitationSchema)
def answer_partner_invitation(body: dict[str, Any], invitation_id: int, answer: str) -> Any:
    """The invitee answers; accepting makes them a partner (with the project's label)."""
    return hub().answer_partner_invitation(body["actor_id"], invitation_id, answer == "accept")


@bp.post("/partner-invitations/<int:invitation_id>/withdraw")
@requires(ApiPermission.WRITE)
@bp.arguments(ActorSchema)
@bp.response(200, PartnerInvitationSchema)
def withdraw_partner_invitation(body: dict[str, Any], invitation_id: int) -> Any:
    """A teacher administrator of the project's TwinSpace withdraws a pending invitation."""
    return hub().withdraw_partner_invitation(body["actor_id"], invitation_id)


def _check_administrator(project_id: int, person_id: int) -> None:
    twinspace_id = hub().get_project(project_id).twinspace_id
    try:
        member = hub().get_member(twinspace_id, person_id) if twinspace_id else None
    except NotFoundError:
        member = None
    if (
        member is None
        or member.status is not MemberStatus.ACTIVE
        or member.role is not TwinSpaceRole.TEACHER_ADMINISTRATOR
    ):
        raise NotYoursError()
