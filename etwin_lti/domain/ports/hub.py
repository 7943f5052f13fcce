"""The hub's ports, one ``Protocol`` per area, and ``HubPort``, their union.

A service asks for the narrowest area it uses (a page that shows a unit needs ``CourseHub``);
``HubPort`` is for callers that really span the hub (the CLI, the demo seed, the contract
suite). Every implementation of ``HubPort`` passes the same contract suite
(``tests/contract/hub_contract/``, class ``HubContract``, one module per area): the local
database hub on SQLite and PostgreSQL, and ``HttpHubConnector`` against a second running
instance.

Conventions for every area:
- ``actor_id`` is the person doing the action; permissions are checked against their TwinSpace
  role (domain-facts.md 1.4) and the error is ``PermissionDeniedError`` (403).
- Unknown ids raise ``NotFoundError`` (404); eTwinning rule conflicts ``RuleViolationError`` (409);
  bad values (empty or overlong titles, unknown country codes, wrong dates) ``InvalidInputError``
  (422) with a field map. A refused call writes nothing.
- Lists come back in a stable order (documented per method).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Protocol

from etwin_lti.domain.model import (
    Acknowledgement,
    AcknowledgementKind,
    Country,
    Edition,
    EducationalLevel,
    Enrolment,
    LearningEvent,
    Member,
    NqlApplication,
    Person,
    PersonKind,
    PrizeCategory,
    PrizeEligibility,
    Project,
    TwinSpace,
    TwinSpaceRole,
    Unit,
    UnitProgress,
)
from etwin_lti.domain.paging import MemberPage, ParticipantPage, RoleCount, TraineePage
from etwin_lti.domain.partner_invitations import PartnerInvitation
from etwin_lti.domain.people import NewPerson
from etwin_lti.domain.ports.chat import ChatHub
from etwin_lti.domain.ports.content import ContentHub
from etwin_lti.domain.ports.material_files import MaterialFilesHub
from etwin_lti.domain.public_pages import GALLERY_PAGE_SIZE, PublicProject, PublicProjectList
from etwin_lti.domain.twinspace_snapshot import TwinSpaceSnapshot
from etwin_lti.domain.twinspaces import MemberSync, SyncedMembers


class PeopleHub(Protocol):
    """Countries and people."""

    def list_countries(self) -> list[Country]:
        """Every country of the current country-list version, ordered by code."""
        ...

    def create_person(
        self,
        display_name: str,
        kind: PersonKind,
        *,
        country_code: str | None = None,
        school: str | None = None,
        email: str | None = None,
    ) -> Person:
        """NSO officers need a ``country_code``; teachers may come without one (the LMS may not
        know it) but, when given, it must be eligible, as for NSO officers. A pupil's e-mail
        is refused (422)."""
        ...

    def create_people(self, drafts: Sequence[NewPerson]) -> list[Person]:
        """Create several people at once (a roster's newcomers, or a launch's one), in order,
        each checked as ``create_person`` checks it: one invalid entry refuses the whole call
        (422) and nothing is written."""
        ...

    def get_person(self, person_id: int) -> Person: ...

    def find_teachers(self, name: str, *, limit: int = 20) -> list[Person]:
        """Teachers whose name contains ``name`` (case-insensitive; at least
        ``people.TEACHER_SEARCH_MIN`` characters after trimming, else 422) and whose country is
        set (the ones a project may take as partners), ordered by name then id, at most
        ``limit`` (1..``people.TEACHER_SEARCH_MAX``)."""
        ...

    def rename_person(self, actor_id: int, person_id: int, display_name: str) -> Person:
        """A teacher edits a pupil's pseudonym; anyone may rename themself."""
        ...

    def set_person_country(self, actor_id: int, person_id: int, country_code: str) -> Person:
        """Anyone sets their own country (a launch acts as the person); a tool administrator
        (``PersonKind.ADMIN``) sets anyone's, others get 403. The code must be known, and
        eligible for teachers and NSO officers (422). Setting the same country again changes
        nothing; a different one is refused (``CountryLockedError``, 409) once the person
        founded a project, whose scope and validating NSOs it decided. Checks: unknown ids
        (404), the actor's right (403), the code (422), then the lock (409)."""
        ...


class ProjectsHub(Protocol):
    """Projects: founding, NSO validation, partners, closing."""

    def create_project(
        self,
        founder_id: int,
        partner_founder_id: int,
        title: str,
        description: str = "",
        *,
        age_band: PrizeCategory | None = None,
    ) -> Project:
        """Two teacher founders; scope from their countries; status PENDING."""
        ...

    def validate_project(self, nso_country_code: str, project_id: int) -> Project:
        """One founder's NSO validates; when every founder's NSO has, the project is APPROVED,
        its TwinSpace and Project Diary exist, founders are teacher administrators and each
        founder holds the eTwinning label. An NSO of another country gets 403."""
        ...

    def add_partner(self, actor_id: int, project_id: int, teacher_id: int) -> Project:
        """A teacher administrator adds a partner teacher to an approved project (any number);
        the partner receives the project's eTwinning label in the same transaction (the label
        belongs to the project). Audited."""
        ...

    # --- partner invitations (issue 12 item 5; rules in domain.partner_invitations) ----------
    def invite_partner(self, actor_id: int, project_id: int, invitee_id: int) -> PartnerInvitation:
        """An active teacher administrator of the project's TwinSpace invites a teacher eligible
        as a partner (not themself, not already a founder or partner) to an approved, open
        project: 403 for others, 409 for a closed or pending project, an ineligible invitee or
        one already invited (one pending invitation per project and invitee). Audited."""
        ...

    def list_partner_invitations(self, project_id: int) -> list[PartnerInvitation]:
        """Every invitation of the project, answered ones too, ordered by id."""
        ...

    def pending_partner_invitations(self, person_id: int) -> list[PartnerInvitation]:
        """The pending invitations addressed to this person, ordered by id (empty for anyone
        not invited; an unknown person is 404)."""
        ...

    def answer_partner_invitation(
        self, person_id: int, invitation_id: int, accept: bool
    ) -> PartnerInvitation:
        """Only the invitee answers (403), only a pending invitation (409). Accepting makes them
        a partner in the same transaction (as ``add_partner``: partner row, TwinSpace membership,
        the project's eTwinning label); the rules of ``add_partner`` apply again (409 once the
        project closed). Audited."""
        ...

    def withdraw_partner_invitation(self, actor_id: int, invitation_id: int) -> PartnerInvitation:
        """An active teacher administrator of the project's TwinSpace withdraws a pending
        invitation (403 for others, 409 once answered). Audited."""
        ...

    def close_project(self, actor_id: int, project_id: int) -> Project:
        """A founder or co-founder closes the project; its TwinSpace becomes ARCHIVED
        (read-only). Others get 403, a closed project 409. Audited."""
        ...

    def update_project_profile(
        self,
        actor_id: int,
        project_id: int,
        *,
        description: str,
        subjects: Sequence[str],
        languages: Sequence[str],
        levels: Sequence[EducationalLevel],
    ) -> Project:
        """The founder or co-founder replaces the project's plan: description, subjects (the
        founders' words), working languages (ISO 639-1 codes) and educational levels
        (``domain.projects.clean_profile``: a bad value is 422 with a field map). Others get
        403 (``NotAProjectFounderError``), a closed project 409 (``ProjectClosedError``).
        Audited."""
        ...

    def extend_project(self, actor_id: int, project_id: int, ends_on: date) -> Project:
        """The founder or co-founder sets a new planned end: after the hub's today and after the
        current end (422 otherwise); 403 for others, 409 once closed. Audited."""
        ...

    def get_project(self, project_id: int) -> Project: ...

    def list_projects(self, *, member_id: int | None = None) -> list[Project]:
        """Ordered by id; with ``member_id`` only projects where they are founder or partner."""
        ...


class TwinSpacesHub(Protocol):
    """TwinSpaces and their members (domain-facts.md 1.4)."""

    def get_twinspace(self, twinspace_id: int) -> TwinSpace: ...

    def list_twinspaces(self, *, member_id: int | None = None) -> list[TwinSpace]:
        """Ordered by id; with ``member_id`` only where they are an active member."""
        ...

    def list_members(self, twinspace_id: int) -> list[Member]:
        """Ordered by role (administrators first), then display name."""
        ...

    def get_member(self, twinspace_id: int, person_id: int) -> Member: ...

    def twinspace_snapshot(
        self, twinspace_id: int, *, viewer_id: int | None = None
    ) -> TwinSpaceSnapshot:
        """What the embedded TwinSpace page shows, read in one unit of work: the TwinSpace,
        its project, the member counts per role, the viewer's membership, the authors of what
        is shown, pages, materials, Diary and (for a viewer who sees private content,
        ``twinspace_snapshot.sees_private``) private content and the forum. Its size does not
        grow with the number of members."""
        ...

    def role_counts(self, twinspace_id: int) -> list[RoleCount]:
        """Members per role (active and suspended), in role order; roles nobody holds are
        left out. One ``GROUP BY``, whatever the class size."""
        ...

    def member_page(self, twinspace_id: int, *, offset: int, limit: int) -> MemberPage:
        """``limit`` members (1 to 500) from ``offset``, in the order of ``list_members``
        (role, then display name case-insensitively, then person id), and the total. A window
        past the end is an empty page, not an error."""
        ...

    def add_member(
        self,
        actor_id: int,
        twinspace_id: int,
        person_id: int,
        role: TwinSpaceRole,
    ) -> Member:
        """Invite someone. Who may invite whom follows domain-facts.md 1.4."""
        ...

    def change_role(
        self, actor_id: int, twinspace_id: int, person_id: int, role: TwinSpaceRole
    ) -> Member:
        """Only teacher administrators; founders' roles are untouchable. Marks it MANUAL."""
        ...

    def suspend_member(self, actor_id: int, twinspace_id: int, person_id: int) -> Member:
        """Content is kept. Founders cannot be suspended. Marks it MANUAL."""
        ...

    def reactivate_member(self, actor_id: int, twinspace_id: int, person_id: int) -> Member: ...

    def sync_member(
        self, twinspace_id: int, person_id: int, role: TwinSpaceRole, *, active: bool = True
    ) -> Member:
        """Provisioning from the LMS (launch or roster sync), no actor. Creates or updates the
        member with ``role_source=LMS``, but never changes a member whose role source is MANUAL
        or PROJECT (a teacher administrator's decision wins), and never into an archived
        TwinSpace."""
        ...

    def sync_members(self, twinspace_id: int, changes: Sequence[MemberSync]) -> SyncedMembers:
        """``sync_member`` for each change, in order (a later change of the same person sees
        the earlier one), in as few round trips as the hub allows (the local hub: one
        transaction). An unknown TwinSpace raises (404); what ``sync_member`` would refuse for
        one person (unknown person, a role not for their kind, an archived TwinSpace) is in
        ``refused`` and the others are applied."""
        ...


class EventsHub(Protocol):
    """Learning Events (domain-facts.md 1.8)."""

    def create_event(
        self,
        title: str,
        description: str,
        expert_id: int,
        starts_on: date,
        ends_on: date,
        capacity: int,
    ) -> LearningEvent:
        """Expert-led; lasts 1 to 3 weeks (7 to 21 days); capacity at least 1."""
        ...

    def get_event(self, event_id: int) -> LearningEvent: ...

    def list_events(self, *, open_only: bool = False) -> list[LearningEvent]:
        """Ordered by start date then id."""
        ...

    def enrol(self, event_id: int, person_id: int) -> Enrolment:
        """Teachers only; refused when full (409) or already enrolled (409)."""
        ...

    def list_enrolments(self, event_id: int) -> list[Enrolment]: ...

    def get_enrolment(self, event_id: int, person_id: int) -> Enrolment:
        """404 when the event is unknown or the person is not enrolled."""
        ...

    def participant_page(self, event_id: int, *, offset: int, limit: int) -> ParticipantPage:
        """``limit`` participants from ``offset`` by display name (case-insensitive) then id,
        with the totals; a window past the end is an empty page."""
        ...

    def complete_event(self, actor_id: int, event_id: int, person_id: int) -> Acknowledgement:
        """The event's expert marks a participant complete: issues the certificate once."""
        ...


class CourseHub(Protocol):
    """The distance training course (domain-facts.md 1.9)."""

    def create_edition(
        self,
        title: str,
        year: int,
        starts_on: date,
        ends_on: date,
        *,
        trainer_ids: Sequence[int] = (),
    ) -> Edition: ...

    def get_edition(self, edition_id: int) -> Edition: ...

    def list_editions(self) -> list[Edition]:
        """Ordered by year then id; ``is_current`` marks the newest edition running today."""
        ...

    def add_unit(
        self,
        edition_id: int,
        title: str,
        summary: str,
        *,
        documents: Sequence[tuple[str, str]] = (),
        activities: Sequence[tuple[str, str]] = (),
    ) -> Unit:
        """Appended after the edition's last unit. documents: (title, url); activities:
        (title, instructions)."""
        ...

    def get_unit(self, unit_id: int) -> Unit: ...

    def list_units(self, *, edition_id: int | None = None) -> list[Unit]:
        """Ordered by edition then position."""
        ...

    def enrol_trainee(self, edition_id: int, person_id: int) -> None: ...

    def list_trainees(self, edition_id: int) -> list[Person]:
        """The edition's trainees, ordered by display name (case-insensitive) then id."""
        ...

    def is_trainee(self, edition_id: int, person_id: int) -> bool:
        """404 for an unknown edition; False for anyone not enrolled (unknown people too)."""
        ...

    def trainee_page(self, edition_id: int, *, offset: int, limit: int) -> TraineePage:
        """``limit`` trainees from ``offset`` in the order of ``list_trainees``, and the total."""
        ...

    def unit_progress_of(self, unit_id: int, person_ids: Sequence[int]) -> list[UnitProgress]:
        """``unit_progress`` of each person (at most 500) in one read, in the given order;
        unknown people get an empty progress."""
        ...

    def mark_activity_done(self, person_id: int, activity_id: int) -> UnitProgress:
        """Idempotent. When the last activity of a unit is done, ``completed_at`` is set."""
        ...

    def unit_progress(self, person_id: int, unit_id: int) -> UnitProgress: ...

    def complete_course(
        self, actor_id: int | None, edition_id: int, person_id: int
    ) -> Acknowledgement:
        """Issues the course certificate once; ``actor_id`` None for system decisions (Moodle
        completion), else a trainer of the edition. Refused (409) while units are unfinished
        unless the decision comes from the system."""
        ...


class RecognitionHub(Protocol):
    """Quality Labels, prizes and acknowledgements (domain-facts.md 1.5)."""

    def apply_nql(self, actor_id: int, project_id: int) -> NqlApplication:
        """A teacher of a European project; at most 4 applications per teacher per school year,
        the school year of the hub's today (``acknowledgements.school_year_of``). The hub
        assembles the application's ``evidence`` from the TwinSpace itself
        (``domain.projects.nql_evidence``); the applicant supplies none. Audited."""
        ...

    def decide_nql(
        self,
        nso_country_code: str,
        application_id: int,
        scores: Mapping[str, int],
        sub_scores: Mapping[str, int],
    ) -> NqlApplication:
        """The applicant's NSO scores the five criteria and the three minimum sub-criteria;
        granted when every sub-criterion meets its minimum, then the NQL is issued."""
        ...

    def list_nql_applications(
        self, *, project_id: int | None = None, teacher_id: int | None = None
    ) -> list[NqlApplication]: ...

    def award_eql(self, project_id: int) -> list[Acknowledgement]:
        """The EQL is awarded by rule inside ``decide_nql`` (``acknowledgements.eql_by_rule``);
        this call applies the same rule for NQLs granted before it existed, recorded as awarded
        by the CSS. Refused (409): a national or unapproved project, NQLs from fewer than two
        countries (``EqlNotEarnedError``), a withdrawn EQL (``EqlWithdrawnError``), or every NQL
        holder holding it already (``EqlAlreadyAwardedError``, what it says once the rule ran)."""
        ...

    def withdraw_eql(self, project_id: int, reason: str) -> list[Acknowledgement]:
        """The CSS withdraws the project's EQL with a reason (422 without one): every holder's
        is revoked, audited, and the rule never awards it again. Refused (409) when the
        project holds none (``EqlNotHeldError``) or it was withdrawn already."""
        ...

    def prize_eligibility(self, project_id: int, category: PrizeCategory) -> PrizeEligibility: ...

    def issue_acknowledgement(
        self,
        kind: AcknowledgementKind,
        person_id: int,
        subject: str,
        title: str,
        *,
        evidence: Mapping[str, str] | None = None,
    ) -> Acknowledgement:
        """Certificates only: the labels come from their own procedure
        (``LabelProcedureError``). At most once per (kind, person, subject): a second call
        raises ``DuplicateAcknowledgementError`` (enforced by a database constraint)."""
        ...

    def get_acknowledgement(self, acknowledgement_id: int) -> Acknowledgement: ...

    def revoke_acknowledgement(self, acknowledgement_id: int, reason: str) -> Acknowledgement: ...

    def list_acknowledgements(
        self, *, person_id: int | None = None, subject: str | None = None
    ) -> list[Acknowledgement]:
        """Ordered by id."""
        ...


class PublicHub(Protocol):
    """What anyone may read without logging in (``etwin_lti.domain.public_pages``)."""

    def public_project(self, project_id: int) -> PublicProject:
        """An approved project's public page; ``NoPublicPageError`` (404) alike for an unknown
        id, a pending project and one closed before approval."""
        ...

    def list_public_projects(
        self, *, offset: int = 0, limit: int = GALLERY_PAGE_SIZE
    ) -> PublicProjectList:
        """Approved projects with public content, newest approval first (then id); ``limit``
        1 to ``GALLERY_PAGE_MAX`` (422 otherwise)."""
        ...


class HubPort(
    PeopleHub,
    ProjectsHub,
    TwinSpacesHub,
    ContentHub,
    EventsHub,
    CourseHub,
    RecognitionHub,
    MaterialFilesHub,
    ChatHub,
    PublicHub,
    Protocol,
):
    """The whole hub: every area (the chat's port is in ``ports.chat``). Prefer the narrow area
    port where one is enough."""
