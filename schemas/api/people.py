"""Countries and people."""

from __future__ import annotations

from marshmallow import fields

from etwin_lti.domain.model import Country, Person, PersonKind
from schemas.api.common import BATCH_SIZE, ModelSchema, body_id
from schemas.base import InboundSchema, StrictSchema


class CountrySchema(ModelSchema):
    model = Country
    code = fields.String(required=True)
    name = fields.String(required=True)
    nso = fields.String(required=True)
    programme = fields.String(required=True)
    eligible = fields.Boolean(required=True)


class PersonSchema(ModelSchema):
    model = Person
    id = fields.Integer(required=True)
    display_name = fields.String(required=True)
    kind = fields.Enum(PersonKind, by_value=True, required=True)
    country_code = fields.String(allow_none=True)
    school = fields.String(allow_none=True)
    email = fields.String(allow_none=True)


class PersonCreateSchema(StrictSchema):
    display_name = fields.String(required=True)
    kind = fields.Enum(PersonKind, by_value=True, required=True)
    country_code = fields.String(load_default=None, allow_none=True)
    school = fields.String(load_default=None, allow_none=True)
    email = fields.String(load_default=None, allow_none=True)


class PeopleBatchSchema(StrictSchema):
    """``POST /people/batch``: up to ``BATCH_MAX`` people, created all or none."""

    people = fields.List(fields.Nested(PersonCreateSchema), required=True, validate=BATCH_SIZE)


class PeopleBatchResultSchema(InboundSchema):
    people = fields.List(fields.Nested(PersonSchema), required=True)


class PersonRenameSchema(StrictSchema):
    actor_id = body_id(required=True)
    display_name = fields.String(required=True)


class PersonCountrySchema(StrictSchema):
    actor_id = body_id(required=True)
    country_code = fields.String(required=True)
