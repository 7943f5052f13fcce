"""Partner invitations (issue 12 item 5): a teacher administrator invites, the teacher answers."""

from __future__ import annotations

from marshmallow import fields

from etwin_lti.domain.partner_invitations import PartnerInvitation, PartnerInvitationState
from etwin_lti.domain.people import TEACHER_SEARCH_MAX
from schemas.api.common import ModelSchema, body_id
from schemas.base import StrictSchema


class PartnerInvitationSchema(ModelSchema):
    model = PartnerInvitation
    id = fields.Integer(required=True)
    project_id = fields.Integer(required=True)
    inviter_id = fields.Integer(required=True)
    invitee_id = fields.Integer(required=True)
    created_at = fields.DateTime(required=True)
    state = fields.Enum(PartnerInvitationState, by_value=True, required=True)
    decided_at = fields.DateTime(allow_none=True)


class PartnerInviteSchema(StrictSchema):
    """A teacher token or launch session invites as itself (``actor_id`` left out)."""

    actor_id = body_id(required=True)
    invitee_id = body_id(required=True)


class TeacherSearchQuery(StrictSchema):
    """The hub's rules check both (at least 3 letters, 1..20), so every hub answers alike."""

    name = fields.String(required=True)
    limit = fields.Integer(load_default=TEACHER_SEARCH_MAX)
