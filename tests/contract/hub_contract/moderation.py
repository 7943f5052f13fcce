"""The hub contract: authors edit and delete their own content, teacher administrators of THAT
TwinSpace hide, restore, delete and publish anyone's; hidden content is theirs alone to see."""

from __future__ import annotations

from typing import Any

import pytest

from etwin_lti.domain.audit import AuditAction
from etwin_lti.domain.model import MaterialKind, Visibility
from etwin_lti.domain.moderation import ContentKind as K
from etwin_lti.domain.moderation import ContentStateError, HiddenContentError
from etwin_lti.domain.ports import HubPort
from etwin_lti.errors import (
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
    RuleViolationError,
)
from tests.contract.hub_contract.builders import (
    UNKNOWN_ID,
    R,
    Refusal,
    Space,
    archived_space,
    space,
)


def everything(hub: HubPort, s: Space) -> dict[K, Any]:
    """One piece of every kind, each by a pupil where pupils may write it."""
    pupil_admin, pupil = s.members[R.PUPIL_ADMINISTRATOR], s.members[R.PUPIL]
    post = hub.post_diary(s.admin, s.project.id, "Week 1", "We met.")
    thread = hub.create_thread(pupil_admin, s.id, "Games", "Which one?")
    return {
        K.PAGE: hub.add_page(pupil_admin, s.id, "Our town", "Photos soon"),
        K.MATERIAL: hub.add_material(
            pupil, s.id, "Drawing", MaterialKind.PHOTO, "https://e.org/d.png"
        ),
        K.DIARY_POST: post,
        K.DIARY_COMMENT: hub.comment_diary(pupil, post.id, "It was fun"),
        K.THREAD: thread,
        K.FORUM_POST: hub.reply_thread(pupil, thread.id, "Hide and seek"),
    }


def _seen(hub: HubPort, s: Space) -> object:
    return (
        hub.list_pages(s.id, viewer_id=s.admin),
        hub.list_materials(s.id, viewer_id=s.admin),
        hub.list_diary(s.project.id, viewer_id=s.admin),
        hub.list_threads(s.id, viewer_id=s.admin),
    )


def _refusal(name: str, error: type[Exception], kind: K, act: Any, **kw: Any) -> Refusal:
    def arrange(hub: HubPort) -> Any:
        s = kw.get("build", space)(hub)
        made = everything(hub, s)
        if "prepare" in kw:
            kw["prepare"](hub, s, made[kind])
        if kw.get("other"):  # another TwinSpace, made before the refused call
            other = space(hub)
            return (lambda: act(hub, s, made[kind], other)), (lambda: _seen(hub, s))
        return (lambda: act(hub, s, made[kind])), (lambda: _seen(hub, s))

    return Refusal(name, error, arrange, field=kw.get("field"))


def _archived(hub: HubPort) -> Space:
    """A space whose content exists before its project closed."""
    s = space(hub)
    _archived_content[id(hub)] = everything(hub, s)
    hub.close_project(s.admin, s.project.id)
    return s


_archived_content: dict[int, dict[K, Any]] = {}


def _on_archived(name: str, act: Any) -> Refusal:
    def arrange(hub: HubPort) -> Any:
        s = _archived(hub)
        made = _archived_content[id(hub)]
        return (lambda: act(hub, s, made)), (lambda: _seen(hub, s))

    return Refusal(name, RuleViolationError, arrange)


MODERATION_REFUSALS: list[Refusal] = [
    _refusal(
        "pupil edits another pupil's material",
        PermissionDeniedError,
        K.MATERIAL,
        lambda hub, s, m: hub.edit_content(
            s.members[R.PUPIL_ADMINISTRATOR], s.id, K.MATERIAL, m.id, title="Mine now"
        ),
    ),
    _refusal(
        "pupil edits the teacher's Diary post",
        PermissionDeniedError,
        K.DIARY_POST,
        lambda hub, s, p: hub.edit_content(s.members[R.PUPIL], s.id, K.DIARY_POST, p.id, body="x"),
    ),
    _refusal(
        "teacher administrator rewrites a pupil's comment",
        PermissionDeniedError,
        K.DIARY_COMMENT,
        lambda hub, s, c: hub.edit_content(s.admin, s.id, K.DIARY_COMMENT, c.id, body="Nicer"),
    ),
    _refusal(
        "pupil deletes another's forum reply",
        PermissionDeniedError,
        K.FORUM_POST,
        lambda hub, s, p: hub.delete_content(
            s.members[R.PUPIL_ADMINISTRATOR], s.id, K.FORUM_POST, p.id
        ),
    ),
    _refusal(
        "plain teacher hides a pupil's page",
        PermissionDeniedError,
        K.PAGE,
        lambda hub, s, p: hub.hide_content(s.members[R.TEACHER], s.id, K.PAGE, p.id),
    ),
    _refusal(
        "teacher administrator of another TwinSpace hides, through its own space",
        NotFoundError,
        K.PAGE,
        lambda hub, s, p, o: hub.hide_content(o.admin, o.id, K.PAGE, p.id),
        other=True,
    ),
    _refusal(
        "teacher administrator of another TwinSpace deletes",
        PermissionDeniedError,
        K.THREAD,
        lambda hub, s, t, o: hub.delete_content(o.admin, s.id, K.THREAD, t.id),
        other=True,
    ),
    _refusal(
        "pupil publishes their own material",
        PermissionDeniedError,
        K.MATERIAL,
        lambda hub, s, m: hub.set_content_visibility(
            s.members[R.PUPIL], s.id, K.MATERIAL, m.id, Visibility.PUBLIC
        ),
    ),
    _refusal(
        "guest reads the moderation trail",
        PermissionDeniedError,
        K.PAGE,
        lambda hub, s, _p: hub.moderation_log(s.members[R.GUEST], s.id),
    ),
    _refusal(
        "a Diary post has no visibility",
        InvalidInputError,
        K.DIARY_POST,
        lambda hub, s, p: hub.set_content_visibility(
            s.admin, s.id, K.DIARY_POST, p.id, Visibility.PUBLIC
        ),
        field="kind",
    ),
    _refusal(
        "a thread has no body to edit",
        InvalidInputError,
        K.THREAD,
        lambda hub, s, t: hub.edit_content(
            s.members[R.PUPIL_ADMINISTRATOR], s.id, K.THREAD, t.id, body="x"
        ),
        field="body",
    ),
    _refusal(
        "an edit that changes nothing",
        InvalidInputError,
        K.PAGE,
        lambda hub, s, p: hub.edit_content(s.members[R.PUPIL_ADMINISTRATOR], s.id, K.PAGE, p.id),
        field="title",
    ),
    _refusal(
        "an empty title",
        InvalidInputError,
        K.PAGE,
        lambda hub, s, p: hub.edit_content(
            s.members[R.PUPIL_ADMINISTRATOR], s.id, K.PAGE, p.id, title="  "
        ),
        field="title",
    ),
    _refusal(
        "a material's link made javascript:",
        InvalidInputError,
        K.MATERIAL,
        lambda hub, s, m: hub.edit_content(
            s.members[R.PUPIL], s.id, K.MATERIAL, m.id, url="javascript:alert(1)"
        ),
        field="url",
    ),
    _refusal(
        "restoring what is shown",
        ContentStateError,
        K.FORUM_POST,
        lambda hub, s, p: hub.restore_content(s.admin, s.id, K.FORUM_POST, p.id),
    ),
    _refusal(
        "hiding what is hidden",
        ContentStateError,
        K.DIARY_COMMENT,
        lambda hub, s, c: hub.hide_content(s.admin, s.id, K.DIARY_COMMENT, c.id),
        prepare=lambda hub, s, c: hub.hide_content(s.admin, s.id, K.DIARY_COMMENT, c.id),
    ),
    _refusal(
        "making a private page private",
        ContentStateError,
        K.PAGE,
        lambda hub, s, p: hub.set_content_visibility(
            s.admin, s.id, K.PAGE, p.id, Visibility.PRIVATE
        ),
    ),
    _refusal(
        "the author edits what a teacher administrator hid",
        HiddenContentError,
        K.PAGE,
        lambda hub, s, p: hub.edit_content(
            s.members[R.PUPIL_ADMINISTRATOR], s.id, K.PAGE, p.id, body="again"
        ),
        prepare=lambda hub, s, p: hub.hide_content(s.admin, s.id, K.PAGE, p.id),
    ),
    _refusal(
        "deleting the post that opens a thread",
        ContentStateError,
        K.THREAD,
        lambda hub, s, t: hub.delete_content(s.admin, s.id, K.FORUM_POST, t.posts[0].id),
    ),
    _refusal(
        "a Diary comment named under another TwinSpace",
        NotFoundError,
        K.DIARY_COMMENT,
        lambda hub, s, c, o: hub.delete_content(o.admin, o.id, K.DIARY_COMMENT, c.id),
        other=True,
    ),
    _refusal(
        "commenting on a hidden Diary post",
        HiddenContentError,
        K.DIARY_POST,
        lambda hub, s, p: hub.comment_diary(s.members[R.PUPIL], p.id, "Still here?"),
        prepare=lambda hub, s, p: hub.hide_content(s.admin, s.id, K.DIARY_POST, p.id),
    ),
    _refusal(
        "replying in a hidden thread",
        HiddenContentError,
        K.THREAD,
        lambda hub, s, t: hub.reply_thread(s.admin, t.id, "Anyone?"),
        prepare=lambda hub, s, t: hub.hide_content(s.admin, s.id, K.THREAD, t.id),
    ),
    _on_archived(
        "the author edits in an archived TwinSpace",
        lambda hub, s, m: hub.edit_content(
            s.members[R.PUPIL_ADMINISTRATOR], s.id, K.PAGE, m[K.PAGE].id, title="Later"
        ),
    ),
    _on_archived(
        "a teacher administrator hides in an archived TwinSpace",
        lambda hub, s, m: hub.hide_content(s.admin, s.id, K.FORUM_POST, m[K.FORUM_POST].id),
    ),
    _on_archived(
        "a teacher administrator deletes in an archived TwinSpace",
        lambda hub, s, m: hub.delete_content(s.admin, s.id, K.MATERIAL, m[K.MATERIAL].id),
    ),
    _on_archived(
        "a teacher administrator publishes in an archived TwinSpace",
        lambda hub, s, m: hub.set_content_visibility(
            s.admin, s.id, K.PAGE, m[K.PAGE].id, Visibility.PUBLIC
        ),
    ),
]

MODERATION_UNKNOWN: list[tuple[str, Any]] = [
    (
        "edit_content",
        lambda hub: hub.edit_content(UNKNOWN_ID, UNKNOWN_ID, K.PAGE, UNKNOWN_ID, title="T"),
    ),
    ("delete_content", lambda hub: hub.delete_content(UNKNOWN_ID, UNKNOWN_ID, K.PAGE, UNKNOWN_ID)),
    ("hide_content", lambda hub: hub.hide_content(UNKNOWN_ID, UNKNOWN_ID, K.THREAD, UNKNOWN_ID)),
    (
        "restore_content",
        lambda hub: hub.restore_content(UNKNOWN_ID, UNKNOWN_ID, K.FORUM_POST, UNKNOWN_ID),
    ),
    (
        "set_content_visibility",
        lambda hub: hub.set_content_visibility(
            UNKNOWN_ID, UNKNOWN_ID, K.MATERIAL, UNKNOWN_ID, Visibility.PUBLIC
        ),
    ),
    ("moderation_log", lambda hub: hub.moderation_log(UNKNOWN_ID, UNKNOWN_ID)),
]


class ModerationContract:
    """Mixed into ``HubContract``, which provides the ``hub`` fixture."""

    def test_authors_edit_and_delete_their_own_of_every_kind(self, hub: HubPort) -> None:
        s = space(hub)
        made = everything(hub, s)
        authors = {kind: item.author_id for kind, item in made.items()}
        changes = {
            K.PAGE: {"title": "Our town, in May", "body": "**Photos** soon"},
            K.MATERIAL: {"title": "My drawing", "url": "https://e.org/d2.png"},
            K.DIARY_POST: {"title": "Week one", "body": "We met online."},
            K.DIARY_COMMENT: {"body": "It was great fun"},
            K.THREAD: {"title": "Playground games"},
            K.FORUM_POST: {"body": "Hide and seek!"},
        }
        for kind, fields in changes.items():
            state = hub.edit_content(authors[kind], s.id, kind, made[kind].id, **fields)
            assert (state.kind, state.id, state.hidden) == (kind, made[kind].id, False)
        page = hub.list_pages(s.id, viewer_id=s.admin)[-1]
        assert (page.title, page.body) == ("Our town, in May", "**Photos** soon")
        [material] = hub.list_materials(s.id, viewer_id=s.admin)
        assert (material.title, material.url) == ("My drawing", "https://e.org/d2.png")
        [post] = hub.list_diary(s.project.id)
        assert (post.title, post.body, post.comments[0].body) == (
            "Week one",
            "We met online.",
            "It was great fun",
        )
        [thread] = hub.list_threads(s.id)
        assert thread.title == "Playground games"
        assert [p.body for p in thread.posts] == ["Which one?", "Hide and seek!"]

        hub.delete_content(authors[K.FORUM_POST], s.id, K.FORUM_POST, made[K.FORUM_POST].id)
        hub.delete_content(
            authors[K.DIARY_COMMENT], s.id, K.DIARY_COMMENT, made[K.DIARY_COMMENT].id
        )
        assert [p.body for p in hub.list_threads(s.id)[0].posts] == ["Which one?"]
        assert hub.list_diary(s.project.id)[0].comments == ()
        for kind in (K.PAGE, K.MATERIAL, K.DIARY_POST, K.THREAD):
            hub.delete_content(authors[kind], s.id, kind, made[kind].id)
        assert hub.list_pages(s.id, viewer_id=s.admin) == []
        assert hub.list_materials(s.id, viewer_id=s.admin) == []
        assert hub.list_diary(s.project.id) == [] and hub.list_threads(s.id) == []

    def test_a_teacher_administrator_deletes_anyones_with_what_hangs_on_it(
        self, hub: HubPort
    ) -> None:
        s = space(hub)
        made = everything(hub, s)
        hub.delete_content(s.admin, s.id, K.DIARY_POST, made[K.DIARY_POST].id)  # and its comment
        hub.delete_content(s.co_founder, s.id, K.THREAD, made[K.THREAD].id)  # and its replies
        hub.delete_content(s.admin, s.id, K.MATERIAL, made[K.MATERIAL].id)
        assert hub.list_diary(s.project.id, viewer_id=s.admin) == []
        assert hub.list_threads(s.id, viewer_id=s.admin) == []
        assert hub.list_materials(s.id, viewer_id=s.admin) == []
        with pytest.raises(NotFoundError):  # gone with its post
            hub.hide_content(s.admin, s.id, K.DIARY_COMMENT, made[K.DIARY_COMMENT].id)

    def test_hidden_content_is_for_teacher_administrators_only(self, hub: HubPort) -> None:
        s = space(hub)
        made = everything(hub, s)
        pupil, teacher_member = s.members[R.PUPIL], s.members[R.TEACHER]
        for kind in (K.PAGE, K.MATERIAL, K.DIARY_COMMENT, K.FORUM_POST):
            state = hub.hide_content(s.admin, s.id, kind, made[kind].id)
            assert state.hidden is True
        for viewer in (pupil, teacher_member, s.members[R.PUPIL_ADMINISTRATOR], None):
            assert hub.list_pages(s.id, viewer_id=viewer) == []
            assert hub.list_materials(s.id, viewer_id=viewer) == []
            assert hub.list_diary(s.project.id, viewer_id=viewer)[0].comments == ()
            assert [p.body for p in hub.list_threads(s.id, viewer_id=viewer)[0].posts] == [
                "Which one?"
            ]
        snap = hub.twinspace_snapshot(s.id, viewer_id=pupil)
        assert (snap.pages, snap.materials, snap.diary[0].comments) == ((), (), ())
        assert [p.body for p in snap.threads[0].posts] == ["Which one?"]

        admin_view = hub.twinspace_snapshot(s.id, viewer_id=s.co_founder)
        assert [p.hidden for p in admin_view.pages] == [True]
        assert [m.hidden for m in admin_view.materials] == [True]
        assert [c.hidden for c in admin_view.diary[0].comments] == [True]
        assert [p.hidden for p in admin_view.threads[0].posts] == [False, True]
        assert hub.list_pages(s.id, viewer_id=s.admin)[0].hidden is True

        hub.restore_content(s.admin, s.id, K.DIARY_COMMENT, made[K.DIARY_COMMENT].id)
        [comment] = hub.list_diary(s.project.id, viewer_id=pupil)[0].comments
        assert (comment.body, comment.hidden) == ("It was fun", False)

    def test_a_hidden_thread_or_post_hides_what_it_holds(self, hub: HubPort) -> None:
        s = space(hub)
        made = everything(hub, s)
        hub.hide_content(s.admin, s.id, K.THREAD, made[K.THREAD].id)
        hub.hide_content(s.admin, s.id, K.DIARY_POST, made[K.DIARY_POST].id)
        pupil = s.members[R.PUPIL]
        assert hub.list_threads(s.id, viewer_id=pupil) == []
        assert hub.list_diary(s.project.id, viewer_id=pupil) == []
        assert hub.list_diary(s.project.id) == []  # no viewer: the public Diary
        with pytest.raises(HiddenContentError):  # the reply's thread is hidden
            hub.edit_content(pupil, s.id, K.FORUM_POST, made[K.FORUM_POST].id, body="x")
        [thread] = hub.list_threads(s.id, viewer_id=s.admin)
        assert thread.hidden is True and len(thread.posts) == 2

    def test_publishing_is_a_teacher_administrators_decision(self, hub: HubPort) -> None:
        s = space(hub)
        made = everything(hub, s)
        pupils_page = made[K.PAGE]
        assert hub.list_pages(s.id) == []  # a pupil's page is private
        state = hub.set_content_visibility(s.admin, s.id, K.PAGE, pupils_page.id, Visibility.PUBLIC)
        assert state.visibility is Visibility.PUBLIC
        assert [p.id for p in hub.list_pages(s.id)] == [pupils_page.id]  # outsiders see it now
        # The pupil may take their own work back out of public view.
        author = s.members[R.PUPIL_ADMINISTRATOR]
        hub.set_content_visibility(author, s.id, K.PAGE, pupils_page.id, Visibility.PRIVATE)
        assert hub.list_pages(s.id) == []
        # A teacher may publish their own, not a pupil's.
        own = hub.add_page(
            s.members[R.TEACHER], s.id, "Lesson plan", "", visibility=Visibility.PRIVATE
        )
        hub.set_content_visibility(s.members[R.TEACHER], s.id, K.PAGE, own.id, Visibility.PUBLIC)
        with pytest.raises(PermissionDeniedError):
            hub.set_content_visibility(
                s.members[R.TEACHER], s.id, K.MATERIAL, made[K.MATERIAL].id, Visibility.PUBLIC
            )
        # Hidden beats public: a published page a teacher administrator hid is seen by no one.
        hub.hide_content(s.admin, s.id, K.PAGE, own.id)
        assert hub.list_pages(s.id) == []

    def test_the_moderation_trail_newest_first_for_this_spaces_administrators(
        self, hub: HubPort
    ) -> None:
        s = space(hub)
        made = everything(hub, s)
        other = space(hub)
        everything(hub, other)
        hub.hide_content(
            other.admin, other.id, K.PAGE, hub.list_pages(other.id, viewer_id=other.admin)[0].id
        )
        pupil = s.members[R.PUPIL]
        hub.edit_content(pupil, s.id, K.DIARY_COMMENT, made[K.DIARY_COMMENT].id, body="Fun!")
        hub.hide_content(s.admin, s.id, K.MATERIAL, made[K.MATERIAL].id)
        hub.set_content_visibility(s.co_founder, s.id, K.PAGE, made[K.PAGE].id, Visibility.PUBLIC)
        hub.delete_content(s.admin, s.id, K.FORUM_POST, made[K.FORUM_POST].id)
        log = hub.moderation_log(s.co_founder, s.id)
        assert [(e.action, e.kind, e.content_id, e.by) for e in log] == [
            (AuditAction.CONTENT_DELETED.value, K.FORUM_POST, made[K.FORUM_POST].id, s.admin),
            (AuditAction.CONTENT_VISIBILITY_CHANGED.value, K.PAGE, made[K.PAGE].id, s.co_founder),
            (AuditAction.CONTENT_HIDDEN.value, K.MATERIAL, made[K.MATERIAL].id, s.admin),
            (AuditAction.CONTENT_EDITED.value, K.DIARY_COMMENT, made[K.DIARY_COMMENT].id, pupil),
        ]
        assert log[1].visibility is Visibility.PUBLIC
        assert len(hub.moderation_log(s.admin, s.id, limit=2)) == 2
        for outsider in (pupil, s.members[R.TEACHER], other.admin):
            with pytest.raises(PermissionDeniedError):
                hub.moderation_log(outsider, s.id)

    def test_an_archived_twinspace_keeps_its_trail_readable(self, hub: HubPort) -> None:
        s = space(hub)
        made = everything(hub, s)
        hub.hide_content(s.admin, s.id, K.PAGE, made[K.PAGE].id)
        hub.close_project(s.admin, s.project.id)
        assert [e.kind for e in hub.moderation_log(s.admin, s.id)] == [K.PAGE]
        assert hub.list_pages(s.id, viewer_id=s.admin)[0].hidden is True
        archived = archived_space(hub)
        assert hub.moderation_log(archived.admin, archived.id) == []
