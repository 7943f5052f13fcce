"""Partner invitations on the pages (issue 12 item 5): the founder invites from the project page
(only teachers the page offered), the invited teacher answers from the notice on whatever page
their launch opens, and every hostile or out-of-order post is refused with nothing written."""

from __future__ import annotations

from typing import Any

import pytest

from etwin_lti.domain.model import AcknowledgementKind, PersonKind, TwinSpaceRole
from etwin_lti.domain.partner_invitations import PartnerInvitationState
from tests.integration.pages.conftest import PagesWorld, hidden_fields, submit
from tests.support.lti_tokens import ROLE_INSTRUCTOR, ROLE_LEARNER

S = PartnerInvitationState


def text(response: Any) -> str:
    return str(response.get_data(as_text=True))


def project_url(world: PagesWorld) -> str:
    return f"{world.ts_url}/project"


def action(world: PagesWorld, name: str) -> str:
    return f"{project_url(world)}/partners/{name}"


def answer_url(invitation_id: int, answer: str) -> str:
    return f"/embed/partner-invitations/{invitation_id}/{answer}"


def state(world: PagesWorld) -> dict[str, Any]:
    hub, demo = world.hub, world.demo
    return {
        "project": hub.get_project(demo.project_id),
        "invitations": hub.list_partner_invitations(demo.project_id),
        "members": hub.list_members(demo.twinspace_id),
        "labels": hub.list_acknowledgements(subject=f"project:{demo.project_id}"),
    }


def outsider(world: PagesWorld, name: str = "Agnieszka Wiśniewska", sub: str = "agnieszka") -> int:
    """A validated eTwinning teacher of another school, known to the hub, who can launch."""
    person = world.hub.create_person(
        name, PersonKind.TEACHER, country_code="PL", school="Szkoła nr 12, Gdańsk"
    )
    world.launcher.link(world.app, sub, person.id)
    return person.id


def invite_found(world: PagesWorld, client: Any, query: str, person_id: int) -> Any:
    """Search, then press Invite on the result, as the founder's browser does."""
    found = client.post(action(world, "search"), data={**fields(client, world), "q": query})
    assert found.status_code == 200 and f'data-candidate="{person_id}"' in text(found)
    return client.post(
        action(world, "invite"),
        data={**hidden_fields(text(found)), "person": str(person_id), "q": query},
    )


def fields(client: Any, world: PagesWorld) -> dict[str, str]:
    return hidden_fields(text(client.get(project_url(world))))


def test_founder_invites_a_found_teacher_who_accepts_on_their_launch(world: PagesWorld) -> None:
    invitee = outsider(world)
    founder = world.as_founder()
    page = text(founder.get(project_url(world)))
    assert 'id="partners-h"' in page and "No partner invitation yet." in page

    invited = invite_found(world, founder, "wiśniew", invitee)
    assert invited.status_code == 303 and invited.headers["Location"].endswith(
        "?msg=partner_invited"
    )
    after = text(founder.get(invited.headers["Location"]))
    assert "The invitation was sent" in after
    assert 'data-invitation-state="pending"' in after and "Agnieszka" in after

    teacher = world.launched("agnieszka", [ROLE_INSTRUCTOR], world.ts)
    landing = text(teacher.get(world.ts_url))
    [invitation] = world.hub.pending_partner_invitations(invitee)
    assert f'data-partner-invitation="{invitation.id}"' in landing
    assert "Camille Martin invites you to be a partner of the project" in landing
    accepted = teacher.post(answer_url(invitation.id, "accept"), data=hidden_fields(landing))
    assert accepted.status_code == 303
    assert accepted.headers["Location"].endswith(f"{world.ts_url}?msg=partner_invitation_accepted")
    back = text(teacher.get(accepted.headers["Location"]))
    assert "You are now a partner of the project" in back
    assert "data-partner-invitation" not in back
    assert invitee in world.hub.get_project(world.demo.project_id).partner_ids
    assert world.hub.get_member(world.demo.twinspace_id, invitee).role is TwinSpaceRole.TEACHER
    labels = world.hub.list_acknowledgements(person_id=invitee)
    assert [a.kind for a in labels] == [AcknowledgementKind.ETWINNING_LABEL]
    assert 'data-invitation-state="accepted"' in text(founder.get(project_url(world)))


def test_the_notice_shows_on_an_event_page_too_and_declining_is_seen_by_founders(
    world: PagesWorld,
) -> None:
    invitee = outsider(world, "Kasia Dabrowska", "kasia")
    invitation = world.hub.invite_partner(
        world.demo.people["founder_it"], world.demo.project_id, invitee
    )
    teacher = world.launched("kasia", [ROLE_INSTRUCTOR], f"event:{world.demo.event_id}")
    page = text(teacher.get(f"/embed/event/{world.demo.event_id}"))
    assert "Giulia Rossi invites you to be a partner" in page
    declined = teacher.post(answer_url(invitation.id, "decline"), data=hidden_fields(page))
    assert declined.status_code == 303
    assert declined.headers["Location"].endswith("?msg=partner_invitation_declined")
    assert invitee not in world.hub.get_project(world.demo.project_id).partner_ids
    listed = text(world.as_founder().get(project_url(world)))
    assert f'data-invitation="{invitation.id}" data-invitation-state="declined"' in listed


def test_a_member_of_the_twinspace_is_offered_and_withdrawn(world: PagesWorld) -> None:
    member = outsider(world, "Lena Weber", "lena")
    world.hub.add_member(
        world.demo.people["founder_fr"], world.demo.twinspace_id, member, TwinSpaceRole.OBSERVER
    )
    founder = world.as_founder()
    page = text(founder.get(project_url(world)))
    assert f'<option value="{member}">Lena Weber</option>' in page
    partner = world.demo.people["partner_pl"]
    assert f'<option value="{partner}">' not in page  # already a partner
    response = submit(founder, project_url(world), action(world, "invite"), person=str(member))
    assert response.status_code == 303
    [invitation] = world.hub.pending_partner_invitations(member)
    withdrawn = submit(
        founder, project_url(world), action(world, "withdraw"), invitation=str(invitation.id)
    )
    assert withdrawn.status_code == 303
    assert world.hub.list_partner_invitations(world.demo.project_id)[-1].state is S.WITHDRAWN
    # Withdrawn, then the invitee tries to accept: nothing waits for them any more.
    teacher = world.launched("lena", [ROLE_INSTRUCTOR], world.ts)
    page = text(teacher.get(world.ts_url))
    assert "data-partner-invitation" not in page
    before = state(world)
    late = teacher.post(answer_url(invitation.id, "accept"), data=hidden_fields(page))
    assert late.status_code == 404 and "not waiting for your answer" in text(late)
    assert state(world) == before


def test_the_search_offers_validated_teachers_only(world: PagesWorld) -> None:
    founder = world.as_founder()
    short = founder.post(action(world, "search"), data={**fields(founder, world), "q": "ab"})
    assert short.status_code == 200 and "at least 3 letters" in text(short)
    pupil = world.hub.create_person("Zebedee Pupil", PersonKind.PUPIL, country_code="PL")
    no_country = world.hub.create_person("Zebedee Nocountry", PersonKind.TEACHER)
    found = text(
        founder.post(action(world, "search"), data={**fields(founder, world), "q": "zebedee"})
    )
    assert f'data-candidate="{pupil.id}"' not in found
    assert f'data-candidate="{no_country.id}"' not in found
    assert "No eTwinning teacher found by that name." in found
    # The founders themselves and partners are never offered.
    mine = text(
        founder.post(action(world, "search"), data={**fields(founder, world), "q": "Tomasz"})
    )
    assert f'data-candidate="{world.demo.people["partner_pl"]}"' not in mine


def _forged(world: PagesWorld) -> dict[str, str]:
    return {"person": str(outsider(world, "Forged Target", "forged"))}


# (who launches, what they post where, status, error code)
REFUSALS: list[tuple[str, str, Any, int, str]] = [
    ("founder-fr", "invite", _forged, 404, "not_found"),  # never offered: no search
    (
        "founder-fr",
        "invite",
        lambda w: {**_forged(w), "q": "Camille"},  # a search that does not find them
        404,
        "not_found",
    ),
    ("founder-fr", "invite", lambda _w: {"person": "1 OR 1=1"}, 422, "invalid_input"),
    ("founder-fr", "invite", lambda _w: {}, 422, "invalid_input"),
    ("founder-fr", "withdraw", lambda _w: {"invitation": "999999"}, 404, "not_found"),
    ("founder-fr", "promote", lambda _w: {}, 404, "not_found"),
    ("partner-pl", "invite", _forged, 403, "forbidden"),
    ("pupil-b", "invite", _forged, 403, "forbidden"),
]


@pytest.mark.parametrize(
    ("sub", "name", "make", "status", "code"),
    REFUSALS,
    ids=[f"{r[0]}-{r[1]}-{i}" for i, r in enumerate(REFUSALS)],
)
def test_refused_project_page_posts_write_nothing(
    world: PagesWorld, sub: str, name: str, make: Any, status: int, code: str
) -> None:
    roles = [ROLE_LEARNER] if sub.startswith("pupil") else [ROLE_INSTRUCTOR]
    client = world.launched(sub, roles, world.ts)
    form = make(world)
    before = state(world)
    response = submit(client, project_url(world), action(world, name), **form)
    page = text(response)
    assert response.status_code == status, page[:600]
    assert f'data-error="{code}"' in page
    assert state(world) == before


def test_withdrawing_an_invitation_of_another_project_is_not_found(world: PagesWorld) -> None:
    hub, people = world.hub, world.demo.people
    other = hub.create_project(people["national_founder_1"], people["national_founder_2"], "B")
    other = hub.validate_project("ES", other.id)
    theirs = hub.invite_partner(people["national_founder_1"], other.id, outsider(world))
    before = state(world)
    response = submit(
        world.as_founder(),
        project_url(world),
        action(world, "withdraw"),
        invitation=str(theirs.id),
    )
    assert response.status_code == 404
    assert hub.list_partner_invitations(other.id) == [theirs] and state(world) == before


def test_a_teacher_of_another_twinspace_cannot_invite_here(world: PagesWorld) -> None:
    hub, people = world.hub, world.demo.people
    project = hub.validate_project(
        "ES", hub.create_project(people["national_founder_1"], people["national_founder_2"], "C").id
    )
    world.launcher.link(world.app, "national-1", people["national_founder_1"])
    stranger = world.launched("national-1", [ROLE_INSTRUCTOR], f"twinspace:{project.twinspace_id}")
    own = hidden_fields(text(stranger.get(f"/embed/twinspace/{project.twinspace_id}/project")))
    before = state(world)
    response = stranger.post(action(world, "invite"), data={**own, **_forged(world)})
    assert response.status_code == 403 and 'data-error="not_your_resource"' in text(response)
    assert state(world) == before


def test_answering_someone_elses_invitation_or_twice_is_refused(world: PagesWorld) -> None:
    invitee = outsider(world)
    other = outsider(world, "Piotr Zielinski", "piotr")
    invitation = world.hub.invite_partner(
        world.demo.people["founder_fr"], world.demo.project_id, invitee
    )
    intruder = world.launched("piotr", [ROLE_INSTRUCTOR], world.ts)
    page = text(intruder.get(world.ts_url))
    assert "data-partner-invitation" not in page
    before = state(world)
    response = intruder.post(answer_url(invitation.id, "accept"), data=hidden_fields(page))
    assert response.status_code == 404 and state(world) == before
    assert other not in world.hub.get_project(world.demo.project_id).partner_ids

    teacher = world.launched("agnieszka", [ROLE_INSTRUCTOR], world.ts)
    own = hidden_fields(text(teacher.get(world.ts_url)))
    assert teacher.post(answer_url(invitation.id, "accept"), data=own).status_code == 303
    accepted = state(world)
    again = teacher.post(answer_url(invitation.id, "decline"), data=own)
    assert again.status_code == 404 and state(world) == accepted


def test_answers_need_the_csrf_token(world: PagesWorld) -> None:
    invitee = outsider(world)
    invitation = world.hub.invite_partner(
        world.demo.people["founder_fr"], world.demo.project_id, invitee
    )
    teacher = world.launched("agnieszka", [ROLE_INSTRUCTOR], world.ts)
    own = hidden_fields(text(teacher.get(world.ts_url)))
    before = state(world)
    missing = teacher.post(
        answer_url(invitation.id, "accept"),
        data={k: v for k, v in own.items() if k != "csrf_token"},
    )
    assert missing.status_code == 403 and 'data-error="csrf_failed"' in text(missing)
    founder = world.as_founder()
    forged = {**fields(founder, world), "csrf_token": "0" * 64, **_forged(world)}
    assert founder.post(action(world, "invite"), data=forged).status_code == 403
    assert state(world) == before


def test_an_invitation_to_a_closed_project_is_refused_and_cannot_be_accepted(
    world: PagesWorld,
) -> None:
    hub, people = world.hub, world.demo.people
    invitee = outsider(world)
    invitation = hub.invite_partner(people["founder_fr"], world.demo.project_id, invitee)
    teacher = world.launched("agnieszka", [ROLE_INSTRUCTOR], world.ts)
    own = hidden_fields(text(teacher.get(world.ts_url)))
    member = outsider(world, "Lena Weber", "lena")
    hub.add_member(people["founder_fr"], world.demo.twinspace_id, member, TwinSpaceRole.OBSERVER)
    founder = world.as_founder()  # launched before the close (an archived space takes none)
    hub.close_project(people["founder_fr"], world.demo.project_id)
    before = state(world)
    late = teacher.post(answer_url(invitation.id, "accept"), data=own)
    assert late.status_code == 409 and 'data-error="project_closed"' in text(late)
    assert 'id="partners-h"' not in text(founder.get(project_url(world)))
    refused = founder.post(
        action(world, "invite"), data={**fields(founder, world), "person": str(member)}
    )
    assert refused.status_code == 409 and 'data-error="project_closed"' in text(refused)
    assert state(world) == before


def test_the_launch_session_invites_and_answers_over_the_api(world: PagesWorld) -> None:
    """The embedded page's own scripts: the session plus the page's CSRF token in a header."""
    invitee = outsider(world)
    founder = world.as_founder()
    headers = {"X-Etwin-CSRF": fields(founder, world)["csrf_token"]}
    api = f"/api/v1/projects/{world.demo.project_id}/partner-invitations"
    made = founder.post(api, headers=headers, json={"invitee_id": invitee})
    assert made.status_code == 201, made.get_json()
    assert made.get_json()["inviter_id"] == world.demo.people["founder_fr"]
    teacher = world.launched("agnieszka", [ROLE_INSTRUCTOR], world.ts)
    own = {"X-Etwin-CSRF": hidden_fields(text(teacher.get(world.ts_url)))["csrf_token"]}
    mine = teacher.get(f"/api/v1/people/{invitee}/partner-invitations", headers=own)
    assert [i["id"] for i in mine.get_json()] == [made.get_json()["id"]]
    # The founder's session cannot answer for the invitee; the invitee's can.
    refused = founder.post(
        f"/api/v1/partner-invitations/{made.get_json()['id']}/accept", headers=headers, json={}
    )
    assert refused.status_code == 403
    assert refused.get_json()["code"] == "partner_invitation_not_yours"
    accepted = teacher.post(
        f"/api/v1/partner-invitations/{made.get_json()['id']}/accept", headers=own, json={}
    )
    assert accepted.status_code == 200 and accepted.get_json()["state"] == "accepted"
    assert invitee in world.hub.get_project(world.demo.project_id).partner_ids
    # No CSRF header: the cookie alone is no API credential.
    assert founder.post(api, json={"invitee_id": invitee}).status_code == 401
