"""The TwinSpace page: members by role, pages, materials, Project Diary and forum.

The page's cost does not grow with the class (issue 11 item 2, ADR 0016): it shows the member
counts per role and the viewer's own membership; the members themselves are listed 50 to a
page at ``/embed/twinspace/<id>/members?page=N``, for the TwinSpace's active members, with the
teacher administrators' controls; a form acting on one member reads that member only.

What each role may do is domain-facts.md 1.4 as ``etwin_lti.domain.twinspaces`` encodes it; the
hub enforces it on every write, this module only decides which controls to show so that nobody
sees a button that would be refused. Privacy (DESIGN.md): pupils appear under their pseudonym,
no e-mail address is ever part of the page, and whoever is not an active member (tool
administrators, guests) sees public pages and materials only, the Diary without pupils'
comments and no forum.

A teacher administrator also gets an overview at a glance (issue 13 item 6): the members by role
and the contributions of the last eight weeks as bars (``services.charts``), both drawn from the
snapshot the page reads anyway.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from etwin_lti.domain import moderation, paging, twinspaces
from etwin_lti.domain.launches import LaunchSession
from etwin_lti.domain.model import (
    MaterialKind,
    Member,
    MemberStatus,
    Project,
    TwinSpace,
    TwinSpaceRole,
    TwinSpaceStatus,
    Visibility,
)
from etwin_lti.domain.moderation import ContentKind
from etwin_lti.domain.ports import ContentHub, PeopleHub, TwinSpacesHub
from etwin_lti.domain.projects import project_teacher_ids
from etwin_lti.domain.translatable import N_
from etwin_lti.domain.twinspace_snapshot import TwinSpaceSnapshot
from etwin_lti.domain.twinspace_snapshot import sees_private as sees_private_content
from etwin_lti.domain.twinspaces import PERMISSIONS, PUPIL_ROLES, Action
from etwin_lti.domain.validation import BODY_MAX, COMMENT_MAX, NAME_MAX, FieldErrors
from etwin_lti.errors import NotFoundError, PermissionDeniedError
from etwin_lti.services.pages import moderation as editing
from etwin_lti.services.pages.common import (
    FORMER_MEMBER,
    NotYourResourceError,
    field_choice,
    field_text,
    label,
    launched_for,
    require_person,
)
from etwin_lti.services.pages.labels import EqlLine, eql_line
from etwin_lti.services.pages.twinspace_lines import (
    ContentLine,
    Controls,
    DiaryLine,
    MemberGroup,
    MemberLine,
    PostLine,
    RoleSummary,
    ThreadLine,
)
from etwin_lti.services.pages.twinspace_overview import ROLE_PLURALS, Overview, overview
from etwin_lti.services.wording import ENGLISH, Wording

VISIBILITIES = {v.value: v for v in Visibility}
MATERIAL_KIND_VALUES = {k.value: k for k in MaterialKind}
NON_PUPIL_ROLES = tuple(r.value for r in TwinSpaceRole if r not in PUPIL_ROLES)
PUPIL_ROLE_VALUES = tuple(r.value for r in TwinSpaceRole if r in PUPIL_ROLES)

MESSAGES = {
    "page_added": N_("Your page was added."),
    "material_added": N_("Your material was added."),
    "file_uploaded": N_("Your file was uploaded."),
    "diary_posted": N_("Your post is in the Project Diary."),
    "comment_added": N_("Your comment was added."),
    "thread_opened": N_("Your thread was opened."),
    "reply_added": N_("Your reply was added."),
    "role_changed": N_("The member's role was changed."),
    "member_suspended": N_("The member was suspended (their content is kept)."),
    "member_reactivated": N_("The member was reactivated."),
    "pseudonym_changed": N_("The pupil's pseudonym was changed."),
    "roster_synced": N_("The roster was synced."),
    "roster_synced:details": N_(
        "The roster was synced: {added} added, {updated} updated, {suspended} suspended "
        "({unchanged} unchanged, {skipped} skipped: not launched yet or no role here)."
    ),
    **editing.MESSAGES,
}


class MembersOnlyError(PermissionDeniedError):
    error = "members_only"
    description = N_("Only the TwinSpace's members see who its members are.")
    who_can_fix = N_("a teacher administrator of this TwinSpace")


@dataclass(frozen=True)
class TwinSpaceView:
    twinspace: TwinSpace
    project: Project
    role: str  # data-etwin-role
    archived: bool
    is_member: bool
    sees_private: bool
    summary: tuple[RoleSummary, ...]  # counts per role, administrators first
    member_total: int
    me: MemberLine | None  # the viewer's own membership
    sees_members: bool  # may open the member list (active members)
    pages: tuple[ContentLine, ...]
    materials: tuple[ContentLine, ...]
    diary: tuple[DiaryLine, ...]
    threads: tuple[ThreadLine, ...]
    controls: Controls
    material_kinds: tuple[str, ...]
    notice: str | None
    moderator: bool = False  # a teacher administrator: hidden content, the trail
    trail: tuple[editing.TrailLine, ...] = ()  # recent moderation, newest first
    eql: EqlLine | None = None
    overview: Overview | None = None  # teacher administrators only


@dataclass(frozen=True)
class MembersView:
    """``/embed/twinspace/<id>/members?page=N``: one page of at most ``PAGE_SIZE`` members."""

    twinspace: TwinSpace
    role: str  # data-etwin-role
    archived: bool
    groups: tuple[MemberGroup, ...]  # this page's members, by role
    page: int
    last_page: int
    total: int
    first_number: int  # the position of this page's first member in the whole list
    controls: Controls


@dataclass(frozen=True)
class _Context:
    twinspace: TwinSpace
    project: Project
    viewer: Member | None  # None: not a member (tool administrators, other resources)


class TwinSpacePageHub(TwinSpacesHub, ContentHub, PeopleHub, Protocol):
    """The snapshot, members' management, content, and a teacher renaming a pupil."""


class TwinSpacePages:
    def __init__(self, hub: TwinSpacePageHub) -> None:
        self.hub = hub
        self.editing = editing.ContentModeration(hub)

    # --- reading -----------------------------------------------------------------------------
    def _context(self, session: LaunchSession, twinspace_id: int) -> _Context:
        """For the form posts: TwinSpace, members and project in one hub read."""
        return self._checked(session, self._snapshot(session, twinspace_id))

    def _snapshot(self, session: LaunchSession, twinspace_id: int) -> TwinSpaceSnapshot:
        # One unit of work for the whole page; unknown TwinSpace: 404 before anything else.
        return self.hub.twinspace_snapshot(twinspace_id, viewer_id=session.person_id)

    def _checked(self, session: LaunchSession, snap: TwinSpaceSnapshot) -> _Context:
        space = snap.twinspace
        if not launched_for(session, "twinspace", space.id) and not twinspaces.is_active(
            snap.viewer
        ):
            raise NotYourResourceError()
        return _Context(space, snap.project, snap.viewer)

    def view(
        self,
        session: LaunchSession,
        twinspace_id: int,
        *,
        today: date | None = None,
        words: Wording = ENGLISH,
    ) -> TwinSpaceView:
        """``today`` ends the overview's activity weeks (None: the newest contribution's);
        ``words`` are the reader's, for the overview's charts."""
        snap = self._snapshot(session, twinspace_id)
        ctx = self._checked(session, snap)
        active = twinspaces.is_active(ctx.viewer)
        role = ctx.viewer.role.value if active and ctx.viewer else session.role
        sees_private = sees_private_content(ctx.viewer)
        # Names beside the content come from its authors only (bounded by the content).
        names = {m.person_id: m.display_name for m in snap.authors}
        pupils = {m.person_id for m in snap.authors if m.role in PUPIL_ROLES}
        controls = self._controls(ctx, session)
        writable = ctx.twinspace.status is not TwinSpaceStatus.ARCHIVED
        moderator = moderation.is_administrator(ctx.viewer)

        def author(person_id: int) -> str:
            # Whoever sees public content only never learns a pupil's pseudonym.
            return moderation.author_label(
                _name(names, person_id), is_pupil=person_id in pupils, public_view=not sees_private
            )

        def acts(kind: ContentKind, item: Any, label: str, **kw: Any) -> editing.ContentActs:
            return editing.acts_for(
                ctx.viewer,
                writable=writable,
                kind=kind,
                content_id=item.id,
                author_id=item.author_id,
                hidden=item.hidden,
                label=label,
                **kw,
            )

        return TwinSpaceView(
            twinspace=ctx.twinspace,
            project=ctx.project,
            role=role,
            archived=not writable,
            is_member=active,
            sees_private=sees_private,
            summary=tuple(
                RoleSummary(c.role.value, ROLE_PLURALS[c.role], c.active, c.suspended)
                for c in snap.role_counts
            ),
            member_total=sum(c.active + c.suspended for c in snap.role_counts),
            me=_line(ctx.viewer, controls, ctx.viewer) if ctx.viewer else None,
            sees_members=active,
            pages=tuple(
                ContentLine(
                    p.id,
                    p.title,
                    p.body,
                    "page",
                    p.visibility.value,
                    author(p.author_id),
                    p.created_at,
                    acts(ContentKind.PAGE, p, p.title, visibility=p.visibility),
                )
                for p in snap.pages
            ),
            materials=tuple(
                ContentLine(
                    m.id,
                    m.title,
                    m.url or "",
                    m.kind.value,
                    m.visibility.value,
                    author(m.author_id),
                    m.created_at,
                    file=m.file,
                    acts=acts(
                        ContentKind.MATERIAL,
                        m,
                        m.title,
                        visibility=m.visibility,
                        fields=moderation.FILE_MATERIAL_EDITABLE if m.file else None,
                    ),
                )
                for m in snap.materials
            ),
            diary=tuple(
                DiaryLine(
                    post.id,
                    post.title,
                    post.body,
                    author(post.author_id),
                    post.created_at,
                    tuple(
                        PostLine(
                            author(c.author_id),
                            c.body,
                            c.created_at,
                            acts(ContentKind.DIARY_COMMENT, c, f"by {author(c.author_id)}"),
                        )
                        for c in post.comments
                        if sees_private or c.author_id not in pupils
                    ),
                    acts(ContentKind.DIARY_POST, post, post.title),
                )
                for post in snap.diary
            ),
            threads=tuple(
                ThreadLine(
                    t.id,
                    t.title,
                    author(t.author_id),
                    t.created_at,
                    tuple(
                        PostLine(
                            author(p.author_id),
                            p.body,
                            p.created_at,
                            acts(
                                ContentKind.FORUM_POST,
                                p,
                                f"by {author(p.author_id)}",
                                opens_thread=index == 0,
                            ),
                        )
                        for index, p in enumerate(t.posts)
                    ),
                    acts(ContentKind.THREAD, t, t.title),
                )
                for t in snap.threads
            ),
            controls=controls,
            material_kinds=tuple(MATERIAL_KIND_VALUES),
            notice=_notice(ctx, session, sees_private),
            moderator=moderator,
            trail=self._trail(ctx, names) if moderator else (),
            eql=eql_line(snap.eql),
            overview=overview(snap, today, words) if moderator else None,
        )

    def _trail(self, ctx: _Context, names: Mapping[int, str]) -> tuple[editing.TrailLine, ...]:
        assert ctx.viewer is not None
        entries = self.hub.moderation_log(
            ctx.viewer.person_id, ctx.twinspace.id, limit=editing.TRAIL_LENGTH
        )
        return editing.trail(entries, names)

    def moderate_content(
        self,
        session: LaunchSession,
        twinspace_id: int,
        kind: str,
        content_id: int,
        action: str,
        form: Mapping[str, str],
    ) -> str:
        """An edit, delete, hide, restore or visibility control; a ``MESSAGES`` key."""
        ctx = self._context(session, twinspace_id)  # this launch's TwinSpace, or refused
        return self.editing.moderate(
            require_person(session), ctx.twinspace.id, kind, content_id, action, form
        )

    def members(
        self, session: LaunchSession, twinspace_id: int, raw_page: str | None
    ) -> MembersView:
        """One page of the member list, for the TwinSpace's active members only (the page's
        access check first; then the page number: 422 when malformed, 404 past the end)."""
        ctx = self._checked(session, self._snapshot(session, twinspace_id))
        if not twinspaces.is_active(ctx.viewer):
            raise MembersOnlyError()
        assert ctx.viewer is not None
        number = paging.page_number(raw_page)
        found = self.hub.member_page(
            twinspace_id, offset=paging.offset_of(number), limit=paging.PAGE_SIZE
        )
        paging.check_page_exists(number, found.total)
        controls = self._controls(ctx, session)
        return MembersView(
            twinspace=ctx.twinspace,
            role=ctx.viewer.role.value,
            archived=ctx.twinspace.status is TwinSpaceStatus.ARCHIVED,
            groups=_groups(found.members, controls, ctx.viewer),
            page=number,
            last_page=paging.last_page(found.total),
            total=found.total,
            first_number=paging.offset_of(number) + 1,
            controls=controls,
        )

    def _controls(self, ctx: _Context, session: LaunchSession) -> Controls:
        viewer = ctx.viewer
        if ctx.twinspace.status is TwinSpaceStatus.ARCHIVED or not twinspaces.is_active(viewer):
            return Controls()
        assert viewer is not None
        allowed = PERMISSIONS[viewer.role]
        return Controls(
            add_page=Action.ADD_PAGE in allowed,
            add_material=Action.ADD_MATERIAL in allowed,
            post_diary=viewer.person_id in project_teacher_ids(ctx.project),
            comment=Action.COMMENT_DIARY in allowed,
            create_thread=Action.CREATE_THREAD in allowed,
            reply=Action.REPLY_THREAD in allowed,
            manage=Action.MANAGE_MEMBERS in allowed,
            publish=Action.PUBLISH in allowed,
        )

    # --- writing (each returns a MESSAGES key) -----------------------------------------------
    def act(
        self,
        session: LaunchSession,
        twinspace_id: int,
        action: str,
        form: Mapping[str, str],
        collection: str | None = None,
        target_id: int | None = None,
    ) -> str:
        """Dispatch one form post; unknown actions are 404 like unknown pages."""
        handler = _ACTIONS.get((collection, action))
        if handler is None or (collection is None) != (target_id is None):
            raise NotFoundError(N_("There is no such action on a TwinSpace page."))
        ctx = self._context(session, twinspace_id)
        actor_id = require_person(session)
        return handler(self, ctx, actor_id, form, target_id)

    def _add_page(self, ctx: _Context, actor: int, form: Mapping[str, str], _t: None) -> str:
        errors = FieldErrors()
        title = errors.title("title", form.get("title", ""))
        body = field_text(errors, form, "body", max_length=BODY_MAX, required=False)
        visibility = field_choice(errors, form, "visibility", VISIBILITIES)
        errors.raise_if_any()
        self.hub.add_page(actor, ctx.twinspace.id, title, body, visibility=visibility)
        return "page_added"

    def _add_material(self, ctx: _Context, actor: int, form: Mapping[str, str], _t: None) -> str:
        errors = FieldErrors()
        title = errors.title("title", form.get("title", ""))
        url = errors.url("url", form.get("url", ""))
        kind = field_choice(errors, form, "kind", MATERIAL_KIND_VALUES)
        if kind is None and "kind" not in errors.errors:
            errors.add("kind", "Choose what kind of material this is.")
        visibility = field_choice(errors, form, "visibility", VISIBILITIES)
        errors.raise_if_any()
        assert kind is not None  # a missing kind is a field error above
        self.hub.add_material(
            actor,
            ctx.twinspace.id,
            title,
            kind,
            url,
            visibility=visibility,
        )
        return "material_added"

    def _post_diary(self, ctx: _Context, actor: int, form: Mapping[str, str], _t: None) -> str:
        errors = FieldErrors()
        title = errors.title("title", form.get("title", ""))
        body = field_text(errors, form, "body", max_length=BODY_MAX)
        errors.raise_if_any()
        self.hub.post_diary(actor, ctx.project.id, title, body)
        return "diary_posted"

    def _comment(self, ctx: _Context, actor: int, form: Mapping[str, str], post_id: int) -> str:
        errors = FieldErrors()
        body = field_text(errors, form, "body", max_length=COMMENT_MAX)
        errors.raise_if_any()
        if post_id not in {p.id for p in self.hub.list_diary(ctx.project.id)}:
            raise NotFoundError(N_("There is no such post in this Project Diary."))
        self.hub.comment_diary(actor, post_id, body)
        return "comment_added"

    def _open_thread(self, ctx: _Context, actor: int, form: Mapping[str, str], _t: None) -> str:
        errors = FieldErrors()
        title = errors.title("title", form.get("title", ""))
        body = field_text(errors, form, "body", max_length=BODY_MAX)
        errors.raise_if_any()
        self.hub.create_thread(actor, ctx.twinspace.id, title, body)
        return "thread_opened"

    def _reply(self, ctx: _Context, actor: int, form: Mapping[str, str], thread_id: int) -> str:
        errors = FieldErrors()
        body = field_text(errors, form, "body", max_length=BODY_MAX)
        errors.raise_if_any()
        if thread_id not in {t.id for t in self.hub.list_threads(ctx.twinspace.id)}:
            raise NotFoundError(N_("There is no such thread in this TwinSpace."))
        self.hub.reply_thread(actor, thread_id, body)
        return "reply_added"

    def _change_role(self, ctx: _Context, actor: int, form: Mapping[str, str], person: int) -> str:
        target = _member(self.hub, ctx, person)
        choices = {r: TwinSpaceRole(r) for r in _role_choices(target)}
        errors = FieldErrors()
        role = field_choice(errors, form, "role", choices)
        if role is None and "role" not in errors.errors:
            errors.add("role", "Choose a role.")
        errors.raise_if_any()
        assert role is not None
        self.hub.change_role(actor, ctx.twinspace.id, person, role)
        return "role_changed"

    def _suspend(self, ctx: _Context, actor: int, _f: Mapping[str, str], person: int) -> str:
        _member(self.hub, ctx, person)
        self.hub.suspend_member(actor, ctx.twinspace.id, person)
        return "member_suspended"

    def _reactivate(self, ctx: _Context, actor: int, _f: Mapping[str, str], person: int) -> str:
        _member(self.hub, ctx, person)
        self.hub.reactivate_member(actor, ctx.twinspace.id, person)
        return "member_reactivated"

    def _pseudonym(self, ctx: _Context, actor: int, form: Mapping[str, str], person: int) -> str:
        target = _member(self.hub, ctx, person)
        # The hub lets any teacher of the pupil rename; on this page it is an administrator's
        # control, like the other member decisions (DESIGN.md "Privacy").
        twinspaces.check_can(ctx.viewer, Action.MANAGE_MEMBERS)
        twinspaces.check_writable(ctx.twinspace)
        if target.role not in PUPIL_ROLES:
            raise PermissionDeniedError(N_("Only pupils' pseudonyms are edited here."))
        errors = FieldErrors()
        name = field_text(errors, form, "display_name", max_length=NAME_MAX)
        errors.raise_if_any()
        self.hub.rename_person(actor, person, name)
        return "pseudonym_changed"


_ACTIONS: dict[tuple[str | None, str], Callable[..., str]] = {
    (None, "pages"): TwinSpacePages._add_page,
    (None, "materials"): TwinSpacePages._add_material,
    (None, "diary"): TwinSpacePages._post_diary,
    (None, "threads"): TwinSpacePages._open_thread,
    ("diary", "comments"): TwinSpacePages._comment,
    ("threads", "replies"): TwinSpacePages._reply,
    ("members", "role"): TwinSpacePages._change_role,
    ("members", "suspend"): TwinSpacePages._suspend,
    ("members", "reactivate"): TwinSpacePages._reactivate,
    ("members", "pseudonym"): TwinSpacePages._pseudonym,
}


def _member(hub: TwinSpacePageHub, ctx: _Context, person_id: int) -> Member:
    """The one member a form acts on (the same cost for 10 members or 10,000); 404 else."""
    return hub.get_member(ctx.twinspace.id, person_id)


def _role_choices(member: Member) -> tuple[str, ...]:
    return PUPIL_ROLE_VALUES if member.role in PUPIL_ROLES else NON_PUPIL_ROLES


def _name(names: Mapping[int, str], person_id: int) -> str:
    return names.get(person_id, FORMER_MEMBER)


def _line(m: Member, controls: Controls, viewer: Member | None) -> MemberLine:
    viewer_id = viewer.person_id if viewer else None
    return MemberLine(
        person_id=m.person_id,
        name=m.display_name,
        role=m.role.value,
        role_label=label(m.role.value),
        active=m.status is MemberStatus.ACTIVE,
        is_founder=m.is_founder,
        is_pupil=m.role in PUPIL_ROLES,
        manageable=controls.manage and not m.is_founder and m.person_id != viewer_id,
        role_choices=_role_choices(m),
    )


def _groups(
    members: tuple[Member, ...], controls: Controls, viewer: Member | None
) -> tuple[MemberGroup, ...]:
    groups: dict[TwinSpaceRole, list[MemberLine]] = {}
    for m in members:  # the hub orders them by role, administrators first
        groups.setdefault(m.role, []).append(_line(m, controls, viewer))
    return tuple(
        MemberGroup(role.value, ROLE_PLURALS[role], tuple(lines)) for role, lines in groups.items()
    )


def _notice(ctx: _Context, session: LaunchSession, sees_private: bool) -> str | None:
    if sees_private:
        return None
    if session.is_tool_admin and ctx.viewer is None:
        return N_(
            "You are a tool administrator without membership here: you see what is public "
            "(pages, materials and the Project Diary)."
        )
    return N_("You see what is public: pages, materials and the Project Diary.")


__all__ = ["MESSAGES", "MembersOnlyError", "MembersView", "TwinSpacePages", "TwinSpaceView"]
