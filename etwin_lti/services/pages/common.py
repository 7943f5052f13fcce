"""What every embedded page shares: the CSRF token, form-field checks and refusals.

CSRF: the pages' forms are posted from inside the LMS iframe, where the launch cookie is
``SameSite=None``, so another site could post them too. Each form carries a token that is an
HMAC of the launch session id under a key derived from the tool's secret: nothing to store,
bound to one launch session, useless to anyone who does not hold that session already.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from typing import TypeVar

from etwin_lti.domain.launches import LaunchSession
from etwin_lti.domain.translatable import N_
from etwin_lti.domain.validation import FieldErrors
from etwin_lti.errors import InvalidInputError, PermissionDeniedError

# Whose name the pages show for content or messages of a person who is no longer a member.
FORMER_MEMBER = N_("A former member")

T = TypeVar("T")
CSRF_FIELD = "csrf_token"
_CSRF_LABEL = b"etwin-lti/embedded-page-csrf/v1"


class CsrfError(PermissionDeniedError):
    error = "csrf_failed"
    description = N_(
        "This form could not be accepted: it did not come from the page the tool showed you."
    )
    who_can_fix = N_("you: reload the activity from your course and try again")


class NotYourResourceError(PermissionDeniedError):
    error = "not_your_resource"
    description = N_("This page belongs to another activity than the one you opened.")
    who_can_fix = N_("you: open this activity from your course")


class PersonRequiredError(PermissionDeniedError):
    error = "person_required"
    description = N_("Tool administrators have no membership here, so they cannot do this.")
    who_can_fix = N_("a teacher of this course")


def csrf_key(secret_key: str) -> bytes:
    """A key for CSRF tokens only, separate from every other use of the secret."""
    return hmac.new(secret_key.encode(), _CSRF_LABEL, hashlib.sha256).digest()


def csrf_token(key: bytes, session: LaunchSession) -> str:
    return hmac.new(key, session.id.encode(), hashlib.sha256).hexdigest()


def check_csrf(key: bytes, session: LaunchSession, given: str | None) -> None:
    if not given or not hmac.compare_digest(csrf_token(key, session), given):
        raise CsrfError()


def require_person(session: LaunchSession) -> int:
    if session.person_id is None:
        raise PersonRequiredError()
    return session.person_id


def form_id(raw: str, *, field: str, message: str = "Choose from the list.") -> int:
    """An id a form sent back from a list the page offered (the caller checks the offer)."""
    text = (raw or "").strip()
    if not text.isascii() or not text.isdigit() or len(text) > 10:
        raise InvalidInputError(errors={field: [message]})
    return int(text)


def launched_for(session: LaunchSession, kind: str, resource_id: int) -> bool:
    resource = session.resource
    return resource is not None and resource.kind.value == kind and resource.id == resource_id


def field_text(
    errors: FieldErrors,
    form: Mapping[str, str],
    name: str,
    *,
    max_length: int,
    required: bool = True,
) -> str:
    """One text field of a form, stripped, with the same checks (and limits) as the hub."""
    return errors.text(name, form.get(name, ""), max_length=max_length, required=required)


def field_choice(
    errors: FieldErrors, form: Mapping[str, str], name: str, choices: Mapping[str, T]
) -> T | None:
    """A value out of ``choices`` (by key); an empty field is None."""
    raw = (form.get(name) or "").strip()
    if not raw:
        return None
    if raw not in choices:
        errors.add(name, "Choose one of: " + ", ".join(choices) + ".")
        return None
    return choices[raw]


def label(value: str) -> str:
    """``teacher_administrator`` -> ``Teacher administrator``."""
    words = value.replace("_", " ")
    return words[:1].upper() + words[1:]
