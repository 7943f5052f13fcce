"""The hub contract: Projects."""

from __future__ import annotations

from etwin_lti.domain.model import (
    AcknowledgementKind,
    PersonKind,
    PrizeCategory,
    ProjectScope,
    ProjectStatus,
    RoleSource,
    TwinSpaceStatus,
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
    _new_project,
    _project_call,
    approved_project,
    newcomer,
    pending_project,
    person,
    teacher,
)

PROJECTS_REFUSALS: list[Refusal] = [
    # --- projects
    Refusal(
        "same founder twice",
        InvalidInputError,
        lambda hub: (
            lambda t: (
                (lambda: hub.create_project(t, t, "Solo")),
                (lambda: hub.list_projects(member_id=t)),
            )
        )(teacher(hub).id),
        "partner_founder_id",
    ),
    Refusal(
        "pupil as founder",
        RuleViolationError,
        _new_project(
            lambda hub: person(hub, PersonKind.PUPIL).id, lambda hub: teacher(hub, "IT").id, "Kids"
        ),
    ),
    Refusal(
        "expert as founder",
        RuleViolationError,
        _new_project(
            lambda hub: person(hub, PersonKind.EXPERT).id,
            lambda hub: teacher(hub, "IT").id,
            "Expert",
        ),
    ),
    Refusal(
        "empty title",
        InvalidInputError,
        _new_project(lambda hub: teacher(hub).id, lambda hub: teacher(hub, "IT").id, ""),
        "title",
    ),
    Refusal(
        "blank title",
        InvalidInputError,
        _new_project(lambda hub: teacher(hub).id, lambda hub: teacher(hub, "IT").id, "  \t "),
        "title",
    ),
    Refusal(
        "overlong title",
        InvalidInputError,
        _new_project(lambda hub: teacher(hub).id, lambda hub: teacher(hub, "IT").id, LONG),
        "title",
    ),
    Refusal(
        "unknown founder",
        NotFoundError,
        _new_project(lambda hub: teacher(hub).id, lambda hub: UNKNOWN_ID, "Ghost"),
    ),
    Refusal(
        "NSO of another country validates",
        PermissionDeniedError,
        _project_call(pending_project, lambda hub, p: hub.validate_project("DE", p.id)),
    ),
    Refusal(
        "NSO validates twice",
        RuleViolationError,
        _project_call(
            lambda hub: hub.validate_project("FR", pending_project(hub).id),
            lambda hub, p: hub.validate_project("FR", p.id),
        ),
    ),
    Refusal(
        "validating an approved project",
        RuleViolationError,
        _project_call(approved_project, lambda hub, p: hub.validate_project("FR", p.id)),
    ),
    Refusal(
        "unknown NSO country",
        InvalidInputError,
        _project_call(pending_project, lambda hub, p: hub.validate_project("ZZ", p.id)),
        "nso_country_code",
    ),
    Refusal(
        "partner joins a pending project",
        RuleViolationError,
        _project_call(
            pending_project,
            lambda hub, p: hub.add_partner(p.founder_ids[0], p.id, newcomer(hub, country="PL").id),
        ),
    ),
    Refusal(
        "founder added again as partner",
        RuleViolationError,
        _project_call(
            approved_project,
            lambda hub, p: hub.add_partner(p.founder_ids[0], p.id, p.founder_ids[1]),
        ),
    ),
    Refusal(
        "pupil as partner",
        RuleViolationError,
        _project_call(
            approved_project,
            lambda hub, p: hub.add_partner(
                p.founder_ids[0], p.id, newcomer(hub, PersonKind.PUPIL).id
            ),
        ),
    ),
    Refusal(
        "non-member adds a partner",
        PermissionDeniedError,
        _project_call(
            approved_project,
            lambda hub, p: hub.add_partner(newcomer(hub).id, p.id, newcomer(hub, country="PL").id),
        ),
    ),
    Refusal(
        "non-founder closes",
        PermissionDeniedError,
        _project_call(approved_project, lambda hub, p: hub.close_project(newcomer(hub).id, p.id)),
    ),
    Refusal(
        "closing twice",
        RuleViolationError,
        _project_call(
            lambda hub: (lambda p: hub.close_project(p.founder_ids[0], p.id))(
                approved_project(hub)
            ),
            lambda hub, p: hub.close_project(p.founder_ids[0], p.id),
        ),
    ),
]


class ProjectsContract:
    """Projects

    Mixed into ``HubContract``, which provides the ``hub`` fixture.
    """

    def test_european_project_lifecycle(self, hub: HubPort) -> None:
        a, b = teacher(hub, "FR"), teacher(hub, "IT")
        project = hub.create_project(
            a.id, b.id, " Water ", "Rivers", age_band=PrizeCategory.AGE_12_15
        )
        assert project.scope is ProjectScope.EUROPEAN
        assert project.status is ProjectStatus.PENDING and project.twinspace_id is None
        assert project.title == "Water" and project.founder_countries == ("FR", "IT")
        assert hub.list_acknowledgements(subject=f"project:{project.id}") == []

        project = hub.validate_project("IT", project.id)
        assert project.status is ProjectStatus.PENDING and project.validated_by == ("IT",)
        project = hub.validate_project("FR", project.id)
        assert project.status is ProjectStatus.APPROVED
        assert set(project.validated_by) == {"FR", "IT"}
        assert project.approved_at is not None and project.twinspace_id is not None

        ts = hub.get_twinspace(project.twinspace_id)
        assert (ts.project_id, ts.title, ts.status) == (project.id, "Water", TwinSpaceStatus.OPEN)
        members = hub.list_members(ts.id)
        assert {m.person_id for m in members} == {a.id, b.id}
        assert all(
            m.role is R.TEACHER_ADMINISTRATOR
            and m.is_founder
            and m.role_source is RoleSource.PROJECT
            for m in members
        )
        labels = hub.list_acknowledgements(subject=f"project:{project.id}")
        assert {(x.kind, x.person_id) for x in labels} == {
            (AcknowledgementKind.ETWINNING_LABEL, a.id),
            (AcknowledgementKind.ETWINNING_LABEL, b.id),
        }
        assert hub.list_diary(project.id) == []  # the Project Diary exists, empty

        partners = [teacher(hub, "PL"), teacher(hub, "GE"), teacher(hub, "FR")]
        for p in partners:
            project = hub.add_partner(a.id, project.id, p.id)
        assert project.partner_ids == tuple(p.id for p in partners)
        assert hub.get_member(ts.id, partners[0].id).role is R.TEACHER
        assert [x.id for x in hub.list_projects(member_id=partners[1].id)] == [project.id]
        assert project.id in [x.id for x in hub.list_projects()]
        assert project.id in [x.id for x in hub.list_projects(member_id=a.id)]

        closed = hub.close_project(b.id, project.id)
        assert closed.status is ProjectStatus.CLOSED and closed.closed_at is not None
        assert hub.get_twinspace(ts.id).status is TwinSpaceStatus.ARCHIVED
        assert hub.get_project(project.id) == closed

    def test_same_country_founders_make_a_national_project(self, hub: HubPort) -> None:
        project = pending_project(hub, "ES", "ES")
        assert project.scope is ProjectScope.NATIONAL
        approved = hub.validate_project("ES", project.id)  # one NSO is every founder's NSO
        assert approved.status is ProjectStatus.APPROVED
        # foreign partners may join; the project stays national
        later = hub.add_partner(project.founder_ids[0], project.id, teacher(hub, "PT").id)
        assert later.scope is ProjectScope.NATIONAL
