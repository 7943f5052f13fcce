"""TwinSpaces and their members."""

from __future__ import annotations

from marshmallow import fields

from etwin_lti.domain.model import (
    Member,
    MemberStatus,
    RoleSource,
    TwinSpace,
    TwinSpaceRole,
    TwinSpaceStatus,
)
from schemas.api.common import BATCH_SIZE, ModelSchema, body_id
from schemas.base import InboundSchema, StrictSchema


class TwinSpaceSchema(ModelSchema):
    model = TwinSpace
    id = fields.Integer(required=True)
    project_id = fields.Integer(required=True)
    title = fields.String(required=True)
    status = fields.Enum(TwinSpaceStatus, by_value=True, required=True)
    has_pupils = fields.Boolean(required=True)


class MemberSchema(ModelSchema):
    model = Member
    twinspace_id = fields.Integer(required=True)
    person_id = fields.Integer(required=True)
    display_name = fields.String(required=True)
    role = fields.Enum(TwinSpaceRole, by_value=True, required=True)
    status = fields.Enum(MemberStatus, by_value=True, required=True)
    role_source = fields.Enum(RoleSource, by_value=True, required=True)
    is_founder = fields.Boolean(required=True)


class MemberAddSchema(StrictSchema):
    actor_id = body_id(required=True)
    person_id = body_id(required=True)
    role = fields.Enum(TwinSpaceRole, by_value=True, required=True)


class RoleChangeSchema(StrictSchema):
    actor_id = body_id(required=True)
    role = fields.Enum(TwinSpaceRole, by_value=True, required=True)


class MemberSyncSchema(StrictSchema):
    """LMS provisioning (launch or roster sync): no actor."""

    role = fields.Enum(TwinSpaceRole, by_value=True, required=True)
    active = fields.Boolean(load_default=True)


class MemberChangeSchema(MemberSyncSchema):
    person_id = body_id(required=True)


class MembersSyncSchema(StrictSchema):
    """``POST /twinspaces/<id>/members/sync``: the memberships an LMS roster asks for."""

    changes = fields.List(fields.Nested(MemberChangeSchema), required=True, validate=BATCH_SIZE)


class RefusedMemberSchema(InboundSchema):
    """One change the hub refused, with the error body ``sync_member`` would have answered."""

    person_id = fields.Integer(required=True)
    status = fields.Integer(required=True, metadata={"description": "The HTTP status alone."})
    code = fields.String(required=True)
    message = fields.String(required=True)


class MembersSyncResultSchema(InboundSchema):
    members = fields.List(fields.Nested(MemberSchema), required=True)
    refused = fields.List(fields.Nested(RefusedMemberSchema), required=True)
