"""What the area contracts build their situations from: people, projects, spaces, events,
editions, and the ``Refusal`` rows with their arrange helpers."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from etwin_lti.domain.acknowledgements import school_year_of
from etwin_lti.domain.model import (
    AcknowledgementKind,
    NqlDecision,
    Person,
    PersonKind,
    Project,
    ProjectStatus,
    TwinSpaceRole,
)
from etwin_lti.domain.ports import HubPort

R = TwinSpaceRole
UNKNOWN_ID = 2_000_000_000  # fits PostgreSQL's integer, never assigned in a test
_names = itertools.count(1)
SCORES = {
    "collaboration": 4,
    "use_of_technology": 4,
    "pedagogical_approaches": 4,
    "curricular_integration": 4,
    "results_and_documentation": 4,
}
PASSING = {"pupil_collaboration": 4, "use_of_ict": 4, "gdpr_copyright_esafety": 4}
FAILING = {"pupil_collaboration": 4, "use_of_ict": 2, "gdpr_copyright_esafety": 4}


def today() -> date:
    return date.today()


def school_year() -> str:
    """The school year the hub files today's applications under (its clock is UTC)."""
    return school_year_of(datetime.now(UTC).date())


# --- builders: everything through the port -------------------------------------------------------


def person(
    hub: HubPort, kind: PersonKind = PersonKind.TEACHER, country: str | None = "FR"
) -> Person:
    n = next(_names)
    if kind is PersonKind.PUPIL:
        return hub.create_person(f"Pupil {n}. ({country})", kind, country_code=country)
    return hub.create_person(
        f"{kind.value.title()} {n}",
        kind,
        country_code=country,
        email=f"{kind.value}{n}@school.example",
    )


def teacher(hub: HubPort, country: str = "FR") -> Person:
    return person(hub, PersonKind.TEACHER, country)


def pending_project(hub: HubPort, a: str = "FR", b: str = "IT", **kwargs: Any) -> Project:
    return hub.create_project(teacher(hub, a).id, teacher(hub, b).id, "Our rivers", **kwargs)


def approved_project(hub: HubPort, a: str = "FR", b: str = "IT", **kwargs: Any) -> Project:
    project = pending_project(hub, a, b, **kwargs)
    for code in dict.fromkeys((a, b)):
        project = hub.validate_project(code, project.id)
    assert project.status is ProjectStatus.APPROVED
    return project


@dataclass
class Space:
    """An approved project's TwinSpace with one member of every role."""

    project: Project
    id: int
    admin: int  # founder
    co_founder: int
    members: dict[TwinSpaceRole, int] = field(default_factory=dict)


def space(hub: HubPort, *, pupils: bool = True) -> Space:
    project = approved_project(hub)
    assert project.twinspace_id is not None
    admin, co_founder = project.founder_ids
    s = Space(project, project.twinspace_id, admin, co_founder)
    kinds = {
        R.TEACHER_ADMINISTRATOR: PersonKind.TEACHER,
        R.TEACHER: PersonKind.TEACHER,
        R.EXPERT: PersonKind.EXPERT,
        R.OBSERVER: PersonKind.TEACHER,
        R.GUEST: PersonKind.GUEST,
    }
    if pupils:
        kinds |= {R.PUPIL_ADMINISTRATOR: PersonKind.PUPIL, R.PUPIL: PersonKind.PUPIL}
    for role, kind in kinds.items():
        invitee = person(hub, kind, "PL" if kind is not PersonKind.GUEST else None)
        s.members[role] = hub.add_member(admin, s.id, invitee.id, role).person_id
    return s


def archived_space(hub: HubPort) -> Space:
    s = space(hub)
    hub.close_project(s.admin, s.project.id)
    return s


def event(hub: HubPort, *, start: int = 30, days: int = 14, capacity: int = 20) -> Any:
    expert = person(hub, PersonKind.EXPERT, "DE")
    starts = today() + timedelta(days=start)
    return hub.create_event(
        "Coding in primary school",
        "Expert-led",
        expert.id,
        starts,
        starts + timedelta(days=days - 1),
        capacity,
    )


def running_event(hub: HubPort, **kwargs: Any) -> Any:
    return event(hub, start=-3, **kwargs)


def edition(hub: HubPort, *, units: int = 2) -> tuple[Any, list[Any], Person]:
    trainer = person(hub, PersonKind.TRAINER, "ES")
    ed = hub.create_edition(
        "eTwinning distance course",
        today().year,
        today() - timedelta(days=10),
        today() + timedelta(days=60),
        trainer_ids=[trainer.id],
    )
    made = [
        hub.add_unit(
            ed.id,
            f"Unit {i}",
            "Read, then do.",
            documents=[("Guide", "https://example.org/guide.pdf")],
            activities=[("Introduce yourself", "In the forum."), ("Find a partner", "")],
        )
        for i in range(1, units + 1)
    ]
    return ed, made, trainer


def trainee(hub: HubPort, edition_id: int) -> Person:
    t = teacher(hub, "ES")
    hub.enrol_trainee(edition_id, t.id)
    return t


def labelled(hub: HubPort, project: Project, teacher_id: int, nso: str) -> None:
    """Apply for and grant an NQL."""
    application = hub.apply_nql(teacher_id, project.id)
    decided = hub.decide_nql(nso, application.id, SCORES, PASSING)
    assert decided.decision is NqlDecision.GRANTED


# People that refused calls need are made beforehand: creating them inside the call would look
# like a write of the refused call. ``prepare_newcomers`` runs before the "before" snapshot.
NEWCOMERS = [
    (PersonKind.TEACHER, "FR"),
    (PersonKind.TEACHER, None),
    (PersonKind.TEACHER, "PL"),
    (PersonKind.PUPIL, "FR"),
    (PersonKind.PUPIL, "PL"),
    (PersonKind.GUEST, None),
    (PersonKind.TRAINER, "ES"),
]
_newcomers: dict[int, dict[tuple[PersonKind, str | None], list[Person]]] = {}


def prepare_newcomers(hub: HubPort) -> None:
    _newcomers[id(hub)] = {key: [person(hub, *key)] for key in NEWCOMERS}


def newcomer(
    hub: HubPort, kind: PersonKind = PersonKind.TEACHER, country: str | None = "FR"
) -> Person:
    return _newcomers[id(hub)][(kind, country)].pop()


# --- refusals: one row per rule -------------------------------------------------------------------


@dataclass(frozen=True)
class Refusal:
    """``arrange(hub)`` builds the situation and returns (the refused call, what to re-read)."""

    name: str
    error: type[Exception]
    arrange: Callable[[HubPort], tuple[Callable[[], object], Callable[[], object]]]
    field: str | None = None  # for InvalidInputError: the field the map must name


def _create_person(**kw: Any) -> Callable[[HubPort], Any]:
    def arrange(hub: HubPort) -> Any:
        # No port call lists people: the proof is stored_state (where available) plus the
        # fact that a good call right after works.
        return (lambda: hub.create_person(**kw)), (lambda: None)

    return arrange


def _set_country(
    actor: Callable[[HubPort, Person], int], code: str, *, founded: bool = False
) -> Callable[[HubPort], Any]:
    """A French teacher (a founder when ``founded``) whose country ``actor`` tries to set."""

    def arrange(hub: HubPort) -> Any:
        target = teacher(hub, "FR")
        if founded:
            hub.create_project(target.id, teacher(hub, "IT").id, "Rivers")
        actor_id = actor(hub, target)
        return (lambda: hub.set_person_country(actor_id, target.id, code)), (
            lambda: (hub.get_person(target.id), hub.list_projects(member_id=target.id))
        )

    return arrange


def _project_call(build: Callable[[HubPort], Project], act: Callable[[HubPort, Project], Any]):
    def arrange(hub: HubPort) -> Any:
        project = build(hub)
        return (lambda: act(hub, project)), (
            lambda: (
                hub.get_project(project.id),
                hub.list_acknowledgements(subject=f"project:{project.id}"),
                hub.list_twinspaces(member_id=project.founder_ids[0]),
            )
        )

    return arrange


def _new_project(founder: Callable[[HubPort], int], partner: Callable[[HubPort], int], title: str):
    def arrange(hub: HubPort) -> Any:
        a, b = founder(hub), partner(hub)
        return (lambda: hub.create_project(a, b, title)), (
            lambda: (hub.list_projects(member_id=a), hub.list_projects(member_id=b))
        )

    return arrange


def _space_call(
    act: Callable[..., Any],
    *,
    build: Callable[[HubPort], Space] = space,
    before: Callable[[HubPort, Space], Any] | None = None,
):
    """``before(hub, space)`` prepares more (its result is passed to ``act`` as a third
    argument); only ``act`` is the refused call."""

    def arrange(hub: HubPort) -> Any:
        s = build(hub)
        if before is not None:
            ctx = before(hub, s)
            call = lambda: act(hub, s, ctx)  # noqa: E731
        else:
            call = lambda: act(hub, s)  # noqa: E731
        return call, (
            lambda: (
                hub.get_twinspace(s.id),
                hub.list_members(s.id),
                hub.list_pages(s.id, viewer_id=s.admin),
                hub.list_materials(s.id, viewer_id=s.admin),
                hub.list_threads(s.id),
                hub.list_diary(s.project.id),
                hub.get_project(s.project.id),
            )
        )

    return arrange


def _event_call(build: Callable[[HubPort], Any], act: Callable[[HubPort, Any], Any]):
    def arrange(hub: HubPort) -> Any:
        ev = build(hub)
        event_id = (ev[0] if isinstance(ev, tuple) else ev).id  # builders may add the teacher
        return (lambda: act(hub, ev)), (
            lambda: (
                hub.get_event(event_id),
                hub.list_enrolments(event_id),
                hub.list_acknowledgements(subject=f"event:{event_id}"),
            )
        )

    return arrange


def _new_event(**overrides: Any):
    def arrange(hub: HubPort) -> Any:
        expert = person(hub, PersonKind.EXPERT, "DE")
        starts = today() + timedelta(days=30)
        args = {
            "title": "Games in class",
            "description": "",
            "expert_id": expert.id,
            "starts_on": starts,
            "ends_on": starts + timedelta(days=13),
            "capacity": 10,
        }
        args.update({k: (v(hub) if callable(v) else v) for k, v in overrides.items()})
        leaders = {expert.id, args["expert_id"]}
        return (lambda: hub.create_event(**args)), (
            lambda: [e for e in hub.list_events() if e.expert_id in leaders]
        )

    return arrange


def _full(hub: HubPort) -> Any:
    ev = event(hub, capacity=1)
    hub.enrol(ev.id, teacher(hub).id)
    return ev


def _enrolled(hub: HubPort) -> Any:
    ev = event(hub)
    t = teacher(hub)
    hub.enrol(ev.id, t.id)
    return ev, t


def _completed(hub: HubPort) -> Any:
    ev = running_event(hub)
    t = teacher(hub)
    hub.enrol(ev.id, t.id)
    hub.complete_event(ev.expert_id, ev.id, t.id)
    return ev, t


def _course_call(
    act: Callable[[HubPort, Any, list[Any], Person, Person], Any],
    *,
    before: Callable[[HubPort, Any, list[Any], Person, Person], Any] | None = None,
):
    def arrange(hub: HubPort) -> Any:
        ed, units, trainer = edition(hub)
        t = trainee(hub, ed.id)
        if before is not None:
            before(hub, ed, units, trainer, t)
        return (lambda: act(hub, ed, units, trainer, t)), (
            lambda: (
                hub.get_edition(ed.id),
                hub.list_units(edition_id=ed.id),
                [hub.unit_progress(t.id, u.id) for u in units],
                hub.list_acknowledgements(person_id=t.id),
            )
        )

    return arrange


def _finished_course(hub: HubPort, ed: Any, units: list[Any], trainer: Person, t: Person) -> Any:
    for u in units:
        for a in u.activities:
            hub.mark_activity_done(t.id, a.id)
    return hub.complete_course(trainer.id, ed.id, t.id)


def _new_edition(**overrides: Any):
    def arrange(hub: HubPort) -> Any:
        trainer = person(hub, PersonKind.TRAINER, "ES")
        args: dict[str, Any] = {
            "title": "Course",
            "year": today().year,
            "starts_on": today(),
            "ends_on": today() + timedelta(days=30),
            "trainer_ids": [trainer.id],
        }
        args.update({k: (v(hub) if callable(v) else v) for k, v in overrides.items()})
        people = {trainer.id, *args["trainer_ids"]}
        return (lambda: hub.create_edition(**args)), (
            lambda: [e for e in hub.list_editions() if people & set(e.trainer_ids)]
        )

    return arrange


def _new_unit(**overrides: Any):
    def arrange(hub: HubPort) -> Any:
        ed, _, _ = edition(hub, units=0)
        args: dict[str, Any] = {
            "title": "Unit",
            "summary": "",
            "documents": [("Guide", "https://example.org/g.pdf")],
            "activities": [("Do", "")],
        }
        args.update(overrides)
        return (lambda: hub.add_unit(ed.id, **args)), (lambda: hub.list_units(edition_id=ed.id))

    return arrange


def _nql_call(
    build: Callable[[HubPort], tuple[Project, int]], act: Callable[[HubPort, Project, int], Any]
):
    def arrange(hub: HubPort) -> Any:
        project, applicant = build(hub)
        return (lambda: act(hub, project, applicant)), (
            lambda: (
                hub.list_nql_applications(teacher_id=applicant),
                hub.list_nql_applications(project_id=project.id),
                hub.list_acknowledgements(subject=f"project:{project.id}"),
            )
        )

    return arrange


def _european(hub: HubPort) -> tuple[Project, int]:
    project = approved_project(hub)
    return project, project.founder_ids[0]


def _four_applications(hub: HubPort) -> tuple[Project, int]:
    """A French teacher who applied for four projects this school year, and a fifth project."""
    applicant = teacher(hub, "FR")
    projects = []
    for _ in range(5):
        p = hub.create_project(applicant.id, teacher(hub, "IT").id, "Project")
        hub.validate_project("FR", p.id)
        projects.append(hub.validate_project("IT", p.id))
    for p in projects[:4]:
        hub.apply_nql(applicant.id, p.id)
    return projects[4], applicant.id


def _applied(hub: HubPort) -> tuple[Project, int]:
    project, applicant = _european(hub)
    hub.apply_nql(applicant, project.id)
    return project, applicant


def _refused(hub: HubPort) -> tuple[Project, int]:
    project, applicant = _applied(hub)
    hub.decide_nql("FR", _application_id(hub, project, applicant), SCORES, FAILING)
    return project, applicant


def _application_id(hub: HubPort, project: Project, applicant: int) -> int:
    return hub.list_nql_applications(project_id=project.id, teacher_id=applicant)[0].id


def _one_country_labels(hub: HubPort) -> tuple[Project, int]:
    """Founders FR and IT, a French partner: the two NQLs are both French."""
    project = approved_project(hub)
    fr_founder = project.founder_ids[0]
    partner = teacher(hub, "FR")
    project = hub.add_partner(fr_founder, project.id, partner.id)
    labelled(hub, project, fr_founder, "FR")
    labelled(hub, project, partner.id, "FR")
    return project, fr_founder


def _one_label(hub: HubPort) -> tuple[Project, int]:
    project = approved_project(hub)
    labelled(hub, project, project.founder_ids[0], "FR")
    return project, project.founder_ids[0]


def _eql_awarded(hub: HubPort) -> tuple[Project, int]:
    """Two NQLs from two countries: the rule awarded the EQL with the second."""
    project = approved_project(hub)
    labelled(hub, project, project.founder_ids[0], "FR")
    labelled(hub, project, project.founder_ids[1], "IT")
    return project, project.founder_ids[0]


def _eql_withdrawn(hub: HubPort) -> tuple[Project, int]:
    project, applicant = _eql_awarded(hub)
    hub.withdraw_eql(project.id, "The evidence was copied from another project.")
    return project, applicant


def _national_with_foreign_labels(hub: HubPort) -> tuple[Project, int]:
    project = approved_project(hub, "FR", "FR")
    return project, project.founder_ids[0]


def _ack_call(
    act: Callable[[HubPort, Person, Any], Any], *, issued: bool = True, revoked: bool = False
):
    def arrange(hub: HubPort) -> Any:
        t = teacher(hub)
        ack = (
            hub.issue_acknowledgement(
                AcknowledgementKind.COURSE_CERTIFICATE, t.id, "edition:1", "Course certificate"
            )
            if issued
            else None
        )
        if revoked:
            assert ack is not None
            hub.revoke_acknowledgement(ack.id, "Issued by mistake")
        return (lambda: act(hub, t, ack)), (lambda: hub.list_acknowledgements(person_id=t.id))

    return arrange


def _invite(role: TwinSpaceRole, kind: PersonKind, by: TwinSpaceRole | str = "admin"):
    def act(hub: HubPort, s: Space) -> Any:
        invitee = newcomer(hub, kind, "PL" if kind is not PersonKind.GUEST else None)
        actor = s.admin if by == "admin" else s.members[by]  # type: ignore[index]
        return hub.add_member(actor, s.id, invitee.id, role)

    return act


LONG = "x" * 201
