"""Editing and moderation on the TwinSpace page, on SQLite and PostgreSQL: authors edit and
delete their own, the TwinSpace's teacher administrators hide, restore, delete and publish,
everyone else gets an error page saying who can fix it, and a refused post writes nothing."""

from __future__ import annotations

import html
from typing import Any

import pytest
from sqlalchemy import func, select

from etwin_lti.domain.model import TwinSpaceRole, Visibility
from etwin_lti.domain.moderation import PUPIL_AUTHOR
from etwin_lti.domain.moderation import ContentKind as K
from etwin_lti.persistence.models.audit import AuditRow
from tests.integration.pages.conftest import PagesWorld, hidden_fields, submit
from tests.support.lti_tokens import ROLE_INSTITUTION_ADMIN, ROLE_INSTRUCTOR, ROLE_LEARNER


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_world(request: pytest.FixtureRequest) -> PagesWorld:
    world: PagesWorld = request.getfixturevalue(
        "world" if request.param == "sqlite" else "pg_world"
    )
    return world


def text(response: Any) -> str:
    return str(response.get_data(as_text=True))


def people(world: PagesWorld) -> dict[str, int]:
    return dict(world.demo.people)


def content_url(world: PagesWorld, kind: K, content_id: int, action: str) -> str:
    return f"{world.ts_url}/content/{kind.value}/{content_id}/{action}"


def stored(world: PagesWorld) -> tuple[object, ...]:
    """Everything moderation could change, read as a teacher administrator, and the audit log."""
    hub, ts, founder = world.hub, world.demo.twinspace_id, people(world)["founder_fr"]
    database = world.app.extensions["etwin"].database
    with database.session() as s:
        audited = s.scalar(select(func.count()).select_from(AuditRow))
    return (
        hub.list_pages(ts, viewer_id=founder),
        hub.list_materials(ts, viewer_id=founder),
        hub.list_diary(world.demo.project_id, viewer_id=founder),
        hub.list_threads(ts, viewer_id=founder),
        audited,
    )


def pupil_comment(world: PagesWorld, body: str = "Our heron drawing is online!") -> Any:
    post = world.hub.list_diary(world.demo.project_id)[0]
    return world.hub.comment_diary(people(world)["pupil_b"], post.id, body)


def test_a_teacher_hides_a_pupils_comment_and_the_pupil_no_longer_sees_it(
    any_world: PagesWorld,
) -> None:
    world = any_world
    comment = pupil_comment(world)
    pupil, founder = world.as_pupil(), world.as_founder()
    assert comment.body in text(pupil.get(world.ts_url))
    page = text(founder.get(world.ts_url))
    assert 'aria-label="Hide Diary comment &#39;by Pupil B. (FR)&#39;"' in page

    hidden = submit(founder, world.ts_url, content_url(world, K.DIARY_COMMENT, comment.id, "hide"))
    assert hidden.status_code == 303
    page = text(founder.get(hidden.headers["Location"]))
    assert "The Diary comment is hidden: only teacher administrators see it now" in page
    assert f'data-comment="{comment.id}" data-hidden="true"' in page
    assert 'aria-label="Restore Diary comment &#39;by Pupil B. (FR)&#39;"' in page
    assert f"hid Diary comment #{comment.id}" in page  # the trail
    assert comment.body not in text(pupil.get(world.ts_url))
    assert comment.body not in text(world.as_pupil("pupil-a").get(world.ts_url))

    restored = submit(
        founder, world.ts_url, content_url(world, K.DIARY_COMMENT, comment.id, "restore")
    )
    assert restored.status_code == 303
    assert comment.body in text(pupil.get(world.ts_url))


def test_authors_edit_and_delete_their_own_and_see_no_controls_on_others(
    any_world: PagesWorld,
) -> None:
    world = any_world
    author = people(world)["pupil_a"]
    page = world.hub.add_page(author, world.demo.twinspace_id, "Our town", "draft")
    pupil_admin = world.as_pupil("pupil-a")
    shown = text(pupil_admin.get(world.ts_url))
    assert 'aria-label="Edit page &#39;Our town&#39;"' in shown
    assert 'aria-label="Delete page &#39;Our town&#39;"' in shown
    assert 'aria-label="Hide page &#39;Our town&#39;"' not in shown  # not a teacher admin
    other = text(world.as_pupil().get(world.ts_url))
    assert "Our town" in other and "Edit page &#39;Our town&#39;" not in other

    edited = submit(
        pupil_admin,
        world.ts_url,
        content_url(world, K.PAGE, page.id, "edit"),
        title="Our town in spring",
        body="**Bold** and [a link](https://example.org/town)",
    )
    assert edited.status_code == 303
    shown = text(pupil_admin.get(edited.headers["Location"]))
    assert "Your changes to the page were saved." in shown
    assert "<strong>Bold</strong>" in shown
    assert 'href="https://example.org/town" target="_blank" rel="noopener noreferrer nofollow"' in (
        shown
    )
    deleted = submit(pupil_admin, world.ts_url, content_url(world, K.PAGE, page.id, "delete"))
    assert deleted.status_code == 303
    assert "The page was deleted." in text(pupil_admin.get(deleted.headers["Location"]))
    assert page.id not in {
        p.id for p in world.hub.list_pages(world.demo.twinspace_id, viewer_id=author)
    }


def test_a_published_pupils_page_never_shows_the_pupils_name_publicly(
    any_world: PagesWorld,
) -> None:
    world = any_world
    page = world.hub.add_page(people(world)["pupil_a"], world.demo.twinspace_id, "Herons", "Tall")
    founder = world.as_founder()
    made = submit(
        founder,
        world.ts_url,
        content_url(world, K.PAGE, page.id, "visibility"),
        visibility="public",
    )
    assert made.status_code == 303
    assert "The page is public now" in text(founder.get(made.headers["Location"]))
    outsider = world.launched("new-admin", [ROLE_INSTITUTION_ADMIN], world.ts)  # public only
    public = article(text(outsider.get(world.ts_url)), page.id)
    assert "Herons" in public
    assert f"by {PUPIL_AUTHOR}" in public and "Pupil A. (FR)" not in public
    # Members see the pseudonym.
    assert "by Pupil A. (FR)" in article(text(founder.get(world.ts_url)), page.id)


def article(page: str, page_id: int) -> str:
    start = page.index(f'data-page="{page_id}"')
    return page[start : page.index("</article>", start)]


def test_hostile_markdown_is_shown_as_harmless_text(world: PagesWorld) -> None:
    hostile = (
        "<script>alert('x')</script> <img src=x onerror=alert(1)> "
        "[click](javascript:alert(1)) [data](data:text/html,<script>alert(1)</script>)"
    )
    world.hub.add_page(people(world)["founder_fr"], world.demo.twinspace_id, "Hostile", hostile)
    page = text(world.as_founder().get(world.ts_url))
    body = page[page.index("Hostile") :]
    assert "<script>alert" not in body and "<img src=x" not in body
    assert 'href="javascript' not in body and 'href="data' not in body
    assert html.escape("<script>alert('x')</script>", quote=False) in body


# (who, what they post to, form, status, error code): the refusal table of the page
def refusals(world: PagesWorld) -> list[tuple[str, str, dict[str, str], int, str]]:
    hub, ts, p = world.hub, world.demo.twinspace_id, people(world)
    page = hub.add_page(p["pupil_a"], ts, "Pupil A's page", "mine")
    comment = pupil_comment(world, "A comment of Pupil B")
    hidden = hub.add_page(p["pupil_a"], ts, "Hidden page", "x")
    hub.hide_content(p["founder_fr"], ts, K.PAGE, hidden.id)
    thread = hub.list_threads(ts)[0]
    other = world.hub.create_project(
        hub.create_person("Anna", world.hub.get_person(p["founder_fr"]).kind, country_code="FR").id,
        hub.create_person("Bea", world.hub.get_person(p["founder_fr"]).kind, country_code="DE").id,
        "Elsewhere",
    )
    for code in ("FR", "DE"):
        other = hub.validate_project(code, other.id)
    elsewhere = hub.add_page(other.founder_ids[0], other.twinspace_id, "Elsewhere", "x")
    u = lambda kind, item, action: content_url(world, kind, item, action)  # noqa: E731
    return [
        ("pupil-b", u(K.PAGE, page.id, "edit"), {"title": "Mine"}, 403, "not_the_author"),
        ("pupil-b", u(K.PAGE, page.id, "delete"), {}, 403, "moderation_refused"),
        ("partner-pl", u(K.DIARY_COMMENT, comment.id, "hide"), {}, 403, "moderation_refused"),
        (
            "founder-fr",
            u(K.DIARY_COMMENT, comment.id, "edit"),
            {"body": "x"},
            403,
            "not_the_author",
        ),
        (
            "pupil-a",
            u(K.PAGE, page.id, "visibility"),
            {"visibility": "public"},
            403,
            "moderation_refused",
        ),
        ("pupil-a", u(K.PAGE, hidden.id, "edit"), {"title": "Again"}, 409, "content_hidden"),
        ("founder-fr", u(K.PAGE, page.id, "restore"), {}, 409, "content_state"),
        ("founder-fr", u(K.FORUM_POST, thread.posts[0].id, "delete"), {}, 409, "content_state"),
        ("founder-fr", u(K.PAGE, elsewhere.id, "hide"), {}, 404, "not_found"),
        ("founder-fr", u(K.PAGE, 2_000_000_000, "hide"), {}, 404, "not_found"),
        ("founder-fr", f"{world.ts_url}/content/account/{page.id}/hide", {}, 404, "not_found"),
        ("founder-fr", u(K.PAGE, page.id, "publish"), {}, 404, "not_found"),
        (
            "founder-fr",
            u(K.DIARY_POST, comment.post_id, "visibility"),
            {"visibility": "public"},
            422,
            "invalid_input",
        ),
        ("new-admin", u(K.PAGE, page.id, "hide"), {}, 403, "person_required"),
    ]


def test_refused_posts_show_an_error_page_saying_who_can_fix_it(any_world: PagesWorld) -> None:
    world = any_world
    rows = refusals(world)
    for sub, url, form, status, code in rows:
        roles = (
            [ROLE_INSTITUTION_ADMIN]
            if sub == "new-admin"
            else ([ROLE_LEARNER] if sub.startswith("pupil") else [ROLE_INSTRUCTOR])
        )
        client = world.launched(sub, roles, world.ts)
        before = stored(world)
        response = submit(client, world.ts_url, url, **form)
        page = text(response)
        assert response.status_code == status, (sub, url, page[:400])
        if status != 422:
            assert f'data-error="{code}"' in page, (sub, url)
            assert "Who can fix this" in page
        assert stored(world) == before, (sub, url)


def test_refusal_pages_name_who_can_fix_them(world: PagesWorld) -> None:
    page = world.hub.add_page(people(world)["pupil_a"], world.demo.twinspace_id, "Mine", "x")
    pupil = world.as_pupil()
    edit = submit(pupil, world.ts_url, content_url(world, K.PAGE, page.id, "edit"), title="Taken")
    assert "Only its author can edit this." in text(edit)
    assert "a teacher administrator of this TwinSpace can hide or delete it" in text(edit)
    hide = submit(
        world.launched("partner-pl", [ROLE_INSTRUCTOR], world.ts),
        world.ts_url,
        content_url(world, K.PAGE, page.id, "hide"),
    )
    assert "Who can fix this: <strong>a teacher administrator of this TwinSpace</strong>" in text(
        hide
    )


def test_a_bad_edit_is_shown_again_beside_its_form(any_world: PagesWorld) -> None:
    world = any_world
    page = world.hub.add_page(people(world)["pupil_a"], world.demo.twinspace_id, "Mine", "x")
    client = world.as_pupil("pupil-a")
    before = stored(world)
    response = submit(
        client, world.ts_url, content_url(world, K.PAGE, page.id, "edit"), title="", body="kept"
    )
    assert response.status_code == 422
    shown = text(response)
    assert 'data-form="edit-page"' in shown and 'data-field="title"' in shown
    assert ">kept</textarea>" in shown  # what was typed is not lost
    assert stored(world) == before


@pytest.mark.parametrize("token", [None, "", "forged"])
def test_moderation_posts_need_the_pages_csrf_token(world: PagesWorld, token: str | None) -> None:
    comment = pupil_comment(world)
    client = world.as_founder()
    fields = hidden_fields(text(client.get(world.ts_url)))
    if token is None:
        fields.pop("csrf_token")
    else:
        fields["csrf_token"] = token
    before = stored(world)
    response = client.post(content_url(world, K.DIARY_COMMENT, comment.id, "hide"), data=fields)
    assert response.status_code == 403 and 'data-error="csrf_failed"' in text(response)
    assert stored(world) == before


def test_without_a_session_nothing_is_moderated(world: PagesWorld) -> None:
    comment = pupil_comment(world)
    before = stored(world)
    response = world.client().post(content_url(world, K.DIARY_COMMENT, comment.id, "hide"))
    assert response.status_code == 401
    assert stored(world) == before


def test_archived_twinspace_shows_no_controls_and_refuses_them(any_world: PagesWorld) -> None:
    world = any_world
    comment = pupil_comment(world)
    client = world.as_founder()
    fields = hidden_fields(text(client.get(world.ts_url)))
    world.hub.close_project(people(world)["founder_fr"], world.demo.project_id)
    page = text(client.get(world.ts_url))
    assert "data-controls=" not in page
    before = stored(world)
    response = client.post(content_url(world, K.DIARY_COMMENT, comment.id, "hide"), data=fields)
    assert response.status_code == 409 and 'data-error="twinspace_archived"' in text(response)
    assert stored(world) == before


def test_only_teacher_administrators_see_the_trail(world: PagesWorld) -> None:
    comment = pupil_comment(world)
    world.hub.hide_content(
        people(world)["founder_fr"], world.demo.twinspace_id, K.DIARY_COMMENT, comment.id
    )
    assert "data-trail" in text(world.as_founder().get(world.ts_url))
    for client in (
        world.as_pupil(),
        world.launched("partner-pl", [ROLE_INSTRUCTOR], world.ts),
        world.launched("new-admin", [ROLE_INSTITUTION_ADMIN], world.ts),
    ):
        assert "data-trail" not in text(client.get(world.ts_url))


def test_the_co_founders_hidden_view_matches_the_hubs_rule(world: PagesWorld) -> None:
    """Hidden content is marked for teacher administrators: both founders, nobody else."""
    p, ts = people(world), world.demo.twinspace_id
    members = {m.person_id: m for m in world.hub.list_members(ts)}
    assert members[p["founder_it"]].role is TwinSpaceRole.TEACHER_ADMINISTRATOR
    page = world.hub.add_page(p["partner_pl"], ts, "Plan", "x", visibility=Visibility.PUBLIC)
    world.hub.hide_content(p["founder_it"], ts, K.PAGE, page.id)
    assert f'data-page="{page.id}" data-hidden="true"' in text(world.as_founder().get(world.ts_url))
    partner = world.launched("partner-pl", [ROLE_INSTRUCTOR], world.ts)
    assert f'data-page="{page.id}"' not in text(partner.get(world.ts_url))  # its own author too
