"""A tool with a registered platform, hub content and deep-linking launch sessions made
through the real session store (the launch itself is tested over HTTP in tests/e2e)."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import jwt
from flask import Flask
from flask.testing import FlaskClient

from etwin_lti.domain.launches import LaunchSession
from etwin_lti.domain.model import PersonKind, TwinSpaceRole
from etwin_lti.domain.registrations import PlatformRegistration
from etwin_lti.lti import claims as c

ISSUER = "https://lms.example.test"
CLIENT_ID = "dl-client"
DEPLOYMENT_ID = "1"
RETURN_URL = "https://lms.example.test/mod/lti/contentitem_return.php?course=2"


@dataclass
class DeepLinkWorld:
    app: Flask
    platform_id: int
    anna: int  # founder of "Water of Europe" (teacher administrator of its TwinSpace)
    olga: int  # observer in that TwinSpace
    nina: int  # teacher in no TwinSpace
    bernd: int  # the other founder
    twinspace_id: int
    other_twinspace_id: int  # a TwinSpace Anna is not in
    open_event_id: int
    finished_event_id: int  # enrolment closed
    unit_ids: tuple[int, int]  # units of the current edition
    old_unit_id: int  # a unit of last year's edition

    @property
    def container(self) -> Any:
        return self.app.extensions["etwin"]

    def session(self, person_id: int | None, **change: Any) -> LaunchSession:
        now = datetime.now(UTC)
        settings = change.pop(
            "deep_linking",
            {
                "deep_link_return_url": RETURN_URL,
                "accept_types": ["ltiResourceLink"],
                "accept_multiple": change.pop("accept_multiple", True),
                "data": "echo-me",
            },
        )
        session = LaunchSession(
            id=secrets.token_urlsafe(32),
            person_id=person_id,
            platform_id=self.platform_id,
            deployment_id=DEPLOYMENT_ID,
            context_id="course-2",
            context_title="Class 7B",
            resource_link_id=None,
            resource=None,
            role="teacher" if person_id is not None else "admin",
            lti_roles=(),
            is_tool_admin=person_id is None,
            message_type=c.DEEP_LINKING_REQUEST,
            created_at=now,
            expires_at=now + timedelta(hours=1),
            deep_linking=settings,
        )
        session = replace(session, **change)
        self.container.launch_sessions.create(session)
        return session

    def client_for(self, session: LaunchSession) -> FlaskClient:
        client = self.app.test_client()
        client.set_cookie("etwin_launch", session.id, domain="localhost")
        return client

    def project_count(self) -> int:
        return len(self.container.hub.list_projects())


def build_world(app: Flask) -> DeepLinkWorld:
    container = app.extensions["etwin"]
    platform = container.registrations.add_platform(
        PlatformRegistration(
            issuer=ISSUER,
            client_id=CLIENT_ID,
            name="Moodle (test)",
            auth_login_url=ISSUER + "/auth",
            auth_token_url=ISSUER + "/token",
            key_set_url=ISSUER + "/jwks",
        )
    )
    container.registrations.add_deployment(platform.id, DEPLOYMENT_ID, active=True)
    hub = container.hub
    teacher = PersonKind.TEACHER
    anna = hub.create_person("Anna Founder", teacher, country_code="FR")
    bernd = hub.create_person("Bernd Founder", teacher, country_code="DE")
    olga = hub.create_person("Olga Observer", teacher, country_code="FR")
    nina = hub.create_person("Nina Newcomer", teacher, country_code="IT")
    carl = hub.create_person("Carl Other", teacher, country_code="ES")
    project = hub.create_project(anna.id, bernd.id, "Water of Europe")
    hub.validate_project("FR", project.id)
    project = hub.validate_project("DE", project.id)
    hub.add_member(anna.id, project.twinspace_id, olga.id, TwinSpaceRole.OBSERVER)
    other = hub.create_project(carl.id, bernd.id, "Birds without borders")
    hub.validate_project("ES", other.id)
    other = hub.validate_project("DE", other.id)
    expert = hub.create_person("Eva Expert", PersonKind.EXPERT)
    today = date.today()
    open_event = hub.create_event(
        "Climate in class", "An expert-led event.", expert.id,
        today + timedelta(days=3), today + timedelta(days=17), 30,
    )  # fmt: skip
    finished = hub.create_event(
        "Robots last month", "Finished.", expert.id,
        today - timedelta(days=40), today - timedelta(days=30), 30,
    )  # fmt: skip
    old = hub.create_edition(
        "Course 2020", today.year - 6, today - timedelta(days=2300), today - timedelta(days=2200)
    )
    old_unit = hub.add_unit(old.id, "Old unit", "Archived.")
    edition = hub.create_edition("Distance course", today.year, today, today + timedelta(days=60))
    unit1 = hub.add_unit(edition.id, "Unit 1: eTwinning", "What eTwinning is.")
    unit2 = hub.add_unit(edition.id, "Unit 2: TwinSpace", "Working together safely.")
    return DeepLinkWorld(
        app=app,
        platform_id=platform.id,
        anna=anna.id,
        olga=olga.id,
        nina=nina.id,
        bernd=bernd.id,
        twinspace_id=project.twinspace_id,
        other_twinspace_id=other.twinspace_id,
        open_event_id=open_event.id,
        finished_event_id=finished.id,
        unit_ids=(unit1.id, unit2.id),
        old_unit_id=old_unit.id,
    )


def form_fields(page: str) -> dict[str, str]:
    """The hidden fields of the picker's forms (launch token, CSRF token)."""
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page))
    fields.pop("action", None)  # the search form's; each test says what it does
    return fields


def autopost(page: str) -> tuple[str, str] | None:
    """(action, JWT) of the auto-submitting return form, or None when nothing is sent."""
    match = re.search(
        r'<form method="post" action="([^"]+)" id="autopost">\s*'
        r'<input type="hidden" name="JWT" value="([^"]+)">',
        page,
    )
    return (match.group(1), match.group(2)) if match else None


def verify(app: Flask, token: str) -> dict[str, Any]:
    """Check the response like a platform: signature with the tool's published JWKS, aud."""
    jwks = app.test_client().get("/.well-known/jwks.json").get_json()
    kid = jwt.get_unverified_header(token)["kid"]
    key = jwt.PyJWK(next(k for k in jwks["keys"] if k["kid"] == kid))
    return jwt.decode(token, key, algorithms=["RS256"], audience=ISSUER)
