"""Every action says what happened, where it happened (issue 13 item 3): a refused pseudonym
keeps what the teacher typed with the reason beside the field, its panel open; the course's last
unit tells the trainee what comes next (the certificate: how it is issued, then its link); a
named control for each member (issue 13 item 5)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from itsdangerous import URLSafeSerializer

from etwin_lti.web.pages import message_details
from tests.integration.pages.conftest import PagesWorld, submit
from tests.support.lti_tokens import ROLE_INSTRUCTOR, ROLE_LEARNER


def text(response: Any) -> str:
    return str(response.get_data(as_text=True))


def member_item(page: str, person_id: int) -> str:
    match = re.search(rf'<li data-member="{person_id}".*?</li>', page, re.S)
    assert match, page[:500]
    return match.group(0)


@pytest.mark.parametrize("typed", ["", "   ", "n" * 121])
def test_a_refused_pseudonym_keeps_the_typed_value_beside_its_error(
    world: PagesWorld, typed: str
) -> None:
    client, pupil = world.as_founder(), world.demo.people["pupil_b"]
    members = world.ts_url + "/members"
    before = world.hub.get_member(world.demo.twinspace_id, pupil).display_name
    response = submit(
        client, members, f"{world.ts_url}/members/{pupil}/pseudonym?page=1", display_name=typed
    )
    assert response.status_code == 422
    item = member_item(text(response), pupil)
    assert '<details class="manage" open>' in item  # the panel stays open
    field = re.search(r'<input type="text" name="display_name"[^>]*>', item)
    assert field is not None
    assert f'value="{typed}"' in field.group(0)  # what was typed, not the old name
    assert 'aria-invalid="true"' in field.group(0)
    assert f'aria-describedby="pseudonym-error-{pupil}"' in field.group(0)
    error = item.index(f'id="pseudonym-error-{pupil}"')
    assert item.index('name="display_name"') < error < item.index('data-action="pseudonym"')
    assert 'data-field="display_name"' in item[error:]
    assert world.hub.get_member(world.demo.twinspace_id, pupil).display_name == before
    other = member_item(text(response), world.demo.people["pupil_a"])
    assert '<details class="manage" open>' not in other and "aria-invalid" not in other


def test_every_members_control_names_the_member(world: PagesWorld) -> None:
    page = text(world.as_founder().get(world.ts_url + "/members"))
    names = re.findall(r'<summary aria-label="Manage ([^"]+)">Manage</summary>', page)
    assert len(names) >= 3 and len(set(names)) == len(names)
    assert "<summary>Manage</summary>" not in page


def test_comment_and_reply_controls_name_their_post(world: PagesWorld) -> None:
    page = text(world.as_pupil().get(world.ts_url))
    post = world.hub.list_diary(world.demo.project_id)[0]
    assert f'<button type="submit" aria-label="Comment on “{post.title}”">Comment</button>' in page
    assert '<button type="submit">Comment</button>' not in page
    assert '<button type="submit">Reply</button>' not in page


def test_the_last_unit_says_what_comes_next(world: PagesWorld) -> None:
    demo = world.demo
    last, first = demo.unit_ids[-1], demo.unit_ids[0]
    trainee = world.launched("founder-fr", [ROLE_LEARNER], f"unit:{last}")
    page = text(trainee.get(f"/embed/unit/{last}"))
    assert 'data-next="certificate" data-certificate="pending"' in page
    assert "a trainer of the edition issues your course certificate" in page
    assert 'data-link="acknowledgements"' in page and 'data-link="certificate"' not in page
    earlier = text(trainee.get(f"/embed/unit/{first}"))
    assert 'data-next="certificate"' not in earlier  # only the course's end says it
    person = demo.people["founder_fr"]
    world.hub.complete_course(None, demo.edition_id, person)  # the LMS recorded completion
    page = text(trainee.get(f"/embed/unit/{last}"))
    assert 'data-certificate="issued"' in page and 'data-link="certificate"' in page
    trainer = world.launched("trainer", [ROLE_INSTRUCTOR], f"unit:{last}")
    assert 'data-next="certificate"' not in text(trainer.get(f"/embed/unit/{last}"))


HOSTILE_DETAILS = [
    None,
    "",
    "not-signed",
    ["added", 3],
    {"added": -1},
    {"added": 10**12},
    {"added": True},  # a bool is not a count
    {"added": "3"},
    {"added": 3.5},
    {"added": 1, "{0.__class__}": 2},  # names that are not identifiers
]


@pytest.mark.parametrize("body", HOSTILE_DETAILS, ids=range(len(HOSTILE_DETAILS)))
def test_message_numbers_are_only_signed_small_counts(world: PagesWorld, body: Any) -> None:
    with world.app.test_request_context():
        assert message_details.read(message_details.sign({"added": 3})) == {"added": 3}
        if isinstance(body, dict | list):
            # Signed by someone who knows another salt, or well signed but not counts.
            other = URLSafeSerializer(world.app.config["SECRET_KEY"], salt="another").dumps(body)
            assert message_details.read(str(other)) is None
            token = message_details._serializer().dumps(body)
            assert message_details.read(str(token)) is None
        else:
            assert message_details.read(body) is None
