"""``/api/v1/twinspaces`` and their members."""

from __future__ import annotations

from typing import Any

from etwin_lti.domain.api_tokens import ApiPermission
from etwin_lti.domain.twinspaces import MemberSync
from etwin_lti.services.visitor_permits import (
    grant_expert_permit,
    grant_visitor_permit,
    withdraw_expert_permit,
    withdraw_visitor_permit,
)
from etwin_lti.web.api.auth import hub, requires, snapshot_view, viewer
from etwin_lti.web.api.parsing import ApiBlueprint
from schemas.api.common import ActorSchema
from schemas.api.content import ViewerQuery
from schemas.api.paging import MemberPageSchema, RoleCountSchema, WindowQuery
from schemas.api.projects import MemberFilterQuery
from schemas.api.twinspace_snapshot import TwinSpaceSnapshotSchema
from schemas.api.twinspaces import (
    MemberAddSchema,
    MemberSchema,
    MembersSyncResultSchema,
    MembersSyncSchema,
    MemberSyncSchema,
    RoleChangeSchema,
    TwinSpaceSchema,
)

bp = ApiBlueprint(
    "api_twinspaces", __name__, url_prefix="/api/v1", description="TwinSpaces and members"
)
MEMBER = "/twinspaces/<int:twinspace_id>/members/<int:person_id>"
PERMIT = "/twinspaces/<int:twinspace_id>/visitor-permits/<int:person_id>"
EXPERT_PERMIT = "/twinspaces/<int:twinspace_id>/expert-permits/<int:person_id>"


@bp.get("/twinspaces")
@requires(ApiPermission.READ)
@bp.arguments(MemberFilterQuery, location="query")
@bp.response(200, TwinSpaceSchema(many=True))
def list_twinspaces(query: dict[str, Any]) -> Any:
    return hub().list_twinspaces(member_id=query["member_id"])


@bp.get("/twinspaces/<int:twinspace_id>")
@requires(ApiPermission.READ)
@bp.response(200, TwinSpaceSchema)
def get_twinspace(twinspace_id: int) -> Any:
    return hub().get_twinspace(twinspace_id)


@bp.get("/twinspaces/<int:twinspace_id>/members")
@requires(ApiPermission.READ)
@bp.response(200, MemberSchema(many=True))
def list_members(twinspace_id: int) -> Any:
    """Administrators first, then by display name."""
    return hub().list_members(twinspace_id)


@bp.get("/twinspaces/<int:twinspace_id>/snapshot")
@requires(ApiPermission.READ)
@bp.arguments(ViewerQuery, location="query")
@bp.response(200, TwinSpaceSnapshotSchema)
def twinspace_snapshot(query: dict[str, Any], twinspace_id: int) -> Any:
    """Everything the embedded TwinSpace page shows, read at once; private content and the
    forum only for a ``viewer_id`` who is an active, non-guest member; officers get neither
    the forum nor pupils' Diary comments."""
    snapshot = hub().twinspace_snapshot(twinspace_id, viewer_id=viewer(query["viewer_id"]))
    return snapshot_view(snapshot)


@bp.post("/twinspaces/<int:twinspace_id>/members")
@requires(ApiPermission.WRITE)
@bp.arguments(MemberAddSchema)
@bp.response(201, MemberSchema)
def add_member(body: dict[str, Any], twinspace_id: int) -> Any:
    return hub().add_member(body["actor_id"], twinspace_id, body["person_id"], body["role"])


@bp.get(MEMBER)
@requires(ApiPermission.READ)
@bp.response(200, MemberSchema)
def get_member(twinspace_id: int, person_id: int) -> Any:
    return hub().get_member(twinspace_id, person_id)


@bp.patch(MEMBER)
@requires(ApiPermission.WRITE)
@bp.arguments(RoleChangeSchema)
@bp.response(200, MemberSchema)
def change_role(body: dict[str, Any], twinspace_id: int, person_id: int) -> Any:
    """Teacher administrators only; founders' roles are untouchable."""
    return hub().change_role(body["actor_id"], twinspace_id, person_id, body["role"])


@bp.post(MEMBER + "/suspend")
@requires(ApiPermission.WRITE)
@bp.arguments(ActorSchema)
@bp.response(200, MemberSchema)
def suspend_member(body: dict[str, Any], twinspace_id: int, person_id: int) -> Any:
    return hub().suspend_member(body["actor_id"], twinspace_id, person_id)


@bp.post(MEMBER + "/reactivate")
@requires(ApiPermission.WRITE)
@bp.arguments(ActorSchema)
@bp.response(200, MemberSchema)
def reactivate_member(body: dict[str, Any], twinspace_id: int, person_id: int) -> Any:
    return hub().reactivate_member(body["actor_id"], twinspace_id, person_id)


@bp.put(MEMBER + "/sync")
@requires(ApiPermission.WRITE)
@bp.arguments(MemberSyncSchema)
@bp.response(200, MemberSchema)
def sync_member(body: dict[str, Any], twinspace_id: int, person_id: int) -> Any:
    """LMS provisioning; never overrides a teacher administrator's decision."""
    return hub().sync_member(twinspace_id, person_id, body["role"], active=body["active"])


@bp.post("/twinspaces/<int:twinspace_id>/members/sync")
@requires(ApiPermission.WRITE)
@bp.arguments(MembersSyncSchema)
@bp.response(200, MembersSyncResultSchema)
def sync_members(body: dict[str, Any], twinspace_id: int) -> Any:
    """LMS provisioning of up to 1,000 memberships at once (a roster sync): each change as
    ``PUT .../members/<person_id>/sync`` would apply it. An unknown TwinSpace refuses the call
    (404); a change that call would refuse (unknown person, a role not for the person's kind,
    an archived TwinSpace) is listed under ``refused`` with that error and the others are
    applied. A person's last change counts."""
    changes = [MemberSync(c["person_id"], c["role"], active=c["active"]) for c in body["changes"]]
    synced = hub().sync_members(twinspace_id, changes)
    return {
        "members": list(synced.members.values()),
        "refused": [
            {"person_id": person_id, "status": error.status_code, **error.to_dict()}
            for person_id, error in synced.refused.items()
        ],
    }


@bp.put(PERMIT)
@requires(ApiPermission.WRITE)
@bp.arguments(ActorSchema)
@bp.response(200, MemberSchema)
def grant_permit(body: dict[str, Any], twinspace_id: int, person_id: int) -> Any:
    """A teacher administrator lets a parent (LTI Mentor) visit, read-only."""
    return grant_visitor_permit(hub(), body["actor_id"], twinspace_id, person_id)


@bp.delete(PERMIT)
@requires(ApiPermission.WRITE)
@bp.arguments(ActorSchema)
@bp.response(200, MemberSchema)
def withdraw_permit(body: dict[str, Any], twinspace_id: int, person_id: int) -> Any:
    """The visitor's membership is suspended (a teacher administrator's decision)."""
    return withdraw_visitor_permit(hub(), body["actor_id"], twinspace_id, person_id)


@bp.put(EXPERT_PERMIT)
@requires(ApiPermission.WRITE)
@bp.arguments(ActorSchema)
@bp.response(200, MemberSchema)
def grant_expert(body: dict[str, Any], twinspace_id: int, person_id: int) -> Any:
    """A teacher administrator lets an expert in (the expert role; never a pupil or a visitor)."""
    return grant_expert_permit(hub(), body["actor_id"], twinspace_id, person_id)


@bp.delete(EXPERT_PERMIT)
@requires(ApiPermission.WRITE)
@bp.arguments(ActorSchema)
@bp.response(200, MemberSchema)
def withdraw_expert(body: dict[str, Any], twinspace_id: int, person_id: int) -> Any:
    """The expert's membership is suspended (a teacher administrator's decision)."""
    return withdraw_expert_permit(hub(), body["actor_id"], twinspace_id, person_id)


# --- counts and pages of members (ADR 0016): the embedded page never reads the whole list ---


@bp.get("/twinspaces/<int:twinspace_id>/role-counts")
@requires(ApiPermission.READ)
@bp.response(200, RoleCountSchema(many=True))
def role_counts(twinspace_id: int) -> Any:
    """Members per role, active and suspended, in role order."""
    return hub().role_counts(twinspace_id)


@bp.get("/twinspaces/<int:twinspace_id>/member-page")
@requires(ApiPermission.READ)
@bp.arguments(WindowQuery, location="query")
@bp.response(200, MemberPageSchema)
def member_page(query: dict[str, Any], twinspace_id: int) -> Any:
    """``limit`` members from ``offset`` in the order of the member list, and the total."""
    return hub().member_page(twinspace_id, offset=query["offset"], limit=query["limit"])
