"""Content negotiation between people and programs on the same URL (RFC 9110 section 12.5.1)."""

from __future__ import annotations

from flask import request


def prefers_html() -> bool:
    """A browser's ``Accept`` ranks ``text/html`` above both JSON types; none, ``*/*`` or any
    JSON type keeps the machine-readable document."""
    accept = request.accept_mimetypes
    return accept["text/html"] > max(accept["application/json"], accept["application/ld+json"])
