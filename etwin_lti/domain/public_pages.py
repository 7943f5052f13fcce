"""The public project page and the gallery index (issue 12 item 3).

The seed (unit 1): a TwinSpace's contents "may be made public or kept private", and the
Central and National Services exhibit projects "in different galleries". Here every project
its NSOs approved has a public page, readable without any login, showing only what was made
public:

- the project: title, description, scope and its countries (founders' and partners'); never a
  person's name, school or e-mail: ``api_access.person_for`` shows contact data to no one
  without a token, no rule makes a member's name public, and a teacher's school is shown to
  partners and their own NSO only (docs/privacy.md), so none of them is shown, teachers'
  included. Partner schools would need the founders' decision to publish them, which the
  project does not record yet;
- pages and materials whose visibility is public (a pupil's content is never public unless a
  teacher administrator published it, and then without a name: no author is shown at all);
- the Project Diary's posts (written by partner teachers, public as the Diary has always been),
  each under its author's country, without comments (members', pupils' among them);
- the European Quality Label while the project holds it (not once the CSS withdrew it).

A project that was never approved (pending, or closed before approval) and an id that does not
exist answer the same ``NoPublicPageError``, so the page does not reveal which projects exist.
A closed project that was approved keeps its page (its work stays on show, like an archived
TwinSpace stays readable).

The gallery index lists the approved projects that made something public (a page, a material
or a Diary post), newest approval first, ``GALLERY_PAGE_SIZE`` per page.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from etwin_lti.domain.acknowledgements import EqlStatus
from etwin_lti.domain.model import MaterialKind, Person, Project, ProjectScope, Visibility
from etwin_lti.domain.translatable import N_
from etwin_lti.errors import InvalidInputError, NotFoundError

GALLERY_PAGE_SIZE = 20
GALLERY_PAGE_MAX = 100  # what one call of the hub may list
OFFSET_MAX = 2_000_000_000


class NoPublicPageError(NotFoundError):
    """Unknown, pending and never-approved projects alike: nothing tells them apart."""

    error = "no_public_page"
    description = N_("There is no public page at this address.")
    who_can_fix = N_("you (check the address)")


class NoPublicFileError(NotFoundError):
    """A material that is not public, hidden, a link, or of another project: one answer."""

    error = "no_public_file"
    description = N_("There is no public file at this address.")
    who_can_fix = N_("you (check the address)")


@dataclass(frozen=True)
class PublicPage:
    id: int
    title: str
    body: str
    created_at: datetime


@dataclass(frozen=True)
class PublicMaterial:
    id: int
    title: str
    kind: MaterialKind
    url: str | None  # None: an uploaded file, served by ``MaterialFilesHub.open_public_file``
    created_at: datetime
    has_thumbnail: bool = False  # an uploaded photo (its thumbnail is public with it)


@dataclass(frozen=True)
class PublicDiaryPost:
    id: int
    title: str
    body: str
    created_at: datetime
    country_name: str | None  # the author's country, never their name


@dataclass(frozen=True)
class PublicProject:
    id: int
    title: str
    description: str
    scope: ProjectScope
    country_codes: tuple[str, ...]
    country_names: tuple[str, ...]
    approved_at: datetime
    closed_at: datetime | None
    pages: tuple[PublicPage, ...]  # oldest first, as in the TwinSpace
    materials: tuple[PublicMaterial, ...]
    diary: tuple[PublicDiaryPost, ...]  # newest first
    eql: EqlStatus | None  # held now (never a withdrawn one)


@dataclass(frozen=True)
class PublicProjectSummary:
    """One entry of the gallery index."""

    id: int
    title: str
    description: str
    country_names: tuple[str, ...]
    approved_at: datetime
    closed_at: datetime | None
    pages: int
    materials: int
    diary_posts: int
    has_eql: bool


@dataclass(frozen=True)
class PublicProjectList:
    entries: tuple[PublicProjectSummary, ...]
    total: int
    offset: int
    limit: int


def has_public_page(project: Project) -> bool:
    """Approved by its NSOs once (closing later keeps the page)."""
    return project.approved_at is not None


def check_public(project: Project | None) -> Project:
    if project is None or not has_public_page(project):
        raise NoPublicPageError()
    return project


def shows_material(visibility: str, hidden_at: datetime | None) -> bool:
    """The public page lists a material made public and not hidden by a moderator."""
    return visibility == Visibility.PUBLIC.value and hidden_at is None


def check_paging(offset: object, limit: object) -> tuple[int, int]:
    errors: dict[str, list[str]] = {}
    if isinstance(offset, bool) or not isinstance(offset, int) or not 0 <= offset <= OFFSET_MAX:
        errors["offset"] = [f"Must be a whole number from 0 to {OFFSET_MAX}."]
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= GALLERY_PAGE_MAX:
        errors["limit"] = [f"Must be a whole number from 1 to {GALLERY_PAGE_MAX}."]
    if errors:
        raise InvalidInputError(errors=errors)
    assert isinstance(offset, int) and isinstance(limit, int)
    return offset, limit


def public_eql(status: EqlStatus | None) -> EqlStatus | None:
    """The EQL as the public page shows it: while held, never the CSS's withdrawal reason."""
    if status is None or status.withdrawn_on is not None:
        return None
    return status


def project_countries(project: Project, teachers: Iterable[Person]) -> tuple[str, ...]:
    """The founders' countries (as registered), then partners' countries, each once."""
    codes = list(project.founder_countries)
    codes += [p.country_code for p in teachers if p.country_code]
    return tuple(dict.fromkeys(codes))
