"""Recognition: Quality Label applications and decisions, the EQL, prizes, acknowledgements."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from connectors import hub_records as rec
from connectors import sql_audit as audit
from connectors.local_hub.base import LocalHubBase, _enum
from etwin_lti.domain import acknowledgements as acks
from etwin_lti.domain import projects, twinspaces
from etwin_lti.domain.audit import AuditAction
from etwin_lti.domain.countries import check_country
from etwin_lti.domain.model import (
    Acknowledgement,
    AcknowledgementKind,
    MemberStatus,
    NqlApplication,
    NqlDecision,
    PrizeCategory,
    PrizeEligibility,
    Project,
    Visibility,
)
from etwin_lti.domain.translatable import N_
from etwin_lti.domain.validation import (
    REASON_MAX,
    FieldErrors,
)
from etwin_lti.errors import RuleViolationError
from etwin_lti.persistence.models.hub import (
    AcknowledgementRow,
    DiaryCommentRow,
    DiaryPostRow,
    MaterialRow,
    MemberRow,
    NqlApplicationRow,
    PageRow,
    PersonRow,
)


class RecognitionArea(LocalHubBase):
    def apply_nql(self, actor_id: int, project_id: int) -> NqlApplication:
        now = self._now()
        year = acks.school_year_of(now.date())
        with self._db.session() as s:
            project = rec.load_project(s, project_id)
            # Serialises one teacher's applications: the limit of four holds under concurrency.
            applicant = rec.load_person(s, actor_id, lock=True)
            this_year = [
                rec.nql_application(row)
                for row in s.scalars(
                    select(NqlApplicationRow).where(
                        NqlApplicationRow.teacher_id == actor_id,
                        NqlApplicationRow.school_year == year,
                    )
                )
            ]
            acks.check_nql_application(
                project,
                actor_id,
                teacher_ids=projects.project_teacher_ids(project),
                applications_this_year=this_year,
                holds_nql=self._holds(
                    s, AcknowledgementKind.NATIONAL_QUALITY_LABEL, actor_id, project_id
                ),
                teacher_country=applicant.country_code,
            )
            row = NqlApplicationRow(
                project_id=project_id,
                teacher_id=actor_id,
                school_year=year,
                decision=NqlDecision.PENDING.value,
                scores={},
                sub_scores={},
                applied_at=now,
                evidence=self._nql_evidence(s, project),
            )
            s.add(row)
            try:
                s.flush()
            except IntegrityError as error:
                raise RuleViolationError(
                    "You have already applied for this project this school year."
                ) from error
            audit.record(
                s,
                AuditAction.NQL_APPLIED,
                "nql_application",
                row.id,
                {"project_id": project_id, "teacher_id": actor_id, "school_year": year},
                at=now,
                person_id=actor_id,
            )
            return rec.nql_application(row)

    def _nql_evidence(self, s: Session, project: Project) -> dict[str, str]:
        """Counted from the TwinSpace in the application's transaction (issue 12 item 5)."""
        teacher_ids = projects.project_teacher_ids(project)
        countries: dict[int, str | None] = {
            pid: code
            for pid, code in s.execute(
                select(PersonRow.id, PersonRow.country_code).where(PersonRow.id.in_(teacher_ids))
            )
        }
        space = project.twinspace_id

        def count(query: Any) -> int:
            return int(s.scalar(select(func.count()).select_from(query.subquery())) or 0)

        pages = select(PageRow.id).where(PageRow.twinspace_id == space)
        posts = select(DiaryPostRow.id).where(DiaryPostRow.project_id == project.id)
        return projects.nql_evidence(
            project,
            partner_countries={pid: countries.get(pid) for pid in teacher_ids},
            pages=count(pages),
            public_pages=count(pages.where(PageRow.visibility == Visibility.PUBLIC.value)),
            materials=count(select(MaterialRow.id).where(MaterialRow.twinspace_id == space)),
            diary_posts=count(posts),
            diary_comments=count(
                select(DiaryCommentRow.id).where(DiaryCommentRow.post_id.in_(posts))
            ),
            pupils=count(
                select(MemberRow.person_id).where(
                    MemberRow.twinspace_id == space,
                    MemberRow.role.in_([r.value for r in twinspaces.PUPIL_ROLES]),
                    MemberRow.status == MemberStatus.ACTIVE.value,
                )
            ),
        )

    def decide_nql(
        self,
        nso_country_code: str,
        application_id: int,
        scores: Mapping[str, int],
        sub_scores: Mapping[str, int],
    ) -> NqlApplication:
        clean_scores, clean_sub = acks.check_scores(scores, sub_scores)
        with self._db.session() as s:
            code = check_country(
                rec.current_countries(s),
                nso_country_code,
                field="nso_country_code",
                require_eligible=False,
            ).code
            row = rec.load(s, NqlApplicationRow, application_id, "NQL application", lock=True)
            # Two NSOs deciding at once for one project: the project's lock puts the second
            # after the first, so the second sees the first's NQL and the rule cannot miss.
            project = rec.load_project(s, row.project_id, lock=True)
            teacher = rec.load_person(s, row.teacher_id)
            acks.check_nql_decider(rec.nql_application(row), code, teacher.country_code)
            decision = acks.nql_decision(clean_scores, clean_sub)
            now = self._now()
            row.scores, row.sub_scores = clean_scores, clean_sub
            row.decision, row.decided_by, row.decided_at = decision.value, code, now
            granted = decision is NqlDecision.GRANTED
            audit.record(
                s,
                AuditAction.NQL_GRANTED if granted else AuditAction.NQL_REFUSED,
                "nql_application",
                row.id,
                {
                    "project_id": row.project_id,
                    "teacher_id": row.teacher_id,
                    "nso": code,
                    "total_score": sum(clean_scores.values()),
                },
                at=now,
            )
            if granted:
                self._issue(
                    s,
                    AcknowledgementKind.NATIONAL_QUALITY_LABEL,
                    row.teacher_id,
                    acks.project_subject(row.project_id),
                    f"National Quality Label: {project.title}"[:200],
                    {
                        "application_id": str(row.id),
                        "school_year": row.school_year,
                        "total_score": str(sum(clean_scores.values())),
                        "nso": code,
                    },
                )
                # The EQL by rule, in this same transaction: awarded with this NQL or not at all.
                nqls, eql = self._labels(s, row.project_id)
                award = acks.eql_by_rule(project, nqls, eql, country_names=self._country_names(s))
                if award is not None:
                    self._award_eql(s, project, award)
            s.flush()
            return rec.nql_application(row)

    def list_nql_applications(
        self, *, project_id: int | None = None, teacher_id: int | None = None
    ) -> list[NqlApplication]:
        with self._db.session() as s:
            query = select(NqlApplicationRow).order_by(NqlApplicationRow.id)
            if project_id is not None:
                query = query.where(NqlApplicationRow.project_id == project_id)
            if teacher_id is not None:
                query = query.where(NqlApplicationRow.teacher_id == teacher_id)
            return [rec.nql_application(row) for row in s.scalars(query)]

    def award_eql(self, project_id: int) -> list[Acknowledgement]:
        """The CSS's call: the same rule, for NQLs granted before the rule existed. Where the
        rule already awarded it, ``EqlAlreadyAwardedError`` (409) says so."""
        with self._db.session() as s:
            project = rec.load_project(s, project_id, lock=True)
            nqls, eql = self._labels(s, project_id)
            award = acks.eql_award(
                project,
                nqls,
                eql,
                awarded_by=acks.EQL_BY_CSS,
                country_names=self._country_names(s),
            )
            return self._award_eql(s, project, award)

    def withdraw_eql(self, project_id: int, reason: str) -> list[Acknowledgement]:
        errors = FieldErrors()
        clean_reason = errors.text("reason", reason, max_length=REASON_MAX)
        errors.raise_if_any()
        with self._db.session() as s:
            rec.load_project(s, project_id, lock=True)  # serialises with the rule's award
            _, eql = self._labels(s, project_id)
            revoked = acks.check_eql_withdrawal(eql)
            now = self._now()
            rows = [rec.load(s, AcknowledgementRow, a.id, "Acknowledgement") for a in revoked]
            for row in rows:
                row.revoked_at = now
                # The reason travels with each record: it is what a holder is shown.
                row.evidence = {
                    **(row.evidence or {}),
                    acks.WITHDRAWAL_REASON: clean_reason,
                    "revocation_reason": clean_reason,
                }
            audit.record(
                s,
                AuditAction.EQL_WITHDRAWN,
                "project",
                project_id,
                {
                    "recipient_ids": ",".join(str(row.person_id) for row in rows),
                    "reason": clean_reason,
                },
                at=now,
            )
            s.flush()
            return [rec.acknowledgement(row) for row in rows]

    def _labels(
        self, s: Session, project_id: int
    ) -> tuple[list[acks.HeldNql], list[Acknowledgement]]:
        """The project's unrevoked NQLs (with the granting NSO's country) and all its EQLs."""
        rows = s.scalars(
            select(AcknowledgementRow)
            .where(
                AcknowledgementRow.subject == acks.project_subject(project_id),
                AcknowledgementRow.kind.in_(
                    [
                        AcknowledgementKind.NATIONAL_QUALITY_LABEL.value,
                        AcknowledgementKind.EUROPEAN_QUALITY_LABEL.value,
                    ]
                ),
            )
            .order_by(AcknowledgementRow.id)
        ).all()
        labels = [rec.acknowledgement(row) for row in rows]
        nql = acks.held(labels, AcknowledgementKind.NATIONAL_QUALITY_LABEL)
        # The NSO that granted it is the NQL's country; a holder's own country only for an NQL
        # recorded without it.
        missing = [a.person_id for a in nql if not a.evidence.get("nso")]
        countries: dict[int, str | None] = {
            pid: code
            for pid, code in s.execute(
                select(PersonRow.id, PersonRow.country_code).where(PersonRow.id.in_(missing))
            )
        }
        held = [
            acks.HeldNql(
                a.id, a.person_id, a.evidence.get("nso") or countries.get(a.person_id) or ""
            )
            for a in nql
        ]
        eql = [a for a in labels if a.kind is AcknowledgementKind.EUROPEAN_QUALITY_LABEL]
        return held, eql

    def _country_names(self, s: Session) -> dict[str, str]:
        return {code: c.name for code, c in rec.current_countries(s).items()}

    def _award_eql(
        self, s: Session, project: Project, award: acks.EqlAward
    ) -> list[Acknowledgement]:
        subject = acks.project_subject(project.id)
        title = f"European Quality Label: {project.title}"[:200]
        awarded = [
            self._issue(
                s, AcknowledgementKind.EUROPEAN_QUALITY_LABEL, pid, subject, title, award.evidence
            )
            for pid in award.recipient_ids
        ]
        audit.record(
            s,
            AuditAction.EQL_AWARDED,
            "project",
            project.id,
            {"recipient_ids": ",".join(map(str, award.recipient_ids)), **award.evidence},
            at=self._now(),
        )
        return awarded

    def prize_eligibility(self, project_id: int, category: PrizeCategory) -> PrizeEligibility:
        band = _enum(PrizeCategory, category, "category")
        with self._db.session() as s:
            project = rec.load_project(s, project_id)
            subject = acks.project_subject(project_id)
            return acks.prize_eligibility(
                project,
                band,
                has_eql=bool(self._holders(s, AcknowledgementKind.EUROPEAN_QUALITY_LABEL, subject)),
                nql_holder_ids=self._holders(
                    s, AcknowledgementKind.NATIONAL_QUALITY_LABEL, subject
                ),
            )

    def issue_acknowledgement(
        self,
        kind: AcknowledgementKind,
        person_id: int,
        subject: str,
        title: str,
        *,
        evidence: Mapping[str, str] | None = None,
    ) -> Acknowledgement:
        errors = FieldErrors()
        clean_subject = errors.subject("subject", subject)
        clean_title = errors.title("title", title)
        clean_evidence = errors.evidence("evidence", evidence)
        errors.raise_if_any()
        ack_kind = _enum(AcknowledgementKind, kind, "kind")
        acks.check_certificate_subject(ack_kind, clean_subject)
        with self._db.session() as s:
            rec.load_person(s, person_id)
            acks.check_issue(ack_kind)
            issued = self._issue(s, ack_kind, person_id, clean_subject, clean_title, clean_evidence)
            audit.record(
                s,
                AuditAction.ACKNOWLEDGEMENT_ISSUED,
                "acknowledgement",
                issued.id,
                {"kind": ack_kind.value, "person_id": person_id, "subject": clean_subject},
                at=issued.issued_at,
            )
            return issued

    def get_acknowledgement(self, acknowledgement_id: int) -> Acknowledgement:
        with self._db.session() as s:
            return rec.acknowledgement(
                rec.load(s, AcknowledgementRow, acknowledgement_id, "Acknowledgement")
            )

    def revoke_acknowledgement(self, acknowledgement_id: int, reason: str) -> Acknowledgement:
        errors = FieldErrors()
        clean_reason = errors.text("reason", reason, max_length=REASON_MAX)
        errors.raise_if_any()
        with self._db.session() as s:
            row = rec.load(s, AcknowledgementRow, acknowledgement_id, "Acknowledgement")
            if row.revoked_at is not None:
                raise RuleViolationError(N_("This acknowledgement has already been revoked."))
            row.revoked_at = self._now()
            # The reason travels with the record: it is what a holder is shown.
            row.evidence = {**(row.evidence or {}), "revocation_reason": clean_reason}
            audit.record(
                s,
                AuditAction.ACKNOWLEDGEMENT_REVOKED,
                "acknowledgement",
                row.id,
                {"kind": row.kind, "person_id": row.person_id, "reason": clean_reason},
                at=row.revoked_at,
            )
            s.flush()
            return rec.acknowledgement(row)

    def list_acknowledgements(
        self, *, person_id: int | None = None, subject: str | None = None
    ) -> list[Acknowledgement]:
        with self._db.session() as s:
            query = select(AcknowledgementRow).order_by(AcknowledgementRow.id)
            if person_id is not None:
                query = query.where(AcknowledgementRow.person_id == person_id)
            if subject is not None:
                query = query.where(AcknowledgementRow.subject == subject)
            return [rec.acknowledgement(row) for row in s.scalars(query)]
