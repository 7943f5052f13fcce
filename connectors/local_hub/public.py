"""What anyone may read: an approved project's public page and the gallery index
(``etwin_lti.domain.public_pages``). Reads only; no person's name or e-mail leaves here."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from connectors import hub_records as rec
from connectors.local_hub.base import LocalHubBase
from etwin_lti.domain import public_pages as public
from etwin_lti.domain.acknowledgements import project_subject
from etwin_lti.domain.model import (
    AcknowledgementKind,
    MaterialKind,
    Person,
    PersonKind,
    Visibility,
)
from etwin_lti.domain.public_pages import (
    GALLERY_PAGE_SIZE,
    PublicDiaryPost,
    PublicMaterial,
    PublicPage,
    PublicProject,
    PublicProjectList,
    PublicProjectSummary,
)
from etwin_lti.persistence.models.hub import (
    AcknowledgementRow,
    DiaryPostRow,
    MaterialRow,
    PageRow,
    PersonRow,
    ProjectFounderRow,
    ProjectPartnerRow,
    ProjectRow,
    TwinSpaceRow,
)

_PUBLIC = Visibility.PUBLIC.value
# What the public page may show: public, and not hidden by a teacher administrator.
_SHOWN_PAGE = and_(PageRow.visibility == _PUBLIC, PageRow.hidden_at.is_(None))
_SHOWN_MATERIAL = and_(MaterialRow.visibility == _PUBLIC, MaterialRow.hidden_at.is_(None))
_SHOWN_POST = DiaryPostRow.hidden_at.is_(None)


class PublicArea(LocalHubBase):
    def public_project(self, project_id: int) -> PublicProject:
        with self._db.session() as s:
            row = s.get(ProjectRow, project_id)
            project = public.check_public(rec.project(s, row) if row is not None else None)
            assert project.approved_at is not None
            names = {code: c.name for code, c in rec.current_countries(s).items()}
            teacher_ids = [*project.founder_ids, *project.partner_ids]
            people = {
                p.id: rec.person(p)
                for p in s.scalars(select(PersonRow).where(PersonRow.id.in_(teacher_ids)))
            }
            partners = [people[i] for i in project.partner_ids if i in people]
            countries = public.project_countries(project, partners)
            pages, materials = self._public_content(s, project.twinspace_id)
            diary = s.scalars(
                select(DiaryPostRow)
                .where(DiaryPostRow.project_id == project.id, _SHOWN_POST)
                .order_by(DiaryPostRow.created_at.desc(), DiaryPostRow.id.desc())
            ).all()
            return PublicProject(
                id=project.id,
                title=project.title,
                description=project.description,
                scope=project.scope,
                country_codes=countries,
                country_names=tuple(names.get(c, c) for c in countries),
                approved_at=project.approved_at,
                closed_at=project.closed_at,
                pages=pages,
                materials=materials,
                diary=tuple(self._diary_post(post, people, names) for post in diary),
                eql=public.public_eql(rec.eql_status(s, project.id)),
            )

    def _public_content(
        self, s: Session, twinspace_id: int | None
    ) -> tuple[tuple[PublicPage, ...], tuple[PublicMaterial, ...]]:
        if twinspace_id is None:
            return (), ()
        pages = s.scalars(
            select(PageRow)
            .where(PageRow.twinspace_id == twinspace_id, _SHOWN_PAGE)
            .order_by(PageRow.id)
        )
        materials = s.scalars(
            select(MaterialRow)
            .where(MaterialRow.twinspace_id == twinspace_id, _SHOWN_MATERIAL)
            .order_by(MaterialRow.id)
        )
        return (
            tuple(PublicPage(p.id, p.title, p.body, p.created_at) for p in pages),
            tuple(
                PublicMaterial(
                    m.id,
                    m.title,
                    MaterialKind(m.kind),
                    m.url,
                    m.created_at,
                    has_thumbnail=m.thumbnail_key is not None,
                )
                for m in materials
            ),
        )

    @staticmethod
    def _diary_post(
        post: DiaryPostRow, people: dict[int, Person], names: dict[str, str]
    ) -> PublicDiaryPost:
        author = people.get(post.author_id)
        # Only a project teacher's country signs a post; anyone else's post stays unsigned.
        code = author.country_code if author and author.kind is PersonKind.TEACHER else None
        return PublicDiaryPost(
            id=post.id,
            title=post.title,
            body=post.body,
            created_at=post.created_at,
            country_name=names.get(code, code) if code else None,
        )

    def list_public_projects(
        self, *, offset: int = 0, limit: int = GALLERY_PAGE_SIZE
    ) -> PublicProjectList:
        offset, limit = public.check_paging(offset, limit)
        space = TwinSpaceRow.id
        has_page = select(PageRow.id).where(PageRow.twinspace_id == space, _SHOWN_PAGE).exists()
        has_material = (
            select(MaterialRow.id)
            .where(MaterialRow.twinspace_id == space, _SHOWN_MATERIAL)
            .exists()
        )
        has_post = (
            select(DiaryPostRow.id)
            .where(DiaryPostRow.project_id == ProjectRow.id, _SHOWN_POST)
            .exists()
        )
        listed = (
            select(ProjectRow, TwinSpaceRow.id)
            .join(TwinSpaceRow, TwinSpaceRow.project_id == ProjectRow.id)
            .where(ProjectRow.approved_at.is_not(None), or_(has_page, has_material, has_post))
        )
        with self._db.session() as s:
            total = s.scalar(select(func.count()).select_from(listed.subquery())) or 0
            rows = s.execute(
                listed.order_by(ProjectRow.approved_at.desc(), ProjectRow.id.desc())
                .offset(offset)
                .limit(limit)
            ).all()
            project_ids = [p.id for p, _ in rows]
            space_ids = [t for _, t in rows]
            pages = _counts(s, PageRow.twinspace_id, space_ids, _SHOWN_PAGE)
            materials = _counts(s, MaterialRow.twinspace_id, space_ids, _SHOWN_MATERIAL)
            posts = _counts(s, DiaryPostRow.project_id, project_ids, _SHOWN_POST)
            eql = _with_eql(s, project_ids)
            countries = self._countries(s, project_ids)
            names = {code: c.name for code, c in rec.current_countries(s).items()}
            entries = tuple(
                PublicProjectSummary(
                    id=p.id,
                    title=p.title,
                    description=p.description,
                    country_names=tuple(names.get(c, c) for c in countries.get(p.id, ())),
                    approved_at=p.approved_at or p.created_at,  # listed: approved
                    closed_at=p.closed_at,
                    pages=pages.get(t, 0),
                    materials=materials.get(t, 0),
                    diary_posts=posts.get(p.id, 0),
                    has_eql=p.id in eql,
                )
                for p, t in rows
            )
            return PublicProjectList(entries, total, offset, limit)

    @staticmethod
    def _countries(s: Session, project_ids: list[int]) -> dict[int, tuple[str, ...]]:
        """Founders' registered countries first, then partners' countries, each once."""
        found: dict[int, list[str]] = {pid: [] for pid in project_ids}
        for pid, code in s.execute(
            select(ProjectFounderRow.project_id, ProjectFounderRow.country_code)
            .where(ProjectFounderRow.project_id.in_(project_ids))
            .order_by(ProjectFounderRow.project_id, ProjectFounderRow.position)
        ):
            found[pid].append(code)
        for pid, partner_code in s.execute(
            select(ProjectPartnerRow.project_id, PersonRow.country_code)
            .join(PersonRow, PersonRow.id == ProjectPartnerRow.person_id)
            .where(ProjectPartnerRow.project_id.in_(project_ids))
            .order_by(ProjectPartnerRow.project_id, ProjectPartnerRow.joined_at)
        ):
            if partner_code:
                found[pid].append(partner_code)
        return {pid: tuple(dict.fromkeys(codes)) for pid, codes in found.items()}


def _counts(
    s: Session, column: InstrumentedAttribute[int], keys: list[int], *where: Any
) -> dict[int, int]:
    if not keys:
        return {}
    query = select(column, func.count()).where(column.in_(keys), *where).group_by(column)
    return {key: count for key, count in s.execute(query)}


def _with_eql(s: Session, project_ids: list[int]) -> set[int]:
    """The listed projects that hold the EQL now (a withdrawn one is revoked)."""
    subjects = {project_subject(pid): pid for pid in project_ids}
    if not subjects:
        return set()
    held = s.scalars(
        select(AcknowledgementRow.subject).where(
            AcknowledgementRow.kind == AcknowledgementKind.EUROPEAN_QUALITY_LABEL.value,
            AcknowledgementRow.subject.in_(list(subjects)),
            AcknowledgementRow.revoked_at.is_(None),
        )
    )
    return {subjects[subject] for subject in held}
