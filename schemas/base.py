"""Base schemas: who owns a format decides the unknown-field policy.

Our own REST API rejects unknown fields (``StrictSchema``); platform and Moodle payloads gain
fields between versions, so inbound schemas drop them (``InboundSchema``).
"""

from __future__ import annotations

from marshmallow import EXCLUDE, RAISE, Schema


class StrictSchema(Schema):
    class Meta:
        unknown = RAISE


class InboundSchema(Schema):
    class Meta:
        unknown = EXCLUDE
