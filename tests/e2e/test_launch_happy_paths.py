"""Complete launches over real HTTP: the right mapped role lands in the launch session."""

from __future__ import annotations

import pytest

from etwin_lti.domain.audiences import Audience
from etwin_lti.domain.identities import LtiIdentity
from etwin_lti.lti import claims as c
from tests.e2e.conftest import World
from tests.support.lti_tokens import (
    ROLE_INSTITUTION_ADMIN,
    ROLE_INSTRUCTOR,
    ROLE_LEARNER,
    ROLE_SYSTEM_ADMIN,
    platform_key,
)
from tests.support.redis_dbs import REDIS_CACHE_URL

pytestmark = pytest.mark.e2e


def session_of(world: World, response) -> object:  # type: ignore[no-untyped-def]
    cookie = response.cookies.get("etwin_launch")
    assert cookie, response.text[:500]
    return world.container.launches.load_session(cookie)


@pytest.mark.parametrize(
    ("roles", "custom", "expected_role", "has_person"),
    [
        ([ROLE_INSTRUCTOR], {"etwin_country": "FR"}, "teacher", True),
        ([ROLE_LEARNER], {}, "pupil", True),
        # A Mentor enters only with a teacher administrator's visitor permit (DESIGN.md), so
        # their launch is in test_audiences.py (permit granted) and test_people.py (refused).
        ([ROLE_INSTITUTION_ADMIN, ROLE_SYSTEM_ADMIN], {}, "admin", False),
    ],
    ids=["teacher", "pupil", "admin"],
)
def test_twinspace_launch_maps_the_role(
    any_db_world: World,
    roles: list[str],
    custom: dict[str, str],
    expected_role: str,
    has_person: bool,
) -> None:
    world = any_db_world
    ts = world.resources.twinspace_id
    world.platform.claims = {
        "roles": roles,
        c.CUSTOM: {"etwin_resource": f"twinspace:{ts}", **custom},
        "name": "Zoe Example",
        "email": "zoe@example.test",
        c.LIS: {"person_sourcedid": "SIS-123"},
    }
    browser = world.browser()
    response = browser.launch()
    assert response.status_code == 200, response.text[:800]
    assert response.headers["Content-Location"] == f"/embed/twinspace/{ts}"
    session = session_of(world, response)
    assert session.role == expected_role
    assert session.resource is not None and str(session.resource) == f"twinspace:{ts}"
    assert session.platform_id == world.platform_id
    assert session.deployment_id == "1"
    assert (session.person_id is not None) is has_person
    assert session.is_tool_admin is (expected_role == "admin")
    if has_person:
        member = world.container.hub.get_member(ts, session.person_id)
        assert member.role.value == expected_role
        person = world.container.hub.get_person(session.person_id)
        if expected_role == "pupil":
            assert person.email is None
            assert person.display_name.startswith("Pupil ")
            assert "Zoe" not in person.display_name
        else:
            assert person.display_name == "Zoe Example"
    # The state cookie is single use: cleared with the launch.
    assert "etwin_lti_state" not in browser.http.cookies.get_dict()


def test_learning_event_and_unit_launches(world: World) -> None:
    """On a teacher-training LMS (the distance course's): learners are teachers there."""
    r = world.resources
    world.container.role_policies.set_audience(world.platform_id, Audience.TRAINING)
    cases = [
        (ROLE_LEARNER, f"event:{r.event_id}", "participant", "learner-1"),
        # No LMS role makes an expert: the hub names the event's (issue 9 item 5).
        (ROLE_INSTRUCTOR, f"event:{r.event_id}", "teacher", "teacher-1"),
        (ROLE_LEARNER, f"unit:{r.unit_id}", "trainee", "learner-2"),
        (ROLE_INSTRUCTOR, f"unit:{r.unit_id}", "trainer", "teacher-2"),
    ]
    for role, resource, expected, user in cases:
        world.platform.claims = {
            "roles": [role],
            c.CUSTOM: {"etwin_resource": resource, "etwin_country": "DE"},
        }
        response = world.browser().launch(login_hint=user)
        assert response.status_code == 200, response.text[:800]
        kind, _, ident = resource.partition(":")
        assert response.headers["Content-Location"] == f"/embed/{kind}/{ident}"
        assert session_of(world, response).role == expected
    enrolled = {e.person_id for e in world.container.hub.list_enrolments(r.event_id)}
    learner = world.container.identities.find(LtiIdentity(world.platform.url, "learner-1"))
    assert learner is not None and learner.person_id in enrolled
    # A second launch of the same learner neither fails nor enrols twice.
    world.platform.claims = {
        "roles": [ROLE_LEARNER],
        c.CUSTOM: {"etwin_resource": f"event:{r.event_id}", "etwin_country": "DE"},
    }
    assert world.browser().launch(login_hint="learner-1").status_code == 200
    assert len(world.container.hub.list_enrolments(r.event_id)) == len(enrolled)


@pytest.mark.parametrize(
    ("message_type", "target"),
    [(c.DEEP_LINKING_REQUEST, "/lti/deep-link"), (c.SUBMISSION_REVIEW_REQUEST, "/lti/review")],
)
def test_deep_linking_and_review_are_routed(world: World, message_type: str, target: str) -> None:
    world.platform.claims = {
        "message_type": message_type,
        c.CUSTOM: {
            "etwin_country": "FR",
            "etwin_resource": f"twinspace:{world.resources.twinspace_id}",
        },
    }
    response = world.browser().launch()
    assert response.status_code == 303, response.text[:800]
    assert response.headers["Location"] == target
    session = session_of(world, response)
    assert session.message_type == message_type
    if message_type == c.DEEP_LINKING_REQUEST:
        assert session.deep_linking is not None
        assert session.deep_linking["deep_link_return_url"].endswith("/deep-link-return")


def test_login_by_post_redirects_with_a_top_level_get(world: World) -> None:
    login = world.browser().start_login(method="POST")
    assert login.status_code == 303
    assert login.headers["Location"].startswith(world.platform.url + "/auth?")


def test_roles_are_re_evaluated_but_a_manual_decision_wins(world: World) -> None:
    ts = world.resources.twinspace_id
    world.platform.claims = {
        "roles": [ROLE_INSTRUCTOR],
        c.CUSTOM: {"etwin_resource": f"twinspace:{ts}", "etwin_country": "FR"},
    }
    first = session_of(world, world.browser().launch(login_hint="t-9"))
    hub = world.container.hub
    founder = next(m for m in hub.list_members(ts) if m.is_founder)
    hub.change_role(
        founder.person_id,
        ts,
        first.person_id,
        hub.get_member(ts, first.person_id).role.__class__("observer"),
    )
    again = session_of(world, world.browser().launch(login_hint="t-9"))
    assert again.person_id == first.person_id
    assert again.role == "observer"
    assert hub.get_member(ts, first.person_id).role.value == "observer"


def test_platform_keys_are_fetched_once_and_refetched_on_rotation(world: World) -> None:
    world.platform.claims = {c.CUSTOM: {"etwin_resource": "twinspace:1", "etwin_country": "FR"}}
    world.platform.claims[c.CUSTOM]["etwin_resource"] = f"twinspace:{world.resources.twinspace_id}"
    for user in ("a", "b", "c"):
        assert world.browser().launch(login_hint=user).status_code == 200
    assert world.platform.jwks_fetches == 1
    # The platform rotates: a new kid appears, the tool refetches once and accepts it.
    world.platform.keys = [platform_key("rotated"), platform_key()]
    assert world.browser().launch(login_hint="d").status_code == 200
    assert world.platform.jwks_fetches == 2
    assert world.browser().launch(login_hint="e").status_code == 200
    assert world.platform.jwks_fetches == 2


def test_a_launch_with_the_shared_cache_in_redis(
    app_sqlite_url: str,
    tmp_path,
    platform_server,  # type: ignore[no-untyped-def]
) -> None:
    import redis

    from tests.e2e.conftest import build_world

    client = redis.Redis.from_url(REDIS_CACHE_URL)
    client.flushdb()
    worlds = build_world(app_sqlite_url, tmp_path, platform_server, REDIS_URL=REDIS_CACHE_URL)
    world = next(worlds)
    try:
        world.platform.claims = {
            c.CUSTOM: {
                "etwin_resource": f"twinspace:{world.resources.twinspace_id}",
                "etwin_country": "FR",
            }
        }
        browser = world.browser()
        form = browser.authorize(browser.start_login())
        # The login state travels sealed in the cookie: the login itself stores nothing.
        assert not any(k.startswith(b"etwin:kv:lti-login:") for k in client.keys())
        assert browser.post(form).status_code == 200
        assert any(k.startswith(b"etwin:kv:lti-login:") for k in client.keys())  # used: once
        assert any(k.startswith(b"etwin:kv:lti-token:") for k in client.keys())  # replay mark
        assert browser.post(form).status_code == 401
    finally:
        next(worlds, None)
        client.flushdb()
        client.close()
