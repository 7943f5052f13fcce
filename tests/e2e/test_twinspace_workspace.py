"""The TwinSpace as a workspace (issue 12), driven through the sandbox LMS over real HTTP: each
journey starts with a launch from ``/sandbox/`` as one of its users, posts the forms the pages
show (their hidden CSRF fields included) and checks what the next person sees.

The sandbox's "teacher" (user 2) is made the demo project's founder, Camille Martin, before its
first launch (as a teacher who connected their eTwinning account would be); "assistant" (user 6)
plays another demo teacher where a journey needs a second one. One demo world per test: the
journeys change the TwinSpace and must not see each other's changes."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import requests

from etwin_lti.domain.api_tokens import ApiTokenRole
from etwin_lti.domain.model import NqlCriterion, NqlSubCriterion
from tests.e2e.peer import launch_through
from tests.support.demo_tool import DemoTool, serving_demo_tool

pytestmark = pytest.mark.e2e

TIMEOUT = 10


@pytest.fixture
def demo_tool(app_sqlite_url: str, tmp_path: Path) -> Iterator[DemoTool]:
    with serving_demo_tool(app_sqlite_url, tmp_path) as tool:
        tool.link("2", tool.demo.people["founder_fr"])  # the sandbox teacher is the founder
        yield tool


@dataclass
class Member:
    """A browser that launched the demo TwinSpace from the sandbox as one of its users."""

    tool: DemoTool
    browser: requests.Session

    @property
    def ts_url(self) -> str:
        return f"{self.tool.base_url}/embed/twinspace/{self.tool.demo.twinspace_id}"

    def get(self, path: str = "") -> requests.Response:
        return self.browser.get(self.ts_url + path, timeout=TIMEOUT)

    def post(self, action: str, page: str, **fields: str | list[str]) -> requests.Response:
        """Submit a form of ``page`` (the HTML it came from) to ``action``, with the hidden
        CSRF fields that page carries, without following the redirect."""
        data: dict[str, str | list[str]] = {**hidden_fields(page), **fields}
        url = action if action.startswith("http") else self.tool.base_url + action
        return self.browser.post(url, data=data, allow_redirects=False, timeout=TIMEOUT)


def launch(tool: DemoTool, user: str) -> Member:
    browser = requests.Session()
    ts = tool.demo.twinspace_id
    response = launch_through(
        browser, f"{tool.base_url}/sandbox/launch?user={user}&resource=demo-twinspace-{ts}"
    )
    assert response.status_code == 200, response.text[:800]
    assert response.headers["Content-Location"].endswith(f"/embed/twinspace/{ts}")
    return Member(tool, browser)


def hidden_fields(page: str) -> dict[str, str]:
    """What every page form carries: its CSRF token and the launch token, as the page's meta
    tags give them (also on a page that shows this person no form, for the forged posts)."""
    fields = {
        name: html.unescape(value)
        for name, value in re.findall(
            r'<meta name="(csrf_token|etwin_launch_token)" content="([^"]*)"', page
        )
    }
    assert "csrf_token" in fields, page[:800]
    return fields


def followed(member: Member, response: requests.Response) -> str:
    """The page a Post/Redirect/Get answer leads to."""
    assert response.status_code == 303, response.text[:800]
    page = member.browser.get(member.tool.base_url + response.headers["Location"], timeout=10)
    assert page.status_code == 200, page.text[:800]
    return page.text


def forum_post_id(page: str, text: str) -> int:
    for ident, body in re.findall(r'<li data-forum-post="(\d+)"(.*?)</li>', page, re.S):
        if text in body:
            return int(ident)
    raise AssertionError(f"no forum post with {text!r}")


def forum_post_tag(page: str, ident: int) -> str:
    match = re.search(rf'<li data-forum-post="{ident}"[^>]*>', page)
    assert match, page[:800]
    return match.group(0)


def plan_line(page: str, field: str) -> str:
    """What the project page shows for one item of the plan."""
    match = re.search(rf'<dd data-plan="{field}">(.*?)</dd>', page, re.S)
    assert match, page[:800]
    return html.unescape(match.group(1)).strip()


def assert_refused(response: requests.Response) -> None:
    """A refusal is the tool's error page inside the frame, never a 500 or a redirect."""
    assert response.status_code == 403, response.text[:800]
    assert 'role="alert"' in response.text and 'data-status="403"' in response.text
    assert "Who can fix this" in response.text


def pupil_names(tool: DemoTool) -> list[str]:
    hub = tool.container.hub
    ts = tool.demo.twinspace_id
    people = [hub.get_person(m.person_id) for m in hub.list_members(ts)]
    return [p.display_name for p in people if p.kind.value == "pupil"]


def test_a_founder_hides_a_pupils_reply_and_restores_it(demo_tool: DemoTool) -> None:
    reply = "Otters live under our bridge, near the old mill."
    pupil = launch(demo_tool, "pupil")
    page = pupil.get().text
    posted = followed(
        pupil,
        pupil.post(
            f"/embed/twinspace/{demo_tool.demo.twinspace_id}/threads/1/replies", page, body=reply
        ),
    )
    assert reply in posted
    post_id = forum_post_id(posted, reply)
    hide = f"/embed/twinspace/{demo_tool.demo.twinspace_id}/content/forum_post/{post_id}/hide"

    # A pupil is no moderator: the hide form posted by hand is the refusal page, nothing hidden.
    assert_refused(pupil.post(hide, posted))
    assert reply in pupil.get().text

    founder = launch(demo_tool, "teacher")
    page = founder.get().text
    assert reply in page and 'aria-label="Hide forum reply' in page
    hidden_view = followed(founder, founder.post(hide, page))
    assert 'data-hidden="true"' in forum_post_tag(hidden_view, post_id)
    assert reply in hidden_view  # the founder still sees it, marked hidden
    restore = f"/embed/twinspace/{demo_tool.demo.twinspace_id}/content/forum_post/{post_id}/restore"
    assert restore in hidden_view

    # The pupil's next page view no longer shows it.
    assert reply not in pupil.get().text

    restored = followed(founder, founder.post(restore, hidden_view))
    assert 'data-hidden="true"' not in forum_post_tag(restored, post_id)
    assert reply in pupil.get().text


def test_the_public_page_shows_what_the_founder_published_and_no_pupils_name(
    demo_tool: DemoTool,
) -> None:
    ts = demo_tool.demo.twinspace_id
    public_url = f"{demo_tool.base_url}/projects/{demo_tool.demo.project_id}/public"
    launch(demo_tool, "pupil")  # the sandbox's pupil joins: one more name that must not leak
    founder = launch(demo_tool, "teacher")
    page = founder.get().text
    page = followed(
        founder,
        founder.post(
            f"/embed/twinspace/{ts}/pages",
            page,
            title="Our river in spring",
            body="The river *sings* at night.",
            visibility="public",
        ),
    )
    page = followed(
        founder,
        founder.post(
            f"/embed/twinspace/{ts}/pages",
            page,
            title="Teachers' planning notes",
            body="Only for us.",
            visibility="private",
        ),
    )
    before = requests.get(public_url, timeout=TIMEOUT)
    assert before.status_code == 200 and "Our drawing of the Rh" not in before.text
    # The drawing is Pupil A.'s, private in the demo: only a teacher administrator publishes it.
    drawing = re.search(
        r'<li data-material="(\d+)">(?:(?!</li>).)*?Our drawing of the Rh', page, re.S
    )
    assert drawing, page[:800]
    page = followed(
        founder,
        founder.post(
            f"/embed/twinspace/{ts}/content/material/{drawing.group(1)}/visibility",
            page,
            visibility="public",
        ),
    )

    anonymous = requests.get(public_url, timeout=TIMEOUT)  # no cookies: a visitor
    assert anonymous.status_code == 200, anonymous.text[:800]
    public = html.unescape(anonymous.text)
    assert "Our river in spring" in public and "<em>sings</em>" in anonymous.text
    assert "Our drawing of the Rhône" in public
    assert "About our project" in public  # the demo's public page
    assert "Teachers' planning notes" not in public and "Only for us." not in public
    assert "Week 1: Meet the rivers" not in public  # the demo's private page
    names = pupil_names(demo_tool)
    assert len(names) == 5  # the four demo pupils and the sandbox's
    for name in [*names, "Piet Pupil", "Piet"]:
        assert name not in public, name
    gallery = requests.get(f"{demo_tool.base_url}/projects/public", timeout=TIMEOUT)
    assert gallery.status_code == 200
    assert f"/projects/{demo_tool.demo.project_id}/public" in gallery.text


def test_a_pupils_chat_message_reaches_the_founders_poll_as_plain_text(
    demo_tool: DemoTool,
) -> None:
    ts = demo_tool.demo.twinspace_id
    message = "**Look** <script>alert(1)</script> at our river"
    founder = launch(demo_tool, "teacher")
    first = founder.browser.get(f"{founder.ts_url}/chat/messages", timeout=TIMEOUT)
    assert first.status_code == 200 and first.json()["messages"] == []
    cursor = first.json()["cursor"]

    pupil = launch(demo_tool, "pupil")
    room = pupil.get("/chat")
    assert room.status_code == 200
    shown = followed(
        pupil, pupil.post(f"/embed/twinspace/{ts}/chat/messages", room.text, body=message)
    )
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in shown
    assert "<script>alert(1)</script>" not in shown and "<strong>Look" not in shown

    poll = founder.browser.get(
        f"{founder.ts_url}/chat/messages", params={"after": cursor}, timeout=TIMEOUT
    )
    assert poll.status_code == 200 and poll.headers["Content-Type"].startswith("application/json")
    lines = poll.json()["messages"]
    assert [line["body"] for line in lines] == [message]  # text, never rendered to HTML
    assert lines[0]["mine"] is False and lines[0]["can_hide"] is True
    assert lines[0]["author"] != "Piet Pupil"  # pupils chat under their pseudonym
    again = founder.browser.get(
        f"{founder.ts_url}/chat/messages", params={"after": poll.json()["cursor"]}, timeout=10
    )
    assert again.json()["messages"] == []

    # The founder hides it with the room's form; the pupil's room no longer shows it.
    hidden = founder.post(
        f"/embed/twinspace/{ts}/chat/messages/{lines[0]['id']}/hide", founder.get("/chat").text
    )
    assert followed(founder, hidden).count("alert(1)") == 1  # kept, marked, for the founder
    assert "alert(1)" not in pupil.get("/chat").text
    # Its poll tells the open page to blank the line, without the words.
    change = pupil.browser.get(
        f"{pupil.ts_url}/chat/messages", params={"after": cursor}, timeout=TIMEOUT
    ).json()["messages"]
    assert [(c["id"], c["hidden"], c["body"]) for c in change] == [(lines[0]["id"], True, "")]


def test_the_founder_edits_the_plan_and_extends_and_others_are_refused(
    demo_tool: DemoTool,
) -> None:
    ts = demo_tool.demo.twinspace_id
    ends_on = (datetime.now(UTC).date() + timedelta(days=200)).isoformat()
    founder = launch(demo_tool, "teacher")
    project_page = founder.get("/project").text
    saved = followed(
        founder,
        founder.post(
            f"/embed/twinspace/{ts}/project/plan",
            project_page,
            description="Three rivers, three schools.",
            subjects="Biology\nMusic",
            languages="en, fr, it",
            levels=["primary"],
        ),
    )
    assert "The project&#39;s plan was saved." in saved
    assert plan_line(saved, "description") == "Three rivers, three schools."
    assert plan_line(saved, "subjects") == "Biology, Music"
    assert plan_line(saved, "languages").count("(") == 3  # "English (en), French (fr), ..."
    for code in ("(en)", "(fr)", "(it)"):
        assert code in plan_line(saved, "languages")
    assert plan_line(saved, "levels").startswith("Primary")
    extended = followed(
        founder, founder.post(f"/embed/twinspace/{ts}/project/extend", saved, ends_on=ends_on)
    )
    # A date reads per locale; its machine value is the ISO date.
    assert f'<time datetime="{ends_on}">' in plan_line(extended, "ends_on")
    # Every teacher of the approved project downloads its eTwinning label from the same page.
    label = re.search(r'<a href="([^"]+)" data-action="download-label"', extended)
    assert label, extended[:800]
    certificate = founder.browser.get(html.unescape(label.group(1)), timeout=TIMEOUT)
    assert certificate.status_code == 200
    assert "Camille Martin" in certificate.text and "Our Rivers, Our Future" in certificate.text
    project = demo_tool.container.hub.get_project(demo_tool.demo.project_id)
    assert project.ends_on == date.fromisoformat(ends_on)

    later = (datetime.now(UTC).date() + timedelta(days=400)).isoformat()
    demo_tool.link("6", demo_tool.demo.people["partner_pl"])
    for who in ("pupil", "assistant"):  # a pupil, then the Polish partner teacher
        member = launch(demo_tool, who)
        page = member.get("/project")
        assert page.status_code == 200
        assert 'data-form="plan"' not in page.text and 'data-form="extend"' not in page.text
        assert ('data-action="download-label"' in page.text) is (who == "assistant")
        assert_refused(
            member.post(
                f"/embed/twinspace/{ts}/project/plan",
                page.text,
                description="Taken over.",
                subjects="",
                languages="de",
            )
        )
        assert_refused(
            member.post(f"/embed/twinspace/{ts}/project/extend", page.text, ends_on=later)
        )
    project = demo_tool.container.hub.get_project(demo_tool.demo.project_id)
    assert project.ends_on == date.fromisoformat(ends_on)
    assert plan_line(founder.get("/project").text, "description") == "Three rivers, three schools."


def test_two_countries_nqls_award_the_eql_by_rule_and_the_twinspace_says_so(
    demo_tool: DemoTool,
) -> None:
    ts = demo_tool.demo.twinspace_id
    demo_tool.link("6", demo_tool.demo.people["founder_it"])
    for who in ("teacher", "assistant"):  # the French founder, then the Italian one
        founder = launch(demo_tool, who)
        page = founder.get("/project").text
        applied = followed(founder, founder.post(f"/embed/twinspace/{ts}/project/nql", page))
        assert "Your application for the National Quality Label was sent to your NSO." in applied
    assert 'data-eql="awarded"' not in founder.get().text

    tokens = demo_tool.container.api_tokens
    api = demo_tool.base_url + "/api/v1"
    scores = {c.value: 4 for c in NqlCriterion}
    sub_scores = {s.value: 4 for s in NqlSubCriterion}
    applicants = {
        "FR": demo_tool.demo.people["founder_fr"],
        "IT": demo_tool.demo.people["founder_it"],
    }
    for country, applicant in applicants.items():
        _, secret = tokens.create(
            ApiTokenRole("nso_officer"), now=datetime.now(UTC), country_code=country
        )
        officer = {"Authorization": f"Bearer {secret}"}
        listed = requests.get(f"{api}/nql-applications", headers=officer, timeout=TIMEOUT)
        assert listed.status_code == 200, listed.text
        pending = [
            a
            for a in listed.json()
            if a["project_id"] == demo_tool.demo.project_id
            and a["teacher_id"] == applicant
            and a["decision"] == "pending"
        ]
        assert len(pending) == 1, listed.json()
        decided = requests.post(
            f"{api}/nql-applications/{pending[0]['id']}/decision",
            headers=officer,
            json={"scores": scores, "sub_scores": sub_scores},
            timeout=TIMEOUT,
        )
        assert decided.status_code == 200, decided.text
        assert decided.json()["decision"] == "granted"

    for who in ("teacher", "pupil"):  # a label is no secret: every member sees the line
        page = html.unescape(launch(demo_tool, who).get().text)
        assert 'data-eql="awarded" data-eql-by="rule"' in page
        assert "because it holds National Quality Labels from France and Italy" in page


def test_a_teachers_api_token_posts_to_their_diary_and_not_to_another_project(
    demo_tool: DemoTool,
) -> None:
    founder = launch(demo_tool, "teacher")
    access = founder.browser.get(f"{demo_tool.base_url}/embed/api-access", timeout=TIMEOUT)
    assert access.status_code == 200
    made = founder.post("/embed/api-access", access.text, label="My class script", days="30")
    assert made.status_code == 201, made.text[:800]
    secret = re.search(r"<code data-secret>([^<]+)</code>", made.text)
    assert secret, made.text[:800]
    bearer = {"Authorization": f"Bearer {html.unescape(secret.group(1))}"}
    assert (
        "My class script"
        in founder.browser.get(f"{demo_tool.base_url}/embed/api-access", timeout=TIMEOUT).text
    )

    api = demo_tool.base_url + "/api/v1"
    entry = {"title": "Week 3 from a script", "body": "We measured the water temperature."}
    posted = requests.post(
        f"{api}/projects/{demo_tool.demo.project_id}/diary", headers=bearer, json=entry, timeout=10
    )
    assert posted.status_code == 201, posted.text
    assert posted.json()["title"] == entry["title"]
    assert "Week 3 from a script" in founder.get().text  # on the TwinSpace page, as theirs

    other = requests.post(
        f"{api}/projects/{demo_tool.demo.national_project_id}/diary",
        headers=bearer,
        json=entry,
        timeout=TIMEOUT,
    )
    assert other.status_code == 403, other.text
    anonymous = requests.post(
        f"{api}/projects/{demo_tool.demo.project_id}/diary", json=entry, timeout=TIMEOUT
    )
    assert anonymous.status_code == 401

    # The launch session is the other credential: the cookie alone is none (401), with the
    # page's CSRF token it posts as the founder; a pupil's session is refused (pupils comment).
    diary_url = f"{api}/projects/{demo_tool.demo.project_id}/diary"
    from_page = {"title": "Week 3 from the page", "body": "Posted by the page's script."}
    cookie_only = founder.browser.post(diary_url, json=from_page, timeout=TIMEOUT)
    assert cookie_only.status_code == 401, cookie_only.text
    csrf = {"X-Etwin-CSRF": hidden_fields(founder.get().text)["csrf_token"]}
    by_session = founder.browser.post(diary_url, json=from_page, headers=csrf, timeout=TIMEOUT)
    assert by_session.status_code == 201, by_session.text
    pupil = launch(demo_tool, "pupil")
    pupil_csrf = {"X-Etwin-CSRF": hidden_fields(pupil.get().text)["csrf_token"]}
    refused = pupil.browser.post(diary_url, json=from_page, headers=pupil_csrf, timeout=TIMEOUT)
    assert refused.status_code == 403, refused.text

    diary = demo_tool.container.hub.list_diary(demo_tool.demo.project_id)
    titles = [p.title for p in diary]
    assert titles.count(entry["title"]) == 1 and titles.count(from_page["title"]) == 1
