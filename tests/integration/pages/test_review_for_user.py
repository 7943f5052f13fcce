"""Submission Review's ``for_user``: an instructor sees THAT learner's progress, a learner only
ever their own (https://www.imsglobal.org/spec/lti-sr/v1p0/#for_user-claim)."""

from __future__ import annotations

from typing import Any

import pytest

from etwin_lti.lti import claims as c
from tests.integration.pages.conftest import TRAINING_COURSE, PagesWorld
from tests.support.lti_tokens import ROLE_INSTRUCTOR, ROLE_LEARNER


def review_page(world: PagesWorld, sub: str, role: str, for_user: str) -> str:
    client = world.client()
    response = world.launcher.launch(
        client,
        sub=sub,
        roles=[role],
        resource=f"unit:{world.demo.unit_id}",
        message_type=c.SUBMISSION_REVIEW_REQUEST,
        **{c.FOR_USER: {"user_id": for_user}, c.CONTEXT: TRAINING_COURSE},
    )
    assert response.status_code == 303 and response.headers["Location"].endswith("/lti/review")
    page: Any = client.get("/lti/review")
    assert page.status_code == 200
    return str(page.get_data(as_text=True))


def test_instructor_sees_the_named_learners_progress(world: PagesWorld) -> None:
    learner = world.hub.get_person(world.demo.people["founder_fr"]).display_name
    page = review_page(world, "trainer", ROLE_INSTRUCTOR, for_user="founder-fr")
    assert 'data-review-subject="learner"' in page and learner in page
    assert "3 of 3" in page  # the demo finished unit 1 for her; the trainer did none of it


def test_instructor_is_told_when_the_learner_never_opened_the_tool(world: PagesWorld) -> None:
    page = review_page(world, "trainer", ROLE_INSTRUCTOR, for_user="never-launched")
    assert 'data-review-subject="learner"' in page
    assert "has not opened this activity yet" in page and "of 3" not in page


@pytest.mark.parametrize(
    ("sub", "for_user", "done"),
    [("partner-pl", "founder-fr", "0 of 3"), ("founder-fr", "founder-fr", "3 of 3")],
    ids=["another-learner", "themself"],
)
def test_a_learner_only_ever_sees_their_own_progress(
    world: PagesWorld, sub: str, for_user: str, done: str
) -> None:
    page = review_page(world, sub, ROLE_LEARNER, for_user=for_user)
    assert 'data-review-subject="launcher"' in page and done in page
