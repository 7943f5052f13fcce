"""Numbers that a page's confirmation message carries across post/redirect/get ("Sync roster
now": how many were added, updated, suspended).

The message code in the query string is only a word; its numbers ride beside it, signed with the
tool's secret key (itsdangerous, a salt of their own), so a link someone crafts cannot make a
teacher read "12 suspended" that never happened: an unsigned or altered value shows the plain
message without numbers. Only small non-negative integers under known names are accepted.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

QUERY_FIELD = "about"
_SALT = "etwin-page-message-details"
_MAX = 10_000_000


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def sign(details: Mapping[str, int]) -> str:
    return str(_serializer().dumps(dict(details)))


def read(token: str | None) -> dict[str, int] | None:
    """The signed numbers, or None (absent, altered, or not a mapping of small integers)."""
    if not token:
        return None
    try:
        body = _serializer().loads(token)
    except BadSignature:
        return None
    if not isinstance(body, dict):
        return None
    numbers = {
        k: v
        for k, v in body.items()
        if isinstance(k, str) and k.isidentifier() and type(v) is int and 0 <= v < _MAX
    }
    return numbers if len(numbers) == len(body) else None
