"""A small eTwinning world around one person, Sara, with data in every table that holds
personal data, and other people (Otto, Tom, a pupil) whose data must never leak into Sara's
export nor be touched by her erasure."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from flask import Flask
from sqlalchemy import select

from etwin_lti.domain.identities import LtiIdentity
from etwin_lti.domain.launches import LaunchSession, Resource, ResourceKind, ServiceEndpoints
from etwin_lti.domain.model import MaterialKind, PersonKind, TwinSpaceRole
from etwin_lti.domain.registrations import PlatformRegistration
from etwin_lti.persistence.db import Base
from etwin_lti.persistence.models.moodle import (
    MoodleMappingRow,
    MoodlePollMarkRow,
    MoodleSiteRow,
)

ISSUER = "https://moodle.school.example"
# The export's lists of what a person wrote, one per kind.
CONTENT = ("pages", "materials", "diary_posts", "diary_comments", "forum_threads", "forum_posts")
DEPLOYMENT = "1"
SARA_SUB = "4242"
OTTO_SUB = "4343"
LINEITEM = ISSUER + "/mod/lti/services.php/2/lineitems/7/lineitem?type_id=1"
# Strings that belong to other people: none may appear in Sara's export.
OTHERS_SECRETS = (
    "Otto Other",
    "otto@school.example",
    "OTTO-PAGE",
    "OTTO-REPLY",
    "OTTO-POST",
    "Tom Founder",
    "tom@school.example",
    "Pia Pupil",
    OTTO_SUB,
)


@dataclass
class World:
    app: Flask
    sara: int
    otto: int
    tom: int
    pupil: int
    project_id: int
    twinspace_id: int
    event_id: int
    edition_id: int
    platform_id: int

    @property
    def container(self) -> Any:
        return self.app.extensions["etwin"]

    @property
    def privacy(self) -> Any:
        return self.container.privacy


def build_world(app: Flask) -> World:
    c = app.extensions["etwin"]
    hub = c.hub
    now = datetime.now(UTC)
    today = now.date()
    tom = hub.create_person(
        "Tom Founder", PersonKind.TEACHER, country_code="FR", email="tom@school.example"
    )
    otto = hub.create_person(
        "Otto Other", PersonKind.TEACHER, country_code="DE", email="otto@school.example"
    )
    sara = hub.create_person(
        "Sara Subject",
        PersonKind.TEACHER,
        country_code="IT",
        school="Liceo Sara",
        email="sara@school.example",
    )
    pupil = hub.create_person("Pia Pupil", PersonKind.PUPIL)
    project = hub.create_project(tom.id, otto.id, "Water of Europe")
    hub.validate_project("FR", project.id)
    project = hub.validate_project("DE", project.id)
    space = project.twinspace_id
    hub.add_partner(tom.id, project.id, sara.id)
    hub.add_member(tom.id, space, pupil.id, TwinSpaceRole.PUPIL)

    # Content: Sara's own, and Otto's around it.
    hub.add_page(sara.id, space, "SARA-PAGE", "Sara's page body")
    hub.add_page(otto.id, space, "OTTO-PAGE", "Otto's page body")
    hub.add_material(sara.id, space, "SARA-MATERIAL", MaterialKind.LINK, "https://x.example/s")
    otto_post = hub.post_diary(otto.id, project.id, "OTTO-POST", "Otto's diary")
    hub.comment_diary(sara.id, otto_post.id, "SARA-COMMENT")
    hub.post_diary(sara.id, project.id, "SARA-DIARY", "Sara's diary")
    thread = hub.create_thread(sara.id, space, "SARA-THREAD", "SARA-FIRST-POST")
    hub.reply_thread(otto.id, thread.id, "OTTO-REPLY")

    # A Learning Event Sara finished, an edition she follows, an NQL application.
    expert = hub.create_person("Eve Expert", PersonKind.EXPERT)
    event = hub.create_event(
        "Robots", "About robots", expert.id, today, today + timedelta(days=14), 20
    )
    hub.enrol(event.id, sara.id)
    hub.enrol(event.id, otto.id)
    hub.complete_event(expert.id, event.id, sara.id)
    hub.complete_event(expert.id, event.id, otto.id)
    edition = hub.create_edition("Course", today.year, today, today + timedelta(days=30))
    unit = hub.add_unit(edition.id, "Unit 1", "Intro", activities=[("A", "a"), ("B", "b")])
    hub.enrol_trainee(edition.id, sara.id)
    hub.apply_nql(sara.id, project.id)

    # The LMS side: platform, identities, a resource link to the unit (so finishing it leaves
    # a pending score in the outbox), launch sessions, Moodle poll marks.
    platform = c.registrations.add_platform(
        PlatformRegistration(
            issuer=ISSUER,
            client_id="client-1",
            name="School Moodle",
            auth_login_url=ISSUER + "/auth",
            auth_token_url=ISSUER + "/token",
            key_set_url=ISSUER + "/jwks",
        )
    )
    c.registrations.add_deployment(platform.id, DEPLOYMENT, active=True)
    for sub, person in ((SARA_SUB, sara), (OTTO_SUB, otto)):
        c.identities.link(
            LtiIdentity(ISSUER, sub), person.id, deployment_id=DEPLOYMENT, kind=person.kind
        )
    c.resource_links.record(
        platform_id=platform.id,
        deployment_id=DEPLOYMENT,
        resource_link_id="rl-1",
        context_id="course-1",
        context_title="Class 3B",
        resource=Resource(ResourceKind.UNIT, unit.id),
        endpoints=ServiceEndpoints(lineitem_url=LINEITEM, ags_scopes=("x",)),
        now=now,
        launched_by=sara.id,  # the person came through this link
    )
    for activity in unit.activities:
        c.progress.mark_activity_done(sara.id, activity.id)
    for person in (sara, otto):
        c.launch_sessions.create(
            LaunchSession(
                id=secrets.token_urlsafe(32),
                person_id=person.id,
                platform_id=platform.id,
                deployment_id=DEPLOYMENT,
                context_id="course-1",
                context_title="Class 3B",
                resource_link_id="rl-1",
                resource=None,
                role="teacher",
                lti_roles=(),
                is_tool_admin=False,
                message_type="LtiResourceLinkRequest",
                created_at=now,
                expires_at=now + timedelta(hours=1),
            )
        )
    with c.database.session() as s:
        site = MoodleSiteRow(url=ISSUER, issuer=ISSUER, token_encrypted="x", created_at=now)
        s.add(site)
        s.flush()
        mapping = MoodleMappingRow(
            site_id=site.id, course_id=7, cmid=0, target=f"event:{event.id}", created_at=now
        )
        s.add(mapping)
        s.flush()
        for user_id, person in ((int(SARA_SUB), sara), (int(OTTO_SUB), otto)):
            s.add(
                MoodlePollMarkRow(
                    mapping_id=mapping.id,
                    moodle_user_id=user_id,
                    state="issued",
                    person_id=person.id,
                    updated_at=now,
                )
            )
    return World(
        app,
        sara.id,
        otto.id,
        tom.id,
        pupil.id,
        project.id,
        space,
        event.id,
        edition.id,
        platform.id,
    )


def dump_all(app: Flask) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table: "nothing changed" is this dump being equal."""
    database = app.extensions["etwin"].database
    with database.engine.connect() as connection:
        return {
            table.name: sorted((tuple(r) for r in connection.execute(select(table))), key=repr)
            for table in Base.metadata.sorted_tables
        }


def rows_of(app: Flask, table_name: str, column: str, value: object) -> list[tuple[object, ...]]:
    table = Base.metadata.tables[table_name]
    database = app.extensions["etwin"].database
    with database.engine.connect() as connection:
        return [tuple(r) for r in connection.execute(select(table).where(table.c[column] == value))]


def today() -> date:
    return datetime.now(UTC).date()
