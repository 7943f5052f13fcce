"""``PrivacyStore`` over the tool's database: one person's data across every table, and erasure.

Tables that hold personal data, and what erasure does to each (docs/decisions/0007):

    people                  name → pseudonym; e-mail and school dropped (country kept: the
                            NSO rules over kept records need it)
    lti_identities          deleted (issuer, sub; deployment first seen)
    launch_sessions         deleted
    lti_link_launchers      deleted (which resource links the person launched)
    score_outbox            deleted (pending scores are not sent; sent ones held the LMS sub)
    moodle_poll_marks       deleted (Moodle user id ↔ person)
    api_tokens              a teacher's own tokens deleted (they stop working at once)
    twinspace_members       suspended
    acknowledgements        revoked, reason recorded; identifying evidence keys dropped
    pages, link materials, diary, forum, enrolments, course progress, NQL applications,
    founders, partners     kept, attributed to the pseudonym (shared project work)
    file materials          deleted, rows and stored bytes (a photo or recording of a pupil is
                            theirs, not the project's): the objects are removed from the file
                            store inside the transaction, so a failure rolls the rows back and
                            a second erasure finishes the job
    chat_messages           deleted (chat lines are conversation, not shared work, and often
                            carry names; kept three months anyway)
    privacy_erasures        one row: makes erasure idempotent

``erase`` runs every statement in one ``Database.session()``: a database error anywhere rolls
the whole erasure back and becomes ``ErasureFailedError``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime
from typing import Any, TypeVar

from sqlalchemy import case, delete, func, insert, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from connectors import hub_records as rec
from connectors import sql_audit as audit
from connectors.sql_api_tokens import token_of
from connectors.sql_score_outbox import outbox_entry
from etwin_lti.domain.audit import AuditAction
from etwin_lti.domain.chat import ChatMessage
from etwin_lti.domain.model import Member, MemberStatus, NqlApplication, ProjectStatus
from etwin_lti.domain.partner_invitations import PartnerInvitationState
from etwin_lti.domain.ports.file_store import FileStore
from etwin_lti.domain.privacy import (
    ErasureCounts,
    ErasureFailedError,
    ErasurePlan,
    ErasureReason,
    ErasureRecord,
    IdentityRecord,
    ParticipationRecord,
    PersonalData,
    PollMarkRecord,
    ProjectRecord,
    PurgeCandidate,
    SessionRecord,
    erased_evidence,
)
from etwin_lti.domain.translatable import N_
from etwin_lti.errors import NotFoundError
from etwin_lti.persistence.db import Database
from etwin_lti.persistence.models.api_tokens import ApiTokenRow
from etwin_lti.persistence.models.bindings import LinkLauncherRow
from etwin_lti.persistence.models.chat import ChatMessageRow
from etwin_lti.persistence.models.hub import (
    AcknowledgementRow,
    ActivityCompletionRow,
    ActivityRow,
    DiaryCommentRow,
    DiaryPostRow,
    EditionRow,
    EditionTraineeRow,
    EditionTrainerRow,
    EnrolmentRow,
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
)
from etwin_lti.persistence.models.lti import LaunchSessionRow, LtiIdentityRow
from etwin_lti.persistence.models.moodle import (
    MoodleMappingRow,
    MoodlePollMarkRow,
    MoodleSiteRow,
)
from etwin_lti.persistence.models.passback import ScoreOutboxRow
from etwin_lti.persistence.models.privacy import ErasureRow

T = TypeVar("T")


def _rowcount(result: Any) -> int:
    return int(result.rowcount)


class SqlPrivacyStore:
    def __init__(self, database: Database, *, file_store: FileStore | None = None) -> None:
        self._db = database
        self._files = file_store

    # --- look-ups -------------------------------------------------------------------------------

    def person_exists(self, person_id: int) -> bool:
        with self._db.session() as s:
            return s.get(PersonRow, person_id) is not None

    def find_people_by_lti(
        self, issuer: str, sub: str, deployment_id: str | None = None
    ) -> list[int]:
        # One person per (issuer, sub) since revision 0002; the deployment is where the user
        # was first seen (an unsettled first-launch claim has no person yet).
        query = select(LtiIdentityRow.person_id).where(
            LtiIdentityRow.issuer == issuer,
            LtiIdentityRow.sub == sub,
            LtiIdentityRow.person_id.is_not(None),
        )
        if deployment_id is not None:
            query = query.where(LtiIdentityRow.deployment_id == deployment_id)
        with self._db.session() as s:
            return sorted(set(s.scalars(query)))

    def open_founded_projects(self, person_id: int) -> tuple[int, ...]:
        with self._db.session() as s:
            return self._open_founded(s, person_id)

    def _open_founded(self, s: Session, person_id: int) -> tuple[int, ...]:
        query = (
            select(ProjectRow.id)
            .join(ProjectFounderRow, ProjectFounderRow.project_id == ProjectRow.id)
            .where(
                ProjectFounderRow.person_id == person_id,
                ProjectRow.status != ProjectStatus.CLOSED.value,
            )
            .order_by(ProjectRow.id)
        )
        return tuple(dict.fromkeys(s.scalars(query)))

    def erasure(self, person_id: int) -> ErasureRecord | None:
        with self._db.session() as s:
            return self._erasure(s, person_id)

    def _erasure(self, s: Session, person_id: int) -> ErasureRecord | None:
        row = s.get(ErasureRow, person_id)
        if row is None:
            return None
        return ErasureRecord(
            person_id=row.person_id,
            pseudonym=row.pseudonym,
            reason=ErasureReason(row.reason),
            forced=row.forced,
            erased_at=row.erased_at,
        )

    # --- export ---------------------------------------------------------------------------------

    def collect(self, person_id: int) -> PersonalData:
        with self._db.session() as s:
            person = s.get(PersonRow, person_id)
            if person is None:
                raise NotFoundError(N_("Person %(id)s does not exist."), params={"id": person_id})
            return PersonalData(
                profile=replace(rec.person(person), created_at=person.created_at),
                identities=self._identities(s, person_id),
                memberships=self._memberships(s, person),
                projects=self._projects(s, person_id),
                **self._content(s, person_id),
                participation=self._participation(s, person_id),
                acknowledgements=self._owned(s, AcknowledgementRow, person_id, rec.acknowledgement),
                nql_applications=self._nql(s, person_id),
                scores=self._owned(s, ScoreOutboxRow, person_id, outbox_entry),
                launch_sessions=self._sessions(s, person_id),
                moodle_poll_marks=self._poll_marks(s, person_id),
                erasure=self._erasure(s, person_id),
                api_tokens=tuple(
                    token_of(row)
                    for row in s.scalars(
                        select(ApiTokenRow)
                        .where(ApiTokenRow.person_id == person_id)
                        .order_by(ApiTokenRow.id)
                    )
                ),
                partner_invitations=tuple(
                    rec.partner_invitation(row)
                    for row in s.scalars(
                        select(PartnerInvitationRow)
                        .where(
                            (PartnerInvitationRow.invitee_id == person_id)
                            | (PartnerInvitationRow.inviter_id == person_id)
                        )
                        .order_by(PartnerInvitationRow.id)
                    )
                ),
            )

    def _identities(self, s: Session, person_id: int) -> tuple[IdentityRecord, ...]:
        rows = s.scalars(
            select(LtiIdentityRow)
            .where(LtiIdentityRow.person_id == person_id)
            .order_by(LtiIdentityRow.id)
        )
        return tuple(IdentityRecord(r.issuer, r.deployment_id, r.sub, r.created_at) for r in rows)

    def _memberships(self, s: Session, person: PersonRow) -> tuple[Member, ...]:
        rows = s.scalars(
            select(MemberRow)
            .where(MemberRow.person_id == person.id)
            .order_by(MemberRow.twinspace_id)
        )
        return tuple(
            replace(
                rec.member(m, person.display_name), joined_at=m.joined_at, updated_at=m.updated_at
            )
            for m in rows
        )

    def _projects(self, s: Session, person_id: int) -> tuple[ProjectRecord, ...]:
        founded = s.execute(
            select(ProjectRow.id, ProjectRow.title, ProjectRow.status)
            .join(ProjectFounderRow, ProjectFounderRow.project_id == ProjectRow.id)
            .where(ProjectFounderRow.person_id == person_id)
        )
        joined = s.execute(
            select(ProjectRow.id, ProjectRow.title, ProjectRow.status)
            .join(ProjectPartnerRow, ProjectPartnerRow.project_id == ProjectRow.id)
            .where(ProjectPartnerRow.person_id == person_id)
        )
        records = [ProjectRecord(pid, title, status, "founder") for pid, title, status in founded]
        records += [ProjectRecord(pid, title, status, "partner") for pid, title, status in joined]
        return tuple(sorted(records, key=lambda r: (r.project_id, r.relation)))

    def _content(self, s: Session, person_id: int) -> dict[str, tuple[Any, ...]]:
        """Only what the person wrote: their diary posts without the comments of others (their
        own comments are listed apart), their threads without the replies of others."""
        return {
            "pages": tuple(map(rec.page, self._rows(s, PageRow, PageRow.author_id, person_id))),
            "materials": tuple(
                map(rec.material, self._rows(s, MaterialRow, MaterialRow.author_id, person_id))
            ),
            "diary_posts": tuple(
                replace(rec.diary_post(s, r), comments=())
                for r in self._rows(s, DiaryPostRow, DiaryPostRow.author_id, person_id)
            ),
            "diary_comments": tuple(
                map(
                    rec.diary_comment,
                    self._rows(s, DiaryCommentRow, DiaryCommentRow.author_id, person_id),
                )
            ),
            "forum_threads": tuple(
                replace(rec.forum_thread(s, r), posts=())
                for r in self._rows(s, ForumThreadRow, ForumThreadRow.author_id, person_id)
            ),
            "forum_posts": tuple(
                map(rec.forum_post, self._rows(s, ForumPostRow, ForumPostRow.author_id, person_id))
            ),
            "chat_messages": tuple(
                ChatMessage(
                    r.id,
                    r.twinspace_id,
                    r.author_id,
                    r.body,
                    r.created_at,
                    r.revision,
                    hidden=r.hidden,
                    deleted=r.deleted,
                )
                for r in self._rows(s, ChatMessageRow, ChatMessageRow.author_id, person_id)
            ),
        }

    @staticmethod
    def _rows(s: Session, model: Any, owner: Any, person_id: int) -> list[Any]:
        """The person's rows of one table (``owner`` = the column naming them), oldest first."""
        return list(s.scalars(select(model).where(owner == person_id).order_by(model.id)))

    def _owned(
        self, s: Session, model: Any, person_id: int, to_domain: Callable[[Any], T]
    ) -> tuple[T, ...]:
        return tuple(map(to_domain, self._rows(s, model, model.person_id, person_id)))

    def _participation(self, s: Session, person_id: int) -> tuple[ParticipationRecord, ...]:
        records: list[ParticipationRecord] = []
        enrolments = s.execute(
            select(EnrolmentRow, LearningEventRow.title)
            .join(LearningEventRow, LearningEventRow.id == EnrolmentRow.event_id)
            .where(EnrolmentRow.person_id == person_id)
            .order_by(EnrolmentRow.event_id)
        )
        for enrolment, title in enrolments:
            records.append(
                ParticipationRecord(
                    "event_enrolment",
                    f"event:{enrolment.event_id}",
                    title,
                    enrolment.enrolled_at,
                    enrolment.completed_at,
                )
            )
        led = s.scalars(
            select(LearningEventRow)
            .where(LearningEventRow.expert_id == person_id)
            .order_by(LearningEventRow.id)
        )
        for event in led:
            records.append(
                ParticipationRecord(
                    "event_expert", f"event:{event.id}", event.title, event.created_at
                )
            )
        trainee = s.execute(
            select(EditionTraineeRow, EditionRow.title)
            .join(EditionRow, EditionRow.id == EditionTraineeRow.edition_id)
            .where(EditionTraineeRow.person_id == person_id)
            .order_by(EditionTraineeRow.edition_id)
        )
        for row, title in trainee:
            records.append(
                ParticipationRecord(
                    "course_trainee", f"edition:{row.edition_id}", title, row.enrolled_at
                )
            )
        trainer = s.execute(
            select(EditionTrainerRow.edition_id, EditionRow.title)
            .join(EditionRow, EditionRow.id == EditionTrainerRow.edition_id)
            .where(EditionTrainerRow.person_id == person_id)
            .order_by(EditionTrainerRow.edition_id)
        )
        for edition_id, title in trainer:
            records.append(
                ParticipationRecord("course_trainer", f"edition:{edition_id}", title, None)
            )
        done = s.execute(
            select(ActivityCompletionRow, ActivityRow.title)
            .join(ActivityRow, ActivityRow.id == ActivityCompletionRow.activity_id)
            .where(ActivityCompletionRow.person_id == person_id)
            .order_by(ActivityCompletionRow.activity_id)
        )
        for completion, title in done:
            records.append(
                ParticipationRecord(
                    "activity_done",
                    f"activity:{completion.activity_id}",
                    title,
                    completion.done_at,
                )
            )
        return tuple(records)

    def _nql(self, s: Session, person_id: int) -> tuple[NqlApplication, ...]:
        rows = self._rows(s, NqlApplicationRow, NqlApplicationRow.teacher_id, person_id)
        return tuple(
            replace(rec.nql_application(r), applied_at=r.applied_at, decided_at=r.decided_at)
            for r in rows
        )

    def _sessions(self, s: Session, person_id: int) -> tuple[SessionRecord, ...]:
        rows = s.scalars(
            select(LaunchSessionRow)
            .where(LaunchSessionRow.person_id == person_id)
            .order_by(LaunchSessionRow.expires_at)
        )
        records = []
        for row in rows:
            data = json.loads(row.data)
            records.append(
                SessionRecord(
                    platform_id=row.platform_id,
                    context_title=data.get("context_title"),
                    role=data.get("role"),
                    expires_at=row.expires_at,
                )
            )
        return tuple(records)

    def _poll_marks(self, s: Session, person_id: int) -> tuple[PollMarkRecord, ...]:
        rows = s.execute(
            select(MoodlePollMarkRow, MoodleSiteRow.url, MoodleMappingRow.course_id)
            .join(MoodleMappingRow, MoodleMappingRow.id == MoodlePollMarkRow.mapping_id)
            .join(MoodleSiteRow, MoodleSiteRow.id == MoodleMappingRow.site_id)
            .where(MoodlePollMarkRow.person_id == person_id)
            .order_by(MoodlePollMarkRow.id)
        )
        return tuple(
            PollMarkRecord(url, course_id, mark.moodle_user_id, mark.state, mark.updated_at)
            for mark, url, course_id in rows
        )

    # --- erasure --------------------------------------------------------------------------------

    def erase(self, plan: ErasurePlan) -> ErasureCounts:
        try:
            with self._db.session() as s:
                return self._erase(s, plan)
        except SQLAlchemyError as error:
            raise ErasureFailedError() from error

    def _erase(self, s: Session, plan: ErasurePlan) -> ErasureCounts:
        pid, now = plan.person_id, plan.now
        # Locked (PostgreSQL): a launch or a second erasure of this person waits for this one.
        person = s.get(PersonRow, pid, with_for_update=True)
        if person is None:
            raise NotFoundError(N_("Person %(id)s does not exist."), params={"id": pid})
        identities = s.execute(delete(LtiIdentityRow).where(LtiIdentityRow.person_id == pid))
        sessions = s.execute(delete(LaunchSessionRow).where(LaunchSessionRow.person_id == pid))
        scores = s.execute(delete(ScoreOutboxRow).where(ScoreOutboxRow.person_id == pid))
        marks = s.execute(delete(MoodlePollMarkRow).where(MoodlePollMarkRow.person_id == pid))
        s.execute(delete(LinkLauncherRow).where(LinkLauncherRow.person_id == pid))
        chat_lines = s.execute(delete(ChatMessageRow).where(ChatMessageRow.author_id == pid))
        tokens = s.execute(delete(ApiTokenRow).where(ApiTokenRow.person_id == pid))
        # Nobody is left to answer: the founders see the invitation withdrawn.
        s.execute(
            update(PartnerInvitationRow)
            .where(
                PartnerInvitationRow.invitee_id == pid,
                PartnerInvitationRow.state == PartnerInvitationState.PENDING.value,
            )
            .values(state=PartnerInvitationState.WITHDRAWN.value, decided_at=now)
        )
        person.display_name, person.email, person.school = plan.pseudonym, None, None
        suspended = s.execute(
            update(MemberRow)
            .where(MemberRow.person_id == pid, MemberRow.status != MemberStatus.SUSPENDED.value)
            .values(status=MemberStatus.SUSPENDED.value, updated_at=now)
        )
        revoked = 0
        live = s.scalars(
            select(AcknowledgementRow).where(
                AcknowledgementRow.person_id == pid, AcknowledgementRow.revoked_at.is_(None)
            )
        )
        for acknowledgement in live:
            acknowledgement.revoked_at = now
            acknowledgement.evidence = erased_evidence(
                acknowledgement.evidence or {}, plan.revocation_reason
            )
            revoked += 1
        s.flush()
        s.execute(
            insert(ErasureRow).values(
                person_id=pid,
                pseudonym=plan.pseudonym,
                reason=plan.reason.value,
                forced=plan.forced,
                erased_at=now,
            )
        )
        files_deleted = self._erase_files(s, pid)
        counts = ErasureCounts(
            identities_deleted=_rowcount(identities),
            launch_sessions_deleted=_rowcount(sessions),
            scores_deleted=_rowcount(scores),
            poll_marks_deleted=_rowcount(marks),
            memberships_suspended=_rowcount(suspended),
            acknowledgements_revoked=revoked,
            content_kept=self._content_count(s, pid),
            files_deleted=files_deleted,
            chat_messages_deleted=_rowcount(chat_lines),
            api_tokens_deleted=_rowcount(tokens),
        )
        # The pseudonym, not the name: the log must not keep what the erasure removed.
        audit.record(
            s,
            AuditAction.PERSON_ERASED,
            "person",
            pid,
            {
                "pseudonym": plan.pseudonym,
                "reason": plan.reason.value,
                "forced": plan.forced,
                "acknowledgements_revoked": revoked,
            },
            at=now,
        )
        return counts

    def _erase_files(self, s: Session, pid: int) -> int:
        rows = list(
            s.scalars(
                select(MaterialRow).where(
                    MaterialRow.author_id == pid, MaterialRow.file_key.is_not(None)
                )
            )
        )
        keys = [k for row in rows for k in (row.file_key, row.thumbnail_key) if k is not None]
        for row in rows:
            s.delete(row)
        s.flush()
        if keys and self._files is None:
            raise ErasureFailedError(N_("This person uploaded files but no file store is set."))
        for key in keys:
            assert self._files is not None
            self._files.delete(key)
        return len(rows)

    def _content_count(self, s: Session, pid: int) -> int:
        authored = (
            PageRow,
            MaterialRow,
            DiaryPostRow,
            DiaryCommentRow,
            ForumThreadRow,
            ForumPostRow,
        )
        return sum(
            int(s.scalar(select(func.count()).select_from(m).where(m.author_id == pid)) or 0)
            for m in authored
        )

    # --- retention ------------------------------------------------------------------------------

    def purge_candidates(self, *, cutoff: datetime, today: date) -> list[PurgeCandidate]:
        active = func.sum(case((MemberRow.status == MemberStatus.ACTIVE.value, 1), else_=0))
        grouped = (
            select(MemberRow.person_id, func.max(MemberRow.updated_at))
            .where(MemberRow.person_id.not_in(select(ErasureRow.person_id)))
            .group_by(MemberRow.person_id)
            .having(active == 0)
            .order_by(MemberRow.person_id)
        )
        candidates = []
        with self._db.session() as s:
            for person_id, last_change in s.execute(grouped).all():
                suspended_since = last_change
                if suspended_since >= cutoff or self._still_taking_part(s, person_id, today):
                    continue
                candidates.append(
                    PurgeCandidate(person_id, suspended_since, self._open_founded(s, person_id))
                )
        return candidates

    def _still_taking_part(self, s: Session, person_id: int, today: date) -> bool:
        """Enrolled in, or leading, an event or course edition that has not ended."""
        running_events = select(LearningEventRow.id).where(LearningEventRow.ends_on >= today)
        running_editions = select(EditionRow.id).where(EditionRow.ends_on >= today)
        checks = (
            select(EnrolmentRow.person_id).where(
                EnrolmentRow.person_id == person_id, EnrolmentRow.event_id.in_(running_events)
            ),
            select(LearningEventRow.id).where(
                LearningEventRow.expert_id == person_id, LearningEventRow.ends_on >= today
            ),
            select(EditionTraineeRow.person_id).where(
                EditionTraineeRow.person_id == person_id,
                EditionTraineeRow.edition_id.in_(running_editions),
            ),
            select(EditionTrainerRow.person_id).where(
                EditionTrainerRow.person_id == person_id,
                EditionTrainerRow.edition_id.in_(running_editions),
            ),
        )
        return any(s.execute(check.limit(1)).first() is not None for check in checks)
