"""The hub contract: counts and pages of the lists that grow with the class (ADR 0016).

Member counts per role, a window of members, of an event's participants and of an edition's
trainees, one participant, one trainee, and a page's unit progress in one read: what the
embedded pages use so that their cost does not grow with the class.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from etwin_lti.domain.model import MemberStatus, PersonKind
from etwin_lti.domain.paging import RoleCount
from etwin_lti.domain.ports import HubPort
from etwin_lti.errors import InvalidInputError, NotFoundError
from tests.contract.hub_contract.builders import (
    UNKNOWN_ID,
    R,
    edition,
    person,
    running_event,
    space,
    teacher,
    trainee,
)

# Windows the hub refuses before reading anything (the API passes the query straight on).
BAD_WINDOWS = [(-1, 10), (0, 0), (0, -5), (0, 501), (10**12, 10)]

PAGED_READS: list[tuple[str, Callable[[HubPort, int, int, int], object]]] = [
    ("member_page", lambda hub, i, o, n: hub.member_page(i, offset=o, limit=n)),
    ("participant_page", lambda hub, i, o, n: hub.participant_page(i, offset=o, limit=n)),
    ("trainee_page", lambda hub, i, o, n: hub.trainee_page(i, offset=o, limit=n)),
]

PAGING_UNKNOWN: list[tuple[str, Callable[[HubPort], object]]] = [
    ("role_counts", lambda hub: hub.role_counts(UNKNOWN_ID)),
    ("member_page", lambda hub: hub.member_page(UNKNOWN_ID, offset=0, limit=10)),
    ("get_enrolment", lambda hub: hub.get_enrolment(UNKNOWN_ID, UNKNOWN_ID)),
    ("participant_page", lambda hub: hub.participant_page(UNKNOWN_ID, offset=0, limit=10)),
    ("is_trainee", lambda hub: hub.is_trainee(UNKNOWN_ID, UNKNOWN_ID)),
    ("trainee_page", lambda hub: hub.trainee_page(UNKNOWN_ID, offset=0, limit=10)),
    ("unit_progress_of", lambda hub: hub.unit_progress_of(UNKNOWN_ID, [1])),
]


class PagingContract:
    """Mixed into ``HubContract``, which provides the ``hub`` fixture."""

    def test_role_counts_are_the_member_list_counted(self, hub: HubPort) -> None:
        s = space(hub)
        hub.suspend_member(s.admin, s.id, s.members[R.TEACHER])
        counts = hub.role_counts(s.id)
        members = hub.list_members(s.id)
        expected = []
        for role in dict.fromkeys(m.role for m in members):  # the list's role order
            of_role = [m for m in members if m.role is role]
            active = sum(m.status is MemberStatus.ACTIVE for m in of_role)
            expected.append(RoleCount(role, active, len(of_role) - active))
        assert counts == expected
        assert counts[0] == RoleCount(R.TEACHER_ADMINISTRATOR, 3, 0)
        assert RoleCount(R.TEACHER, 0, 1) in counts

    def test_member_pages_cover_the_member_list_once_in_its_order(self, hub: HubPort) -> None:
        s = space(hub)
        for name in ("alice", "Bob", "carol"):
            kid = hub.create_person(name, PersonKind.PUPIL, country_code="FR")
            hub.add_member(s.admin, s.id, kid.id, R.PUPIL)
        everyone = hub.list_members(s.id)
        pages = [hub.member_page(s.id, offset=o, limit=4) for o in range(0, len(everyone), 4)]
        assert [m for p in pages for m in p.members] == everyone
        assert {(p.total, p.limit) for p in pages} == {(len(everyone), 4)}
        assert [p.offset for p in pages] == list(range(0, len(everyone), 4))
        past = hub.member_page(s.id, offset=len(everyone), limit=4)
        assert past.members == () and past.total == len(everyone)

    @pytest.mark.parametrize(("offset", "limit"), BAD_WINDOWS)
    @pytest.mark.parametrize("read", [r for _, r in PAGED_READS], ids=[n for n, _ in PAGED_READS])
    def test_bad_windows_are_refused(
        self,
        hub: HubPort,
        read: Callable[[HubPort, int, int, int], object],
        offset: int,
        limit: int,
    ) -> None:
        with pytest.raises(InvalidInputError):
            read(hub, 1, offset, limit)

    def test_one_participant_and_pages_of_participants(self, hub: HubPort) -> None:
        ev = running_event(hub, capacity=5)
        zoe = hub.create_person("zoe", PersonKind.TEACHER, country_code="ES")
        adam = hub.create_person("Adam", PersonKind.TEACHER, country_code="PL")
        mia = hub.create_person("Mia", PersonKind.TEACHER, country_code="FR")
        for t in (zoe, adam, mia):
            hub.enrol(ev.id, t.id)
        hub.complete_event(ev.expert_id, ev.id, mia.id)
        assert hub.get_enrolment(ev.id, zoe.id).completed_at is None
        assert hub.get_enrolment(ev.id, mia.id).completed_at is not None
        with pytest.raises(NotFoundError):
            hub.get_enrolment(ev.id, teacher(hub).id)
        first = hub.participant_page(ev.id, offset=0, limit=2)
        second = hub.participant_page(ev.id, offset=2, limit=2)
        assert [p.person_id for p in first.participants + second.participants] == [
            adam.id,
            mia.id,
            zoe.id,
        ]
        assert (first.total, first.completed) == (3, 1)
        assert first.participants[0].display_name == "Adam"
        assert first.participants[1].completed_at is not None
        assert hub.participant_page(ev.id, offset=3, limit=2).participants == ()

    def test_one_trainee_pages_of_trainees_and_their_progress(self, hub: HubPort) -> None:
        ed, units, _trainer = edition(hub)
        zoe = hub.create_person("zoe", PersonKind.TEACHER, country_code="ES")
        adam = hub.create_person("Adam", PersonKind.TEACHER, country_code="ES")
        for t in (zoe, adam):
            hub.enrol_trainee(ed.id, t.id)
        third = trainee(hub, ed.id)
        assert hub.is_trainee(ed.id, zoe.id) and not hub.is_trainee(ed.id, teacher(hub).id)
        assert not hub.is_trainee(ed.id, UNKNOWN_ID)
        listed = hub.list_trainees(ed.id)
        pages = [hub.trainee_page(ed.id, offset=o, limit=2) for o in (0, 2)]
        assert [p for page in pages for p in page.trainees] == listed
        assert {page.total for page in pages} == {3}
        unit = units[0]
        hub.mark_activity_done(adam.id, unit.activities[0].id)
        for activity in unit.activities:
            hub.mark_activity_done(third.id, activity.id)
        people = [zoe.id, adam.id, third.id, person(hub, PersonKind.TEACHER).id]
        progress = hub.unit_progress_of(unit.id, people)
        assert progress == [hub.unit_progress(p, unit.id) for p in people]
        assert [p.person_id for p in progress] == people
        assert progress[2].completed_at is not None and progress[0].done_activity_ids == ()
        for bad in ([], list(range(1, 502))):
            with pytest.raises(InvalidInputError):
                hub.unit_progress_of(unit.id, bad)
