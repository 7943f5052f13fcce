"""The TwinSpace page: what each role sees and may do, every form, and every refusal."""

from __future__ import annotations

from typing import Any

import pytest

from etwin_lti.domain.model import MemberStatus, TwinSpaceRole
from tests.integration.pages.conftest import PagesWorld, hidden_fields, submit
from tests.support.lti_tokens import (
    ROLE_INSTITUTION_ADMIN,
    ROLE_INSTRUCTOR,
    ROLE_LEARNER,
    ROLE_MENTOR,
)

FORMS = {
    "add_page": 'data-form="pages"',
    "add_material": 'data-form="materials"',
    "post_diary": 'data-form="diary"',
    "comment": 'data-form="comment"',
    "open_thread": 'data-form="threads"',
    "reply": 'data-form="reply"',
    "manage": 'data-action="manage-members"',  # the member list with the manage forms
    "sync_roster": 'action="/lti/roster/sync"',
}


def content(world: PagesWorld) -> dict[str, Any]:
    """Everything the page's forms can write, to prove that a refused post wrote nothing."""
    hub, ts, demo = world.hub, world.demo.twinspace_id, world.demo
    founder = demo.people["founder_fr"]
    return {
        "pages": hub.list_pages(ts, viewer_id=founder),
        "materials": hub.list_materials(ts, viewer_id=founder),
        "diary": hub.list_diary(demo.project_id),
        "threads": hub.list_threads(ts),
        "members": hub.list_members(ts),
    }


def text(response: Any) -> str:
    return str(response.get_data(as_text=True))


@pytest.mark.parametrize(
    ("sub", "roles", "role", "shown", "sees_private"),
    [
        ("founder-fr", [ROLE_INSTRUCTOR], "teacher_administrator", set(FORMS), True),
        (
            "partner-pl",
            [ROLE_INSTRUCTOR],
            "teacher",
            {"add_page", "add_material", "post_diary", "comment", "open_thread", "reply"},
            True,
        ),
        (
            "new-teacher",
            [ROLE_INSTRUCTOR],
            "teacher",
            {"add_page", "add_material", "comment", "open_thread", "reply"},
            True,
        ),
        (
            "pupil-a",
            [ROLE_LEARNER],
            "pupil_administrator",
            {"add_page", "add_material", "comment", "open_thread", "reply"},
            True,
        ),
        ("pupil-b", [ROLE_LEARNER], "pupil", {"add_material", "comment", "reply"}, True),
        ("new-admin", [ROLE_INSTITUTION_ADMIN], "admin", set(), False),
    ],
)
def test_each_role_sees_its_controls_only(
    world: PagesWorld,
    sub: str,
    roles: list[str],
    role: str,
    shown: set[str],
    sees_private: bool,
) -> None:
    page = text(world.launched(sub, roles, world.ts).get(world.ts_url))
    assert f'data-etwin-role="{role}"' in page
    assert {name for name, marker in FORMS.items() if marker in page} == shown
    assert ("Week 1: Meet the rivers" in page) is sees_private  # the private page
    assert "About our project" in page  # the public page
    assert ('id="forum-h"' in page) is sees_private
    assert "Kick-off: we met online" in page  # the Diary is public
    assert ("I liked the French song." in page) is sees_private  # a pupil's comment


def test_members_grouped_by_role_with_pseudonyms_and_no_email(world: PagesWorld) -> None:
    client = world.launched(
        "mail-teacher", [ROLE_INSTRUCTOR], world.ts, email="visible@school.example", name="Ann"
    )
    groups = [g for g in ("teacher_administrator", "teacher", "pupil_administrator", "pupil")]
    page = text(client.get(world.ts_url))  # the counts per role and one's own membership
    listing = text(client.get(world.ts_url + "/members"))  # the members, 50 a page
    for html in (page, listing):
        positions = [html.index(f'data-role-group="{g}"') for g in groups]
        assert positions == sorted(positions)  # administrators first
        assert "@" not in html.split("<main", 1)[1]  # no e-mail address anywhere on the page
    assert "Ann" in page and 'data-me="' in page and "data-member=" not in page
    assert "Pupil B. (FR)" in listing and "Ann" in listing


def test_mentor_never_enters_a_twinspace_with_pupils(world: PagesWorld) -> None:
    response = world.launcher.launch(
        world.client(), sub="mentor", roles=[ROLE_MENTOR], resource=world.ts
    )
    assert response.status_code == 403 and 'data-error="forbidden"' in text(response)


ROWS = [
    ("pages", {"title": "Our song", "body": "Lyrics", "visibility": "public"}, "Our song"),
    (
        "materials",
        {"title": "River map", "url": "https://example.org/m.png", "kind": "photo"},
        "River map",
    ),
    ("diary", {"title": "Week 2", "body": "We sang together."}, "We sang together."),
    ("threads", {"title": "Fish?", "body": "Which fish live there?"}, "Which fish live there?"),
]


@pytest.mark.parametrize(("action", "form", "expect"), ROWS, ids=[r[0] for r in ROWS])
def test_founder_forms_post_redirect_get(
    world: PagesWorld, action: str, form: dict[str, str], expect: str
) -> None:
    client = world.as_founder()
    response = submit(client, world.ts_url, f"{world.ts_url}/{action}", **form)
    assert response.status_code == 303
    assert response.headers["Location"].startswith(world.ts_url + "?msg=")
    page = text(client.get(response.headers["Location"]))
    assert expect in page and 'class="flash"' in page


def test_comment_reply_and_pupil_content_stays_private(world: PagesWorld) -> None:
    pupil = world.as_pupil()
    post = world.hub.list_diary(world.demo.project_id)[0]
    thread = world.hub.list_threads(world.demo.twinspace_id)[0]
    ts = world.ts_url
    assert submit(pupil, ts, f"{ts}/diary/{post.id}/comments", body="Nice!").status_code == 303
    assert submit(pupil, ts, f"{ts}/threads/{thread.id}/replies", body="Frogs!").status_code == 303
    shared = submit(
        pupil, ts, f"{ts}/materials", title="Drawing", url="https://example.org/d.png", kind="photo"
    )
    assert shared.status_code == 303
    page = text(pupil.get(ts))
    assert "Nice!" in page and "Frogs!" in page
    drawing = next(m for m in content(world)["materials"] if m.title == "Drawing")
    assert drawing.visibility.value == "private"  # pupils' content is never public


def test_teacher_administrator_manages_members(world: PagesWorld) -> None:
    client, ts, people = world.as_founder(), world.ts_url, world.demo.people
    pupil_a, partner = people["pupil_a"], people["partner_pl"]
    assert submit(client, ts, f"{ts}/members/{pupil_a}/role", role="pupil").status_code == 303
    assert submit(client, ts, f"{ts}/members/{partner}/suspend").status_code == 303
    assert world.hub.get_member(world.demo.twinspace_id, partner).status is MemberStatus.SUSPENDED
    assert submit(client, ts, f"{ts}/members/{partner}/reactivate").status_code == 303
    renamed = submit(client, ts, f"{ts}/members/{pupil_a}/pseudonym", display_name="Star pupil")
    assert renamed.status_code == 303
    member = world.hub.get_member(world.demo.twinspace_id, pupil_a)
    assert member.role is TwinSpaceRole.PUPIL and member.display_name == "Star pupil"
    assert member.status is MemberStatus.ACTIVE


LONG = "x" * 201
BAD_INPUT = [
    ("pages", {"title": "", "body": "b"}, "title"),
    ("pages", {"title": "   ", "body": "b"}, "title"),
    ("pages", {"title": LONG, "body": "b"}, "title"),
    ("pages", {"title": "t", "body": "b" * 20_001}, "body"),
    ("pages", {"title": "t", "visibility": "secret"}, "visibility"),
    ("materials", {"title": "t", "url": "javascript:alert(1)", "kind": "photo"}, "url"),
    ("materials", {"title": "t", "url": "https://example.org/x", "kind": "poster"}, "kind"),
    ("materials", {"title": "t", "url": "https://example.org/x"}, "kind"),
    ("materials", {"title": "", "url": "https://example.org/x", "kind": "photo"}, "title"),
    ("diary", {"title": "t", "body": ""}, "body"),
    ("diary", {"title": LONG, "body": "b"}, "title"),
    ("threads", {"title": "", "body": "b"}, "title"),
    ("threads", {"title": "t", "body": ""}, "body"),
    ("comments", {"body": ""}, "body"),
    ("comments", {"body": "c" * 5_001}, "body"),
    ("replies", {"body": " "}, "body"),
    ("role", {"role": "founder"}, "role"),
    ("role", {"role": ""}, "role"),
    ("role", {"role": "teacher"}, "role"),  # a pupil cannot be a teacher: not offered
    ("pseudonym", {"display_name": ""}, "display_name"),
    ("pseudonym", {"display_name": "n" * 121}, "display_name"),
]


def action_url(world: PagesWorld, action: str) -> str:
    ts, demo = world.ts_url, world.demo
    targets = {
        "comments": f"diary/{world.hub.list_diary(demo.project_id)[0].id}/comments",
        "replies": f"threads/{world.hub.list_threads(demo.twinspace_id)[0].id}/replies",
        "role": f"members/{demo.people['pupil_b']}/role",
        "pseudonym": f"members/{demo.people['pupil_b']}/pseudonym",
    }
    return f"{ts}/{targets.get(action, action)}"


@pytest.mark.parametrize(
    ("action", "form", "field"),
    BAD_INPUT,
    ids=[f"{a}-{f}-{i}" for i, (a, _, f) in enumerate(BAD_INPUT)],
)
def test_bad_input_rerenders_with_field_errors_and_writes_nothing(
    world: PagesWorld, action: str, form: dict[str, str], field: str
) -> None:
    client = world.as_founder()
    before = content(world)
    response = submit(client, world.ts_url, action_url(world, action), **form)
    page = text(response)
    assert response.status_code == 422
    assert f'class="field-error" role="alert" data-field="{field}"' in page
    assert 'data-etwin-role="teacher_administrator"' in page  # the page itself, not an error page
    assert content(world) == before


REFUSALS = [
    # (who, action, form, status, error code)
    ("pupil-b", "pages", {"title": "t", "body": "b"}, 403, "forbidden"),
    ("pupil-b", "threads", {"title": "t", "body": "b"}, 403, "forbidden"),
    ("pupil-b", "diary", {"title": "t", "body": "b"}, 403, "forbidden"),
    ("pupil-b", "suspend-founder", {}, 403, "forbidden"),
    ("pupil-b", "suspend-partner", {}, 403, "forbidden"),
    ("pupil-b", "pseudonym", {"display_name": "Me"}, 403, "forbidden"),
    ("new-teacher", "diary", {"title": "t", "body": "b"}, 403, "forbidden"),
    ("new-teacher", "suspend-partner", {}, 403, "forbidden"),
    ("founder-fr", "suspend-founder", {}, 403, "founder_protected"),
    ("new-admin", "pages", {"title": "t", "body": "b"}, 403, "person_required"),
    ("founder-fr", "unknown-action", {}, 404, "not_found"),
    ("founder-fr", "diary/999999/comments", {"body": "b"}, 404, "not_found"),
    ("founder-fr", "threads/999999/replies", {"body": "b"}, 404, "not_found"),
    ("founder-fr", "members/999999/suspend", {}, 404, "not_found"),
]


@pytest.mark.parametrize(("sub", "action", "form", "status", "code"), REFUSALS)
def test_refused_posts_show_an_error_page_and_write_nothing(
    world: PagesWorld, sub: str, action: str, form: dict[str, str], status: int, code: str
) -> None:
    roles = (
        [ROLE_INSTITUTION_ADMIN]
        if sub == "new-admin"
        else ([ROLE_LEARNER] if sub.startswith("pupil") else [ROLE_INSTRUCTOR])
    )
    client = world.launched(sub, roles, world.ts)
    people = world.demo.people
    path = {
        "suspend-founder": f"members/{people['founder_it']}/suspend",
        "suspend-partner": f"members/{people['partner_pl']}/suspend",
        "pseudonym": f"members/{people['pupil_c']}/pseudonym",
    }.get(action, action)
    before = content(world)
    response = submit(client, world.ts_url, f"{world.ts_url}/{path}", **form)
    assert response.status_code == status
    assert f'data-error="{code}"' in text(response)
    assert content(world) == before


@pytest.mark.parametrize("token", [None, "", "forged", "0" * 64])
def test_missing_or_forged_csrf_token_is_refused(world: PagesWorld, token: str | None) -> None:
    client = world.as_founder()
    fields = hidden_fields(text(client.get(world.ts_url)))
    fields.pop("csrf_token")
    if token is not None:
        fields["csrf_token"] = token
    before = content(world)
    response = client.post(f"{world.ts_url}/pages", data={**fields, "title": "t", "body": "b"})
    assert response.status_code == 403 and 'data-error="csrf_failed"' in text(response)
    assert content(world) == before


def test_another_sessions_csrf_token_is_refused(world: PagesWorld) -> None:
    mine, theirs = world.as_founder(), world.as_founder()
    their_fields = hidden_fields(text(theirs.get(world.ts_url)))
    response = mine.post(
        f"{world.ts_url}/pages", data={"csrf_token": their_fields["csrf_token"], "title": "t"}
    )
    assert response.status_code == 403


def test_post_without_a_session_is_401_and_writes_nothing(world: PagesWorld) -> None:
    before = content(world)
    response = world.client().post(f"{world.ts_url}/pages", data={"title": "t", "body": "b"})
    assert response.status_code == 401 and 'data-error="no_launch_session"' in text(response)
    assert content(world) == before


def test_get_without_a_session_is_401(world: PagesWorld) -> None:
    assert world.client().get(world.ts_url).status_code == 401


def test_unknown_twinspace_is_404(world: PagesWorld) -> None:
    response = world.as_founder().get("/embed/twinspace/999999")
    assert response.status_code == 404 and 'data-error="not_found"' in text(response)


def test_a_twinspace_of_another_launch_is_403(world: PagesWorld) -> None:
    hub, people = world.hub, world.demo.people
    project = hub.create_project(
        people["national_founder_1"], people["partner_pl"], "Another project"
    )
    hub.validate_project("ES", project.id)
    other = hub.validate_project("PL", project.id).twinspace_id
    response = world.as_pupil().get(f"/embed/twinspace/{other}")
    assert response.status_code == 403 and 'data-error="not_your_resource"' in text(response)
    # A member of that other TwinSpace may open it from any launch.
    partner = world.launched("partner-pl", [ROLE_INSTRUCTOR], world.ts)
    assert partner.get(f"/embed/twinspace/{other}").status_code == 200


def test_the_launch_token_field_works_without_the_cookie(world: PagesWorld) -> None:
    client = world.as_founder()
    fields = hidden_fields(text(client.get(world.ts_url)))
    cookieless = world.client()  # a browser that blocked the cookie: only the form's fields
    response = cookieless.post(
        f"{world.ts_url}/pages", data={**fields, "title": "Via token", "body": "b"}
    )
    assert response.status_code == 200  # the page itself: a redirect would lose the token
    page = text(response)
    assert "Via token" in page and "Your page was added." in page
    assert 'data-etwin-role="teacher_administrator"' in page


def test_a_forged_launch_token_is_401(world: PagesWorld) -> None:
    client = world.as_founder()
    fields = hidden_fields(text(client.get(world.ts_url)))
    fields["etwin_launch_token"] = fields["etwin_launch_token"][:-2] + "xx"
    response = world.client().post(f"{world.ts_url}/pages", data={**fields, "title": "t"})
    assert response.status_code == 401


def test_archived_twinspace_is_read_only(world: PagesWorld) -> None:
    client = world.as_founder()
    fields = hidden_fields(text(client.get(world.ts_url)))
    world.hub.close_project(world.demo.people["founder_fr"], world.demo.project_id)
    page = text(client.get(world.ts_url))
    assert 'data-archived="true"' in page
    assert not [name for name, marker in FORMS.items() if marker in page]
    before = content(world)
    response = client.post(f"{world.ts_url}/pages", data={**fields, "title": "t", "body": "b"})
    assert response.status_code == 409 and 'data-error="twinspace_archived"' in text(response)
    assert content(world) == before
