"""The hub contract: the public project page and the gallery index (issue 12 item 3).

Only what was made public, never a person's name or e-mail, and one answer for every project
without a public page (unknown, pending). ``tests/integration/test_public_pages.py`` adds what
only the local hub's storage can build (a project closed before approval)."""

from __future__ import annotations

import itertools
from dataclasses import asdict

import pytest

from etwin_lti.domain.model import MaterialKind, PersonKind, Visibility
from etwin_lti.domain.ports import HubPort
from etwin_lti.domain.public_pages import (
    GALLERY_PAGE_MAX,
    NoPublicPageError,
    PublicProjectSummary,
)
from etwin_lti.errors import InvalidInputError
from tests.contract.hub_contract.builders import UNKNOWN_ID, R, labelled, pending_project

_n = itertools.count(1)


def _schooled_project(hub: HubPort):  # type: ignore[no-untyped-def]
    """An approved FR-IT project whose founders name their schools, with a partner from PL,
    and members of every role (pupils among them)."""
    n = next(_n)
    fr = hub.create_person(
        f"Camille Public{n}", PersonKind.TEACHER, country_code="FR",
        school="École Jules Ferry", email=f"camille{n}@school.example",
    )  # fmt: skip
    it = hub.create_person(
        f"Giulia Public{n}", PersonKind.TEACHER, country_code="IT",
        school="Liceo Galilei", email=f"giulia{n}@school.example",
    )  # fmt: skip
    project = hub.create_project(fr.id, it.id, f"Rivers of Europe {n}", "We follow rivers.")
    project = hub.validate_project("FR", project.id)
    project = hub.validate_project("IT", project.id)
    pl = hub.create_person(
        f"Tomasz Public{n}", PersonKind.TEACHER, country_code="PL", school="Szkoła nr 5"
    )
    project = hub.add_partner(fr.id, project.id, pl.id)
    assert project.twinspace_id is not None
    ts = project.twinspace_id
    members = {}
    for role, kind in (
        (R.TEACHER, PersonKind.TEACHER),
        (R.PUPIL_ADMINISTRATOR, PersonKind.PUPIL),
        (R.PUPIL, PersonKind.PUPIL),
    ):
        person = hub.create_person(f"Secretname{role.value}{n}", kind, country_code="FR")
        members[role] = hub.add_member(fr.id, ts, person.id, role).person_id
    return project, fr, it, pl, members


class PublicContract:
    """Mixed into ``HubContract``, which provides the ``hub`` fixture."""

    def test_only_public_content_and_no_names(self, hub: HubPort) -> None:
        project, fr, it, pl, members = _schooled_project(hub)
        ts = project.twinspace_id
        assert ts is not None
        teacher, pupil_admin, pupil = (
            members[R.TEACHER],
            members[R.PUPIL_ADMINISTRATOR],
            members[R.PUPIL],
        )
        # Every visibility by every author who may choose it; pupils' content stays private.
        shown = []
        for author in (fr.id, teacher):
            for visibility in (Visibility.PUBLIC, Visibility.PRIVATE, None):
                title = f"Page {visibility} by {author}"
                hub.add_page(author, ts, title, "Body", visibility=visibility)
                material = hub.add_material(
                    author, ts, f"Material {visibility} by {author}", MaterialKind.LINK,
                    "https://example.org/m", visibility=visibility,
                )  # fmt: skip
                if material.visibility is Visibility.PUBLIC:
                    shown.append(title)
        hub.add_page(pupil_admin, ts, "Pupils' page", "By a pupil administrator")
        hub.add_material(pupil, ts, "Pupil's photo", MaterialKind.PHOTO, "https://example.org/p")
        post = hub.post_diary(pl.id, project.id, "Our first week", "We met online.")
        hub.comment_diary(pupil, post.id, "Secret pupil comment")
        hub.comment_diary(fr.id, post.id, "A teacher's comment")

        page = hub.public_project(project.id)
        assert [p.title for p in page.pages] == shown  # public ones only, oldest first
        assert [m.title for m in page.materials] == [t.replace("Page", "Material") for t in shown]
        assert {p.title for p in hub.list_pages(ts)} == set(shown)  # the same rule as non-members
        assert [p.title for p in page.diary] == ["Our first week"]
        assert page.diary[0].country_name == "Poland"
        assert page.country_codes == ("FR", "IT", "PL")
        assert page.country_names == ("France", "Italy", "Poland")
        assert page.eql is None and page.closed_at is None and page.approved_at is not None
        text = repr(asdict(page))
        for person_id in (fr.id, it.id, pl.id, teacher, pupil_admin, pupil):
            name = hub.get_person(person_id).display_name
            assert name not in text, name
        assert "@" not in text and "Secret" not in text and "comment" not in text
        # A teacher's school is for partners and their NSO (docs/privacy.md): not public.
        for school in ("École Jules Ferry", "Liceo Galilei", "Szkoła nr 5"):
            assert school not in text

    def test_no_public_page_without_approval_and_the_same_answer(self, hub: HubPort) -> None:
        pending = pending_project(hub)
        answers = []
        for project_id in (pending.id, UNKNOWN_ID):
            with pytest.raises(NoPublicPageError) as refused:
                hub.public_project(project_id)
            answers.append(
                (refused.value.error, refused.value.description, refused.value.status_code)
            )
        assert answers[0] == answers[1] == (
            "no_public_page", "There is no public page at this address.", 404,
        )  # fmt: skip
        assert pending.id not in _gallery_ids(hub)

    def test_closed_project_keeps_its_page_and_the_eql_shows_while_held(self, hub: HubPort) -> None:
        project, fr, it, _pl, _ = _schooled_project(hub)
        labelled(hub, project, fr.id, "FR")
        labelled(hub, project, it.id, "IT")
        eql = hub.public_project(project.id).eql
        assert eql is not None and eql.awarded_by == "rule"
        assert eql.country_names == ("France", "Italy")
        hub.post_diary(fr.id, project.id, "Labelled", "Two NQLs!")  # now in the gallery
        (entry,) = [e for e in _gallery(hub) if e.id == project.id]
        assert entry.has_eql and entry.diary_posts == 1
        hub.close_project(fr.id, project.id)
        closed = hub.public_project(project.id)
        assert closed.closed_at is not None and closed.eql is not None
        hub.withdraw_eql(project.id, "Copied work")
        assert hub.public_project(project.id).eql is None  # never the withdrawal's reason
        (entry,) = [e for e in _gallery(hub) if e.id == project.id]
        assert not entry.has_eql and entry.closed_at is not None

    def test_gallery_lists_approved_projects_with_public_content(self, hub: HubPort) -> None:
        quiet, *_ = _schooled_project(hub)  # approved, nothing public
        shared, fr, *_ = _schooled_project(hub)
        assert shared.twinspace_id is not None
        hub.add_page(fr.id, shared.twinspace_id, "Hello", "", visibility=Visibility.PUBLIC)
        hub.add_page(fr.id, shared.twinspace_id, "Staff", "", visibility=Visibility.PRIVATE)
        hub.post_diary(fr.id, shared.id, "Kick-off", "We start.")
        later, fr_later, *_ = _schooled_project(hub)  # approved after ``shared``
        assert later.twinspace_id is not None
        hub.add_material(
            fr_later.id, later.twinspace_id, "Map", MaterialKind.LINK, "https://e.org/map",
            visibility=Visibility.PUBLIC,
        )  # fmt: skip
        pending = pending_project(hub)

        entries = _gallery(hub)
        ids = [e.id for e in entries]
        assert quiet.id not in ids and pending.id not in ids
        assert ids.index(later.id) < ids.index(shared.id)  # newest approval first
        entry = entries[ids.index(shared.id)]
        assert (entry.pages, entry.materials, entry.diary_posts) == (1, 0, 1)
        assert entry.country_names == ("France", "Italy", "Poland") and not entry.has_eql
        assert "Camille" not in repr(entry)

        first, second = (hub.list_public_projects(offset=o, limit=1) for o in (0, 1))
        assert first.total == second.total >= 2 and first.limit == 1 and second.offset == 1
        assert len(first.entries) == len(second.entries) == 1
        assert first.entries[0].id != second.entries[0].id

    @pytest.mark.parametrize(
        ("offset", "limit", "field"),
        [(-1, 10, "offset"), (0, 0, "limit"), (0, GALLERY_PAGE_MAX + 1, "limit")],
    )
    def test_gallery_paging_refused(
        self, hub: HubPort, offset: int, limit: int, field: str
    ) -> None:
        with pytest.raises(InvalidInputError) as refused:
            hub.list_public_projects(offset=offset, limit=limit)
        assert field in refused.value.errors


def _gallery(hub: HubPort) -> list[PublicProjectSummary]:
    entries: list[PublicProjectSummary] = []
    while True:
        page = hub.list_public_projects(offset=len(entries), limit=GALLERY_PAGE_MAX)
        entries += page.entries
        if not page.entries or len(entries) >= page.total:
            return entries


def _gallery_ids(hub: HubPort) -> set[int]:
    return {e.id for e in _gallery(hub)}
