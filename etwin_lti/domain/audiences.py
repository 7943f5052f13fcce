"""Who comes in, and as what: the audience of a platform and DESIGN.md's role table.

A platform (or one course of it) is a **school** LMS, where learners are pupils, or a
**teacher-training** LMS (the NSO's Moodle that runs the distance course), where everyone is a
teacher and a learner is a trainee or an event participant. ``admit`` turns the TwinSpace role
a platform's role policy granted (``etwin_lti.lti.roles``) into a person kind and the role shown
on the page, for the resource opened and the person's kind if they are already known. The kind
depends on the audience and the LTI role only — never on which resource happened to be opened
first — and once stored it never flips: a refusal explains, nothing is converted.

granted (LTI role)            school LMS                  teacher-training LMS
teacher, expert, observer     teacher                     trainer / expert / teacher
pupil (Learner)               pupil, TwinSpaces only      trainee / participant / teacher
guest (Mentor)                visitor with a permit only  visitor with a permit only
none, with Administrator      tool administrator only     tool administrator only

At a Learning Event or a course unit the role shown is then settled with the hub's facts, by
``event_role`` and ``unit_role``, at the launch and on the page alike (one source, so that the
page's header and its content agree): a Learning Event's expert is the hub's expert of that event
— no LMS role makes anyone else one — and a teacher who is neither its expert nor enrolled may
enrol; a unit's trainers are the edition's trainers in the hub and, in a teacher-training LMS,
the course's Instructors.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass

from etwin_lti.domain.launches import ResourceKind
from etwin_lti.domain.model import PersonKind, TwinSpaceRole
from etwin_lti.domain.translatable import N_
from etwin_lti.errors import InvalidInputError, PermissionDeniedError, PupilFixer


class Audience(enum.StrEnum):
    SCHOOL = "school"
    TRAINING = "training"


def parse_audience(value: str) -> Audience:
    try:
        return Audience(value.strip().lower())
    except ValueError:
        raise InvalidInputError(
            errors={"audience": ["must be school or teacher-training (training)"]}
        ) from None


# Roles granted at Learning Events and course units (DESIGN.md, issue 3 item 7), before the
# hub's facts settle them (``event_role``, ``unit_role``). "teacher": may enrol.
EVENT_ROLE: Mapping[TwinSpaceRole, str] = {
    TwinSpaceRole.TEACHER: "teacher",
    TwinSpaceRole.EXPERT: "teacher",
    TwinSpaceRole.OBSERVER: "guest",
    TwinSpaceRole.PUPIL: "participant",
    TwinSpaceRole.GUEST: "guest",
}
UNIT_ROLE: Mapping[TwinSpaceRole, str] = {
    TwinSpaceRole.TEACHER: "trainer",
    TwinSpaceRole.EXPERT: "trainer",
    TwinSpaceRole.OBSERVER: "guest",
    TwinSpaceRole.PUPIL: "trainee",
    TwinSpaceRole.GUEST: "guest",
}
TOOL_ADMIN_ROLE = "admin"
_TEACHERS_ONLY = frozenset({ResourceKind.EVENT, ResourceKind.UNIT})


class TeachersOnlyError(PermissionDeniedError):
    """A pupil opened a Learning Event or a course unit: said in a child's words."""

    error = "teachers_only"
    description = N_(
        "This page is only for teachers, so it cannot open for you. Your class works together "
        "in its TwinSpace: ask your teacher which activity to open."
    )
    who_can_fix = N_("your teacher")


class VisitorPermitRequiredError(PermissionDeniedError):
    error = "visitor_permit_required"
    description = N_(
        "Parents and other visitors enter a TwinSpace only with a visitor permit, and you do "
        "not have one for this TwinSpace."
    )
    who_can_fix = N_("a teacher administrator of this TwinSpace (they grant visitor permits)")


class VisitorsOnlyInTwinSpacesError(PermissionDeniedError):
    error = "visitors_only_in_twinspaces"
    description = N_(
        "Parents and other visitors may visit a TwinSpace with a permit; Learning Events and "
        "the distance course are for teachers."
    )
    who_can_fix = N_("the teacher of this course")


class PersonKindFixedError(PermissionDeniedError):
    error = "person_kind_fixed"
    description = N_(
        "Your LMS account is known to eTwinning as another kind of person than this course "
        "says (a pupil, a teacher or a visitor), and that never changes."
    )
    who_can_fix = N_(
        "your LMS administrator (check your role in this course), or the tool administrator"
    )
    pupil_fixer = PupilFixer.TEACHER


@dataclass(frozen=True)
class Admission:
    """What a launch or a roster entry may become."""

    person_kind: PersonKind | None  # None: no person at all (tool administrator pages only)
    twinspace_role: TwinSpaceRole | None  # a TwinSpace membership's role; None without a person
    shown_role: str  # ``data-etwin-role``: pupil, teacher, participant, trainer, admin...
    needs_permit: bool = False  # a visitor: only with a teacher administrator's permit


def shown_role(granted: TwinSpaceRole | None, kind: ResourceKind | None) -> str:
    """The role a granted TwinSpace role shows on a page of this kind."""
    if granted is None:
        return TOOL_ADMIN_ROLE
    if kind is ResourceKind.EVENT:
        return EVENT_ROLE[granted]
    if kind is ResourceKind.UNIT:
        return UNIT_ROLE[granted]
    return granted.value


def admit(
    audience: Audience,
    granted: TwinSpaceRole | None,
    resource: ResourceKind | None,
    *,
    known_kind: PersonKind | None = None,
) -> Admission:
    """``granted`` is what the role policy gave (None: an administrator with no course role,
    the policy refuses everyone else before). ``resource`` None: no resource yet (deep
    linking, a review)."""
    if granted is None:
        return Admission(None, None, TOOL_ADMIN_ROLE)
    if granted is TwinSpaceRole.GUEST:
        if resource in _TEACHERS_ONLY:
            raise VisitorsOnlyInTwinSpacesError()
        wanted = PersonKind.GUEST
    elif granted is TwinSpaceRole.PUPIL and audience is Audience.SCHOOL:
        if resource in _TEACHERS_ONLY:
            raise TeachersOnlyError()
        wanted = PersonKind.PUPIL
    else:
        wanted = PersonKind.TEACHER
    kind = keep_kind(known_kind, wanted)
    role = granted
    if granted is TwinSpaceRole.PUPIL and kind is not PersonKind.PUPIL:
        role = TwinSpaceRole.TEACHER  # a learner of a teacher-training LMS is a teacher
    shown = (
        role.value if resource in (ResourceKind.TWINSPACE, None) else shown_role(granted, resource)
    )
    if shown == "trainer" and audience is Audience.SCHOOL:
        shown = "teacher"  # a school's teacher trains nobody: the edition's trainers do
    return Admission(kind, role, shown, needs_permit=granted is TwinSpaceRole.GUEST)


def keep_kind(known: PersonKind | None, wanted: PersonKind) -> PersonKind:
    """A known person keeps their kind. Pupils are never anything else and nobody else becomes
    a pupil; a visitor does not become a teacher. A teacher may visit (a parent at their own
    child's school): they stay a teacher with a visitor's role."""
    if known is None or known is wanted:
        return wanted
    if PersonKind.PUPIL in (known, wanted) or known is PersonKind.GUEST:
        raise PersonKindFixedError()
    return known


def event_role(granted: str, *, is_expert: bool, enrolled: bool) -> str:
    """The role shown at a Learning Event: ``granted`` is what ``admit`` (or an earlier launch
    of this event) gave. The hub's expert of the event leads it; an enrolled teacher takes
    part; any other teacher may enrol (a guest only looks)."""
    if is_expert:
        return "expert"
    if enrolled:
        return "participant"
    return "guest" if granted == "guest" else "teacher"


def unit_role(granted: str, *, is_edition_trainer: bool, is_trainee: bool) -> str:
    """The role shown at a course unit: the edition's trainers in the hub, and the course's
    Instructors of a teacher-training LMS (``granted`` "trainer"), see the trainees' progress;
    a trainee works through the unit; any other teacher reads it."""
    if is_edition_trainer or granted == "trainer":
        return "trainer"
    if is_trainee:
        return "trainee"
    return "guest" if granted == "guest" else "teacher"
