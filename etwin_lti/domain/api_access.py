"""What each REST API token role may read of the hub: the one place for it (issue 10 item 1).

The permission a view needs (``ApiPermission``) says whether a role may call it at all; this
module says what the answer may contain, per resource:

- ``admin`` tokens are trusted integrations (the remote-hub client, an LMS bridge): everything.
- Officers (``nso_officer``, ``css_officer``) judge projects and labels. They read projects,
  TwinSpaces, memberships, public pages and materials, the Project Diary's posts (the partners'
  evidence) and acknowledgements; never pupils' content (forum threads and posts, Diary
  comments by pupils, private pages and materials, which the hub only shows to a member
  ``viewer_id``), and never contact data of teachers outside their own country: an NSO sees
  the e-mail of its own country's people, the CSS none.
- An NSO token works only while its country takes part in eTwinning (the country list is data,
  a country can leave).
- Teachers (a ``teacher`` token or a teacher's launch session) read what the pages show them:
  the web layer (``etwin_lti.web.api.auth``) has already limited the request to their own
  TwinSpaces and projects and made them the ``viewer_id``, so what the hub answers for that
  member is theirs to read, pupils' work included; e-mail only their own.

Pure functions over domain values: the web layer passes the token and what the hub answered.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Protocol

from etwin_lti.domain.api_tokens import ApiToken, ApiTokenRole
from etwin_lti.domain.model import Country, DiaryPost, Person, PersonKind
from etwin_lti.domain.twinspace_snapshot import TwinSpaceSnapshot, author_ids
from etwin_lti.errors import PermissionDeniedError


class Caller(Protocol):
    """An ``ApiToken`` or an ``ApiCaller``: what these rules read of who asks."""

    @property
    def role(self) -> ApiTokenRole: ...

    @property
    def country_code(self) -> str | None: ...

    @property
    def person_id(self) -> int | None: ...


def check_token_country(token: ApiToken, countries: Iterable[Country]) -> None:
    """Refuse an NSO token whose country is unknown or no longer eligible (403)."""
    if token.role is not ApiTokenRole.NSO_OFFICER:
        return
    eligible = {c.code for c in countries if c.eligible}
    if token.country_code not in eligible:
        raise PermissionDeniedError(
            f"The NSO of {token.country_code} does not take part in eTwinning (any more).",
            who_can_fix="the tool administrator (etwin-lti token revoke)",
        )


def reads_pupils_content(token: Caller) -> bool:
    return token.role in (ApiTokenRole.ADMIN, ApiTokenRole.TEACHER)


def check_reads_pupils_content(token: Caller, what: str) -> None:
    if not reads_pupils_content(token):
        raise PermissionDeniedError(
            f"{what} is members' and pupils' work; officers' tokens do not read it."
        )


def shows_contact(token: Caller, person: Person) -> bool:
    if token.role is ApiTokenRole.ADMIN:
        return True
    if token.role is ApiTokenRole.TEACHER:
        return person.id == token.person_id
    return token.role is ApiTokenRole.NSO_OFFICER and person.country_code == token.country_code


def person_for(token: Caller, person: Person) -> Person:
    """The person as this token may see them: without e-mail unless ``shows_contact``."""
    return person if shows_contact(token, person) else replace(person, email=None)


def diary_for(
    token: Caller, posts: Iterable[DiaryPost], kinds: Mapping[int, PersonKind]
) -> list[DiaryPost]:
    """Posts with pupils' comments left out for officers. ``kinds`` maps comment authors to
    their kind; an author missing from it (erased, unknown) is left out too: closed by default."""
    if reads_pupils_content(token):
        return list(posts)
    return [
        replace(
            post,
            comments=tuple(c for c in post.comments if _not_a_pupil(kinds.get(c.author_id))),
        )
        for post in posts
    ]


def _not_a_pupil(kind: PersonKind | None) -> bool:
    return kind is not None and kind is not PersonKind.PUPIL


def comment_authors(posts: Iterable[DiaryPost]) -> set[int]:
    return {c.author_id for post in posts for c in post.comments}


def snapshot_for(
    token: Caller, snapshot: TwinSpaceSnapshot, kinds: Mapping[int, PersonKind]
) -> TwinSpaceSnapshot:
    """The snapshot without the forum and pupils' Diary comments for officers (private pages
    and materials are already out: officers cannot read as a member)."""
    if reads_pupils_content(token):
        return snapshot
    diary = tuple(diary_for(token, snapshot.diary, kinds))
    # Only the authors of what is left: no name of a pupil whose comment was taken out.
    shown = author_ids(snapshot.pages, snapshot.materials, diary, ())
    authors = tuple(m for m in snapshot.authors if m.person_id in shown)
    return replace(snapshot, diary=diary, threads=(), authors=authors)
