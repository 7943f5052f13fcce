"""The public project page and the gallery index, for anyone (issue 12 item 3).

What a page may show is ``etwin_lti.domain.public_pages``; this use case only turns the hub's
answer into what the templates print (countries as words, the EQL line, page numbers). It
reads no session and no cookie: the answer is the same whoever asks, which is what lets the
web layer mark it publicly cacheable.
"""

from __future__ import annotations

from dataclasses import dataclass

from etwin_lti.domain.ports import PublicHub
from etwin_lti.domain.public_pages import (
    GALLERY_PAGE_SIZE,
    PublicProject,
    PublicProjectSummary,
)
from etwin_lti.errors import InvalidInputError
from etwin_lti.services.pages.labels import EqlLine, eql_line

PAGE_NUMBER_MAX = 100_000


@dataclass(frozen=True)
class PublicProjectView:
    project: PublicProject
    countries: tuple[str, ...]  # the page says them as a list in its language (|spoken_list)
    eql: EqlLine | None
    closed: bool


@dataclass(frozen=True)
class GalleryEntry:
    summary: PublicProjectSummary
    countries: tuple[str, ...]


@dataclass(frozen=True)
class GalleryView:
    entries: tuple[GalleryEntry, ...]
    page: int
    pages: int  # at least 1
    total: int

    @property
    def previous(self) -> int | None:
        return self.page - 1 if self.page > 1 else None

    @property
    def next(self) -> int | None:
        return self.page + 1 if self.page < self.pages else None


class PublicPages:
    def __init__(self, hub: PublicHub, *, page_size: int = GALLERY_PAGE_SIZE) -> None:
        self.hub = hub
        self.page_size = page_size

    def project(self, project_id: int) -> PublicProjectView:
        project = self.hub.public_project(project_id)
        return PublicProjectView(
            project=project,
            countries=tuple(project.country_names),
            eql=eql_line(project.eql),
            closed=project.closed_at is not None,
        )

    def gallery(self, page_argument: str | None) -> GalleryView:
        page = page_number(page_argument)
        listed = self.hub.list_public_projects(
            offset=(page - 1) * self.page_size, limit=self.page_size
        )
        pages = max(1, -(-listed.total // self.page_size))
        return GalleryView(
            entries=tuple(
                GalleryEntry(entry, tuple(entry.country_names)) for entry in listed.entries
            ),
            page=page,
            pages=pages,
            total=listed.total,
        )


def page_number(argument: str | None) -> int:
    """``?page=`` as people type it: absent or empty is the first page; anything but a whole
    number from 1 to ``PAGE_NUMBER_MAX`` is refused (422), never guessed."""
    if argument is None or argument == "":
        return 1
    text = argument.strip()
    if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= PAGE_NUMBER_MAX:
        raise InvalidInputError(
            errors={"page": [f"Must be a page number from 1 to {PAGE_NUMBER_MAX}."]}
        )
    return int(text)
