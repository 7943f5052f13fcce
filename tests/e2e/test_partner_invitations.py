"""Partner invitations over real HTTP (issue 12 item 5), through the sandbox LMS: the founder
finds two eTwinning teachers of other schools by name on the project page and invites them;
each launches from their LMS account, sees the invitation on the page the launch opens, and
answers: one accepts (a partner, with the project's eTwinning label), the other declines (the
founder sees it).

Sandbox users: "teacher" (2) is the founder Camille Martin, as in
``test_twinspace_workspace``; "assistant" (6) and "designer" (7) are made two validated
teachers of Polish and German schools before their first launch (as teachers who connected
their eTwinning accounts would be)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from etwin_lti.domain.model import AcknowledgementKind, PersonKind
from tests.e2e.test_twinspace_workspace import followed, launch
from tests.support.demo_tool import DemoTool, serving_demo_tool

pytestmark = pytest.mark.e2e


@pytest.fixture
def demo_tool(app_sqlite_url: str, tmp_path: Path) -> Iterator[DemoTool]:
    with serving_demo_tool(app_sqlite_url, tmp_path) as tool:
        tool.link("2", tool.demo.people["founder_fr"])
        yield tool


def _teacher(tool: DemoTool, user: str, name: str, country: str, school: str) -> int:
    person = tool.container.hub.create_person(
        name, PersonKind.TEACHER, country_code=country, school=school
    )
    tool.link(user, person.id)
    return person.id


def _invite(founder: object, tool: DemoTool, query: str, person_id: int) -> str:
    project = f"/embed/twinspace/{tool.demo.twinspace_id}/project"
    page = founder.get("/project")  # type: ignore[attr-defined]
    assert page.status_code == 200 and 'id="partners-h"' in page.text
    found = founder.post(f"{project}/partners/search", page.text, q=query)  # type: ignore[attr-defined]
    assert found.status_code == 200 and f'data-candidate="{person_id}"' in found.text, found.text[
        :800
    ]
    invited = founder.post(  # type: ignore[attr-defined]
        f"{project}/partners/invite", found.text, person=str(person_id), q=query
    )
    return followed(founder, invited)  # type: ignore[arg-type]


def test_founder_invites_two_teachers_one_accepts_one_declines(demo_tool: DemoTool) -> None:
    tool, hub = demo_tool, demo_tool.container.hub
    ola = _teacher(tool, "6", "Aleksandra Kowalczyk", "PL", "Szkoła Podstawowa nr 3, Poznań")
    lukas = _teacher(tool, "7", "Lukas Brenner", "DE", "Grundschule am See, Potsdam")
    founder = launch(tool, "teacher")
    page = _invite(founder, tool, "kowalcz", ola)
    assert "The invitation was sent" in page
    page = _invite(founder, tool, "BRENNER", lukas)
    assert len(re.findall(r'data-invitation-state="pending"', page)) == 2

    # Aleksandra launches the TwinSpace from her LMS account: the notice is on that page.
    guest = launch(tool, "assistant")
    landing = guest.get()
    assert "Camille Martin invites you to be a partner of the project" in landing.text
    [invitation] = hub.pending_partner_invitations(ola)
    accept = f"/embed/partner-invitations/{invitation.id}/accept"
    after = followed(guest, guest.post(accept, landing.text))
    assert "You are now a partner of the project" in after
    assert "data-partner-invitation" not in after
    assert ola in hub.get_project(tool.demo.project_id).partner_ids
    labels = hub.list_acknowledgements(person_id=ola)
    assert [a.kind for a in labels] == [AcknowledgementKind.ETWINNING_LABEL]
    assert 'data-action="download-label"' in guest.get("/project").text

    # Lukas declines from the same kind of launch; the founders see it.
    other = launch(tool, "designer")
    landing = other.get()
    [theirs] = hub.pending_partner_invitations(lukas)
    declined = followed(
        other, other.post(f"/embed/partner-invitations/{theirs.id}/decline", landing.text)
    )
    assert "You declined the invitation" in declined
    assert lukas not in hub.get_project(tool.demo.project_id).partner_ids
    listed = founder.get("/project").text
    assert f'data-invitation="{theirs.id}" data-invitation-state="declined"' in listed
    assert f'data-invitation="{invitation.id}" data-invitation-state="accepted"' in listed

    # Answering again, or someone else's, is refused with the tool's error page.
    again = other.post(f"/embed/partner-invitations/{theirs.id}/accept", landing.text)
    assert again.status_code == 404 and "Who can fix this" in again.text
    stolen = other.post(accept, landing.text)
    assert (
        stolen.status_code == 404 and lukas not in hub.get_project(tool.demo.project_id).partner_ids
    )
