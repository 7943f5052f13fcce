"""Teachers' API tokens: made by the teacher (the embedded "API access" page) or by the tool
administrator (``etwin-lti token create --role teacher --person ID``), for a teacher only.

A token bound to a pupil must never exist (pupils have no account of their own, DESIGN.md), so
the person is checked against the hub here, before the store writes anything: an unknown person
or anyone but a teacher is refused with 422 on ``person_id``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from etwin_lti.domain.api_tokens import (
    LABEL_MAX,
    TEACHER_TOKEN_DAYS,
    TEACHER_TOKEN_DAYS_MAX,
    ApiToken,
    ApiTokenRole,
    ApiTokenStore,
    check_new_token,
)
from etwin_lti.domain.model import PersonKind
from etwin_lti.domain.ports import HubPort
from etwin_lti.domain.translatable import N_
from etwin_lti.domain.validation import FieldErrors
from etwin_lti.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from etwin_lti.services.pages.common import field_text


def check_teacher(hub: HubPort, person_id: int) -> None:
    try:
        person = hub.get_person(person_id)
    except NotFoundError as error:
        raise InvalidInputError(errors={"person_id": [f"No person {person_id}."]}) from error
    if person.kind is not PersonKind.TEACHER:
        raise InvalidInputError(
            errors={"person_id": ["API tokens are for teachers only (never for a pupil)."]}
        )


def create_teacher_token(
    hub: HubPort,
    store: ApiTokenStore,
    person_id: int,
    *,
    label: str,
    now: datetime,
    days: int | None = None,
) -> tuple[ApiToken, str]:
    """A new token for that teacher, expiring after ``days`` (90 unless said); with its secret,
    which exists only in this answer."""
    check_new_token(ApiTokenRole.TEACHER, None, label, person_id, days)
    check_teacher(hub, person_id)
    expires_at = now + timedelta(days=days or TEACHER_TOKEN_DAYS)
    return store.create(
        ApiTokenRole.TEACHER, now=now, label=label, person_id=person_id, expires_at=expires_at
    )


class TeacherTokensOnlyError(PermissionDeniedError):
    error = "teachers_only"
    description = N_("API tokens are for teachers: pupils and tool administrators have none.")
    who_can_fix = N_("a teacher of this course")


@dataclass(frozen=True)
class ApiAccessView:
    """The teacher's "API access" page: their tokens, and the secret of the one just made."""

    role: str
    tokens: tuple[ApiToken, ...]
    now: datetime
    new_secret: str | None = None
    new_token_id: int | None = None
    max_days: int = TEACHER_TOKEN_DAYS_MAX
    default_days: int = TEACHER_TOKEN_DAYS


def require_teacher(hub: HubPort, person_id: int | None) -> int:
    """The launched person, if a teacher (the page and its forms are theirs only)."""
    if person_id is None:
        raise TeacherTokensOnlyError()
    try:
        kind = hub.get_person(person_id).kind
    except NotFoundError as error:
        raise TeacherTokensOnlyError() from error
    if kind is not PersonKind.TEACHER:
        raise TeacherTokensOnlyError()
    return person_id


def parse_new_token_form(form: Mapping[str, str]) -> tuple[str, int]:
    """The create form's label and days, with the same rules as the CLI (422 field map)."""
    errors = FieldErrors()
    label = field_text(errors, form, "label", max_length=LABEL_MAX, required=False)
    raw = (form.get("days") or "").strip() or str(TEACHER_TOKEN_DAYS)
    days = 0
    if not raw.isdigit() or not 1 <= int(raw) <= TEACHER_TOKEN_DAYS_MAX:
        errors.add("days", f"A whole number of days from 1 to {TEACHER_TOKEN_DAYS_MAX}.")
    else:
        days = int(raw)
    errors.raise_if_any()
    return label, days


def api_access_view(
    store: ApiTokenStore, role: str, person_id: int, *, now: datetime
) -> ApiAccessView:
    """Newest first: the one just made (or used) is on top."""
    tokens = sorted(store.list_tokens(person_id=person_id), key=lambda t: t.id, reverse=True)
    return ApiAccessView(role, tuple(tokens), now)
