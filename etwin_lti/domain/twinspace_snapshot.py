"""One read of everything the embedded TwinSpace page shows (``HubPort.twinspace_snapshot``).

The page used to ask the hub seven times (TwinSpace, members, project, pages, materials, Diary,
forum), each a unit of work of its own (or an HTTP call to a remote hub). A snapshot is the same
data read in one unit of work, so the page is also consistent with itself.

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


@dataclass(frozen=True)
class TwinSpaceSnapshot:
    twinspace: TwinSpace
    project: Project
    members: tuple[Member, ...]  # in the hub's member order (administrators first)
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


def find_viewer(members: tuple[Member, ...] | list[Member], viewer_id: int | None) -> Member | None:
    if viewer_id is None:
        return None
    return next((m for m in members if m.person_id == viewer_id), None)
