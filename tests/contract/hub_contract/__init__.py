"""The contract every ``HubPort`` implementation passes (local hub, HTTP connector).

One module per area of the hub, as the ports and adapters are split; ``HubContract`` mixes them
and adds the tables every area shares (refusals write nothing, unknown ids are 404).

Subclass ``HubContract`` and provide a ``hub`` fixture. The suite talks to the hub through the
port only: people, projects and everything else are created with port calls, and "nothing was
written" is checked by re-reading through the port. A subclass that can see its storage may
override ``stored_state`` to also compare a full dump before and after each refused call.

Dates are relative to today with margins of days, so the suite runs against a hub that uses the
real clock (a second running instance) as well as one with an injected clock. The suite never
assumes an empty hub: it only looks at what it created itself.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from etwin_lti.domain.model import MaterialKind, PrizeCategory
from etwin_lti.domain.ports import HubPort
from etwin_lti.errors import InvalidInputError, NotFoundError
from tests.contract.hub_contract.builders import (
    PASSING,
    SCORES,
    UNKNOWN_ID,
    R,
    Refusal,
    prepare_newcomers,
    running_event,
    space,
    teacher,
)
from tests.contract.hub_contract.chat import CHAT_REFUSALS, CHAT_UNKNOWN, ChatContract
from tests.contract.hub_contract.content import CONTENT_REFUSALS, ContentContract
from tests.contract.hub_contract.course import COURSE_REFUSALS, CourseContract
from tests.contract.hub_contract.events import EVENTS_REFUSALS, EventsContract
from tests.contract.hub_contract.moderation import (
    MODERATION_REFUSALS,
    MODERATION_UNKNOWN,
    ModerationContract,
)
from tests.contract.hub_contract.paging import PAGING_UNKNOWN, PagingContract
from tests.contract.hub_contract.partner_invitations import (
    PARTNER_INVITATION_REFUSALS,
    PARTNER_INVITATION_UNKNOWN,
    PartnerInvitationsContract,
)
from tests.contract.hub_contract.people import PEOPLE_REFUSALS, PeopleContract
from tests.contract.hub_contract.project_life import PROJECT_LIFE_REFUSALS, ProjectLifeContract
from tests.contract.hub_contract.projects import PROJECTS_REFUSALS, ProjectsContract
from tests.contract.hub_contract.public import PublicContract
from tests.contract.hub_contract.recognition import RECOGNITION_REFUSALS, RecognitionContract
from tests.contract.hub_contract.twinspaces import TWINSPACES_REFUSALS, TwinSpacesContract

REFUSALS: list[Refusal] = [
    *PEOPLE_REFUSALS,
    *PROJECTS_REFUSALS,
    *TWINSPACES_REFUSALS,
    *CONTENT_REFUSALS,
    *MODERATION_REFUSALS,
    *EVENTS_REFUSALS,
    *COURSE_REFUSALS,
    *RECOGNITION_REFUSALS,
    *PROJECT_LIFE_REFUSALS,
    *CHAT_REFUSALS,
    *PARTNER_INVITATION_REFUSALS,
]

# Every lookup by id, with an id the hub never assigned.
UNKNOWN: list[tuple[str, Callable[[HubPort], object]]] = [
    ("get_person", lambda hub: hub.get_person(UNKNOWN_ID)),
    ("rename_person", lambda hub: hub.rename_person(UNKNOWN_ID, UNKNOWN_ID, "X")),
    ("set_person_country", lambda hub: hub.set_person_country(UNKNOWN_ID, UNKNOWN_ID, "FR")),
    ("get_project", lambda hub: hub.get_project(UNKNOWN_ID)),
    ("validate_project", lambda hub: hub.validate_project("FR", UNKNOWN_ID)),
    ("add_partner", lambda hub: hub.add_partner(UNKNOWN_ID, UNKNOWN_ID, UNKNOWN_ID)),
    ("close_project", lambda hub: hub.close_project(UNKNOWN_ID, UNKNOWN_ID)),
    (
        "update_project_profile",
        lambda hub: hub.update_project_profile(
            UNKNOWN_ID, UNKNOWN_ID, description="", subjects=[], languages=[], levels=[]
        ),
    ),
    ("extend_project", lambda hub: hub.extend_project(UNKNOWN_ID, UNKNOWN_ID, date(2100, 1, 1))),
    ("get_twinspace", lambda hub: hub.get_twinspace(UNKNOWN_ID)),
    ("list_members", lambda hub: hub.list_members(UNKNOWN_ID)),
    ("get_member", lambda hub: hub.get_member(UNKNOWN_ID, UNKNOWN_ID)),
    ("add_member", lambda hub: hub.add_member(UNKNOWN_ID, UNKNOWN_ID, UNKNOWN_ID, R.TEACHER)),
    ("change_role", lambda hub: hub.change_role(UNKNOWN_ID, UNKNOWN_ID, UNKNOWN_ID, R.TEACHER)),
    ("suspend_member", lambda hub: hub.suspend_member(UNKNOWN_ID, UNKNOWN_ID, UNKNOWN_ID)),
    ("reactivate_member", lambda hub: hub.reactivate_member(UNKNOWN_ID, UNKNOWN_ID, UNKNOWN_ID)),
    ("sync_member", lambda hub: hub.sync_member(UNKNOWN_ID, UNKNOWN_ID, R.PUPIL)),
    ("add_page", lambda hub: hub.add_page(UNKNOWN_ID, UNKNOWN_ID, "T", "B")),
    ("list_pages", lambda hub: hub.list_pages(UNKNOWN_ID)),
    (
        "add_material",
        lambda hub: hub.add_material(
            UNKNOWN_ID, UNKNOWN_ID, "T", MaterialKind.LINK, "https://e.org"
        ),
    ),
    ("list_materials", lambda hub: hub.list_materials(UNKNOWN_ID)),
    ("post_diary", lambda hub: hub.post_diary(UNKNOWN_ID, UNKNOWN_ID, "T", "B")),
    ("comment_diary", lambda hub: hub.comment_diary(UNKNOWN_ID, UNKNOWN_ID, "B")),
    ("list_diary", lambda hub: hub.list_diary(UNKNOWN_ID)),
    ("create_thread", lambda hub: hub.create_thread(UNKNOWN_ID, UNKNOWN_ID, "T", "B")),
    ("reply_thread", lambda hub: hub.reply_thread(UNKNOWN_ID, UNKNOWN_ID, "B")),
    ("list_threads", lambda hub: hub.list_threads(UNKNOWN_ID)),
    ("get_event", lambda hub: hub.get_event(UNKNOWN_ID)),
    ("enrol", lambda hub: hub.enrol(UNKNOWN_ID, UNKNOWN_ID)),
    ("list_enrolments", lambda hub: hub.list_enrolments(UNKNOWN_ID)),
    ("complete_event", lambda hub: hub.complete_event(UNKNOWN_ID, UNKNOWN_ID, UNKNOWN_ID)),
    ("get_edition", lambda hub: hub.get_edition(UNKNOWN_ID)),
    ("add_unit", lambda hub: hub.add_unit(UNKNOWN_ID, "T", "")),
    ("get_unit", lambda hub: hub.get_unit(UNKNOWN_ID)),
    ("list_units", lambda hub: hub.list_units(edition_id=UNKNOWN_ID)),
    ("enrol_trainee", lambda hub: hub.enrol_trainee(UNKNOWN_ID, UNKNOWN_ID)),
    ("mark_activity_done", lambda hub: hub.mark_activity_done(UNKNOWN_ID, UNKNOWN_ID)),
    ("unit_progress", lambda hub: hub.unit_progress(UNKNOWN_ID, UNKNOWN_ID)),
    ("complete_course", lambda hub: hub.complete_course(None, UNKNOWN_ID, UNKNOWN_ID)),
    ("apply_nql", lambda hub: hub.apply_nql(UNKNOWN_ID, UNKNOWN_ID)),
    ("decide_nql", lambda hub: hub.decide_nql("FR", UNKNOWN_ID, SCORES, PASSING)),
    ("award_eql", lambda hub: hub.award_eql(UNKNOWN_ID)),
    ("withdraw_eql", lambda hub: hub.withdraw_eql(UNKNOWN_ID, "Why")),
    ("prize_eligibility", lambda hub: hub.prize_eligibility(UNKNOWN_ID, PrizeCategory.AGE_7_11)),
    ("get_acknowledgement", lambda hub: hub.get_acknowledgement(UNKNOWN_ID)),
    ("revoke_acknowledgement", lambda hub: hub.revoke_acknowledgement(UNKNOWN_ID, "Why")),
    *MODERATION_UNKNOWN,
    *CHAT_UNKNOWN,
    *PARTNER_INVITATION_UNKNOWN,
    ("public_project", lambda hub: hub.public_project(UNKNOWN_ID)),
    *PAGING_UNKNOWN,
]


class HubContract(
    PeopleContract,
    ProjectsContract,
    TwinSpacesContract,
    ContentContract,
    ModerationContract,
    EventsContract,
    CourseContract,
    RecognitionContract,
    ProjectLifeContract,
    PartnerInvitationsContract,
    ChatContract,
    PublicContract,
    PagingContract,
):
    """Subclasses provide a ``hub`` fixture (a ``HubPort`` with the country list loaded)."""

    def stored_state(self, hub: HubPort) -> object | None:
        """A full dump of the hub's storage, or None when the implementation cannot see it."""
        return None

    # --- refusals write nothing ----------------------------------------------------------------

    @pytest.mark.parametrize("case", REFUSALS, ids=lambda case: case.name)
    def test_refused_call_writes_nothing(self, hub: HubPort, case: Refusal) -> None:
        act, observe = case.arrange(hub)
        prepare_newcomers(hub)
        seen, stored = observe(), self.stored_state(hub)
        with pytest.raises(case.error) as caught:
            act()
        if case.field is not None:
            assert isinstance(caught.value, InvalidInputError)
            assert case.field in caught.value.errors, caught.value.errors
            assert all(caught.value.errors[case.field])
        assert observe() == seen
        assert self.stored_state(hub) == stored

    @pytest.mark.parametrize("call", [c for _, c in UNKNOWN], ids=[n for n, _ in UNKNOWN])
    def test_unknown_ids_are_not_found(
        self, hub: HubPort, call: Callable[[HubPort], object]
    ) -> None:
        stored = self.stored_state(hub)
        with pytest.raises(NotFoundError):
            call(hub)
        assert self.stored_state(hub) == stored


__all__ = ["HubContract", "running_event", "space", "teacher"]
