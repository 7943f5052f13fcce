"""Partner invitations over ``/api/v1`` (the remote hub's rules answer)."""

from __future__ import annotations

from connectors.http_hub.base import HttpHubBase
from etwin_lti.domain.partner_invitations import PartnerInvitation
from schemas.api.partner_invitations import PartnerInvitationSchema


class PartnerInvitationsArea(HttpHubBase):
    def invite_partner(self, actor_id: int, project_id: int, invitee_id: int) -> PartnerInvitation:
        body = {"actor_id": actor_id, "invitee_id": invitee_id}
        return self._call(
            "POST",
            f"/projects/{project_id}/partner-invitations",
            PartnerInvitationSchema(),
            body=body,
        )

    def list_partner_invitations(self, project_id: int) -> list[PartnerInvitation]:
        return self._call(
            "GET",
            f"/projects/{project_id}/partner-invitations",
            PartnerInvitationSchema(many=True),
        )

    def pending_partner_invitations(self, person_id: int) -> list[PartnerInvitation]:
        return self._call(
            "GET", f"/people/{person_id}/partner-invitations", PartnerInvitationSchema(many=True)
        )

    def answer_partner_invitation(
        self, person_id: int, invitation_id: int, accept: bool
    ) -> PartnerInvitation:
        answer = "accept" if accept else "decline"
        return self._call(
            "POST",
            f"/partner-invitations/{invitation_id}/{answer}",
            PartnerInvitationSchema(),
            body={"actor_id": person_id},
        )

    def withdraw_partner_invitation(self, actor_id: int, invitation_id: int) -> PartnerInvitation:
        return self._call(
            "POST",
            f"/partner-invitations/{invitation_id}/withdraw",
            PartnerInvitationSchema(),
            body={"actor_id": actor_id},
        )
