"""Lists that grow with the class, read one page at a time (issue 11 item 2, ADR 0016).

A TwinSpace of 10,000 members, an event's participants, an edition's trainees: the pages show
counts and load the people themselves 50 at a time on demand, so a page view costs the same
for 10 people or 10,000. The page number comes from a query string, so it is parsed strictly
here: anything but a positive whole number is refused (422), a page past the last one is "not
found" (404), and no number reaches SQL as an offset the database cannot hold.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from etwin_lti.domain.model import Member, Person, TwinSpaceRole
from etwin_lti.domain.translatable import N_
from etwin_lti.errors import InvalidInputError, NotFoundError

PAGE_SIZE = 50
# Nine digits: 50 x 999,999,999 still fits any OFFSET; longer numbers are past any last page.
_PAGE_NUMBER = re.compile(r"[1-9][0-9]{0,8}")
_TOO_LONG = re.compile(r"[1-9][0-9]{9,}")


@dataclass(frozen=True)
class RoleCount:
    """Members of one role: active ones, and suspended ones (kept, with their content)."""

    role: TwinSpaceRole
    active: int
    suspended: int


@dataclass(frozen=True)
class MemberPage:
    members: tuple[Member, ...]  # in the hub's member order (``twinspaces.member_sort_key``)
    total: int  # every member of the TwinSpace, active or suspended
    offset: int
    limit: int


@dataclass(frozen=True)
class Participant:
    person_id: int
    display_name: str
    completed_at: datetime | None


@dataclass(frozen=True)
class ParticipantPage:
    participants: tuple[Participant, ...]  # by display name (case-insensitive), then id
    total: int
    completed: int  # how many of ``total`` the expert marked complete
    offset: int
    limit: int


@dataclass(frozen=True)
class TraineePage:
    trainees: tuple[Person, ...]  # by display name (case-insensitive), then id
    total: int
    offset: int
    limit: int


def check_window(offset: int, limit: int) -> None:
    """A hub read's window: refused before any SQL (the API passes these straight through)."""
    errors: dict[str, list[str]] = {}
    if isinstance(offset, bool) or not isinstance(offset, int) or not 0 <= offset <= 10**11:
        errors["offset"] = ["A whole number from 0."]
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= 500:
        errors["limit"] = ["A whole number from 1 to 500."]
    if errors:
        raise InvalidInputError(errors=errors)


def check_people(person_ids: object) -> None:
    """``unit_progress_of``'s people: 1 to 500 ids (a page of a list, never the whole class)."""
    ids = list(person_ids) if isinstance(person_ids, (list, tuple)) else None
    valid = all(isinstance(i, int) and not isinstance(i, bool) and i > 0 for i in ids or ())
    if not ids or len(ids) > 500 or not valid:
        raise InvalidInputError(errors={"person_id": ["From 1 to 500 person ids."]})


def page_number(raw: str | None) -> int:
    """``?page=`` of an embedded list: absent is page 1; ``0``, ``-1``, ``abc`` are 422; a
    number too long to be any list's page is 404 (like a page past the last one)."""
    if raw is None or raw == "":
        return 1
    if _PAGE_NUMBER.fullmatch(raw):
        return int(raw)
    if _TOO_LONG.fullmatch(raw):
        raise NotFoundError(N_("There is no such page of this list."))
    raise InvalidInputError(errors={"page": ["A page number: 1, 2, 3 and so on."]})


def offset_of(page: int) -> int:
    return (page - 1) * PAGE_SIZE


def last_page(total: int) -> int:
    return max(1, -(-total // PAGE_SIZE))


def check_page_exists(page: int, total: int) -> None:
    """Page 1 always exists (an empty list says so); any other page only up to the last."""
    if page > last_page(total):
        raise NotFoundError(
            f"There is no page {page} of this list: it has {last_page(total)} page(s)."
        )
