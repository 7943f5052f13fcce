"""Merge one hub person into another inside a caller's transaction, losing nothing.

Used by teacher linking (``connectors.sql_teacher_accounts``): the provisional person an LMS
teacher's first launch created is merged into the eTwinning profile they claimed. The "people"
work (identity migration) needs the same operation; until one shared merge lands, this is the
linking one. Every table that names a person, and what happens to the merged person's rows:

    lti_identities              moved, with the target's kind (an identity's kind is its person's)
    pages, materials, diary posts and comments, forum threads and posts, chat messages,
    learning_events.expert_id, moodle_poll_marks, teacher_invitations,
    partner_invitations.inviter_id
                                moved
    partner_invitations.invitee_id
                                moved; a pending one for a project where the target has one
                                pending too is withdrawn (one pending per project and invitee)
    twinspace_members           moved; where both are members, the stronger decision stays
                                (project > manual > LMS), then the more active, then the
                                target's row
    event_enrolments            moved; where both are enrolled, one row, completed if either was
    edition_trainers/trainees, activity_completions, project_partners
                                moved; duplicates of the same fact dropped
    lti_link_launchers, lti_resource_bindings (chosen_by, decided_by)
                                moved; a link both launched is kept once
    acknowledgements, nql_applications, score_outbox
                                moved; where the target already holds the same (kind, subject) /
                                (project, year) / (link, resource) its row stays (the unique
                                constraint says there is one such fact)
    project_founders            moved; the same project founded by both refuses the merge
    launch_sessions             deleted (the person must launch again; the caller opens a new
                                session for the target)
    api_tokens.person_id        moved: a teacher's API tokens keep acting for the same teacher
    privacy_erasures            an erased person on either side refuses the merge
    people                      the merged row is deleted last
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, delete, select, update
from sqlalchemy.orm import Session

from etwin_lti.domain.model import MemberStatus, RoleSource
from etwin_lti.domain.partner_invitations import PartnerInvitationState
from etwin_lti.domain.translatable import N_
from etwin_lti.errors import RuleViolationError
from etwin_lti.persistence.models.api_tokens import ApiTokenRow
from etwin_lti.persistence.models.bindings import LinkLauncherRow, ResourceBindingRow
from etwin_lti.persistence.models.chat import ChatMessageRow
from etwin_lti.persistence.models.hub import (
    AcknowledgementRow,
    ActivityCompletionRow,
    DiaryCommentRow,
    DiaryPostRow,
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
)
from etwin_lti.persistence.models.lti import LaunchSessionRow, LtiIdentityRow
from etwin_lti.persistence.models.moodle import MoodlePollMarkRow
from etwin_lti.persistence.models.passback import ScoreOutboxRow
from etwin_lti.persistence.models.privacy import ErasureRow
from etwin_lti.persistence.models.teacher_linking import TeacherInvitationRow

_SOURCE_STRENGTH = {
    RoleSource.PROJECT.value: 2,
    RoleSource.MANUAL.value: 1,
    RoleSource.LMS.value: 0,
}


class MergeRefusedError(RuleViolationError):
    error = "merge_refused"
    description = N_("These two eTwinning people cannot be merged.")
    who_can_fix = N_("the tool administrator")


# (model, person column) whose rows simply move.
_MOVED: tuple[tuple[Any, str], ...] = (
    (LtiIdentityRow, "person_id"),
    (PageRow, "author_id"),
    (MaterialRow, "author_id"),
    (DiaryPostRow, "author_id"),
    (DiaryCommentRow, "author_id"),
    (ForumThreadRow, "author_id"),
    (ForumPostRow, "author_id"),
    (ChatMessageRow, "author_id"),
    (LearningEventRow, "expert_id"),
    (MoodlePollMarkRow, "person_id"),
    (TeacherInvitationRow, "inviter_id"),
    (TeacherInvitationRow, "invitee_id"),
    (PartnerInvitationRow, "inviter_id"),
    (ResourceBindingRow, "chosen_by"),
    (ResourceBindingRow, "decided_by"),
    (ApiTokenRow, "person_id"),
)
# (model, person column, the other columns of its unique key): where the target has the same
# key, the target's row stays and the merged one is dropped.
_DEDUPED: tuple[tuple[Any, str, tuple[str, ...]], ...] = (
    (EditionTrainerRow, "person_id", ("edition_id",)),
    (EditionTraineeRow, "person_id", ("edition_id",)),
    (ActivityCompletionRow, "person_id", ("activity_id",)),
    (ProjectPartnerRow, "person_id", ("project_id",)),
    (AcknowledgementRow, "person_id", ("kind", "subject")),
    (NqlApplicationRow, "teacher_id", ("project_id", "school_year")),
    (ScoreOutboxRow, "person_id", ("platform_id", "resource_link_id", "resource")),
    (LinkLauncherRow, "person_id", ("platform_id", "deployment_id", "resource_link_id")),
)


def merge_person(s: Session, merged_id: int, into_id: int) -> None:
    """Move everything of ``merged_id`` to ``into_id`` and delete ``merged_id`` (see the module
    docstring); flushes but never commits."""
    if merged_id == into_id:
        return
    erased = s.execute(
        select(ErasureRow.person_id).where(ErasureRow.person_id.in_((merged_id, into_id)))
    ).first()
    if erased is not None:
        raise MergeRefusedError(N_("An erased person cannot be merged."))
    _merge_founders(s, merged_id, into_id)
    _merge_members(s, merged_id, into_id)
    _merge_enrolments(s, merged_id, into_id)
    _merge_partner_invitations(s, merged_id, into_id)
    for model, column, key in _DEDUPED:
        _dedupe(s, model, column, key, merged_id, into_id)
    for model, column in _MOVED:
        s.execute(
            update(model).where(getattr(model, column) == merged_id).values({column: into_id})
        )
    target_kind = s.scalar(select(PersonRow.kind).where(PersonRow.id == into_id))
    if target_kind is not None:
        s.execute(
            update(LtiIdentityRow)
            .where(LtiIdentityRow.person_id == into_id)
            .values(kind=target_kind)
        )
    s.execute(delete(LaunchSessionRow).where(LaunchSessionRow.person_id == merged_id))
    s.execute(delete(PersonRow).where(PersonRow.id == merged_id))
    s.flush()


def _dedupe(
    s: Session, model: Any, column: str, key: tuple[str, ...], merged_id: int, into_id: int
) -> None:
    person = getattr(model, column)
    held = {
        tuple(row)
        for row in s.execute(select(*(getattr(model, k) for k in key)).where(person == into_id))
    }
    for row in s.execute(select(model).where(person == merged_id)).scalars().all():
        if tuple(getattr(row, k) for k in key) in held:
            s.delete(row)
        else:
            setattr(row, column, into_id)
    s.flush()


def _merge_partner_invitations(s: Session, merged_id: int, into_id: int) -> None:
    pending = PartnerInvitationState.PENDING.value
    held = set(
        s.scalars(
            select(PartnerInvitationRow.project_id).where(
                PartnerInvitationRow.invitee_id == into_id, PartnerInvitationRow.state == pending
            )
        )
    )
    rows = s.scalars(
        select(PartnerInvitationRow).where(PartnerInvitationRow.invitee_id == merged_id)
    )
    for row in rows.all():
        if row.state == pending and row.project_id in held:
            row.state = PartnerInvitationState.WITHDRAWN.value
            row.decided_at = row.created_at  # no clock here: the record says "never answered"
        row.invitee_id = into_id
    s.flush()


def _merge_founders(s: Session, merged_id: int, into_id: int) -> None:
    rows = s.execute(select(ProjectFounderRow).where(ProjectFounderRow.person_id == merged_id))
    for row in rows.scalars().all():
        other = s.execute(
            select(ProjectFounderRow).where(
                and_(
                    ProjectFounderRow.project_id == row.project_id,
                    ProjectFounderRow.person_id == into_id,
                )
            )
        ).first()
        if other is not None:
            raise MergeRefusedError(
                "Both people founded the same project: a project needs two different founders."
            )
        row.person_id = into_id
    s.flush()


def _member_rank(row: MemberRow) -> tuple[int, int]:
    return (
        _SOURCE_STRENGTH.get(row.role_source, 0),
        1 if row.status == MemberStatus.ACTIVE.value else 0,
    )


def _merge_members(s: Session, merged_id: int, into_id: int) -> None:
    for row in s.execute(select(MemberRow).where(MemberRow.person_id == merged_id)).scalars().all():
        kept = s.get(MemberRow, (row.twinspace_id, into_id))
        if kept is None:
            # The primary key changes: insert the moved row and drop the old one.
            s.add(
                MemberRow(
                    twinspace_id=row.twinspace_id,
                    person_id=into_id,
                    role=row.role,
                    status=row.status,
                    role_source=row.role_source,
                    is_founder=row.is_founder,
                    joined_at=row.joined_at,
                    updated_at=row.updated_at,
                )
            )
        elif _member_rank(row) > _member_rank(kept):
            kept.role, kept.status, kept.role_source = row.role, row.status, row.role_source
            kept.is_founder = kept.is_founder or row.is_founder
            kept.updated_at = max(kept.updated_at, row.updated_at)
        s.delete(row)
    s.flush()


def _merge_enrolments(s: Session, merged_id: int, into_id: int) -> None:
    rows = s.execute(select(EnrolmentRow).where(EnrolmentRow.person_id == merged_id))
    for row in rows.scalars().all():
        kept = s.get(EnrolmentRow, (row.event_id, into_id))
        if kept is None:
            s.add(
                EnrolmentRow(
                    event_id=row.event_id,
                    person_id=into_id,
                    enrolled_at=row.enrolled_at,
                    completed_at=row.completed_at,
                )
            )
        elif kept.completed_at is None and row.completed_at is not None:
            kept.completed_at = row.completed_at
        # One seat fewer when both held one (the event counts enrolments in ``enrolled``).
        if kept is not None:
            event = s.get(LearningEventRow, row.event_id)
            if event is not None and event.enrolled > 0:
                event.enrolled -= 1
        s.delete(row)
    s.flush()
