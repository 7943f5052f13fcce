"""The hub contract: the project's life run by its founders (issue 12 item 5) — the plan
(description, subjects, working languages, levels), extending and closing, the eTwinning label
of partners who join after the approval, the NQL application's evidence, and the permits of the
``visitor_permits`` use case (composed from port calls, so it is checked on every hub too)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from etwin_lti.domain.model import (
    AcknowledgementKind,
    EducationalLevel,
    MaterialKind,
    MemberStatus,
    PersonKind,
    ProjectStatus,
    RoleSource,
    Visibility,
)
from etwin_lti.domain.ports import HubPort
from etwin_lti.domain.projects import NotAProjectFounderError, ProjectClosedError
from etwin_lti.errors import InvalidInputError, PermissionDeniedError
from etwin_lti.services.visitor_permits import (
    NotAnExpertError,
    NotAVisitorError,
    grant_expert_permit,
    grant_visitor_permit,
    withdraw_expert_permit,
)
from tests.contract.hub_contract.builders import (
    R,
    Refusal,
    _project_call,
    _space_call,
    approved_project,
    person,
    space,
    teacher,
)

L = EducationalLevel
PLAN: dict[str, Any] = {
    "description": "Rivers of Europe",
    "subjects": ["Geography"],
    "languages": ["en"],
    "levels": [L.PRIMARY],
}


def _profile(actor: Any, **changes: Any) -> Any:
    """``actor(hub, project)`` edits the plan with ``changes`` over a valid one."""
    return lambda hub, p: hub.update_project_profile(actor(hub, p), p.id, **{**PLAN, **changes})


def _founder(_hub: HubPort, p: Any) -> int:
    return int(p.founder_ids[0])


def utc_today() -> date:
    """The hub's today (its clock is UTC): the end-date rules are relative to it."""
    return datetime.now(UTC).date()


def _extend(actor: Any, days: int) -> Any:
    return lambda hub, p: hub.extend_project(
        actor(hub, p), p.id, utc_today() + timedelta(days=days)
    )


def _closed(hub: HubPort) -> Any:
    project = approved_project(hub)
    return hub.close_project(project.founder_ids[0], project.id)


def _extended(hub: HubPort) -> Any:
    project = approved_project(hub)
    return hub.extend_project(project.founder_ids[0], project.id, utc_today() + timedelta(days=90))


# People a refused call names are made by the builder, before the "before" snapshot (making
# them inside the call would look like a write of the refused call).
_prepared: dict[tuple[int, int, str], int] = {}


def _with_people(hub: HubPort) -> Any:
    """An approved project with a partner who joined after the approval, and the founder of
    another project."""
    project = approved_project(hub)
    joined = teacher(hub, "PL")
    project = hub.add_partner(project.founder_ids[0], project.id, joined.id)
    _prepared[(id(hub), project.id, "partner")] = joined.id
    _prepared[(id(hub), project.id, "other")] = approved_project(hub).founder_ids[0]
    return project


def _partner_of_prepared(hub: HubPort, p: Any) -> int:
    return _prepared[(id(hub), p.id, "partner")]


def _other_founder_prepared(hub: HubPort, p: Any) -> int:
    return _prepared[(id(hub), p.id, "other")]


PROJECT_LIFE_REFUSALS: list[Refusal] = [
    Refusal(
        "a partner (not a founder) edits the plan",
        NotAProjectFounderError,
        _project_call(
            _with_people,
            lambda hub, p: hub.update_project_profile(_partner_of_prepared(hub, p), p.id, **PLAN),
        ),
    ),
    Refusal(
        "a teacher administrator who is no founder edits the plan",
        NotAProjectFounderError,
        _space_call(
            lambda hub, s: hub.update_project_profile(
                s.members[R.TEACHER_ADMINISTRATOR], s.project.id, **PLAN
            )
        ),
    ),
    Refusal(
        "a founder of another project edits the plan",
        NotAProjectFounderError,
        _project_call(_with_people, _profile(_other_founder_prepared)),
    ),
    Refusal(
        "a pupil edits the plan",
        PermissionDeniedError,
        _space_call(
            lambda hub, s: hub.update_project_profile(s.members[R.PUPIL], s.project.id, **PLAN)
        ),
    ),
    Refusal(
        "unknown language code",
        InvalidInputError,
        _project_call(approved_project, _profile(_founder, languages=["en", "xx"])),
        "languages",
    ),
    Refusal(
        "a three-letter language code",
        InvalidInputError,
        _project_call(approved_project, _profile(_founder, languages=["eng"])),
        "languages",
    ),
    Refusal(
        "languages as one string",
        InvalidInputError,
        _project_call(approved_project, _profile(_founder, languages="en")),
        "languages",
    ),
    Refusal(
        "unknown level",
        InvalidInputError,
        _project_call(approved_project, _profile(_founder, levels=["university"])),
        "levels",
    ),
    Refusal(
        "huge description",
        InvalidInputError,
        _project_call(approved_project, _profile(_founder, description="d" * 5_001)),
        "description",
    ),
    Refusal(
        "too many subjects",
        InvalidInputError,
        _project_call(approved_project, _profile(_founder, subjects=[f"S{i}" for i in range(11)])),
        "subjects",
    ),
    Refusal(
        "a subject with a control character",
        InvalidInputError,
        _project_call(approved_project, _profile(_founder, subjects=["\x1b[31mArt"])),
        "subjects",
    ),
    Refusal(
        "an overlong subject",
        InvalidInputError,
        _project_call(approved_project, _profile(_founder, subjects=["s" * 61])),
        "subjects",
    ),
    Refusal(
        "editing a closed project",
        ProjectClosedError,
        _project_call(_closed, _profile(_founder)),
    ),
    Refusal(
        "an end date in the past",
        InvalidInputError,
        _project_call(approved_project, _extend(_founder, -1)),
        "ends_on",
    ),
    Refusal(
        "an end date of today",
        InvalidInputError,
        _project_call(approved_project, _extend(_founder, 0)),
        "ends_on",
    ),
    Refusal(
        "an end date before the current one",
        InvalidInputError,
        _project_call(_extended, _extend(_founder, 60)),
        "ends_on",
    ),
    Refusal(
        "an end date six years ahead",
        InvalidInputError,
        _project_call(approved_project, _extend(_founder, 6 * 366)),
        "ends_on",
    ),
    Refusal(
        "a partner extends",
        NotAProjectFounderError,
        _project_call(
            _with_people,
            lambda hub, p: hub.extend_project(
                _partner_of_prepared(hub, p), p.id, utc_today() + timedelta(days=30)
            ),
        ),
    ),
    Refusal(
        "extending a closed project",
        ProjectClosedError,
        _project_call(_closed, _extend(_founder, 30)),
    ),
    Refusal(
        "a founder of another project closes",
        NotAProjectFounderError,
        _project_call(
            _with_people,
            lambda hub, p: hub.close_project(_other_founder_prepared(hub, p), p.id),
        ),
    ),
    Refusal(
        "a visitor permit for a pupil",
        NotAVisitorError,
        _space_call(
            lambda hub, s, pupil: grant_visitor_permit(hub, s.admin, s.id, pupil),
            build=lambda hub: space(hub, pupils=False),
            before=lambda hub, s: person(hub, PersonKind.PUPIL).id,
        ),
    ),
    Refusal(
        "an expert permit for a pupil",
        NotAnExpertError,
        _space_call(
            lambda hub, s, pupil: grant_expert_permit(hub, s.admin, s.id, pupil),
            before=lambda hub, s: person(hub, PersonKind.PUPIL).id,
        ),
    ),
    Refusal(
        "an expert permit for a visitor",
        NotAnExpertError,
        _space_call(
            lambda hub, s, guest: grant_expert_permit(hub, s.admin, s.id, guest),
            before=lambda hub, s: person(hub, PersonKind.GUEST, None).id,
        ),
    ),
    Refusal(
        "a plain teacher grants an expert permit",
        PermissionDeniedError,
        _space_call(
            lambda hub, s, expert: grant_expert_permit(hub, s.members[R.TEACHER], s.id, expert),
            before=lambda hub, s: person(hub, PersonKind.EXPERT, "DE").id,
        ),
    ),
]


class ProjectLifeContract:
    """The project's life. Mixed into ``HubContract``, which provides the ``hub`` fixture."""

    def test_founder_and_co_founder_edit_the_plan(self, hub: HubPort) -> None:
        project = approved_project(hub)
        founder, co_founder = project.founder_ids
        assert (project.subjects, project.languages, project.levels) == ((), (), ())
        edited = hub.update_project_profile(
            founder,
            project.id,
            description="  Rivers of Europe  ",
            subjects=["Geography", " geography ", "Natural   sciences"],
            languages=["EN", "fr", " pl", "fr"],
            levels=[L.LOWER_SECONDARY, L.PRIMARY],
        )
        assert edited.description == "Rivers of Europe"
        assert edited.subjects == ("Geography", "Natural sciences")  # first spelling kept
        assert edited.languages == ("en", "fr", "pl")
        assert edited.levels == (L.PRIMARY, L.LOWER_SECONDARY)  # youngest first
        assert hub.get_project(project.id) == edited
        cleared = hub.update_project_profile(
            co_founder, project.id, description="", subjects=[], languages=[], levels=[]
        )
        assert (cleared.description, cleared.subjects, cleared.levels) == ("", (), ())
        assert cleared.title == project.title and cleared.status is ProjectStatus.APPROVED

    def test_a_pending_project_plan_can_be_edited(self, hub: HubPort) -> None:
        a, b = teacher(hub, "FR"), teacher(hub, "IT")
        project = hub.create_project(a.id, b.id, "Birds")
        edited = hub.update_project_profile(b.id, project.id, **PLAN)
        assert edited.status is ProjectStatus.PENDING and edited.languages == ("en",)

    def test_extend_after_today_then_after_the_current_end(self, hub: HubPort) -> None:
        project = approved_project(hub)
        founder, co_founder = project.founder_ids
        first = utc_today() + timedelta(days=30)
        assert hub.extend_project(founder, project.id, first).ends_on == first
        later = first + timedelta(days=1)
        extended = hub.extend_project(co_founder, project.id, later)
        assert extended.ends_on == later and hub.get_project(project.id).ends_on == later

    def test_co_founder_closes_and_everything_is_read_only(self, hub: HubPort) -> None:
        project = approved_project(hub)
        closed = hub.close_project(project.founder_ids[1], project.id)
        assert closed.status is ProjectStatus.CLOSED
        with pytest.raises(ProjectClosedError):
            hub.update_project_profile(project.founder_ids[0], project.id, **PLAN)

    def test_partners_joining_after_approval_get_the_etwinning_label(self, hub: HubPort) -> None:
        project = approved_project(hub)
        subject = f"project:{project.id}"
        partners = [teacher(hub, "PL"), teacher(hub, "GE")]
        for p in partners:
            hub.add_partner(project.founder_ids[0], project.id, p.id)
        labels = [
            a
            for a in hub.list_acknowledgements(subject=subject)
            if a.kind is AcknowledgementKind.ETWINNING_LABEL
        ]
        holders = sorted(a.person_id for a in labels)
        assert holders == sorted([*project.founder_ids, *(p.id for p in partners)])
        mine = hub.list_acknowledgements(person_id=partners[0].id)
        assert [(a.kind, a.subject) for a in mine] == [
            (AcknowledgementKind.ETWINNING_LABEL, subject)
        ]
        assert mine[0].title == f"eTwinning label: {project.title}"

    def test_nql_application_carries_the_twinspace_evidence(self, hub: HubPort) -> None:
        s = space(hub)
        founder = s.admin
        hub.update_project_profile(founder, s.project.id, **PLAN)
        ends = utc_today() + timedelta(days=40)
        hub.extend_project(founder, s.project.id, ends)
        hub.add_partner(founder, s.project.id, teacher(hub, "PL").id)
        hub.add_page(founder, s.id, "Plan", "Our plan", visibility=Visibility.PUBLIC)
        hub.add_page(founder, s.id, "Class notes", "", visibility=Visibility.PRIVATE)
        hub.add_material(founder, s.id, "Map", MaterialKind.LINK, "https://example.org/map")
        post = hub.post_diary(founder, s.project.id, "Week 1", "We met.")
        hub.comment_diary(s.members[R.PUPIL], post.id, "Fun!")
        application = hub.apply_nql(founder, s.project.id)
        evidence = application.evidence
        assert evidence["pages"] == "2" and evidence["public_pages"] == "1"
        assert evidence["materials"] == "1"
        assert (evidence["diary_posts"], evidence["diary_comments"]) == ("1", "1")
        assert evidence["partners"] == "3" and evidence["countries"] == "FR,IT,PL"
        assert evidence["country_count"] == "3" and evidence["pupils"] == "2"
        assert evidence["ends_on"] == ends.isoformat()
        assert evidence["languages"] == "en" and evidence["levels"] == "primary"
        assert "approved_on" in evidence and "created_on" in evidence
        [listed] = hub.list_nql_applications(project_id=s.project.id)
        assert listed.evidence == evidence

    def test_expert_permits_grant_withdraw_and_grant_again(self, hub: HubPort) -> None:
        s = space(hub)
        expert = person(hub, PersonKind.EXPERT, "DE").id
        granted = grant_expert_permit(hub, s.admin, s.id, expert)
        assert (granted.role, granted.status) == (R.EXPERT, MemberStatus.ACTIVE)
        assert granted.role_source is RoleSource.MANUAL
        assert grant_expert_permit(hub, s.admin, s.id, expert) == granted  # idempotent
        withdrawn = withdraw_expert_permit(hub, s.co_founder, s.id, expert)
        assert withdrawn.status is MemberStatus.SUSPENDED
        again = grant_expert_permit(hub, s.admin, s.id, expert)
        assert again.status is MemberStatus.ACTIVE
        with pytest.raises(NotAnExpertError):
            withdraw_expert_permit(hub, s.admin, s.id, s.members[R.TEACHER])

    def test_visitor_permit_in_a_space_without_pupils(self, hub: HubPort) -> None:
        s = space(hub, pupils=False)
        parent = person(hub, PersonKind.GUEST, None).id
        granted = grant_visitor_permit(hub, s.co_founder, s.id, parent)
        assert (granted.role, granted.status) == (R.GUEST, MemberStatus.ACTIVE)
