"""Rows of the local hub's tables turned into the domain's dataclasses, and "load or 404".

Kept apart from ``local_hub`` so that the use cases there read as rules plus storage calls.
"""

from __future__ import annotations

from datetime import date
from typing import Any, TypeVar

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from etwin_lti.domain import acknowledgements as acks
from etwin_lti.domain.course import current_edition_id
from etwin_lti.domain.events import event_status
from etwin_lti.domain.model import (
    Acknowledgement,
    AcknowledgementKind,
    Activity,
    Country,
    DiaryComment,
    DiaryPost,
    Document,
    Edition,
    EducationalLevel,
    ForumPost,
    ForumThread,
    LearningEvent,
    Material,
    MaterialFile,
    MaterialKind,
    Member,
    MemberStatus,
    NqlApplication,
    NqlDecision,
    Page,
    Person,
    PersonKind,
    PrizeCategory,
    Project,
    ProjectScope,
    ProjectStatus,
    RoleSource,
    TwinSpace,
    TwinSpaceRole,
    TwinSpaceStatus,
    Unit,
    Visibility,
)
from etwin_lti.domain.partner_invitations import PartnerInvitation, PartnerInvitationState
from etwin_lti.domain.translatable import N_
from etwin_lti.domain.twinspaces import PUPIL_ROLES
from etwin_lti.errors import NotFoundError
from etwin_lti.persistence.models.hub import (
    AcknowledgementRow,
    ActivityRow,
    CountryListRow,
    CountryRow,
    DiaryCommentRow,
    DiaryPostRow,
    EditionRow,
    EditionTrainerRow,
    ForumPostRow,
    ForumThreadRow,
    LearningEventRow,
    MaterialRow,
    MemberRow,
    NqlApplicationRow,
    PageRow,
    PartnerInvitationRow,
    PersonRow,
    ProjectFounderRow,
    ProjectPartnerRow,
    ProjectRow,
    ProjectValidationRow,
    TwinSpaceRow,
    UnitDocumentRow,
    UnitRow,
)

RowT = TypeVar("RowT")


# What ``load`` says when a row is missing, per kind of record (each one translated).
NOT_FOUND = {
    "Acknowledgement": N_("Acknowledgement %(id)s does not exist."),
    "Activity": N_("Activity %(id)s does not exist."),
    "Diary post": N_("Diary post %(id)s does not exist."),
    "Edition": N_("Edition %(id)s does not exist."),
    "Forum thread": N_("Forum thread %(id)s does not exist."),
    "Learning Event": N_("Learning Event %(id)s does not exist."),
    "NQL application": N_("NQL application %(id)s does not exist."),
    "Person": N_("Person %(id)s does not exist."),
    "Project": N_("Project %(id)s does not exist."),
    "TwinSpace": N_("TwinSpace %(id)s does not exist."),
    "Unit": N_("Unit %(id)s does not exist."),
}


def load(session: Session, model: type[RowT], key: Any, what: str, *, lock: bool = False) -> RowT:
    """The row with primary key ``key`` or ``NotFoundError``; ``lock`` takes a row lock on
    PostgreSQL (SQLite serialises writers anyway and ignores FOR UPDATE)."""
    if lock:
        row = session.get(model, key, with_for_update=True)
    else:
        row = session.get(model, key)
    if row is None:
        raise NotFoundError(NOT_FOUND.get(what, N_("That does not exist.")), params={"id": key})
    return row


# --- countries and people -------------------------------------------------------------------------


def current_countries(session: Session) -> dict[str, Country]:
    version = session.scalar(select(CountryListRow.version).where(CountryListRow.is_current))
    rows = session.scalars(
        select(CountryRow).where(CountryRow.list_version == version).order_by(CountryRow.code)
    )
    return {row.code: country(row) for row in rows}


def country(row: CountryRow) -> Country:
    return Country(
        code=row.code, name=row.name, nso=row.nso, programme=row.programme, eligible=row.eligible
    )


def person(row: PersonRow) -> Person:
    return Person(
        id=row.id,
        display_name=row.display_name,
        kind=PersonKind(row.kind),
        country_code=row.country_code,
        school=row.school,
        email=row.email,
    )


def load_person(session: Session, person_id: int, *, lock: bool = False) -> Person:
    return person(load(session, PersonRow, person_id, "Person", lock=lock))


# --- projects and TwinSpaces ----------------------------------------------------------------------


_UNKNOWN: Any = object()


def project(session: Session, row: ProjectRow, *, twinspace_id: Any = _UNKNOWN) -> Project:
    """``twinspace_id``: pass it when the caller already knows it (one query less)."""
    founders = session.scalars(
        select(ProjectFounderRow)
        .where(ProjectFounderRow.project_id == row.id)
        .order_by(ProjectFounderRow.position)
    ).all()
    validated = session.scalars(
        select(ProjectValidationRow.country_code)
        .where(ProjectValidationRow.project_id == row.id)
        .order_by(ProjectValidationRow.validated_at, ProjectValidationRow.country_code)
    ).all()
    partners = session.scalars(
        select(ProjectPartnerRow.person_id)
        .where(ProjectPartnerRow.project_id == row.id)
        .order_by(ProjectPartnerRow.joined_at, ProjectPartnerRow.person_id)
    ).all()
    if twinspace_id is _UNKNOWN:
        twinspace_id = session.scalar(
            select(TwinSpaceRow.id).where(TwinSpaceRow.project_id == row.id)
        )
    return Project(
        id=row.id,
        title=row.title,
        description=row.description,
        scope=ProjectScope(row.scope),
        status=ProjectStatus(row.status),
        founder_ids=(founders[0].person_id, founders[1].person_id),
        founder_countries=(founders[0].country_code, founders[1].country_code),
        validated_by=tuple(validated),
        partner_ids=tuple(partners),
        twinspace_id=twinspace_id,
        age_band=PrizeCategory(row.age_band) if row.age_band else None,
        created_at=row.created_at,
        approved_at=row.approved_at,
        closed_at=row.closed_at,
        subjects=tuple(row.subjects or ()),
        languages=tuple(row.languages or ()),
        levels=tuple(EducationalLevel(v) for v in row.levels or ()),
        ends_on=row.ends_on,
    )


def load_project(session: Session, project_id: int, *, lock: bool = False) -> Project:
    return project(session, load(session, ProjectRow, project_id, "Project", lock=lock))


def twinspace(session: Session, row: TwinSpaceRow) -> TwinSpace:
    has_pupils = session.scalar(
        select(
            exists().where(
                MemberRow.twinspace_id == row.id,
                MemberRow.role.in_([r.value for r in PUPIL_ROLES]),
            )
        )
    )
    return TwinSpace(
        id=row.id,
        project_id=row.project_id,
        title=row.title,
        status=TwinSpaceStatus(row.status),
        has_pupils=bool(has_pupils),
    )


def load_twinspace(session: Session, twinspace_id: int) -> TwinSpace:
    return twinspace(session, load(session, TwinSpaceRow, twinspace_id, "TwinSpace"))


def member(row: Any, display_name: str) -> Member:
    """From the ORM row, or a Core row holding the same columns (the launch's reads)."""
    return Member(
        twinspace_id=row.twinspace_id,
        person_id=row.person_id,
        display_name=display_name,
        role=TwinSpaceRole(row.role),
        status=MemberStatus(row.status),
        role_source=RoleSource(row.role_source),
        is_founder=row.is_founder,
    )


def member_row(session: Session, twinspace_id: int, person_id: int) -> MemberRow | None:
    return session.get(MemberRow, (twinspace_id, person_id))


def find_member(session: Session, twinspace_id: int, person_id: int) -> Member | None:
    row = member_row(session, twinspace_id, person_id)
    if row is None:
        return None
    name = session.scalar(select(PersonRow.display_name).where(PersonRow.id == person_id))
    return member(row, name or "")


def load_member(session: Session, twinspace_id: int, person_id: int) -> Member:
    found = find_member(session, twinspace_id, person_id)
    if found is None:
        raise NotFoundError(f"Person {person_id} is not a member of TwinSpace {twinspace_id}.")
    return found


# --- content --------------------------------------------------------------------------------------


def page(row: PageRow) -> Page:
    return Page(
        id=row.id,
        twinspace_id=row.twinspace_id,
        title=row.title,
        body=row.body,
        visibility=Visibility(row.visibility),
        author_id=row.author_id,
        created_at=row.created_at,
        hidden=row.hidden_at is not None,
    )


def material(row: MaterialRow) -> Material:
    return Material(
        id=row.id,
        twinspace_id=row.twinspace_id,
        title=row.title,
        kind=MaterialKind(row.kind),
        url=row.url,
        visibility=Visibility(row.visibility),
        author_id=row.author_id,
        created_at=row.created_at,
        file=material_file(row),
        hidden=row.hidden_at is not None,
    )


def material_file(row: MaterialRow) -> MaterialFile | None:
    if row.file_key is None:
        return None
    return MaterialFile(
        content_type=row.content_type or "application/octet-stream",
        size=row.file_size or 0,
        filename=row.file_name or "file",
        has_thumbnail=row.thumbnail_key is not None,
    )


def diary_comment(row: DiaryCommentRow) -> DiaryComment:
    return DiaryComment(
        id=row.id,
        post_id=row.post_id,
        author_id=row.author_id,
        body=row.body,
        created_at=row.created_at,
        hidden=row.hidden_at is not None,
    )


def diary_post(session: Session, row: DiaryPostRow, *, with_hidden: bool = True) -> DiaryPost:
    query = select(DiaryCommentRow).where(DiaryCommentRow.post_id == row.id)
    if not with_hidden:
        query = query.where(DiaryCommentRow.hidden_at.is_(None))
    comments = session.scalars(query.order_by(DiaryCommentRow.created_at, DiaryCommentRow.id))
    return DiaryPost(
        id=row.id,
        project_id=row.project_id,
        author_id=row.author_id,
        title=row.title,
        body=row.body,
        created_at=row.created_at,
        comments=tuple(diary_comment(c) for c in comments),
        hidden=row.hidden_at is not None,
    )


def diary_posts(
    session: Session, project_id: int, *, with_hidden: bool = False
) -> tuple[DiaryPost, ...]:
    """A project's Diary, newest first, with every post's comments in one more query; what a
    teacher administrator hid only ``with_hidden`` (a hidden post hides its comments too)."""
    query = select(DiaryPostRow).where(DiaryPostRow.project_id == project_id)
    if not with_hidden:
        query = query.where(DiaryPostRow.hidden_at.is_(None))
    rows = session.scalars(
        query.order_by(DiaryPostRow.created_at.desc(), DiaryPostRow.id.desc())
    ).all()
    comments: dict[int, list[DiaryComment]] = {row.id: [] for row in rows}
    if rows:
        comment_query = select(DiaryCommentRow).where(DiaryCommentRow.post_id.in_(list(comments)))
        if not with_hidden:
            comment_query = comment_query.where(DiaryCommentRow.hidden_at.is_(None))
        for c in session.scalars(
            comment_query.order_by(DiaryCommentRow.created_at, DiaryCommentRow.id)
        ):
            comments[c.post_id].append(diary_comment(c))
    return tuple(
        DiaryPost(
            id=row.id,
            project_id=row.project_id,
            author_id=row.author_id,
            title=row.title,
            body=row.body,
            created_at=row.created_at,
            comments=tuple(comments[row.id]),
            hidden=row.hidden_at is not None,
        )
        for row in rows
    )


def forum_threads(
    session: Session, twinspace_id: int, *, with_hidden: bool = False
) -> tuple[ForumThread, ...]:
    """A TwinSpace's forum by thread id, with every thread's posts in one more query; what a
    teacher administrator hid only ``with_hidden``."""
    query = select(ForumThreadRow).where(ForumThreadRow.twinspace_id == twinspace_id)
    if not with_hidden:
        query = query.where(ForumThreadRow.hidden_at.is_(None))
    rows = session.scalars(query.order_by(ForumThreadRow.id)).all()
    posts: dict[int, list[ForumPost]] = {row.id: [] for row in rows}
    if rows:
        post_query = select(ForumPostRow).where(ForumPostRow.thread_id.in_(list(posts)))
        if not with_hidden:
            post_query = post_query.where(ForumPostRow.hidden_at.is_(None))
        for p in session.scalars(post_query.order_by(ForumPostRow.id)):
            posts[p.thread_id].append(forum_post(p))
    return tuple(
        ForumThread(
            id=row.id,
            twinspace_id=row.twinspace_id,
            author_id=row.author_id,
            title=row.title,
            created_at=row.created_at,
            posts=tuple(posts[row.id]),
            hidden=row.hidden_at is not None,
        )
        for row in rows
    )


def forum_post(row: ForumPostRow) -> ForumPost:
    return ForumPost(
        id=row.id,
        thread_id=row.thread_id,
        author_id=row.author_id,
        body=row.body,
        created_at=row.created_at,
        hidden=row.hidden_at is not None,
    )


def forum_thread(session: Session, row: ForumThreadRow) -> ForumThread:
    posts = session.scalars(
        select(ForumPostRow).where(ForumPostRow.thread_id == row.id).order_by(ForumPostRow.id)
    )
    return ForumThread(
        id=row.id,
        twinspace_id=row.twinspace_id,
        author_id=row.author_id,
        title=row.title,
        created_at=row.created_at,
        posts=tuple(forum_post(p) for p in posts),
        hidden=row.hidden_at is not None,
    )


# --- Learning Events and the course ---------------------------------------------------------------


def learning_event(row: LearningEventRow, today: date) -> LearningEvent:
    return LearningEvent(
        id=row.id,
        title=row.title,
        description=row.description,
        expert_id=row.expert_id,
        starts_on=row.starts_on,
        ends_on=row.ends_on,
        capacity=row.capacity,
        enrolled=row.enrolled,
        status=event_status(row.starts_on, row.ends_on, today),
    )


def editions(session: Session, today: date) -> list[Edition]:
    """Every edition, ordered by year then id, with ``is_current`` worked out across them."""
    rows = session.scalars(select(EditionRow).order_by(EditionRow.year, EditionRow.id)).all()
    trainers: dict[int, list[int]] = {}
    for edition_id, person_id in session.execute(
        select(EditionTrainerRow.edition_id, EditionTrainerRow.person_id).order_by(
            EditionTrainerRow.person_id
        )
    ):
        trainers.setdefault(edition_id, []).append(person_id)
    plain = [
        Edition(
            id=row.id,
            title=row.title,
            year=row.year,
            starts_on=row.starts_on,
            ends_on=row.ends_on,
            trainer_ids=tuple(trainers.get(row.id, ())),
        )
        for row in rows
    ]
    current = current_edition_id(plain, today)
    return [
        Edition(
            id=e.id,
            title=e.title,
            year=e.year,
            starts_on=e.starts_on,
            ends_on=e.ends_on,
            trainer_ids=e.trainer_ids,
            is_current=e.id == current,
        )
        for e in plain
    ]


def load_edition(session: Session, edition_id: int, today: date) -> Edition:
    for edition in editions(session, today):
        if edition.id == edition_id:
            return edition
    raise NotFoundError(f"Edition {edition_id} does not exist.")


def unit(session: Session, row: UnitRow) -> Unit:
    documents = session.scalars(
        select(UnitDocumentRow)
        .where(UnitDocumentRow.unit_id == row.id)
        .order_by(UnitDocumentRow.position)
    )
    activities = session.scalars(
        select(ActivityRow).where(ActivityRow.unit_id == row.id).order_by(ActivityRow.position)
    )
    return Unit(
        id=row.id,
        edition_id=row.edition_id,
        title=row.title,
        summary=row.summary,
        position=row.position,
        documents=tuple(Document(title=d.title, url=d.url) for d in documents),
        activities=tuple(
            Activity(
                id=a.id,
                unit_id=a.unit_id,
                title=a.title,
                instructions=a.instructions,
                position=a.position,
            )
            for a in activities
        ),
    )


def load_unit(session: Session, unit_id: int) -> Unit:
    return unit(session, load(session, UnitRow, unit_id, "Unit"))


# --- acknowledgements -----------------------------------------------------------------------------


def nql_application(row: NqlApplicationRow) -> NqlApplication:
    return NqlApplication(
        id=row.id,
        project_id=row.project_id,
        teacher_id=row.teacher_id,
        school_year=row.school_year,
        decision=NqlDecision(row.decision),
        scores=dict(row.scores or {}),
        sub_scores=dict(row.sub_scores or {}),
        decided_by=row.decided_by,
        evidence={str(k): str(v) for k, v in (row.evidence or {}).items()},
    )


def acknowledgement(row: AcknowledgementRow) -> Acknowledgement:
    return Acknowledgement(
        id=row.id,
        kind=AcknowledgementKind(row.kind),
        person_id=row.person_id,
        subject=row.subject,
        title=row.title,
        issued_at=row.issued_at,
        revoked_at=row.revoked_at,
        evidence=dict(row.evidence or {}),
    )


def eql_status(session: Session, project_id: int) -> acks.EqlStatus | None:
    """The project's EQL as its pages show it (``acknowledgements.eql_status``)."""
    rows = session.scalars(
        select(AcknowledgementRow)
        .where(
            AcknowledgementRow.kind == AcknowledgementKind.EUROPEAN_QUALITY_LABEL.value,
            AcknowledgementRow.subject == acks.project_subject(project_id),
        )
        .order_by(AcknowledgementRow.id)
    )
    return acks.eql_status(acknowledgement(row) for row in rows)


def partner_invitation(row: PartnerInvitationRow) -> PartnerInvitation:
    return PartnerInvitation(
        id=row.id,
        project_id=row.project_id,
        inviter_id=row.inviter_id,
        invitee_id=row.invitee_id,
        created_at=row.created_at,
        state=PartnerInvitationState(row.state),
        decided_at=row.decided_at,
    )
