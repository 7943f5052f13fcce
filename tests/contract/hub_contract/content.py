"""The hub contract: TwinSpace content, and an archived TwinSpace being read-only."""

from __future__ import annotations

import pytest

from etwin_lti.domain.model import (
    MaterialKind,
    PersonKind,
    Visibility,
)
from etwin_lti.domain.ports import HubPort
from etwin_lti.errors import (
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
    RuleViolationError,
)
from tests.contract.hub_contract.builders import (
    LONG,
    UNKNOWN_ID,
    R,
    Refusal,
    _invite,
    _project_call,
    _space_call,
    archived_space,
    newcomer,
    pending_project,
    space,
    teacher,
)

CONTENT_REFUSALS: list[Refusal] = [
    # --- content
    Refusal(
        "guest adds a page",
        PermissionDeniedError,
        _space_call(lambda hub, s: hub.add_page(s.members[R.GUEST], s.id, "Hello", "")),
    ),
    Refusal(
        "pupil adds a page",
        PermissionDeniedError,
        _space_call(lambda hub, s: hub.add_page(s.members[R.PUPIL], s.id, "Hello", "")),
    ),
    Refusal(
        "observer adds a page",
        PermissionDeniedError,
        _space_call(lambda hub, s: hub.add_page(s.members[R.OBSERVER], s.id, "Hello", "")),
    ),
    Refusal(
        "expert adds a page",
        PermissionDeniedError,
        _space_call(lambda hub, s: hub.add_page(s.members[R.EXPERT], s.id, "Hello", "")),
    ),
    Refusal(
        "outsider adds a page",
        PermissionDeniedError,
        _space_call(lambda hub, s: hub.add_page(newcomer(hub).id, s.id, "Hello", "")),
    ),
    Refusal(
        "suspended member adds a page",
        PermissionDeniedError,
        _space_call(
            lambda hub, s, _: hub.add_page(s.members[R.TEACHER], s.id, "Hi", ""),
            before=lambda hub, s: hub.suspend_member(s.admin, s.id, s.members[R.TEACHER]),
        ),
    ),
    Refusal(
        "pupil page made public",
        RuleViolationError,
        _space_call(
            lambda hub, s: hub.add_page(
                s.members[R.PUPIL_ADMINISTRATOR], s.id, "Our town", "", visibility=Visibility.PUBLIC
            )
        ),
    ),
    Refusal(
        "pupil material made public",
        RuleViolationError,
        _space_call(
            lambda hub, s: hub.add_material(
                s.members[R.PUPIL],
                s.id,
                "Drawing",
                MaterialKind.PHOTO,
                "https://example.org/d.png",
                visibility=Visibility.PUBLIC,
            )
        ),
    ),
    Refusal(
        "page with empty title",
        InvalidInputError,
        _space_call(lambda hub, s: hub.add_page(s.admin, s.id, "", "body")),
        "title",
    ),
    Refusal(
        "page with overlong title",
        InvalidInputError,
        _space_call(lambda hub, s: hub.add_page(s.admin, s.id, LONG, "body")),
        "title",
    ),
    Refusal(
        "material with a javascript: URL",
        InvalidInputError,
        _space_call(
            lambda hub, s: hub.add_material(
                s.admin, s.id, "x", MaterialKind.LINK, "javascript:alert(1)"
            )
        ),
        "url",
    ),
    Refusal(
        "material with an ftp URL",
        InvalidInputError,
        _space_call(
            lambda hub, s: hub.add_material(
                s.admin, s.id, "x", MaterialKind.LINK, "ftp://example.org/x"
            )
        ),
        "url",
    ),
    Refusal(
        "guest adds a material",
        PermissionDeniedError,
        _space_call(
            lambda hub, s: hub.add_material(
                s.members[R.GUEST], s.id, "x", MaterialKind.LINK, "https://example.org"
            )
        ),
    ),
    Refusal(
        "pupil opens a thread",
        PermissionDeniedError,
        _space_call(lambda hub, s: hub.create_thread(s.members[R.PUPIL], s.id, "Hi", "Hello")),
    ),
    Refusal(
        "observer opens a thread",
        PermissionDeniedError,
        _space_call(lambda hub, s: hub.create_thread(s.members[R.OBSERVER], s.id, "Hi", "Hello")),
    ),
    Refusal(
        "guest replies",
        PermissionDeniedError,
        _space_call(
            lambda hub, s, thread: hub.reply_thread(s.members[R.GUEST], thread.id, "Me too"),
            before=lambda hub, s: hub.create_thread(s.admin, s.id, "Hi", "Hello"),
        ),
    ),
    Refusal(
        "empty reply",
        InvalidInputError,
        _space_call(
            lambda hub, s, thread: hub.reply_thread(s.admin, thread.id, " "),
            before=lambda hub, s: hub.create_thread(s.admin, s.id, "Hi", "Hello"),
        ),
        "body",
    ),
    Refusal(
        "pupil posts to the Diary",
        PermissionDeniedError,
        _space_call(
            lambda hub, s: hub.post_diary(s.members[R.PUPIL], s.project.id, "Week 1", "We met.")
        ),
    ),
    Refusal(
        "invited teacher posts to the Diary",
        PermissionDeniedError,
        _space_call(
            lambda hub, s: hub.post_diary(s.members[R.TEACHER], s.project.id, "Week 1", "We met.")
        ),
    ),
    Refusal(
        "Diary post with empty body",
        InvalidInputError,
        _space_call(lambda hub, s: hub.post_diary(s.admin, s.project.id, "Week 1", "")),
        "body",
    ),
    Refusal(
        "guest comments the Diary",
        PermissionDeniedError,
        _space_call(
            lambda hub, s, post: hub.comment_diary(s.members[R.GUEST], post.id, "Nice"),
            before=lambda hub, s: hub.post_diary(s.admin, s.project.id, "Week 1", "We met."),
        ),
    ),
    Refusal(
        "Diary of a pending project",
        RuleViolationError,
        _project_call(
            pending_project,
            lambda hub, p: hub.post_diary(p.founder_ids[0], p.id, "Week 1", "We met."),
        ),
    ),
    # --- archived TwinSpace: read-only
    Refusal(
        "archived: add page",
        RuleViolationError,
        _space_call(lambda hub, s: hub.add_page(s.admin, s.id, "Late", ""), build=archived_space),
    ),
    Refusal(
        "archived: add material",
        RuleViolationError,
        _space_call(
            lambda hub, s: hub.add_material(
                s.admin, s.id, "Late", MaterialKind.LINK, "https://example.org"
            ),
            build=archived_space,
        ),
    ),
    Refusal(
        "archived: invite",
        RuleViolationError,
        _space_call(_invite(R.TEACHER, PersonKind.TEACHER), build=archived_space),
    ),
    Refusal(
        "archived: change role",
        RuleViolationError,
        _space_call(
            lambda hub, s: hub.change_role(
                s.admin, s.id, s.members[R.PUPIL], R.PUPIL_ADMINISTRATOR
            ),
            build=archived_space,
        ),
    ),
    Refusal(
        "archived: LMS sync",
        RuleViolationError,
        _space_call(
            lambda hub, s: hub.sync_member(s.id, newcomer(hub, PersonKind.PUPIL).id, R.PUPIL),
            build=archived_space,
        ),
    ),
    Refusal(
        "archived: open a thread",
        RuleViolationError,
        _space_call(
            lambda hub, s: hub.create_thread(s.admin, s.id, "Late", "Hi"), build=archived_space
        ),
    ),
    Refusal(
        "archived: Diary post",
        RuleViolationError,
        _space_call(
            lambda hub, s: hub.post_diary(s.admin, s.project.id, "Late", "Hi"), build=archived_space
        ),
    ),
    Refusal(
        "archived: add partner",
        RuleViolationError,
        _space_call(
            lambda hub, s: hub.add_partner(s.admin, s.project.id, newcomer(hub, country="PL").id),
            build=archived_space,
        ),
    ),
]


class ContentContract:
    """TwinSpace content, and an archived TwinSpace being read-only

    Mixed into ``HubContract``, which provides the ``hub`` fixture.
    """

    def test_visibility_defaults_and_what_outsiders_see(self, hub: HubPort) -> None:
        quiet = space(hub, pupils=False)
        assert hub.add_page(quiet.admin, quiet.id, "Plan", "...").visibility is Visibility.PUBLIC
        s = space(hub)
        default = hub.add_page(s.admin, s.id, "Our plan", "Week by week")
        assert default.visibility is Visibility.PRIVATE  # pupils are members
        public = hub.add_page(s.admin, s.id, "About us", "Hello", visibility=Visibility.PUBLIC)
        by_pupil = hub.add_page(s.members[R.PUPIL_ADMINISTRATOR], s.id, "Our town", "Photos soon")
        assert by_pupil.visibility is Visibility.PRIVATE
        ids = [p.id for p in hub.list_pages(s.id, viewer_id=s.members[R.GUEST])]
        assert ids == [default.id, public.id, by_pupil.id]
        assert [p.id for p in hub.list_pages(s.id)] == [public.id]
        assert [p.id for p in hub.list_pages(s.id, viewer_id=teacher(hub).id)] == [public.id]

        photo = hub.add_material(
            s.members[R.PUPIL], s.id, "Drawing", MaterialKind.PHOTO, "https://e.org/d.png"
        )
        link = hub.add_material(
            s.members[R.OBSERVER],
            s.id,
            "Site",
            MaterialKind.LINK,
            "https://e.org",
            visibility=Visibility.PUBLIC,
        )
        assert photo.visibility is Visibility.PRIVATE and photo.kind is MaterialKind.PHOTO
        assert [m.id for m in hub.list_materials(s.id, viewer_id=s.admin)] == [photo.id, link.id]
        assert [m.id for m in hub.list_materials(s.id)] == [link.id]

    def test_project_diary_newest_first_with_comments(self, hub: HubPort) -> None:
        s = space(hub)
        partner = teacher(hub, "PL")
        hub.add_partner(s.admin, s.project.id, partner.id)
        first = hub.post_diary(s.admin, s.project.id, "Week 1", "We met.")
        second = hub.post_diary(partner.id, s.project.id, "Week 2", "We wrote.")
        c1 = hub.comment_diary(s.members[R.PUPIL], first.id, "It was fun")
        c2 = hub.comment_diary(s.co_founder, first.id, "Agreed")
        diary = hub.list_diary(s.project.id)
        assert [p.id for p in diary] == [second.id, first.id]
        assert [c.id for c in diary[1].comments] == [c1.id, c2.id]
        assert diary[1].comments[0].body == "It was fun" and diary[0].author_id == partner.id

    def test_forum_threads_and_replies(self, hub: HubPort) -> None:
        s = space(hub)
        thread = hub.create_thread(s.members[R.PUPIL_ADMINISTRATOR], s.id, "Games", "Which one?")
        assert [p.body for p in thread.posts] == ["Which one?"]
        hub.reply_thread(s.members[R.PUPIL], thread.id, "Hide and seek")
        hub.reply_thread(s.members[R.OBSERVER], thread.id, "Tag")
        other = hub.create_thread(s.members[R.EXPERT], s.id, "Tips", "Try this")
        threads = hub.list_threads(s.id)
        assert [t.id for t in threads] == [thread.id, other.id]
        assert [p.body for p in threads[0].posts] == ["Which one?", "Hide and seek", "Tag"]

    def test_twinspace_snapshot_is_what_the_single_reads_show(self, hub: HubPort) -> None:
        s = space(hub)
        private = hub.add_page(s.admin, s.id, "Our plan", "Week by week")
        public = hub.add_page(s.admin, s.id, "About us", "Hello", visibility=Visibility.PUBLIC)
        photo = hub.add_material(
            s.members[R.PUPIL], s.id, "Drawing", MaterialKind.PHOTO, "https://e.org/d.png"
        )
        link = hub.add_material(
            s.admin, s.id, "Site", MaterialKind.LINK, "https://e.org", visibility=Visibility.PUBLIC
        )
        older = hub.post_diary(s.admin, s.project.id, "Week 1", "We met.")
        hub.post_diary(s.co_founder, s.project.id, "Week 2", "We wrote.")
        hub.comment_diary(s.members[R.PUPIL], older.id, "It was fun")
        hub.comment_diary(s.co_founder, older.id, "Agreed")
        games = hub.create_thread(s.members[R.PUPIL_ADMINISTRATOR], s.id, "Games", "Which one?")
        hub.reply_thread(s.members[R.PUPIL], games.id, "Tag")
        hub.create_thread(s.members[R.EXPERT], s.id, "Tips", "Try this")
        pupil = s.members[R.PUPIL]

        snap = hub.twinspace_snapshot(s.id, viewer_id=pupil)
        assert snap.twinspace == hub.get_twinspace(s.id) and snap.twinspace.has_pupils
        assert snap.project == hub.get_project(s.project.id)
        assert list(snap.role_counts) == hub.role_counts(s.id)  # counts, not the members
        assert snap.viewer == hub.get_member(s.id, pupil)
        # The authors of what is shown, and nobody else, by person id.
        authors = {s.admin, s.co_founder, pupil, s.members[R.PUPIL_ADMINISTRATOR]}
        authors.add(s.members[R.EXPERT])
        assert [m.person_id for m in snap.authors] == sorted(authors)
        assert list(snap.authors) == [hub.get_member(s.id, i) for i in sorted(authors)]
        assert list(snap.pages) == hub.list_pages(s.id, viewer_id=pupil)
        assert [p.id for p in snap.pages] == [private.id, public.id]
        assert list(snap.materials) == hub.list_materials(s.id, viewer_id=pupil)
        assert [m.id for m in snap.materials] == [photo.id, link.id]
        assert list(snap.diary) == hub.list_diary(s.project.id)
        assert [len(p.comments) for p in snap.diary] == [0, 2]
        assert list(snap.threads) == hub.list_threads(s.id)
        assert [len(t.posts) for t in snap.threads] == [2, 1]

        # A guest member, an outsider and nobody: public content only, no forum (the page's rule).
        for viewer in (s.members[R.GUEST], teacher(hub).id, None):
            outside = hub.twinspace_snapshot(s.id, viewer_id=viewer)
            assert [p.id for p in outside.pages] == [public.id]
            assert [m.id for m in outside.materials] == [link.id]
            assert outside.threads == ()
            assert list(outside.diary) == hub.list_diary(
                s.project.id
            )  # comments filtered by the page
            assert (outside.viewer is not None) == (viewer == s.members[R.GUEST])
        with pytest.raises(NotFoundError):
            hub.twinspace_snapshot(UNKNOWN_ID)

    def test_archived_twinspace_stays_readable(self, hub: HubPort) -> None:
        s = space(hub)
        page = hub.add_page(s.admin, s.id, "Result", "Done")
        hub.close_project(s.admin, s.project.id)
        assert [p.id for p in hub.list_pages(s.id, viewer_id=s.admin)] == [page.id]
        assert len(hub.list_members(s.id)) == len(s.members) + 2
