"""Error pages written for whoever reads them (issue 13 item 3): a pupil's words for pupils and
a teacher as the one who can fix it, the status code kept for adults, a way back, the error
code in small print; API clients keep the same JSON."""

from __future__ import annotations

import html
import re

import pytest

from tests.integration.pages.conftest import PagesWorld, submit
from tests.support.lti_tokens import ROLE_INSTRUCTOR, ROLE_LEARNER

PRESENTATION = "https://purl.imsglobal.org/spec/lti/claim/launch_presentation"
RETURN_URL = "https://lms.test/course/view.php?id=7"


def who_can_fix(page: str) -> str:
    match = re.search(r"Who can fix this: <strong>([^<]*)</strong>", page)
    assert match, page[:800]
    return match.group(1)


def test_a_suspended_pupil_reads_a_pupils_words_and_who_can_let_them_in(
    world: PagesWorld,
) -> None:
    people = world.demo.people
    world.hub.suspend_member(people["founder_fr"], world.demo.twinspace_id, people["pupil_b"])
    response = world.launcher.launch(
        world.client(), sub="pupil-b", roles=[ROLE_LEARNER], resource=world.ts
    )
    assert response.status_code == 403
    page = response.get_data(as_text=True)
    assert 'data-reader="pupil"' in page and 'data-error="forbidden"' in page
    assert "You cannot go into this TwinSpace at the moment" in page
    assert "suspended" not in page and "HTTP 403" not in page
    assert who_can_fix(page) == "a teacher administrator of this TwinSpace"
    assert "<small>Error code: <code>forbidden</code></small>" in page


@pytest.mark.parametrize(
    ("locale", "label", "fixer"),
    [
        ("es", "Quién puede solucionarlo:", "un docente administrador de este TwinSpace"),
        ("fr", "Qui peut régler ce problème :", "un enseignant administrateur de ce TwinSpace"),
    ],
)
def test_a_suspended_pupil_reads_it_in_the_launchs_language(
    world: PagesWorld, locale: str, label: str, fixer: str
) -> None:
    """Whom a pupil is sent to is the error class's choice, so it holds in every language."""
    people = world.demo.people
    world.hub.suspend_member(people["founder_fr"], world.demo.twinspace_id, people["pupil_b"])
    response = world.launcher.launch(
        world.client(),
        sub="pupil-b",
        roles=[ROLE_LEARNER],
        resource=world.ts,
        **{PRESENTATION: {"locale": locale}},
    )
    assert response.status_code == 403
    page = html.unescape(response.get_data(as_text=True))
    assert f'lang="{locale}"' in page and 'data-reader="pupil"' in page
    who = re.search(r'<p class="who">(.*?)</p>', page)
    assert who, page[:800]
    assert who.group(1).replace("\xa0", " ") == f"{label} <strong>{fixer}</strong>"
    assert "You cannot go into" not in page and "Who can fix this" not in page


def test_a_suspended_teacher_reads_what_happened_and_who_can_let_them_in(
    world: PagesWorld,
) -> None:
    people = world.demo.people
    world.hub.suspend_member(people["founder_fr"], world.demo.twinspace_id, people["partner_pl"])
    response = world.launcher.launch(
        world.client(), sub="partner-pl", roles=[ROLE_INSTRUCTOR], resource=world.ts
    )
    assert response.status_code == 403
    page = response.get_data(as_text=True)
    assert 'data-reader="adult"' in page
    assert "Your membership of this TwinSpace is suspended." in page
    assert who_can_fix(page) == "a teacher administrator of this TwinSpace"
    assert "(HTTP 403)" in page


def test_a_pupils_refused_action_has_a_way_back_to_the_activity_and_the_course(
    world: PagesWorld,
) -> None:
    client = world.launched(
        "pupil-b", [ROLE_LEARNER], world.ts, **{PRESENTATION: {"return_url": RETURN_URL}}
    )
    founder = world.demo.people["founder_it"]
    action = f"{world.ts_url}/members/{founder}/suspend"
    response = submit(client, world.ts_url, action)
    assert response.status_code == 403
    page = response.get_data(as_text=True)
    assert 'data-reader="pupil"' in page
    assert "HTTP 403" not in page
    assert f'<a class="button" href="{world.ts_url}">Back to the activity</a>' in page
    assert f'<a class="button" href="{RETURN_URL}">Back to the course</a>' in page


def test_the_api_keeps_its_json_errors(world: PagesWorld) -> None:
    response = world.client().get("/api/v1/events", headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401
    body = response.get_json()
    assert set(body) == {"code", "message"}
    assert body["code"] == "unauthenticated"
