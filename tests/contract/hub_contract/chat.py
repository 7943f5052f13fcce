"""The hub contract: the TwinSpace chat (members only, moderation, revisions for polling)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from etwin_lti.domain.chat import MESSAGE_MAX
from etwin_lti.domain.model import PersonKind
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
    newcomer,
    space,
)


def _space_with_message(hub: HubPort) -> Space:
    s = space(hub)
    s.message = hub.post_chat_message(s.members[R.PUPIL], s.id, "Hello!")  # type: ignore[attr-defined]
    return s


def _archived_with_message(hub: HubPort) -> Space:
    s = _space_with_message(hub)
    hub.close_project(s.admin, s.project.id)
    return s


def _chat_call(
    act: Callable[..., Any],
    *,
    build: Callable[[HubPort], Space] = _space_with_message,
    before: Callable[[HubPort, Space], Any] | None = None,
) -> Callable[[HubPort], Any]:
    """Like ``_space_call``, observed through the chat as the founder reads it; the chat holds
    one message by the pupil. ``before`` runs first (its result is ``act``'s third argument)."""

    def arrange(hub: HubPort) -> Any:
        s = build(hub)
        ctx = before(hub, s) if before is not None else None
        call = (lambda: act(hub, s, ctx)) if before is not None else (lambda: act(hub, s))
        return call, (
            lambda: (
                hub.recent_chat(s.admin, s.id),
                hub.chat_changes(s.admin, s.id),
                hub.list_members(s.id),
            )
        )

    return arrange


def _msg(s: Space) -> int:
    return int(s.message.id)  # type: ignore[attr-defined]


def _other_space(hub: HubPort, _s: Space) -> Space:
    return _space_with_message(hub)


CHAT_REFUSALS: list[Refusal] = [
    Refusal(
        "chat: empty message",
        InvalidInputError,
        _chat_call(lambda hub, s: hub.post_chat_message(s.admin, s.id, "  \n ")),
        field="body",
    ),
    Refusal(
        "chat: message too long",
        InvalidInputError,
        _chat_call(lambda hub, s: hub.post_chat_message(s.admin, s.id, "x" * (MESSAGE_MAX + 1))),
        field="body",
    ),
    Refusal(
        "chat: control characters",
        InvalidInputError,
        _chat_call(lambda hub, s: hub.post_chat_message(s.admin, s.id, "bell\x07")),
        field="body",
    ),
    Refusal(
        "chat: guest posts",
        PermissionDeniedError,
        _chat_call(lambda hub, s: hub.post_chat_message(s.members[R.GUEST], s.id, "Hi")),
    ),
    Refusal(
        "chat: outsider posts",
        PermissionDeniedError,
        _chat_call(lambda hub, s: hub.post_chat_message(newcomer(hub).id, s.id, "Hi")),
    ),
    Refusal(
        "chat: suspended pupil posts",
        PermissionDeniedError,
        _chat_call(
            lambda hub, s, _: hub.post_chat_message(s.members[R.PUPIL], s.id, "Still here"),
            before=lambda hub, s: hub.suspend_member(s.admin, s.id, s.members[R.PUPIL]),
        ),
    ),
    Refusal(
        "chat: another TwinSpace's administrator posts",
        PermissionDeniedError,
        _chat_call(
            lambda hub, s, other: hub.post_chat_message(other.admin, s.id, "Hi"),
            before=_other_space,
        ),
    ),
    Refusal(
        "chat: pupil hides a message",
        PermissionDeniedError,
        _chat_call(
            lambda hub, s: hub.hide_chat_message(s.members[R.PUPIL_ADMINISTRATOR], s.id, _msg(s))
        ),
    ),
    Refusal(
        "chat: teacher (not administrator) hides a message",
        PermissionDeniedError,
        _chat_call(lambda hub, s: hub.hide_chat_message(s.members[R.TEACHER], s.id, _msg(s))),
    ),
    Refusal(
        "chat: pupil deletes another's message",
        PermissionDeniedError,
        _chat_call(
            lambda hub, s: hub.delete_chat_message(s.members[R.PUPIL_ADMINISTRATOR], s.id, _msg(s))
        ),
    ),
    Refusal(
        "chat: teacher deletes a pupil's message",
        PermissionDeniedError,
        _chat_call(lambda hub, s: hub.delete_chat_message(s.members[R.TEACHER], s.id, _msg(s))),
    ),
    Refusal(
        "chat: another TwinSpace's administrator hides a message",
        PermissionDeniedError,
        _chat_call(
            lambda hub, s, other: hub.hide_chat_message(other.admin, s.id, _msg(s)),
            before=_other_space,
        ),
    ),
    Refusal(
        "chat: a message of another TwinSpace through this one",
        NotFoundError,
        _chat_call(
            lambda hub, s, other: hub.delete_chat_message(s.admin, s.id, _msg(other)),
            before=_other_space,
        ),
    ),
    Refusal(
        "chat: suspended author deletes their message",
        PermissionDeniedError,
        _chat_call(
            lambda hub, s, _: hub.delete_chat_message(s.members[R.PUPIL], s.id, _msg(s)),
            before=lambda hub, s: hub.suspend_member(s.admin, s.id, s.members[R.PUPIL]),
        ),
    ),
    Refusal(
        "archived: chat post",
        RuleViolationError,
        _chat_call(
            lambda hub, s: hub.post_chat_message(s.admin, s.id, "Late"),
            build=_archived_with_message,
        ),
    ),
    Refusal(
        "archived: chat hide",
        RuleViolationError,
        _chat_call(
            lambda hub, s: hub.hide_chat_message(s.admin, s.id, _msg(s)),
            build=_archived_with_message,
        ),
    ),
    Refusal(
        "archived: chat delete by its author",
        RuleViolationError,
        _chat_call(
            lambda hub, s: hub.delete_chat_message(s.members[R.PUPIL], s.id, _msg(s)),
            build=_archived_with_message,
        ),
    ),
]

CHAT_UNKNOWN: list[tuple[str, Callable[[HubPort], object]]] = [
    ("post_chat_message", lambda hub: hub.post_chat_message(UNKNOWN_ID, UNKNOWN_ID, "Hi")),
    ("recent_chat", lambda hub: hub.recent_chat(UNKNOWN_ID, UNKNOWN_ID)),
    ("chat_changes", lambda hub: hub.chat_changes(UNKNOWN_ID, UNKNOWN_ID)),
    ("delete_chat_message", lambda hub: hub.delete_chat_message(UNKNOWN_ID, UNKNOWN_ID, 1)),
    ("hide_chat_message", lambda hub: hub.hide_chat_message(UNKNOWN_ID, UNKNOWN_ID, 1)),
]


class ChatContract:
    """The TwinSpace chat. Mixed into ``HubContract``, which provides the ``hub`` fixture."""

    def test_messages_come_in_revision_order_with_a_cursor(self, hub: HubPort) -> None:
        s = space(hub)
        pupil, admin = s.members[R.PUPIL], s.admin
        empty = hub.chat_changes(pupil, s.id)
        assert empty.messages == () and empty.cursor == 0 and not empty.more
        first = hub.post_chat_message(pupil, s.id, "  <b>Hello</b> & welcome\n")
        assert first.body == "<b>Hello</b> & welcome"  # kept as text, trimmed
        second = hub.post_chat_message(admin, s.id, "Hi all")
        third = hub.post_chat_message(s.members[R.OBSERVER], s.id, "Bonjour")
        assert first.revision < second.revision < third.revision
        page = hub.chat_changes(s.members[R.GUEST], s.id, after=0, limit=2)
        assert [m.id for m in page.messages] == [first.id, second.id] and page.more
        rest = hub.chat_changes(pupil, s.id, after=page.cursor)
        assert [m.id for m in rest.messages] == [third.id] and not rest.more
        assert rest.cursor == third.revision
        assert hub.chat_changes(pupil, s.id, after=rest.cursor).messages == ()
        recent = hub.recent_chat(pupil, s.id, limit=2)
        assert [m.id for m in recent.messages] == [second.id, third.id]
        assert recent.cursor == third.revision
        assert {m.author_id for m in hub.recent_chat(pupil, s.id).messages} == {
            pupil,
            admin,
            s.members[R.OBSERVER],
        }

    def test_a_cursor_past_the_room_is_brought_back(self, hub: HubPort) -> None:
        s = space(hub)
        message = hub.post_chat_message(s.admin, s.id, "One")
        far = hub.chat_changes(s.admin, s.id, after=10**11)
        assert far.messages == () and far.cursor == message.revision

    def test_each_room_is_its_own(self, hub: HubPort) -> None:
        s, other = space(hub), space(hub)
        hub.post_chat_message(s.admin, s.id, "Here")
        assert hub.chat_changes(other.admin, other.id).messages == ()
        with pytest.raises(PermissionDeniedError):
            hub.chat_changes(other.admin, s.id)
        with pytest.raises(PermissionDeniedError):
            hub.recent_chat(other.members[R.PUPIL], s.id)

    def test_only_active_members_read(self, hub: HubPort) -> None:
        s = space(hub)
        hub.post_chat_message(s.admin, s.id, "Members only")
        outsider = hub.create_person("Passer-by", PersonKind.TEACHER, country_code="FR")
        for reader in (outsider.id,):
            with pytest.raises(PermissionDeniedError):
                hub.chat_changes(reader, s.id)
            with pytest.raises(PermissionDeniedError):
                hub.recent_chat(reader, s.id)
        hub.suspend_member(s.admin, s.id, s.members[R.PUPIL])
        with pytest.raises(PermissionDeniedError):
            hub.chat_changes(s.members[R.PUPIL], s.id)
        hub.reactivate_member(s.admin, s.id, s.members[R.PUPIL])
        assert len(hub.chat_changes(s.members[R.PUPIL], s.id).messages) == 1

    def test_bad_cursor_and_limit(self, hub: HubPort) -> None:
        s = space(hub)
        with pytest.raises(InvalidInputError) as caught:
            hub.chat_changes(s.admin, s.id, after=-1)
        assert "after" in caught.value.errors
        with pytest.raises(InvalidInputError) as caught:
            hub.chat_changes(s.admin, s.id, limit=0)
        assert "limit" in caught.value.errors
        with pytest.raises(InvalidInputError):
            hub.recent_chat(s.admin, s.id, limit=1000)

    def test_authors_delete_their_own_and_pages_learn_of_it(self, hub: HubPort) -> None:
        s = space(hub)
        pupil = s.members[R.PUPIL]
        mine = hub.post_chat_message(pupil, s.id, "Oops, wrong room")
        seen = hub.chat_changes(s.admin, s.id).cursor
        gone = hub.delete_chat_message(pupil, s.id, mine.id)
        assert gone.deleted and gone.body == "" and gone.revision > mine.revision
        change = hub.chat_changes(s.admin, s.id, after=seen)
        assert [(m.id, m.deleted, m.body) for m in change.messages] == [(mine.id, True, "")]
        assert hub.recent_chat(s.admin, s.id).messages == ()
        with pytest.raises(NotFoundError):
            hub.delete_chat_message(pupil, s.id, mine.id)

    def test_teacher_administrators_hide_show_and_delete_anyones(self, hub: HubPort) -> None:
        s = space(hub)
        pupil, admin = s.members[R.PUPIL], s.admin
        rude = hub.post_chat_message(pupil, s.id, "Something rude")
        seen = hub.chat_changes(pupil, s.id).cursor
        hidden = hub.hide_chat_message(admin, s.id, rude.id)
        assert hidden.hidden and hidden.body == "Something rude"  # kept for the teachers
        assert hub.hide_chat_message(admin, s.id, rude.id).revision == hidden.revision
        for_pupil = hub.chat_changes(pupil, s.id, after=seen).messages
        assert [(m.id, m.hidden, m.body) for m in for_pupil] == [(rude.id, True, "")]
        assert hub.recent_chat(pupil, s.id).messages == ()
        assert [m.body for m in hub.recent_chat(admin, s.id).messages] == ["Something rude"]
        assert hub.chat_changes(admin, s.id, after=seen).messages[0].body == "Something rude"
        shown = hub.hide_chat_message(s.co_founder, s.id, rude.id, hidden=False)
        assert not shown.hidden and shown.revision > hidden.revision
        assert [m.body for m in hub.recent_chat(pupil, s.id).messages] == ["Something rude"]
        by_teacher = hub.post_chat_message(s.members[R.TEACHER], s.id, "Off topic")
        assert hub.delete_chat_message(admin, s.id, by_teacher.id).deleted
        assert [m.id for m in hub.recent_chat(pupil, s.id).messages] == [rude.id]

    def test_archived_chat_stays_readable(self, hub: HubPort) -> None:
        s = space(hub)
        hub.post_chat_message(s.members[R.PUPIL], s.id, "Last day!")
        hub.close_project(s.admin, s.project.id)
        assert [m.body for m in hub.recent_chat(s.members[R.PUPIL], s.id).messages] == ["Last day!"]
