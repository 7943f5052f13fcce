"""TwinSpaces and members over ``/api/v1``."""

from __future__ import annotations

from collections.abc import Sequence

from connectors.http_hub.base import HttpHubBase, remote_error
from etwin_lti.domain import paging
from etwin_lti.domain.model import (
    Member,
    TwinSpace,
    TwinSpaceRole,
)
from etwin_lti.domain.paging import MemberPage, RoleCount
from etwin_lti.domain.twinspace_snapshot import TwinSpaceSnapshot
from etwin_lti.domain.twinspaces import MemberSync, SyncedMembers
from schemas.api.common import BATCH_MAX
from schemas.api.paging import MemberPageSchema, RoleCountSchema
from schemas.api.twinspace_snapshot import TwinSpaceSnapshotSchema
from schemas.api.twinspaces import MemberSchema, MembersSyncResultSchema, TwinSpaceSchema


class TwinSpacesArea(HttpHubBase):
    def get_twinspace(self, twinspace_id: int) -> TwinSpace:
        return self._call("GET", f"/twinspaces/{twinspace_id}", TwinSpaceSchema())

    def list_twinspaces(self, *, member_id: int | None = None) -> list[TwinSpace]:
        query = {"member_id": member_id}
        return self._call("GET", "/twinspaces", TwinSpaceSchema(many=True), query=query)

    def list_members(self, twinspace_id: int) -> list[Member]:
        return self._call("GET", f"/twinspaces/{twinspace_id}/members", MemberSchema(many=True))

    def get_member(self, twinspace_id: int, person_id: int) -> Member:
        return self._call("GET", _member(twinspace_id, person_id), MemberSchema())

    def twinspace_snapshot(
        self, twinspace_id: int, *, viewer_id: int | None = None
    ) -> TwinSpaceSnapshot:
        return self._call(
            "GET",
            f"/twinspaces/{twinspace_id}/snapshot",
            TwinSpaceSnapshotSchema(),
            query={"viewer_id": viewer_id},
        )

    def role_counts(self, twinspace_id: int) -> list[RoleCount]:
        path = f"/twinspaces/{twinspace_id}/role-counts"
        return self._call("GET", path, RoleCountSchema(many=True))

    def member_page(self, twinspace_id: int, *, offset: int, limit: int) -> MemberPage:
        paging.check_window(offset, limit)  # refused here as the local hub refuses it
        query = {"offset": offset, "limit": limit}
        path = f"/twinspaces/{twinspace_id}/member-page"
        return self._call("GET", path, MemberPageSchema(), query=query)

    def add_member(
        self, actor_id: int, twinspace_id: int, person_id: int, role: TwinSpaceRole
    ) -> Member:
        body = {"actor_id": actor_id, "person_id": person_id, "role": role}
        return self._call("POST", f"/twinspaces/{twinspace_id}/members", MemberSchema(), body=body)

    def change_role(
        self, actor_id: int, twinspace_id: int, person_id: int, role: TwinSpaceRole
    ) -> Member:
        body = {"actor_id": actor_id, "role": role}
        return self._call("PATCH", _member(twinspace_id, person_id), MemberSchema(), body=body)

    def suspend_member(self, actor_id: int, twinspace_id: int, person_id: int) -> Member:
        path = _member(twinspace_id, person_id) + "/suspend"
        return self._call("POST", path, MemberSchema(), body={"actor_id": actor_id})

    def reactivate_member(self, actor_id: int, twinspace_id: int, person_id: int) -> Member:
        path = _member(twinspace_id, person_id) + "/reactivate"
        return self._call("POST", path, MemberSchema(), body={"actor_id": actor_id})

    def sync_member(
        self, twinspace_id: int, person_id: int, role: TwinSpaceRole, *, active: bool = True
    ) -> Member:
        path = _member(twinspace_id, person_id) + "/sync"
        return self._call("PUT", path, MemberSchema(), body={"role": role, "active": active})

    def sync_members(self, twinspace_id: int, changes: Sequence[MemberSync]) -> SyncedMembers:
        """One ``POST .../members/sync`` per ``BATCH_MAX`` changes; a refused change comes back
        as the error ``sync_member`` would have raised."""
        result = SyncedMembers()
        if not changes:
            self.get_twinspace(twinspace_id)  # an unknown TwinSpace refuses even an empty call
            return result
        path = f"/twinspaces/{twinspace_id}/members/sync"
        for start in range(0, len(changes), BATCH_MAX):
            body = {
                "changes": [
                    {"person_id": c.person_id, "role": c.role, "active": c.active}
                    for c in changes[start : start + BATCH_MAX]
                ]
            }
            answer = self._call("POST", path, MembersSyncResultSchema(), body=body)
            # Each answer lists a person once (their last change in it); a later call's
            # outcome for the same person replaces an earlier one, as in one call.
            for member in answer["members"]:
                result.synced(member.person_id, member)
            for refused in answer["refused"]:
                error = remote_error(refused["status"], refused)
                result.refuse(refused["person_id"], error)
        return result


def _member(twinspace_id: int, person_id: int) -> str:
    return f"/twinspaces/{twinspace_id}/members/{person_id}"
