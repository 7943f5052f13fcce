"""Field checks shared by every hub use case: lengths, URLs, e-mail shapes.

Problems are collected per field and raised together as one ``InvalidInputError`` (422) whose
``errors`` map is ``{field: [message, ...]}``, the same shape the REST API's schemas produce, so a
client sees one format whichever layer refused the value.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from etwin_lti.errors import InvalidInputError

TITLE_MAX = 200
NAME_MAX = 120
SCHOOL_MAX = 200
DESCRIPTION_MAX = 5_000
BODY_MAX = 20_000  # pages, diary posts, forum posts: long enough for a lesson plan
COMMENT_MAX = 5_000
URL_MAX = 2_000
EMAIL_MAX = 254  # RFC 5321 path limit
REASON_MAX = 500
EVIDENCE_KEY_MAX = 100
EVIDENCE_VALUE_MAX = 2_000
SUBJECT_MAX = 200

# Deliberately loose: the address is only shown to people, never used to route pupils' data.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# "project:12", "event:3", "edition:7", or another area's "<kind>:<key>".
_SUBJECT = re.compile(r"^[a-z][a-z_]*:[A-Za-z0-9_.:-]+$")


class FieldErrors:
    """Collects problems per field; ``raise_if_any`` raises them as one ``InvalidInputError``."""

    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.errors.setdefault(field, []).append(message)

    def __bool__(self) -> bool:
        return bool(self.errors)

    def raise_if_any(self) -> None:
        if self.errors:
            raise InvalidInputError(errors=self.errors)

    # Each check returns the cleaned value (stripped) so the caller stores exactly what passed.
    def text(
        self,
        field: str,
        value: Any,
        *,
        max_length: int,
        required: bool = True,
    ) -> str:
        if not isinstance(value, str):
            self.add(field, "Must be text.")
            return ""
        cleaned = value.strip()
        if required and not cleaned:
            self.add(field, "Must not be empty.")
        elif len(cleaned) > max_length:
            self.add(field, f"Must be at most {max_length} characters.")
        return cleaned

    def title(self, field: str, value: Any) -> str:
        return self.text(field, value, max_length=TITLE_MAX)

    def url(self, field: str, value: Any) -> str:
        cleaned = self.text(field, value, max_length=URL_MAX)
        if cleaned and len(cleaned) <= URL_MAX and not is_http_url(cleaned):
            self.add(field, "Must be an http:// or https:// address.")
        return cleaned

    def email(self, field: str, value: str | None) -> str | None:
        if value is None:
            return None
        cleaned = self.text(field, value, max_length=EMAIL_MAX)
        if cleaned and not _EMAIL.match(cleaned):
            self.add(field, "Must be an e-mail address.")
        return cleaned or None

    def optional_text(self, field: str, value: str | None, *, max_length: int) -> str | None:
        if value is None:
            return None
        return self.text(field, value, max_length=max_length, required=False) or None

    def subject(self, field: str, value: Any) -> str:
        cleaned = self.text(field, value, max_length=SUBJECT_MAX)
        if cleaned and not _SUBJECT.match(cleaned):
            self.add(field, "Must look like 'project:12', 'event:3' or 'edition:7'.")
        return cleaned

    def evidence(self, field: str, value: Mapping[str, str] | None) -> dict[str, str]:
        if value is None:
            return {}
        cleaned: dict[str, str] = {}
        for key, item in value.items():
            if not isinstance(key, str) or not key or len(key) > EVIDENCE_KEY_MAX:
                self.add(field, f"Keys must be text of 1 to {EVIDENCE_KEY_MAX} characters.")
                continue
            if not isinstance(item, str) or len(item) > EVIDENCE_VALUE_MAX:
                self.add(field, f"'{key}' must be text of at most {EVIDENCE_VALUE_MAX} characters.")
                continue
            cleaned[key] = item
        return cleaned


def is_http_url(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme in {"http", "https"} and bool(parts.netloc) and " " not in value


def clean_title(value: Any, field: str = "title") -> str:
    """A title of 1 to ``TITLE_MAX`` characters after stripping, or ``InvalidInputError``."""
    errors = FieldErrors()
    cleaned = errors.title(field, value)
    errors.raise_if_any()
    return cleaned


def clean_url(value: Any, field: str = "url") -> str:
    errors = FieldErrors()
    cleaned = errors.url(field, value)
    errors.raise_if_any()
    return cleaned
