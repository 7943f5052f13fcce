"""One read of everything the embedded TwinSpace page shows (``HubPort.twinspace_snapshot``).

The page used to ask the hub seven times (TwinSpace, members, project, pages, materials, Diary,
forum), each a unit of work of its own (or an HTTP call to a remote hub). A snapshot is the same
data read in one unit of work, so the page is also consistent with itself.

The snapshot no longer carries the member list (issue 11 item 2, ADR 0016): the counts per role,
the viewer's own membership, and the members who wrote the content shown (for the authors'
names) are bounded by the content, not by the class; the members themselves are read 50 at a
time (``TwinSpacesHub.member_page``).

Who sees what is the page's rule (DESIGN.md "Privacy"): private pages and materials and the
forum only for an active member who is not a guest; everyone else gets public content only.
"""

from __future__ import annotations

from dataclasses import dataclass

from etwin_lti.domain import twinspaces
from etwin_lti.domain.acknowledgements import EqlStatus
from etwin_lti.domain.model import (
    DiaryPost,
    ForumThread,
    Material,
    Member,
    Page,
    Project,
    TwinSpace,
    TwinSpaceRole,
)
from etwin_lti.domain.paging import RoleCount


@dataclass(frozen=True)
class TwinSpaceSnapshot:
    twinspace: TwinSpace
    project: Project
    role_counts: tuple[RoleCount, ...]  # in role order, only roles somebody holds
    authors: tuple[Member, ...]  # members who wrote what is shown, by person id
    pages: tuple[Page, ...]  # public only unless the viewer sees private content
    materials: tuple[Material, ...]
    diary: tuple[DiaryPost, ...]  # newest first, every comment (the page filters pupils')
    threads: tuple[ForumThread, ...]  # empty unless the viewer sees private content
    viewer: Member | None  # the viewer's membership, None when not a member (or no viewer)
    # The project's European Quality Label (awarded by rule, or withdrawn), None if never.
    eql: EqlStatus | None = None


def sees_private(viewer: Member | None) -> bool:
    """The embedded page's rule: an active member who is not a read-only guest."""
    return (
        twinspaces.is_active(viewer)
        and viewer is not None
        and viewer.role is not TwinSpaceRole.GUEST
    )


def author_ids(
    pages: tuple[Page, ...],
    materials: tuple[Material, ...],
    diary: tuple[DiaryPost, ...],
    threads: tuple[ForumThread, ...],
) -> set[int]:
    """Whose names the page shows beside the content: bounded by the content, not the class."""
    ids = {p.author_id for p in pages} | {m.author_id for m in materials}
    for post in diary:
        ids.add(post.author_id)
        ids.update(c.author_id for c in post.comments)
    for thread in threads:
        ids.add(thread.author_id)
        ids.update(p.author_id for p in thread.posts)
    return ids
