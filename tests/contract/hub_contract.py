"""The contract every ``HubPort`` implementation passes (local hub, HTTP connector).

Subclass ``HubContract`` and provide a ``hub`` fixture. The suite talks to the hub through the
port only: people, projects and everything else are created with port calls, and "nothing was
written" is checked by re-reading through the port. A subclass that can see its storage may
override ``stored_state`` to also compare a full dump before and after each refused call.

Dates are relative to today with margins of days, so the suite runs against a hub that uses the
real clock (a second running instance) as well as one with an injected clock. The suite never
assumes an empty hub: it only looks at what it created itself.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pytest

from etwin_lti.domain.model import (
    AcknowledgementKind,
    EventStatus,
    MaterialKind,
    MemberStatus,
    NqlDecision,
    Person,
    PersonKind,
    PrizeCategory,
    Project,
    ProjectScope,
    ProjectStatus,
    RoleSource,
    TwinSpaceRole,
    TwinSpaceStatus,
    Visibility,
)
from etwin_lti.domain.ports import HubPort
from etwin_lti.errors import (
    DuplicateAcknowledgementError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
    RuleViolationError,
)

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
    return "2030-2031"  # any valid school year: the rules do not compare it with today


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
    application = hub.apply_nql(teacher_id, project.id, school_year())
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
        hub.apply_nql(applicant.id, p.id, school_year())
    return projects[4], applicant.id


def _applied(hub: HubPort) -> tuple[Project, int]:
    project, applicant = _european(hub)
    hub.apply_nql(applicant, project.id, school_year())
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
    project = approved_project(hub)
    labelled(hub, project, project.founder_ids[0], "FR")
    labelled(hub, project, project.founder_ids[1], "IT")
    hub.award_eql(project.id)
    return project, project.founder_ids[0]


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

REFUSALS: list[Refusal] = [
    # --- people
    Refusal(
        "unknown country",
        InvalidInputError,
        _create_person(display_name="T", kind=PersonKind.TEACHER, country_code="ZZ"),
        "country_code",
    ),
    Refusal(
        "NSO officer without country",
        InvalidInputError,
        _create_person(display_name="N", kind=PersonKind.NSO_OFFICER),
        "country_code",
    ),
    Refusal(
        "country no longer eligible",
        InvalidInputError,
        _create_person(display_name="T", kind=PersonKind.TEACHER, country_code="GB"),
        "country_code",
    ),
    Refusal(
        "pupil e-mail",
        InvalidInputError,
        _create_person(
            display_name="P", kind=PersonKind.PUPIL, country_code="FR", email="kid@example.org"
        ),
        "email",
    ),
    Refusal(
        "empty display name",
        InvalidInputError,
        _create_person(display_name="   ", kind=PersonKind.GUEST),
        "display_name",
    ),
    Refusal(
        "overlong display name",
        InvalidInputError,
        _create_person(display_name=LONG, kind=PersonKind.GUEST),
        "display_name",
    ),
    Refusal(
        "malformed e-mail",
        InvalidInputError,
        _create_person(display_name="T", kind=PersonKind.TEACHER, country_code="FR", email="nope"),
        "email",
    ),
    Refusal(
        "teacher renames a pupil of another TwinSpace",
        PermissionDeniedError,
        lambda hub: (
            lambda s, outsider: (
                (lambda: hub.rename_person(outsider.id, s.members[R.PUPIL], "Renamed")),
                (lambda: hub.get_person(s.members[R.PUPIL])),
            )
        )(space(hub), teacher(hub)),
    ),
    Refusal(
        "rename to empty",
        InvalidInputError,
        lambda hub: (
            lambda t: ((lambda: hub.rename_person(t.id, t.id, "")), (lambda: hub.get_person(t.id)))
        )(teacher(hub)),
        "display_name",
    ),
    # --- a person's country (docs/decisions/0006)
    Refusal(
        "unknown country set",
        InvalidInputError,
        _set_country(lambda hub, t: t.id, "ZZ"),
        "country_code",
    ),
    Refusal(
        "country no longer eligible set",
        InvalidInputError,
        _set_country(lambda hub, t: t.id, "GB"),
        "country_code",
    ),
    Refusal(
        "another person's country set",
        PermissionDeniedError,
        _set_country(lambda hub, t: teacher(hub).id, "IT"),
    ),
    Refusal(
        "country changed after founding",
        RuleViolationError,
        _set_country(lambda hub, t: t.id, "DE", founded=True),
    ),
    Refusal(
        "founder without a country",
        InvalidInputError,
        _new_project(
            lambda hub: person(hub, country=None).id, lambda hub: teacher(hub, "IT").id, "Rivers"
        ),
        "founder_id",
    ),
    Refusal(
        "partner founder without a country",
        InvalidInputError,
        _new_project(
            lambda hub: teacher(hub).id, lambda hub: person(hub, country=None).id, "Rivers"
        ),
        "partner_founder_id",
    ),
    Refusal(
        "partner without a country",
        InvalidInputError,
        _project_call(
            approved_project,
            lambda hub, p: hub.add_partner(p.founder_ids[0], p.id, newcomer(hub, country=None).id),
        ),
        "teacher_id",
    ),
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
    # --- TwinSpace membership (domain-facts.md 1.4)
    Refusal(
        "pupil invites a member",
        PermissionDeniedError,
        _space_call(_invite(R.PUPIL, PersonKind.PUPIL, by=R.PUPIL)),
    ),
    Refusal(
        "pupil administrator invites",
        PermissionDeniedError,
        _space_call(_invite(R.PUPIL, PersonKind.PUPIL, by=R.PUPIL_ADMINISTRATOR)),
    ),
    Refusal(
        "observer invites",
        PermissionDeniedError,
        _space_call(_invite(R.GUEST, PersonKind.GUEST, by=R.OBSERVER)),
    ),
    Refusal(
        "guest invites",
        PermissionDeniedError,
        _space_call(_invite(R.GUEST, PersonKind.GUEST, by=R.GUEST)),
    ),
    Refusal(
        "teacher invites",
        PermissionDeniedError,
        _space_call(_invite(R.TEACHER, PersonKind.TEACHER, by=R.TEACHER)),
    ),
    Refusal(
        "expert invites a pupil",
        PermissionDeniedError,
        _space_call(_invite(R.PUPIL, PersonKind.PUPIL, by=R.EXPERT)),
    ),
    Refusal(
        "expert grants administrator",
        PermissionDeniedError,
        _space_call(_invite(R.TEACHER_ADMINISTRATOR, PersonKind.TEACHER, by=R.EXPERT)),
    ),
    Refusal(
        "pupil made a teacher",
        RuleViolationError,
        _space_call(_invite(R.TEACHER, PersonKind.PUPIL)),
    ),
    Refusal(
        "teacher made a pupil",
        RuleViolationError,
        _space_call(_invite(R.PUPIL, PersonKind.TEACHER)),
    ),
    Refusal(
        "inviting a member again",
        RuleViolationError,
        _space_call(lambda hub, s: hub.add_member(s.admin, s.id, s.members[R.TEACHER], R.OBSERVER)),
    ),
    Refusal(
        "unknown role",
        InvalidInputError,
        _space_call(lambda hub, s: hub.add_member(s.admin, s.id, newcomer(hub).id, "headmaster")),
        "role",
    ),  # type: ignore[arg-type]
    Refusal(
        "teacher changes a founder's role",
        PermissionDeniedError,
        _space_call(lambda hub, s: hub.change_role(s.members[R.TEACHER], s.id, s.admin, R.TEACHER)),
    ),
    Refusal(
        "co-administrator changes a founder's role",
        PermissionDeniedError,
        _space_call(
            lambda hub, s: hub.change_role(
                s.members[R.TEACHER_ADMINISTRATOR], s.id, s.co_founder, R.OBSERVER
            )
        ),
    ),
    Refusal(
        "founder changes the other founder",
        PermissionDeniedError,
        _space_call(lambda hub, s: hub.change_role(s.admin, s.id, s.co_founder, R.TEACHER)),
    ),
    Refusal(
        "administrator suspends a founder",
        PermissionDeniedError,
        _space_call(
            lambda hub, s: hub.suspend_member(s.members[R.TEACHER_ADMINISTRATOR], s.id, s.admin)
        ),
    ),
    Refusal(
        "teacher suspends a pupil",
        PermissionDeniedError,
        _space_call(
            lambda hub, s: hub.suspend_member(s.members[R.TEACHER], s.id, s.members[R.PUPIL])
        ),
    ),
    Refusal(
        "pupil promoted to teacher",
        RuleViolationError,
        _space_call(lambda hub, s: hub.change_role(s.admin, s.id, s.members[R.PUPIL], R.TEACHER)),
    ),
    Refusal(
        "changing a non-member",
        NotFoundError,
        _space_call(lambda hub, s: hub.change_role(s.admin, s.id, newcomer(hub).id, R.TEACHER)),
    ),
    Refusal(
        "LMS grants administrator",
        RuleViolationError,
        _space_call(
            lambda hub, s: hub.sync_member(s.id, newcomer(hub).id, R.TEACHER_ADMINISTRATOR)
        ),
    ),
    Refusal(
        "LMS grants pupil administrator",
        RuleViolationError,
        _space_call(
            lambda hub, s: hub.sync_member(
                s.id, newcomer(hub, PersonKind.PUPIL).id, R.PUPIL_ADMINISTRATOR
            )
        ),
    ),
    Refusal(
        "LMS suspends a stranger",
        NotFoundError,
        _space_call(
            lambda hub, s: hub.sync_member(s.id, newcomer(hub).id, R.TEACHER, active=False)
        ),
    ),
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
    # --- Learning Events (domain-facts.md 1.8)
    Refusal(
        "event led by a teacher",
        RuleViolationError,
        _new_event(expert_id=lambda hub: teacher(hub).id),
    ),
    Refusal(
        "event of six days",
        InvalidInputError,
        _new_event(ends_on=today() + timedelta(days=35)),
        "ends_on",
    ),
    Refusal(
        "event of 22 days",
        InvalidInputError,
        _new_event(ends_on=today() + timedelta(days=51)),
        "ends_on",
    ),
    Refusal(
        "event ending before it starts", InvalidInputError, _new_event(ends_on=today()), "ends_on"
    ),
    Refusal("event without seats", InvalidInputError, _new_event(capacity=0), "capacity"),
    Refusal("event with empty title", InvalidInputError, _new_event(title=""), "title"),
    Refusal("event led by nobody", NotFoundError, _new_event(expert_id=UNKNOWN_ID)),
    Refusal(
        "capacity full",
        RuleViolationError,
        _event_call(_full, lambda hub, ev: hub.enrol(ev.id, newcomer(hub).id)),
    ),
    Refusal(
        "enrolling twice",
        RuleViolationError,
        _event_call(lambda hub: _enrolled(hub), lambda hub, x: hub.enrol(x[0].id, x[1].id)),
    ),
    Refusal(
        "pupil enrols",
        RuleViolationError,
        _event_call(event, lambda hub, ev: hub.enrol(ev.id, newcomer(hub, PersonKind.PUPIL).id)),
    ),
    Refusal(
        "enrolling in a finished event",
        RuleViolationError,
        _event_call(
            lambda hub: event(hub, start=-40), lambda hub, ev: hub.enrol(ev.id, newcomer(hub).id)
        ),
    ),
    Refusal(
        "completion by someone else",
        PermissionDeniedError,
        _event_call(
            lambda hub: _enrolled(hub), lambda hub, x: hub.complete_event(x[1].id, x[0].id, x[1].id)
        ),
    ),
    Refusal(
        "completion before the start",
        RuleViolationError,
        _event_call(
            lambda hub: _enrolled(hub),
            lambda hub, x: hub.complete_event(x[0].expert_id, x[0].id, x[1].id),
        ),
    ),
    Refusal(
        "completion of a non-participant",
        RuleViolationError,
        _event_call(
            running_event, lambda hub, ev: hub.complete_event(ev.expert_id, ev.id, newcomer(hub).id)
        ),
    ),
    Refusal(
        "duplicate event certificate",
        DuplicateAcknowledgementError,
        _event_call(
            _completed, lambda hub, x: hub.complete_event(x[0].expert_id, x[0].id, x[1].id)
        ),
    ),
    # --- distance course (domain-facts.md 1.9)
    Refusal(
        "edition run by a teacher",
        RuleViolationError,
        _new_edition(trainer_ids=lambda hub: [teacher(hub).id]),
    ),
    Refusal(
        "edition ending before it starts",
        InvalidInputError,
        _new_edition(ends_on=today() - timedelta(days=1)),
        "ends_on",
    ),
    Refusal("edition in 1999", InvalidInputError, _new_edition(year=1999), "year"),
    Refusal("edition with overlong title", InvalidInputError, _new_edition(title=LONG), "title"),
    Refusal("unit with empty title", InvalidInputError, _new_unit(title=""), "title"),
    Refusal(
        "unit document without http URL",
        InvalidInputError,
        _new_unit(documents=[("Guide", "file:///etc/passwd")]),
        "documents[0].url",
    ),
    Refusal(
        "unit activity with empty title",
        InvalidInputError,
        _new_unit(activities=[("", "Do it")]),
        "activities[0].title",
    ),
    Refusal(
        "guest as trainee",
        RuleViolationError,
        _course_call(
            lambda hub, ed, units, trainer, t: hub.enrol_trainee(
                ed.id, newcomer(hub, PersonKind.GUEST, None).id
            )
        ),
    ),
    Refusal(
        "activity done by a non-trainee",
        RuleViolationError,
        _course_call(
            lambda hub, ed, units, trainer, t: hub.mark_activity_done(
                newcomer(hub).id, units[0].activities[0].id
            )
        ),
    ),
    Refusal(
        "certificate with unfinished units",
        RuleViolationError,
        _course_call(
            lambda hub, ed, units, trainer, t: hub.complete_course(trainer.id, ed.id, t.id)
        ),
    ),
    Refusal(
        "certificate by a non-trainer",
        PermissionDeniedError,
        _course_call(
            lambda hub, ed, units, trainer, t: hub.complete_course(
                newcomer(hub, PersonKind.TRAINER, "ES").id, ed.id, t.id
            )
        ),
    ),
    Refusal(
        "duplicate course certificate",
        DuplicateAcknowledgementError,
        _course_call(
            lambda hub, ed, units, trainer, t: hub.complete_course(trainer.id, ed.id, t.id),
            before=_finished_course,
        ),
    ),
    Refusal(
        "duplicate system course certificate",
        DuplicateAcknowledgementError,
        _course_call(
            lambda hub, ed, units, trainer, t: hub.complete_course(None, ed.id, t.id),
            before=lambda hub, ed, units, trainer, t: hub.complete_course(None, ed.id, t.id),
        ),
    ),
    # --- Quality Labels (domain-facts.md 1.5)
    Refusal(
        "same-country (national) project applies for an NQL",
        RuleViolationError,
        _nql_call(
            _national_with_foreign_labels, lambda hub, p, a: hub.apply_nql(a, p.id, school_year())
        ),
    ),
    Refusal(
        "fifth NQL application in a school year",
        RuleViolationError,
        _nql_call(_four_applications, lambda hub, p, a: hub.apply_nql(a, p.id, school_year())),
    ),
    Refusal(
        "NQL by a teacher outside the project",
        PermissionDeniedError,
        _nql_call(
            _european, lambda hub, p, a: hub.apply_nql(newcomer(hub).id, p.id, school_year())
        ),
    ),
    Refusal(
        "NQL for a pending project",
        RuleViolationError,
        _nql_call(
            lambda hub: (lambda p: (p, p.founder_ids[0]))(pending_project(hub)),
            lambda hub, p, a: hub.apply_nql(a, p.id, school_year()),
        ),
    ),
    Refusal(
        "NQL applied twice",
        RuleViolationError,
        _nql_call(_applied, lambda hub, p, a: hub.apply_nql(a, p.id, school_year())),
    ),
    Refusal(
        "NQL school year with a slash",
        InvalidInputError,
        _nql_call(_european, lambda hub, p, a: hub.apply_nql(a, p.id, "2030/2031")),
        "school_year",
    ),
    Refusal(
        "NQL school year of two years",
        InvalidInputError,
        _nql_call(_european, lambda hub, p, a: hub.apply_nql(a, p.id, "2030-2032")),
        "school_year",
    ),
    Refusal(
        "NQL decided by another NSO",
        PermissionDeniedError,
        _nql_call(
            _applied,
            lambda hub, p, a: hub.decide_nql("IT", _application_id(hub, p, a), SCORES, PASSING),
        ),
    ),
    Refusal(
        "NQL decision missing a criterion",
        InvalidInputError,
        _nql_call(
            _applied,
            lambda hub, p, a: hub.decide_nql(
                "FR",
                _application_id(hub, p, a),
                {k: v for k, v in SCORES.items() if k != "collaboration"},
                PASSING,
            ),
        ),
        "scores",
    ),
    Refusal(
        "NQL score above the scale",
        InvalidInputError,
        _nql_call(
            _applied,
            lambda hub, p, a: hub.decide_nql(
                "FR", _application_id(hub, p, a), {**SCORES, "collaboration": 6}, PASSING
            ),
        ),
        "scores.collaboration",
    ),
    Refusal(
        "NQL unknown sub-criterion",
        InvalidInputError,
        _nql_call(
            _applied,
            lambda hub, p, a: hub.decide_nql(
                "FR", _application_id(hub, p, a), SCORES, {**PASSING, "creativity": 3}
            ),
        ),
        "sub_scores",
    ),
    Refusal(
        "NQL decided twice",
        RuleViolationError,
        _nql_call(
            _refused,
            lambda hub, p, a: hub.decide_nql("FR", _application_id(hub, p, a), SCORES, PASSING),
        ),
    ),
    Refusal(
        "EQL with one labelled country",
        RuleViolationError,
        _nql_call(_one_country_labels, lambda hub, p, a: hub.award_eql(p.id)),
    ),
    Refusal(
        "EQL with a single NQL",
        RuleViolationError,
        _nql_call(_one_label, lambda hub, p, a: hub.award_eql(p.id)),
    ),
    Refusal(
        "EQL for a national project",
        RuleViolationError,
        _nql_call(_national_with_foreign_labels, lambda hub, p, a: hub.award_eql(p.id)),
    ),
    Refusal(
        "EQL awarded twice",
        DuplicateAcknowledgementError,
        _nql_call(_eql_awarded, lambda hub, p, a: hub.award_eql(p.id)),
    ),
    # --- acknowledgements
    Refusal(
        "duplicate certificate",
        DuplicateAcknowledgementError,
        _ack_call(
            lambda hub, t, ack: hub.issue_acknowledgement(
                AcknowledgementKind.COURSE_CERTIFICATE, t.id, "edition:1", "Again"
            )
        ),
    ),
    Refusal(
        "acknowledgement with empty title",
        InvalidInputError,
        _ack_call(
            lambda hub, t, ack: hub.issue_acknowledgement(
                AcknowledgementKind.EVENT_CERTIFICATE, t.id, "event:1", ""
            ),
            issued=False,
        ),
        "title",
    ),
    Refusal(
        "acknowledgement with a malformed subject",
        InvalidInputError,
        _ack_call(
            lambda hub, t, ack: hub.issue_acknowledgement(
                AcknowledgementKind.EVENT_CERTIFICATE, t.id, "event 1", "Certificate"
            ),
            issued=False,
        ),
        "subject",
    ),
    Refusal(
        "acknowledgement for nobody",
        NotFoundError,
        _ack_call(
            lambda hub, t, ack: hub.issue_acknowledgement(
                AcknowledgementKind.EVENT_CERTIFICATE, UNKNOWN_ID, "event:1", "Certificate"
            ),
            issued=False,
        ),
    ),
    Refusal(
        "revoking twice",
        RuleViolationError,
        _ack_call(lambda hub, t, ack: hub.revoke_acknowledgement(ack.id, "Again"), revoked=True),
    ),
    Refusal(
        "revoking without a reason",
        InvalidInputError,
        _ack_call(lambda hub, t, ack: hub.revoke_acknowledgement(ack.id, "")),
        "reason",
    ),
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
    ("apply_nql", lambda hub: hub.apply_nql(UNKNOWN_ID, UNKNOWN_ID, "2030-2031")),
    ("decide_nql", lambda hub: hub.decide_nql("FR", UNKNOWN_ID, SCORES, PASSING)),
    ("award_eql", lambda hub: hub.award_eql(UNKNOWN_ID)),
    ("prize_eligibility", lambda hub: hub.prize_eligibility(UNKNOWN_ID, PrizeCategory.AGE_7_11)),
    ("get_acknowledgement", lambda hub: hub.get_acknowledgement(UNKNOWN_ID)),
    ("revoke_acknowledgement", lambda hub: hub.revoke_acknowledgement(UNKNOWN_ID, "Why")),
]


class HubContract:
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

    # --- countries and people ------------------------------------------------------------------

    def test_countries_are_versioned_data_with_their_nso(self, hub: HubPort) -> None:
        countries = hub.list_countries()
        codes = [c.code for c in countries]
        assert codes == sorted(codes)
        by_code = {c.code: c for c in countries}
        # the seed's founding members and today's eTwinning Plus members
        for code in ("FR", "IT", "ES", "PL", "DE", "RO", "TR", "MK"):
            assert by_code[code].eligible and by_code[code].programme == "erasmus_plus"
        for code in ("AM", "AZ", "GE", "JO", "LB", "MD", "TN", "UA"):
            assert by_code[code].eligible and by_code[code].programme == "etwinning_plus"
        assert not by_code["GB"].eligible  # left on 31 Dec 2020
        assert by_code["ES"].nso.startswith("Instituto Nacional de Tecnologías Educativas")
        assert all(c.nso for c in countries)

    def test_people_round_trip(self, hub: HubPort) -> None:
        t = hub.create_person(
            "  Marie Curie ", PersonKind.TEACHER, country_code="fr", school="Lycée", email="m@e.fr"
        )
        assert (t.display_name, t.country_code, t.school, t.email) == (
            "Marie Curie",
            "FR",
            "Lycée",
            "m@e.fr",
        )
        assert hub.get_person(t.id) == t
        pupil = hub.create_person("Pupil A. (FR)", PersonKind.PUPIL, country_code="FR")
        assert pupil.email is None and pupil.kind is PersonKind.PUPIL
        guest = hub.create_person("A parent", PersonKind.GUEST)
        assert guest.country_code is None

    def test_teacher_of_the_pupils_space_edits_the_pseudonym(self, hub: HubPort) -> None:
        s = space(hub)
        pupil = s.members[R.PUPIL]
        assert hub.rename_person(s.members[R.TEACHER], pupil, "Pupil Z.").display_name == "Pupil Z."
        assert hub.get_person(pupil).display_name == "Pupil Z."
        me = teacher(hub)
        assert hub.rename_person(me.id, me.id, "Me").display_name == "Me"

    def test_teacher_without_country_sets_it_before_founding(self, hub: HubPort) -> None:
        t = hub.create_person("Arrived from Moodle", PersonKind.TEACHER)
        assert t.country_code is None and hub.get_person(t.id) == t
        with pytest.raises(InvalidInputError) as caught:
            hub.create_project(t.id, teacher(hub, "IT").id, "Rivers")
        assert caught.value.errors == {
            "founder_id": ["Set your country in your eTwinning profile before founding a project."]
        }
        assert hub.list_projects(member_id=t.id) == []

        assert hub.set_person_country(t.id, t.id, " fr ").country_code == "FR"
        assert hub.set_person_country(t.id, t.id, "PL").country_code == "PL"  # nothing founded yet
        assert hub.get_person(t.id).country_code == "PL"
        project = hub.create_project(t.id, teacher(hub, "IT").id, "Rivers")
        assert project.scope is ProjectScope.EUROPEAN and project.founder_countries[0] == "PL"
        # The same country again is a harmless repeat, even after founding.
        assert hub.set_person_country(t.id, t.id, "pl") == hub.get_person(t.id)

    def test_tool_administrator_sets_anyones_country(self, hub: HubPort) -> None:
        admin = hub.create_person("Tool admin", PersonKind.ADMIN)
        t = hub.create_person("New teacher", PersonKind.TEACHER)
        updated = hub.set_person_country(admin.id, t.id, "UA")
        assert (updated.id, updated.country_code, updated.kind) == (t.id, "UA", PersonKind.TEACHER)
        assert hub.get_person(t.id) == updated
        assert hub.get_person(admin.id).country_code is None

    # --- projects ------------------------------------------------------------------------------

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

    # --- membership ----------------------------------------------------------------------------

    def test_members_in_role_order(self, hub: HubPort) -> None:
        s = space(hub)
        roles = [m.role for m in hub.list_members(s.id)]
        assert roles == [
            R.TEACHER_ADMINISTRATOR,
            R.TEACHER_ADMINISTRATOR,
            R.TEACHER_ADMINISTRATOR,
            R.TEACHER,
            R.EXPERT,
            R.OBSERVER,
            R.PUPIL_ADMINISTRATOR,
            R.PUPIL,
            R.GUEST,
        ]
        assert hub.get_twinspace(s.id).has_pupils
        invited = hub.get_member(s.id, s.members[R.TEACHER])
        assert invited.role_source is RoleSource.MANUAL and not invited.is_founder

    def test_expert_invites_teachers_and_guests(self, hub: HubPort) -> None:
        s = space(hub)
        newcomer = teacher(hub, "PL")
        member = hub.add_member(s.members[R.EXPERT], s.id, newcomer.id, R.OBSERVER)
        assert member.role is R.OBSERVER and member.status is MemberStatus.ACTIVE

    def test_administrator_manages_members(self, hub: HubPort) -> None:
        s = space(hub)
        pupil = s.members[R.PUPIL]
        promoted = hub.change_role(s.admin, s.id, pupil, R.PUPIL_ADMINISTRATOR)
        assert promoted.role is R.PUPIL_ADMINISTRATOR and promoted.role_source is RoleSource.MANUAL
        co_admin = s.members[R.TEACHER_ADMINISTRATOR]  # not a founder: any admin may manage
        suspended = hub.suspend_member(co_admin, s.id, s.members[R.TEACHER])
        assert suspended.status is MemberStatus.SUSPENDED
        assert s.id not in [t.id for t in hub.list_twinspaces(member_id=s.members[R.TEACHER])]
        back = hub.reactivate_member(s.admin, s.id, s.members[R.TEACHER])
        assert back.status is MemberStatus.ACTIVE
        assert s.id in [t.id for t in hub.list_twinspaces(member_id=s.members[R.TEACHER])]
        demoted = hub.change_role(s.co_founder, s.id, co_admin, R.TEACHER)
        assert demoted.role is R.TEACHER

    def test_lms_sync_never_overrides_a_teacher_decision(self, hub: HubPort) -> None:
        s = space(hub, pupils=False)
        assert not hub.get_twinspace(s.id).has_pupils
        kid = person(hub, PersonKind.PUPIL)
        created = hub.sync_member(s.id, kid.id, R.PUPIL)
        assert (created.role, created.role_source) == (R.PUPIL, RoleSource.LMS)
        assert hub.get_twinspace(s.id).has_pupils
        left = hub.sync_member(s.id, kid.id, R.PUPIL, active=False)
        assert left.status is MemberStatus.SUSPENDED and left.role_source is RoleSource.LMS
        back = hub.sync_member(s.id, kid.id, R.PUPIL)
        assert back.status is MemberStatus.ACTIVE
        # a teacher administrator's choice wins over the next roster sync
        hub.change_role(s.admin, s.id, kid.id, R.PUPIL_ADMINISTRATOR)
        kept = hub.sync_member(s.id, kid.id, R.PUPIL, active=False)
        assert (kept.role, kept.status, kept.role_source) == (
            R.PUPIL_ADMINISTRATOR,
            MemberStatus.ACTIVE,
            RoleSource.MANUAL,
        )
        # founders come from the project: the LMS cannot touch them either
        founder = hub.sync_member(s.id, s.admin, R.TEACHER, active=False)
        assert founder.role is R.TEACHER_ADMINISTRATOR and founder.status is MemberStatus.ACTIVE
        # a teacher provisioned by the LMS who then joins as a partner is the project's
        lms_teacher = teacher(hub, "PL")
        hub.sync_member(s.id, lms_teacher.id, R.TEACHER)
        hub.add_partner(s.admin, s.project.id, lms_teacher.id)
        assert hub.get_member(s.id, lms_teacher.id).role_source is RoleSource.PROJECT

    # --- content -------------------------------------------------------------------------------

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
        assert list(snap.members) == hub.list_members(s.id)
        assert snap.viewer == hub.get_member(s.id, pupil)
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

    # --- Learning Events -----------------------------------------------------------------------

    def test_learning_event_enrolment_and_certificate(self, hub: HubPort) -> None:
        ev = running_event(hub, capacity=2)
        assert ev.status is EventStatus.RUNNING and ev.enrolled == 0
        a, b = teacher(hub), teacher(hub, "PL")
        hub.enrol(ev.id, a.id)
        hub.enrol(ev.id, b.id)
        assert hub.get_event(ev.id).enrolled == 2
        assert [e.person_id for e in hub.list_enrolments(ev.id)] == [a.id, b.id]
        cert = hub.complete_event(ev.expert_id, ev.id, a.id)
        assert (cert.kind, cert.person_id, cert.subject) == (
            AcknowledgementKind.EVENT_CERTIFICATE,
            a.id,
            f"event:{ev.id}",
        )
        done = {e.person_id: e.completed_at for e in hub.list_enrolments(ev.id)}
        assert done[a.id] is not None and done[b.id] is None
        assert hub.get_acknowledgement(cert.id) == cert

    def test_event_status_and_listing(self, hub: HubPort) -> None:
        future = event(hub, start=40, days=7)
        past = event(hub, start=-60, days=21)
        now = running_event(hub)
        assert future.status is EventStatus.OPEN and past.status is EventStatus.FINISHED
        ids = [e.id for e in hub.list_events()]
        assert {future.id, past.id, now.id} <= set(ids)
        assert ids.index(past.id) < ids.index(now.id) < ids.index(future.id)
        open_ids = [e.id for e in hub.list_events(open_only=True)]
        assert future.id in open_ids and now.id in open_ids and past.id not in open_ids

    # --- distance course -----------------------------------------------------------------------

    def test_course_units_progress_and_certificate(self, hub: HubPort) -> None:
        ed, units, trainer = edition(hub, units=3)
        assert ed.trainer_ids == (trainer.id,) and ed.is_current
        assert [u.position for u in hub.list_units(edition_id=ed.id)] == [1, 2, 3]
        unit = hub.get_unit(units[0].id)
        assert unit.documents[0].url == "https://example.org/guide.pdf"
        assert [a.position for a in unit.activities] == [1, 2]
        t = trainee(hub, ed.id)
        hub.enrol_trainee(ed.id, t.id)  # idempotent
        first = hub.mark_activity_done(t.id, unit.activities[0].id)
        assert first.done_activity_ids == (unit.activities[0].id,) and first.completed_at is None
        again = hub.mark_activity_done(t.id, unit.activities[0].id)
        assert again == first
        for u in units:
            for a in u.activities:
                progress = hub.mark_activity_done(t.id, a.id)
            assert progress.completed_at is not None
        assert hub.unit_progress(t.id, units[1].id).completed_at is not None
        cert = hub.complete_course(trainer.id, ed.id, t.id)
        assert (cert.kind, cert.subject) == (
            AcknowledgementKind.COURSE_CERTIFICATE,
            f"edition:{ed.id}",
        )
        assert ed.id in [e.id for e in hub.list_editions()]
        assert hub.get_edition(ed.id) == ed

    def test_list_trainees_in_name_order(self, hub: HubPort) -> None:
        ed, _, _ = edition(hub)
        other, _, _ = edition(hub)
        zoe = hub.create_person("zoe", PersonKind.TEACHER, country_code="ES")
        adam = hub.create_person("Adam", PersonKind.TEACHER, country_code="ES")
        for t in (zoe, adam):
            hub.enrol_trainee(ed.id, t.id)
        hub.enrol_trainee(ed.id, zoe.id)  # idempotent: listed once
        assert [p.id for p in hub.list_trainees(ed.id)] == [adam.id, zoe.id]
        assert hub.list_trainees(other.id) == []
        with pytest.raises(NotFoundError):
            hub.list_trainees(UNKNOWN_ID)

    def test_system_completion_needs_no_unit_progress(self, hub: HubPort) -> None:
        ed, _, _ = edition(hub)
        t = teacher(hub)
        cert = hub.complete_course(None, ed.id, t.id)
        assert cert.person_id == t.id and cert.evidence.get("decided_by") == "system"

    def test_current_edition_is_the_newest_running_one(self, hub: HubPort) -> None:
        trainer = person(hub, PersonKind.TRAINER, "ES")
        old = hub.create_edition(
            "Old", 2006, date(2006, 1, 1), date(2006, 6, 1), trainer_ids=[trainer.id]
        )
        assert not old.is_current
        units = [hub.add_unit(old.id, "Only", "").id]
        assert [u.id for u in hub.list_units(edition_id=old.id)] == units
        assert units[0] in [u.id for u in hub.list_units()]

    # --- labels and prizes ---------------------------------------------------------------------

    def test_nql_eql_and_prize(self, hub: HubPort) -> None:
        project = approved_project(hub, age_band=PrizeCategory.AGE_7_11)
        fr, it = project.founder_ids
        partner = teacher(hub, "FR")
        project = hub.add_partner(fr, project.id, partner.id)
        before = hub.prize_eligibility(project.id, PrizeCategory.AGE_7_11)
        assert not before.eligible and before.reasons

        application = hub.apply_nql(fr, project.id, "2030-2031")
        assert (
            application.decision is NqlDecision.PENDING and application.school_year == "2030-2031"
        )
        granted = hub.decide_nql("FR", application.id, SCORES, PASSING)
        assert granted.decision is NqlDecision.GRANTED and granted.decided_by == "FR"
        assert granted.scores == SCORES and granted.sub_scores == PASSING

        refused = hub.decide_nql(
            "IT", hub.apply_nql(it, project.id, "2030-2031").id, SCORES, FAILING
        )
        assert refused.decision is NqlDecision.REFUSED
        with pytest.raises(RuleViolationError):
            hub.award_eql(project.id)  # one labelled country so far
        second = hub.apply_nql(it, project.id, "2031-2032")  # a new school year
        hub.decide_nql("IT", second.id, SCORES, PASSING)
        assert [a.id for a in hub.list_nql_applications(project_id=project.id, teacher_id=it)] == [
            refused.id,
            second.id,
        ]
        awarded = hub.award_eql(project.id)
        assert sorted(a.person_id for a in awarded) == sorted([fr, it])
        assert all(a.kind is AcknowledgementKind.EUROPEAN_QUALITY_LABEL for a in awarded)

        prize = hub.prize_eligibility(project.id, PrizeCategory.AGE_7_11)
        assert prize.eligible and prize.reasons == ()
        assert set(prize.eligible_teacher_ids) == {fr, it}  # only NQL holders
        other = hub.prize_eligibility(project.id, PrizeCategory.AGE_16_19)
        assert not other.eligible  # one category per project

        # a partner labelled later receives the EQL on the next award
        labelled(hub, project, partner.id, "FR")
        assert [a.person_id for a in hub.award_eql(project.id)] == [partner.id]

    def test_four_applications_per_school_year(self, hub: HubPort) -> None:
        project, applicant = _four_applications(hub)
        assert len(hub.list_nql_applications(teacher_id=applicant)) == 4
        hub.apply_nql(applicant, project.id, "2031-2032")  # the next school year is fine
        assert len(hub.list_nql_applications(teacher_id=applicant)) == 5

    def test_acknowledgements_once_and_revocable(self, hub: HubPort) -> None:
        t = teacher(hub)
        ack = hub.issue_acknowledgement(
            AcknowledgementKind.EVENT_CERTIFICATE,
            t.id,
            "event:77",
            "Certificate",
            evidence={"hours": "12"},
        )
        assert ack.evidence == {"hours": "12"} and ack.revoked_at is None
        other = hub.issue_acknowledgement(
            AcknowledgementKind.EVENT_CERTIFICATE, t.id, "event:78", "Certificate"
        )
        assert [a.id for a in hub.list_acknowledgements(person_id=t.id)] == [ack.id, other.id]
        assert [
            a.id for a in hub.list_acknowledgements(subject="event:77") if a.person_id == t.id
        ] == [ack.id]
        revoked = hub.revoke_acknowledgement(ack.id, "Issued by mistake")
        assert revoked.revoked_at is not None
        assert revoked.evidence["revocation_reason"] == "Issued by mistake"
        with pytest.raises(DuplicateAcknowledgementError):  # revoked still counts: at most once
            hub.issue_acknowledgement(
                AcknowledgementKind.EVENT_CERTIFICATE, t.id, "event:77", "Certificate"
            )
