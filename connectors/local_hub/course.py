"""The distance training course: editions, units, trainees, progress and certificate."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from connectors import hub_records as rec
from connectors.local_hub.base import LocalHubBase, _once_more_on_conflict
from etwin_lti.domain import course, paging
from etwin_lti.domain.model import (
    Acknowledgement,
    AcknowledgementKind,
    Edition,
    Person,
    Unit,
    UnitProgress,
)
from etwin_lti.domain.paging import TraineePage
from etwin_lti.persistence.models.hub import (
    ActivityCompletionRow,
    ActivityRow,
    EditionRow,
    EditionTraineeRow,
    EditionTrainerRow,
    PersonRow,
    UnitDocumentRow,
    UnitRow,
)


class CourseArea(LocalHubBase):
    def create_edition(
        self,
        title: str,
        year: int,
        starts_on: date,
        ends_on: date,
        *,
        trainer_ids: Sequence[int] = (),
    ) -> Edition:
        new = course.check_new_edition(title, year, starts_on, ends_on)
        with self._db.session() as s:
            trainers = [rec.load_person(s, pid) for pid in dict.fromkeys(trainer_ids)]
            course.check_trainers(trainers)
            row = EditionRow(
                title=new.title,
                year=new.year,
                starts_on=new.starts_on,
                ends_on=new.ends_on,
                created_at=self._now(),
            )
            s.add(row)
            s.flush()
            for trainer in trainers:
                s.add(EditionTrainerRow(edition_id=row.id, person_id=trainer.id))
            s.flush()
            return rec.load_edition(s, row.id, self._today())

    def get_edition(self, edition_id: int) -> Edition:
        with self._db.session() as s:
            return rec.load_edition(s, edition_id, self._today())

    def list_editions(self) -> list[Edition]:
        with self._db.session() as s:
            return rec.editions(s, self._today())

    def add_unit(
        self,
        edition_id: int,
        title: str,
        summary: str,
        *,
        documents: Sequence[tuple[str, str]] = (),
        activities: Sequence[tuple[str, str]] = (),
    ) -> Unit:
        new = course.check_new_unit(title, summary, list(documents), list(activities))
        with self._db.session() as s:
            rec.load(s, EditionRow, edition_id, "Edition", lock=True)
            last = s.scalar(
                select(func.max(UnitRow.position)).where(UnitRow.edition_id == edition_id)
            )
            row = UnitRow(
                edition_id=edition_id,
                title=new.title,
                summary=new.summary,
                position=(last or 0) + 1,
            )
            s.add(row)
            s.flush()
            for position, (doc_title, url) in enumerate(new.documents, start=1):
                s.add(UnitDocumentRow(unit_id=row.id, title=doc_title, url=url, position=position))
            for position, (act_title, instructions) in enumerate(new.activities, start=1):
                s.add(
                    ActivityRow(
                        unit_id=row.id,
                        title=act_title,
                        instructions=instructions,
                        position=position,
                    )
                )
            s.flush()
            return rec.unit(s, row)

    def get_unit(self, unit_id: int) -> Unit:
        with self._db.session() as s:
            return rec.load_unit(s, unit_id)

    def list_units(self, *, edition_id: int | None = None) -> list[Unit]:
        with self._db.session() as s:
            query = (
                select(UnitRow)
                .join(EditionRow, EditionRow.id == UnitRow.edition_id)
                .order_by(EditionRow.year, EditionRow.id, UnitRow.position)
            )
            if edition_id is not None:
                rec.load(s, EditionRow, edition_id, "Edition")
                query = query.where(UnitRow.edition_id == edition_id)
            return [rec.unit(s, row) for row in s.scalars(query).all()]

    def enrol_trainee(self, edition_id: int, person_id: int) -> None:
        return _once_more_on_conflict(lambda: self._enrol_trainee(edition_id, person_id))

    def _enrol_trainee(self, edition_id: int, person_id: int) -> None:
        with self._db.session() as s:
            rec.load(s, EditionRow, edition_id, "Edition")
            course.check_trainee(rec.load_person(s, person_id))
            if s.get(EditionTraineeRow, (edition_id, person_id)) is None:
                s.add(
                    EditionTraineeRow(
                        edition_id=edition_id, person_id=person_id, enrolled_at=self._now()
                    )
                )

    def list_trainees(self, edition_id: int) -> list[Person]:
        with self._db.session() as s:
            rec.load(s, EditionRow, edition_id, "Edition")
            rows = s.scalars(
                select(PersonRow)
                .join(EditionTraineeRow, EditionTraineeRow.person_id == PersonRow.id)
                .where(EditionTraineeRow.edition_id == edition_id)
            ).all()
            trainees = [rec.person(row) for row in rows]
            return sorted(trainees, key=lambda p: (p.display_name.casefold(), p.id))

    def is_trainee(self, edition_id: int, person_id: int) -> bool:
        with self._db.session() as s:
            rec.load(s, EditionRow, edition_id, "Edition")
            return s.get(EditionTraineeRow, (edition_id, person_id)) is not None

    def trainee_page(self, edition_id: int, *, offset: int, limit: int) -> TraineePage:
        paging.check_window(offset, limit)
        with self._db.session() as s:
            rec.load(s, EditionRow, edition_id, "Edition")
            total = s.scalar(select(func.count()).where(EditionTraineeRow.edition_id == edition_id))
            rows = s.scalars(
                select(PersonRow)
                .join(EditionTraineeRow, EditionTraineeRow.person_id == PersonRow.id)
                .where(EditionTraineeRow.edition_id == edition_id)
                .order_by(func.lower(PersonRow.display_name), PersonRow.id)
                .offset(offset)
                .limit(limit)
            ).all()
            return TraineePage(
                trainees=tuple(rec.person(row) for row in rows),
                total=int(total or 0),
                offset=offset,
                limit=limit,
            )

    def unit_progress_of(self, unit_id: int, person_ids: Sequence[int]) -> list[UnitProgress]:
        paging.check_people(person_ids)
        with self._db.session() as s:
            unit = rec.load_unit(s, unit_id)
            ids = [a.id for a in unit.activities]
            done: dict[int, dict[int, Any]] = {pid: {} for pid in person_ids}
            if ids:
                for person_id, activity_id, when in s.execute(
                    select(
                        ActivityCompletionRow.person_id,
                        ActivityCompletionRow.activity_id,
                        ActivityCompletionRow.done_at,
                    ).where(
                        ActivityCompletionRow.person_id.in_(sorted(set(person_ids))),
                        ActivityCompletionRow.activity_id.in_(ids),
                    )
                ):
                    done[person_id][activity_id] = when
            return [course.unit_progress(unit, pid, done[pid]) for pid in person_ids]

    def mark_activity_done(self, person_id: int, activity_id: int) -> UnitProgress:
        return _once_more_on_conflict(lambda: self._mark_activity_done(person_id, activity_id))

    def _mark_activity_done(self, person_id: int, activity_id: int) -> UnitProgress:
        with self._db.session() as s:
            return self.mark_activity_done_in(s, person_id, activity_id)

    def mark_activity_done_in(self, s: Session, person_id: int, activity_id: int) -> UnitProgress:
        """``mark_activity_done`` inside the caller's transaction: the progress unit of work
        (``connectors.local_hub.progress``) writes the completion's scores in the same one."""
        activity = rec.load(s, ActivityRow, activity_id, "Activity")
        rec.load_person(s, person_id)
        unit_row = rec.load(s, UnitRow, activity.unit_id, "Unit")
        if s.get(EditionTraineeRow, (unit_row.edition_id, person_id)) is None:
            raise course.NotATraineeError()
        if s.get(ActivityCompletionRow, (activity_id, person_id)) is None:
            s.add(
                ActivityCompletionRow(
                    activity_id=activity_id, person_id=person_id, done_at=self._now()
                )
            )
            s.flush()
        return self._progress(s, rec.unit(s, unit_row), person_id)

    def unit_progress(self, person_id: int, unit_id: int) -> UnitProgress:
        with self._db.session() as s:
            rec.load_person(s, person_id)
            return self._progress(s, rec.load_unit(s, unit_id), person_id)

    def _progress(self, s: Session, unit: Unit, person_id: int) -> UnitProgress:
        ids = [a.id for a in unit.activities]
        done_at = {
            activity_id: when
            for activity_id, when in s.execute(
                select(ActivityCompletionRow.activity_id, ActivityCompletionRow.done_at).where(
                    ActivityCompletionRow.person_id == person_id,
                    ActivityCompletionRow.activity_id.in_(ids),
                )
            )
        }
        return course.unit_progress(unit, person_id, done_at)

    def complete_course(
        self, actor_id: int | None, edition_id: int, person_id: int
    ) -> Acknowledgement:
        with self._db.session() as s:
            edition = rec.load_edition(s, edition_id, self._today())
            rec.load_person(s, person_id)
            if actor_id is not None:
                rec.load_person(s, actor_id)
            is_trainee = s.get(EditionTraineeRow, (edition_id, person_id)) is not None
            unfinished = [
                unit.title
                for unit in (
                    rec.unit(s, row)
                    for row in s.scalars(
                        select(UnitRow)
                        .where(UnitRow.edition_id == edition_id)
                        .order_by(UnitRow.position)
                    )
                )
                if not course.is_unit_complete(unit, self._progress(s, unit, person_id))
            ]
            course.check_course_completion(
                edition, actor_id, is_trainee=is_trainee, unfinished_unit_titles=unfinished
            )
            decided_by = "system" if actor_id is None else f"trainer:{actor_id}"
            return self._issue(
                s,
                AcknowledgementKind.COURSE_CERTIFICATE,
                person_id,
                course.certificate_subject(edition_id),
                course.certificate_title(edition),
                {"edition_id": str(edition_id), "decided_by": decided_by},
            )
