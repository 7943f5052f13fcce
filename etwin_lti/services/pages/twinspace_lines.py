"""What the TwinSpace pages show, line by line: the viewer's controls, the member lines and
groups, the role summary (counts only, ADR 0016), and the content lines with their moderation
acts. Plain values for the templates; ``services.pages.twinspace`` builds them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from etwin_lti.domain.model import MaterialFile
from etwin_lti.services.pages import moderation as editing


@dataclass(frozen=True)
class Controls:
    add_page: bool = False
    add_material: bool = False
    post_diary: bool = False
    comment: bool = False
    create_thread: bool = False
    reply: bool = False
    manage: bool = False  # change roles, suspend/reactivate, pseudonyms, roster sync
    publish: bool = False  # may choose "public" for own content


@dataclass(frozen=True)
class MemberLine:
    person_id: int
    name: str  # a pseudonym for pupils unless the school opted in to names
    role: str
    role_label: str
    active: bool
    is_founder: bool
    is_pupil: bool
    manageable: bool  # shown with the administrator's controls
    role_choices: tuple[str, ...]


@dataclass(frozen=True)
class MemberGroup:
    role: str
    label: str
    members: tuple[MemberLine, ...]


@dataclass(frozen=True)
class RoleSummary:
    """One line of the main page's member summary: counts, never the people (ADR 0016)."""

    role: str
    label: str
    active: int
    suspended: int


@dataclass(frozen=True)
class ContentLine:
    id: int
    title: str
    text: str  # a page's body or a material's URL
    kind: str  # "page" or the material kind
    visibility: str
    author: str
    created_at: datetime
    acts: editing.ContentActs = editing.ContentActs()
    file: MaterialFile | None = None  # an uploaded file, served by the page's file route


@dataclass(frozen=True)
class PostLine:
    author: str
    body: str
    created_at: datetime
    acts: editing.ContentActs = editing.ContentActs()


@dataclass(frozen=True)
class DiaryLine:
    id: int
    title: str
    body: str
    author: str
    created_at: datetime
    comments: tuple[PostLine, ...]
    acts: editing.ContentActs = editing.ContentActs()


@dataclass(frozen=True)
class ThreadLine:
    id: int
    title: str
    author: str
    created_at: datetime
    posts: tuple[PostLine, ...]
    acts: editing.ContentActs = editing.ContentActs()
