"""One world for the route x actor walk, built once per module: the demo data on a DEMO app
(so the sandbox LMS's routes are in the URL map too), real launch sessions for each LMS role
(``tests.support.launching``) and API tokens from the real token store."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from etwin_lti.domain.api_tokens import ApiTokenRole
from etwin_lti.domain.model import AcknowledgementKind as K
from etwin_lti.domain.model import PersonKind, TwinSpaceRole, Visibility
from etwin_lti.domain.twinspaces import PUPIL_ROLES
from etwin_lti.lti import claims as c
from etwin_lti.services.uploads import add_uploaded_material
from tests.conftest import make_test_app, settle
from tests.integration.pages.conftest import hidden_fields, prepare
from tests.support import sample_files
from tests.support.databases import sqlite_copy
from tests.support.launching import Launcher
from tests.support.lti_tokens import (
    ROLE_INSTITUTION_ADMIN,
    ROLE_INSTRUCTOR,
    ROLE_LEARNER,
    tool_reference,
)

# Launch actors: (LMS user, LTI roles, what they launch: a key of World.ids)
LAUNCHES: dict[str, tuple[str, list[str], str]] = {
    "pupil": ("pupil-b", [ROLE_LEARNER], "twinspace"),
    "pupil_admin": ("pupil-a", [ROLE_LEARNER], "twinspace"),
    "teacher": ("partner-pl", [ROLE_INSTRUCTOR], "twinspace"),
    "teacher_admin": ("founder-fr", [ROLE_INSTRUCTOR], "twinspace"),
    "guest": ("visitor", [ROLE_INSTRUCTOR], "twinspace"),
    "expert": ("expert", [ROLE_INSTRUCTOR], "event"),
    "trainer": ("trainer", [ROLE_INSTRUCTOR], "unit"),
    "tool_admin": ("new-admin", [ROLE_INSTITUTION_ADMIN], "twinspace"),
    "other_member": ("other-founder", [ROLE_INSTRUCTOR], "other_twinspace"),
}
COPIED_COURSE = {"id": "authz-copy", "title": "Authz copied course 7B"}
# Token actors: (role, country)
TOKENS: dict[str, tuple[str, str | None]] = {
    "api_admin": ("admin", None),
    "nso": ("nso_officer", "FR"),  # a founder's NSO
    "nso_other": ("nso_officer", "ES"),  # an NSO with no partner in the project
    "nso_ineligible": ("nso_officer", "CH"),  # stored before CH left eTwinning
    "css": ("css_officer", None),
}


@dataclass
class Actor:
    client: FlaskClient
    headers: dict[str, str] = field(default_factory=dict)
    hidden: dict[str, str] = field(default_factory=dict)  # CSRF + launch token of its page


@dataclass
class AuthzWorld:
    app: Flask
    ids: dict[str, Any]
    actors: dict[str, Actor]
    private: dict[str, set[str]]  # a text -> the actors who may read it


@pytest.fixture(scope="module")
def authz_launcher() -> Iterator[Launcher]:
    running = Launcher.start()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def authz_world(
    _app_sqlite_template: Path,
    tmp_path_factory: pytest.TempPathFactory,
    authz_launcher: Launcher,
) -> Iterator[AuthzWorld]:
    directory = tmp_path_factory.mktemp("authz")
    app = make_test_app(sqlite_copy(_app_sqlite_template, directory), directory, DEMO=True)
    demo = prepare(app, authz_launcher)
    hub = app.extensions["etwin"].hub
    people = demo.people

    # A member of *another* TwinSpace: the national project, validated.
    other = hub.get_project(demo.national_project_id)
    for country in {hub.get_person(f).country_code for f in other.founder_ids}:
        other = hub.validate_project(country, other.id)
    authz_launcher.link(app, "other-founder", people["national_founder_1"])
    # A read-only guest of the demo TwinSpace, granted by its founder.
    visitor = hub.create_person(
        "Visitor", PersonKind.TEACHER, country_code="FR", email="visitor@ecole.example"
    ).id
    hub.add_member(people["founder_fr"], demo.twinspace_id, visitor, TwinSpaceRole.GUEST)
    authz_launcher.link(app, "visitor", visitor)

    # Contact data: an Italian teacher outside the project, and the French visitor.
    teacher_it = hub.create_person(
        "Maestra", PersonKind.TEACHER, country_code="IT", email="maestra@scuola.example"
    ).id

    diary = hub.list_diary(demo.project_id)
    threads = hub.list_threads(demo.twinspace_id)
    unit = hub.get_unit(demo.unit_id)
    if not any(a.kind is K.COURSE_CERTIFICATE for a in hub.list_acknowledgements()):
        hub.issue_acknowledgement(
            K.COURSE_CERTIFICATE, people["founder_fr"], f"edition:{demo.edition_id}", "Course"
        )
    acknowledgements = hub.list_acknowledgements()
    ids: dict[str, Any] = {
        "twinspace": demo.twinspace_id,
        "other_twinspace": other.twinspace_id,
        "project": demo.project_id,
        "national": demo.national_project_id,
        "event": demo.event_id,
        "edition": demo.edition_id,
        "unit": demo.unit_id,
        "activity": unit.activities[0].id,
        "founder": people["founder_fr"],
        "pupil": people["pupil_b"],
        "post": diary[0].id,
        "thread": threads[0].id if threads else 1,
        "label": next(a.id for a in acknowledgements if a.kind is K.ETWINNING_LABEL),
        "certificate": next(a.id for a in acknowledgements if a.kind is K.COURSE_CERTIFICATE),
        "teacher_it": teacher_it,
        "context": "authz-course",
    }

    # Uploaded files (issue 12): a private document and a public photo of the founder.
    private_file = add_uploaded_material(
        hub,
        people["founder_fr"],
        demo.twinspace_id,
        "Authz private file",
        io.BytesIO(sample_files.pdf()),
        "authz.pdf",
        visibility=Visibility.PRIVATE,
    )
    public_photo = add_uploaded_material(
        hub,
        people["founder_fr"],
        demo.twinspace_id,
        "Authz public photo",
        io.BytesIO(sample_files.png()),
        "authz.png",
        visibility=Visibility.PUBLIC,
    )
    ids["file_material"], ids["photo_material"] = private_file.id, public_photo.id

    ids["connection"] = _copied_course_waits(
        app, authz_launcher, ids["twinspace"], people["founder_fr"]
    )

    actors: dict[str, Actor] = {"anonymous": Actor(app.test_client())}
    for name, (sub, roles, resource) in LAUNCHES.items():
        client = app.test_client()
        kind = "twinspace" if resource.endswith("twinspace") else resource
        launched = authz_launcher.launch(
            client, sub=sub, roles=roles, resource=f"{kind}:{ids[resource]}"
        )
        # A launch that worked answers with its page (which may refuse this actor), saying
        # where it lives (ADR 0036); the page is read again by its own address.
        assert "Content-Location" in launched.headers, (name, launched.get_data(as_text=True)[:600])
        page = client.get(launched.headers["Content-Location"])
        hidden = hidden_fields(page.get_data(as_text=True)) if page.status_code == 200 else {}
        actors[name] = Actor(client, hidden=hidden)
    store = app.extensions["etwin"].api_tokens
    for name, (role, country) in TOKENS.items():
        _, secret = store.create(ApiTokenRole(role), now=datetime.now(UTC), country_code=country)
        actors[name] = Actor(app.test_client(), headers={"Authorization": f"Bearer {secret}"})
    # Pupils' work and contact data, with who may see each: every answer to anyone else is
    # searched for them.
    members = {m.person_id: m for m in hub.list_members(demo.twinspace_id)}
    pupils = {p for p, m in members.items() if m.role in PUPIL_ROLES}
    readers = {"pupil", "pupil_admin", "teacher", "teacher_admin", "api_admin"}
    private: dict[str, set[str]] = {}
    for thread in threads:
        private[thread.title] = readers
        for post in thread.posts:
            private[post.body] = readers
    for page in hub.list_pages(demo.twinspace_id, viewer_id=people["founder_fr"]):
        if page.visibility is Visibility.PRIVATE:
            private[page.title] = readers
    for post in diary:
        for comment in post.comments:
            if comment.author_id in pupils:
                private[comment.body] = readers
    private["Authz private file"] = readers
    private[COPIED_COURSE["title"]] = {"teacher_admin"}  # the request, for its approvers
    private["maestra@scuola.example"] = {"api_admin"}
    private["visitor@ecole.example"] = {"api_admin", "nso"}
    assert len(private) >= 5, private
    yield AuthzWorld(app, ids, actors, private)
    settle(app)


def _copied_course_waits(app: Flask, launcher: Launcher, twinspace_id: int, founder_id: int) -> int:
    """The partner launches the TwinSpace's activity in a copy of the course (its reference
    names the original course): a pending request that the founder decides."""
    resource = f"twinspace:{twinspace_id}"
    reference = tool_reference(resource, issuer=launcher.platform.url, context_id="course-1")
    waiting = launcher.launch(
        app.test_client(),
        sub="partner-pl",
        roles=[ROLE_INSTRUCTOR],
        resource=resource,
        **{
            c.CONTEXT: COPIED_COURSE,
            c.CUSTOM: {c.CUSTOM_RESOURCE: resource, "etwin_ref": reference},
        },
    )
    assert waiting.status_code == 403, waiting.get_data(as_text=True)[:600]
    [request] = app.extensions["etwin"].resource_bindings.requests_for(founder_id)
    return request.binding.id
