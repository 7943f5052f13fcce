"""Building blocks shared by the API schemas."""

from __future__ import annotations

from typing import Any, ClassVar

from marshmallow import fields, post_load

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


def body_id(**kwargs: Any) -> fields.Integer:
    """An id in a JSON body: a JSON number, never a numeric string."""
    return fields.Integer(strict=True, **kwargs)


def optional_body_id(**kwargs: Any) -> fields.Integer:
    return fields.Integer(strict=True, load_default=None, allow_none=True, **kwargs)


def query_id(**kwargs: Any) -> fields.Integer:
    """An id in a query string (always text on the wire)."""
    return fields.Integer(load_default=None, **kwargs)


class ActorSchema(StrictSchema):
    """The person acting; only admin tokens act for a person."""

    actor_id = body_id(required=True)
