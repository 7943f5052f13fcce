"""The eTwinning hub's vocabulary: plain, immutable dataclasses and enums.

Rules live beside this module (``projects``, ``twinspaces``, ``acknowledgements``...), the port
that stores and serves these objects is ``ports.HubPort``. Nothing here knows about Flask, SQL or
HTTP. Identifiers are integers assigned by the hub. Sources for every rule: DESIGN.md
("eTwinning rules") and reference/domain-facts.md.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime


class PersonKind(enum.StrEnum):
    TEACHER = "teacher"  # a validated eTwinner (may found projects, apply for labels)
    PUPIL = "pupil"  # no platform account of their own; never an e-mail
    EXPERT = "expert"  # leads Learning Events
    TRAINER = "trainer"  # runs the distance course
    GUEST = "guest"  # read-only visitor (parents, mentors)
    NSO_OFFICER = "nso_officer"  # National Support Organisation staff
    CSS_OFFICER = "css_officer"  # Central Support Service staff
    ADMIN = "admin"  # tool administrator


class ProjectScope(enum.StrEnum):
    EUROPEAN = "european"  # founders from two different eligible countries
    NATIONAL = "national"  # founders from the same country: no NQL, never EQL


class ProjectStatus(enum.StrEnum):
    PENDING = "pending"  # waiting for each founder's NSO
    APPROVED = "approved"  # TwinSpace and Project Diary exist, eTwinning label granted
    CLOSED = "closed"  # TwinSpace archived read-only


class TwinSpaceStatus(enum.StrEnum):
    OPEN = "open"
    ARCHIVED = "archived"  # read-only


class TwinSpaceRole(enum.StrEnum):
    """TwinSpace roles (domain-facts.md 1.4), snake_case as shown in ``data-etwin-role``."""

    TEACHER_ADMINISTRATOR = "teacher_administrator"
    TEACHER = "teacher"
    EXPERT = "expert"
    OBSERVER = "observer"
    PUPIL_ADMINISTRATOR = "pupil_administrator"
    PUPIL = "pupil"
    GUEST = "guest"  # read-only visitor


class MemberStatus(enum.StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"  # content kept; no access


class RoleSource(enum.StrEnum):
    """Who last decided a member's role: a teacher administrator's choice is never overridden."""

    PROJECT = "project"  # founders and partners, from the project itself
    LMS = "lms"  # provisioned from an LTI launch or a roster sync
    MANUAL = "manual"  # set by hand by a teacher administrator


class Visibility(enum.StrEnum):
    PUBLIC = "public"
    PRIVATE = "private"


class MaterialKind(enum.StrEnum):
    DOCUMENT = "document"
    PHOTO = "photo"
    SOUND = "sound"
    VIDEO = "video"
    LINK = "link"


class EventStatus(enum.StrEnum):
    OPEN = "open"  # enrolment open
    RUNNING = "running"
    FINISHED = "finished"


class AcknowledgementKind(enum.StrEnum):
    ETWINNING_LABEL = "etwinning_label"  # granted with project approval
    NATIONAL_QUALITY_LABEL = "national_quality_label"
    EUROPEAN_QUALITY_LABEL = "european_quality_label"
    EVENT_CERTIFICATE = "event_certificate"  # Learning Event certificate of participation
    COURSE_CERTIFICATE = "course_certificate"  # distance training course certificate


class NqlDecision(enum.StrEnum):
    PENDING = "pending"
    GRANTED = "granted"
    REFUSED = "refused"


class NqlCriterion(enum.StrEnum):
    """The five NQL criteria (ESEP rules)."""

    COLLABORATION = "collaboration"
    USE_OF_TECHNOLOGY = "use_of_technology"
    PEDAGOGICAL_APPROACHES = "pedagogical_approaches"
    CURRICULAR_INTEGRATION = "curricular_integration"
    RESULTS_AND_DOCUMENTATION = "results_and_documentation"


class NqlSubCriterion(enum.StrEnum):
    """The three sub-criteria that need a minimum score for an NQL to be granted."""

    PUPIL_COLLABORATION = "pupil_collaboration"
    USE_OF_ICT = "use_of_ict"
    GDPR_COPYRIGHT_ESAFETY = "gdpr_copyright_esafety"


class PrizeCategory(enum.StrEnum):
    """European eTwinning Prize categories (age bands since 2021)."""

    AGE_UP_TO_6 = "age_up_to_6"
    AGE_7_11 = "age_7_11"
    AGE_12_15 = "age_12_15"
    AGE_16_19 = "age_16_19"
    INITIAL_VET = "initial_vet"


class EducationalLevel(enum.StrEnum):
    """The levels (pupils' age bands) a project works with: "all educational levels prior to
    university" (course unit 1), in the bands the European Prizes use since 2021
    (domain-facts.md 1.7), so a project's levels and its prize category speak the same words."""

    EARLY_CHILDHOOD = "early_childhood"  # up to 6
    PRIMARY = "primary"  # 7-11
    LOWER_SECONDARY = "lower_secondary"  # 12-15
    UPPER_SECONDARY = "upper_secondary"  # 16-19
    INITIAL_VET = "initial_vet"  # initial vocational education and training


@dataclass(frozen=True)
class Country:
    code: str  # ISO 3166-1 alpha-2
    name: str
    nso: str  # the National Support Organisation
    programme: str  # "erasmus_plus" or "etwinning_plus"
    eligible: bool = True


@dataclass(frozen=True)
class Person:
    id: int
    display_name: str  # a pseudonym for pupils unless the school opted in to names
    kind: PersonKind
    country_code: str | None = None
    school: str | None = None
    email: str | None = None  # never stored for pupils
    created_at: datetime | None = None  # read where it is shown (the privacy export)


@dataclass(frozen=True)
class Project:
    id: int
    title: str
    description: str
    scope: ProjectScope
    status: ProjectStatus
    founder_ids: tuple[int, int]
    founder_countries: tuple[str, str]
    validated_by: tuple[str, ...]  # NSO country codes that validated so far
    partner_ids: tuple[int, ...]  # partners who joined after approval
    twinspace_id: int | None
    age_band: PrizeCategory | None
    created_at: datetime
    approved_at: datetime | None = None
    closed_at: datetime | None = None
    # The project's plan, edited by its founders from the LMS page (issue 12 item 5).
    subjects: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()  # ISO 639-1 codes, the working languages
    levels: tuple[EducationalLevel, ...] = ()
    ends_on: date | None = None  # planned end; founders extend it


@dataclass(frozen=True)
class TwinSpace:
    id: int
    project_id: int
    title: str
    status: TwinSpaceStatus
    has_pupils: bool  # content is private by default once pupils are members


@dataclass(frozen=True)
class Member:
    twinspace_id: int
    person_id: int
    display_name: str
    role: TwinSpaceRole
    status: MemberStatus
    role_source: RoleSource
    is_founder: bool  # founders and co-founders: no one can change their rights
    joined_at: datetime | None = None  # the times are read where they are shown (privacy export)
    updated_at: datetime | None = None


@dataclass(frozen=True)
class Page:
    id: int
    twinspace_id: int
    title: str
    body: str
    visibility: Visibility
    author_id: int
    created_at: datetime
    hidden: bool = False  # by a teacher administrator: shown to them only


@dataclass(frozen=True)
class MaterialFile:
    """An uploaded file of a material as the hub describes it (its store key stays in the hub;
    the rules of what may be uploaded are ``etwin_lti.domain.files``)."""

    content_type: str
    size: int
    filename: str
    has_thumbnail: bool


@dataclass(frozen=True)
class Material:
    id: int
    twinspace_id: int
    title: str
    kind: MaterialKind
    url: str | None  # a link; None for an uploaded file (``file``)
    visibility: Visibility
    author_id: int
    created_at: datetime
    file: MaterialFile | None = None  # an uploaded document, photo or sound
    hidden: bool = False  # by a teacher administrator: shown to them only


@dataclass(frozen=True)
class DiaryComment:
    id: int
    post_id: int
    author_id: int
    body: str
    created_at: datetime
    hidden: bool = False  # by a teacher administrator: shown to them only


@dataclass(frozen=True)
class DiaryPost:
    id: int
    project_id: int
    author_id: int
    title: str
    body: str
    created_at: datetime
    comments: tuple[DiaryComment, ...] = ()
    hidden: bool = False  # by a teacher administrator: shown to them only


@dataclass(frozen=True)
class ForumPost:
    id: int
    thread_id: int
    author_id: int
    body: str
    created_at: datetime
    hidden: bool = False  # by a teacher administrator: shown to them only


@dataclass(frozen=True)
class ForumThread:
    id: int
    twinspace_id: int
    author_id: int
    title: str
    created_at: datetime
    posts: tuple[ForumPost, ...] = ()
    hidden: bool = False  # by a teacher administrator: shown to them only


@dataclass(frozen=True)
class LearningEvent:
    id: int
    title: str
    description: str
    expert_id: int
    starts_on: date
    ends_on: date  # 1 to 3 weeks after starts_on
    capacity: int
    enrolled: int
    status: EventStatus


@dataclass(frozen=True)
class Enrolment:
    event_id: int
    person_id: int
    completed_at: datetime | None = None


@dataclass(frozen=True)
class Activity:
    id: int
    unit_id: int
    title: str
    instructions: str
    position: int


@dataclass(frozen=True)
class Document:
    title: str
    url: str


@dataclass(frozen=True)
class Unit:
    id: int
    edition_id: int
    title: str
    summary: str
    position: int
    documents: tuple[Document, ...] = ()
    activities: tuple[Activity, ...] = ()


@dataclass(frozen=True)
class Edition:
    id: int
    title: str
    year: int
    starts_on: date
    ends_on: date
    trainer_ids: tuple[int, ...] = ()
    is_current: bool = False


@dataclass(frozen=True)
class UnitProgress:
    unit_id: int
    person_id: int
    done_activity_ids: tuple[int, ...]
    completed_at: datetime | None  # set when every activity of the unit is done


@dataclass(frozen=True)
class NqlApplication:
    id: int
    project_id: int
    teacher_id: int
    school_year: str  # "2026-2027"
    decision: NqlDecision
    scores: dict[str, int] = field(default_factory=dict)  # NqlCriterion value -> score
    sub_scores: dict[str, int] = field(default_factory=dict)  # NqlSubCriterion value -> score
    decided_by: str | None = None  # NSO country code
    applied_at: datetime | None = None  # the times are read where they are shown (privacy export)
    decided_at: datetime | None = None
    # What the TwinSpace showed when the teacher applied (counts, countries, dates), assembled
    # by the hub, never by the applicant: what the NSO judges the application on.
    evidence: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Acknowledgement:
    id: int
    kind: AcknowledgementKind
    person_id: int
    subject: str  # what it is for: "project:<id>", "event:<id>", "edition:<id>"
    title: str
    issued_at: datetime
    revoked_at: datetime | None = None
    evidence: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class PrizeEligibility:
    project_id: int
    category: PrizeCategory
    eligible: bool
    reasons: tuple[str, ...]  # why not, in words a teacher understands
    eligible_teacher_ids: tuple[int, ...] = ()  # partners holding an NQL
