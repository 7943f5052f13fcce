"""Building blocks shared by the API schemas."""

from __future__ import annotations

from typing import Any, ClassVar

from marshmallow import fields, post_load, validate

from etwin_lti.domain.input_rules import ID_MAX
from schemas.base import InboundSchema, StrictSchema


class ModelSchema(InboundSchema):
    """Dumps a domain dataclass; ``load`` builds it back (lists become the model's tuples).

    Inbound when loaded: ``HttpHubConnector`` reads another instance's answers, which may be a
    newer version with fields this one does not know yet.
    """

    model: ClassVar[type]

    @post_load
    def _build(self, data: dict[str, Any], **_: Any) -> Any:
        return self.model(
            **{key: tuple(v) if isinstance(v, list) else v for key, v in data.items()}
        )


# The most items one bulk call takes (``POST /people/batch``, ``POST .../members/sync``): a
# roster page's worth, well under the 2 MiB body limit (~150 bytes an item).
BATCH_MAX = 1000
BATCH_SIZE = validate.Length(min=1, max=BATCH_MAX)

# Ids are positive and fit the id columns; the OpenAPI document shows the range.
ID_RANGE = validate.Range(min=1, max=ID_MAX)


def body_id(**kwargs: Any) -> fields.Integer:
    """An id in a JSON body: a JSON number, never a numeric string."""
    return fields.Integer(strict=True, validate=ID_RANGE, **kwargs)


def optional_body_id(**kwargs: Any) -> fields.Integer:
    return fields.Integer(
        strict=True, load_default=None, allow_none=True, validate=ID_RANGE, **kwargs
    )


def query_id(**kwargs: Any) -> fields.Integer:
    """An id in a query string (always text on the wire)."""
    return fields.Integer(load_default=None, validate=ID_RANGE, **kwargs)


class ActorSchema(StrictSchema):
    """The person acting; only admin tokens act for a person."""

    actor_id = body_id(required=True)
