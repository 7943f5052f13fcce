"""The project page of a TwinSpace (issue 12 item 5): who sees which control, every form, and
every refusal (an error page that says who can fix it, nothing written)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from etwin_lti.domain.model import (
    AcknowledgementKind,
    EducationalLevel,
    MemberStatus,
    PersonKind,
    ProjectStatus,
    TwinSpaceRole,
    TwinSpaceStatus,
)
from tests.integration.pages.conftest import PagesWorld, hidden_fields, submit
from tests.support.lti_tokens import ROLE_INSTRUCTOR, ROLE_LEARNER

FORMS = {
    "plan": 'data-form="plan"',
    "extend": 'data-form="extend"',
    "close": 'data-form="close"',
    "permits": 'id="permits-h"',
    "label": 'data-action="download-label"',
    "nql": 'data-form="nql"',
}
GOOD_PLAN = {
    "description": "Rivers and the fish that live in them.",
    "subjects": "Geography\nBiology",
    "languages": "en, FR pl",
    "levels": ["primary", "lower_secondary"],
}


def text(response: Any) -> str:
    return str(response.get_data(as_text=True))


def url(world: PagesWorld) -> str:
    return f"{world.ts_url}/project"


def state(world: PagesWorld) -> dict[str, Any]:
    """What the page's forms can write."""
    hub, demo = world.hub, world.demo
    return {
        "project": hub.get_project(demo.project_id),
        "members": hub.list_members(demo.twinspace_id),
        "nql": hub.list_nql_applications(project_id=demo.project_id),
        "labels": hub.list_acknowledgements(subject=f"project:{demo.project_id}"),
    }


def today() -> Any:
    return datetime.now(UTC).date()


def as_co_founder(world: PagesWorld) -> Any:
    world.launcher.link(world.app, "founder-it", world.demo.people["founder_it"])
    return world.launched("founder-it", [ROLE_INSTRUCTOR], world.ts)


@pytest.mark.parametrize(
    ("sub", "roles", "shown"),
    [
        ("founder-fr", [ROLE_INSTRUCTOR], set(FORMS)),
        ("partner-pl", [ROLE_INSTRUCTOR], {"label", "nql"}),
        ("new-teacher", [ROLE_INSTRUCTOR], set()),
        ("pupil-b", [ROLE_LEARNER], set()),
    ],
)
def test_each_role_sees_its_controls_only(
    world: PagesWorld, sub: str, roles: list[str], shown: set[str]
) -> None:
    page = text(world.launched(sub, roles, world.ts).get(url(world)))
    assert {name for name, marker in FORMS.items() if marker in page} == shown
    assert "The project&#39;s plan" in page or "The project's plan" in page
    assert "@" not in page.split("<main", 1)[1]  # no e-mail address anywhere


def test_the_twinspace_page_links_to_the_project_page(world: PagesWorld) -> None:
    page = text(world.as_founder().get(world.ts_url))
    assert f'href="{url(world)}" data-action="project-page"' in page


def test_founder_edits_the_plan_extends_and_the_co_founder_closes(world: PagesWorld) -> None:
    client = world.as_founder()
    saved = submit(client, url(world), f"{url(world)}/plan", **GOOD_PLAN)  # type: ignore[arg-type]
    assert saved.status_code == 303 and saved.headers["Location"].endswith("?msg=plan_saved")
    page = text(client.get(saved.headers["Location"]))
    assert "The project&#39;s plan was saved." in page or "The project's plan was saved." in page
    project = world.hub.get_project(world.demo.project_id)
    assert project.subjects == ("Geography", "Biology")
    assert project.languages == ("en", "fr", "pl")
    assert project.levels == (EducationalLevel.PRIMARY, EducationalLevel.LOWER_SECONDARY)
    assert "French (fr)" in page and "Primary (7–11)" in page

    new_end = today() + timedelta(days=120)
    extended = submit(client, url(world), f"{url(world)}/extend", ends_on=new_end.isoformat())
    assert extended.status_code == 303
    assert world.hub.get_project(world.demo.project_id).ends_on == new_end
    # The date reads in the page's language; the machine-readable one stays ISO (ADR 0029).
    assert f'data-plan="ends_on"><time datetime="{new_end.isoformat()}">' in text(
        client.get(url(world))
    )

    co_founder = as_co_founder(world)
    closed = submit(co_founder, url(world), f"{url(world)}/close", confirm="yes")
    assert closed.status_code == 303
    assert world.hub.get_project(world.demo.project_id).status is ProjectStatus.CLOSED
    assert world.hub.get_twinspace(world.demo.twinspace_id).status is TwinSpaceStatus.ARCHIVED
    after = text(co_founder.get(url(world)))
    assert not [n for n in ("plan", "extend", "close", "permits") if FORMS[n] in after]
    assert "archived, read-only" in after


def test_a_forged_project_id_in_the_form_changes_only_the_launched_project(
    world: PagesWorld,
) -> None:
    hub, people = world.hub, world.demo.people
    other = hub.create_project(people["founder_fr"], people["national_founder_1"], "Other")
    client = world.as_founder()
    response = submit(
        client,
        url(world),
        f"{url(world)}/plan",
        project_id=str(other.id),
        **{**GOOD_PLAN, "levels": "primary"},
    )
    assert response.status_code == 303
    assert hub.get_project(other.id).subjects == ()  # never the form's project
    assert hub.get_project(world.demo.project_id).subjects == ("Geography", "Biology")


BAD_INPUT = [
    ("plan", {**GOOD_PLAN, "languages": "en, xx"}, "languages"),
    ("plan", {**GOOD_PLAN, "languages": "english"}, "languages"),
    ("plan", {**GOOD_PLAN, "levels": ["university"]}, "levels"),
    ("plan", {**GOOD_PLAN, "description": "d" * 5_001}, "description"),
    ("plan", {**GOOD_PLAN, "subjects": "\n".join(f"S{i}" for i in range(11))}, "subjects"),
    ("plan", {**GOOD_PLAN, "subjects": "s" * 61}, "subjects"),
    ("plan", {**GOOD_PLAN, "subjects": "x" * 20_001}, "subjects"),
    ("extend", {"ends_on": "2001-01-01"}, "ends_on"),
    ("extend", {"ends_on": "yesterday"}, "ends_on"),
    ("extend", {"ends_on": ""}, "ends_on"),
    ("extend", {"ends_on": "9999-12-31"}, "ends_on"),
    ("close", {}, "confirm"),
    ("close", {"confirm": "no"}, "confirm"),
]


@pytest.mark.parametrize(
    ("action", "form", "field"),
    BAD_INPUT,
    ids=[f"{a}-{f}-{i}" for i, (a, _, f) in enumerate(BAD_INPUT)],
)
def test_bad_input_rerenders_with_field_errors_and_writes_nothing(
    world: PagesWorld, action: str, form: dict[str, Any], field: str
) -> None:
    client = world.as_founder()
    before = state(world)
    response = submit(client, url(world), f"{url(world)}/{action}", **form)
    page = text(response)
    assert response.status_code == 422
    assert f'class="field-error" role="alert" data-field="{field}"' in page
    assert 'data-form="plan"' in page  # the page itself, not an error page
    assert state(world) == before


def test_an_end_date_before_the_current_one_is_refused(world: PagesWorld) -> None:
    client = world.as_founder()
    later = today() + timedelta(days=200)
    assert (
        submit(client, url(world), f"{url(world)}/extend", ends_on=later.isoformat()).status_code
        == 303
    )
    earlier = (later - timedelta(days=1)).isoformat()
    before = state(world)
    response = submit(client, url(world), f"{url(world)}/extend", ends_on=earlier)
    assert response.status_code == 422 and "after the current one" in text(response)
    assert state(world) == before


REFUSALS = [
    # (who, path, form, status, error code, who can fix it)
    ("partner-pl", "plan", GOOD_PLAN, 403, "not_a_project_founder", "founder or co-founder"),
    ("partner-pl", "extend", {"ends_on": "2099-01-01"}, 403, "not_a_project_founder", None),
    ("partner-pl", "close", {"confirm": "yes"}, 403, "not_a_project_founder", None),
    ("new-teacher", "plan", GOOD_PLAN, 403, "not_a_project_founder", None),
    ("pupil-b", "plan", GOOD_PLAN, 403, "not_a_project_founder", None),
    ("pupil-b", "nql", {}, 403, "forbidden", None),
    ("new-teacher", "nql", {}, 403, "forbidden", None),
    ("founder-fr", "unknown", {}, 404, "not_found", None),
    ("partner-pl", "permits/grant-expert", {"person": "expert"}, 403, "forbidden", None),
    ("founder-fr", "permits/grant-visitor", {"person": "pupil_b"}, 404, "not_found", None),
    ("founder-fr", "permits/grant-expert", {"person": "pupil_b"}, 404, "not_found", None),
    ("founder-fr", "permits/grant-expert", {"person": "partner_pl"}, 404, "not_found", None),
    ("founder-fr", "permits/grant-expert", {"person": "999999"}, 404, "not_found", None),
    ("founder-fr", "permits/grant-expert", {"person": "1 OR 1=1"}, 422, "invalid_input", None),
    ("founder-fr", "permits/withdraw-visitor", {"person": "pupil_b"}, 404, "not_found", None),
    ("founder-fr", "permits/promote", {"person": "expert"}, 404, "not_found", None),
]


@pytest.mark.parametrize(
    ("sub", "path", "form", "status", "code", "fixer"),
    REFUSALS,
    ids=[f"{r[0]}-{r[1]}-{i}" for i, r in enumerate(REFUSALS)],
)
def test_refused_posts_show_an_error_page_and_write_nothing(
    world: PagesWorld,
    sub: str,
    path: str,
    form: dict[str, Any],
    status: int,
    code: str,
    fixer: str | None,
) -> None:
    roles = [ROLE_LEARNER] if sub.startswith("pupil") else [ROLE_INSTRUCTOR]
    client = world.launched(sub, roles, world.ts)
    people = world.demo.people
    fields = {k: str(people.get(v, v)) if k == "person" else v for k, v in form.items()}
    before = state(world)
    response = submit(client, url(world), f"{url(world)}/{path}", **fields)
    page = text(response)
    assert response.status_code == status, page[:600]
    assert f'data-error="{code}"' in page
    if fixer is not None:
        assert fixer in page
    assert state(world) == before


def test_a_teacher_of_another_project_cannot_post_here(world: PagesWorld) -> None:
    hub, people = world.hub, world.demo.people
    project = hub.create_project(people["national_founder_1"], people["national_founder_2"], "B")
    hub.validate_project("ES", project.id)
    other_space = hub.get_project(project.id).twinspace_id
    world.launcher.link(world.app, "national-1", people["national_founder_1"])
    stranger = world.launched("national-1", [ROLE_INSTRUCTOR], f"twinspace:{other_space}")
    fields = hidden_fields(text(stranger.get(f"/embed/twinspace/{other_space}/project")))
    before = state(world)
    response = stranger.post(f"{url(world)}/plan", data={**fields, **GOOD_PLAN})
    assert response.status_code == 403 and 'data-error="not_your_resource"' in text(response)
    assert state(world) == before


def test_forged_csrf_is_refused(world: PagesWorld) -> None:
    client = world.as_founder()
    fields = hidden_fields(text(client.get(url(world))))
    fields["csrf_token"] = "0" * 64
    before = state(world)
    response = client.post(f"{url(world)}/plan", data={**fields, **GOOD_PLAN})
    assert response.status_code == 403 and 'data-error="csrf_failed"' in text(response)
    assert state(world) == before


def test_expert_permit_granted_withdrawn_and_granted_again(world: PagesWorld) -> None:
    client, expert = world.as_founder(), world.demo.people["expert"]
    page = text(client.get(url(world)))
    assert f'<option value="{expert}">' in page
    assert 'data-form="grant-visitor"' not in page  # pupils work here: no visitors
    assert "Visitors cannot be let into a TwinSpace where pupils work." in page
    granted = submit(client, url(world), f"{url(world)}/permits/grant-expert", person=str(expert))
    assert granted.status_code == 303
    member = world.hub.get_member(world.demo.twinspace_id, expert)
    assert (member.role, member.status) == (TwinSpaceRole.EXPERT, MemberStatus.ACTIVE)
    page = text(client.get(granted.headers["Location"]))
    assert "The expert permit was granted." in page and f'data-permit="{expert}"' in page
    withdrawn = submit(
        client, url(world), f"{url(world)}/permits/withdraw-expert", person=str(expert)
    )
    assert withdrawn.status_code == 303
    assert world.hub.get_member(world.demo.twinspace_id, expert).status is MemberStatus.SUSPENDED
    again = submit(client, url(world), f"{url(world)}/permits/grant-expert", person=str(expert))
    assert again.status_code == 303
    assert world.hub.get_member(world.demo.twinspace_id, expert).status is MemberStatus.ACTIVE


def test_visitor_permit_where_no_pupils_work(world: PagesWorld) -> None:
    hub, people = world.hub, world.demo.people
    project = hub.create_project(people["founder_fr"], people["partner_pl"], "Teachers only")
    hub.validate_project("FR", project.id)
    space = hub.validate_project("PL", project.id).twinspace_id
    parent = hub.create_person("Parent 1", PersonKind.GUEST)
    world.launcher.link(world.app, "parent-1", parent.id)
    client = world.launched("founder-fr", [ROLE_INSTRUCTOR], f"twinspace:{space}")
    page_url = f"/embed/twinspace/{space}/project"
    assert f'<option value="{parent.id}">Parent 1</option>' in text(client.get(page_url))
    granted = submit(client, page_url, f"{page_url}/permits/grant-visitor", person=str(parent.id))
    assert granted.status_code == 303
    assert hub.get_member(space, parent.id).role is TwinSpaceRole.GUEST
    withdrawn = submit(
        client, page_url, f"{page_url}/permits/withdraw-visitor", person=str(parent.id)
    )
    assert withdrawn.status_code == 303
    assert hub.get_member(space, parent.id).status is MemberStatus.SUSPENDED


def test_partner_applies_for_the_nql_with_the_evidence_and_downloads_the_label(
    world: PagesWorld,
) -> None:
    client = world.launched("partner-pl", [ROLE_INSTRUCTOR], world.ts)
    page = text(client.get(url(world)))
    label = world.hub.list_acknowledgements(
        person_id=world.demo.people["partner_pl"], subject=f"project:{world.demo.project_id}"
    )
    assert [a.kind for a in label] == [AcknowledgementKind.ETWINNING_LABEL]
    assert f"/badges/certificates/{label[0].id}" in page or f"{label[0].id}" in page
    applied = submit(client, url(world), f"{url(world)}/nql")
    assert applied.status_code == 303, text(applied)[:500]
    [application] = world.hub.list_nql_applications(project_id=world.demo.project_id)
    assert application.teacher_id == world.demo.people["partner_pl"]
    assert application.evidence["countries"] == "FR,IT,PL"
    assert int(application.evidence["pages"]) >= 1
    after = text(client.get(applied.headers["Location"]))
    assert "sent to your NSO" in after and 'data-form="nql"' in after
    again = submit(client, url(world), f"{url(world)}/nql")
    assert again.status_code == 409 and 'data-error="rule_violation"' in text(again)


def test_on_postgresql_the_founder_edits_and_extends(pg_world: PagesWorld) -> None:
    world = pg_world
    client = world.as_founder()
    assert submit(client, url(world), f"{url(world)}/plan", **GOOD_PLAN).status_code == 303
    end = today() + timedelta(days=30)
    assert (
        submit(client, url(world), f"{url(world)}/extend", ends_on=end.isoformat()).status_code
        == 303
    )
    project = world.hub.get_project(world.demo.project_id)
    assert (project.languages, project.ends_on) == (("en", "fr", "pl"), end)
    bad = submit(client, url(world), f"{url(world)}/plan", **{**GOOD_PLAN, "languages": "zz"})
    assert bad.status_code == 422
    assert world.hub.get_project(world.demo.project_id) == project
